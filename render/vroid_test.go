package render

import (
	"bytes"
	"image"
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/vroid"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Tests on the VRoid-layout avatar (internal/vroid): meshes whose
// primitives share one vertex buffer, MToon outlines with a width texture,
// BLEND hair and eyelashes, 57 morph targets, 2048² textures.

// loadVRoid loads a fresh copy of the VRoid-layout avatar; vroid.VRM makes
// the file once per test binary.
func loadVRoid(t testing.TB) *vrm.Model {
	t.Helper()
	a, err := vroid.Load()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// vroidPose lowers the arms, turns the head a little and smiles.
func vroidPose() *vrm.Pose {
	p := &vrm.Pose{}
	p.SetRotation(humanoid.LeftUpperArm, mgl32.QuatRotate(-65*math.Pi/180, mgl32.Vec3{0, 0, 1}))
	p.SetRotation(humanoid.RightUpperArm, mgl32.QuatRotate(65*math.Pi/180, mgl32.Vec3{0, 0, 1}))
	p.SetRotation(humanoid.Head, mgl32.QuatRotate(12*math.Pi/180, mgl32.Vec3{0, 1, 0}))
	p.Expressions = []vrm.ExpressionWeight{{Name: "Joy", Weight: 0.6}, {Name: "A", Weight: 0.3}}
	return p
}

func TestGoldenVRoid(t *testing.T) {
	const w, h = 320, 240
	a := loadVRoid(t)
	cases := []struct {
		name  string
		build func() Scene
	}{
		{"vroid_front", func() Scene {
			cam := FrameAvatar(a, vrm.NewRig(a).Pose(nil), 30, w/float32(h), FrameFullBody).Camera()
			return DefaultScene(a, vrm.NewRig(a).Pose(vroidPose()), cam)
		}},
		{"vroid_back", func() Scene {
			o := FrameAvatar(a, vrm.NewRig(a).Pose(nil), 30, w/float32(h), FrameFullBody)
			o.Rotate(math.Pi*0.8, 0)
			return DefaultScene(a, vrm.NewRig(a).Pose(vroidPose()), o.Camera())
		}},
		{"vroid_face", func() Scene {
			cam := FrameAvatar(a, vrm.NewRig(a).Pose(nil), 30, w/float32(h), FrameBust).Camera()
			return DefaultScene(a, vrm.NewRig(a).Pose(&vrm.Pose{Expressions: []vrm.ExpressionWeight{{Name: "Blink_L", Weight: 1}, {Name: "O", Weight: 0.7}}}), cam)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.name, renderScene(t, w, h, tc.build()))
		})
	}
}

// TestVRoidLayoutMatchesSplitBuffers draws the avatar as loaded (primitives
// sharing a buffer, outlined ones drawing a part of it: the layout that
// panicked in issue 11) and with every primitive given its own exact
// buffer: the pictures must be identical.
func TestVRoidLayoutMatchesSplitBuffers(t *testing.T) {
	a := loadVRoid(t)
	p := newPrepared(a, false)
	outlinedPart := 0
	for _, in := range p.instances {
		if in.used != nil && in.outlineWidth != nil {
			outlinedPart++
		}
	}
	if outlinedPart == 0 {
		t.Fatal("no outlined primitive draws part of a shared buffer")
	}
	split := splitLayout(a)
	cam := FrameAvatar(a, vrm.NewRig(a).Pose(nil), 30, 4.0/3, FrameFullBody).Camera()
	for _, aa := range []AA{AAOff, AA4x} {
		s1 := DefaultScene(a, vrm.NewRig(a).Pose(vroidPose()), cam)
		s2 := s1
		s2.Avatar, s2.Frame = split, vrm.NewRig(split).Pose(vroidPose())
		s1.AA, s2.AA = aa, aa
		one, two := renderScene(t, 200, 150, s1), renderScene(t, 200, 150, s2)
		if !bytes.Equal(one.Pix, two.Pix) {
			t.Errorf("%v: the shared buffers drew a different picture", aa)
		}
	}
}

// BenchmarkRenderVRoid720p: the VRoid-layout avatar posed each frame and
// drawn at 1280×720 with 4× AA and outlines.
func BenchmarkRenderVRoid720p(b *testing.B) {
	av := loadVRoid(b)
	rg := vrm.NewRig(av)
	rest := rg.Pose(nil)
	s := DefaultScene(av, rest, FrameAvatar(av, rest, 30, 16.0/9, FrameFullBody).Camera())
	r := New(Options{})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	r.Render(img, s)
	p := vroidPose()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		a := float32(i%32) * (math.Pi / 64)
		p.SetRotation(humanoid.RightUpperArm, mgl32.QuatRotate(a, mgl32.Vec3{0, 0, 1}))
		s.Frame = rg.Pose(p)
		r.Render(img, s)
	}
	reportFrameMetrics(b, triangles(av), 1280, 720)
}
