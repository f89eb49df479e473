package vrm

import (
	"math"
	"sort"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/internal/mathx/quat"
)

// Spring-bone time stepping.
const (
	// SpringStep is the fixed simulation step, seconds (60 Hz).
	SpringStep = float32(1.0 / 60)
	// MaxSpringSteps bounds the steps one Update runs; longer pauses are
	// dropped rather than simulated.
	MaxSpringSteps = 8
)

// springJoint is one simulated joint's rest data: a node whose rotation
// follows its tail (the next joint, or a virtual tail).
type springJoint struct {
	node, parent int32
	path         []int32    // nodes from the previous joint (exclusive) down to node, recomputed before it
	tailLocal    mgl32.Vec3 // the tail's rest position in node's local space
	axis         mgl32.Vec3 // tailLocal normalised
	restT        mgl32.Vec3
	restR        mgl32.Quat
	restS        mgl32.Vec3
	params       SpringJoint
	uniform      bool // the joint's rest world transform has uniform scale
}

type springChain struct {
	joints    []springJoint
	colliders []int32 // indices into SpringBone.Colliders, deduplicated
	center    int32
	first     int32 // first joint's node, for the final subtree update
	tail0     int32 // index of the first joint's entry in springState.tails
}

// springRest is the spring-bone set-up a Model's Rigs share
// (VRMC_springBone-1.0 springBone.md; three-vrm VRMSpringBoneJoint), built
// from SpringBone.
type springRest struct {
	chains []springChain
	joints int // simulated joints in all chains
}

// springTail is a simulated joint's tail, in center space: where it is and
// where it was one step before (the verlet state).
type springTail struct{ cur, prev mgl32.Vec3 }

// springState is a Rig's spring-bone simulation.
type springState struct {
	tails       []springTail // per simulated joint, chain by chain (springChain.tail0)
	acc         float64      // seconds not yet simulated
	initialized bool
	disabled    bool
}

func (s *springState) init(rest *springRest) {
	s.tails = make([]springTail, rest.joints)
}

func (s *springRest) init(av *Model, rd *restData) {
	sb := &av.SpringBone
	// Node depths, computed once (a parent walk per comparison is
	// quadratic on deep hierarchies).
	depth := av.nodeIntervals().depth
	for si := range sb.Springs {
		sp := &sb.Springs[si]
		var ch springChain
		ch.center = int32(sp.Center)
		if sp.Center < 0 || sp.Center >= len(av.Nodes) {
			ch.center = -1
		}
		seen := map[int]bool{}
		for _, g := range sp.ColliderGroups {
			if g < 0 || g >= len(sb.ColliderGroups) {
				continue
			}
			for _, c := range sb.ColliderGroups[g].Colliders {
				if c >= 0 && c < len(sb.Colliders) && !seen[c] {
					seen[c] = true
					ch.colliders = append(ch.colliders, int32(c))
				}
			}
		}
		n := len(sp.Joints)
		simulated := n - 1 // VRM 1.0: the last joint is only a tail
		if sp.VirtualTail > 0 {
			simulated = n
		}
		prevNode := int32(-1)
		for k := 0; k < simulated; k++ {
			jn := sp.Joints[k].Node
			if jn < 0 || jn >= len(av.Nodes) {
				break
			}
			nd := &av.Nodes[jn]
			j := springJoint{
				node: int32(jn), parent: int32(nd.Parent),
				restT: nd.Translation, restR: nd.Rotation, restS: nd.Scale,
				params: sp.Joints[k],
			}
			inv := affineInverse(&rd.restWorld[jn])
			if k+1 < n {
				tn := sp.Joints[k+1].Node
				j.tailLocal = transformPoint(&inv, rd.restWorld[tn].Col(3).Vec3())
			} else {
				// VRM 0.x virtual tail: VirtualTail beyond the joint along
				// its parent → joint direction (UniVRM SetupRecursive).
				pos := rd.restWorld[jn].Col(3).Vec3()
				dir := mgl32.Vec3{0, 1, 0}
				if nd.Parent >= 0 {
					dir = unitOr(pos.Sub(rd.restWorld[nd.Parent].Col(3).Vec3()), dir)
				}
				j.tailLocal = transformPoint(&inv, pos.Add(dir.Mul(sp.VirtualTail)))
			}
			j.axis = unitOr(j.tailLocal, mgl32.Vec3{0, 1, 0})
			rw := &rd.restWorld[jn]
			sx, sy, sz := rw.Col(0).Vec3().Len(), rw.Col(1).Vec3().Len(), rw.Col(2).Vec3().Len()
			j.uniform = math.Abs(float64(sx-sy)) < 1e-4*float64(sx) && math.Abs(float64(sx-sz)) < 1e-4*float64(sx)
			// The path from the previous joint (whose world is current) down
			// to this joint.
			if prevNode >= 0 {
				var path []int32
				for q := int32(jn); q >= 0 && q != prevNode; q = int32(av.Nodes[q].Parent) {
					path = append(path, q)
				}
				for a, b := 0, len(path)-1; a < b; a, b = a+1, b-1 {
					path[a], path[b] = path[b], path[a]
				}
				j.path = path
			}
			// The first joint's world is current when its chain starts.
			prevNode = int32(jn)
			ch.joints = append(ch.joints, j)
		}
		if len(ch.joints) == 0 {
			continue
		}
		ch.first = ch.joints[0].node
		s.chains = append(s.chains, ch)
	}
	// Tails are numbered after sorting, so a chain's are contiguous.
	// Parents before children: a chain hanging from another's joint must
	// see that joint already moved.
	sort.SliceStable(s.chains, func(a, b int) bool {
		return depth[s.chains[a].first] < depth[s.chains[b].first]
	})
	for ci := range s.chains {
		s.chains[ci].tail0 = int32(s.joints)
		s.joints += len(s.chains[ci].joints)
	}
}

