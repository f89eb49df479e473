package vrm

import (
	"math"
	"reflect"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// checkFinite walks v (structs, arrays, slices, maps, *MToon) and reports
// the first float that is NaN or infinite, naming it by its path from el
// ("materials[2].MToon.ShadeColor[0]"). The path is built only then.
func checkFinite(el string, v reflect.Value) error {
	if path, bad := nonFinite(v); bad {
		return errorf(el+path, "value is not finite")
	}
	return nil
}

// nonFinite returns the path within v of its first non-finite float.
func nonFinite(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return "", true
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				if p, bad := nonFinite(v.Field(i)); bad {
					return "." + t.Field(i).Name + p, true
				}
			}
		}
	case reflect.Array, reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if p, bad := nonFinite(v.Index(i)); bad {
				return "[" + itoa(i) + "]" + p, true
			}
		}
	case reflect.Pointer:
		if !v.IsNil() && v.Type() == reflect.TypeOf((*MToon)(nil)) {
			return nonFinite(v.Elem())
		}
	}
	return "", false
}

func finiteVecs3(v []mgl32.Vec3) bool {
	for _, x := range v {
		if !finiteVec3(x) {
			return false
		}
	}
	return true
}

// Validate checks that every index in the model points where it may, so
// that posing, drawing and writing cannot go out of bounds: node links form
// a forest with consistent Parent/Children, mesh/skin/material/texture
// references exist, vertex attributes and morph targets match the vertex
// count, indices and joint indices are in range, and expression, humanoid,
// lookAt and spring-bone references exist. Load runs it; call it on an
// Model built by hand before NewRig or vrmenc.Encode.
func (av *Model) Validate() error { return av.validate() }

// validators are validate's checks, one per part of the model, in the
// order they run (an element's references before the values they reach).
// Each names the element it refuses ("mesh 3 primitive 1") only then:
// building those names for every element cost 2,605 allocations per
// Godette load (issue #12).
var validators = [...]func(*Model) error{
	(*Model).validateNodes,
	(*Model).validateSkins,
	(*Model).validatePrimitives,
	(*Model).validateFiniteValues,
	(*Model).validateFiniteVertices,
	(*Model).validateTextures,
	(*Model).validateMaterials,
	(*Model).validateHumanoid,
	(*Model).validateExpressions,
	(*Model).validateFirstPerson,
	(*Model).validateSpringBone,
	(*Model).validateConstraints,
}

func (av *Model) validate() error {
	for _, check := range validators {
		if err := check(av); err != nil {
			return err
		}
	}
	return nil
}

// nodeOK reports whether i indexes av.Nodes.
func (av *Model) nodeOK(i int) bool { return i >= 0 && i < len(av.Nodes) }

func nodeEl(i int) string           { return "node " + itoa(i) }
func primitiveEl(mi, pi int) string { return "mesh " + itoa(mi) + " primitive " + itoa(pi) }

// validateNodes checks each node's parent, children, mesh and skin, and
// that a skinned mesh's weighted joint indices are within its skin; then
// that the node links form a forest whose roots are the scene.
func (av *Model) validateNodes() error {
	for i := range av.Nodes {
		n := &av.Nodes[i]
		if n.Parent != -1 && !av.nodeOK(n.Parent) {
			return errorf(nodeEl(i), "parent %d does not exist", n.Parent)
		}
		if n.Parent >= 0 && !containsInt(av.Nodes[n.Parent].Children, i) {
			return errorf(nodeEl(i), "parent %d does not list it as a child", n.Parent)
		}
		for _, c := range n.Children {
			if !av.nodeOK(c) || av.Nodes[c].Parent != i {
				return errorf(nodeEl(i), "child %d does not have it as parent", c)
			}
		}
		if n.Mesh != -1 && (n.Mesh < 0 || n.Mesh >= len(av.Meshes)) {
			return errorf(nodeEl(i), "mesh %d does not exist", n.Mesh)
		}
		if n.Skin != -1 && (n.Skin < 0 || n.Skin >= len(av.Skins)) {
			return errorf(nodeEl(i), "skin %d does not exist", n.Skin)
		}
		if n.Mesh >= 0 && n.Skin >= 0 {
			if err := av.validateSkinnedMesh(i); err != nil {
				return err
			}
		}
	}
	// Cycles: with consistent links, every parent chain must reach a root.
	// Each chain is walked once (nodes already known to reach a root stop
	// the walk), so this is linear in the node count even for one deep
	// chain (a 60,000-deep chain took 72 s when every node walked to the
	// root).
	if i := parentCycle(av.Nodes); i >= 0 {
		return errorf(nodeEl(i), "is part of a cycle")
	}
	for _, r := range av.Scene {
		if !av.nodeOK(r) || av.Nodes[r].Parent >= 0 {
			return errorf("scene", "node %d is not a root node", r)
		}
	}
	return nil
}

