package vrm

import (
	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Pose is what drives an avatar for one frame: where the avatar stands, how
// its humanoid bones are turned, its expression weights and where it looks.
// The zero Pose is the rest pose at the origin. Everything spatial is in the
// VRM 1.0 frame (metres, +Y up, the avatar faces +Z; field notes §3).
//
// Rotations are normalized-bone rotations (three-vrm VRMHumanoidRig, the
// VRM Animation spec): each bone is treated as if its rest rotation were
// identity in model axes, and Rotations[b] is its rotation relative to its
// nearest present parent bone — the value three-vrm's
// humanoid.getNormalizedBoneNode(name).quaternion holds. The rig turns it
// into the node's own rotation: raw = Wp⁻¹·N·Wp·L (Wp: the node's parent's
// rest world rotation, L: the node's rest local rotation).
type Pose struct {
	// Root places the avatar in the world: world = T(RootPosition) ·
	// R(RootRotation) · S(RootScale) · model. A zero RootRotation means
	// identity, a zero RootScale means 1.
	RootPosition mgl32.Vec3 // metres
	RootRotation mgl32.Quat
	RootScale    float32

	// Rotations holds a unit quaternion per bone; only bones in Rotated are
	// used, the others keep their rest rotation.
	Rotations [humanoid.Count]mgl32.Quat
	Rotated   humanoid.Set

	// Positions holds per-bone positions in metres, for bones in Positioned.
	// Positions[Hips] is the hips position in model space (the root's
	// frame) and is always applied; the other bones' entries are offsets
	// from their parent bone in model axes (three-vrm's normalized local
	// positions) and are applied only with SameModel.
	Positions  [humanoid.Count]mgl32.Vec3
	Positioned humanoid.Set

	// SourceHipsHeight, when > 0, is the sender's rest hips height in
	// metres: the hips position is scaled by the avatar's rest hips height
	// over it, so a small avatar does not float when driven by a tall one.
	SourceHipsHeight float32

	// SameModel says the sender animates this very model ("same model as
	// sender"): bone positions other than the hips are applied too.
	SameModel bool

	// Expressions are weights (0–1, clamped) by expression name, matched as
	// Model.ExpressionIndex does: case-insensitively, VRM 0.x preset names
	// accepted for VRM 1.0 presets and the reverse. Expressions not listed
	// are 0; names the avatar lacks are ignored. A later entry for the same
	// expression wins.
	Expressions []ExpressionWeight

	// LookAt aims the eyes (VRMC_vrm-1.0 lookAt.md).
	LookAt LookAtInput
}

// ExpressionWeight is one named expression weight, 0–1.
type ExpressionWeight struct {
	Name   string
	Weight float32
}

// LookAtMode selects how LookAtInput is read.
type LookAtMode uint8

// LookAt modes.
const (
	LookAtOff    LookAtMode = iota // eyes follow the pose (eye bones, lookUp/Down/Left/Right weights)
	LookAtTarget                   // look at Target
	LookAtAngles                   // look along Yaw and Pitch
)

// LookAtInput is the gaze request of a Pose.
type LookAtInput struct {
	Mode LookAtMode
	// Target is a world position in metres (after the root transform).
	Target mgl32.Vec3
	// Yaw and Pitch are degrees in the avatar's lookAt space (origin at the
	// head bone plus LookAt.OffsetFromHeadBone, axes those of the model when
	// the head is at rest): yaw > 0 looks to the avatar's left (+X), pitch >
	// 0 looks down (lookAt.md).
	Yaw, Pitch float32
}

// SetRotation sets bone b's normalized rotation and marks it present.
func (p *Pose) SetRotation(b humanoid.Bone, q mgl32.Quat) {
	if !b.Valid() {
		return
	}
	p.Rotations[b] = q
	p.Rotated = p.Rotated.With(b)
}

// SetPosition sets bone b's position (see Positions) and marks it present.
func (p *Pose) SetPosition(b humanoid.Bone, v mgl32.Vec3) {
	if !b.Valid() {
		return
	}
	p.Positions[b] = v
	p.Positioned = p.Positioned.With(b)
}

// Reset clears p to the rest pose, keeping the Expressions slice's storage.
func (p *Pose) Reset() {
	e := p.Expressions[:0]
	*p = Pose{}
	p.Expressions = e
}
