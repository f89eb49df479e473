package vrm

import (
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func TestBounds(t *testing.T) {
	for name, av := range synthVariants(t) {
		rg := NewRig(av)
		rg.SetSpringBones(false) // no hair trailing behind the root's jump
		// The synthetic triangles span each bone's position + 1 cm.
		lo, hi, ok := av.Bounds(rg.Pose(nil))
		if !ok || !near(lo, mgl32.Vec3{-0.7, 0, -0.14}, 1e-5) || !near(hi, mgl32.Vec3{0.71, 1.61, 0.09}, 1e-5) {
			t.Errorf("%s rest: bounds %v–%v (%v)", name, lo, hi, ok)
		}
		var p Pose
		p.SetRotation(humanoid.LeftUpperArm, rotZ(-90))
		p.RootPosition = mgl32.Vec3{0, 0, 1}
		lo, hi, _ = av.Bounds(rg.Pose(&p))
		if !near(lo, mgl32.Vec3{-0.7, 0, 0.86}, 1e-5) || !near(hi, mgl32.Vec3{0.21, 1.61, 1.09}, 1e-5) {
			t.Errorf("%s arm down: bounds %v–%v", name, lo, hi)
		}
		f := rg.Pose(nil)
		if o, ok := av.LookAtOrigin(f); !ok || !near(o, mgl32.Vec3{0, 1.61, 0.05}, 1e-5) {
			t.Errorf("%s: lookAt origin %v", name, o)
		}
		if h, ok := av.BonePosition(f, humanoid.Head); !ok || !near(h, mgl32.Vec3{0, 1.55, 0}, 1e-6) {
			t.Errorf("%s: head at %v", name, h)
		}
		if _, ok := av.BonePosition(f, humanoid.Jaw); ok {
			t.Errorf("%s: has no jaw", name)
		}
		if h := av.HipsHeight(); h != 1 {
			t.Errorf("%s: hips height %v", name, h)
		}
	}
	av := loadModel(t, "Godette.vrm")
	rg := NewRig(av)
	lo, hi, ok := av.Bounds(rg.Pose(nil))
	if !ok || lo[1] < -0.01 || lo[1] > 0.05 || hi[1] < 1.0 || hi[1] > 1.5 || lo[0] > -0.4 || hi[0] < 0.4 {
		t.Errorf("Godette bounds %v–%v", lo, hi)
	}
	if n := testing.AllocsPerRun(10, func() { av.Bounds(rg.Pose(nil)) }); n != 0 {
		t.Errorf("Bounds allocates %v times", n)
	}
}

// TestBoundsShortFrame: a hand-made Frame with missing palettes and weights
// gives a box, not a panic.
func TestBoundsShortFrame(t *testing.T) {
	av := loadModel(t, "Godette.vrm")
	f := NewRig(av).Pose(nil)
	short := &Frame{NodeWorld: f.NodeWorld, JointPalettes: [][]mgl32.Mat4{f.JointPalettes[0][:3]}}
	if _, _, ok := av.Bounds(short); !ok {
		t.Error("no bounds for a short frame")
	}
}
