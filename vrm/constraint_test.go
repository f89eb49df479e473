package vrm

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

// synthExtra is a node synthConstrained adds to the synthetic skeleton, with
// the constraint it carries.
type synthExtra struct {
	name   string
	parent int
	t      mgl32.Vec3 // local translation, metres
	c      NodeConstraint
}

// Node indices of synthConstrained (synthSkeleton has 0–22, the mesh node
// is 23).
const (
	scHeadAccessory = 24 + iota
	scLeftSleeveTip
	scLeftSleeve
	scRightSubArm
	scLeftLowerTwist
	scLeftUpperTwist
	scRightSubTwist
	scRightLowerTwist
	scPointer
	scSleeveChain1
	scSleeveChain2
)

var synthExtras = []synthExtra{
	// Rotation from a node that is itself constrained (later in file order).
	{"HeadAccessory", 5, mgl32.Vec3{0.02, 0.12, 0.03}, NodeConstraint{Source: scRightSubArm, Type: ConstraintRotation, Weight: 0.3}},
	// Aim whose parent is aim-constrained and whose source is roll-constrained.
	{"LeftSleeveTip", scLeftSleeve, mgl32.Vec3{0.12, -0.01, 0.02}, NodeConstraint{Source: scLeftLowerTwist, Type: ConstraintAim, Axis: AxisNegativeZ, Weight: 0.9}},
	{"LeftSleeve", 3, mgl32.Vec3{0.15, 0.12, 0.02}, NodeConstraint{Source: 9, Type: ConstraintAim, Axis: AxisPositiveX, Weight: 0.8}},
	{"RightSubArm", 3, mgl32.Vec3{-0.15, 0.05, -0.05}, NodeConstraint{Source: 11, Type: ConstraintRotation, Weight: 0.6}},
	{"LeftLowerArmTwist", 9, mgl32.Vec3{0.1, 0.005, 0}, NodeConstraint{Source: 10, Type: ConstraintRoll, Axis: AxisPositiveX, Weight: 0.5}},
	{"LeftUpperArmTwist", 8, mgl32.Vec3{0.08, 0, 0.01}, NodeConstraint{Source: 9, Type: ConstraintRoll, Axis: AxisPositiveY, Weight: 0.7}},
	// Roll from its own (rotation-constrained) parent.
	{"RightSubArmTwist", scRightSubArm, mgl32.Vec3{-0.1, 0, 0}, NodeConstraint{Source: scRightSubArm, Type: ConstraintRoll, Axis: AxisPositiveZ, Weight: 1}},
	{"RightLowerArmTwist", 12, mgl32.Vec3{-0.12, 0, 0.01}, NodeConstraint{Source: 13, Type: ConstraintRoll, Axis: AxisPositiveZ, Weight: 1}},
	// A root node aiming at the head: its parent frame is the root transform.
	{"Pointer", -1, mgl32.Vec3{0.5, 1.2, 0.6}, NodeConstraint{Source: 5, Type: ConstraintAim, Axis: AxisPositiveY, Weight: 1}},
	// Unconstrained children of a constrained node (a spring chain in
	// TestConstraintsRunBeforeSpringBones).
	{"SleeveChain1", scLeftSleeve, mgl32.Vec3{0.05, -0.05, 0}, NodeConstraint{Source: -1}},
	{"SleeveChain2", scSleeveChain1, mgl32.Vec3{0, -0.08, 0}, NodeConstraint{Source: -1}},
}

// synthConstrained is synthAvatar(rotated) with the nodes of synthExtras
// added (arbitrary rest rotations, so every frame differs), carrying roll,
// aim and rotation constraints with weights below and at 1, chained
// through each other and listed out of dependency order.
func synthConstrained(rotated bool) *Model {
	av := synthAvatar(rotated)
	for k, x := range synthExtras {
		i := len(av.Nodes)
		nd := Node{Name: x.name, Parent: x.parent, Mesh: -1, Skin: -1, Scale: mgl32.Vec3{1, 1, 1},
			Translation: x.t, Rotation: synthRestRotation(40 + k)}
		av.Nodes = append(av.Nodes, nd)
		if x.parent < 0 {
			av.Scene = append(av.Scene, i)
		}
		if x.c.Source >= 0 {
			c := x.c
			c.Node = i
			av.Constraints = append(av.Constraints, c)
		}
	}
	for i, x := range synthExtras {
		if x.parent >= 0 {
			p := &av.Nodes[x.parent]
			p.Children = append(p.Children, 24+i)
		}
	}
	return av
}

