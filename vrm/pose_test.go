package vrm

import (
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func rotX(deg float32) mgl32.Quat {
	return mgl32.QuatRotate(mgl32.DegToRad(deg), mgl32.Vec3{1, 0, 0})
}
func rotY(deg float32) mgl32.Quat {
	return mgl32.QuatRotate(mgl32.DegToRad(deg), mgl32.Vec3{0, 1, 0})
}
func rotZ(deg float32) mgl32.Quat {
	return mgl32.QuatRotate(mgl32.DegToRad(deg), mgl32.Vec3{0, 0, 1})
}

// synthVariants writes the synthetic avatar as VRM 1.0 with non-identity
// rest rotations, VRM 1.0 with identity ones, and VRM 0.x, and loads them.
func synthVariants(t testing.TB) map[string]*Model {
	t.Helper()
	return map[string]*Model{
		"vrm1-rotated":  reload(t, encode(t, synthAvatar(true), Version1)),
		"vrm1-identity": reload(t, encode(t, synthAvatar(false), Version1)),
		"vrm0":          reload(t, encode(t, synthAvatar(false), Version0)),
	}
}

func bonePos(av *Model, f *Frame, b humanoid.Bone) mgl32.Vec3 {
	return f.NodeWorld[av.Humanoid.Node(b)].Col(3).Vec3()
}

// TestNormalizedRigHandComputed poses the synthetic humanoid and checks
// bone positions worked out by hand from the rest positions in
// synthSkeleton. The rotations follow three-vrm's normalized-bone
// convention (VRM 1.0 frame, avatar facing +Z, its left on +X): a
// normalized rotation is applied in model axes, relative to the parent
// bone's normalized frame.
func TestNormalizedRigHandComputed(t *testing.T) {
	type want struct {
		bone humanoid.Bone
		pos  mgl32.Vec3
	}
	tests := []struct {
		name string
		pose func(p *Pose)
		want []want
	}{
		{"rest", func(p *Pose) {}, []want{
			{humanoid.Hips, mgl32.Vec3{0, 1, 0}}, {humanoid.LeftHand, mgl32.Vec3{0.7, 1.4, 0}}, {humanoid.RightFoot, mgl32.Vec3{-0.1, 0.08, 0}},
		}},
		// −90° about +Z turns +X (the left arm's direction) to −Y: arm down.
		{"left arm down", func(p *Pose) { p.SetRotation(humanoid.LeftUpperArm, rotZ(-90)) }, []want{
			{humanoid.LeftUpperArm, mgl32.Vec3{0.2, 1.4, 0}}, {humanoid.LeftLowerArm, mgl32.Vec3{0.2, 1.15, 0}}, {humanoid.LeftHand, mgl32.Vec3{0.2, 0.9, 0}},
			{humanoid.RightHand, mgl32.Vec3{-0.7, 1.4, 0}},
		}},
		// +90° about Y takes +X to −Z; the arm's rotation composes under it.
		{"spine turned, arm down", func(p *Pose) {
			p.SetRotation(humanoid.Spine, rotY(90))
			p.SetRotation(humanoid.LeftUpperArm, rotZ(-90))
		}, []want{
			{humanoid.LeftUpperArm, mgl32.Vec3{0, 1.4, -0.2}}, {humanoid.LeftHand, mgl32.Vec3{0, 0.9, -0.2}},
			{humanoid.RightHand, mgl32.Vec3{0, 1.4, 0.7}}, {humanoid.Head, mgl32.Vec3{0, 1.55, 0}},
		}},
		// +90° about X takes −Y to −Z: the knee bends backwards.
		{"right knee bent", func(p *Pose) { p.SetRotation(humanoid.RightLowerLeg, rotX(90)) }, []want{
			{humanoid.RightLowerLeg, mgl32.Vec3{-0.1, 0.5, 0}}, {humanoid.RightFoot, mgl32.Vec3{-0.1, 0.5, -0.42}},
		}},
		{"lower elbow bent after shoulder", func(p *Pose) {
			p.SetRotation(humanoid.LeftUpperArm, rotZ(-90))
			p.SetRotation(humanoid.LeftLowerArm, rotY(-90)) // in the arm's frame (after its −90° Z): +X… hand goes to +Z
		}, []want{
			{humanoid.LeftLowerArm, mgl32.Vec3{0.2, 1.15, 0}}, {humanoid.LeftHand, mgl32.Vec3{0.2, 1.15, 0.25}},
		}},
		{"hips moved", func(p *Pose) { p.SetPosition(humanoid.Hips, mgl32.Vec3{0, 0.5, 0.2}) }, []want{
			{humanoid.Hips, mgl32.Vec3{0, 0.5, 0.2}}, {humanoid.Head, mgl32.Vec3{0, 1.05, 0.2}},
		}},
		{"hips scaled by hips height", func(p *Pose) {
			p.SetPosition(humanoid.Hips, mgl32.Vec3{0, 2, 0.4})
			p.SourceHipsHeight = 2 // sender twice as tall
		}, []want{{humanoid.Hips, mgl32.Vec3{0, 1, 0.2}}}},
		{"root turned and moved", func(p *Pose) {
			p.RootPosition = mgl32.Vec3{1, 0, 0}
			p.RootRotation = rotY(180)
		}, []want{
			{humanoid.Hips, mgl32.Vec3{1, 1, 0}}, {humanoid.LeftHand, mgl32.Vec3{0.3, 1.4, 0}},
		}},
		{"same model positions", func(p *Pose) {
			p.SameModel = true
			p.SetPosition(humanoid.LeftLowerArm, mgl32.Vec3{0.3, 0, 0}) // longer upper arm
		}, []want{{humanoid.LeftLowerArm, mgl32.Vec3{0.5, 1.4, 0}}, {humanoid.LeftHand, mgl32.Vec3{0.75, 1.4, 0}}}},
		{"positions ignored without same model", func(p *Pose) {
			p.SetPosition(humanoid.LeftLowerArm, mgl32.Vec3{0.3, 0, 0})
		}, []want{{humanoid.LeftLowerArm, mgl32.Vec3{0.45, 1.4, 0}}}},
	}
	for vname, av := range synthVariants(t) {
		rg := NewRig(av)
		for _, tt := range tests {
			var p Pose
			tt.pose(&p)
			f := rg.Pose(&p)
			for _, w := range tt.want {
				if got := bonePos(av, f, w.bone); !near(got, w.pos, 1e-5) {
					t.Errorf("%s, %s: %s at %v, want %v", vname, tt.name, w.bone, got, w.pos)
				}
			}
		}
	}
}

// TestSameNormalizedPoseVRM0VRM1: one normalized pose on every bone gives
// the same world positions and bone directions on the VRM 0.x and the VRM
// 1.0 (non-identity rest) versions of one skeleton, and skinned vertices
// follow their bones.
func TestSameNormalizedPoseVRM0VRM1(t *testing.T) {
	vs := synthVariants(t)
	a, b := vs["vrm1-rotated"], vs["vrm0"]
	var p Pose
	for i, bone := range a.Humanoid.Present.Bones() {
		f := float64(i)
		p.SetRotation(bone, quat.Normalize(mgl32.Quat{W: float32(2 + math.Cos(f)), V: mgl32.Vec3{float32(math.Sin(f * 1.7)), float32(math.Cos(f * 2.3)), float32(math.Sin(f * 0.9))}}))
	}
	p.SetPosition(humanoid.Hips, mgl32.Vec3{0.1, 0.9, -0.2})
	p.RootRotation = rotY(30)
	fa := NewRig(a).Pose(&p)
	fb := NewRig(b).Pose(&p)
	for _, bone := range a.Humanoid.Present.Bones() {
		pa, pb := bonePos(a, fa, bone), bonePos(b, fb, bone)
		if !near(pa, pb, 1e-5) {
			t.Errorf("%s: VRM 1.0 at %v, VRM 0.x at %v", bone, pa, pb)
		}
		if par := bone.ParentIn(a.Humanoid.Present); par != humanoid.None {
			da := pa.Sub(bonePos(a, fa, par)).Normalize()
			db := pb.Sub(bonePos(b, fb, par)).Normalize()
			if !near(da, db, 1e-5) {
				t.Errorf("%s direction: VRM 1.0 %v, VRM 0.x %v", bone, da, db)
			}
		}
	}
	// Skinned vertices: each synthetic triangle follows its bone.
	for _, av := range []*Model{a, b} {
		f := NewRig(av).Pose(&p)
		checkSkinFollowsBones(t, av, f)
	}
}

// clonePoseFrame copies the node matrices of a frame (the Rig reuses it).
func clonePoseFrame(f *Frame) *Frame {
	return &Frame{NodeWorld: append([]mgl32.Mat4(nil), f.NodeWorld...)}
}

// checkSkinFollowsBones checks that palette-skinned vertices equal the
// joint's world matrix applied to the vertex's position relative to the
// joint at rest.
func checkSkinFollowsBones(t *testing.T, av *Model, f *Frame) {
	t.Helper()
	rest := av.restWorld()
	for ni, nd := range av.Nodes {
		if nd.Mesh < 0 || nd.Skin < 0 {
			continue
		}
		sk := av.Skins[nd.Skin]
		for _, prim := range av.Meshes[nd.Mesh].Primitives {
			for v, pos := range prim.Positions {
				j := prim.Joints[v][0]
				skinned := transformPoint(&f.JointPalettes[nd.Skin][j], pos)
				node := sk.Joints[j]
				inv := affineInverse(&rest[node])
				restMesh := transformPoint(&rest[ni], pos)
				want := transformPoint(&f.NodeWorld[node], transformPoint(&inv, restMesh))
				if !near(skinned, want, 1e-5) {
					t.Fatalf("vertex %d (joint node %d): skinned to %v, want %v", v, node, skinned, want)
				}
			}
		}
	}
}

// TestDebugRobotNonIdentityRest poses a real VRM 1.0 file whose bones have
// non-identity rest rotations: a normalized −90° about Z on the left upper
// arm must hang the arm straight down, the lower arm and hand at the rest
// bone lengths below the shoulder joint.
func TestDebugRobotNonIdentityRest(t *testing.T) {
	av := loadModel(t, "debug_robot_vrm1.vrm")
	rg := NewRig(av)
	rest := clonePoseFrame(rg.Pose(nil))
	ua, la, h := bonePos(av, rest, humanoid.LeftUpperArm), bonePos(av, rest, humanoid.LeftLowerArm), bonePos(av, rest, humanoid.LeftHand)
	l1, l2 := la.Sub(ua).Len(), h.Sub(la).Len()
	var p Pose
	p.SetRotation(humanoid.LeftUpperArm, rotZ(-90))
	f := rg.Pose(&p)
	if got, want := bonePos(av, f, humanoid.LeftLowerArm), ua.Sub(mgl32.Vec3{0, l1, 0}); !near(got, want, 1e-4) {
		t.Errorf("left lower arm at %v, want %v", got, want)
	}
	if got, want := bonePos(av, f, humanoid.LeftHand), ua.Sub(mgl32.Vec3{0, l1 + l2, 0}); !near(got, want, 1e-4) {
		t.Errorf("left hand at %v, want %v", got, want)
	}
	// Every bone keeps its rest position under the identity pose.
	var id Pose
	for _, b := range av.Humanoid.Present.Bones() {
		id.SetRotation(b, mgl32.QuatIdent())
	}
	f = rg.Pose(&id)
	for _, b := range av.Humanoid.Present.Bones() {
		if got, want := bonePos(av, f, b), bonePos(av, rest, b); !near(got, want, 1e-5) {
			t.Errorf("identity pose moved %s from %v to %v", b, want, got)
		}
	}
}

// TestPoseAllocs: evaluating a full pose (springs on) allocates nothing,
// also with a second Rig of the same Model posed in between.
func TestPoseAllocs(t *testing.T) {
	av := loadModel(t, "Godette.vrm")
	p := fullPose(av)
	rg, other := NewRig(av), NewRig(av)
	rg.Update(p, 1.0/60)
	other.Update(nil, 1.0/60)
	if n := testing.AllocsPerRun(50, func() { rg.Update(p, 1.0/60); other.Update(nil, 1.0/60) }); n != 0 {
		t.Errorf("Update allocates %v times per call", n)
	}
}

// fullPose rotates every bone of av and sets every expression to 0.5.
func fullPose(av *Model) *Pose {
	p := &Pose{}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		p.SetRotation(b, rotX(float32(b)))
	}
	p.SetPosition(humanoid.Hips, mgl32.Vec3{0, 0.7, 0.1})
	for _, x := range av.Expressions {
		p.Expressions = append(p.Expressions, ExpressionWeight{Name: x.Name, Weight: 0.5})
	}
	p.LookAt = LookAtInput{Mode: LookAtTarget, Target: mgl32.Vec3{0.3, 1.2, 1}}
	return p
}
