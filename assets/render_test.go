package assets_test

import (
	"flag"
	"image"
	"image/color"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/golden"
	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

var update = flag.Bool("update", false, "rewrite the golden renders under testdata/ (look at every one before committing)")

// Golden renders of the default avatar drawn by the project's renderer.
// They compare with a tolerance (shading maths may round differently on
// another CPU); -update rewrites them.

// goldenShots are the pictures kept under testdata/.
var goldenShots = []struct {
	name string
	w, h int
	eye  mgl32.Vec3 // camera position, VRM 1.0 frame, metres
	at   mgl32.Vec3 // point looked at
	pose func(p *vrm.Pose)
}{
	{"front", 480, 640, mgl32.Vec3{0, 0.72, 3.1}, mgl32.Vec3{0, 0.66, 0}, func(*vrm.Pose) {}},
	{"arms_raised_mouth_open_eyes_closed", 480, 640, mgl32.Vec3{0, 0.8, 3.1}, mgl32.Vec3{0, 0.72, 0}, armsRaised},
	{"face", 480, 480, mgl32.Vec3{0, 1.09, 0.85}, mgl32.Vec3{0, 1.07, 0}, func(*vrm.Pose) {}},
}

// armsRaised lifts both arms overhead with the elbows a little bent, opens
// the mouth and closes the eyes.
func armsRaised(p *vrm.Pose) {
	q := func(axis mgl32.Vec3, deg float32) mgl32.Quat { return mgl32.QuatRotate(mgl32.DegToRad(deg), axis) }
	p.SetRotation(humanoid.LeftUpperArm, q(mgl32.Vec3{0, 0, 1}, 70))
	p.SetRotation(humanoid.RightUpperArm, q(mgl32.Vec3{0, 0, 1}, -70))
	p.SetRotation(humanoid.LeftLowerArm, q(mgl32.Vec3{0, 0, 1}, 25))
	p.SetRotation(humanoid.RightLowerArm, q(mgl32.Vec3{0, 0, 1}, -25))
	p.Expressions = []vrm.ExpressionWeight{{Name: "aa", Weight: 1}, {Name: "blink", Weight: 1}}
}

func renderShot(t testing.TB, a *vrm.Model, w, h int, eye, at mgl32.Vec3, pose func(*vrm.Pose)) *image.RGBA {
	t.Helper()
	var p vrm.Pose
	pose(&p)
	r := render.New(render.Options{})
	defer r.Close()
	// A fresh Rig: the tassels hang as the pose has them.
	sc := render.DefaultScene(a, vrm.NewRig(a).Pose(&p), render.Camera{View: mgl32.LookAtV(eye, at, mgl32.Vec3{0, 1, 0}), FOV: 30})
	sc.AA = render.AA4x
	sc.Background = color.NRGBA{0x27, 0x34, 0x5f, 0xff}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r.Render(img, sc)
	return img
}

// tolerance is how far a render of the doll may stray from its golden.
var tolerance = golden.Tolerance{Worst: 64, Off: 8, OffFraction: 0.005, Mean: 0.5}

func TestGoldenRenders(t *testing.T) {
	a := defaultAvatar(t)
	for _, s := range goldenShots {
		t.Run(s.name, func(t *testing.T) {
			img := renderShot(t, a, s.w, s.h, s.eye, s.at, s.pose)
			golden.Check(t, "testdata", s.name, img, tolerance, *update)
		})
	}
}

// BenchmarkRender1280x720 draws the default avatar filling a 1280×720
// frame (bust shot, 4× anti-aliasing), the app's default view size.
func BenchmarkRender1280x720(b *testing.B) {
	a := defaultAvatar(b)
	f := vrm.NewRig(a).Pose(&vrm.Pose{})
	r := render.New(render.Options{})
	defer r.Close()
	sc := render.DefaultScene(a, f, render.Camera{View: mgl32.LookAtV(mgl32.Vec3{0, 0.95, 1.9}, mgl32.Vec3{0, 0.9, 0}, mgl32.Vec3{0, 1, 0}), FOV: 30})
	sc.AA = render.AA4x
	img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	for b.Loop() {
		r.Render(img, sc)
	}
}
