package face

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/vrm/arkit"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// This file maps an ifacialmocap.Frame onto a VRM avatar: expression weights
// (Perfect Sync or VRM presets), head/neck/chest rotations, eye rotations,
// lookAt and a head offset. It is pure computation on caller-owned values: no
// I/O, no allocation. Binding (binding.go) adapts the result to one avatar
// as a retarget.Face, which retarget.Poser mixes into a vrm.Pose.
//
// Coordinate frame of every output: the VRM 1.0 world frame — metres, +Y up,
// the avatar faces +Z, the avatar's left is +X (field notes §3). Rotations
// are unit quaternions meant as normalized-rig local rotations (a bone whose
// rest rotation is identity in world axes, field notes §3), so they are
// expressed in world axes. Positive rotation is right-handed: +X pitches the
// face down, +Y turns it toward the avatar's left, +Z tips the top of the
// head toward the avatar's right.
//
// iFacialMocap's angles are in the user's face frame, whose axes are the
// avatar's when the avatar copies the user (package comment, "Coordinates").
// So, not mirrored, a user turning to their own left turns the avatar to the
// avatar's left (and on a screen facing the user the avatar turns to the
// viewer's right); mirrored, left and right swap everywhere — yaw and roll
// change sign, head x offset changes sign, the eyes and every Left/Right
// blendshape pair swap sides — so that the avatar moves like the user's
// reflection.

// MappingMode chooses which expressions a face drives.
type MappingMode uint8

// Mapping modes.
const (
	// MappingAuto is Perfect Sync when Settings.ModelHasPerfectSync, else
	// presets.
	MappingAuto MappingMode = iota
	// MappingPerfectSync drives expressions named after the 52 ARKit shapes
	// with Face.ARKit (field notes §6).
	MappingPerfectSync
	// MappingPresets drives the VRM preset expressions with Face.Presets.
	MappingPresets
)

// String returns "auto", "perfect sync" or "presets".
func (m MappingMode) String() string {
	switch m {
	case MappingPerfectSync:
		return "perfect sync"
	case MappingPresets:
		return "presets"
	}
	return "auto"
}

// Vowels chooses the mouth formula of preset mode.
type Vowels uint8

// Vowel formulas (see Presets).
const (
	VowelsFive Vowels = iota // aa/ih/ou from VMagicMirror's formula, ee and oh split off them
	VowelsAIU                // VMagicMirror's formula as it is: aa/ih/ou only
)

// Invert flips individual tracked axes before anything else happens to them,
// for phones and app settings whose signs differ (field notes §6). Names
// refer to the raw Frame axes: head X pitch, Y yaw, Z roll; eye X pitch, Y
// yaw; head position X, Y, Z.
type Invert struct {
	HeadPitch, HeadYaw, HeadRoll    bool
	EyePitch, EyeYaw                bool
	PositionX, PositionY, PositionZ bool
}

// Settings configure a Mapper. Start from DefaultSettings.
type Settings struct {
	Mode MappingMode
	// ModelHasPerfectSync tells MappingAuto whether the model has Perfect
	// Sync expressions (see HasPerfectSync).
	ModelHasPerfectSync bool
	// Mirror makes the avatar move like the user's reflection (see the
	// comment at the top of this file).
	Mirror bool
	Invert Invert

	// Smoothing is the time constant, in seconds, of the exponential
	// smoothing of blendshapes, head rotation, eyes and head offset: each
	// frame moves a fraction 1 − exp(−dt/Smoothing) of the way to the
	// tracked value, the same at any frame rate. 0 turns smoothing off.
	// Blinks are not smoothed (a smoothed blink looks sleepy); they are
	// speed-limited instead.
	Smoothing float32
	// BlinkOpenSpeed and BlinkCloseSpeed limit how fast a blink weight may
	// fall (the eye opens) or rise (the eye closes), in weight per second; 0
	// means no limit. VMagicMirror opens at most 0.1 per 60-fps frame (6/s)
	// and closes at once (ExternalTrackerBlink; field notes §6).
	BlinkOpenSpeed, BlinkCloseSpeed float32

	// ChestShare is the fraction of the head rotation given to the chest
	// (a small follow, such as 0.1; 0 for none). NeckShare is the fraction
	// of the rest given to the neck; the head takes what remains
	// (VMagicMirror: half to the neck, half to the head; field notes §6).
	ChestShare, NeckShare float32

	// HeadPositionScale scales the head offset (1: as tracked, in metres);
	// 0 turns it off. The offset needs a calibration.
	HeadPositionScale float32

	// LookAtRange is the eye angle, in degrees, that gives a lookAt
	// expression weight of 1; 0 means DefaultLookAtRange.
	LookAtRange float32

	// Vowels chooses the mouth formula in preset mode; Emotions enables the
	// happy and surprised presets.
	Vowels   Vowels
	Emotions bool
}

