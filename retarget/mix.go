package retarget

import (
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Face is one frame of a second motion source mixed over the VMC stream
// (an iFacialMocap phone through package retarget/face, or any other
// tracker), adapted to one avatar. Every expression it lists is driven by
// the face: listed with weight 0 means "the face says 0", which overrides
// the Performer's value (see FaceMix).
type Face struct {
	// Slots are expression weights 0–1 by index into the Expressions of the
	// avatar the face was made for: the fast path, with no name lookup.
	// Indices out of range are ignored.
	Slots []ExpressionSlot
	// Expressions are weights 0–1 by expression name, matched as
	// vrm.Model.ExpressionIndex does (case-insensitive, VRM 0.x and 1.0
	// preset names, Perfect Sync names as the model spells them). Names the
	// avatar lacks are ignored.
	Expressions []vrm.ExpressionWeight
	// Gaze are lookAt expression weights (lookUp/Down/Left/Right, for an
	// avatar whose lookAt type is expression), by index as Slots; they are
	// applied only with FaceMix.Eyes.
	Gaze []ExpressionSlot
	// Bones are normalized-rig local rotations in the VRM 1.0 frame (the
	// rotations of vrm.Pose): spine, chest and upper chest (a follow, composed
	// with the Performer's), neck and head (used with FaceMix.Head), the eyes
	// (with FaceMix.Eyes).
	Bones []BoneRotation
	// Received is the local arrival time of the tracker data, for latency
	// statistics; zero if unknown.
	Received time.Time
}

// ExpressionSlot is one expression weight, 0–1, by index into
// vrm.Model.Expressions.
type ExpressionSlot struct {
	Index  int32
	Weight float32
}

// BoneRotation is one humanoid bone's normalized-rig local rotation, a unit
// quaternion in the VRM 1.0 frame.
type BoneRotation struct {
	Bone     humanoid.Bone
	Rotation mgl32.Quat
}

// FaceMix says how a Face mixes with the VMC stream. The face
// overrides what it drives; everything else keeps coming from VMC. Each
// source has a visible weight:
//
//   - An expression the face lists (Face.Slots, Face.Expressions, and
//     Face.Gaze with Eyes) gets VMC·VMCWeight·(1 − FaceWeight) +
//     Face·FaceWeight: at FaceWeight 1 the face alone, at 0 the Performer
//     alone. Any other expression gets VMC·VMCWeight. VMCWeight applies
//     whenever a face source is attached, live or not.
//   - With Head, the face's neck and head rotations replace VMC's by
//     FaceWeight: quat.Slerp(vmc, face, FaceWeight); its spine, chest and upper
//     chest rotations (a small follow of the head, a lean from head
//     position) are composed with VMC's: vmc · face^FaceWeight, so the
//     Performer's body pose stays.
//   - With Eyes, the face's eye rotations replace VMC's as the head's do.
//
// The Mirror option applies to the VMC stream only: a face tracker has its
// own mirror switch.
type FaceMix struct {
	VMCWeight, FaceWeight float32 // 0–1
	Head, Eyes            bool
}

// DefaultFaceMix lets the face drive the expressions it tracks, the head
// and the eyes, and keeps the Performer's other expressions at full weight.
func DefaultFaceMix() FaceMix {
	return FaceMix{VMCWeight: 1, FaceWeight: 1, Head: true, Eyes: true}
}

// VMCOnly is the mix with no face source attached: the Performer's
// expressions at full weight.
func VMCOnly() FaceMix { return FaceMix{VMCWeight: 1} }

// Overrides reports whether bone b's rotation may come from the face:
// spine, chest, upper chest, neck and head with Head; the eyes with Eyes.
func (m FaceMix) Overrides(b humanoid.Bone) bool {
	switch b {
	case humanoid.Spine, humanoid.Chest, humanoid.UpperChest, humanoid.Neck, humanoid.Head:
		return m.Head
	case humanoid.LeftEye, humanoid.RightEye:
		return m.Eyes
	}
	return false
}

// composes reports whether the face's rotation of b is composed with VMC's
// rather than replacing it: the torso bones.
func composes(b humanoid.Bone) bool {
	return b == humanoid.Spine || b == humanoid.Chest || b == humanoid.UpperChest
}