// validateSkinnedMesh checks that node i's mesh gives weight only to joints
// its skin has. The node's mesh and skin exist.
func (av *Model) validateSkinnedMesh(i int) error {
	n := &av.Nodes[i]
	joints := len(av.Skins[n.Skin].Joints)
	for pi, p := range av.Meshes[n.Mesh].Primitives {
		for v, j := range p.Joints {
			for c := 0; c < 4; c++ {
				if int(j[c]) >= joints && p.Weights[v][c] > 0 {
					return errorf(nodeEl(i), "mesh %d primitive %d vertex %d: joint %d ≥ skin %d's %d joints", n.Mesh, pi, v, j[c], n.Skin, joints)
				}
			}
		}
	}
	return nil
}

// validateSkins checks that each skin has one inverse bind matrix per
// joint and that its joints exist.
func (av *Model) validateSkins() error {
	for si, s := range av.Skins {
		if len(s.InverseBindMatrices) != len(s.Joints) {
			return errorf("skin "+itoa(si), "%d inverse bind matrices for %d joints", len(s.InverseBindMatrices), len(s.Joints))
		}
		for _, j := range s.Joints {
			if !av.nodeOK(j) {
				return errorf("skin "+itoa(si), "joint node %d does not exist", j)
			}
		}
	}
	return nil
}

// validatePrimitives checks every primitive's attribute lengths, indices,
// morph targets and material.
func (av *Model) validatePrimitives() error {
	for mi, m := range av.Meshes {
		for pi := range m.Primitives {
			if err := av.validatePrimitive(mi, pi); err != nil {
				return err
			}
		}
	}
	return nil
}

func (av *Model) validatePrimitive(mi, pi int) error {
	m := &av.Meshes[mi]
	p := &m.Primitives[pi]
	n := len(p.Positions)
	for _, a := range [...]struct {
		name string
		l    int
		opt  bool
	}{{"Normals", len(p.Normals), false}, {"UV0", len(p.UV0), true}, {"UV1", len(p.UV1), true},
		{"Colors", len(p.Colors), true}, {"Joints", len(p.Joints), true}, {"Weights", len(p.Weights), true}} {
		if a.l != n && !(a.opt && a.l == 0) {
			return errorf(primitiveEl(mi, pi), "%s has %d entries for %d vertices", a.name, a.l, n)
		}
	}
	if (p.Joints == nil) != (p.Weights == nil) {
		return errorf(primitiveEl(mi, pi), "Joints and Weights must both be set or both be nil")
	}
	if len(p.Indices)%3 != 0 {
		return errorf(primitiveEl(mi, pi), "%d indices is not a whole number of triangles", len(p.Indices))
	}
	for k, v := range p.Indices {
		if int64(v) >= int64(n) {
			return errorf(primitiveEl(mi, pi), "index %d is %d, beyond its %d vertices", k, v, n)
		}
	}
	if len(p.Targets) != len(m.TargetNames) {
		return errorf(primitiveEl(mi, pi), "%d morph targets but the mesh names %d", len(p.Targets), len(m.TargetNames))
	}
	for ti, t := range p.Targets {
		if (t.Positions != nil && len(t.Positions) != n) || (t.Normals != nil && len(t.Normals) != n) {
			return errorf(primitiveEl(mi, pi), "morph target %d does not match its %d vertices", ti, n)
		}
	}
	if p.Material != -1 && (p.Material < 0 || p.Material >= len(av.Materials)) {
		return errorf(primitiveEl(mi, pi), "material %d does not exist", p.Material)
	}
	return nil
}

// validateFiniteValues checks that every float of the materials,
// expressions, lookAt, spring bones, nodes and constraints is finite.
func (av *Model) validateFiniteValues() error {
	for _, part := range [...]struct {
		name string
		v    any
	}{{"materials", av.Materials}, {"expressions", av.Expressions}, {"lookAt", av.LookAt}, {"springBone", av.SpringBone}, {"nodes", av.Nodes}, {"constraints", av.Constraints}} {
		if err := checkFinite(part.name, reflect.ValueOf(part.v)); err != nil {
			return err
		}
	}
	return nil
}