// DefaultLookAtRange matches ARKit's own eyeLook* scale, measured on the
// fixtures: eyeLookIn_R 0.54 at 19°, eyeLookOut_L 0.44 at 15.6°,
// eyeLookDown 0.25 at 9° — about 35° per unit.
const DefaultLookAtRange = 35

// DefaultSettings are: automatic mode, not mirrored, 60 ms smoothing,
// VMagicMirror's blink limits (open ≤ 6/s, close at once), half the head
// rotation on the neck and no chest follow, no head offset, five vowels,
// emotions on.
func DefaultSettings() Settings {
	return Settings{
		Smoothing:      0.06,
		BlinkOpenSpeed: 6,
		NeckShare:      0.5,
		LookAtRange:    DefaultLookAtRange,
		Emotions:       true,
	}
}

// Calibration is the user's neutral pose ("this is my neutral face and
// pose"): the raw head rotation, head position and eye angles of a frame,
// in Frame units. The Mapper measures from it; its zero value (Valid false)
// means "the phone's own neutral" for rotations and no head offset.
type Calibration struct {
	Valid             bool
	HeadRotation      mgl32.Vec3 // degrees, as ifacialmocap.Frame.HeadRotation
	HeadPosition      mgl32.Vec3 // metres, as ifacialmocap.Frame.HeadPosition
	RightEye, LeftEye mgl32.Vec3 // degrees, as ifacialmocap.Frame.RightEye/LeftEye
}

// Calibrate returns the calibration that makes f the neutral pose. Raw
// values are kept, so changing Invert or Mirror later needs no new
// calibration.
func Calibrate(f *ifacialmocap.Frame) Calibration {
	return Calibration{Valid: true, HeadRotation: f.HeadRotation, HeadPosition: f.HeadPosition,
		RightEye: f.RightEye, LeftEye: f.LeftEye}
}

