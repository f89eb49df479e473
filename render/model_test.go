package render

import (
	"image"
	"math"
	"sync"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Tests on the real models in ../shared/models (field notes §5), loaded with
// the project's loader.

var (
	modelMu    sync.Mutex
	modelCache = map[string]*vrm.Model{}
)

// loadModel loads ../shared/models/name once per test binary, or skips the
// test when the folder is missing (testutil.SharedModel); tests that pose it
// must not run in parallel.
func loadModel(t testing.TB, name string) *vrm.Model {
	t.Helper()
	modelMu.Lock()
	defer modelMu.Unlock()
	if a, ok := modelCache[name]; ok {
		return a
	}
	a, err := vrm.LoadFile(testutil.SharedModel(t, name))
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	modelCache[name] = a
	return a
}

// godetteArmPose raises Godette's right arm: the right upper arm turned
// 70° down about the avatar's forward axis brings it from the T-pose to the
// side, and the forearm bent.
func godetteArmPose() *vrm.Pose {
	p := &vrm.Pose{}
	// The avatar faces +Z; its right arm points to −X in the T-pose.
	// Rotating it about +Z by −70° would lift it; +70° lowers it.
	p.SetRotation(humanoid.RightUpperArm, mgl32.QuatRotate(70*math.Pi/180, mgl32.Vec3{0, 0, 1}))
	p.SetRotation(humanoid.RightLowerArm, mgl32.QuatRotate(40*math.Pi/180, mgl32.Vec3{0, 1, 0}))
	return p
}

func TestGoldenModels(t *testing.T) {
	const w, h = 320, 240
	godette := loadModel(t, "Godette.vrm")
	mtoon := loadModel(t, "mtoon_uv_animation_vrm1.vrm")
	sphere := loadModel(t, "sphere_vrm0.vrm")              // metallic-roughness: metallic 0.5, roughness 0.5
	windows := loadModel(t, "isBinary_Overrides_vrm1.vrm") // textured, fully metallic by glTF's defaults
	framed := func(a *vrm.Model) Scene {
		f := vrm.NewRig(a).Pose(nil)
		return DefaultScene(a, f, FrameAvatar(a, f, 30, w/float32(h), FrameFullBody).Camera())
	}
	cases := []struct {
		name  string
		build func() Scene
	}{
		{"godette_front", func() Scene {
			f := vrm.NewRig(godette).Pose(nil)
			return DefaultScene(godette, f, FrameAvatar(godette, f, 30, w/float32(h), FrameFullBody).Camera())
		}},
		{"godette_side", func() Scene {
			f := vrm.NewRig(godette).Pose(nil)
			o := FrameAvatar(godette, f, 30, w/float32(h), FrameFullBody)
			o.Rotate(math.Pi/2, 0) // from the avatar's left (+X)
			return DefaultScene(godette, f, o.Camera())
		}},
		{"godette_expression", func() Scene {
			// Eyes closed, mouth open.
			f := vrm.NewRig(godette).Pose(&vrm.Pose{Expressions: []vrm.ExpressionWeight{{Name: "blink", Weight: 1}, {Name: "aa", Weight: 0.8}}})
			return DefaultScene(godette, f, FrameAvatar(godette, f, 30, w/float32(h), FrameBust).Camera())
		}},
		{"godette_posed", func() Scene {
			cam := FrameAvatar(godette, vrm.NewRig(godette).Pose(nil), 30, w/float32(h), FrameFullBody).Camera()
			return DefaultScene(godette, vrm.NewRig(godette).Pose(godetteArmPose()), cam)
		}},
		{"pbr_sphere_vrm0", func() Scene { return framed(sphere) }},
		{"pbr_metal_windows", func() Scene { return framed(windows) }},
		{"mtoon_sample", func() Scene {
			f := vrm.NewRig(mtoon).Pose(nil)
			o := FrameAvatar(mtoon, f, 30, w/float32(h), FrameFullBody)
			s := DefaultScene(mtoon, f, o.Camera())
			s.Time = 0.25
			return s
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.name, renderScene(t, w, h, tc.build()))
		})
	}
}

