package marionette

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/retarget/face"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// fixture returns a real iFacialMocap frame (one frame per file, the final
// newline not part of it) from ../shared/fixtures/ifacialmocap, or skips the
// test when the folder is missing (testutil.SharedFixtures).
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.SharedFixtures(t, "ifacialmocap"), name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// withValues returns frame with the named fields' values replaced: a real
// frame made to show a wink, an open mouth or a turned head.
func withValues(t testing.TB, frame string, values map[string]string) string {
	t.Helper()
	for name, v := range values {
		i := strings.Index(frame, name)
		if i < 0 || (i > 0 && frame[i-1] != '|') {
			t.Fatalf("no field %q in the frame", name)
		}
		j := i + len(name) + 1 // after the separator
		k := strings.IndexByte(frame[j:], '|')
		frame = frame[:j] + v + frame[j+k:]
	}
	return frame
}

func parse(t testing.TB, s string) *ifacialmocap.Frame {
	t.Helper()
	var f ifacialmocap.Frame
	if err := ifacialmocap.ParseString(s, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// faceResult is what the glue made of one frame for one avatar.
type faceResult struct {
	face    retarget.Face
	poser   *retarget.Poser
	frame   *vrm.Frame
	input   []float32 // expression weights given to the avatar
	weights []float32 // evaluated: vrm.Rig.ExpressionWeights (isBinary, overrides)
}

// through runs frames through the real glue (IFacialMocap.mapFace: mapper,
// adaptation to av), the engine's poser with mix and no VMC stream, and
// the avatar's own evaluation, 1/60 s apart, and returns the last result.
func through(t testing.TB, av *vrm.Model, st face.Settings, cal face.Calibration, mix retarget.FaceMix, frames ...*ifacialmocap.Frame) faceResult {
	t.Helper()
	src := NewIFacialMocap(st)
	p := retarget.NewPoser(av)
	var r faceResult
	now := time.Unix(1000, 0)
	for _, f := range frames {
		src.mapFace(av, f, st, cal, now, &r.face)
		p.Update(nil, retarget.DefaultOptions(), &r.face, mix, 1.0/60)
		now = now.Add(time.Second / 60)
	}
	rig := vrm.NewRig(av)
	r.poser, r.frame = p, rig.Pose(p.Pose())
	r.input = p.Weights(nil)
	r.weights = rig.ExpressionWeights(nil)
	return r
}

func exprIndex(t testing.TB, av *vrm.Model, name string) int {
	t.Helper()
	i, ok := av.ExpressionIndex(name)
	if !ok {
		t.Fatalf("the avatar has no expression %q", name)
	}
	return i
}

func near(a, b, eps float32) bool { return math.Abs(float64(a-b)) <= float64(eps) }

func TestPerfectSyncWeights(t *testing.T) {
	// The default avatar has all 52 ARKit expressions: in auto mode each
	// gets its shape's value from the real frame, and the blink and mouth
	// presets (which the face also owns) 0. Mirrored, left and right swap.
	av := testavatar.Default(t)
	f := parse(t, fixture(t, "v1_hapihapi.txt"))
	if f.Blendshapes[arkit.EyeLookInRight] != 0.54 || f.Blendshapes[arkit.EyeWideLeft] != 0.26 {
		t.Fatal("test set-up: unexpected fixture values")
	}
	for _, mirror := range []bool{false, true} {
		st := face.DefaultSettings()
		st.Mirror = mirror
		r := through(t, av, st, face.Calibration{}, retarget.DefaultFaceMix(), f)
		for s := arkit.Shape(0); s < arkit.Count; s++ {
			name := s.String()
			if mirror {
				if n, ok := strings.CutSuffix(name, "Left"); ok {
					name = n + "Right"
				} else if n, ok := strings.CutSuffix(name, "Right"); ok {
					name = n + "Left"
				}
			}
			i := exprIndex(t, av, name)
			if want := f.Blendshapes[s]; !near(r.weights[i], want, 1e-6) {
				t.Errorf("mirror %v: %s = %v, want %s's %v", mirror, name, r.weights[i], s, want)
			}
		}
		for _, name := range []string{"blink", "blinkLeft", "blinkRight", "aa", "ih", "ou", "ee", "oh"} {
			if w := r.weights[exprIndex(t, av, name)]; w != 0 {
				t.Errorf("mirror %v: preset %s = %v in Perfect Sync mode, want 0", mirror, name, w)
			}
		}
	}
}

func TestPresetWeights(t *testing.T) {
	// A real frame made to show a wink of the user's left eye, an open
	// mouth and a smile: eyeBlink_L 95 (→ 1), eyeBlink_R 7 (→ 0), jawOpen 30
	// (a = mapClamp(0.6, 0.15, 0.6) = 1), smiles 70 (i = mapClamp(0.74) =
	// 1; happy = mapClamp(0.7, 0.3, 0.8) = 0.8), pucker, funnel and
	// jawForward as captured (u = mapClamp(0.108) = 0). Five vowels: ee =
	// min(a, i) = 1, aa = ih = ou = oh = 0 (field notes §6, ifacialmocap
	// Presets).
	frame := withValues(t, fixture(t, "v1_official_sample.txt"), map[string]string{
		"eyeBlink_L": "95", "jawOpen": "30", "mouthSmile_L": "70", "mouthSmile_R": "70"})
	f := parse(t, frame)
	want := map[string]float32{"blink": 0, "blinkLeft": 1, "blinkRight": 0, "aa": 0, "ih": 0, "ou": 0, "ee": 1, "oh": 0, "happy": 0.8}

	t.Run("Godette", func(t *testing.T) {
		// VRM 0.x: no overrides; lookAt type expression with the model's
		// range maps (outer 90° → 7.1, down 90° → 3.9).
		av := testavatar.Godette(t)
		r := through(t, av, face.DefaultSettings(), face.Calibration{}, retarget.DefaultFaceMix(), f)
		for name, w := range want {
			if got := r.weights[exprIndex(t, av, name)]; !near(got, w, 1e-5) {
				t.Errorf("%s = %v, want %v", name, got, w)
			}
		}
		// Gaze: the mean of the eyes, yaw (2.4403017 − 1.6660284)/2 to the
		// avatar's left, pitch (6.0297494 + 6.034903)/2 down.
		yaw := float32(2.4403017-1.6660284) / 2
		pitch := float32(6.0297494+6.034903) / 2
		la := av.LookAt
		if la.HorizontalOuter.InputMaxValue != 90 || la.VerticalDown.InputMaxValue != 90 {
			t.Fatalf("test set-up: Godette's range maps %+v", la)
		}
		gaze := map[string]float32{
			"lookLeft": la.HorizontalOuter.OutputScale * yaw / 90, "lookRight": 0,
			"lookDown": la.VerticalDown.OutputScale * pitch / 90, "lookUp": 0,
		}
		for name, w := range gaze {
			if got := r.weights[exprIndex(t, av, name)]; !near(got, w, 1e-5) {
				t.Errorf("%s = %v, want %v", name, got, w)
			}
		}
		if gaze["lookDown"] < 0.2 {
			t.Errorf("test set-up: lookDown %v too small to tell", gaze["lookDown"])
		}
	})

	t.Run("preset-only VRM 1.0", func(t *testing.T) {
		// The input weights are the same; the evaluated ones follow the
		// doll's overrides: happy (0.8) blocks the blinks and blends the
		// mouth (ee × 0.2).
		av := testavatar.PresetOnly(t)
		r := through(t, av, face.DefaultSettings(), face.Calibration{}, retarget.DefaultFaceMix(), f)
		for name, w := range want {
			if got := r.input[exprIndex(t, av, name)]; !near(got, w, 1e-5) {
				t.Errorf("input %s = %v, want %v", name, got, w)
			}
		}
		evaluated := map[string]float32{"blinkLeft": 0, "ee": 0.2, "happy": 0.8, "aa": 0}
		for name, w := range evaluated {
			if got := r.weights[exprIndex(t, av, name)]; !near(got, w, 1e-5) {
				t.Errorf("evaluated %s = %v, want %v", name, got, w)
			}
		}
		// Without the emotions the face leaves happy alone: the wink shows.
		st := face.DefaultSettings()
		st.Emotions = false
		r = through(t, av, st, face.Calibration{}, retarget.DefaultFaceMix(), f)
		for name, w := range map[string]float32{"happy": 0, "blinkLeft": 1, "ee": 1} {
			if got := r.weights[exprIndex(t, av, name)]; !near(got, w, 1e-5) {
				t.Errorf("no emotions: %s = %v, want %v", name, got, w)
			}
		}
	})

	t.Run("presets forced on a Perfect Sync avatar", func(t *testing.T) {
		av := testavatar.Default(t)
		st := face.DefaultSettings()
		st.Mode, st.Emotions = face.MappingPresets, false
		r := through(t, av, st, face.Calibration{}, retarget.DefaultFaceMix(), f)
		for name, w := range map[string]float32{"blinkLeft": 1, "ee": 1, "eyeBlinkLeft": 0, "jawOpen": 0, "mouthSmileLeft": 0} {
			if got := r.weights[exprIndex(t, av, name)]; !near(got, w, 1e-5) {
				t.Errorf("%s = %v, want %v", name, got, w)
			}
		}
	})
}

// boneTurn returns how bone b is turned in frame f relative to rest (rest,
// a frame of the avatar at rest): the world rotation delta applied to dir.
func boneTurn(av *vrm.Model, rest, f []mgl32.Mat4, b humanoid.Bone, dir mgl32.Vec3) mgl32.Vec3 {
	n := av.Humanoid.Node(b)
	r := rest[n].Mat3()
	p := f[n].Mat3()
	return p.Mul3(r.Inv()).Mul3x1(dir).Normalize()
}

// headFrame is the real frame with the head turned by the given Euler
// angles (degrees: X pitch, Y yaw, Z roll as iFacialMocap sends them) and
// the eyes looking straight ahead.
func headFrame(t testing.TB, x, y, z float32, px float32) *ifacialmocap.Frame {
	t.Helper()
	s := fixture(t, "v1_trackingstatus_hapihapi.txt")
	i := strings.Index(s, "=head#")
	s = s[:i] + "=head#" + ftoa(x) + "," + ftoa(y) + "," + ftoa(z) + "," + ftoa(px) + ",-0.08,-0.4|rightEye#0,0,0|leftEye#0,0,0|"
	return parse(t, s)
}

func ftoa(x float32) string { return strconv.FormatFloat(float64(x), 'f', -1, 32) }

func TestHeadTurnsTheRightWay(t *testing.T) {
	// A head turned to the user's own left (iFacialMocap +Y yaw) turns the
	// avatar's head to the avatar's left, +X in the VRM 1.0 frame, unless
	// mirrored; +X pitch looks down; +Z roll tips the top of the head to the
	// avatar's right (−X). Checked on the posed frame's world matrices, for
	// a VRM 1.0 and a VRM 0.x avatar.
	for _, m := range []struct {
		name string
		av   *vrm.Model
	}{{"default avatar", testavatar.Default(t)}, {"Godette", testavatar.Godette(t)}} {
		av := m.av
		rest := append([]mgl32.Mat4(nil), vrm.NewRig(av).Pose(nil).NodeWorld...)
		restO, _ := av.LookAtOrigin(vrm.NewRig(av).Pose(nil))
		restH, _ := av.BonePosition(vrm.NewRig(av).Pose(nil), humanoid.Head)
		fwd, up := mgl32.Vec3{0, 0, 1}, mgl32.Vec3{0, 1, 0}
		for _, tc := range []struct {
			name      string
			x, y, z   float32
			mirror    bool
			dir       mgl32.Vec3
			axis      int
			sign      float32
			neckTurns bool
		}{
			{"yaw to the user's left", 0, 30, 0, false, fwd, 0, +1, true},
			{"yaw mirrored", 0, 30, 0, true, fwd, 0, -1, true},
			{"yaw to the user's right", 0, -30, 0, false, fwd, 0, -1, true},
			{"pitch down", 25, 0, 0, false, fwd, 1, -1, true},
			{"roll", 0, 0, 25, false, up, 0, -1, true},
			{"roll mirrored", 0, 0, 25, true, up, 0, +1, true},
		} {
			st := face.DefaultSettings()
			st.Mirror = tc.mirror
			r := through(t, av, st, face.Calibration{}, retarget.DefaultFaceMix(), headFrame(t, tc.x, tc.y, tc.z, 0))
			d := boneTurn(av, rest, r.frame.NodeWorld, humanoid.Head, tc.dir)
			if d[tc.axis]*tc.sign < 0.3 {
				t.Errorf("%s, %s: the head's %v points to %v", m.name, tc.name, tc.dir, d)
			}
			// The neck takes half (face.DefaultSettings); the chest
			// stays without a chest follow.
			nd := boneTurn(av, rest, r.frame.NodeWorld, humanoid.Neck, tc.dir)
			if nd[tc.axis]*tc.sign < 0.1 || nd[tc.axis]*tc.sign > d[tc.axis]*tc.sign {
				t.Errorf("%s, %s: the neck's %v points to %v (head %v)", m.name, tc.name, tc.dir, nd, d)
			}
			if cd := boneTurn(av, rest, r.frame.NodeWorld, humanoid.Chest, tc.dir); cd.Sub(tc.dir).Len() > 1e-4 {
				t.Errorf("%s, %s: the chest turned (%v) without a chest follow", m.name, tc.name, cd)
			}
			// The lookAt origin (between the eyes) moves the same way.
			o, _ := av.LookAtOrigin(r.frame)
			h, _ := av.BonePosition(r.frame, humanoid.Head)
			if move := o.Sub(h).Sub(restO.Sub(restH)); tc.dir == fwd && move[tc.axis]*tc.sign < 0.02 {
				t.Errorf("%s, %s: the lookAt origin moved %v relative to the head", m.name, tc.name, move)
			}
		}
		// The chest follow turns the chest a little, the same way.
		st := face.DefaultSettings()
		st.ChestShare = 0.2
		r := through(t, av, st, face.Calibration{}, retarget.DefaultFaceMix(), headFrame(t, 0, 30, 0, 0))
		if cd := boneTurn(av, rest, r.frame.NodeWorld, humanoid.Chest, fwd); cd[0] < 0.05 || cd[0] > 0.2 {
			t.Errorf("%s: with a 20%% chest follow of a 30° turn the chest faces %v", m.name, cd)
		}
		// Head override off: the face leaves the head alone.
		mix := retarget.DefaultFaceMix()
		mix.Head = false
		r = through(t, av, face.DefaultSettings(), face.Calibration{}, mix, headFrame(t, 0, 30, 0, 0))
		if d := boneTurn(av, rest, r.frame.NodeWorld, humanoid.Head, fwd); d.Sub(fwd).Len() > 1e-4 {
			t.Errorf("%s: head override off, the head turned to %v", m.name, d)
		}
	}
}

func TestEyesFollowTheGaze(t *testing.T) {
	// Bone lookAt (the default avatar): both eyes turn toward the avatar's
	// left when the user looks to their own left (+Y), through the range
	// maps; with Eyes off they stay.
	av := testavatar.Default(t)
	rest := append([]mgl32.Mat4(nil), vrm.NewRig(av).Pose(nil).NodeWorld...)
	s := fixture(t, "v1_trackingstatus_hapihapi.txt")
	s = s[:strings.Index(s, "=head#")] + "=head#0,0,0,0,-0.08,-0.4|rightEye#0,20,0|leftEye#0,20,0|"
	f := parse(t, s)
	r := through(t, av, face.DefaultSettings(), face.Calibration{}, retarget.DefaultFaceMix(), f)
	la := av.LookAt
	for _, eye := range []humanoid.Bone{humanoid.LeftEye, humanoid.RightEye} {
		m := la.HorizontalOuter
		if eye == humanoid.RightEye {
			m = la.HorizontalInner
		}
		want := float64(m.Map(20)) * math.Pi / 180
		d := boneTurn(av, rest, r.frame.NodeWorld, eye, mgl32.Vec3{0, 0, 1})
		if got := math.Atan2(float64(d[0]), float64(d[2])); math.Abs(got-want) > 0.02 {
			t.Errorf("%v turned %.1f° to the left, want %.1f° (range map)", eye, got*180/math.Pi, want*180/math.Pi)
		}
	}
	mix := retarget.DefaultFaceMix()
	mix.Eyes = false
	r = through(t, av, face.DefaultSettings(), face.Calibration{}, mix, f)
	if d := boneTurn(av, rest, r.frame.NodeWorld, humanoid.LeftEye, mgl32.Vec3{0, 0, 1}); d.Sub(mgl32.Vec3{0, 0, 1}).Len() > 1e-4 {
		t.Errorf("eyes override off, the left eye turned to %v", d)
	}
}

func TestHeadPositionLeans(t *testing.T) {
	// Calibrated at x = 0, the head moves 5 cm to the user's left: the
	// avatar leans so its head moves about 5 cm to its left (+X), and the
	// head keeps facing forward.
	av := testavatar.Default(t)
	rest := append([]mgl32.Mat4(nil), vrm.NewRig(av).Pose(nil).NodeWorld...)
	restHead, _ := av.BonePosition(vrm.NewRig(av).Pose(nil), humanoid.Head)
	cal := face.Calibrate(headFrame(t, 0, 0, 0, 0))
	st := face.DefaultSettings()
	st.HeadPositionScale = 1
	r := through(t, av, st, cal, retarget.DefaultFaceMix(), headFrame(t, 0, 0, 0, 0.05))
	h, _ := av.BonePosition(r.frame, humanoid.Head)
	if dx := h[0] - restHead[0]; dx < 0.035 || dx > 0.06 {
		t.Errorf("the head moved %.3f m sideways, want about 0.05", dx)
	}
	if d := boneTurn(av, rest, r.frame.NodeWorld, humanoid.Head, mgl32.Vec3{0, 0, 1}); d.Sub(mgl32.Vec3{0, 0, 1}).Len() > 0.02 {
		t.Errorf("leaning turned the head to %v", d)
	}
	// Without the scale (the default) nothing moves.
	r = through(t, av, face.DefaultSettings(), cal, retarget.DefaultFaceMix(), headFrame(t, 0, 0, 0, 0.05))
	if h, _ := av.BonePosition(r.frame, humanoid.Head); h.Sub(restHead).Len() > 1e-4 {
		t.Errorf("head position off, the head moved to %v from %v", h, restHead)
	}
}