// SetSpringBones turns the spring-bone simulation on or off (VRM
// spring bones are on by default). Off, spring joints keep the rotation the
// pose gives them; turning it back on starts afresh as ResetSpringBones.
func (rg *Rig) SetSpringBones(enabled bool) {
	s := &rg.spring
	s.disabled = !enabled
	s.initialized = false
	s.acc = 0
}

// ResetSpringBones forgets the simulation: until the next Update with
// dt > 0 the joints follow the pose, and the simulation then starts from
// that pose with no velocity.
func (rg *Rig) ResetSpringBones() {
	s := &rg.spring
	s.initialized = false
	s.acc = 0
}

// centerMatrices returns the center-to-world matrix and its inverse.
func (rg *Rig) centerMatrices(c int32) (toWorld, toCenter mgl32.Mat4) {
	if c < 0 {
		return mgl32.Ident4(), mgl32.Ident4()
	}
	toWorld = rg.frame.NodeWorld[c]
	return toWorld, affineInverse(&toWorld)
}

// update runs the simulation for dt seconds in fixed steps and applies the
// resulting joint rotations to the frame.
func (s *springState) update(rg *Rig, dt float32) {
	chains := rg.rd.spring.chains
	if len(chains) == 0 || s.disabled {
		return
	}
	steps := 0
	if dt > 0 && finite32(dt) {
		// Accumulate in float64 with a little slack, so that two 1/120 s
		// frames make exactly one 1/60 s step.
		const h = 1.0 / 60
		s.acc += float64(dt)
		steps = int((s.acc + 1e-9) / h)
		s.acc = max(s.acc-float64(steps)*h, 0)
		if steps > MaxSpringSteps {
			steps = MaxSpringSteps
			s.acc = 0
		}
	}
	if !s.initialized {
		if steps == 0 {
			return // nothing simulated yet: the joints keep the pose
		}
		s.reset(rg)
		s.initialized = true
	}
	for step := 0; step < steps; step++ {
		for ci := range chains {
			s.stepChain(rg, &chains[ci], SpringStep)
			rg.computeSubtree(chains[ci].first)
		}
	}
	if steps == 0 {
		for ci := range chains {
			s.applyChain(rg, &chains[ci])
			rg.computeSubtree(chains[ci].first)
		}
	}
}

// reset puts every tail where the current pose has it, with no velocity.
func (s *springState) reset(rg *Rig) {
	w := rg.frame.NodeWorld
	chains := rg.rd.spring.chains
	for ci := range chains {
		ch := &chains[ci]
		_, toCenter := rg.centerMatrices(ch.center)
		tails := s.tails[ch.tail0 : int(ch.tail0)+len(ch.joints)]
		for k := range ch.joints {
			j := &ch.joints[k]
			tail := transformPoint(&w[j.node], j.tailLocal)
			tails[k].cur = transformPoint(&toCenter, tail)
			tails[k].prev = tails[k].cur
		}
	}
}

// jointBase returns the joint's "initial" world matrix: the parent's current world times the joint's rest local
// transform (with its current translation).
func (rg *Rig) jointBase(j *springJoint) mgl32.Mat4 {
	parentW := &rg.root
	if j.parent >= 0 {
		parentW = &rg.frame.NodeWorld[j.parent]
	}
	local := composeTRS(rg.t[j.node], j.restR, rg.s[j.node])
	return mulAffine(parentW, &local)
}

// refreshPath recomputes the world matrices from the previous joint down to
// this one.
func (rg *Rig) refreshPath(j *springJoint) {
	for _, q := range j.path {
		rg.computeNode(q)
	}
}

