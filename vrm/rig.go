package vrm

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// runtime is the posing state an Avatar owns: preallocated buffers, the
// normalized rig's rest data, and the expression and spring-bone state. It
// is built on the first Pose and rebuilt if the model's shape changes.
type runtime struct {
	nodeCount int

	order []int32 // all nodes, depth-first pre-order (parents first)
	end   []int32 // end[k]: position just past the subtree of order[k]
	pos   []int32 // pos[node]: the node's position in order

	restWorld []mgl32.Mat4 // model space, no root transform
	restRot   []mgl32.Quat // rotation part of restWorld

	// Current local transforms, and the rest ones they start from.
	t, restT []mgl32.Vec3
	r, restR []mgl32.Quat
	s, restS []mgl32.Vec3

	bones      [humanoid.Count]rigBone
	hipsHeight float32
	root       mgl32.Mat4
	rootRot    mgl32.Quat

	frame  Frame
	expr   exprState
	look   lookState
	cons   consState
	spring springState
}

// rigBone is one humanoid bone's rest data for the normalized rig.
type rigBone struct {
	node      int32 // -1 when absent
	wp, wpInv mgl32.Quat
	local     mgl32.Quat // L: rest local rotation
	parentInv mgl32.Mat4 // inverse of the node's parent's rest world (identity for a root)
}

// Invalidate discards the posing state (buffers, rig rest data, spring-bone
// simulation) built from the model, so that the next Pose sees changes made
// to the Avatar's exported fields.
func (av *Avatar) Invalidate() { av.rt = nil }

// runtime returns the avatar's runtime, building it when needed.
func (av *Avatar) runtime() *runtime {
	if av.rt == nil || av.rt.nodeCount != len(av.Nodes) {
		av.rt = newRuntime(av)
	}
	return av.rt
}

func newRuntime(av *Avatar) *runtime {
	n := len(av.Nodes)
	rt := &runtime{
		nodeCount: n,
		restWorld: make([]mgl32.Mat4, n),
		restRot:   make([]mgl32.Quat, n),
		t:         make([]mgl32.Vec3, n),
		r:         make([]mgl32.Quat, n),
		s:         make([]mgl32.Vec3, n),
		restT:     make([]mgl32.Vec3, n),
		restR:     make([]mgl32.Quat, n),
		restS:     make([]mgl32.Vec3, n),
		root:      mgl32.Ident4(),
		rootRot:   mgl32.QuatIdent(),
	}
	rt.order, rt.pos, rt.end = av.preorder()
	for i := range av.Nodes {
		nd := &av.Nodes[i]
		rt.restT[i], rt.restR[i], rt.restS[i] = nd.Translation, nd.Rotation, nd.Scale
	}
	for _, k := range rt.order {
		nd := &av.Nodes[k]
		local := composeTRS(nd.Translation, nd.Rotation, nd.Scale)
		if p := nd.Parent; p >= 0 {
			rt.restWorld[k] = mulAffine(&rt.restWorld[p], &local)
			rt.restRot[k] = normQuat(qmul(rt.restRot[p], nd.Rotation))
		} else {
			rt.restWorld[k] = local
			rt.restRot[k] = nd.Rotation
		}
	}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		rb := &rt.bones[b]
		rb.node = -1
		node := av.Humanoid.Node(b)
		if node < 0 || node >= n {
			continue
		}
		rb.node = int32(node)
		rb.local = av.Nodes[node].Rotation
		rb.wp, rb.parentInv = mgl32.QuatIdent(), mgl32.Ident4()
		if p := av.Nodes[node].Parent; p >= 0 {
			rb.wp = rt.restRot[p]
			rb.parentInv = affineInverse(&rt.restWorld[p])
		}
		rb.wpInv = qconj(rb.wp)
	}
	if h := rt.bones[humanoid.Hips].node; h >= 0 {
		rt.hipsHeight = rt.restWorld[h][13]
	}
	f := &rt.frame
	f.NodeWorld = make([]mgl32.Mat4, n)
	f.MorphWeights = make([][]float32, n)
	for i, nd := range av.Nodes {
		if nd.Mesh >= 0 && nd.Mesh < len(av.Meshes) {
			f.MorphWeights[i] = make([]float32, len(av.Meshes[nd.Mesh].TargetNames))
		}
	}
	f.JointPalettes = make([][]mgl32.Mat4, len(av.Skins))
	for i := range av.Skins {
		f.JointPalettes[i] = make([]mgl32.Mat4, len(av.Skins[i].Joints))
	}
	f.Materials = make([]MaterialState, len(av.Materials))
	rt.expr.init(av)
	rt.cons.init(av, rt)
	rt.spring.init(av, rt)
	return rt
}

// affineInverse inverts an affine matrix (zero scale gives identity).
func affineInverse(m *mgl32.Mat4) mgl32.Mat4 {
	a := mgl32.Mat3{m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]}
	det := a.Det()
	if math.Abs(float64(det)) < 1e-30 {
		return mgl32.Ident4()
	}
	ai := a.Inv()
	t := mgl32.Vec3{m[12], m[13], m[14]}
	ti := ai.Mul3x1(t).Mul(-1)
	return mgl32.Mat4{
		ai[0], ai[1], ai[2], 0,
		ai[3], ai[4], ai[5], 0,
		ai[6], ai[7], ai[8], 0,
		ti[0], ti[1], ti[2], 1,
	}
}