// TestPosedDiffersWhereTheArmMoved renders Godette at rest and with her
// right arm lowered: every changed pixel must lie on the side of the picture
// where her right arm is (the viewer's left, −X, in a front view), and the
// other side must not change at all.
func TestPosedDiffersWhereTheArmMoved(t *testing.T) {
	const w, h = 320, 240
	av := loadModel(t, "Godette.vrm")
	rg := vrm.NewRig(av)
	rest := rg.Pose(nil)
	cam := FrameAvatar(av, rest, 30, w/float32(h), FrameFullBody).Camera()
	restImg := renderScene(t, w, h, DefaultScene(av, rest, cam))
	posed := renderScene(t, w, h, DefaultScene(av, rg.Pose(godetteArmPose()), cam))

	// Project the right shoulder to find the picture's column for it.
	shoulder, _ := av.BonePosition(rg.Pose(nil), humanoid.RightUpperArm)
	proj := mgl32.Perspective(mgl32.DegToRad(cam.FOV), w/float32(h), 0.1, 100).Mul4(cam.View)
	c := proj.Mul4x1(shoulder.Vec4(1))
	sx := int((c[0]/c[3]*0.5 + 0.5) * w)
	changed, minX, maxX := 0, w, 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if restImg.RGBAAt(x, y) != posed.RGBAAt(x, y) {
				changed++
				minX, maxX = min(minX, x), max(maxX, x)
			}
		}
	}
	if changed < 200 {
		t.Fatalf("only %d pixels changed", changed)
	}
	// The right arm hangs from the shoulder outward (toward smaller x); the
	// torso's far side, beyond the body centre, must be untouched.
	if maxX > w/2+4 {
		t.Fatalf("pixels changed up to column %d, beyond the body centre %d (shoulder at %d)", maxX, w/2, sx)
	}
	if minX > sx {
		t.Fatalf("changes start at column %d, inside the shoulder at %d", minX, sx)
	}
}

func TestModelsRenderWithoutAllocating(t *testing.T) {
	r := New(Options{Workers: 2})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for _, name := range []string{"Godette.vrm", "mtoon_uv_animation_vrm1.vrm", "sphere_vrm0.vrm", "debug_robot_vrm1.vrm", "isBinary_Overrides_vrm1.vrm"} {
		av := loadModel(t, name)
		rg := vrm.NewRig(av)
		f := rg.Pose(nil)
		s := DefaultScene(av, f, FrameAvatar(av, f, 30, 4.0/3, FrameFullBody).Camera())
		r.Render(img, s)
		if n := testing.AllocsPerRun(3, func() {
			s.Frame = rg.Pose(nil)
			r.Render(img, s)
		}); n != 0 {
			t.Errorf("%s: %v allocations per posed frame", name, n)
		}
	}
}

// BenchmarkRenderGodette720p poses Godette (a different arm angle each
// frame, so skinning and the joint palette change), then skins, rasterizes
// and shades her at 1280×720 with 4× AA and outlines. Run with
// GOMAXPROCS=2 for the target setting (≤ 6 ms/frame).
func BenchmarkRenderGodette720p(b *testing.B) {
	benchGodette(b, AA4x)
}

// BenchmarkRenderGodette720pAAOff is BenchmarkRenderGodette720p with one
// sample per pixel.
func BenchmarkRenderGodette720pAAOff(b *testing.B) {
	benchGodette(b, AAOff)
}

func benchGodette(b *testing.B, aa AA) {
	av := loadModel(b, "Godette.vrm")
	rg := vrm.NewRig(av)
	rest := rg.Pose(nil)
	s := DefaultScene(av, rest, FrameAvatar(av, rest, 30, 16.0/9, FrameFullBody).Camera())
	s.AA = aa
	r := New(Options{})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	r.Render(img, s)
	p := &vrm.Pose{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		a := float32(i%32) * (math.Pi / 64)
		p.SetRotation(humanoid.RightUpperArm, mgl32.QuatRotate(a, mgl32.Vec3{0, 0, 1}))
		p.SetRotation(humanoid.LeftUpperArm, mgl32.QuatRotate(-a, mgl32.Vec3{0, 0, 1}))
		s.Frame = rg.Pose(p)
		r.Render(img, s)
	}
	reportFrameMetrics(b, triangles(av), 1280, 720)
}