// stepChain advances one chain by h seconds (springBone.md "Update"):
// verlet inertia damped by dragForce, stiffness pulling toward the rest
// direction, gravity, the bone-length constraint, collisions, then the
// joint's rotation set to point at the new tail.
func (s *springState) stepChain(rg *Rig, ch *springChain, h float32) {
	toWorld, toCenter := rg.centerMatrices(ch.center)
	tails := s.tails[ch.tail0 : int(ch.tail0)+len(ch.joints)]
	for k := range ch.joints {
		j, tl := &ch.joints[k], &tails[k]
		rg.refreshPath(j)
		initW := rg.jointBase(j)
		w := &rg.frame.NodeWorld[j.node]
		pos := mgl32.Vec3{w[12], w[13], w[14]}
		length := transformPoint(w, j.tailLocal).Sub(pos).Len()
		cur := transformPoint(&toWorld, tl.cur)
		prev := transformPoint(&toWorld, tl.prev)
		p := &j.params
		restDir := unitOr(transformDir(&initW, j.axis), mgl32.Vec3{0, 1, 0})
		next := cur.
			Add(cur.Sub(prev).Mul(1 - p.DragForce)).
			Add(restDir.Mul(p.Stiffness * h)).
			Add(p.GravityDir.Mul(p.GravityPower * h))
		next = pos.Add(unitOr(next.Sub(pos), restDir).Mul(length))
		next = rg.collide(ch, next, pos, length, p.HitRadius)
		if !finiteVec3(next) {
			next = transformPoint(&initW, j.tailLocal)
		}
		tl.prev = tl.cur
		tl.cur = transformPoint(&toCenter, next)
		rg.r[j.node] = tailRotation(j, &initW, next)
		rg.computeNode(j.node)
	}
}

// applyChain sets the joints' rotations from their current tails without
// simulating.
func (s *springState) applyChain(rg *Rig, ch *springChain) {
	toWorld, _ := rg.centerMatrices(ch.center)
	tails := s.tails[ch.tail0 : int(ch.tail0)+len(ch.joints)]
	for k := range ch.joints {
		j := &ch.joints[k]
		rg.refreshPath(j)
		initW := rg.jointBase(j)
		rg.r[j.node] = tailRotation(j, &initW, transformPoint(&toWorld, tails[k].cur))
		rg.computeNode(j.node)
	}
}

// tailRotation is the joint's local rotation that points its bone axis at
// the world position tail: restR · fromTo(axis, initW⁻¹·tail). With a
// uniform scale the inverse is the transpose (the length is normalised
// away).
func tailRotation(j *springJoint, initW *mgl32.Mat4, tail mgl32.Vec3) mgl32.Quat {
	var local mgl32.Vec3
	if j.uniform {
		d := tail.Sub(mgl32.Vec3{initW[12], initW[13], initW[14]})
		local = mgl32.Vec3{
			initW[0]*d[0] + initW[1]*d[1] + initW[2]*d[2],
			initW[4]*d[0] + initW[5]*d[1] + initW[6]*d[2],
			initW[8]*d[0] + initW[9]*d[1] + initW[10]*d[2],
		}
	} else {
		inv := affineInverse(initW)
		local = transformPoint(&inv, tail)
	}
	to := unitOr(local, j.axis)
	return quat.Normalize(qmul(j.restR, fromTo(j.axis, to)))
}

// fromTo returns the shortest rotation taking unit vector a to unit vector b.
func fromTo(a, b mgl32.Vec3) mgl32.Quat {
	d := a.Dot(b)
	if d < -0.999999 {
		// Opposite: turn half a circle about any axis perpendicular to a.
		ax := mgl32.Vec3{1, 0, 0}.Cross(a)
		if ax.Len() < 1e-6 {
			ax = mgl32.Vec3{0, 1, 0}.Cross(a)
		}
		return mgl32.QuatRotate(math.Pi, ax.Normalize())
	}
	c := a.Cross(b)
	return quat.Normalize(mgl32.Quat{W: 1 + d, V: c})
}

// collide pushes tail out of the chain's colliders, keeping the bone length
// after each push (springBone.md "Collision").
func (rg *Rig) collide(ch *springChain, tail, pos mgl32.Vec3, length, hitRadius float32) mgl32.Vec3 {
	cols := rg.m.SpringBone.Colliders
	for _, ci := range ch.colliders {
		c := &cols[ci]
		if c.Node < 0 || c.Node >= len(rg.frame.NodeWorld) {
			continue
		}
		cw := &rg.frame.NodeWorld[c.Node]
		center := transformPoint(cw, c.Offset)
		if c.Shape == ColliderCapsule {
			end := transformPoint(cw, c.Tail)
			seg := end.Sub(center)
			if l2 := seg.Dot(seg); l2 > 1e-12 {
				t := mathx.Clamp(tail.Sub(center).Dot(seg)/l2, 0, 1)
				center = center.Add(seg.Mul(t))
			}
		}
		delta := tail.Sub(center)
		dist := delta.Len()
		r := c.Radius + hitRadius
		if dist >= r {
			continue
		}
		dir := mgl32.Vec3{0, 1, 0}
		if dist > 1e-9 {
			dir = delta.Mul(1 / dist)
		}
		tail = center.Add(dir.Mul(r))
		tail = pos.Add(unitOr(tail.Sub(pos), dir).Mul(length))
	}
	return tail
}
