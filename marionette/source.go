package marionette

import (
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// FaceSource is a second motion source mixed over the VMC stream: face
// expressions and, optionally, the head and eyes — an iFacialMocap client
// (protocol/ifacialmocap: Mapper.Map gives a Face whose Presets/ARKit
// weights become Expressions and whose BoneRotations become Bones) or any
// other tracker. Attach one with Engine.SetFaceSource.
type FaceSource interface {
	// Face fills f with the source's newest face (reusing f's slices) and
	// reports whether there is one to apply: false while disconnected or
	// while the tracker has lost the face, and the face then stops
	// contributing. It is called on the engine's render goroutine once per
	// rendered frame and must not block.
	Face(f *Face) bool
	// Changed returns a channel that receives a value when a newer face is
	// available. It must coalesce (capacity 1, never blocking the source),
	// as vmc.Scene.Changed does; the engine is its only consumer.
	Changed() <-chan struct{}
}

// Face is one frame of a FaceSource.
type Face struct {
	// Expressions are weights 0–1 by expression name, matched as
	// vrm.Avatar.ExpressionIndex does (case-insensitive, VRM 0.x and 1.0
	// preset names, Perfect Sync names as the model spells them). Names the
	// avatar lacks are ignored.
	Expressions []vrm.ExpressionWeight
	// Bones are normalized-rig local rotations in the VRM 1.0 frame (the
	// rotations of vrm.Pose; ifacialmocap.Face.BoneRotations gives chest,
	// neck, head and eyes). Used only with FaceMix.Head / FaceMix.Eyes.
	Bones []BoneRotation
	// Received is the local arrival time of the tracker data, for latency
	// statistics; zero if unknown.
	Received time.Time
}

// BoneRotation is one humanoid bone's normalized-rig local rotation, a unit
// quaternion in the VRM 1.0 frame.
type BoneRotation struct {
	Bone     humanoid.Bone
	Rotation mgl32.Quat
}

// FaceMix says how a FaceSource mixes with the VMC stream. Each source has a
// visible weight: per expression the avatar gets
// min(1, VMC·VMCWeight + Face·FaceWeight); with Head (chest, neck, head
// bones) or Eyes (eye bones) the face's rotation of a bone replaces VMC's
// by FaceWeight: slerp(vmc, face, FaceWeight). The engine's Mirror option
// applies to the VMC stream only: a face tracker has its own mirror switch.
type FaceMix struct {
	VMCWeight, FaceWeight float32 // 0–1
	Head, Eyes            bool
}

// DefaultFaceMix takes expressions from both sources at full weight and
// lets the face drive the head and eyes.
func DefaultFaceMix() FaceMix {
	return FaceMix{VMCWeight: 1, FaceWeight: 1, Head: true, Eyes: true}
}

// faceOverrides reports whether bone b's rotation comes from the face.
func (m FaceMix) overrides(b humanoid.Bone) bool {
	switch b {
	case humanoid.Chest, humanoid.Spine, humanoid.Neck, humanoid.Head:
		return m.Head
	case humanoid.LeftEye, humanoid.RightEye:
		return m.Eyes
	}
	return false
}