// Presets are VRM 1.0 preset expression weights, 0–1 (VRM 0.x: a→aa, i→ih,
// u→ou, e→ee, o→oh, joy→happy, blink_l→blinkLeft…; field notes §4).
//
// Blink (field notes §6; VMagicMirror ExternalTrackerBlink): per eye,
// b = mapClamp(eyeBlink, 0.2, 0.8), speed-limited as Settings say; then
// Blink = min(bLeft, bRight), BlinkLeft = bLeft − Blink, BlinkRight =
// bRight − Blink, so that a model with all three closes each eye by exactly
// b (a model without blinkLeft/blinkRight still blinks, without winks).
// mapClamp(x, lo, hi) = mathx.Clamp01((x − lo) / (hi − lo)).
//
// Mouth (VMagicMirror ExternalTrackerLipSync, field notes §6):
//
//	a = m(2·jawOpen)
//	i = m(0.6·(mouthSmileLeft + mouthSmileRight) − 0.1)
//	u = m(0.4·(mouthPucker + mouthFunnel + jawForward))
//	m(x) = mapClamp(x, 0.15, 0.6)
//
// VowelsAIU uses Aa = a, Ih = i, Ou = u, Ee = Oh = 0. VowelsFive (Kugutsu's
// extension) splits off the open-mouth part of spread and of rounded lips:
// Ee = min(a, i), Oh = min(a, u), Aa = max(0, a − Ee − Oh), Ih = i − Ee,
// Ou = u − Oh. Either way, when the weights sum to more than 1 they are
// scaled to sum to 1.
//
// Emotions (Kugutsu's own, when Settings.Emotions):
//
//	Happy     = mapClamp((mouthSmileLeft + mouthSmileRight)/2, 0.3, 0.8)
//	Surprised = mapClamp(min(brow, wide), 0.2, 0.6)
//	brow = max(browInnerUp, (browOuterUpLeft + browOuterUpRight)/2)
//	wide = (eyeWideLeft + eyeWideRight)/2
//
// LookAt expressions (for a model whose lookAt type is expression), from the
// Face's Gaze and Settings.LookAtRange r: LookLeft = mathx.Clamp01(yaw/r),
// LookRight = mathx.Clamp01(−yaw/r), LookDown = mathx.Clamp01(pitch/r), LookUp =
// mathx.Clamp01(−pitch/r). (The model's own range maps can be applied to Gaze
// instead.)
type Presets struct {
	Blink, BlinkLeft, BlinkRight          float32
	Aa, Ih, Ou, Ee, Oh                    float32
	Happy, Surprised                      float32
	LookUp, LookDown, LookLeft, LookRight float32
}

// Gaze is the direction of both eyes relative to the head, in degrees, with
// the signs of three-vrm's VRMLookAt applyYawPitch: Yaw > 0 looks toward the
// avatar's left, Pitch > 0 looks down. It is the mean of the two eyes.
type Gaze struct {
	Yaw, Pitch float32
}

// Face is a Mapper's result for one frame.
type Face struct {
	// Mode is the resolved mapping mode: MappingPerfectSync or MappingPresets.
	Mode MappingMode
	// ARKit holds the 52 blendshape weights for a Perfect Sync model, 0–1,
	// indexed by arkit.Shape, already mirrored (Left means the avatar's
	// left), smoothed and blink-limited. Filled in every mode (for a panel's
	// bars).
	ARKit [arkit.Count]float32
	// Presets holds VRM preset weights, filled in every mode.
	Presets Presets

	// Chest, Neck and Head are normalized-rig local rotations (see the top of
	// this file) whose product Chest·Neck·Head is the calibrated head
	// rotation.
	Chest, Neck, Head mgl32.Quat
	// LeftEye and RightEye are the avatar's eye rotations relative to the
	// head, for a model whose lookAt type is bone: the tracked angles
	// themselves (no range map), roll dropped.
	LeftEye, RightEye mgl32.Quat
	// Gaze is the eyes' mean direction, for VRM lookAt with the model's own
	// range maps.
	Gaze Gaze
	// HeadOffset is how far the head has moved from the calibrated neutral,
	// in metres, in the avatar's frame (scaled by HeadPositionScale, each axis
	// clamped to ±MaxHeadOffset); zero without a calibration.
	HeadOffset mgl32.Vec3

	// TrackingOK is false while the phone has lost the face; the Mapper
	// then holds the last tracked pose.
	TrackingOK bool
}

// BoneRotation is one humanoid bone's normalized-rig local rotation (VRM 1.0
// world frame, see the top of this file).
type BoneRotation struct {
	Bone     humanoid.Bone
	Rotation mgl32.Quat
}

