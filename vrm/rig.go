package vrm

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// restData is what posing needs that depends only on the Model: the node
// order, rest transforms, the normalized rig's rest data and the static
// set-up of expressions, node constraints and spring bones. It is built once
// per Model (Model.restData) and only read afterwards, by every Rig of the
// Model at once.
type restData struct {
	order []int32 // all nodes, depth-first pre-order (parents first)
	end   []int32 // end[k]: position just past the subtree of order[k]
	pos   []int32 // pos[node]: the node's position in order

	restWorld []mgl32.Mat4 // model space, no root transform
	restRot   []mgl32.Quat // rotation part of restWorld

	// Rest local transforms, per node.
	restT []mgl32.Vec3
	restR []mgl32.Quat
	restS []mgl32.Vec3

	bones      [humanoid.Count]rigBone
	hipsHeight float32

	expr   exprRest
	cons   consRest
	spring springRest
}

// rigBone is one humanoid bone's rest data for the normalized rig.
type rigBone struct {
	node      int32 // -1 when absent
	wp, wpInv mgl32.Quat
	local     mgl32.Quat // L: rest local rotation
	parentInv mgl32.Mat4 // inverse of the node's parent's rest world (identity for a root)
}

// restData returns the Model's derived rest data, building it on first use
// (safe for concurrent callers).
func (av *Model) restData() *restData {
	av.restOnce.Do(func() { av.rest = newRestData(av) })
	return av.rest
}

func newRestData(av *Model) *restData {
	n := len(av.Nodes)
	rd := &restData{
		restWorld: make([]mgl32.Mat4, n),
		restRot:   make([]mgl32.Quat, n),
		restT:     make([]mgl32.Vec3, n),
		restR:     make([]mgl32.Quat, n),
		restS:     make([]mgl32.Vec3, n),
	}
	rd.order, rd.pos, rd.end = av.preorder()
	for i := range av.Nodes {
		nd := &av.Nodes[i]
		rd.restT[i], rd.restR[i], rd.restS[i] = nd.Translation, nd.Rotation, nd.Scale
	}
	for _, k := range rd.order {
		nd := &av.Nodes[k]
		local := composeTRS(nd.Translation, nd.Rotation, nd.Scale)
		if p := nd.Parent; p >= 0 {
			rd.restWorld[k] = mulAffine(&rd.restWorld[p], &local)
			rd.restRot[k] = quat.Normalize(qmul(rd.restRot[p], nd.Rotation))
		} else {
			rd.restWorld[k] = local
			rd.restRot[k] = nd.Rotation
		}
	}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		rb := &rd.bones[b]
		rb.node = -1
		node := av.Humanoid.Node(b)
		if node < 0 || node >= n {
			continue
		}
		rb.node = int32(node)
		rb.local = av.Nodes[node].Rotation
		rb.wp, rb.parentInv = mgl32.QuatIdent(), mgl32.Ident4()
		if p := av.Nodes[node].Parent; p >= 0 {
			rb.wp = rd.restRot[p]
			rb.parentInv = affineInverse(&rd.restWorld[p])
		}
		rb.wpInv = qconj(rb.wp)
	}
	if h := rd.bones[humanoid.Hips].node; h >= 0 {
		rd.hipsHeight = rd.restWorld[h][13]
	}
	rd.expr.init(av)
	rd.cons.init(av, rd)
	rd.spring.init(av, rd)
	return rd
}

// Rig poses one instance of a Model: it holds the per-instance state (the
// local transforms being posed, the expression and lookAt results, the
// spring-bone simulation) and the buffers of the Frame it returns. Any
// number of Rigs may share one Model, each on its own goroutine; a Rig
// itself is not safe for concurrent use. Make one with NewRig.
type Rig struct {
	m  *Model
	rd *restData

	// Current local transforms.
	t []mgl32.Vec3
	r []mgl32.Quat
	s []mgl32.Vec3

	root    mgl32.Mat4
	rootRot mgl32.Quat

	frame  Frame
	expr   exprState
	look   lookState
	cons   consState
	spring springState
	posed  bool // Pose or Update has run
}

// NewRig returns a Rig for m at rest, with spring bones on, and its Frame
// buffers allocated: posing does not allocate. It builds m's derived rest
// data on m's first use, so m must be complete by then (see Model).
//
// NewRig panics if m's nodes changed after its rest data was built: a
// Model is not to be edited once used.
func NewRig(m *Model) *Rig {
	rd := m.restData()
	n := len(m.Nodes)
	if len(rd.restT) != n {
		panic("vrm: NewRig: the Model's nodes changed after its first use")
	}
	rg := &Rig{
		m:       m,
		rd:      rd,
		t:       make([]mgl32.Vec3, n),
		r:       make([]mgl32.Quat, n),
		s:       make([]mgl32.Vec3, n),
		root:    mgl32.Ident4(),
		rootRot: mgl32.QuatIdent(),
	}
	f := &rg.frame
	f.NodeWorld = make([]mgl32.Mat4, n)
	f.MorphWeights = make([][]float32, n)
	for i, nd := range m.Nodes {
		if nd.Mesh >= 0 && nd.Mesh < len(m.Meshes) {
			f.MorphWeights[i] = make([]float32, len(m.Meshes[nd.Mesh].TargetNames))
		}
	}
	f.JointPalettes = make([][]mgl32.Mat4, len(m.Skins))
	for i := range m.Skins {
		f.JointPalettes[i] = make([]mgl32.Mat4, len(m.Skins[i].Joints))
	}
	f.Materials = make([]MaterialState, len(m.Materials))
	rg.expr.init(m)
	rg.cons.init(m, &rd.cons)
	rg.spring.init(&rd.spring)
	return rg
}