// validateFiniteVertices checks that every vertex attribute and morph
// target of every primitive is finite.
func (av *Model) validateFiniteVertices() error {
	for mi, m := range av.Meshes {
		for pi := range m.Primitives {
			if !finitePrimitive(&m.Primitives[pi]) {
				return errorf(primitiveEl(mi, pi), "has vertex data that is not finite")
			}
		}
	}
	return nil
}

func finitePrimitive(p *Primitive) bool {
	ok := finiteVecs3(p.Positions) && finiteVecs3(p.Normals)
	for _, t := range p.Targets {
		ok = ok && finiteVecs3(t.Positions) && finiteVecs3(t.Normals)
	}
	for _, uv := range [2][]mgl32.Vec2{p.UV0, p.UV1} {
		for _, x := range uv {
			ok = ok && finite32(x[0]) && finite32(x[1])
		}
	}
	for _, c := range p.Colors {
		ok = ok && finite32(c[0]) && finite32(c[1]) && finite32(c[2]) && finite32(c[3])
	}
	for _, w := range p.Weights {
		ok = ok && finite32(w[0]) && finite32(w[1]) && finite32(w[2]) && finite32(w[3])
	}
	return ok
}

// validateTextures checks that each texture has an image (or one still to
// be decoded) whose bounds start at (0, 0).
func (av *Model) validateTextures() error {
	for ti, t := range av.Textures {
		if t.Image == nil && t.lazy != nil {
			continue
		}
		if t.Image == nil || t.Image.Rect.Min.X != 0 || t.Image.Rect.Min.Y != 0 {
			return errorf("texture "+itoa(ti), "needs an image with bounds at (0, 0)")
		}
	}
	return nil
}

// validateMaterials checks that the textures each material (and its MToon
// part) refers to exist, and the thumbnail's.
func (av *Model) validateMaterials() error {
	for mi := range av.Materials {
		m := &av.Materials[mi]
		var refs [11]TextureRef
		n := copy(refs[:], []TextureRef{m.BaseColorTexture, m.EmissiveTexture, m.NormalTexture, m.MetallicRoughnessTexture, m.OcclusionTexture})
		if t := m.MToon; t != nil {
			n += copy(refs[n:], []TextureRef{t.ShadeTexture, t.ShadingShiftTex, t.RimTexture, t.MatcapTexture, t.OutlineWidthTex, t.UVAnimMaskTexture})
		}
		for _, r := range refs[:n] {
			if r.Texture >= len(av.Textures) || (r.Texture < 0 && r.Texture != -1) {
				return errorf("material "+itoa(mi), "texture %d does not exist", r.Texture)
			}
		}
	}
	if av.Meta.Thumbnail != -1 && (av.Meta.Thumbnail < 0 || av.Meta.Thumbnail >= len(av.Textures)) {
		return errorf("meta", "thumbnail texture %d does not exist", av.Meta.Thumbnail)
	}
	return nil
}

// validateHumanoid checks that every present humanoid bone's node exists
// and that the present set names only the 55 bones.
func (av *Model) validateHumanoid() error {
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		if av.Humanoid.Present.Has(b) && !av.nodeOK(av.Humanoid.Nodes[b]) {
			return errorf("humanoid", "%s: node %d does not exist", b, av.Humanoid.Nodes[b])
		}
	}
	if av.Humanoid.Present>>humanoid.Count != 0 {
		return errorf("humanoid", "present set has bits beyond the 55 bones")
	}
	return nil
}

// validateExpressions checks each expression's preset and that its morph
// target, colour and texture-transform binds reach what exists.
func (av *Model) validateExpressions() error {
	for xi := range av.Expressions {
		x := &av.Expressions[xi]
		el := func() string { return "expression " + itoa(xi) + " (" + x.Name + ")" }
		if int(x.Preset) >= presetCount {
			return errorf(el(), "preset %d unknown", x.Preset)
		}
		for _, b := range x.MorphBinds {
			if !av.nodeOK(b.Node) || av.Nodes[b.Node].Mesh < 0 || b.Index < 0 || b.Index >= len(av.Meshes[av.Nodes[b.Node].Mesh].TargetNames) {
				return errorf(el(), "morph bind node %d target %d does not exist", b.Node, b.Index)
			}
		}
		for _, b := range x.ColorBinds {
			if b.Material < 0 || b.Material >= len(av.Materials) {
				return errorf(el(), "colour bind material %d does not exist", b.Material)
			}
		}
		for _, b := range x.TextureBinds {
			if b.Material < 0 || b.Material >= len(av.Materials) {
				return errorf(el(), "texture-transform bind material %d does not exist", b.Material)
			}
		}
	}
	return nil
}