// BoneRotations lists the face's rotations for the bones a model has
// (present): Chest, Neck and Head, then LeftEye and RightEye when eyes is
// true (a model whose lookAt type is bone). A model without a chest gets the
// chest's share on its Spine; without a neck, the neck's share goes to the
// head. Chest, Neck and Head are powers of one rotation, so folding keeps the
// head's world rotation exactly. It returns the entries and their number, and
// does not allocate.
func (f *Face) BoneRotations(present humanoid.Set, eyes bool) (out [5]BoneRotation, n int) {
	add := func(b humanoid.Bone, q mgl32.Quat) {
		out[n] = BoneRotation{b, q}
		n++
	}
	neck, head := f.Neck, f.Head
	switch {
	case present.Has(humanoid.Chest):
		add(humanoid.Chest, f.Chest)
	case present.Has(humanoid.Spine):
		add(humanoid.Spine, f.Chest)
	default:
		neck = f.Chest.Mul(neck)
	}
	if present.Has(humanoid.Neck) {
		add(humanoid.Neck, neck)
	} else {
		head = neck.Mul(head)
	}
	add(humanoid.Head, head)
	if eyes {
		if present.Has(humanoid.LeftEye) {
			add(humanoid.LeftEye, f.LeftEye)
		}
		if present.Has(humanoid.RightEye) {
			add(humanoid.RightEye, f.RightEye)
		}
	}
	return out, n
}

// MaxHeadOffset bounds each axis of Face.HeadOffset, in metres.
const MaxHeadOffset = 0.5

// Mapper turns frames into Faces. It keeps the smoothing and blink state
// between frames; Settings and Calibration may be changed between calls.
// A Mapper is not safe for concurrent use. The zero value is usable (with
// zero Settings: no smoothing, no blink limits, everything on the head).
type Mapper struct {
	Settings    Settings
	Calibration Calibration

	primed bool
	target target // the last tracked frame's targets
	cur    target // smoothed state
	blink  [2]float32
	preset [2]float32
}

// target is the tracked pose after invert, calibration and mirror.
type target struct {
	arkit    [arkit.Count]float32
	head     mgl32.Quat
	eyes     [2][2]float32 // [left, right] of the avatar: pitch, yaw degrees
	offset   mgl32.Vec3
	blinkRaw [2]float32 // [left, right] eyeBlink, unsmoothed
}

// Reset forgets the smoothing state: the next frame is taken as it is.
func (m *Mapper) Reset() { m.primed = false }

