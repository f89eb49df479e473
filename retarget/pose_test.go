package retarget

import (
	"math"
	"testing"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// newPoser returns a Poser for a fresh Godette.
func newPoser(t *testing.T) *Poser {
	t.Helper()
	return NewPoser(testavatar.Godette(t))
}

func TestRootOptions(t *testing.T) {
	root := vmc.Root{
		Transform: vmc.Transform{Position: vmc.Vec3{X: 1, Y: 0.5, Z: 2}, Rotation: vmctest.UnityAxisAngle(90, 0, 1, 0)},
		Scale:     vmc.Vec3{X: 2, Y: 2, Z: 2}, Offset: vmc.Vec3{X: 0.2, Y: 0.1, Z: 0.4},
		MR: true, Received: true,
	}
	turned := FromUnityRotation(root.Rotation.Array())
	tests := []struct {
		name      string
		opts      Options
		wantPos   mgl32.Vec3
		wantRot   mgl32.Quat
		wantScale float32
	}{
		{"defaults", DefaultOptions(), mgl32.Vec3{-1, 0.5, 2}, turned, 1},
		{"no position", Options{RootRotation: true}, mgl32.Vec3{}, turned, 1},
		{"no rotation", Options{RootPosition: true}, mgl32.Vec3{-1, 0.5, 2}, mgl32.QuatIdent(), 1},
		// EVMC4U: position (p − offset) ⊙ 1/s, scale 1/s (field notes §1).
		{"MR scale and offset", Options{RootPosition: true, MRScaleOffset: true}, mgl32.Vec3{-0.4, 0.2, 0.8}, mgl32.QuatIdent(), 0.5},
		{"mirror", Options{RootPosition: true, RootRotation: true, Mirror: true}, mgl32.Vec3{1, 0.5, 2}, mirrorRot(turned), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPoser(t)
			f := &vmc.Frame{Seq: 1, Root: root}
			p.Update(f, tc.opts, nil, VMCOnly(), 1.0/60)
			got := &p.pose
			if !testavatar.VecNear(got.RootPosition, tc.wantPos, 1e-5) {
				t.Errorf("root position %v, want %v", got.RootPosition, tc.wantPos)
			}
			if !testavatar.QuatNear(got.RootRotation, tc.wantRot, 1e-5) {
				t.Errorf("root rotation %v, want %v", got.RootRotation, tc.wantRot)
			}
			if math.Abs(float64(got.RootScale-tc.wantScale)) > 1e-6 {
				t.Errorf("root scale %v, want %v", got.RootScale, tc.wantScale)
			}
		})
	}
}

func TestMRScaleWithoutMRRoot(t *testing.T) {
	// A v2.0 Root (8 arguments) has no scale: MRScaleOffset changes nothing.
	p := newPoser(t)
	f := &vmc.Frame{Seq: 1, Root: vmc.Root{Transform: vmc.Transform{Position: vmc.Vec3{X: 1}, Rotation: vmc.Identity}, Scale: vmc.Vec3{X: 1, Y: 1, Z: 1}, Received: true}}
	p.Update(f, Options{RootPosition: true, MRScaleOffset: true}, nil, VMCOnly(), 0)
	if got := p.pose.RootPosition; !testavatar.VecNear(got, mgl32.Vec3{-1, 0, 0}, 1e-6) || p.pose.RootScale != 1 {
		t.Errorf("root %v scale %v, want (-1,0,0) and 1", got, p.pose.RootScale)
	}
}

func TestBadRootScale(t *testing.T) {
	// A zero or non-finite MR scale component counts as 1, never dividing by zero.
	p := newPoser(t)
	nan := float32(math.NaN())
	f := &vmc.Frame{Seq: 1, Root: vmc.Root{Transform: vmc.Transform{Position: vmc.Vec3{X: 1, Y: 1, Z: 1}, Rotation: vmc.Identity},
		Scale: vmc.Vec3{X: 0, Y: nan, Z: 1}, MR: true, Received: true}}
	p.Update(f, Options{RootPosition: true, MRScaleOffset: true}, nil, VMCOnly(), 0)
	if got := p.pose.RootPosition; !testavatar.VecNear(got, mgl32.Vec3{-1, 1, 1}, 1e-6) || p.pose.RootScale != 1 {
		t.Errorf("root %v scale %v, want (-1,1,1) and 1", got, p.pose.RootScale)
	}
}

