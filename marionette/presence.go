package marionette

import (
	"math"
	"math/rand/v2"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Part is a region of the avatar a source can drive: the unit of the idle
// layer's hand-over (Presence) and of receiver assignment.
type Part uint8

// Parts of the avatar. Bones map to parts by humanoid.Group.
const (
	PartRoot  Part = iota // the root transform (/VMC/Ext/Root/Pos)
	PartTorso             // hips, spine, chest, upper chest
	PartHead              // neck, head, jaw
	PartFace              // expressions (blend keys)
	PartEyes              // left and right eye bones
	PartArms              // shoulders, upper and lower arms, hands
	PartHands             // the 30 finger bones
	PartLegs              // upper and lower legs, feet, toes
	PartCount
)

var partNames = [PartCount]string{"root", "torso", "head", "face", "eyes", "arms", "hands", "legs"}

// String returns the part's lower-case name ("root", "torso", "head",
// "face", "eyes", "arms", "hands", "legs").
func (p Part) String() string {
	if p < PartCount {
		return partNames[p]
	}
	return "part?"
}

// Parts is a set of Parts, bit p for Part p.
type Parts uint16

// AllParts is every part.
const AllParts = Parts(1<<PartCount - 1)

// Has reports whether s holds p.
func (s Parts) Has(p Part) bool { return s&(1<<p) != 0 }

// With returns s with p added.
func (s Parts) With(p Part) Parts { return s | 1<<p }

// PartOf returns the part bone b belongs to (by humanoid.Group).
func PartOf(b humanoid.Bone) Part {
	switch b.Group() {
	case humanoid.GroupHead:
		return PartHead
	case humanoid.GroupEyes:
		return PartEyes
	case humanoid.GroupArms:
		return PartArms
	case humanoid.GroupFingers:
		return PartHands
	case humanoid.GroupLegs:
		return PartLegs
	}
	return PartTorso
}

// PresenceLayer switches one idle motion on and scales it.
type PresenceLayer struct {
	On bool
	// Strength scales the motion, 0–2 (1: the default amplitude; clamped).
	Strength float32
}

func (l PresenceLayer) gain() float32 {
	if !l.On || !(l.Strength > 0) {
		return 0
	}
	return min(l.Strength, 2)
}

// Presence is the idle layer under everything received: motion each part
// of the body shows while no source drives it, so the avatar looks alive
// when the Performer stops or sends only some bones (issue 15). A part
// counts as driven while data for it arrived within PresenceSilence
// (VMagicMirror's 0.5 s rule); the idle motion blends in and out linearly
// over PresenceBlend.
type Presence struct {
	// Breathing turns the spine, chest and upper chest about the avatar's
	// X axis (a few degrees in all at 1, 0.25 Hz).
	Breathing PresenceLayer
	// Arms lowers the arms from the T-pose to a resting A-pose (upper arms
	// 70° down and slightly forward, elbows a little bent, at 1).
	Arms PresenceLayer
	// Head sways the neck and head slowly (about 2° at 1).
	Head PresenceLayer
	// Blink closes the eyes (the blink expression) at random intervals of
	// 2–6 s, for about 0.2 s; never while a source sends blinks. Strength
	// scales how far the eyes close (clamped to 1).
	Blink PresenceLayer
}

// DefaultPresence has every idle motion on at strength 1.
func DefaultPresence() Presence {
	on := PresenceLayer{On: true, Strength: 1}
	return Presence{Breathing: on, Arms: on, Head: on, Blink: on}
}

// Active reports whether some idle motion is on.
func (p Presence) Active() bool {
	return p.Breathing.gain() > 0 || p.Arms.gain() > 0 || p.Head.gain() > 0 || p.Blink.gain() > 0
}

// Timing of the idle layer (issue 15, VMagicMirror's rules).
const (
	// PresenceSilence is how long a part may go without data before the
	// idle motion takes it over, seconds.
	PresenceSilence = 0.5
	// PresenceBlend is how long the idle motion takes to blend fully in or
	// out, seconds: the weight moves linearly by dt/PresenceBlend a step.
	PresenceBlend = 0.3
)

// Idle motion constants.
const (
	breathHz      = 0.25
	breathDeg     = 1.2 // per torso bone (spine, chest, upper chest)
	armDownDeg    = 70
	armForwardDeg = 8
	elbowDeg      = 12
	headSwayDeg   = 1.5
	blinkMinGap   = 2.0 // seconds
	blinkMaxGap   = 6.0
	blinkClose    = 0.06 // seconds to close
	blinkHold     = 0.04
	blinkOpen     = 0.10
	blinkDuration = blinkClose + blinkHold + blinkOpen
	presenceNever = -1e9
)

// presence is the idle layer's state: a clock, per-part last-driven times
// and hand-over weights, head-sway phases and the blink schedule. It is
// pure and deterministic given its seed and the steps it is given.
type presence struct {
	t       float64 // seconds since reset
	last    [PartCount]float64
	w       [PartCount]float32 // idle weight per part, 0 (source) – 1 (idle)
	phase   [3]float64         // head sway phases
	rng     *rand.Rand
	next    float64 // start of the next automatic blink
	blinkAt float64 // start of the blink in progress (presenceNever: none)
	shown   bool    // a step has shown the blink in progress at least half closed
	blink   float32 // this step's automatic blink weight
}

// reset starts the layer over with seed (same seed, same motion).
func (s *presence) reset(seed uint64) {
	*s = presence{rng: rand.New(rand.NewPCG(seed, 0x6b75677574737521)), blinkAt: presenceNever}
	for i := range s.last {
		s.last[i] = presenceNever
	}
	for i := range s.phase {
		s.phase[i] = s.rng.Float64() * 2 * math.Pi
	}
	s.next = s.gap()
}

func (s *presence) gap() float64 { return blinkMinGap + s.rng.Float64()*(blinkMaxGap-blinkMinGap) }

// driven reports whether part p had data within PresenceSilence.
func (s *presence) driven(p Part) bool { return s.t-s.last[p] <= PresenceSilence }

// step advances the layer by dt seconds. ages holds, per part, how many
// seconds before the end of this step a source last sent data for it (0:
// just now; negative: no source has it); blinkDriven says a source (the
// Performer's blends or the face source) is sending blinks now.
func (s *presence) step(dt float64, ages *[PartCount]float64, blinkDriven bool, o Presence) {
	if s.rng == nil {
		s.reset(1)
	}
	if !(dt > 0) {
		dt = 0
	}
	s.t += dt
	for p := Part(0); p < PartCount; p++ {
		if a := ages[p]; a >= 0 {
			s.last[p] = max(s.last[p], s.t-a)
		}
	}
	a := float32(dt / PresenceBlend)
	for p := Part(0); p < PartCount; p++ {
		target := float32(0)
		if !s.driven(p) && s.layerOf(p, o) > 0 {
			target = 1
		}
		switch {
		case s.w[p] < target:
			s.w[p] = min(s.w[p]+a, target)
		case s.w[p] > target:
			s.w[p] = max(s.w[p]-a, target)
		}
	}
	// Blinks: scheduled on the layer's clock; a source's blinks push the
	// schedule on, so none fires while (or right after) they arrive.
	s.blink = 0
	g := min(o.Blink.gain(), 1)
	if blinkDriven || g == 0 {
		s.blinkAt = presenceNever
		if s.next < s.t+blinkMinGap {
			s.next = s.t + s.gap()
		}
		return
	}
	if s.blinkAt == presenceNever && s.t >= s.next {
		// The blink started when it was due, inside this step, so a slow
		// step already shows it under way.
		s.blinkAt, s.shown = max(s.next, s.t-dt), false
		s.next = s.t + s.gap()
	}
	if s.blinkAt != presenceNever {
		u := s.t - s.blinkAt
		switch {
		case u < blinkClose:
			s.blink = float32(u / blinkClose)
		case u < blinkClose+blinkHold:
			s.blink = 1
		case u < blinkDuration:
			s.blink = float32(1 - (u-blinkClose-blinkHold)/blinkOpen)
		case !s.shown:
			// Steps longer than the blink (a frame rate under about
			// 10 fps) would skip it: show the eyes closed for this one.
			s.blink = 1
			s.blinkAt = presenceNever
		default:
			s.blinkAt = presenceNever
		}
		s.shown = s.shown || s.blink >= 0.5
		s.blink *= g
	}
}

// layerOf returns the gain of the idle motion of part p (0: none).
func (s *presence) layerOf(p Part, o Presence) float32 {
	switch p {
	case PartTorso:
		return o.Breathing.gain()
	case PartArms:
		return o.Arms.gain()
	case PartHead:
		return o.Head.gain()
	}
	return 0
}

// Weight returns part p's idle weight: 0 when a source drives it, 1 when
// the idle motion has it, between while blending.
func (s *presence) Weight(p Part) float32 { return s.w[p] }

// Blink returns this step's automatic blink weight, 0–1.
func (s *presence) Blink() float32 { return s.blink }

// idleRotation returns the idle rotation of bone b (VRM 1.0 normalized
// bone, relative to the T-pose rest) and whether the layer moves b.
func (s *presence) idleRotation(b humanoid.Bone, o Presence) (mgl32.Quat, bool) {
	const deg = math.Pi / 180
	switch b {
	case humanoid.Spine, humanoid.Chest, humanoid.UpperChest:
		g := float64(o.Breathing.gain())
		// Inhale straightens the back (a small turn about −X, chest up and
		// back), exhale returns.
		a := -g * breathDeg * deg * 0.5 * (1 - math.Cos(2*math.Pi*breathHz*s.t))
		return mgl32.QuatRotate(float32(a), mgl32.Vec3{1, 0, 0}), true
	case humanoid.Neck, humanoid.Head:
		g := float64(o.Head.gain()) * headSwayDeg * deg / 2 // shared by neck and head
		t := s.t
		yaw := g * math.Sin(2*math.Pi*0.11*t+s.phase[0])
		pitch := g * 0.7 * math.Sin(2*math.Pi*0.17*t+s.phase[1])
		roll := g * 0.6 * math.Sin(2*math.Pi*0.07*t+s.phase[2])
		q := mgl32.QuatRotate(float32(yaw), mgl32.Vec3{0, 1, 0}).
			Mul(mgl32.QuatRotate(float32(pitch), mgl32.Vec3{1, 0, 0})).
			Mul(mgl32.QuatRotate(float32(roll), mgl32.Vec3{0, 0, 1}))
		return q, true
	case humanoid.LeftUpperArm, humanoid.RightUpperArm:
		// VRM 1.0 frame: the avatar faces +Z, its left arm points +X. A
		// turn about −Z lowers the left arm; about +Y swings it forward.
		g := float64(o.Arms.gain())
		side := float32(1)
		if b == humanoid.RightUpperArm {
			side = -1
		}
		down := mgl32.QuatRotate(-side*float32(g*armDownDeg*deg), mgl32.Vec3{0, 0, 1})
		fwd := mgl32.QuatRotate(-side*float32(g*armForwardDeg*deg), mgl32.Vec3{0, 1, 0})
		return fwd.Mul(down), true
	case humanoid.LeftLowerArm, humanoid.RightLowerArm:
		g := float64(o.Arms.gain())
		side := float32(1)
		if b == humanoid.RightLowerArm {
			side = -1
		}
		return mgl32.QuatRotate(-side*float32(g*elbowDeg*deg), mgl32.Vec3{0, 1, 0}), true
	}
	return mgl32.QuatIdent(), false
}

// presenceBones are the bones the idle layer moves.
var presenceBones = [...]humanoid.Bone{
	humanoid.Spine, humanoid.Chest, humanoid.UpperChest,
	humanoid.Neck, humanoid.Head,
	humanoid.LeftUpperArm, humanoid.RightUpperArm, humanoid.LeftLowerArm, humanoid.RightLowerArm,
}

// apply blends the idle motion into ps (the received pose) by each part's
// weight, and sets the automatic blink on av's blink expression (keeping
// a larger received weight, given by received: −1 when none).
func (s *presence) apply(ps *vrm.Pose, o Presence, blinkName string, received float32) {
	for _, b := range presenceBones {
		w := s.w[PartOf(b)]
		if w <= 0 {
			continue
		}
		q, ok := s.idleRotation(b, o)
		if !ok {
			continue
		}
		base := mgl32.QuatIdent()
		if ps.Rotated.Has(b) {
			base = ps.Rotations[b]
		}
		ps.SetRotation(b, quat.Slerp(base, q, w).Normalize())
	}
	if s.blink > 0 && blinkName != "" && s.blink > received {
		ps.Expressions = append(ps.Expressions, vrm.ExpressionWeight{Name: blinkName, Weight: s.blink})
	}
}
