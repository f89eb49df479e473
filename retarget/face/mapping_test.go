package face

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/vrm/arkit"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

var (
	forward = mgl32.Vec3{0, 0, 1} // the avatar faces +Z
	up      = mgl32.Vec3{0, 1, 0}
)

func near(a, b, eps float32) bool { return float32(math.Abs(float64(a-b))) <= eps }

func nearVec(a, b mgl32.Vec3, eps float32) bool {
	return near(a[0], b[0], eps) && near(a[1], b[1], eps) && near(a[2], b[2], eps)
}

func fixtureFrame(t *testing.T, name string) ifacialmocap.Frame {
	t.Helper()
	for _, fx := range loadFixtures(t) {
		if fx.Name == name {
			var f ifacialmocap.Frame
			if err := ifacialmocap.ParseString(fx.Text, &f); err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no fixture %s", name)
	return ifacialmocap.Frame{}
}

// headWorld is the head's world rotation: chest·neck·head.
func headWorld(f *Face) mgl32.Quat { return f.Chest.Mul(f.Neck).Mul(f.Head) }

func mapOnce(s Settings, cal Calibration, f *ifacialmocap.Frame) Face {
	m := Mapper{Settings: s, Calibration: cal}
	var out Face
	m.Map(f, 0, &out)
	return out
}

// TestHeadDirection is the axis convention: a user turning to their own left
// (+Y, field notes §6) turns the avatar's head to the avatar's left (+X)
// when not mirrored and to its right when mirrored; nodding down (+X) looks
// down either way; tipping the head toward the user's right shoulder (+Z)
// tips the avatar's toward its right (−X) unless mirrored.
func TestHeadDirection(t *testing.T) {
	cases := []struct {
		name   string
		rot    mgl32.Vec3
		probe  mgl32.Vec3
		axis   int
		sign   float32 // expected sign of probe's axis component, not mirrored
		mirror float32 // … mirrored
	}{
		{"turn to the user's left", mgl32.Vec3{0, 30, 0}, forward, 0, +1, -1},
		{"turn to the user's right", mgl32.Vec3{0, -30, 0}, forward, 0, -1, +1},
		{"nod down", mgl32.Vec3{20, 0, 0}, forward, 1, -1, -1},
		{"look up", mgl32.Vec3{-20, 0, 0}, forward, 1, +1, +1},
		{"tip toward the user's right", mgl32.Vec3{0, 0, 20}, up, 0, -1, +1},
	}
	for _, c := range cases {
		for _, mirror := range []bool{false, true} {
			s := DefaultSettings()
			s.Mirror = mirror
			f := ifacialmocap.Frame{HeadRotation: c.rot, TrackingOK: true}
			out := mapOnce(s, Calibration{}, &f)
			v := headWorld(&out).Rotate(c.probe)
			want := c.sign
			if mirror {
				want = c.mirror
			}
			if v[c.axis]*want < 0.2 {
				t.Errorf("%s (mirror %v): probe → %v, want axis %d sign %v", c.name, mirror, v, c.axis, want)
			}
			// The head alone turns the same way (half as far).
			if out.Head.Rotate(c.probe)[c.axis]*want <= 0 {
				t.Errorf("%s (mirror %v): Head bone turns the wrong way", c.name, mirror)
			}
		}
	}
	// Invert flips one axis: an inverted yaw turns the other way.
	s := DefaultSettings()
	s.Invert.HeadYaw = true
	f := ifacialmocap.Frame{HeadRotation: mgl32.Vec3{0, 30, 0}, TrackingOK: true}
	out := mapOnce(s, Calibration{}, &f)
	if headWorld(&out).Rotate(forward)[0] >= 0 {
		t.Error("Invert.HeadYaw did not reverse the turn")
	}
	s = DefaultSettings()
	s.Invert.HeadPitch, s.Invert.HeadRoll = true, true
	f = ifacialmocap.Frame{HeadRotation: mgl32.Vec3{20, 0, 20}, TrackingOK: true}
	out = mapOnce(s, Calibration{}, &f)
	if v := headWorld(&out).Rotate(forward); v[1] <= 0 {
		t.Errorf("Invert.HeadPitch: %v", v)
	}
	if v := headWorld(&out).Rotate(up); v[0] <= 0 {
		t.Errorf("Invert.HeadRoll: %v", v)
	}
}

// TestEyeDirection uses the real frame where the user looks to their own
// left (eyeLookIn_R 54, eyeLookOut_L 44) and down (eyeLookDown 16).
func TestEyeDirection(t *testing.T) {
	f := fixtureFrame(t, "v1_hapihapi.txt")
	for _, mirror := range []bool{false, true} {
		s := DefaultSettings()
		s.Mirror = mirror
		out := mapOnce(s, Calibration{}, &f)
		side := float32(1) // the avatar's left
		if mirror {
			side = -1
		}
		for name, q := range map[string]mgl32.Quat{"left": out.LeftEye, "right": out.RightEye} {
			v := q.Rotate(forward)
			if v[0]*side <= 0.2 || v[1] >= -0.05 {
				t.Errorf("mirror %v: %s eye looks %v, want toward x sign %v and down", mirror, name, v, side)
			}
		}
		if out.Gaze.Yaw*side <= 10 || out.Gaze.Pitch < 5 || out.Gaze.Pitch > 6 {
			t.Errorf("mirror %v: gaze %+v", mirror, out.Gaze)
		}
		p := out.Presets
		look := p.LookLeft
		if mirror {
			look = p.LookRight
		}
		// ≈ ARKit's own values: (19.07+15.62)/2 / 35 ≈ 0.5; 5.46/35 ≈ 0.16.
		if !near(look, (19.067966+15.616646)/2/35, 1e-4) || p.LookLeft*p.LookRight != 0 ||
			!near(p.LookDown, (5.3555145+5.5607924)/2/35, 1e-4) || p.LookUp != 0 {
			t.Errorf("mirror %v: lookAt weights %+v", mirror, p)
		}
		// Mirrored, the avatar's left eye is the user's right one.
		want := f.LeftEye
		if mirror {
			want = f.RightEye
			want[1] = -want[1]
		}
		if got := EyeRotation(want[0], want[1]); !out.LeftEye.ApproxEqualThreshold(got, 1e-6) {
			t.Errorf("mirror %v: left eye %v, want %v", mirror, out.LeftEye, got)
		}
	}
}

func TestInvertEyesAndPosition(t *testing.T) {
	f := fixtureFrame(t, "v1_hapihapi.txt") // looking to the user's left and down
	s := DefaultSettings()
	s.Invert.EyeYaw, s.Invert.EyePitch = true, true
	out := mapOnce(s, Calibration{}, &f)
	if out.Presets.LookRight == 0 || out.Presets.LookLeft != 0 || out.Presets.LookUp == 0 || out.Gaze.Yaw >= 0 || out.Gaze.Pitch >= 0 {
		t.Errorf("inverted eyes: gaze %+v presets %+v", out.Gaze, out.Presets)
	}
	cal := Calibrate(&ifacialmocap.Frame{HeadPosition: mgl32.Vec3{0, 0, -0.5}})
	g := ifacialmocap.Frame{TrackingOK: true, HeadPosition: mgl32.Vec3{0.01, 0.02, -0.47}}
	s = DefaultSettings()
	s.HeadPositionScale = 2
	s.Invert.PositionX, s.Invert.PositionZ = true, true
	out = mapOnce(s, cal, &g)
	if !nearVec(out.HeadOffset, mgl32.Vec3{-0.02, 0.04, -0.06}, 1e-6) {
		t.Errorf("inverted, scaled offset %v, want (−0.02, 0.04, −0.06)", out.HeadOffset)
	}
}

func TestMirrorShapes(t *testing.T) {
	pairs := map[arkit.Shape]arkit.Shape{
		arkit.EyeBlinkLeft: arkit.EyeBlinkRight, arkit.JawLeft: arkit.JawRight, arkit.MouthLeft: arkit.MouthRight,
		arkit.EyeLookInLeft: arkit.EyeLookInRight, arkit.MouthSmileLeft: arkit.MouthSmileRight,
		arkit.BrowOuterUpLeft: arkit.BrowOuterUpRight, arkit.CheekSquintRight: arkit.CheekSquintLeft,
		arkit.JawOpen: arkit.JawOpen, arkit.BrowInnerUp: arkit.BrowInnerUp, arkit.TongueOut: arkit.TongueOut,
	}
	for a, b := range pairs {
		if mirrorShape[a] != b || mirrorShape[b] != a {
			t.Errorf("mirror of %v = %v, want %v", a, mirrorShape[a], b)
		}
	}
	swapped := 0
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		if mirrorShape[mirrorShape[s]] != s {
			t.Errorf("mirror is not an involution at %v", s)
		}
		if mirrorShape[s] != s {
			swapped++
		}
	}
	if swapped != 2*20 { // 20 left/right pairs among the 52
		t.Errorf("%d shapes swap, want 40", swapped)
	}
	var f ifacialmocap.Frame
	f.TrackingOK = true
	f.Blendshapes[arkit.MouthSmileLeft] = 0.8
	f.Blendshapes[arkit.JawLeft] = 0.3
	s := DefaultSettings()
	s.Mirror = true
	out := mapOnce(s, Calibration{}, &f)
	if out.ARKit[arkit.MouthSmileRight] != 0.8 || out.ARKit[arkit.MouthSmileLeft] != 0 || out.ARKit[arkit.JawRight] != 0.3 {
		t.Errorf("mirrored blendshapes %v", out.ARKit)
	}
}

func TestSplitHeadRotation(t *testing.T) {
	q := HeadRotation(mgl32.Vec3{-21.488958, -6.038993, -6.6019735})
	angle := func(q mgl32.Quat) float64 { return 2 * math.Acos(math.Min(1, math.Abs(float64(q.W)))) }
	for _, c := range []struct{ chest, neck float32 }{{0, 0.5}, {0.1, 0.5}, {0, 0}, {0.2, 1}, {-1, 2}} {
		ch, n, h := SplitHeadRotation(q, c.chest, c.neck)
		if got := ch.Mul(n).Mul(h); !got.OrientationEqualThreshold(q, 1e-6) {
			t.Errorf("%+v: chest·neck·head = %v, want %v", c, got, q)
		}
		cs, ns := mathx.Clamp01(c.chest), mathx.Clamp01(c.neck)
		for _, x := range []struct {
			q    mgl32.Quat
			frac float32
		}{{ch, cs}, {n, (1 - cs) * ns}, {h, (1 - cs) * (1 - ns)}} {
			if !near(float32(angle(x.q)), x.frac*float32(angle(q)), 1e-5) {
				t.Errorf("%+v: share angle %v, want %v of %v", c, angle(x.q), x.frac, angle(q))
			}
		}
	}
	if c, n, h := SplitHeadRotation(mgl32.QuatIdent(), 0.1, 0.5); c != mgl32.QuatIdent() || n != c || h != c {
		t.Error("identity does not split into identities")
	}
	// q and −q are the same rotation.
	neg := mgl32.Quat{W: -q.W, V: q.V.Mul(-1)}
	if a, b := QuatPow(q, 0.5), QuatPow(neg, 0.5); !a.ApproxEqualThreshold(b, 1e-6) {
		t.Errorf("QuatPow(−q) = %v, want %v", b, a)
	}
}

func TestCalibration(t *testing.T) {
	f := fixtureFrame(t, "v1_official_sample.txt") // head pitched −21° (the phone looks up at the face)
	cal := Calibrate(&f)
	s := DefaultSettings()
	s.HeadPositionScale = 1
	for _, mirror := range []bool{false, true} {
		s.Mirror = mirror
		out := mapOnce(s, cal, &f)
		if !headWorld(&out).ApproxEqualThreshold(mgl32.QuatIdent(), 1e-5) {
			t.Errorf("neutral frame: head %v, want identity", headWorld(&out))
		}
		if !out.LeftEye.ApproxEqualThreshold(mgl32.QuatIdent(), 1e-6) || out.Gaze != (Gaze{}) {
			t.Errorf("neutral frame: eyes %v %+v", out.LeftEye, out.Gaze)
		}
		if out.HeadOffset != (mgl32.Vec3{}) {
			t.Errorf("neutral frame: offset %v", out.HeadOffset)
		}
	}
	// Turning 10° to the user's left from the neutral pose turns the avatar
	// 10° to its left, whatever the neutral pitch.
	s.Mirror = false
	g := f
	g.HeadRotation = HeadRotationEuler(HeadRotation(f.HeadRotation), 10)
	out := mapOnce(s, cal, &g)
	v := headWorld(&out).Rotate(forward)
	if yaw := math.Atan2(float64(v[0]), float64(v[2])) * 180 / math.Pi; math.Abs(yaw-10) > 0.01 || math.Abs(float64(v[1])) > 1e-4 {
		t.Errorf("10° turn after calibration: forward %v (yaw %.3f°)", v, yaw)
	}
	// Moving toward the user's left by 5 cm moves the avatar's head 5 cm to
	// its left (−5 cm mirrored); the phone's tilt is taken out.
	g = f
	g.HeadPosition = mgl32.Vec3(f.HeadPosition).Add(HeadRotation(f.HeadRotation).Rotate(mgl32.Vec3{0.05, 0, 0}))
	out = mapOnce(s, cal, &g)
	if !nearVec(out.HeadOffset, mgl32.Vec3{0.05, 0, 0}, 1e-6) {
		t.Errorf("offset %v, want (0.05, 0, 0)", out.HeadOffset)
	}
	s.Mirror = true
	out = mapOnce(s, cal, &g)
	if !nearVec(out.HeadOffset, mgl32.Vec3{-0.05, 0, 0}, 1e-6) {
		t.Errorf("mirrored offset %v, want (−0.05, 0, 0)", out.HeadOffset)
	}
	// Without a calibration there is no neutral position: no offset. A wild
	// position is clamped.
	if out := mapOnce(s, Calibration{}, &g); out.HeadOffset != (mgl32.Vec3{}) {
		t.Errorf("uncalibrated offset %v", out.HeadOffset)
	}
	g.HeadPosition = mgl32.Vec3{100, -100, 0}
	if out := mapOnce(s, cal, &g); out.HeadOffset[0] != -MaxHeadOffset || out.HeadOffset[1] != -MaxHeadOffset {
		t.Errorf("unclamped offset %v", out.HeadOffset)
	}
}

// HeadRotationEuler returns the Euler angles (Y·X·Z, degrees) of q·Ry(yaw):
// the face turned by yaw degrees about its own vertical, as a phone whose
// view of the face is q would report it. Test helper.
func HeadRotationEuler(q mgl32.Quat, yaw float32) mgl32.Vec3 {
	r := q.Mul(axisRotation(1, yaw)).Mat4()
	// R = Ry·Rx·Rz (row, column): R12 = −sin x; (R02, R22) give y; (R10, R11) give z.
	x := math.Asin(float64(-r.At(1, 2)))
	y := math.Atan2(float64(r.At(0, 2)), float64(r.At(2, 2)))
	z := math.Atan2(float64(r.At(1, 0)), float64(r.At(1, 1)))
	d := 180 / math.Pi
	return mgl32.Vec3{float32(x * d), float32(y * d), float32(z * d)}
}

func TestHeadRotationEulerRoundTrip(t *testing.T) {
	e := mgl32.Vec3{-21.488958, -6.038993, -6.6019735}
	if got := HeadRotationEuler(HeadRotation(e), 0); !got.ApproxEqualThreshold(e, 1e-3) {
		t.Errorf("round trip %v → %v", e, got)
	}
}

func TestMouthVowels(t *testing.T) {
	w := func(kv ...any) *[arkit.Count]float32 {
		var a [arkit.Count]float32
		for i := 0; i < len(kv); i += 2 {
			a[kv[i].(arkit.Shape)] = float32(kv[i+1].(float64))
		}
		return &a
	}
	m := func(x float64) float32 { return float32(math.Max(0, math.Min(1, (x-0.15)/0.45))) }
	cases := []struct {
		name               string
		in                 *[arkit.Count]float32
		v                  Vowels
		aa, ih, ou, ee, oh float32
	}{
		{"closed", w(), VowelsFive, 0, 0, 0, 0, 0},
		{"jaw open 0.2", w(arkit.JawOpen, 0.2), VowelsFive, m(0.4), 0, 0, 0, 0},
		{"jaw wide", w(arkit.JawOpen, 0.9), VowelsAIU, 1, 0, 0, 0, 0},
		{"smile", w(arkit.MouthSmileLeft, 0.4, arkit.MouthSmileRight, 0.4), VowelsFive, 0, m(0.38), 0, 0, 0},
		{"pucker", w(arkit.MouthPucker, 0.5, arkit.MouthFunnel, 0.3, arkit.JawForward, 0.1), VowelsFive, 0, 0, m(0.36), 0, 0},
		{"AIU normalised", w(arkit.JawOpen, 0.2, arkit.MouthSmileLeft, 0.5, arkit.MouthSmileRight, 0.5), VowelsAIU,
			m(0.4) / (m(0.4) + m(0.5)), m(0.5) / (m(0.4) + m(0.5)), 0, 0, 0},
		// Open mouth with spread lips: ee takes the shared part.
		{"ee", w(arkit.JawOpen, 0.2, arkit.MouthSmileLeft, 0.5, arkit.MouthSmileRight, 0.5), VowelsFive,
			0, m(0.5) - m(0.4), 0, m(0.4), 0},
		// Open mouth with rounded lips: oh.
		{"oh", w(arkit.JawOpen, 0.4, arkit.MouthFunnel, 0.9, arkit.MouthPucker, 0.6), VowelsFive, 0, 0, 0, 0, 1},
	}
	for _, c := range cases {
		aa, ih, ou, ee, oh := MouthVowels(c.in, c.v)
		got := [5]float32{aa, ih, ou, ee, oh}
		want := [5]float32{c.aa, c.ih, c.ou, c.ee, c.oh}
		for i := range got {
			if !near(got[i], want[i], 1e-5) {
				t.Errorf("%s: aa ih ou ee oh = %v, want %v", c.name, got, want)
				break
			}
		}
	}
	// Never more than 1 in total, whatever the input.
	rng := rand.New(rand.NewPCG(5, 5))
	for range 10000 {
		var a [arkit.Count]float32
		for i := range a {
			a[i] = rng.Float32()
		}
		for _, v := range []Vowels{VowelsFive, VowelsAIU} {
			aa, ih, ou, ee, oh := MouthVowels(&a, v)
			if s := aa + ih + ou + ee + oh; s > 1+1e-5 || min(aa, ih, ou, ee, oh) < 0 {
				t.Fatalf("weights %v %v %v %v %v", aa, ih, ou, ee, oh)
			}
		}
	}
}

func TestEmotionsAndBlink(t *testing.T) {
	var w [arkit.Count]float32
	w[arkit.MouthSmileLeft], w[arkit.MouthSmileRight] = 0.5, 0.6
	w[arkit.BrowInnerUp], w[arkit.EyeWideLeft], w[arkit.EyeWideRight] = 0.4, 0.3, 0.5
	h, s := Emotions(&w)
	if !near(h, 0.5, 1e-6) || !near(s, 0.5, 1e-6) {
		t.Errorf("happy %v surprised %v, want 0.5 0.5", h, s)
	}
	w[arkit.EyeWideLeft], w[arkit.EyeWideRight] = 0, 0 // raised brows alone are not surprise
	if _, s := Emotions(&w); s != 0 {
		t.Errorf("surprised %v with brows only", s)
	}

	// Preset blink: mapClamp(eyeBlink, 0.2, 0.8), split into both + one side.
	f := ifacialmocap.Frame{TrackingOK: true}
	f.Blendshapes[arkit.EyeBlinkLeft], f.Blendshapes[arkit.EyeBlinkRight] = 0.8, 0.5
	out := mapOnce(DefaultSettings(), Calibration{}, &f)
	p := out.Presets
	if !near(p.Blink, 0.5, 1e-6) || !near(p.BlinkLeft, 0.5, 1e-6) || p.BlinkRight != 0 {
		t.Errorf("blink %v left %v right %v", p.Blink, p.BlinkLeft, p.BlinkRight)
	}
	if out.ARKit[arkit.EyeBlinkLeft] != 0.8 {
		t.Errorf("Perfect Sync blink %v, want the raw 0.8", out.ARKit[arkit.EyeBlinkLeft])
	}
}

// TestBlinkSpeedLimits: the eye closes at once and opens at most 6 per
// second (0.1 per 60-fps frame), at any frame rate.
func TestBlinkSpeedLimits(t *testing.T) {
	for _, fps := range []float32{30, 60, 144} {
		m := Mapper{Settings: DefaultSettings()}
		var out Face
		open, shut := ifacialmocap.Frame{TrackingOK: true}, ifacialmocap.Frame{TrackingOK: true}
		shut.Blendshapes[arkit.EyeBlinkLeft], shut.Blendshapes[arkit.EyeBlinkRight] = 1, 1
		dt := 1 / fps
		m.Map(&open, 0, &out)
		m.Map(&shut, dt, &out)
		if out.ARKit[arkit.EyeBlinkLeft] != 1 || out.Presets.Blink != 1 {
			t.Errorf("%v fps: closing took more than a frame: %v %v", fps, out.ARKit[arkit.EyeBlinkLeft], out.Presets.Blink)
		}
		elapsed := float32(0)
		for out.ARKit[arkit.EyeBlinkLeft] > 0 {
			m.Map(&open, dt, &out)
			elapsed += dt
			if elapsed < 1.0/6-1e-4 && out.Presets.Blink == 0 {
				t.Fatalf("%v fps: preset blink opened in %v s", fps, elapsed)
			}
		}
		if elapsed < 1.0/6-1e-4 || elapsed > 1.0/6+dt+1e-4 {
			t.Errorf("%v fps: the eye opened in %.3f s, want 1/6 s", fps, elapsed)
		}
	}
	if got := LimitRate(1, 0, 1.0/60, 6, 0); !near(got, 0.9, 1e-6) {
		t.Errorf("LimitRate opening = %v, want 0.9", got)
	}
	if got := LimitRate(0, 1, 1.0/60, 6, 3); !near(got, 0.05, 1e-6) {
		t.Errorf("LimitRate closing = %v, want 0.05", got)
	}
}

// TestSmoothingConvergence: smoothing is time-based — the same fraction of a
// step is covered after the same time at any frame rate — and converges.
func TestSmoothingConvergence(t *testing.T) {
	const tau = 0.1
	step := ifacialmocap.Frame{TrackingOK: true, HeadRotation: mgl32.Vec3{0, 40, 0}}
	step.Blendshapes[arkit.JawOpen] = 1
	var results []float32
	for _, fps := range []int{30, 60, 120, 240} {
		s := DefaultSettings()
		s.Smoothing = tau
		m := Mapper{Settings: s}
		var out Face
		rest := ifacialmocap.Frame{TrackingOK: true}
		m.Map(&rest, 0, &out)
		dt := float32(1) / float32(fps)
		for range fps / 10 { // 0.1 s = τ
			m.Map(&step, dt, &out)
		}
		results = append(results, out.ARKit[arkit.JawOpen])
		want := float32(1 - math.Exp(-1))
		if !near(out.ARKit[arkit.JawOpen], want, 1e-3) {
			t.Errorf("%d fps: after τ jawOpen = %v, want %v", fps, out.ARKit[arkit.JawOpen], want)
		}
		v := headWorld(&out).Rotate(forward)
		yaw := math.Atan2(float64(v[0]), float64(v[2])) * 180 / math.Pi
		if math.Abs(yaw-40*float64(want)) > 0.1 {
			t.Errorf("%d fps: after τ head yaw %.2f°, want %.2f°", fps, yaw, 40*want)
		}
		for range fps { // one more second
			m.Map(&step, dt, &out)
		}
		if !near(out.ARKit[arkit.JawOpen], 1, 1e-4) || !headWorld(&out).ApproxEqualThreshold(HeadRotation(step.HeadRotation), 1e-4) {
			t.Errorf("%d fps: not converged: %v %v", fps, out.ARKit[arkit.JawOpen], headWorld(&out))
		}
	}
	if lo, hi := min(results[0], results[1], results[2], results[3]), max(results[0], results[1], results[2], results[3]); hi-lo > 1e-4 {
		t.Errorf("frame rate changes the smoothing: %v", results)
	}
	// No smoothing: the target at once.
	m := Mapper{Settings: Settings{}}
	var out Face
	m.Map(&ifacialmocap.Frame{TrackingOK: true}, 0, &out)
	m.Map(&step, 1.0/60, &out)
	if out.ARKit[arkit.JawOpen] != 1 {
		t.Errorf("unsmoothed: %v", out.ARKit[arkit.JawOpen])
	}
}

// TestTrackingLostHolds: while trackingStatus is 0 the mapper holds the last
// tracked pose instead of following stale or zeroed values.
func TestTrackingLostHolds(t *testing.T) {
	f := fixtureFrame(t, "v1_trackingstatus_hapihapi.txt")
	m := Mapper{Settings: DefaultSettings()}
	var before, after Face
	m.Map(&f, 0, &before)
	lost := ifacialmocap.Frame{TrackingOK: false, Present: ifacialmocap.PresentTrackingStatus}
	for range 30 {
		m.Map(&lost, 1.0/60, &after)
	}
	after.TrackingOK = true
	if before != after {
		t.Errorf("pose changed while tracking was lost:\n%+v\n%+v", before, after)
	}
}

// glbExpressionNames reads a VRM 0.x file's blendShapeGroups names straight
// from the glTF JSON (this package must not import vrm).
func glbExpressionNames(t *testing.T, path string) (names, presets []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 20 || string(b[:4]) != "glTF" {
		t.Fatalf("%s is not a GLB", path)
	}
	n := binary.LittleEndian.Uint32(b[12:16])
	var doc struct {
		Extensions struct {
			VRM struct {
				BlendShapeMaster struct {
					BlendShapeGroups []struct {
						Name       string `json:"name"`
						PresetName string `json:"presetName"`
					} `json:"blendShapeGroups"`
				} `json:"blendShapeMaster"`
			} `json:"VRM"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal(b[20:20+n], &doc); err != nil {
		t.Fatal(err)
	}
	for _, g := range doc.Extensions.VRM.BlendShapeMaster.BlendShapeGroups {
		names = append(names, g.Name)
		presets = append(presets, g.PresetName)
	}
	return names, presets
}

// TestPresetModelGodette: the real preset-only model gets preset mode and
// the expected weights from a known frame (the developer page's sample),
// through a name table as thin as the glue will be.
func TestPresetModelGodette(t *testing.T) {
	names, presets := glbExpressionNames(t, testutil.SharedModel(t, "Godette.vrm"))
	if len(names) != 17 {
		t.Fatalf("Godette has %d expressions, want 17", len(names))
	}
	if HasPerfectSync(names) {
		t.Fatal("Godette detected as Perfect Sync")
	}
	s := DefaultSettings()
	s.ModelHasPerfectSync = HasPerfectSync(names)
	f := fixtureFrame(t, "v1_official_sample.txt")
	out := mapOnce(s, Calibration{}, &f)
	if out.Mode != MappingPresets {
		t.Fatalf("mode %v", out.Mode)
	}
	p := out.Presets
	weight := map[string]float32{ // VRM 0.x preset name → weight (field notes §4)
		"a": p.Aa, "i": p.Ih, "u": p.Ou, "e": p.Ee, "o": p.Oh, "blink": p.Blink, "blink_l": p.BlinkLeft,
		"blink_r": p.BlinkRight, "joy": p.Happy, "lookup": p.LookUp, "lookdown": p.LookDown,
		"lookleft": p.LookLeft, "lookright": p.LookRight,
	}
	// The sample: jawOpen 0.12 → a = mapClamp(0.24, 0.15, 0.6) = 0.2; smiles
	// 0 → i = 0; pucker+funnel+jawForward = 0.27 → u = mapClamp(0.108) = 0;
	// eyeBlink 0.07 → 0; eyes ≈ 6° down → lookdown ≈ 6.03/35; yaw (2.44 −
	// 1.67)/2 ≈ 0.39° → lookleft ≈ 0.011.
	want := map[string]float32{
		"a": 0.2, "lookdown": (6.0297494 + 6.034903) / 2 / 35, "lookleft": (2.4403017 - 1.6660284) / 2 / 35,
	}
	driven := 0
	for i, preset := range presets {
		w, ok := weight[preset]
		if !ok {
			continue // neutral, angry, sorrow, fun: not driven by the face
		}
		driven++
		if !near(w, want[preset], 1e-5) {
			t.Errorf("%s (%s) = %v, want %v", names[i], preset, w, want[preset])
		}
	}
	if driven != 13 {
		t.Errorf("%d of Godette's expressions driven, want 13", driven)
	}
}

// TestPerfectSyncModel: a synthetic Perfect Sync model (52 PascalCase names
// in a shuffled order, among presets) gets every ARKit weight of the frame
// on the right expression.
func TestPerfectSyncModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	names := []string{"Neutral", "A", "Blink"}
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		names = append(names, s.PascalName())
	}
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	m, n := MatchPerfectSync(names)
	if n != arkit.Count || !HasPerfectSync(names) {
		t.Fatalf("found %d", n)
	}
	s := DefaultSettings()
	s.ModelHasPerfectSync = true
	f := fixtureFrame(t, "v1_hapihapi.txt")
	out := mapOnce(s, Calibration{}, &f)
	if out.Mode != MappingPerfectSync {
		t.Fatalf("mode %v", out.Mode)
	}
	weights := make(map[string]float32)
	for shape, idx := range m {
		weights[names[idx]] = out.ARKit[shape]
	}
	if weights["EyeLookInRight"] != 0.54 || weights["EyeLookOutLeft"] != 0.44 || weights["EyeWideLeft"] != 0.26 ||
		weights["MouthShrugLower"] != 0.21 || weights["MouthRight"] != 0.02 || weights["MouthLeft"] != 0 {
		t.Errorf("weights %v", weights)
	}
	// Mirrored, sides swap on the model too.
	s.Mirror = true
	out = mapOnce(s, Calibration{}, &f)
	if out.ARKit[arkit.EyeLookInLeft] != 0.54 || out.ARKit[arkit.MouthLeft] != 0.02 {
		t.Errorf("mirrored: %v %v", out.ARKit[arkit.EyeLookInLeft], out.ARKit[arkit.MouthLeft])
	}

	// Spellings and the detection rule.
	few := []string{"eyeBlink_L", "EYEBLINKRIGHT", "jawOpen", "mouthSmileLeft"}
	m, n = MatchPerfectSync(append(few, "eyeBlinkLeft"))
	if n != 4 || m[arkit.EyeBlinkLeft] != 0 || m[arkit.EyeBlinkRight] != 1 {
		t.Errorf("match %d %v", n, m[:3])
	}
	if HasPerfectSync(few) {
		t.Error("4 shapes count as Perfect Sync")
	}
	if ResolveMode(MappingAuto, false) != MappingPresets || ResolveMode(MappingAuto, true) != MappingPerfectSync ||
		ResolveMode(MappingPresets, true) != MappingPresets {
		t.Error("ResolveMode")
	}
}

func TestMapDoesNotAllocate(t *testing.T) {
	f := fixtureFrame(t, "v1_trackingstatus_hapihapi.txt")
	m := Mapper{Settings: DefaultSettings(), Calibration: Calibrate(&f)}
	m.Settings.HeadPositionScale = 1
	m.Settings.ChestShare = 0.1
	var out Face
	if n := testing.AllocsPerRun(200, func() { m.Map(&f, 1.0/60, &out) }); n != 0 {
		t.Errorf("Map allocates %v times", n)
	}
}

func TestBoneRotations(t *testing.T) {
	s := DefaultSettings()
	s.ChestShare = 0.2
	f := fixtureFrame(t, "v1_official_sample.txt")
	out := mapOnce(s, Calibration{}, &f)
	total := headWorld(&out)
	all := humanoid.Required(true).With(humanoid.LeftEye).With(humanoid.RightEye)
	cases := []struct {
		name    string
		present humanoid.Set
		eyes    bool
		want    []humanoid.Bone
	}{
		{"full rig with eyes", all, true, []humanoid.Bone{humanoid.Chest, humanoid.Neck, humanoid.Head, humanoid.LeftEye, humanoid.RightEye}},
		{"expression lookAt", all, false, []humanoid.Bone{humanoid.Chest, humanoid.Neck, humanoid.Head}},
		{"VRM 1.0 minimum (no chest, neck or eyes)", humanoid.Required(false), true, []humanoid.Bone{humanoid.Spine, humanoid.Head}},
		{"no neck", humanoid.Required(false).With(humanoid.Chest), false, []humanoid.Bone{humanoid.Chest, humanoid.Head}},
		{"head only", humanoid.Set(0).With(humanoid.Head), false, []humanoid.Bone{humanoid.Head}},
	}
	for _, c := range cases {
		list, n := out.BoneRotations(c.present, c.eyes)
		if n != len(c.want) {
			t.Errorf("%s: %d bones, want %v", c.name, n, c.want)
			continue
		}
		world := mgl32.QuatIdent()
		for i, b := range c.want {
			if list[i].Bone != b {
				t.Errorf("%s: bone %d is %v, want %v", c.name, i, list[i].Bone, b)
			}
			if b != humanoid.LeftEye && b != humanoid.RightEye {
				world = world.Mul(list[i].Rotation)
			}
		}
		if !world.OrientationEqualThreshold(total, 1e-6) {
			t.Errorf("%s: chain gives %v, want %v", c.name, world, total)
		}
	}
	if n := testing.AllocsPerRun(100, func() { out.BoneRotations(all, true) }); n != 0 {
		t.Errorf("BoneRotations allocates %v times", n)
	}
}