// synthPoses are poses for the constraint tests: every source moves, with
// twist and swing, and the avatar stands away from the origin.
func synthPoses() []*Pose {
	q := func(deg float32, x, y, z float32) mgl32.Quat {
		return mgl32.QuatRotate(mgl32.DegToRad(deg), mgl32.Vec3{x, y, z}.Normalize())
	}
	a := &Pose{}
	a.SetRotation(humanoid.LeftUpperArm, q(50, 0.3, 0.2, -1))
	a.SetRotation(humanoid.LeftLowerArm, q(70, 0.9, 0.4, 0.1))
	a.SetRotation(humanoid.LeftHand, q(80, 1, 0.3, 0.2))
	a.SetRotation(humanoid.RightUpperArm, q(60, -0.4, 1, 0.5))
	a.SetRotation(humanoid.RightLowerArm, q(45, 0.2, 1, 0))
	a.SetRotation(humanoid.RightHand, q(110, -1, 0.1, 0.4))
	a.SetRotation(humanoid.Chest, q(20, 0.1, 1, 0.2))
	a.SetRotation(humanoid.Head, q(30, 1, 0.5, 0))
	a.SetPosition(humanoid.Hips, mgl32.Vec3{0.1, 0.9, -0.05})
	b := &Pose{RootPosition: mgl32.Vec3{0.3, 0, -0.4}, RootRotation: q(70, 0.2, 1, 0), RootScale: 1}
	b.SetRotation(humanoid.LeftHand, q(170, 1, 0, 0))
	b.SetRotation(humanoid.RightHand, q(150, 0.2, 0.3, 1))
	b.SetRotation(humanoid.Spine, q(35, 1, 0, 0.3))
	b.SetRotation(humanoid.LeftLowerArm, q(120, 0, 1, 0))
	b.SetRotation(humanoid.RightUpperArm, q(90, 0, 0, 1))
	return []*Pose{nil, a, b}
}

// constraintByNode returns av's constraint on node, or fails.
func constraintByNode(t *testing.T, av *Model, node int) NodeConstraint {
	t.Helper()
	for _, c := range av.Constraints {
		if c.Node == node {
			return c
		}
	}
	t.Fatalf("no constraint on node %d", node)
	return NodeConstraint{}
}

// angleDeg is the angle of the rotation between unit quaternions a and b,
// computed in float64 as 2·atan2(|v|, |w|) of a⁻¹·b (acos of a float32 dot
// product is only good to about 0.05° near zero).
func angleDeg(a, b mgl32.Quat) float64 {
	f := func(x float32) float64 { return float64(x) }
	aw, ax, ay, az := f(a.W), -f(a.V[0]), -f(a.V[1]), -f(a.V[2])
	bw, bx, by, bz := f(b.W), f(b.V[0]), f(b.V[1]), f(b.V[2])
	w := aw*bw - ax*bx - ay*by - az*bz
	x := aw*bx + ax*bw + ay*bz - az*by
	y := aw*by - ax*bz + ay*bw + az*bx
	z := aw*bz + ax*by - ay*bx + az*bw
	return 2 * math.Atan2(math.Sqrt(x*x+y*y+z*z), math.Abs(w)) * 180 / math.Pi
}

// vecAngleDeg is the angle between two vectors, in float64.
func vecAngleDeg(a, b mgl32.Vec3) float64 {
	x, y := [3]float64{float64(a[0]), float64(a[1]), float64(a[2])}, [3]float64{float64(b[0]), float64(b[1]), float64(b[2])}
	c := [3]float64{x[1]*y[2] - x[2]*y[1], x[2]*y[0] - x[0]*y[2], x[0]*y[1] - x[1]*y[0]}
	return math.Atan2(math.Sqrt(c[0]*c[0]+c[1]*c[1]+c[2]*c[2]), x[0]*y[0]+x[1]*y[1]+x[2]*y[2]) * 180 / math.Pi
}

// powQuat returns q^t for a unit quaternion (the same axis, t times the
// angle, along the shorter arc).
func powQuat(q mgl32.Quat, t float64) mgl32.Quat {
	if q.W < 0 {
		q = mgl32.Quat{W: -q.W, V: q.V.Mul(-1)}
	}
	half := math.Acos(min(float64(q.W), 1))
	s := math.Sin(half)
	if s < 1e-9 {
		return mgl32.QuatIdent()
	}
	axis := q.V.Mul(float32(1 / s))
	return mgl32.QuatRotate(float32(2*half*t), axis)
}