func TestBonePositionModes(t *testing.T) {
	hips := vmc.Transform{Position: vmc.Vec3{X: 0.1, Y: 0.9, Z: 0.2}, Rotation: vmc.Identity}
	spine := vmc.Transform{Position: vmc.Vec3{Y: 0.1}, Rotation: vmc.Identity}
	zero := vmc.Transform{Rotation: vmc.Identity} // all-zero position: "not sent"
	tests := []struct {
		mode       BonePositionMode
		positioned []humanoid.Bone
		sameModel  bool
	}{
		{PositionsHips, []humanoid.Bone{humanoid.Hips}, false},
		{PositionsAll, []humanoid.Bone{humanoid.Hips, humanoid.Spine}, true},
		{PositionsNone, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			p := newPoser(t)
			f := vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.Hips: hips, humanoid.Spine: spine, humanoid.Chest: zero})
			o := DefaultOptions()
			o.Positions = tc.mode
			p.Update(f, o, nil, VMCOnly(), 0)
			var want humanoid.Set
			for _, b := range tc.positioned {
				want = want.With(b)
			}
			if p.pose.Positioned != want {
				t.Errorf("positioned %v, want %v", p.pose.Positioned.Bones(), want.Bones())
			}
			if p.pose.SameModel != tc.sameModel {
				t.Errorf("SameModel %v, want %v", p.pose.SameModel, tc.sameModel)
			}
			if want.Has(humanoid.Hips) && !testavatar.VecNear(p.pose.Positions[humanoid.Hips], mgl32.Vec3{-0.1, 0.9, 0.2}, 1e-6) {
				t.Errorf("hips at %v, want (-0.1, 0.9, 0.2)", p.pose.Positions[humanoid.Hips])
			}
			if p.pose.Rotated.Len() != 3 {
				t.Errorf("%d bones rotated, want 3", p.pose.Rotated.Len())
			}
		})
	}
}

func TestCut(t *testing.T) {
	all := make(map[humanoid.Bone]vmc.Transform)
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		all[b] = vmctest.Rot(vmctest.UnityAxisAngle(10, 1, 0, 0))
	}
	tests := []struct {
		cut   Cut
		group humanoid.Group
		n     int // bones in the group
	}{
		{CutHead, humanoid.GroupHead, 3},
		{CutArms, humanoid.GroupArms, 8},
		{CutFingers, humanoid.GroupFingers, 30},
		{CutLegs, humanoid.GroupLegs, 8},
		{CutEyes, humanoid.GroupEyes, 2},
	}
	for _, tc := range tests {
		p := newPoser(t)
		p.Update(vmctest.FrameWith(all), Options{Cut: tc.cut}, nil, VMCOnly(), 0)
		cut := 0
		for b := humanoid.Bone(0); b < humanoid.Count; b++ {
			if inGroup := b.Group() == tc.group; inGroup == p.pose.Rotated.Has(b) {
				t.Errorf("cut %v: bone %v (group %v) rotated = %v", tc.cut, b, b.Group(), p.pose.Rotated.Has(b))
			} else if inGroup {
				cut++
			}
		}
		if cut != tc.n {
			t.Errorf("cut %v removed %d bones, want %d", tc.cut, cut, tc.n)
		}
	}
}

func TestMirror(t *testing.T) {
	p := newPoser(t)
	f := vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)})
	f.Blends = []vmc.Blend{{Name: "Blink_L", Value: 1}}
	o := DefaultOptions()
	o.Mirror = true
	p.Update(f, o, nil, VMCOnly(), 0)
	if p.pose.Rotated.Has(humanoid.LeftUpperArm) || !p.pose.Rotated.Has(humanoid.RightUpperArm) {
		t.Fatalf("mirror: rotated %v, want the right upper arm only", p.pose.Rotated.Bones())
	}
	want := mirrorRot(FromUnityRotation(vmctest.RaisedLeftArm.Array()))
	if got := p.pose.Rotations[humanoid.RightUpperArm]; !testavatar.QuatNear(got, want, 1e-6) {
		t.Errorf("right upper arm %v, want %v", got, want)
	}
	// The mirrored pose raises the right hand as high as the left one was.
	fr := vrm.NewRig(p.av).Pose(&p.pose)
	right, _ := p.av.BonePosition(fr, humanoid.RightHand)
	p2 := newPoser(t)
	p2.Update(f, DefaultOptions(), nil, VMCOnly(), 0)
	fr2 := vrm.NewRig(p2.av).Pose(&p2.pose)
	left, _ := p2.av.BonePosition(fr2, humanoid.LeftHand)
	if !testavatar.VecNear(right, mirrorPos(left), 0.02) {
		t.Errorf("mirrored right hand at %v, want the mirror image of the left hand %v", right, left)
	}
	// Blink_L became blinkRight.
	if len(p.pose.Expressions) != 1 || p.pose.Expressions[0].Name != "blinkRight" {
		t.Errorf("mirrored expressions %v, want blinkRight", p.pose.Expressions)
	}
}