// Model returns the Model the Rig poses.
func (rg *Rig) Model() *Model { return rg.m }

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
// constraints (Model.Constraints), spring bones, expressions.
// Spring bones are applied in their current simulated state without
// advancing time (see Update); before the first Update with dt > 0 (or
// after ResetSpringBones) they simply follow the pose, so one-off poses of
// a fresh Rig are exactly the kinematic pose. The Frame is owned by the
// Rig and overwritten by its next Pose or Update; Pose does not allocate.
func (rg *Rig) Pose(p *Pose) *Frame { return rg.Update(p, 0) }

// Update is Pose that also advances the spring-bone simulation by dt
// seconds, in fixed steps of SpringStep (frame-rate independent; at most
// MaxSpringSteps steps per call, the rest of a long pause is dropped).
func (rg *Rig) Update(p *Pose, dt float32) *Frame {
	av := rg.m
	rg.posed = true
	rg.applyPose(p)
	rg.computeWorld(0, int32(len(rg.rd.order)))
	rg.applyLookAt(p)
	rg.cons.evaluate(rg)
	rg.spring.update(rg, dt)
	rg.expr.evaluate(rg, p)
	f := &rg.frame
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
func (rg *Rig) applyPose(p *Pose) {
	rd := rg.rd
	copy(rg.t, rd.restT)
	copy(rg.r, rd.restR)
	copy(rg.s, rd.restS)
	rg.root, rg.rootRot = mgl32.Ident4(), mgl32.QuatIdent()
	if p == nil {
		return
	}
	sc := p.RootScale
	if !(sc > 0) || !finite32(sc) {
		sc = 1
	}
	rg.rootRot = quat.Normalize(p.RootRotation)
	rootPos := p.RootPosition
	if !finiteVec3(rootPos) {
		rootPos = mgl32.Vec3{}
	}
	rg.root = composeTRS(rootPos, rg.rootRot, mgl32.Vec3{sc, sc, sc})
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		rb := &rd.bones[b]
		if rb.node < 0 {
			continue
		}
		if p.Rotated.Has(b) {
			n := quat.Normalize(p.Rotations[b])
			rg.r[rb.node] = quat.Normalize(qmul(qmul(qmul(rb.wpInv, n), rb.wp), rb.local))
		}
		if !p.Positioned.Has(b) || !finiteVec3(p.Positions[b]) {
			continue
		}
		switch {
		case b == humanoid.Hips:
			h := p.Positions[b]
			if p.SourceHipsHeight > 0 && rd.hipsHeight > 0 {
				h = h.Mul(rd.hipsHeight / p.SourceHipsHeight)
			}
			rg.t[rb.node] = transformPoint(&rb.parentInv, h)
		case p.SameModel:
			rg.t[rb.node] = transformDir(&rb.parentInv, p.Positions[b])
		}
	}
}

// computeWorld recomputes NodeWorld for order[from:to] from the local
// transforms; parents outside the range must be current.
func (rg *Rig) computeWorld(from, to int32) {
	w := rg.frame.NodeWorld
	nodes := rg.m.Nodes
	for k := from; k < to; k++ {
		i := rg.rd.order[k]
		local := composeTRS(rg.t[i], rg.r[i], rg.s[i])
		if p := nodes[i].Parent; p >= 0 {
			w[i] = mulAffine(&w[p], &local)
		} else {
			w[i] = mulAffine(&rg.root, &local)
		}
	}
}

// computeSubtree recomputes NodeWorld for node i and its descendants.
func (rg *Rig) computeSubtree(i int32) {
	k := rg.rd.pos[i]
	rg.computeWorld(k, rg.rd.end[k])
}

// computeNode recomputes NodeWorld for node i alone.
func (rg *Rig) computeNode(i int32) {
	k := rg.rd.pos[i]
	rg.computeWorld(k, k+1)
}

// normalizedToLocal returns the node rotation the rig gives bone b for the
// normalized rotation n.
func (rd *restData) normalizedToLocal(b humanoid.Bone, n mgl32.Quat) mgl32.Quat {
	rb := &rd.bones[b]
	return quat.Normalize(qmul(qmul(qmul(rb.wpInv, n), rb.wp), rb.local))
}

// preorder returns every node in depth-first pre-order (roots in file
// order), each node's position in it, and the end of each subtree.
func (av *Model) preorder() (order, pos, end []int32) {
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
// transform). It allocates and does not use the Model's rest data, so the
// loader may call it on a Model still being built.
func (av *Model) restWorld() []mgl32.Mat4 {
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