// Map computes the face for frame f, dt seconds after the previous call
// (dt ≤ 0 on the first call is fine; later it means no time passed). It does
// not allocate. See Face, Presets and Settings for the formulas.
func (m *Mapper) Map(f *ifacialmocap.Frame, dt float32, out *Face) {
	s := &m.Settings
	if f.TrackingOK || !m.primed {
		m.target = m.computeTarget(f)
	}
	t := &m.target
	if dt < 0 {
		dt = 0
	}
	alpha := float32(1)
	if m.primed && s.Smoothing > 0 {
		alpha = 1 - float32(math.Exp(-float64(dt/s.Smoothing)))
	}
	if !m.primed {
		m.cur = *t
		m.blink = t.blinkRaw
		m.preset = [2]float32{mapClamp(t.blinkRaw[0], 0.2, 0.8), mapClamp(t.blinkRaw[1], 0.2, 0.8)}
		m.primed = true
	} else {
		c := &m.cur
		for i := range c.arkit {
			c.arkit[i] += alpha * (t.arkit[i] - c.arkit[i])
		}
		c.head = quat.Slerp(c.head, t.head, alpha)
		for e := range c.eyes {
			for k := range c.eyes[e] {
				c.eyes[e][k] += alpha * (t.eyes[e][k] - c.eyes[e][k])
			}
		}
		c.offset = c.offset.Add(t.offset.Sub(c.offset).Mul(alpha))
		for e := range m.blink {
			m.blink[e] = LimitRate(m.blink[e], t.blinkRaw[e], dt, s.BlinkOpenSpeed, s.BlinkCloseSpeed)
			m.preset[e] = LimitRate(m.preset[e], mapClamp(t.blinkRaw[e], 0.2, 0.8), dt, s.BlinkOpenSpeed, s.BlinkCloseSpeed)
		}
	}
	c := &m.cur

	out.Mode = ResolveMode(s.Mode, s.ModelHasPerfectSync)
	out.TrackingOK = f.TrackingOK
	out.ARKit = c.arkit
	out.ARKit[arkit.EyeBlinkLeft] = m.blink[0]
	out.ARKit[arkit.EyeBlinkRight] = m.blink[1]

	p := &out.Presets
	*p = Presets{}
	p.Blink = min(m.preset[0], m.preset[1])
	p.BlinkLeft = m.preset[0] - p.Blink
	p.BlinkRight = m.preset[1] - p.Blink
	p.Aa, p.Ih, p.Ou, p.Ee, p.Oh = MouthVowels(&out.ARKit, s.Vowels)
	if s.Emotions {
		p.Happy, p.Surprised = Emotions(&out.ARKit)
	}

	out.Chest, out.Neck, out.Head = SplitHeadRotation(c.head, s.ChestShare, s.NeckShare)
	out.LeftEye = EyeRotation(c.eyes[0][0], c.eyes[0][1])
	out.RightEye = EyeRotation(c.eyes[1][0], c.eyes[1][1])
	out.Gaze = Gaze{Yaw: (c.eyes[0][1] + c.eyes[1][1]) / 2, Pitch: (c.eyes[0][0] + c.eyes[1][0]) / 2}
	r := s.LookAtRange
	if r <= 0 {
		r = DefaultLookAtRange
	}
	p.LookLeft = mathx.Clamp01(out.Gaze.Yaw / r)
	p.LookRight = mathx.Clamp01(-out.Gaze.Yaw / r)
	p.LookDown = mathx.Clamp01(out.Gaze.Pitch / r)
	p.LookUp = mathx.Clamp01(-out.Gaze.Pitch / r)
	out.HeadOffset = c.offset
}

// computeTarget applies invert, calibration and mirror to a frame.
func (m *Mapper) computeTarget(f *ifacialmocap.Frame) target {
	s, cal := &m.Settings, &m.Calibration
	var t target

	// Blendshapes: mirrored, Left/Right pairs swap.
	for i, v := range f.Blendshapes {
		j := i
		if s.Mirror {
			j = int(mirrorShape[i])
		}
		t.arkit[j] = v
	}
	t.blinkRaw = [2]float32{t.arkit[arkit.EyeBlinkLeft], t.arkit[arkit.EyeBlinkRight]}

	// Head: q = q0⁻¹·q, where q0 is the neutral rotation (VMagicMirror stores
	// the inverse of the current rotation; field notes §6).
	head := HeadRotation(invertVec(f.HeadRotation, s.Invert.HeadPitch, s.Invert.HeadYaw, s.Invert.HeadRoll))
	q0inv := mgl32.QuatIdent()
	if cal.Valid {
		q0inv = HeadRotation(invertVec(cal.HeadRotation, s.Invert.HeadPitch, s.Invert.HeadYaw, s.Invert.HeadRoll)).Conjugate()
		head = q0inv.Mul(head).Normalize()
	}
	if s.Mirror {
		head = MirrorRotation(head)
	}
	t.head = head

	// Eyes: angles minus the neutral ones; mirrored, the user's right eye
	// drives the avatar's left one with its yaw reversed.
	user := [2]mgl32.Vec3{f.LeftEye, f.RightEye}
	neutral := [2]mgl32.Vec3{cal.LeftEye, cal.RightEye}
	for e := range 2 {
		src := e
		if s.Mirror {
			src = 1 - e
		}
		v := invertVec(user[src], s.Invert.EyePitch, s.Invert.EyeYaw, false)
		if cal.Valid {
			v = v.Sub(invertVec(neutral[src], s.Invert.EyePitch, s.Invert.EyeYaw, false))
		}
		if s.Mirror {
			v[1] = -v[1]
		}
		t.eyes[e] = [2]float32{v[0], v[1]}
	}

	// Head offset: the position's change since calibration, turned from the
	// phone camera's axes into the neutral face's (the phone may look up at
	// the face: q0⁻¹ undoes that tilt).
	if cal.Valid && s.HeadPositionScale != 0 {
		d := invertVec(mgl32.Vec3(f.HeadPosition).Sub(cal.HeadPosition), s.Invert.PositionX, s.Invert.PositionY, s.Invert.PositionZ)
		d = q0inv.Rotate(d).Mul(s.HeadPositionScale)
		if s.Mirror {
			d[0] = -d[0]
		}
		for i := range d {
			d[i] = max(-MaxHeadOffset, min(MaxHeadOffset, d[i]))
		}
		t.offset = d
	}
	return t
}

