package marionette

import (
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// FaceSource is a second motion source mixed over the VMC stream: face
// expressions and, optionally, the head and eyes — an iFacialMocap phone
// (IFacialMocap, in this package) or any other tracker. Attach one with
// Engine.SetFaceSource.
type FaceSource interface {
	// Face fills f with the source's newest face for avatar av (the avatar
	// about to be drawn, never nil; reusing f's slices) and reports whether
	// there is one to apply: false while disconnected or while the tracker
	// has lost the face, and the face then stops contributing. It is called
	// on the engine's render goroutine once per rendered frame and must not
	// block. The source may keep per-avatar tables keyed by av; it must not
	// pose av.
	Face(av *vrm.Model, f *Face) bool
	// Changed returns a channel that receives a value when a newer face is
	// available, or when Face's answer changes (the source connected,
	// disconnected, lost the face). It must coalesce (capacity 1, never
	// blocking the source), as vmc.Scene.Changed does; the engine is its
	// only consumer. The engine redraws only on such a signal (or another
	// input), so a source that never signals is never seen.
	Changed() <-chan struct{}
}

// Face is one frame of a FaceSource. Every expression it lists is driven
// by the face: listed with weight 0 means "the face says 0", which
// overrides the Performer's value (see FaceMix).
type Face struct {
	// Slots are expression weights 0–1 by index into the Expressions of the
	// avatar Face was called with: the fast path, with no name lookup.
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

// FaceMix says how a FaceSource mixes with the VMC stream. The face
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
// The engine's Mirror option applies to the VMC stream only: a face tracker
// has its own mirror switch.
type FaceMix struct {
	VMCWeight, FaceWeight float32 // 0–1
	Head, Eyes            bool
}

// DefaultFaceMix lets the face drive the expressions it tracks, the head
// and the eyes, and keeps the Performer's other expressions at full weight.
func DefaultFaceMix() FaceMix {
	return FaceMix{VMCWeight: 1, FaceWeight: 1, Head: true, Eyes: true}
}

// vmcOnly is the mix with no face source attached.
var vmcOnly = FaceMix{VMCWeight: 1}

// overrides reports whether bone b's rotation may come from the face.
func (m FaceMix) overrides(b humanoid.Bone) bool {
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