// TestConstraintSemantics checks each kind against the spec's definition,
// computed independently of the implementation: rotation copies the
// source's local turn from rest, scaled by the weight; roll keeps only the
// twist of the source's turn about the roll axis (swing-twist
// decomposition); aim points the aim axis at the source; weight 0 is the
// rest rotation.
func TestConstraintSemantics(t *testing.T) {
	for pi, p := range synthPoses()[1:] {
		av := synthConstrained(true)
		f := NewRig(av).Pose(p)
		rest := func(i int) mgl32.Quat { return av.Nodes[i].Rotation }
		cur := func(i int) mgl32.Quat {
			w := f.NodeWorld[i]
			parentRot := quat.Normalize(p.RootRotation) // identity for the zero quaternion
			if pp := av.Nodes[i].Parent; pp >= 0 {
				parentRot = matRotation(&f.NodeWorld[pp])
			}
			return quat.Normalize(qmul(qconj(parentRot), matRotation(&w)))
		}
		// Rotation: D⁻¹·dst = (S⁻¹·src)^w.
		for _, node := range []int{scRightSubArm, scHeadAccessory} {
			c := constraintByNode(t, av, node)
			got := qmul(qconj(rest(node)), cur(node))
			want := powQuat(qmul(qconj(rest(c.Source)), cur(c.Source)), float64(c.Weight))
			if d := angleDeg(got, want); d > 0.01 {
				t.Errorf("pose %d: rotation constraint on %s off by %.4f°", pi, av.Nodes[node].Name, d)
			}
		}
		// Roll: D⁻¹·dst is the twist about the axis of the source's turn
		// seen in the destination's rest frame, to the power w.
		for _, node := range []int{scLeftLowerTwist, scLeftUpperTwist, scRightSubTwist, scRightLowerTwist} {
			c := constraintByNode(t, av, node)
			D, S := rest(node), rest(c.Source)
			delta := qmul(qmul(qmul(qconj(D), cur(c.Source)), qconj(S)), D)
			a := c.Axis.Vec()
			proj := a.Mul(delta.V.Dot(a))
			twist := quat.Normalize(mgl32.Quat{W: delta.W, V: proj})
			want := powQuat(twist, float64(c.Weight))
			got := qmul(qconj(D), cur(node))
			if d := angleDeg(got, want); d > 0.01 {
				t.Errorf("pose %d: roll constraint on %s off by %.4f°", pi, av.Nodes[node].Name, d)
			}
			if off := got.V.Sub(a.Mul(got.V.Dot(a))).Len(); off > 1e-5 {
				t.Errorf("pose %d: roll constraint on %s turns off its axis (%g)", pi, av.Nodes[node].Name, off)
			}
		}
		// Aim at weight 1: the axis points at the source.
		for _, node := range []int{scPointer} {
			c := constraintByNode(t, av, node)
			w := f.NodeWorld[node]
			dir := matRotation(&w).Rotate(c.Axis.Vec())
			to := f.NodeWorld[c.Source].Col(3).Vec3().Sub(w.Col(3).Vec3())
			if d := vecAngleDeg(dir, to); d > 0.01 {
				t.Errorf("pose %d: aim constraint on %s misses by %.4f°", pi, av.Nodes[node].Name, d)
			}
		}
	}
	// Weights 1 make every aim hit and chained results exact; weight 0 is
	// the rest rotation.
	for _, w := range []float32{0, 1} {
		av := synthConstrained(true)
		for i := range av.Constraints {
			av.Constraints[i].Weight = w
		}
		f := NewRig(av).Pose(synthPoses()[1])
		for _, c := range av.Constraints {
			node := c.Node
			wm := f.NodeWorld[node]
			switch {
			case w == 0:
				var parent mgl32.Quat
				if pp := av.Nodes[node].Parent; pp >= 0 {
					parent = matRotation(&f.NodeWorld[pp])
				} else {
					parent = mgl32.QuatIdent()
				}
				if d := angleDeg(qmul(qconj(parent), matRotation(&wm)), av.Nodes[node].Rotation); d > 0.01 {
					t.Errorf("weight 0: %s turned %.4f° from rest", av.Nodes[node].Name, d)
				}
			case c.Type == ConstraintAim:
				dir := matRotation(&wm).Rotate(c.Axis.Vec())
				to := f.NodeWorld[c.Source].Col(3).Vec3().Sub(wm.Col(3).Vec3())
				if d := vecAngleDeg(dir, to); d > 0.01 {
					t.Errorf("weight 1: aim on %s misses by %.4f°", av.Nodes[node].Name, d)
				}
			}
		}
	}
}

// TestConstraintOrderIndependent: the result does not depend on the order
// the constraints are listed in (dependencies decide).
func TestConstraintOrderIndependent(t *testing.T) {
	a, b := synthConstrained(true), synthConstrained(true)
	slices.Reverse(b.Constraints)
	ra, rb := NewRig(a), NewRig(b)
	for _, p := range synthPoses() {
		fa, fb := ra.Pose(p), rb.Pose(p)
		for i := range a.Nodes {
			if d := testutil.DiffValues(fa.NodeWorld[i], fb.NodeWorld[i], 1e-6); len(d) > 0 {
				t.Fatalf("node %s differs with the constraints reversed: %v", a.Nodes[i].Name, d)
			}
		}
	}
}

// TestConstraintsChangeThePose: the constraints move their nodes (and the
// children with them) when the sources move; at rest roll and rotation
// constraints change nothing (aim constraints turn their axis toward the
// source even at rest, as the spec says).
func TestConstraintsChangeThePose(t *testing.T) {
	av := synthConstrained(true)
	plain := synthConstrained(true)
	plain.Constraints = nil
	rg, rgPlain := NewRig(av), NewRig(plain)
	rest, restPlain := rg.Pose(nil), rgPlain.Pose(nil)
	for i := range av.Nodes {
		aimed := false
		for _, c := range av.Constraints {
			aimed = aimed || c.Type == ConstraintAim && (c.Node == i || av.isAncestor(c.Node, i))
		}
		if d := testutil.DiffValues(rest.NodeWorld[i], restPlain.NodeWorld[i], 1e-5); len(d) > 0 && !aimed {
			t.Errorf("rest pose: %s moved by its constraint: %v", av.Nodes[i].Name, d)
		}
	}
	p := synthPoses()[1]
	fa := rg.Pose(p)
	fp := rgPlain.Pose(p)
	for _, c := range av.Constraints {
		ra, rp := matRotation(&fa.NodeWorld[c.Node]), matRotation(&fp.NodeWorld[c.Node])
		if angleDeg(ra, rp) < 1 {
			t.Errorf("%s (%v) did not follow its source", av.Nodes[c.Node].Name, c.Type)
		}
	}
	// A child of a constrained node moves with it.
	if a, b := fa.NodeWorld[scSleeveChain2].Col(3).Vec3(), fp.NodeWorld[scSleeveChain2].Col(3).Vec3(); a.Sub(b).Len() < 1e-3 {
		t.Errorf("SleeveChain2 did not move with LeftSleeve: %v vs %v", a, b)
	}
}

