package retarget

import (
	"time"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// BonePositionMode says which received bone positions move the avatar.
type BonePositionMode uint8

// Bone position modes. VMC sends a local position for every bone; only the
// hips' is meaningful for an avatar other than the sender's own (field
// notes §3, "Normalized rig").
const (
	// PositionsHips applies the hips position only (the default, as
	// EVMC4U): the avatar walks, crouches and leans, its proportions stay
	// its own.
	PositionsHips BonePositionMode = iota
	// PositionsAll applies every bone's position ("same model as sender"):
	// right when the Performer drives this very model, stretching when not.
	PositionsAll
	// PositionsNone applies no position: the hips stay at their rest height
	// (senders that send zero or garbage positions).
	PositionsNone
)

// String returns "hips", "all" or "none".
func (m BonePositionMode) String() string {
	switch m {
	case PositionsAll:
		return "all"
	case PositionsNone:
		return "none"
	}
	return "hips"
}

// Cut is a set of body regions whose received bone rotations are ignored
// (the bones keep their rest rotation): EVMC4U's per-bone "cut" flags,
// grouped by humanoid.Group (field notes §1).
type Cut uint8

// Cut regions. Each is one humanoid.Group; the torso cannot be cut.
const (
	CutHead    Cut = 1 << iota // neck, head, jaw
	CutArms                    // shoulders, upper and lower arms, hands
	CutFingers                 // the 30 finger bones
	CutLegs                    // upper and lower legs, feet, toes
	CutEyes                    // left and right eye
)

// Has reports whether c cuts bone b.
func (c Cut) Has(b humanoid.Bone) bool {
	if !b.Valid() {
		return false
	}
	switch b.Group() {
	case humanoid.GroupHead:
		return c&CutHead != 0
	case humanoid.GroupArms:
		return c&CutArms != 0
	case humanoid.GroupFingers:
		return c&CutFingers != 0
	case humanoid.GroupLegs:
		return c&CutLegs != 0
	case humanoid.GroupEyes:
		return c&CutEyes != 0
	}
	return false
}

// Options are the Marionette's posing options: how the Performer's stream
// drives the avatar's pose (Poser.Update). The zero value applies nothing
// of the root and no smoothing; use DefaultOptions.
type Options struct {
	// RootPosition and RootRotation apply /VMC/Ext/Root/Pos (EVMC4U
	// RootPositionSynchronize / RootRotationSynchronize, both on by default).
	RootPosition, RootRotation bool
	// MRScaleOffset applies the v2.1 MR scale and offset of Root/Pos as
	// EVMC4U's RootScaleOffsetSynchronize does (off by default; field notes
	// §1): model scale 1/s, position (p − offset) ⊙ 1/s, in Unity
	// coordinates before conversion. The avatar scale is uniform: 1 over the
	// mean of the three scale components. Without it the scale is 1.
	MRScaleOffset bool
	// Positions selects which bone positions apply.
	Positions BonePositionMode
	// BoneSmoothing is the time constant of the exponential smoothing of
	// the root and of bone rotations and positions; 0 turns it off. Each
	// rendered frame moves a value by 1 − exp(−dt/BoneSmoothing) of the way
	// to its target, so the result does not depend on the frame rate
	// (EVMC4U's per-frame factor 0.7 at 60 fps is about 47 ms). Fingers and
	// eyes are never smoothed, as in EVMC4U: saccades and finger taps would
	// lag.
	BoneSmoothing time.Duration
	// BlendSmoothing is the same for expression weights; the blink
	// expressions are never smoothed (a 100–150 ms blink would be flattened).
	BlendSmoothing time.Duration
	// Mirror shows the avatar as a mirror image of the Performer: left and
	// right bones swap, poses reflect across the avatar's YZ plane, and
	// left/right expressions (blinkLeft, …Left/…Right, …_L/…_R) swap.
	Mirror bool
	// Cut lists the body regions whose received rotations are ignored.
	Cut Cut
}

// DefaultOptions are EVMC4U's defaults (field notes §1): root position and
// rotation applied, hips position only, no smoothing, no mirror, nothing
// cut.
func DefaultOptions() Options {
	return Options{RootPosition: true, RootRotation: true, Positions: PositionsHips}
}
