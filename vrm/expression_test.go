package vrm

import (
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func exprPose(w ...any) *Pose {
	p := &Pose{}
	for i := 0; i+1 < len(w); i += 2 {
		p.Expressions = append(p.Expressions, ExpressionWeight{Name: w[i].(string), Weight: float32(w[i+1].(float64))})
	}
	return p
}

func weightOf(t *testing.T, rg *Rig, name string) float32 {
	t.Helper()
	i, ok := rg.Model().ExpressionIndex(name)
	if !ok {
		t.Fatalf("no expression %q", name)
	}
	return rg.ExpressionWeights(nil)[i]
}

func near2(a, b mgl32.Vec2) bool {
	return math.Abs(float64(a[0]-b[0])) < 1e-6 && math.Abs(float64(a[1]-b[1])) < 1e-6
}

// TestIsBinaryOverrides: happy is binary and blends blink away. Below 0.5
// happy outputs 0 and must not touch blink; above, it outputs 1 and blink
// is fully suppressed (expressions.md "Interaction between override and
// isBinary"; vrm-specification samples/VRMC_vrm_expressions_isBinary_Overrides).
func TestIsBinaryOverrides(t *testing.T) {
	av := loadModel(t, "isBinary_Overrides_vrm1.vrm")
	windowOwn := av.Materials[0].BaseColorTexture
	tests := []struct {
		happy, blink         float64
		wantHappy, wantBlink float32
		window               mgl32.Vec2 // texture offset of the validation window (material 0)
	}{
		{0, 0, 0, 0, windowOwn.Offset},
		{0.4, 1, 0, 1, mgl32.Vec2{0, 0.875}},
		{0.5, 1, 0, 1, mgl32.Vec2{0, 0.875}},
		{0.6, 1, 1, 0, mgl32.Vec2{0.875, 0}},
		{1, 0.3, 1, 0, mgl32.Vec2{0.875, 0}},
		{0.49, 0.3, 0, 0.3, mgl32.Vec2{0, 0.875 * 0.3}},
	}
	rg := NewRig(av)
	for _, tt := range tests {
		f := rg.Pose(exprPose("happy", tt.happy, "blink", tt.blink))
		if h, b := weightOf(t, rg, "happy"), weightOf(t, rg, "blink"); h != tt.wantHappy || b != tt.wantBlink {
			t.Errorf("happy %v, blink %v: weights %v, %v; want %v, %v", tt.happy, tt.blink, h, b, tt.wantHappy, tt.wantBlink)
		}
		got := f.Materials[0].TextureTransform(windowOwn)
		if !near2(got.Offset, tt.window) {
			t.Errorf("happy %v, blink %v: window offset %v, want %v", tt.happy, tt.blink, got.Offset, tt.window)
		}
	}
}

// TestIsBinaryOverridden: blink is binary and happy (not binary) blends it.
// Any effect from happy must suppress blink completely
// (samples/VRMC_vrm_expressions_isBinary_Overridden).
func TestIsBinaryOverridden(t *testing.T) {
	av := loadModel(t, "isBinary_Overridden_vrm1.vrm")
	meterBlink := av.Materials[3].BaseColorTexture
	tests := []struct {
		happy, blink         float64
		wantHappy, wantBlink float32
	}{
		{0, 0.6, 0, 1},
		{0, 0.4, 0, 0},
		{0.01, 1, 0.01, 0},
		{0.2, 0.6, 0.2, 0},
		{1, 1, 1, 0},
	}
	rg := NewRig(av)
	for _, tt := range tests {
		f := rg.Pose(exprPose("happy", tt.happy, "blink", tt.blink))
		if h, b := weightOf(t, rg, "happy"), weightOf(t, rg, "blink"); h != tt.wantHappy || b != tt.wantBlink {
			t.Errorf("happy %v, blink %v: weights %v, %v; want %v, %v", tt.happy, tt.blink, h, b, tt.wantHappy, tt.wantBlink)
		}
		// The blink meter's bar moves to offset 0.0009765625 at blink 1.
		got := f.Materials[3].TextureTransform(meterBlink)
		want := meterBlink.Offset.Mul(1 - tt.wantBlink).Add(mgl32.Vec2{0.0009765625, 0}.Mul(tt.wantBlink))
		if !near2(got.Offset, want) {
			t.Errorf("happy %v, blink %v: blink meter offset %v, want %v", tt.happy, tt.blink, got.Offset, want)
		}
	}
}

// TestExpressionEvaluation checks binds, overrides, clamping and name
// lookups on the synthetic avatar in both VRM versions.
func TestExpressionEvaluation(t *testing.T) {
	for name, av := range synthVariants(t) {
		rg := NewRig(av)
		mesh := -1
		for i, n := range av.Nodes {
			if n.Mesh >= 0 {
				mesh = i
			}
		}
		// happy 0.5: morph "up" 0.5, base colour halfway to red.
		f := rg.Pose(exprPose("HAPPY", 0.5))
		if mw := f.MorphWeights[mesh]; mw[0] != 0.5 || mw[1] != 0 {
			t.Errorf("%s: happy 0.5 morphs %v", name, mw)
		}
		if c := f.Materials[0].BaseColor; !near(c.Vec3(), mgl32.Vec3{1, 0.45, 0.4}, 1e-5) || c[3] != 1 {
			t.Errorf("%s: happy 0.5 base colour %v, want (1, 0.45, 0.4, 1)", name, c)
		}
		// VRM 0.x names reach VRM 1.0 presets, weights clamp to 1.
		f = rg.Pose(exprPose("Joy", 2.0, "A", 1.0))
		if mw := f.MorphWeights[mesh]; mw[0] != 1 || mw[1] != 0.5 {
			t.Errorf("%s: Joy 2, A 1 morphs %v, want [1 0.5]", name, mw)
		}
		// blink at 1 moves the eyes' texture to offset (0, 0.5).
		f = rg.Pose(exprPose("blink", 1.0))
		if r := f.Materials[1].TextureTransform(av.Materials[1].BaseColorTexture); !near2(r.Offset, mgl32.Vec2{0, 0.5}) || !near2(r.Scale, mgl32.Vec2{1, 1}) {
			t.Errorf("%s: blink texture transform %v %v", name, r.Offset, r.Scale)
		}
		if _, ok := av.ExpressionIndex("nonexistent"); ok {
			t.Errorf("%s: found a nonexistent expression", name)
		}
		if av.Version == Version0 {
			continue // 0.x has no overrides: Wink does not block there
		}
		// Wink (binary) at 0.6 blocks blink and blends the mouth away.
		f = rg.Pose(exprPose("wink", 0.6, "blink", 1.0, "aa", 1.0))
		if mw := f.MorphWeights[mesh]; mw[0] != 0.25 || mw[1] != 0 {
			t.Errorf("%s: wink+blink+aa morphs %v, want [0.25 0]", name, mw)
		}
		// Wink at 0.4 outputs 0: no effect at all.
		f = rg.Pose(exprPose("wink", 0.4, "blink", 1.0))
		if mw := f.MorphWeights[mesh]; mw[0] != 0 || mw[1] != 1 {
			t.Errorf("%s: wink 0.4 + blink morphs %v, want [0 1]", name, mw)
		}
	}
}

// TestGodetteExpressions drives Godette's VRM 0.x blend shapes.
func TestGodetteExpressions(t *testing.T) {
	av := loadModel(t, "Godette.vrm")
	rg := NewRig(av)
	f := rg.Pose(exprPose("Joy", 1.0))
	mw := f.MorphWeights[68]
	if mw[9] != 0.5 || mw[10] != 0.25 || mw[5] != 0 {
		t.Errorf("Joy: morphs %v", mw)
	}
	f = rg.Pose(exprPose("blink_l", 0.7, "Blink_R", 0.3))
	if mw := f.MorphWeights[68]; mw[3] != 1 || mw[4] != 0 {
		t.Errorf("binary blinks: morphs %v, want blink_left 1, blink_right 0", mw)
	}
	if len(f.MorphWeights[69]) != 0 {
		t.Errorf("Body mesh has no morph targets, got %v", f.MorphWeights[69])
	}
}

// TestLookAt checks lookAt.md's yaw/pitch, range maps and both applier
// types.
func TestLookAt(t *testing.T) {
	for name, av := range synthVariants(t) {
		rg := NewRig(av)
		// Straight ahead, to the left, below: yaw/pitch from the lookAt origin
		// (head (0, 1.55, 0) + offset (0, 0.06, 0.05)).
		origin := mgl32.Vec3{0, 1.61, 0.05}
		for _, c := range []struct {
			d          mgl32.Vec3
			yaw, pitch float32
		}{{mgl32.Vec3{0, 0, 2}, 0, 0}, {mgl32.Vec3{1, 0, 1}, 45, 0}, {mgl32.Vec3{-1, 0, 1}, -45, 0}, {mgl32.Vec3{0, -1, 1}, 0, 45}, {mgl32.Vec3{0, 1, 1}, 0, -45}} {
			rg.Pose(nil)
			y, p, ok := rg.YawPitch(origin.Add(c.d))
			if !ok || math.Abs(float64(y-c.yaw)) > 1e-3 || math.Abs(float64(p-c.pitch)) > 1e-3 {
				t.Errorf("%s: YawPitch(origin+%v) = %v, %v; want %v, %v", name, c.d, y, p, c.yaw, c.pitch)
			}
		}
		// Looking 30° left: the left eye turns outward (12/90·30 = 4°), the
		// right eye inward (10/90·30 = 3.33°); 45° down: both 8/90·45 = 4°.
		rest := av.restWorld()
		var pose Pose
		pose.LookAt = LookAtInput{Mode: LookAtAngles, Yaw: 30, Pitch: 45}
		f := rg.Pose(&pose)
		for _, e := range []struct {
			node     int
			yaw, pit float32
		}{{av.Humanoid.Nodes[humanoid.LeftEye], 4, 4}, {av.Humanoid.Nodes[humanoid.RightEye], 10.0 / 3, 4}} {
			w := f.NodeWorld[e.node]
			restRot := rest[e.node].Mat3()
			got := w.Mat3().Mul3(restRot.Transpose()) // normalized world rotation
			want := eyeRotation(e.yaw, e.pit).Mat4().Mat3()
			for k := range got {
				if math.Abs(float64(got[k]-want[k])) > 1e-5 {
					t.Errorf("%s: eye node %d rotation %v, want %v", name, e.node, got, want)
					break
				}
			}
			// Its forward axis points left (+X) and down (−Y).
			fwd := got.Mul3x1(mgl32.Vec3{0, 0, 1})
			if fwd[0] <= 0 || fwd[1] >= 0 {
				t.Errorf("%s: eye node %d looks along %v, want left and down", name, e.node, fwd)
			}
		}
	}
	// Expression type (Godette): yaw −5° → lookRight 5/90·7.1, pitch 10°
	// down → lookDown 10/90·3.9.
	av := loadModel(t, "Godette.vrm")
	var pose Pose
	pose.LookAt = LookAtInput{Mode: LookAtAngles, Yaw: -5, Pitch: 10}
	f := NewRig(av).Pose(&pose)
	mw := f.MorphWeights[68]
	if math.Abs(float64(mw[13]-5.0/90*7.1)) > 1e-5 || math.Abs(float64(mw[11]-10.0/90*3.9)) > 1e-5 || mw[12] != 0 || mw[10] != 0 {
		t.Errorf("lookAt expression morphs: right %v down %v left %v up %v", mw[13], mw[11], mw[12], mw[10])
	}
}

func TestRangeMap(t *testing.T) {
	r := RangeMap{InputMaxValue: 90, OutputScale: 10}
	for _, c := range []struct{ in, want float32 }{{0, 0}, {45, 5}, {-45, 5}, {90, 10}, {180, 10}, {float32(math.NaN()), 10}} {
		if got := r.Map(c.in); got != c.want {
			t.Errorf("Map(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if got := (RangeMap{}).Map(10); got != 0 {
		t.Errorf("zero range map gives %v", got)
	}
}