// TestConstraintsRunBeforeSpringBones: a spring chain below a constrained
// node starts from, and (without forces) stays at, the constrained pose.
func TestConstraintsRunBeforeSpringBones(t *testing.T) {
	av := synthConstrained(true)
	av.SpringBone.Springs = append(av.SpringBone.Springs, Spring{Name: "sleeve", Center: -1, Joints: []SpringJoint{
		{Node: scSleeveChain1, Stiffness: 0, DragForce: 1, GravityDir: mgl32.Vec3{0, -1, 0}},
		{Node: scSleeveChain2, Stiffness: 0, DragForce: 1, GravityDir: mgl32.Vec3{0, -1, 0}},
	}})
	p := synthPoses()[1]
	rg := NewRig(av)
	kin := rg.Pose(p).NodeWorld[scSleeveChain2].Col(3).Vec3()
	for range 5 {
		rg.Update(p, 1.0/60)
	}
	got := rg.Pose(p).NodeWorld[scSleeveChain2].Col(3).Vec3()
	if d := got.Sub(kin).Len(); d > 1e-5 {
		t.Errorf("spring tail at %v, %.6f m from the constrained pose's %v", got, d, kin)
	}
}

// TestConstraintRoundTrip: constraints survive vrmenc.Encode/Load in both versions
// (a VRM 0.x file turns aim axes and back), and pose identically.
func TestConstraintRoundTrip(t *testing.T) {
	for _, v := range []Version{Version1, Version0} {
		av := synthConstrained(v == Version1)
		data := encode(t, av, v)
		if !bytes.Contains(data, []byte(`"extensionsUsed":[`)) || !bytes.Contains(data, []byte(schema.ExtNodeConstraint)) {
			t.Fatalf("%v: %s not written", v, schema.ExtNodeConstraint)
		}
		b := reload(t, data)
		if d := testutil.DiffValues(av.Constraints, b.Constraints, 0); len(d) > 0 {
			t.Errorf("%v: constraints differ after the round trip: %v", v, d)
		}
		for _, w := range b.Warnings {
			t.Errorf("%v: reload warning: %s", v, w)
		}
		ra, rb := NewRig(av), NewRig(b)
		for pi, p := range synthPoses() {
			fa, fb := ra.Pose(p), rb.Pose(p)
			for i := range av.Nodes {
				if d := testutil.DiffValues(fa.NodeWorld[i], fb.NodeWorld[i], 2e-5); len(d) > 0 {
					t.Errorf("%v pose %d: node %s differs after the round trip: %v", v, pi, av.Nodes[i].Name, d)
				}
			}
		}
	}
}

// TestConstraintAllocs: posing with constraints allocates nothing.
func TestConstraintAllocs(t *testing.T) {
	av := synthConstrained(true)
	p := synthPoses()[2]
	rg := NewRig(av)
	rg.Update(p, 1.0/60)
	if n := testing.AllocsPerRun(50, func() { rg.Update(p, 1.0/60) }); n != 0 {
		t.Errorf("Update allocates %v times per call", n)
	}
}

// setNodeConstraint replaces node i's VRMC_node_constraint JSON in doc
// (nil removes it).
func setNodeConstraint(doc map[string]any, i int, ext any) {
	n := doc["nodes"].([]any)[i].(map[string]any)
	exts, _ := n["extensions"].(map[string]any)
	if exts == nil {
		exts = map[string]any{}
		n["extensions"] = exts
	}
	if ext == nil {
		delete(exts, schema.ExtNodeConstraint)
		return
	}
	exts[schema.ExtNodeConstraint] = ext
}

func rotationExt(source any, weight any) map[string]any {
	r := map[string]any{"source": source}
	if weight != nil {
		r["weight"] = weight
	}
	return map[string]any{"specVersion": "1.0", "constraint": map[string]any{"rotation": r}}
}

