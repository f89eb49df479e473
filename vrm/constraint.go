package vrm

import (
	"math"
	"slices"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/internal/mathx/quat"
)

// ConstraintType is the kind of a node constraint (VRMC_node_constraint-1.0
// "Constraints").
type ConstraintType uint8

// Constraint types.
const (
	// ConstraintRoll turns the destination about its roll axis by the
	// source's rotation from rest about that axis (twist bones).
	ConstraintRoll ConstraintType = iota
	// ConstraintAim turns the destination so that its aim axis points at
	// the source's world position (sleeves).
	ConstraintAim
	// ConstraintRotation copies the source's local rotation from rest to
	// the destination, local to local (sub arms).
	ConstraintRotation
)

// String returns "roll", "aim" or "rotation", the extension's property names.
func (t ConstraintType) String() string {
	switch t {
	case ConstraintRoll:
		return "roll"
	case ConstraintAim:
		return "aim"
	case ConstraintRotation:
		return "rotation"
	}
	return "ConstraintType(" + itoa(int(t)) + ")"
}

// Axis is a signed principal axis of a node's local frame.
type Axis uint8

// Axes, named as the aimAxis values of VRMC_node_constraint-1.0.
const (
	AxisPositiveX Axis = iota
	AxisNegativeX
	AxisPositiveY
	AxisNegativeY
	AxisPositiveZ
	AxisNegativeZ
	axisCount
)

var axisNames = [axisCount]string{"PositiveX", "NegativeX", "PositiveY", "NegativeY", "PositiveZ", "NegativeZ"}

// String returns the aimAxis name ("PositiveX" …).
func (a Axis) String() string {
	if a < axisCount {
		return axisNames[a]
	}
	return "Axis(" + itoa(int(a)) + ")"
}

// Vec returns the unit vector of a, or the zero vector for an invalid axis.
func (a Axis) Vec() mgl32.Vec3 {
	if a >= axisCount {
		return mgl32.Vec3{}
	}
	var v mgl32.Vec3
	v[a/2] = 1
	if a%2 == 1 {
		v[a/2] = -1
	}
	return v
}

// turned returns a as seen after the VRM 0.x turn (R = diag(−1, 1, −1),
// vrm/internal/schema turn.go): X and Z change sign, Y is kept. The writer
// has its twin (vrmenc turnAxis) to write a VRM 0.x aimAxis.
func (a Axis) turned() Axis {
	if a/2 == 1 {
		return a
	}
	return a ^ 1
}

// NodeConstraint is one VRMC_node_constraint-1.0 constraint: it sets the
// local rotation of node Node (the destination) from node Source each
// frame, after the humanoid pose, lookAt and expressions and before spring
// bones (three-vrm VRM.update).
//
// Rest rotations are the nodes' rest local rotations (Node.Rotation). With
// the destination's rest rotation D, the source's rest rotation S and
// current local rotation s, slerp(D, target, Weight) becomes the
// destination's local rotation, where target is (spec "Evaluation of
// rotations", three-vrm VRM*Constraint):
//
//   - roll: Δ = D⁻¹·s·S⁻¹·D (the source's turn from rest, in the
//     destination's rest frame); target = D·fromTo(Δ·a, a)·Δ, the twist of Δ
//     about the roll axis a.
//   - aim: with P the world rotation of the destination's parent (the root
//     transform for a root node), target = P⁻¹·fromTo(P·D·a, u)·P·D, u
//     the unit direction from the destination's to the source's world
//     position.
//   - rotation: target = D·S⁻¹·s.
//
// fromTo is the smallest rotation between two unit vectors.
type NodeConstraint struct {
	Node   int // destination node index
	Source int // source node index, ≠ Node
	Type   ConstraintType
	// Axis is the aim axis (ConstraintAim) or the roll axis
	// (ConstraintRoll, where only the line matters: the loader gives
	// AxisPositiveX/Y/Z), in the destination's local frame, VRM 1.0 frame
	// (a VRM 0.x file's aim axes along X and Z change sign at load, with
	// the turn; a roll axis is a line and keeps its letter). Unused for
	// ConstraintRotation.
	Axis   Axis
	Weight float32 // 0–1; the extension's default is 1
}