// validateFirstPerson checks that every first-person annotation's node
// exists.
func (av *Model) validateFirstPerson() error {
	for n := range av.FirstPerson.Annotations {
		if !av.nodeOK(n) {
			return errorf("firstPerson", "node %d does not exist", n)
		}
	}
	return nil
}

// validateSpringBone checks that colliders, collider groups and springs
// reach what exists, and that each spring's joints descend the hierarchy
// (each joint below the one before).
func (av *Model) validateSpringBone() error {
	sb := &av.SpringBone
	for ci, c := range sb.Colliders {
		if !av.nodeOK(c.Node) {
			return errorf("collider "+itoa(ci), "node %d does not exist", c.Node)
		}
	}
	for gi, g := range sb.ColliderGroups {
		for _, c := range g.Colliders {
			if c < 0 || c >= len(sb.Colliders) {
				return errorf("collider group "+itoa(gi), "collider %d does not exist", c)
			}
		}
	}
	var iv nodeIntervals
	if len(sb.Springs) > 0 {
		iv = av.nodeIntervals()
	}
	for si := range sb.Springs {
		s := &sb.Springs[si]
		if s.Center != -1 && !av.nodeOK(s.Center) {
			return errorf(springEl(si), "center node %d does not exist", s.Center)
		}
		for _, g := range s.ColliderGroups {
			if g < 0 || g >= len(sb.ColliderGroups) {
				return errorf(springEl(si), "collider group %d does not exist", g)
			}
		}
		for k, j := range s.Joints {
			if !av.nodeOK(j.Node) {
				return errorf(springEl(si), "joint %d: node %d does not exist", k, j.Node)
			}
			if k > 0 && !iv.isAncestor(s.Joints[k-1].Node, j.Node) {
				return errorf(springEl(si), "joint %d (node %d) is not below joint %d", k, j.Node, k-1)
			}
		}
	}
	return nil
}

func springEl(si int) string { return "spring " + itoa(si) }

// validateConstraints checks Model.Constraints: nodes exist, a source is
// not its own node, at most one constraint per node, known types and axes,
// weights within 0–1, and no circular dependency (constraintPlan).
func (av *Model) validateConstraints() error {
	if len(av.Constraints) == 0 {
		return nil
	}
	nn := len(av.Nodes)
	seen := make(map[int]int, len(av.Constraints))
	for ci, c := range av.Constraints {
		el := func() string { return "constraint " + itoa(ci) }
		switch {
		case c.Node < 0 || c.Node >= nn:
			return errorf(el(), "node %d does not exist", c.Node)
		case c.Source < 0 || c.Source >= nn:
			return errorf(el(), "source node %d does not exist", c.Source)
		case c.Source == c.Node:
			return errorf(el(), "node %d is its own source", c.Node)
		case c.Type > ConstraintRotation:
			return errorf(el(), "type %d unknown", c.Type)
		case c.Axis >= axisCount:
			return errorf(el(), "axis %d unknown", c.Axis)
		case !(c.Weight >= 0 && c.Weight <= 1):
			return errorf(el(), "weight %g outside 0–1", c.Weight)
		}
		if k, ok := seen[c.Node]; ok {
			return errorf(el(), "node %d already has constraint %d", c.Node, k)
		}
		seen[c.Node] = ci
	}
	order, _, _ := av.preorder()
	if _, cyclic := constraintPlan(av, order); len(cyclic) > 0 {
		return errorf("constraint "+itoa(int(cyclic[0])), "on node %d is part of a circular dependency", av.Constraints[cyclic[0]].Node)
	}
	return nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// parentCycle returns a node on a parent cycle, or −1 when every parent
// chain ends at a root. Parents must be in range or negative.
func parentCycle(nodes []Node) int {
	const (
		unseen uint8 = iota
		walking
		rooted
	)
	state := make([]uint8, len(nodes))
	var path []int
	for i := range nodes {
		path = path[:0]
		n := i
		for n >= 0 && state[n] == unseen {
			state[n] = walking
			path = append(path, n)
			n = nodes[n].Parent
		}
		if n >= 0 && state[n] == walking {
			return n
		}
		for _, p := range path {
			state[p] = rooted
		}
	}
	return -1
}