// TestConstraintLoading: what the loader keeps, repairs and drops, with the
// warning it gives.
func TestConstraintLoading(t *testing.T) {
	base := encode(t, synthConstrained(true), Version1)
	type want struct {
		count   int    // constraints loaded
		warning string // substring of a warning, "" for none
	}
	cases := []struct {
		name string
		edit func(doc map[string]any)
		want want
	}{
		{"as written", func(map[string]any) {}, want{9, ""}},
		{"cycle of two", func(doc map[string]any) {
			setNodeConstraint(doc, 14, rotationExt(17, nil)) // LeftUpperLeg ← RightUpperLeg
			setNodeConstraint(doc, 17, rotationExt(14, nil)) // and back
		}, want{9, "depend on each other in a circle"}},
		{"source below its node", func(doc map[string]any) {
			setNodeConstraint(doc, 14, rotationExt(16, nil)) // LeftUpperLeg ← LeftFoot
		}, want{9, "node 14 depend"}},
		{"aim at its own child", func(doc map[string]any) {
			setNodeConstraint(doc, 14, map[string]any{"specVersion": "1.0", "constraint": map[string]any{
				"aim": map[string]any{"source": 15, "aimAxis": "NegativeY"}}})
		}, want{9, "circle"}},
		{"self source", func(doc map[string]any) { setNodeConstraint(doc, 14, rotationExt(14, nil)) }, want{9, "source is the node itself"}},
		{"missing source", func(doc map[string]any) {
			setNodeConstraint(doc, 14, map[string]any{"specVersion": "1.0", "constraint": map[string]any{"rotation": map[string]any{}}})
		}, want{9, "no source"}},
		{"source out of range", func(doc map[string]any) { setNodeConstraint(doc, 14, rotationExt(4000, nil)) }, want{9, "does not exist"}},
		{"negative source", func(doc map[string]any) { setNodeConstraint(doc, 14, rotationExt(-1, nil)) }, want{9, "does not exist"}},
		{"not an integer", func(doc map[string]any) { setNodeConstraint(doc, 14, rotationExt("x", nil)) }, want{9, "ignored"}},
		{"weight clamped", func(doc map[string]any) { setNodeConstraint(doc, 14, rotationExt(17, 3)) }, want{10, "clamped"}},
		{"spec version", func(doc map[string]any) {
			setNodeConstraint(doc, 14, map[string]any{"specVersion": "2.0", "constraint": map[string]any{"rotation": map[string]any{"source": 17}}})
		}, want{9, `specVersion "2.0"`}},
		{"beta spec version", func(doc map[string]any) {
			setNodeConstraint(doc, 14, map[string]any{"specVersion": "1.0-beta", "constraint": map[string]any{"rotation": map[string]any{"source": 17}}})
		}, want{10, ""}},
		{"bad roll axis", func(doc map[string]any) {
			setNodeConstraint(doc, 14, map[string]any{"specVersion": "1.0", "constraint": map[string]any{"roll": map[string]any{"source": 17, "rollAxis": "W"}}})
		}, want{9, `rollAxis "W"`}},
		{"missing aim axis", func(doc map[string]any) {
			setNodeConstraint(doc, 14, map[string]any{"specVersion": "1.0", "constraint": map[string]any{"aim": map[string]any{"source": 17}}})
		}, want{10, "using PositiveX"}},
		{"empty constraint", func(doc map[string]any) {
			setNodeConstraint(doc, 14, map[string]any{"specVersion": "1.0", "constraint": map[string]any{}})
		}, want{9, "none of roll, aim, rotation"}},
		{"not declared", func(doc map[string]any) {
			doc["extensionsUsed"] = slices.DeleteFunc(doc["extensionsUsed"].([]any), func(x any) bool { return x == schema.ExtNodeConstraint })
		}, want{9, "not listed in extensionsUsed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, bin := glbParts(t, base)
			tc.edit(doc)
			av, err := Load(bytes.NewReader(makeGLB(t, doc, bin)))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(av.Constraints) != tc.want.count {
				t.Errorf("%d constraints, want %d", len(av.Constraints), tc.want.count)
			}
			all := strings.Join(av.Warnings, "\n")
			if tc.want.warning == "" && all != "" {
				t.Errorf("unexpected warnings:\n%s", all)
			}
			if tc.want.warning != "" && !strings.Contains(all, tc.want.warning) {
				t.Errorf("no warning containing %q in:\n%s", tc.want.warning, all)
			}
			NewRig(av).Pose(synthPoses()[1])
		})
	}
}

// TestConstraintPrecedence: a node with several constraint kinds uses roll,
// then aim (three-vrm's order).
func TestConstraintPrecedence(t *testing.T) {
	doc, bin := glbParts(t, encode(t, synthConstrained(true), Version1))
	setNodeConstraint(doc, 14, map[string]any{"specVersion": "1.0", "constraint": map[string]any{
		"rotation": map[string]any{"source": 17},
		"aim":      map[string]any{"source": 17, "aimAxis": "NegativeZ"},
	}})
	av, err := Load(bytes.NewReader(makeGLB(t, doc, bin)))
	if err != nil {
		t.Fatal(err)
	}
	if c := constraintByNode(t, av, 14); c.Type != ConstraintAim || c.Axis != AxisNegativeZ || c.Source != 17 || c.Weight != 1 {
		t.Errorf("got %+v, want the aim constraint with weight 1", c)
	}
}

// TestConstraintValidate: Validate refuses what posing or writing could not
// honour.
func TestConstraintValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(av *Model)
		want string
	}{
		{"cycle", func(av *Model) {
			av.Constraints = append(av.Constraints,
				NodeConstraint{Node: 14, Source: 17, Type: ConstraintRotation, Weight: 1},
				NodeConstraint{Node: 17, Source: 14, Type: ConstraintRotation, Weight: 1})
		}, "circular dependency"},
		{"duplicate", func(av *Model) {
			av.Constraints = append(av.Constraints, NodeConstraint{Node: scPointer, Source: 3, Type: ConstraintRotation, Weight: 1})
		}, "already has constraint"},
		{"own source", func(av *Model) { av.Constraints[0].Source = av.Constraints[0].Node }, "its own source"},
		{"node range", func(av *Model) { av.Constraints[0].Node = 999 }, "does not exist"},
		{"weight", func(av *Model) { av.Constraints[0].Weight = 1.5 }, "outside 0–1"},
		{"NaN weight", func(av *Model) { av.Constraints[0].Weight = float32(math.NaN()) }, "not finite"},
		{"axis", func(av *Model) { av.Constraints[0].Axis = 9 }, "axis 9"},
		{"type", func(av *Model) { av.Constraints[0].Type = 7 }, "type 7"},
	}
	for _, tc := range cases {
		av := synthConstrained(true)
		tc.edit(av)
		err := av.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want an error containing %q", tc.name, err, tc.want)
		}
		NewRig(av).Pose(synthPoses()[1]) // an invalid model still poses without a panic
	}
}