// constraintPlan orders the avatar's usable constraints so that each runs
// after every constraint it depends on (VRMC_node_constraint-1.0
// "Dependency resolution between constraints"), and lists those that take
// part in a circular dependency (indices into av.Constraints, file order).
//
// Dependencies follow three-vrm's VRMNodeConstraintManager: a constraint
// depends on every constraint whose destination is its source or an
// ancestor of its source, and an aim constraint also on every constraint on
// its destination's ancestors. So a roll or rotation constraint whose
// source lies below its own destination is circular, as in three-vrm. With
// that rule the world transform of whatever a constraint reads is final
// when it runs (see consState).
//
// Constraints with an out-of-range node or source, a source equal to the
// node, or a node already constrained by an earlier entry are left out of
// both lists. The work is linear in nodes plus constraints: each
// destination gets a vertex meaning "every constraint on this node and its
// ancestors is done", and the cycles are the strongly connected components
// (Tarjan's algorithm, iterative) of that graph.
func constraintPlan(av *Model, preorder []int32) (order, cyclic []int32) {
	n := len(av.Nodes)
	cs := av.Constraints
	c := len(cs)
	if c == 0 {
		return nil, nil
	}
	consAt := make([]int32, n) // node → constraint index, -1
	for i := range consAt {
		consAt[i] = -1
	}
	usable := make([]bool, c)
	for i, k := range cs {
		if k.Node < 0 || k.Node >= n || k.Source < 0 || k.Source >= n || k.Source == k.Node || consAt[k.Node] >= 0 {
			continue
		}
		consAt[k.Node] = int32(i)
		usable[i] = true
	}
	// near[x]: the constraint on the nearest ancestor-or-self of x, -1.
	near := make([]int32, n)
	for _, x := range preorder {
		near[x] = consAt[x]
		if near[x] < 0 {
			if p := av.Nodes[x].Parent; p >= 0 {
				near[x] = near[p]
			}
		}
	}
	// Vertices: constraint i is i, "done down to node i's destination" is
	// c+i. Each has at most two dependencies.
	done := func(k int32) int32 {
		if k < 0 {
			return -1
		}
		return int32(c) + k
	}
	parentNear := func(node int) int32 {
		if p := av.Nodes[node].Parent; p >= 0 {
			return near[p]
		}
		return -1
	}
	edges := make([][2]int32, 2*c)
	for i, k := range cs {
		edges[i], edges[c+i] = [2]int32{-1, -1}, [2]int32{-1, -1}
		if !usable[i] {
			continue
		}
		edges[i][0] = done(near[k.Source])
		if k.Type == ConstraintAim {
			edges[i][1] = done(parentNear(k.Node))
		}
		edges[c+i] = [2]int32{int32(i), done(parentNear(k.Node))}
	}
	// Tarjan emits a component after every component it reaches, so
	// dependencies come first.
	V := 2 * c
	index := make([]int32, V) // 0: unvisited
	low := make([]int32, V)
	onStack := make([]bool, V)
	var stack []int32
	type frame struct {
		v int32
		e int
	}
	var call []frame
	next := int32(1)
	for s := int32(0); s < int32(V); s++ {
		if index[s] != 0 || (s < int32(c) && !usable[s]) || (s >= int32(c) && !usable[s-int32(c)]) {
			continue
		}
		index[s], low[s] = next, next
		next++
		stack = append(stack, s)
		onStack[s] = true
		call = append(call, frame{v: s})
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.e < 2 {
				w := edges[v][f.e]
				f.e++
				switch {
				case w < 0:
				case index[w] == 0:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				case onStack[w]:
					low[v] = min(low[v], index[w])
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			k := len(stack) - 1
			for stack[k] != v {
				k--
			}
			scc := stack[k:]
			for _, w := range scc {
				onStack[w] = false
				if w >= int32(c) {
					continue
				}
				if len(scc) > 1 {
					cyclic = append(cyclic, w)
				} else {
					order = append(order, w)
				}
			}
			stack = stack[:k]
		}
	}
	slices.Sort(cyclic)
	return order, cyclic
}

// consRest is the node-constraint set-up a Model's Rigs share (three-vrm
// VRMNodeConstraintManager), built from Model.Constraints.
type consRest struct {
	cons   []consRun // in evaluation order
	roots  []int32   // destinations whose subtrees are recomputed afterwards: preorder, none inside another's
	hasAim bool
}

// consState is a Rig's node-constraint scratch.
type consState struct {
	// fin[node] says NodeWorld[node] is final for this frame; set while
	// aim constraints read world transforms, cleared through touched.
	fin     []bool
	touched []int32
	chain   []int32 // scratch for finalWorld
}

// consRun is one constraint with its rest data.
type consRun struct {
	dst, src int32
	typ      ConstraintType
	axis     mgl32.Vec3
	weight   float32
	dstRest  mgl32.Quat // D
	dstInv   mgl32.Quat // D⁻¹ (roll)
	srcInvD  mgl32.Quat // S⁻¹·D (roll)
	srcInv   mgl32.Quat // S⁻¹ (rotation)
}

func (s *consRest) init(av *Model, rd *restData) {
	order, _ := constraintPlan(av, rd.order)
	if len(order) == 0 {
		return
	}
	s.cons = make([]consRun, 0, len(order))
	isDst := make([]bool, len(av.Nodes))
	for _, i := range order {
		k := av.Constraints[i]
		w := k.Weight
		if !finite32(w) {
			w = 0
		}
		r := consRun{
			dst: int32(k.Node), src: int32(k.Source), typ: k.Type, axis: k.Axis.Vec(), weight: mathx.Clamp(w, 0, 1),
			dstRest: rd.restR[k.Node],
		}
		S := rd.restR[k.Source]
		r.dstInv = qconj(r.dstRest)
		r.srcInv = qconj(S)
		r.srcInvD = quat.Normalize(qmul(r.srcInv, r.dstRest))
		if r.typ == ConstraintAim {
			s.hasAim = true
		}
		s.cons = append(s.cons, r)
		isDst[k.Node] = true
	}
	// Subtrees to recompute: destinations in preorder, skipping those
	// inside an earlier one's subtree.
	end := int32(-1)
	for k, node := range rd.order {
		if int32(k) < end || !isDst[node] {
			continue
		}
		s.roots = append(s.roots, node)
		end = rd.end[k]
	}
}

func (s *consState) init(av *Model, rest *consRest) {
	if rest.hasAim {
		s.fin = make([]bool, len(av.Nodes))
		s.touched = make([]int32, 0, len(av.Nodes))
		s.chain = make([]int32, 0, 64)
	}
}

// evaluate applies the constraints to the local rotations and brings
// NodeWorld up to date. NodeWorld must be current for the pose on entry.
// Aim constraints read world transforms through finalWorld, which computes
// each node at most once per frame; afterwards every constrained subtree
// is recomputed once. It does not allocate.
func (s *consState) evaluate(rg *Rig) {
	rest := &rg.rd.cons
	if len(rest.cons) == 0 {
		return
	}
	av := rg.m
	for ci := range rest.cons {
		c := &rest.cons[ci]
		var target mgl32.Quat
		switch c.typ {
		case ConstraintRoll:
			delta := quat.Normalize(qmul(qmul(c.dstInv, rg.r[c.src]), c.srcInvD))
			to := delta.Rotate(c.axis)
			target = qmul(qmul(c.dstRest, fromToThree(to, c.axis)), delta)
		case ConstraintRotation:
			target = qmul(c.dstRest, qmul(c.srcInv, rg.r[c.src]))
		case ConstraintAim:
			parentW, parentRot := &rg.root, rg.rootRot
			if p := av.Nodes[c.dst].Parent; p >= 0 {
				parentW = s.finalWorld(rg, int32(p))
				parentRot = matRotation(parentW)
			}
			srcW := s.finalWorld(rg, c.src)
			dstPos := transformPoint(parentW, rg.t[c.dst])
			d := mgl32.Vec3{srcW[12], srcW[13], srcW[14]}.Sub(dstPos)
			if l := d.Len(); l > 0 {
				d = d.Mul(1 / l)
			}
			pd := qmul(parentRot, c.dstRest)
			from := pd.Rotate(c.axis)
			target = qmul(qmul(qconj(parentRot), fromToThree(from, d)), pd)
		default:
			continue
		}
		rg.r[c.dst] = slerpShortest(c.dstRest, quat.Normalize(target), c.weight)
	}
	for _, node := range s.touched {
		s.fin[node] = false
	}
	s.touched = s.touched[:0]
	for _, node := range rest.roots {
		rg.computeSubtree(node)
	}
}

// finalWorld returns node x's world matrix, computing it (and any ancestor
// not yet computed this frame) from the current local transforms. By the
// dependency order of constraintPlan no later constraint changes a node an
// aim constraint reads, so each result is final for the frame.
func (s *consState) finalWorld(rg *Rig, x int32) *mgl32.Mat4 {
	av := rg.m
	w := rg.frame.NodeWorld
	chain := s.chain[:0]
	for y := x; y >= 0 && !s.fin[y]; y = int32(av.Nodes[y].Parent) {
		chain = append(chain, y)
	}
	for k := len(chain) - 1; k >= 0; k-- {
		y := chain[k]
		local := composeTRS(rg.t[y], rg.r[y], rg.s[y])
		if p := av.Nodes[y].Parent; p >= 0 {
			w[y] = mulAffine(&w[p], &local)
		} else {
			w[y] = mulAffine(&rg.root, &local)
		}
		s.fin[y] = true
		s.touched = append(s.touched, y)
	}
	s.chain = chain[:0]
	return &w[x]
}

// matRotation returns the rotation of an affine matrix with its scale
// removed (a negative determinant flips the X scale), as three.js
// Matrix4.decompose.
func matRotation(m *mgl32.Mat4) mgl32.Quat {
	c0 := mgl32.Vec3{m[0], m[1], m[2]}
	c1 := mgl32.Vec3{m[4], m[5], m[6]}
	c2 := mgl32.Vec3{m[8], m[9], m[10]}
	sx, sy, sz := c0.Len(), c1.Len(), c2.Len()
	if c0.Cross(c1).Dot(c2) < 0 {
		sx = -sx
	}
	if sx == 0 || sy == 0 || sz == 0 {
		return mgl32.QuatIdent()
	}
	c0, c1, c2 = c0.Mul(1/sx), c1.Mul(1/sy), c2.Mul(1/sz)
	rot := mgl32.Mat3{c0[0], c0[1], c0[2], c1[0], c1[1], c1[2], c2[0], c2[1], c2[2]}
	return quat.Normalize(mgl32.Mat4ToQuat(rot.Mat4()))
}

// fromToThree returns the smallest rotation taking unit vector a to unit
// vector b, as three.js Quaternion.setFromUnitVectors: for opposite vectors
// it turns half a circle about (−a.y, a.x, 0) when |a.x| > |a.z|, else about
// (0, −a.z, a.y); a zero b gives the identity.
func fromToThree(a, b mgl32.Vec3) mgl32.Quat {
	r := a.Dot(b) + 1
	if r < 1e-6 {
		if abs32(a[0]) > abs32(a[2]) {
			return quat.Normalize(mgl32.Quat{V: mgl32.Vec3{-a[1], a[0], 0}})
		}
		return quat.Normalize(mgl32.Quat{V: mgl32.Vec3{0, -a[2], a[1]}})
	}
	return quat.Normalize(mgl32.Quat{W: r, V: a.Cross(b)})
}

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }

// slerpShortest interpolates from unit quaternion a (t = 0) to b (t = 1)
// along the shorter arc, as three.js Quaternion.slerp (which normalises a
// linear blend when the two are within acos(0.9995) of each other).
func slerpShortest(a, b mgl32.Quat, t float32) mgl32.Quat {
	if t <= 0 {
		return a
	}
	if t >= 1 {
		return b
	}
	dot := float64(a.Dot(b))
	if dot < 0 {
		b, dot = mgl32.Quat{W: -b.W, V: b.V.Mul(-1)}, -dot
	}
	ka, kb := 1-float64(t), float64(t)
	if dot < 0.9995 {
		theta := math.Acos(dot)
		sin := math.Sin(theta)
		ka, kb = math.Sin(ka*theta)/sin, math.Sin(kb*theta)/sin
	}
	return quat.Normalize(mgl32.Quat{
		W: float32(ka*float64(a.W) + kb*float64(b.W)),
		V: mgl32.Vec3{
			float32(ka*float64(a.V[0]) + kb*float64(b.V[0])),
			float32(ka*float64(a.V[1]) + kb*float64(b.V[1])),
			float32(ka*float64(a.V[2]) + kb*float64(b.V[2])),
		},
	})
}