func TestMirrorName(t *testing.T) {
	for in, want := range map[string]string{
		"Blink_L": "Blink_R", "blink_r": "blink_l", "blinkLeft": "blinkRight", "LookRight": "LookLeft",
		"eyeLookInLeft": "eyeLookInRight", "mouthRight": "mouthLeft", "EyeSquintLeft": "EyeSquintRight",
		"jawLeft": "jawRight", "leftEyeWide": "rightEyeWide",
	} {
		if got, ok := mirrorName(in); !ok || got != want {
			t.Errorf("mirrorName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"aa", "blink", "happy", "", "_"} {
		if got, ok := mirrorName(in); ok {
			t.Errorf("mirrorName(%q) = %q, want no side", in, got)
		}
	}
}

func TestBoneSmoothing(t *testing.T) {
	tau := 100 * time.Millisecond
	o := DefaultOptions()
	o.BoneSmoothing = tau
	p := newPoser(t)
	rest := vmctest.Rot(vmc.Identity)
	p.Update(vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: rest, humanoid.LeftIndexProximal: rest, humanoid.LeftEye: rest}), o, nil, VMCOnly(), 0)

	bent := vmctest.Rot(vmctest.UnityAxisAngle(-80, 0, 0, 1))
	f := vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: bent, humanoid.LeftIndexProximal: bent, humanoid.LeftEye: bent})
	target := FromUnityRotation(bent.Rotation.Array())
	// After tau·ln 2 the arm is half-way (time-based: one step or many).
	half := tau.Seconds() * math.Ln2
	for _, steps := range []int{1, 7} {
		p2 := newPoser(t)
		p2.Update(vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: rest}), o, nil, VMCOnly(), 0)
		var moving bool
		for range steps {
			moving = p2.Update(f, o, nil, VMCOnly(), half/float64(steps))
		}
		if !moving {
			t.Errorf("%d steps: not moving half-way", steps)
		}
		angle := func(q mgl32.Quat) float64 { return 2 * math.Acos(math.Min(1, math.Abs(float64(q.W)))) * 180 / math.Pi }
		if got := angle(p2.pose.Rotations[humanoid.LeftUpperArm]); math.Abs(got-40) > 0.5 {
			t.Errorf("%d steps: arm at %.2f° after τ·ln2, want 40°", steps, got)
		}
	}
	// Fingers and eyes are not smoothed (EVMC4U).
	p.Update(f, o, nil, VMCOnly(), 0.001)
	for _, b := range []humanoid.Bone{humanoid.LeftIndexProximal, humanoid.LeftEye} {
		if got := p.pose.Rotations[b]; !testavatar.QuatNear(got, target, 1e-6) {
			t.Errorf("%v smoothed: %v, want %v at once", b, got, target)
		}
	}
	// It settles: after long enough it reports rest and sits on the target.
	moving := true
	for i := 0; i < 1000 && moving; i++ {
		moving = p.Update(f, o, nil, VMCOnly(), 1.0/60)
	}
	if moving {
		t.Fatal("smoothing never settled")
	}
	if got := p.pose.Rotations[humanoid.LeftUpperArm]; got != target {
		t.Errorf("settled arm %v, want exactly %v", got, target)
	}
}