// TestConstraintPlan: dependency order and cycle detection on hand-made
// graphs (node hierarchy: 0 → 1 → 2, 0 → 3, 4 alone).
func TestConstraintPlan(t *testing.T) {
	nodes := func() *Model {
		av := &Model{Nodes: []Node{
			{Parent: -1, Children: []int{1, 3}}, {Parent: 0, Children: []int{2}}, {Parent: 1}, {Parent: 0}, {Parent: -1},
		}}
		return av
	}
	rot := func(node, src int) NodeConstraint {
		return NodeConstraint{Node: node, Source: src, Type: ConstraintRotation, Weight: 1}
	}
	aim := func(node, src int) NodeConstraint {
		return NodeConstraint{Node: node, Source: src, Type: ConstraintAim, Weight: 1}
	}
	cases := []struct {
		name   string
		cons   []NodeConstraint
		cyclic []int32
		before [][2]int // constraint a runs before constraint b
	}{
		{"chain", []NodeConstraint{rot(4, 3), rot(3, 2)}, nil, [][2]int{{1, 0}}},
		{"ancestor of the source first", []NodeConstraint{rot(4, 2), rot(1, 3)}, nil, [][2]int{{1, 0}}},
		{"aim after its parent's constraint", []NodeConstraint{aim(2, 4), rot(1, 3)}, nil, [][2]int{{1, 0}}},
		{"source below, through another constraint", []NodeConstraint{rot(2, 4), rot(1, 2)}, []int32{1}, nil},
		{"two-cycle", []NodeConstraint{rot(3, 4), rot(4, 3)}, []int32{0, 1}, nil},
		{"source below", []NodeConstraint{rot(1, 2)}, []int32{0}, nil},
		{"dependent of a cycle kept", []NodeConstraint{rot(3, 4), rot(4, 3), rot(2, 3)}, []int32{0, 1}, nil},
		{"unusable skipped", []NodeConstraint{rot(3, 3), rot(9, 1), rot(3, 4), rot(3, 2)}, nil, nil},
	}
	for _, tc := range cases {
		av := nodes()
		av.Constraints = tc.cons
		order, _, _ := av.preorder()
		got, cyclic := constraintPlan(av, order)
		if !slices.Equal(cyclic, tc.cyclic) {
			t.Errorf("%s: cyclic %v, want %v", tc.name, cyclic, tc.cyclic)
		}
		for _, b := range tc.before {
			ia, ib := slices.Index(got, int32(b[0])), slices.Index(got, int32(b[1]))
			if ia < 0 || ib < 0 || ia > ib {
				t.Errorf("%s: order %v, want %d before %d", tc.name, got, b[0], b[1])
			}
		}
		if len(got)+len(cyclic) > len(tc.cons) {
			t.Errorf("%s: %d ordered + %d cyclic of %d", tc.name, len(got), len(cyclic), len(tc.cons))
		}
	}
}

// FuzzNodeConstraints puts arbitrary VRMC_node_constraint JSON on two nodes
// of the constrained synthetic avatar. Loading must not panic; whatever
// loads must validate, pose, and round-trip through both versions with the
// same constraints.
//
//	go test -run '^$' -fuzz FuzzNodeConstraints -fuzztime 30s ./vrm
func FuzzNodeConstraints(f *testing.F) {
	doc, bin := glbParts(f, encode(f, synthConstrained(true), Version1))
	f.Add(uint8(14), []byte(`{"specVersion":"1.0","constraint":{"rotation":{"source":17}}}`), uint8(17), []byte(`{"specVersion":"1.0","constraint":{"roll":{"source":14,"rollAxis":"Y","weight":0.5}}}`))
	f.Add(uint8(15), []byte(`{"specVersion":"1.0","constraint":{"aim":{"source":16,"aimAxis":"NegativeY"}}}`), uint8(0), []byte(`{"specVersion":"1.0-beta","constraint":{"aim":{"source":5}}}`))
	f.Add(uint8(26), []byte(`{"specVersion":"1.0","constraint":{"aim":{"source":25,"aimAxis":"PositiveZ","weight":-1}}}`), uint8(33), []byte(`{"constraint":{}}`))
	f.Add(uint8(3), []byte(`{"specVersion":"1.0","constraint":{"roll":{"source":1e9,"rollAxis":"X"}}}`), uint8(24), []byte(`null`))
	f.Fuzz(func(t *testing.T, n1 uint8, ext1 []byte, n2 uint8, ext2 []byte) {
		var d map[string]any
		raw, _ := json.Marshal(doc)
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		nodes := d["nodes"].([]any)
		for _, e := range []struct {
			n   uint8
			ext []byte
		}{{n1, ext1}, {n2, ext2}} {
			var v any
			if json.Unmarshal(e.ext, &v) != nil {
				return
			}
			setNodeConstraint(d, int(e.n)%len(nodes), v)
		}
		checkFuzzedConstraints(t, makeGLB(t, d, bin))
	})
}