// ResolveMode returns the mode to apply: mode itself, or for MappingAuto
// MappingPerfectSync when the model has Perfect Sync and MappingPresets
// otherwise.
func ResolveMode(mode MappingMode, modelHasPerfectSync bool) MappingMode {
	if mode != MappingAuto {
		return mode
	}
	if modelHasPerfectSync {
		return MappingPerfectSync
	}
	return MappingPresets
}

// HeadRotation turns iFacialMocap head Euler angles (degrees: X pitch, Y yaw,
// Z roll, the face frame) into a unit quaternion in the VRM 1.0 world frame
// for an avatar that copies the user (not mirrored): the face frame's axes
// are the avatar's, so the angles apply to the same axes. Composition order
// is yaw·pitch·roll (roll first, then pitch, then yaw, about fixed axes:
// Unity's Quaternion.Euler order, which VMagicMirror applies to these
// angles); for head-sized angles the order barely matters.
func HeadRotation(e mgl32.Vec3) mgl32.Quat {
	return axisRotation(1, e[1]).Mul(axisRotation(0, e[0])).Mul(axisRotation(2, e[2]))
}

// EyeRotation returns an eye's rotation relative to the head from pitch (+
// looks down) and yaw (+ looks toward the avatar's left), in degrees, in the
// VRM 1.0 world frame: yaw·pitch.
func EyeRotation(pitch, yaw float32) mgl32.Quat {
	return axisRotation(1, yaw).Mul(axisRotation(0, pitch))
}

// axisRotation is a rotation of deg degrees about world axis 0 (X), 1 (Y) or
// 2 (Z).
func axisRotation(axis int, deg float32) mgl32.Quat {
	s, c := math.Sincos(float64(deg) * math.Pi / 360)
	q := mgl32.Quat{W: float32(c)}
	q.V[axis] = float32(s)
	return q
}

// MirrorRotation reflects a rotation in the avatar's left-right (YZ) plane:
// pitch stays, yaw and roll change sign. In quaternion terms (w, x, y, z) →
// (w, x, −y, −z) — the same map as field notes §3's ReverseX.
func MirrorRotation(q mgl32.Quat) mgl32.Quat {
	return mgl32.Quat{W: q.W, V: mgl32.Vec3{q.V[0], -q.V[1], -q.V[2]}}
}

// SplitHeadRotation shares rotation q between chest, neck and head: the
// chest gets the fraction chestShare of the angle, the neck neckShare of the
// rest and the head the remainder, all about q's own axis, so that
// chest·neck·head = q exactly. Shares are clamped to 0–1.
func SplitHeadRotation(q mgl32.Quat, chestShare, neckShare float32) (chest, neck, head mgl32.Quat) {
	c, n := mathx.Clamp01(chestShare), mathx.Clamp01(neckShare)
	return QuatPow(q, c), QuatPow(q, (1-c)*n), QuatPow(q, (1-c)*(1-n))
}