func TestBlendSmoothing(t *testing.T) {
	o := DefaultOptions()
	o.BlendSmoothing = 100 * time.Millisecond
	p := newPoser(t)
	f := &vmc.Frame{Seq: 1, Blends: []vmc.Blend{{Name: "A", Value: 0}, {Name: "Blink", Value: 0}}}
	p.Update(f, o, nil, VMCOnly(), 0)
	f.Blends[0].Value, f.Blends[1].Value = 1, 1
	p.Update(f, o, nil, VMCOnly(), o.BlendSmoothing.Seconds()*math.Ln2)
	w := map[string]float32{}
	for _, e := range p.pose.Expressions {
		w[e.Name] = e.Weight
	}
	if math.Abs(float64(w["aa"])-0.5) > 1e-3 {
		t.Errorf("aa = %v after τ·ln2, want 0.5", w["aa"])
	}
	if w["blink"] != 1 {
		t.Errorf("blink = %v, want 1 at once (blinks are not smoothed)", w["blink"])
	}
}

func TestBlendsAndUnmatched(t *testing.T) {
	p := newPoser(t)
	f := &vmc.Frame{Seq: 1, Blends: []vmc.Blend{
		{Name: "Joy", Value: 0.7}, {Name: "NoSuchShape", Value: 1}, {Name: "A", Value: float32(math.NaN())}, {Name: "O", Value: 3},
	}}
	p.Update(f, DefaultOptions(), nil, VMCOnly(), 0)
	want := map[string]float32{"happy": 0.7, "oh": 1}
	if len(p.pose.Expressions) != len(want) {
		t.Errorf("expressions %v, want %v", p.pose.Expressions, want)
	}
	for _, e := range p.pose.Expressions {
		if want[e.Name] != e.Weight {
			t.Errorf("%s = %v, want %v", e.Name, e.Weight, want[e.Name])
		}
	}
	if u := p.Unmatched(); len(u) != 1 || u[0] != "NoSuchShape" {
		t.Errorf("unmatched %v, want [NoSuchShape]", u)
	}
	// The slot cache follows a renamed slot.
	f.Blends[0].Name = "Angry"
	p.Update(f, DefaultOptions(), nil, VMCOnly(), 0)
	if x, _ := p.av.ExpressionIndex("angry"); p.eCur[x] != 0.7 {
		t.Errorf("renamed slot: angry = %v, want 0.7", p.eCur[x])
	}
}

func TestFaceMix(t *testing.T) {
	// The face overrides what it lists (blink by name, aa and lookLeft by
	// index); the Performer's angry, which the face does not list, stays.
	head := mgl32.QuatRotate(0.5, mgl32.Vec3{0, 1, 0})
	chest := mgl32.QuatRotate(0.2, mgl32.Vec3{0, 0, 1})
	vmcChest := vmctest.UnityAxisAngle(30, 1, 0, 0)
	p0 := newPoser(t)
	aaIdx, _ := p0.av.ExpressionIndex("aa")
	lookIdx, _ := p0.av.ExpressionIndex("lookLeft")
	face := &Face{
		Expressions: []vrm.ExpressionWeight{{Name: "blink", Weight: 0.8}},
		Slots:       []ExpressionSlot{{Index: int32(aaIdx), Weight: 1}, {Index: -1, Weight: 1}, {Index: 9999, Weight: 1}},
		Gaze:        []ExpressionSlot{{Index: int32(lookIdx), Weight: 0.6}},
		Bones:       []BoneRotation{{humanoid.Head, head}, {humanoid.Chest, chest}, {humanoid.LeftEye, head}},
	}
	f := vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.Chest: vmctest.Rot(vmcChest)})
	f.Blends = []vmc.Blend{{Name: "Blink", Value: 0.5}, {Name: "Angry", Value: 0.4}, {Name: "LookLeft", Value: 0.2}}
	vmcChestVRM := FromUnityRotation(vmcChest.Array())
	tests := []struct {
		name                 string
		mix                  FaceMix
		blink, aa, angry, lk float32
		headRot, chestRot    mgl32.Quat
		headSet, eyesSet     bool
	}{
		{"both full", DefaultFaceMix(), 0.8, 1, 0.4, 0.6, head, vmcChestVRM.Mul(chest), true, true},
		{"half face", FaceMix{VMCWeight: 1, FaceWeight: 0.5, Head: true}, 0.65, 0.5, 0.4, 0.2,
			mgl32.QuatSlerp(mgl32.QuatIdent(), head, 0.5), vmcChestVRM.Mul(mgl32.QuatSlerp(mgl32.QuatIdent(), chest, 0.5)), true, false},
		{"face only", FaceMix{FaceWeight: 1, Eyes: true}, 0.8, 1, 0, 0.6, mgl32.Quat{}, vmcChestVRM, false, true},
		{"VMC only", FaceMix{VMCWeight: 1}, 0.5, 0, 0.4, 0.2, mgl32.Quat{}, vmcChestVRM, false, false},
		{"VMC at half", FaceMix{VMCWeight: 0.5, FaceWeight: 1}, 0.8, 1, 0.2, 0.1, mgl32.Quat{}, vmcChestVRM, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPoser(t)
			p.Update(f, DefaultOptions(), face, tc.mix, 0)
			want := map[string]float32{"blink": tc.blink, "aa": tc.aa, "angry": tc.angry, "lookLeft": tc.lk}
			for name, w := range want {
				i, _ := p.av.ExpressionIndex(name)
				if math.Abs(float64(p.eCur[i]-w)) > 1e-6 {
					t.Errorf("%s = %v, want %v", name, p.eCur[i], w)
				}
			}
			if p.pose.Rotated.Has(humanoid.Head) != tc.headSet || p.pose.Rotated.Has(humanoid.LeftEye) != tc.eyesSet {
				t.Fatalf("rotated %v", p.pose.Rotated.Bones())
			}
			if tc.headSet && !testavatar.QuatNear(p.pose.Rotations[humanoid.Head], tc.headRot, 1e-5) {
				t.Errorf("head %v, want %v", p.pose.Rotations[humanoid.Head], tc.headRot)
			}
			// The chest follow is composed with the Performer's chest.
			if !testavatar.QuatNear(p.pose.Rotations[humanoid.Chest], tc.chestRot, 1e-5) {
				t.Errorf("chest %v, want %v", p.pose.Rotations[humanoid.Chest], tc.chestRot)
			}
		})
	}
}