// checkFuzzedConstraints loads a fuzzed file; one that loads must
// validate, pose through the synthetic performance, and keep its
// constraints through a VRM 0.x and a VRM 1.0 round trip.
func checkFuzzedConstraints(t *testing.T, glb []byte) {
	t.Helper()
	av, err := Load(bytes.NewReader(glb))
	if err != nil {
		return
	}
	if err := av.Validate(); err != nil {
		t.Fatalf("loaded avatar does not validate: %v", err)
	}
	rg := NewRig(av)
	for _, p := range synthPoses() {
		rg.Update(p, 1.0/30)
	}
	for _, v := range []Version{Version0, Version1} {
		b := reload(t, encode(t, av, v))
		if diff := testutil.DiffValues(av.Constraints, b.Constraints, 0); len(diff) > 0 {
			t.Fatalf("%v round trip changed the constraints: %v", v, diff)
		}
		NewRig(b).Pose(synthPoses()[2])
	}
}

// FuzzConstraintPlan builds random node forests with random constraints:
// the plan must put every constraint after those it depends on (three-vrm's
// rule: constraints on the source or its ancestors, and for aim on the
// destination's ancestors), leave out only unusable or circular ones, and
// posing must not panic.
func FuzzConstraintPlan(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 2}, []byte{3, 4, 0, 4, 3, 1, 2, 1, 2})
	f.Add([]byte{0, 1, 2, 3, 4, 5}, []byte{1, 5, 0, 5, 1, 1, 6, 0, 1})
	f.Add([]byte{0, 0, 0}, []byte{1, 2, 0, 2, 3, 0, 3, 1, 0})
	f.Fuzz(func(t *testing.T, parents, cons []byte) {
		if len(parents) > 64 || len(cons) > 3*64 {
			return
		}
		n := len(parents) + 1
		av := &Model{Nodes: make([]Node, n)}
		for i := range av.Nodes {
			av.Nodes[i] = Node{Parent: -1, Mesh: -1, Skin: -1, Rotation: synthRestRotation(i), Scale: mgl32.Vec3{1, 1, 1}, Translation: mgl32.Vec3{0.1, float32(i) * 0.01, 0}}
		}
		for i, p := range parents { // node i+1's parent is an earlier node, or none
			if int(p) <= i {
				av.Nodes[i+1].Parent = int(p)
				av.Nodes[p].Children = append(av.Nodes[p].Children, i+1)
			}
		}
		for k := 0; k+2 < len(cons); k += 3 {
			av.Constraints = append(av.Constraints, NodeConstraint{
				Node: int(cons[k]) % (n + 1), Source: int(cons[k+1]) % (n + 1),
				Type: ConstraintType(cons[k+2] % 3), Axis: Axis(cons[k+2] / 3 % 6), Weight: 0.5,
			})
		}
		pre, _, _ := av.preorder()
		order, cyclic := constraintPlan(av, pre)
		pos := map[int32]int{}
		for k, c := range order {
			pos[c] = k
		}
		isCyclic := map[int32]bool{}
		for _, c := range cyclic {
			isCyclic[c] = true
			if _, ok := pos[c]; ok {
				t.Fatalf("constraint %d both ordered and cyclic", c)
			}
		}
		consAt := map[int]int32{}
		for _, c := range order {
			consAt[av.Constraints[c].Node] = c
		}
		for _, c := range cyclic {
			consAt[av.Constraints[c].Node] = c
		}
		for k, c := range order {
			kc := av.Constraints[c]
			check := func(x int) {
				for ; x >= 0; x = av.Nodes[x].Parent {
					if d, ok := consAt[x]; ok && !isCyclic[d] && pos[d] >= k {
						t.Fatalf("constraint %d (node %d) runs at %d, before its dependency %d (node %d) at %d", c, kc.Node, k, d, x, pos[d])
					}
				}
			}
			check(kc.Source)
			if kc.Type == ConstraintAim {
				check(av.Nodes[kc.Node].Parent)
			}
		}
		usable, seen := 0, map[int]bool{}
		for _, c := range av.Constraints {
			if c.Node < n && c.Source < n && c.Node != c.Source && !seen[c.Node] {
				usable++
				seen[c.Node] = true
			}
		}
		if len(order)+len(cyclic) != usable {
			t.Fatalf("%d ordered + %d cyclic of %d usable constraints", len(order), len(cyclic), usable)
		}
		rg := NewRig(av)
		rg.Pose(nil)
		rg.Pose(&Pose{})
	})
}