// QuatPow returns q^t: the rotation about q's axis by t times q's angle, the
// short way round (q and −q give the same result).
func QuatPow(q mgl32.Quat, t float32) mgl32.Quat {
	if q.W < 0 {
		q = mgl32.Quat{W: -q.W, V: q.V.Mul(-1)}
	}
	l := q.V.Len()
	if l < 1e-9 {
		return mgl32.QuatIdent()
	}
	half := math.Atan2(float64(l), float64(q.W)) * float64(t)
	s, c := math.Sincos(half)
	return mgl32.Quat{W: float32(c), V: q.V.Mul(float32(s) / l)}
}

// LimitRate moves a weight from prev toward target, falling by at most
// fall·dt and rising by at most rise·dt (0: no limit). For blinks the weight
// falls as the eye opens.
func LimitRate(prev, target, dt, fall, rise float32) float32 {
	switch {
	case target < prev && fall > 0:
		return max(target, prev-fall*dt)
	case target > prev && rise > 0:
		return min(target, prev+rise*dt)
	}
	return target
}

// MouthVowels computes the aa/ih/ou/ee/oh weights from ARKit weights with
// the formula in Presets.
func MouthVowels(w *[arkit.Count]float32, v Vowels) (aa, ih, ou, ee, oh float32) {
	m := func(x float32) float32 { return mapClamp(x, 0.15, 0.6) }
	a := m(2 * w[arkit.JawOpen])
	i := m(0.6*(w[arkit.MouthSmileLeft]+w[arkit.MouthSmileRight]) - 0.1)
	u := m(0.4 * (w[arkit.MouthPucker] + w[arkit.MouthFunnel] + w[arkit.JawForward]))
	aa, ih, ou = a, i, u
	if v == VowelsFive {
		ee, oh = min(a, i), min(a, u)
		aa, ih, ou = max(0, a-ee-oh), i-ee, u-oh
	}
	if sum := aa + ih + ou + ee + oh; sum > 1 {
		k := 1 / sum
		aa, ih, ou, ee, oh = aa*k, ih*k, ou*k, ee*k, oh*k
	}
	return aa, ih, ou, ee, oh
}

// Emotions computes the happy and surprised weights with the formulas in
// Presets.
func Emotions(w *[arkit.Count]float32) (happy, surprised float32) {
	happy = mapClamp((w[arkit.MouthSmileLeft]+w[arkit.MouthSmileRight])/2, 0.3, 0.8)
	brow := max(w[arkit.BrowInnerUp], (w[arkit.BrowOuterUpLeft]+w[arkit.BrowOuterUpRight])/2)
	wide := (w[arkit.EyeWideLeft] + w[arkit.EyeWideRight]) / 2
	surprised = mapClamp(min(brow, wide), 0.2, 0.6)
	return happy, surprised
}

// mapClamp maps [lo, hi] onto [0, 1], clamped.
func mapClamp(x, lo, hi float32) float32 { return mathx.Clamp01((x - lo) / (hi - lo)) }

func invertVec(v mgl32.Vec3, x, y, z bool) mgl32.Vec3 {
	if x {
		v[0] = -v[0]
	}
	if y {
		v[1] = -v[1]
	}
	if z {
		v[2] = -v[2]
	}
	return v
}

// mirrorShape maps each shape to its mirror image: a trailing Left and
// Right swap ("eyeBlinkLeft" ↔ "eyeBlinkRight", "jawLeft" ↔ "jawRight");
// unpaired shapes map to themselves.
var mirrorShape = func() (m [arkit.Count]arkit.Shape) {
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		m[s] = s
		n := s.String()
		var other string
		switch {
		case len(n) > 4 && n[len(n)-4:] == "Left":
			other = n[:len(n)-4] + "Right"
		case len(n) > 5 && n[len(n)-5:] == "Right":
			other = n[:len(n)-5] + "Left"
		default:
			continue
		}
		if o, ok := arkit.Parse(other); ok {
			m[s] = o
		}
	}
	return m
}()