// Pose evaluates p (nil for the rest pose) and returns the frame to draw:
// node world matrices, joint palettes, morph weights and material states.
// The order is three-vrm's VRM.update: the humanoid pose, lookAt, node
// constraints (Avatar.Constraints), spring bones, expressions.
// Spring bones are applied in their current simulated state without
// advancing time (see Update); before the first Update with dt > 0 (or
// after ResetSpringBones) they simply follow the pose, so one-off poses of
// a fresh avatar are exactly the kinematic pose. The Frame is owned by the Avatar and
// overwritten by the next Pose or Update; Pose does not allocate. An Avatar
// is not safe for concurrent posing.
func (av *Avatar) Pose(p *Pose) *Frame { return av.Update(p, 0) }

// Update is Pose that also advances the spring-bone simulation by dt
// seconds, in fixed steps of SpringStep (frame-rate independent; at most
// MaxSpringSteps steps per call, the rest of a long pause is dropped).
func (av *Avatar) Update(p *Pose, dt float32) *Frame {
	rt := av.runtime()
	rt.applyPose(av, p)
	rt.computeWorld(av, 0, int32(len(rt.order)))
	rt.applyLookAt(av, p)
	rt.cons.evaluate(av, rt)
	rt.spring.update(av, rt, dt)
	rt.expr.evaluate(av, rt, p)
	f := &rt.frame
	for si := range av.Skins {
		sk := &av.Skins[si]
		pal := f.JointPalettes[si]
		for k, j := range sk.Joints {
			pal[k] = mulAffine(&f.NodeWorld[j], &sk.InverseBindMatrices[k])
		}
	}
	return f
}

// applyPose sets the local transforms from the rest pose and p.
func (rt *runtime) applyPose(av *Avatar, p *Pose) {
	copy(rt.t, rt.restT)
	copy(rt.r, rt.restR)
	copy(rt.s, rt.restS)
	rt.root, rt.rootRot = mgl32.Ident4(), mgl32.QuatIdent()
	if p == nil {
		return
	}
	sc := p.RootScale
	if !(sc > 0) || !finite32(sc) {
		sc = 1
	}
	rt.rootRot = normQuat(p.RootRotation)
	rootPos := p.RootPosition
	if !finiteVec3(rootPos) {
		rootPos = mgl32.Vec3{}
	}
	rt.root = composeTRS(rootPos, rt.rootRot, mgl32.Vec3{sc, sc, sc})
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		rb := &rt.bones[b]
		if rb.node < 0 {
			continue
		}
		if p.Rotated.Has(b) {
			n := normQuat(p.Rotations[b])
			rt.r[rb.node] = normQuat(qmul(qmul(qmul(rb.wpInv, n), rb.wp), rb.local))
		}
		if !p.Positioned.Has(b) || !finiteVec3(p.Positions[b]) {
			continue
		}
		switch {
		case b == humanoid.Hips:
			h := p.Positions[b]
			if p.SourceHipsHeight > 0 && rt.hipsHeight > 0 {
				h = h.Mul(rt.hipsHeight / p.SourceHipsHeight)
			}
			rt.t[rb.node] = transformPoint(&rb.parentInv, h)
		case p.SameModel:
			rt.t[rb.node] = transformDir(&rb.parentInv, p.Positions[b])
		}
	}
}

// computeWorld recomputes NodeWorld for order[from:to] from the local
// transforms; parents outside the range must be current.
func (rt *runtime) computeWorld(av *Avatar, from, to int32) {
	w := rt.frame.NodeWorld
	for k := from; k < to; k++ {
		i := rt.order[k]
		local := composeTRS(rt.t[i], rt.r[i], rt.s[i])
		if p := av.Nodes[i].Parent; p >= 0 {
			w[i] = mulAffine(&w[p], &local)
		} else {
			w[i] = mulAffine(&rt.root, &local)
		}
	}
}

// computeSubtree recomputes NodeWorld for node i and its descendants.
func (rt *runtime) computeSubtree(av *Avatar, i int32) {
	k := rt.pos[i]
	rt.computeWorld(av, k, rt.end[k])
}

// computeNode recomputes NodeWorld for node i alone.
func (rt *runtime) computeNode(av *Avatar, i int32) {
	k := rt.pos[i]
	rt.computeWorld(av, k, k+1)
}

// normalizedToLocal returns the node rotation the rig gives bone b for the
// normalized rotation n.
func (rt *runtime) normalizedToLocal(b humanoid.Bone, n mgl32.Quat) mgl32.Quat {
	rb := &rt.bones[b]
	return normQuat(qmul(qmul(qmul(rb.wpInv, n), rb.wp), rb.local))
}

// preorder returns every node in depth-first pre-order (roots in file
// order), each node's position in it, and the end of each subtree.
func (av *Avatar) preorder() (order, pos, end []int32) {
	n := len(av.Nodes)
	order, pos, end = make([]int32, 0, n), make([]int32, n), make([]int32, n)
	stack := make([]int32, 0, 64)
	for i := n - 1; i >= 0; i-- {
		if av.Nodes[i].Parent < 0 {
			stack = append(stack, int32(i))
		}
	}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if k < 0 { // subtree end marker
			end[pos[-k-1]] = int32(len(order))
			continue
		}
		pos[k] = int32(len(order))
		order = append(order, k)
		stack = append(stack, -k-1)
		ch := av.Nodes[k].Children
		for c := len(ch) - 1; c >= 0; c-- {
			stack = append(stack, int32(ch[c]))
		}
	}
	return order, pos, end
}

// restWorld returns every node's rest world matrix in model space (no root
// transform). It allocates; the runtime keeps its own copy.
func (av *Avatar) restWorld() []mgl32.Mat4 {
	out := make([]mgl32.Mat4, len(av.Nodes))
	order, _, _ := av.preorder()
	for _, k := range order {
		nd := &av.Nodes[k]
		local := composeTRS(nd.Translation, nd.Rotation, nd.Scale)
		if p := nd.Parent; p >= 0 {
			out[k] = mulAffine(&out[p], &local)
		} else {
			out[k] = local
		}
	}
	return out
}