// FuzzConstraintFields sets one or two numbers of the constrained synthetic
// avatar's VRMC_node_constraint extensions (sources, weights) to arbitrary
// values, in a VRM 1.0 and a VRM 0.x file; as FuzzNodeConstraints, nothing
// may panic and whatever loads must validate, pose and round-trip.
func FuzzConstraintFields(f *testing.F) {
	type seed struct {
		doc    map[string]any
		bin    []byte
		leaves [][]any
	}
	var seeds []seed
	for _, v := range []Version{Version1, Version0} {
		doc, bin := glbParts(f, encode(f, synthConstrained(v == Version1), v))
		var all, leaves [][]any
		numericLeaves(doc, nil, &all)
		for _, p := range all {
			if slices.Contains(p, any(schema.ExtNodeConstraint)) {
				leaves = append(leaves, p)
			}
		}
		seeds = append(seeds, seed{doc, bin, leaves})
	}
	f.Add(uint8(0), uint16(0), float64(26), uint16(3), 0.25)
	f.Add(uint8(1), uint16(5), float64(-3), uint16(9), 2.0)
	f.Add(uint8(0), uint16(7), float64(1e300), uint16(1), math.Inf(1))
	f.Fuzz(func(t *testing.T, which uint8, p1 uint16, v1 float64, p2 uint16, v2 float64) {
		s := seeds[int(which)%len(seeds)]
		raw, _ := json.Marshal(s.doc)
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			p uint16
			v float64
		}{{p1, v1}, {p2, v2}} {
			if math.IsNaN(x.v) || math.IsInf(x.v, 0) {
				return // not JSON
			}
			setPath(doc, s.leaves[int(x.p)%len(s.leaves)], x.v)
		}
		checkFuzzedConstraints(t, makeGLB(t, doc, s.bin))
	})
}

// BenchmarkConstraints: posing the synthetic avatar with its nine chained
// constraints (three aim) and without them; the difference is the cost of
// evaluating them (0 allocs).
func BenchmarkConstraints(b *testing.B) {
	for _, with := range []bool{false, true} {
		name := "without"
		if with {
			name = "with"
		}
		b.Run(name, func(b *testing.B) {
			av := synthConstrained(true)
			if !with {
				av.Constraints = nil
			}
			rg := NewRig(av)
			rg.SetSpringBones(false)
			p := synthPoses()[2]
			rg.Pose(p)
			b.ReportAllocs()
			for b.Loop() {
				rg.Pose(p)
			}
		})
	}
}

// TestFromToThree: the rotation takes a to b; opposite vectors turn half a
// circle about three.js' choice of axis; a zero target gives the identity.
func TestFromToThree(t *testing.T) {
	vs := []mgl32.Vec3{{1, 0, 0}, {0, 1, 0}, {0, 0, -1}, mgl32.Vec3{1, 2, 3}.Normalize(), mgl32.Vec3{-0.3, 0.1, 0.9}.Normalize()}
	for _, a := range vs {
		for _, b := range vs {
			if got := fromToThree(a, b).Rotate(a); got.Sub(b).Len() > 1e-6 {
				t.Errorf("fromTo(%v, %v) takes a to %v", a, b, got)
			}
		}
		q := fromToThree(a, a.Mul(-1))
		if got := q.Rotate(a); got.Add(a).Len() > 1e-6 || math.Abs(float64(q.W)) > 1e-6 {
			t.Errorf("fromTo(%v, −a) = %v takes a to %v", a, q, got)
		}
		axis := mgl32.Vec3{0, -a[2], a[1]}
		if abs32(a[0]) > abs32(a[2]) {
			axis = mgl32.Vec3{-a[1], a[0], 0}
		}
		if q.V.Cross(axis).Len() > 1e-6 {
			t.Errorf("fromTo(%v, −a) turns about %v, three.js about %v", a, q.V, axis)
		}
		if q := fromToThree(a, mgl32.Vec3{}); q != mgl32.QuatIdent() {
			t.Errorf("fromTo(%v, 0) = %v", a, q)
		}
	}
}

// TestSlerpShortest: the ends, the shorter arc when the quaternions'
// signs differ, and the angle scaling linearly in t.
func TestSlerpShortest(t *testing.T) {
	a := mgl32.QuatRotate(0.3, mgl32.Vec3{0, 1, 0})
	b := mgl32.QuatRotate(2.5, mgl32.Vec3{1, 1, 0}.Normalize())
	neg := mgl32.Quat{W: -b.W, V: b.V.Mul(-1)}
	for _, tt := range []float32{0, 0.25, 0.5, 0.9, 1} {
		for _, bb := range []mgl32.Quat{b, neg} {
			got := slerpShortest(a, bb, tt)
			total := angleDeg(a, b)
			if d := angleDeg(a, got); math.Abs(d-float64(tt)*total) > 1e-3 {
				t.Errorf("t=%v: %.4f° from a, want %.4f°", tt, d, float64(tt)*total)
			}
			if d := angleDeg(got, b); math.Abs(d-float64(1-tt)*total) > 1e-3 {
				t.Errorf("t=%v: %.4f° from b, want %.4f°", tt, d, float64(1-tt)*total)
			}
		}
	}
	// Nearly equal rotations take the normalised linear blend.
	c := mgl32.QuatRotate(0.31, mgl32.Vec3{0, 1, 0})
	if d := angleDeg(slerpShortest(a, c, 0.5), mgl32.QuatRotate(0.305, mgl32.Vec3{0, 1, 0})); d > 1e-3 {
		t.Errorf("near blend off by %.5f°", d)
	}
}
