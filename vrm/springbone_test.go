package vrm

import (
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func nodePos(f *Frame, n int) mgl32.Vec3 { return f.NodeWorld[n].Col(3).Vec3() }

// hair nodes of the synthetic avatar.
const hair1, hair2, hair3 = 20, 21, 22

// colliderDistance is the distance from p to collider c's surface core
// (centre point or capsule segment) in frame f.
func colliderDistance(f *Frame, c Collider, p mgl32.Vec3) float32 {
	a := transformPoint(&f.NodeWorld[c.Node], c.Offset)
	if c.Shape == ColliderCapsule {
		b := transformPoint(&f.NodeWorld[c.Node], c.Tail)
		ab := b.Sub(a)
		t := mathx.Clamp(p.Sub(a).Dot(ab)/ab.Dot(ab), 0, 1)
		a = a.Add(ab.Mul(t))
	}
	return p.Sub(a).Len()
}

// TestSpringGravityAndCollision: the hair chain swings under gravity as the
// head nods, keeps its bone lengths, and stays out of the head sphere and
// the back capsule (at rest its tip is inside the capsule). The collision
// step pushes the tail out and then restores the bone length
// (springBone.md, three-vrm), which can leave it a few millimetres inside
// while moving; without collisions it goes 6 cm in.
func TestSpringGravityAndCollision(t *testing.T) {
	for _, rotated := range []bool{false, true} {
		av := reload(t, encode(t, synthAvatar(rotated), Version1))
		rg, still := NewRig(av), NewRig(av)
		still.SetSpringBones(false) // the kinematic pose, for comparison
		if d := colliderDistance(rg.Pose(nil), av.SpringBone.Colliders[1], av.restWorld()[hair3].Col(3).Vec3()); d >= 0.07 {
			t.Fatalf("test set-up: the hair tip should start inside the capsule, it is %v away", d)
		}
		kin := still.Pose(nil)
		l12 := nodePos(kin, hair2).Sub(nodePos(kin, hair1)).Len()
		l23 := nodePos(kin, hair3).Sub(nodePos(kin, hair2)).Len()
		var p Pose
		var f *Frame
		for i := 0; i < 240; i++ {
			p.SetRotation(humanoid.Head, rotX(float32(40*math.Sin(float64(i)*0.05))))
			f = rg.Update(&p, 1.0/60)
			for _, c := range av.SpringBone.Colliders {
				for _, n := range []int{hair2, hair3} {
					if d := colliderDistance(f, c, nodePos(f, n)); i >= 30 && d < c.Radius+0.02-0.01 {
						t.Fatalf("rotated %v, frame %d: hair node %d is %v from collider on node %d, more than 1 cm inside %v", rotated, i, n, d, c.Node, c.Radius+0.02)
					}
				}
			}
			if d := nodePos(f, hair2).Sub(nodePos(f, hair1)).Len(); math.Abs(float64(d-l12)) > 1e-4 {
				t.Fatalf("frame %d: hair 1–2 length %v, want %v", i, d, l12)
			}
			if d := nodePos(f, hair3).Sub(nodePos(f, hair2)).Len(); math.Abs(float64(d-l23)) > 1e-4 {
				t.Fatalf("frame %d: hair 2–3 length %v, want %v", i, d, l23)
			}
		}
		// With the head tipped back (rotX < 0), gravity keeps the hair tip
		// below where the head alone would carry it.
		p.SetRotation(humanoid.Head, rotX(-60))
		for i := 0; i < 120; i++ {
			f = rg.Update(&p, 1.0/60)
		}
		kin = still.Pose(&p)
		if y, ky := nodePos(f, hair3)[1], nodePos(kin, hair3)[1]; !(y < ky-0.01) {
			t.Errorf("rotated %v: hair tip at y = %v, kinematic %v: gravity did nothing", rotated, y, ky)
		}
	}
}

// TestSpringFrameRateIndependent: 60 frames at 30 fps and 240 at 120 fps
// simulate the same 2 seconds in the same fixed steps (two Rigs of one
// Model).
func TestSpringFrameRateIndependent(t *testing.T) {
	av := reload(t, encode(t, synthAvatar(true), Version1))
	a, b := NewRig(av), NewRig(av)
	var p Pose
	p.SetRotation(humanoid.Head, rotY(60))
	p.SetRotation(humanoid.Spine, rotX(20))
	for i := 0; i < 60; i++ {
		a.Update(&p, 1.0/30)
	}
	for i := 0; i < 240; i++ {
		b.Update(&p, 1.0/120)
	}
	fa, fb := a.Pose(&p), b.Pose(&p)
	for _, n := range []int{hair1, hair2, hair3} {
		if pa, pb := nodePos(fa, n), nodePos(fb, n); !near(pa, pb, 1e-6) {
			t.Errorf("node %d: %v at 30 fps, %v at 120 fps", n, pa, pb)
		}
	}
	// And the springs did move away from the kinematic pose.
	a.SetSpringBones(false)
	fk := a.Pose(&p)
	if near(nodePos(fk, hair3), nodePos(fb, hair3), 1e-3) {
		t.Errorf("hair tip did not move under the spring simulation")
	}
}

// TestSpringDisableReset: disabled springs leave the pose alone; a reset
// starts again from the pose with no velocity.
func TestSpringDisableReset(t *testing.T) {
	m := reload(t, encode(t, synthAvatar(false), Version1))
	rest := m.restWorld()
	av := NewRig(m)
	var p Pose
	p.SetRotation(humanoid.Head, rotX(80))
	for i := 0; i < 30; i++ {
		av.Update(&p, 1.0/60)
	}
	av.SetSpringBones(false)
	f := av.Update(nil, 1.0/60)
	for _, n := range []int{hair1, hair2, hair3} {
		if got := nodePos(f, n); !near(got, rest[n].Col(3).Vec3(), 1e-6) {
			t.Errorf("disabled: node %d at %v, rest %v", n, got, rest[n].Col(3).Vec3())
		}
	}
	av.SetSpringBones(true)
	av.ResetSpringBones()
	f = av.Update(nil, 0) // no time: the reset state is the pose itself
	for _, n := range []int{hair1, hair2, hair3} {
		if got := nodePos(f, n); !near(got, rest[n].Col(3).Vec3(), 1e-5) {
			t.Errorf("after reset: node %d at %v, rest %v", n, got, rest[n].Col(3).Vec3())
		}
	}
}

// TestSpringGodetteStable: Godette's VRM 0.x springs (virtual tails, no
// gravity) stay finite under wild motion and settle back near rest.
func TestSpringGodetteStable(t *testing.T) {
	av := loadModel(t, "Godette.vrm")
	var joints []int
	for _, s := range av.SpringBone.Springs {
		for _, j := range s.Joints {
			joints = append(joints, j.Node)
		}
	}
	rg := NewRig(av)
	rest := clonePoseFrame(func() *Frame { rg.SetSpringBones(false); return rg.Pose(nil) }())
	rg.SetSpringBones(true)
	var p Pose
	for i := 0; i < 300; i++ {
		p.RootPosition = mgl32.Vec3{float32(math.Sin(float64(i) * 0.3)), 0, 0}
		p.SetRotation(humanoid.Head, rotY(float32(60*math.Sin(float64(i)*0.2))))
		dt := float32(1.0 / 60)
		if i%50 == 0 {
			dt = 3 // a stall: at most MaxSpringSteps steps
		}
		f := rg.Update(&p, dt)
		for _, n := range joints {
			if !finiteVec3(nodePos(f, n)) {
				t.Fatalf("frame %d: joint %d not finite", i, n)
			}
		}
	}
	p = Pose{}
	var f *Frame
	for i := 0; i < 600; i++ {
		f = rg.Update(&p, 1.0/60)
	}
	for _, n := range joints {
		for _, c := range av.Nodes[n].Children {
			if d := nodePos(f, c).Sub(nodePos(rest, c)).Len(); d > 0.02 {
				t.Errorf("after settling, node %d is %v m from rest", c, d)
			}
		}
	}
}
