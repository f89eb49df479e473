package vrm

import (
	"github.com/go-gl/mathgl/mgl32"
	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

// Spring-bone defaults (VRMC_springBone-1.0 schema; UniVRM VRMSpringBone for
// VRM 0.x).
const (
	defaultStiffness  = 1
	defaultDragForce1 = 0.5
	defaultDragForce0 = 0.4
	defaultHitRadius0 = 0.02
	// VirtualTailVRM0 is the length of the tail UniVRM gives a VRM 0.x
	// chain's leaf (VRMSpringBone.SetupRecursive), metres.
	VirtualTailVRM0 = 0.07
)

var defaultGravityDir = mgl32.Vec3{0, -1, 0}

// maxSpringJoints bounds the joints of all springs together.
const maxSpringJoints = 1 << 16

// loadSpringBone1 reads VRMC_springBone (springBone.md). Bad references are
// dropped with a warning; a spring keeps its valid joints.
func (l *loader) loadSpringBone1(x *schema.V1SpringBone) error {
	av := l.av
	sb := &av.SpringBone
	nodeOK := func(n int) bool { return n >= 0 && n < len(av.Nodes) }
	colliderMap := make([]int, len(x.Colliders)) // file index → ours, -1 dropped
	for i, c := range x.Colliders {
		el := "VRMC_springBone.colliders[" + itoa(i) + "]"
		colliderMap[i] = -1
		if !nodeOK(c.Node) {
			l.warnf("%s: node %d does not exist; ignored", el, c.Node)
			continue
		}
		col := Collider{Node: c.Node}
		switch {
		case c.Shape.Sphere != nil:
			col.Shape, col.Offset, col.Radius = ColliderSphere, mgl32.Vec3(c.Shape.Sphere.Offset), c.Shape.Sphere.Radius
		case c.Shape.Capsule != nil:
			col.Shape, col.Offset, col.Radius = ColliderCapsule, mgl32.Vec3(c.Shape.Capsule.Offset), c.Shape.Capsule.Radius
			col.Tail = mgl32.Vec3(c.Shape.Capsule.Tail)
		default:
			l.warnf("%s: no sphere or capsule shape; ignored", el)
			continue
		}
		if !finiteVec3(col.Offset) || !finiteVec3(col.Tail) || !finite32(col.Radius) {
			l.warnf("%s: not finite; ignored", el)
			continue
		}
		colliderMap[i] = len(sb.Colliders)
		sb.Colliders = append(sb.Colliders, col)
	}
	groupMap := make([]int, len(x.ColliderGroups))
	for i, g := range x.ColliderGroups {
		groupMap[i] = len(sb.ColliderGroups)
		cg := ColliderGroup{Name: g.Name}
		for _, c := range g.Colliders {
			if c < 0 || c >= len(colliderMap) || colliderMap[c] < 0 {
				l.warnf("VRMC_springBone.colliderGroups[%d]: collider %d does not exist; ignored", i, c)
				continue
			}
			cg.Colliders = append(cg.Colliders, colliderMap[c])
		}
		sb.ColliderGroups = append(sb.ColliderGroups, cg)
	}
	total, span := 0, 0
	var iv nodeIntervals
	if len(x.Springs) > 0 {
		iv = av.nodeIntervals()
	}
	for i, s := range x.Springs {
		el := "VRMC_springBone.springs[" + itoa(i) + "]"
		sp := Spring{Name: s.Name, Center: -1}
		if s.Center != nil {
			if nodeOK(*s.Center) {
				sp.Center = *s.Center
			} else {
				l.warnf("%s: center node %d does not exist; using world", el, *s.Center)
			}
		}
		for _, g := range s.ColliderGroups {
			if g < 0 || g >= len(groupMap) {
				l.warnf("%s: collider group %d does not exist; ignored", el, g)
				continue
			}
			sp.ColliderGroups = append(sp.ColliderGroups, groupMap[g])
		}
		for k, j := range s.Joints {
			if !nodeOK(j.Node) {
				l.warnf("%s.joints[%d]: node %d does not exist; chain cut there", el, k, j.Node)
				break
			}
			if len(sp.Joints) > 0 {
				prev := sp.Joints[len(sp.Joints)-1].Node
				if !iv.isAncestor(prev, j.Node) {
					l.warnf("%s.joints[%d]: node %d is not below the previous joint; chain cut there", el, k, j.Node)
					break
				}
				// The simulation walks the nodes between two joints every
				// step: bound them all together.
				if span += int(iv.depth[j.Node] - iv.depth[prev]); span > maxSpringJoints {
					return limitf("VRMC_springBone", "springs span more than %d nodes in all", maxSpringJoints)
				}
			}
			jt := SpringJoint{
				Node:         j.Node,
				HitRadius:    max(j.HitRadius, 0),
				Stiffness:    defaultStiffness,
				GravityPower: max(j.GravityPower, 0),
				GravityDir:   defaultGravityDir,
				DragForce:    defaultDragForce1,
			}
			if j.Stiffness != nil {
				jt.Stiffness = max(*j.Stiffness, 0)
			}
			if j.DragForce != nil {
				jt.DragForce = mathx.Clamp(*j.DragForce, 0, 1)
			}
			if j.GravityDir != nil {
				jt.GravityDir = unitOr(mgl32.Vec3(*j.GravityDir), defaultGravityDir)
			}
			sp.Joints = append(sp.Joints, jt)
		}
		total += len(sp.Joints)
		if total > maxSpringJoints {
			return limitf("VRMC_springBone", "more than %d joints", maxSpringJoints)
		}
		if len(sp.Joints) < 2 {
			l.warnf("%s: fewer than two joints; ignored", el)
			continue
		}
		sb.Springs = append(sb.Springs, sp)
	}
	return nil
}

// unitOr returns v normalised, or def when v is zero or not finite.
func unitOr(v, def mgl32.Vec3) mgl32.Vec3 {
	l := v.Len()
	if !(l > 1e-9) || !finite32(l) {
		return def
	}
	return v.Mul(1 / l)
}

// loadSpringBone0 reads VRM.secondaryAnimation. Vectors there are in Unity
// coordinates (field notes §4) and become VRM 1.0-frame vectors by
// ReverseX. Each bone group's root bones expand to their whole subtrees, as
// UniVRM does: one chain following first children from the root, then one
// chain per other branch, each leaf given a 7 cm virtual tail.
func (l *loader) loadSpringBone0(x *schema.V0Secondary) error {
	if x == nil {
		return nil
	}
	av := l.av
	sb := &av.SpringBone
	nodeOK := func(n int) bool { return n >= 0 && n < len(av.Nodes) }
	unity := func(v schema.V0Vec3) mgl32.Vec3 { return mgl32.Vec3{-v.X, v.Y, v.Z} }
	for i, g := range x.ColliderGroups {
		el := "VRM.secondaryAnimation.colliderGroups[" + itoa(i) + "]"
		cg := ColliderGroup{}
		if !nodeOK(g.Node) {
			l.warnf("%s: node %d does not exist; group left empty", el, g.Node)
		} else {
			for _, c := range g.Colliders {
				off := unity(c.Offset)
				if !finiteVec3(off) || !finite32(c.Radius) {
					l.warnf("%s: collider not finite; ignored", el)
					continue
				}
				cg.Colliders = append(cg.Colliders, len(sb.Colliders))
				sb.Colliders = append(sb.Colliders, Collider{Node: g.Node, Shape: ColliderSphere, Offset: off, Radius: c.Radius})
			}
		}
		sb.ColliderGroups = append(sb.ColliderGroups, cg)
	}
	total := 0
	for gi, g := range x.BoneGroups {
		el := "VRM.secondaryAnimation.boneGroups[" + itoa(gi) + "]"
		jt := SpringJoint{
			HitRadius:    defaultHitRadius0,
			Stiffness:    defaultStiffness,
			GravityPower: max(g.GravityPower, 0),
			GravityDir:   defaultGravityDir,
			DragForce:    defaultDragForce0,
		}
		if g.HitRadius != nil {
			jt.HitRadius = max(*g.HitRadius, 0)
		}
		if g.Stiffiness != nil {
			jt.Stiffness = max(*g.Stiffiness, 0)
		}
		if g.DragForce != nil {
			jt.DragForce = mathx.Clamp(*g.DragForce, 0, 1)
		}
		if g.GravityDir != nil {
			jt.GravityDir = unitOr(unity(*g.GravityDir), defaultGravityDir)
		}
		center := -1
		if g.Center != nil && *g.Center >= 0 {
			if nodeOK(*g.Center) {
				center = *g.Center
			} else {
				l.warnf("%s: center node %d does not exist; using world", el, *g.Center)
			}
		}
		var groups []int
		for _, c := range g.ColliderGroups {
			if c < 0 || c >= len(sb.ColliderGroups) {
				l.warnf("%s: collider group %d does not exist; ignored", el, c)
				continue
			}
			groups = append(groups, c)
		}
		seen := map[int]bool{}
		for _, root := range g.Bones {
			if !nodeOK(root) {
				l.warnf("%s: bone node %d does not exist; ignored", el, root)
				continue
			}
			if seen[root] {
				continue
			}
			for _, chain := range av.subtreeChains(root) {
				sp := Spring{Name: g.Comment, ColliderGroups: groups, Center: center, VirtualTail: VirtualTailVRM0}
				for _, n := range chain {
					seen[n] = true
					j := jt
					j.Node = n
					sp.Joints = append(sp.Joints, j)
				}
				total += len(sp.Joints)
				if total > maxSpringJoints {
					return limitf("VRM.secondaryAnimation", "more than %d joints", maxSpringJoints)
				}
				sb.Springs = append(sb.Springs, sp)
			}
		}
	}
	return nil
}

// subtreeChains splits the subtree under root into chains: the first follows
// first children from root to a leaf; every other child starts a chain of
// its own, in depth-first order.
func (av *Model) subtreeChains(root int) [][]int {
	var chains [][]int
	pending := []int{root}
	for len(pending) > 0 {
		start := pending[0]
		pending = pending[1:]
		chain := []int{start}
		var branches []int
		for n := start; len(av.Nodes[n].Children) > 0; {
			ch := av.Nodes[n].Children
			branches = append(branches, ch[1:]...)
			n = ch[0]
			chain = append(chain, n)
		}
		chains = append(chains, chain)
		pending = append(branches, pending...)
	}
	return chains
}