func TestNonFiniteInput(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	p := newPoser(t)
	f := vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{
		humanoid.Hips:         {Position: vmc.Vec3{X: nan, Y: 1, Z: 0}, Rotation: vmc.Quat{X: nan, W: 1}},
		humanoid.LeftUpperArm: {Rotation: vmc.Quat{X: inf, Y: 0, Z: 0, W: 1}},
	})
	f.Root = vmc.Root{Transform: vmc.Transform{Position: vmc.Vec3{X: inf}, Rotation: vmc.Quat{}}, Received: true}
	p.Update(f, DefaultOptions(), nil, VMCOnly(), 0)
	check := func(what string, v ...float32) {
		for _, x := range v {
			if !finite(x) {
				t.Errorf("%s is not finite: %v", what, v)
			}
		}
	}
	check("root position", p.pose.RootPosition[:]...)
	q := p.pose.RootRotation
	check("root rotation", q.W, q.V[0], q.V[1], q.V[2])
	for _, b := range p.pose.Rotated.Bones() {
		q := p.pose.Rotations[b]
		check(b.String(), q.W, q.V[0], q.V[1], q.V[2])
	}
	if p.pose.Positioned.Has(humanoid.Hips) {
		t.Error("a NaN hips position was applied")
	}
	// Finite but absurd: 1e38 m hips, 1e6 m root, a 1e-9 MR scale.
	p = newPoser(t)
	f = vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.Hips: {Position: vmc.Vec3{X: 2e38, Y: 1}, Rotation: vmc.Identity}})
	f.Root = vmc.Root{Transform: vmc.Transform{Position: vmc.Vec3{Y: 1e6}, Rotation: vmc.Identity},
		Scale: vmc.Vec3{X: 1e-5, Y: 1e-5, Z: 1e-5}, MR: true, Received: true}
	o := DefaultOptions()
	o.MRScaleOffset = true
	p.Update(f, o, nil, VMCOnly(), 0)
	if p.pose.Positioned.Has(humanoid.Hips) || p.pose.RootPosition != (mgl32.Vec3{}) || p.pose.RootScale != maxRootScale {
		t.Errorf("absurd values applied: hips %v root %v scale %v", p.pose.Positions[humanoid.Hips], p.pose.RootPosition, p.pose.RootScale)
	}
	fr := vrm.NewRig(p.av).Pose(&p.pose)
	for i, m := range fr.NodeWorld {
		for _, x := range m {
			if !finite(x) {
				t.Fatalf("node %d world matrix not finite: %v", i, m)
			}
		}
	}
}
