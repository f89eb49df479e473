package vrm

import (
	"encoding/json"
	"math"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/qmuntal/gltf"
)

// maxMorphTargets bounds the morph targets of one primitive.
const maxMorphTargets = 1024

// loadMeshes reads every mesh: attributes, indices and morph targets, as
// triangle lists (glTF 2.0 §3.7.2).
func (l *loader) loadMeshes() error {
	doc, av := l.doc, l.av
	av.Meshes = make([]Mesh, len(doc.Meshes))
	for mi, gm := range doc.Meshes {
		if gm == nil {
			return errorf("mesh "+itoa(mi), "null")
		}
		m := &av.Meshes[mi]
		m.Name = gm.Name
		m.TargetNames = targetNames(gm.Extras)
		maxTargets := 0
		for pi, gp := range gm.Primitives {
			if err := l.check(); err != nil {
				return err
			}
			if gp == nil {
				return errorf(primitiveEl(mi, pi), "null")
			}
			p, ok, err := l.loadPrimitive(primitiveID{mi, pi}, gp)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if len(m.TargetNames) == 0 {
				m.TargetNames = targetNames(gp.Extras) // VRM 0.x (UniVRM) puts them on the primitive
			}
			maxTargets = max(maxTargets, len(p.Targets))
			m.Primitives = append(m.Primitives, p)
		}
		// glTF requires every primitive of a mesh to have the same targets;
		// pad the others so a morph index means the same target everywhere.
		for k := range m.Primitives {
			for len(m.Primitives[k].Targets) < maxTargets {
				m.Primitives[k].Targets = append(m.Primitives[k].Targets, MorphTarget{})
			}
		}
		if len(m.TargetNames) > maxTargets {
			m.TargetNames = m.TargetNames[:maxTargets]
		}
		for len(m.TargetNames) < maxTargets {
			m.TargetNames = append(m.TargetNames, "")
		}
		if maxTargets == 0 {
			m.TargetNames = nil
		}
	}
	// Each node using a mesh draws all its primitives: bound the draws
	// (the scan bounded the primitives of the file).
	draws := 0
	for i := range av.Nodes {
		if m := av.Nodes[i].Mesh; m >= 0 {
			if draws += len(av.Meshes[m].Primitives); draws > l.limits.MaxPrimitives {
				return limitf("nodes", "more than %d primitives drawn (meshes times the nodes using them), over the limit of %d", l.limits.MaxPrimitives, l.limits.MaxPrimitives)
			}
		}
	}
	// Nodes without their own default weights take the mesh's.
	for i := range av.Nodes {
		n := &av.Nodes[i]
		if n.Mesh < 0 || n.Weights != nil {
			continue
		}
		for _, w := range doc.Meshes[n.Mesh].Weights {
			if w != 0 {
				n.Weights = make([]float32, len(doc.Meshes[n.Mesh].Weights))
				for k, w := range doc.Meshes[n.Mesh].Weights {
					n.Weights[k] = float32(w)
				}
				break
			}
		}
	}
	return nil
}

// targetNames reads extras.targetNames, or nil.
func targetNames(extras any) []string {
	var raw []byte
	switch e := extras.(type) {
	case nil:
		return nil
	case json.RawMessage:
		raw = e
	default:
		var err error
		if raw, err = json.Marshal(e); err != nil {
			return nil
		}
	}
	var x struct {
		TargetNames []string `json:"targetNames"`
	}
	if json.Unmarshal(raw, &x) != nil {
		return nil
	}
	return x.TargetNames
}

// primitiveID names primitive prim of mesh mesh in errors and warnings;
// the name is built only then.
type primitiveID struct{ mesh, prim int }

func (id primitiveID) el() string { return primitiveEl(id.mesh, id.prim) }

// loadPrimitive reads one primitive as a triangle list: its attributes,
// indices and morph targets, with non-finite optional data zeroed and
// normals made unit (or generated). ok is false for a primitive skipped
// with a warning (not triangles, no POSITION).
func (l *loader) loadPrimitive(id primitiveID, gp *gltf.Primitive) (p Primitive, ok bool, err error) {
	p = Primitive{Material: -1}
	switch gp.Mode {
	case gltf.PrimitiveTriangles, gltf.PrimitiveTriangleStrip, gltf.PrimitiveTriangleFan:
	default:
		l.warnf("%s: mode %v skipped (only triangles are drawn)", id.el(), gp.Mode)
		return p, false, nil
	}
	if gp.Material != nil {
		if *gp.Material < 0 || *gp.Material >= len(l.doc.Materials) {
			return p, false, errorf(id.el(), "material %d does not exist (%d materials)", *gp.Material, len(l.doc.Materials))
		}
		p.Material = *gp.Material
	}
	if _, ok := gp.Attributes[gltf.POSITION]; !ok {
		l.warnf("%s: no POSITION, skipped", id.el())
		return p, false, nil
	}
	if err := l.loadAttributes(id, gp, &p); err != nil {
		return p, false, err
	}
	if err := l.loadIndices(id, gp, &p); err != nil {
		return p, false, err
	}
	if err := l.loadTargets(id, gp, &p); err != nil {
		return p, false, err
	}
	// Garbage in optional float data (NaN UVs happen in real files) is
	// zeroed rather than refused.
	if bad := zeroNonFinite(&p); bad > 0 {
		l.warnf("%s: %d non-finite texture coordinates, colours or morph deltas set to 0", id.el(), bad)
	}
	if p.Normals == nil {
		p.Normals = generateNormals(p.Positions, p.Indices)
		l.warnf("%s: no NORMAL; generated smooth normals", id.el())
	} else {
		unitNormals(p.Normals)
	}
	return p, true, nil
}

// loadAttributes reads POSITION (which must be there and finite) and the
// optional NORMAL, TANGENT, TEXCOORD_0/1, COLOR_0 and JOINTS_0/WEIGHTS_0,
// each with as many elements as POSITION. Tangents that are not finite or
// have a w other than ±1 are dropped, and joints without weights (or the
// reverse) leave the primitive unskinned, with a warning; weights are
// normalized.
func (l *loader) loadAttributes(id primitiveID, gp *gltf.Primitive, p *Primitive) error {
	var err error
	if p.Positions, err = l.readVec3(gp.Attributes[gltf.POSITION], attrPosition); err != nil {
		return err
	}
	n := len(p.Positions)
	for _, v := range p.Positions {
		if !finiteVec3(v) {
			return errorf(id.el(), "POSITION has a value that is not finite")
		}
	}
	count := func(attr string, got int) error {
		if got != n {
			return errorf(id.el(), "%s has %d elements, POSITION has %d", attr, got, n)
		}
		return nil
	}
	if a, ok := gp.Attributes[gltf.NORMAL]; ok {
		if p.Normals, err = l.readVec3(a, attrNormal); err != nil {
			return err
		}
		if err := count("NORMAL", len(p.Normals)); err != nil {
			return err
		}
	}
	if a, ok := gp.Attributes[gltf.TANGENT]; ok {
		if p.Tangents, err = l.readTangent(a); err != nil {
			return err
		}
		if err := count("TANGENT", len(p.Tangents)); err != nil {
			return err
		}
		for _, t := range p.Tangents {
			if !finiteVec3(t.Vec3()) || !(t[3] == 1 || t[3] == -1) {
				l.warnf("%s: TANGENT has a value that is not finite or a w other than ±1; tangents ignored", id.el())
				p.Tangents = nil
				break
			}
		}
	}
	if a, ok := gp.Attributes[gltf.TEXCOORD_0]; ok {
		if p.UV0, err = l.readVec2(a); err != nil {
			return err
		}
		if err := count("TEXCOORD_0", len(p.UV0)); err != nil {
			return err
		}
	}
	if a, ok := gp.Attributes[gltf.TEXCOORD_1]; ok {
		if p.UV1, err = l.readVec2(a); err != nil {
			return err
		}
		if err := count("TEXCOORD_1", len(p.UV1)); err != nil {
			return err
		}
	}
	if a, ok := gp.Attributes[gltf.COLOR_0]; ok {
		if p.Colors, err = l.readColor(a); err != nil {
			return err
		}
		if err := count("COLOR_0", len(p.Colors)); err != nil {
			return err
		}
	}
	ja, hasJ := gp.Attributes[gltf.JOINTS_0]
	wa, hasW := gp.Attributes[gltf.WEIGHTS_0]
	if hasJ != hasW {
		l.warnf("%s: JOINTS_0 without WEIGHTS_0 (or the reverse); drawn unskinned", id.el())
	} else if hasJ {
		if p.Joints, err = l.readJoints(ja); err != nil {
			return err
		}
		if err := count("JOINTS_0", len(p.Joints)); err != nil {
			return err
		}
		if p.Weights, err = l.readWeights(wa); err != nil {
			return err
		}
		if err := count("WEIGHTS_0", len(p.Weights)); err != nil {
			return err
		}
		normalizeWeights(p.Joints, p.Weights)
	}
	return nil
}

// loadIndices reads the primitive's indices (or numbers its vertices when
// it has none), each within its vertices, and turns strips and fans into
// a triangle list (glTF 2.0 §3.7.2.1).
func (l *loader) loadIndices(id primitiveID, gp *gltf.Primitive, p *Primitive) error {
	n := len(p.Positions)
	var idx []uint32
	if gp.Indices != nil {
		var err error
		if idx, err = l.readIndices(*gp.Indices); err != nil {
			return err
		}
		for k, v := range idx {
			if int64(v) >= int64(n) {
				return errorf(id.el(), "index %d is %d, beyond its %d vertices", k, v, n)
			}
		}
	} else {
		if err := l.charge(id.el(), int64(n)*4); err != nil {
			return err
		}
		idx = make([]uint32, n)
		for k := range idx {
			idx[k] = uint32(k)
		}
	}
	switch gp.Mode {
	case gltf.PrimitiveTriangleStrip:
		idx = stripToList(idx)
	case gltf.PrimitiveTriangleFan:
		idx = fanToList(idx)
	default:
		idx = idx[:len(idx)/3*3]
	}
	p.Indices = idx
	return nil
}

// loadTargets reads the primitive's morph targets (POSITION and NORMAL
// displacements), each with as many elements as the primitive.
func (l *loader) loadTargets(id primitiveID, gp *gltf.Primitive, p *Primitive) error {
	if len(gp.Targets) > maxMorphTargets {
		return limitf(id.el(), "%d morph targets, over the limit of %d", len(gp.Targets), maxMorphTargets)
	}
	n := len(p.Positions)
	tel := func(ti int) string { return id.el() + " target " + itoa(ti) }
	var err error
	for ti, t := range gp.Targets {
		var mt MorphTarget
		if a, ok := t[gltf.POSITION]; ok {
			if mt.Positions, err = l.readVec3(a, attrMorphPosition); err != nil {
				return err
			}
			if len(mt.Positions) != n {
				return errorf(tel(ti), "POSITION has %d elements, the primitive %d", len(mt.Positions), n)
			}
		}
		if a, ok := t[gltf.NORMAL]; ok {
			if mt.Normals, err = l.readVec3(a, attrMorphNormal); err != nil {
				return err
			}
			if len(mt.Normals) != n {
				return errorf(tel(ti), "NORMAL has %d elements, the primitive %d", len(mt.Normals), n)
			}
		}
		p.Targets = append(p.Targets, mt)
	}
	return nil
}

// zeroNonFinite sets non-finite texture coordinates and morph deltas to 0
// and non-finite colour channels to 1, and returns how many it set.
func zeroNonFinite(p *Primitive) (bad int) {
	for _, uv := range [2][]mgl32.Vec2{p.UV0, p.UV1} {
		for k := range uv {
			for c := range uv[k] {
				if !finite32(uv[k][c]) {
					uv[k][c], bad = 0, bad+1
				}
			}
		}
	}
	for k := range p.Colors {
		for c := range p.Colors[k] {
			if !finite32(p.Colors[k][c]) {
				p.Colors[k][c], bad = 1, bad+1
			}
		}
	}
	for _, t := range p.Targets {
		for _, d := range [2][]mgl32.Vec3{t.Positions, t.Normals} {
			for k := range d {
				if !finiteVec3(d[k]) {
					d[k], bad = mgl32.Vec3{}, bad+1
				}
			}
		}
	}
	return bad
}

// unitNormals scales each normal to unit length; a zero or non-finite one
// becomes +Y.
func unitNormals(nrm []mgl32.Vec3) {
	for k, v := range nrm {
		if l2 := v.Dot(v); !(l2 > 1e-12) || !finite32(l2) {
			nrm[k] = mgl32.Vec3{0, 1, 0}
		} else if math.Abs(float64(l2)-1) > 1e-4 {
			nrm[k] = v.Mul(1 / float32(math.Sqrt(float64(l2))))
		}
	}
}

// normalizeWeights makes every vertex's weights sum to 1 and zeroes the
// joints of zero weights (glTF 2.0 §3.7.3.3). A vertex with no weight is
// bound wholly to joint 0.
func normalizeWeights(j [][4]uint16, w [][4]float32) {
	for k := range w {
		var sum float32
		for c := 0; c < 4; c++ {
			if !(w[k][c] > 0) || !finite32(w[k][c]) {
				w[k][c] = 0
				j[k][c] = 0
			}
			sum += w[k][c]
		}
		if sum <= 0 {
			w[k] = [4]float32{1, 0, 0, 0}
			continue
		}
		if sum != 1 {
			inv := 1 / sum
			for c := 0; c < 4; c++ {
				w[k][c] *= inv
			}
		}
	}
}

func stripToList(s []uint32) []uint32 {
	if len(s) < 3 {
		return nil
	}
	out := make([]uint32, 0, (len(s)-2)*3)
	for i := 0; i+2 < len(s); i++ {
		if i%2 == 0 {
			out = append(out, s[i], s[i+1], s[i+2])
		} else {
			out = append(out, s[i+1], s[i], s[i+2])
		}
	}
	return out
}

func fanToList(s []uint32) []uint32 {
	if len(s) < 3 {
		return nil
	}
	out := make([]uint32, 0, (len(s)-2)*3)
	for i := 1; i+1 < len(s); i++ {
		out = append(out, s[0], s[i], s[i+1])
	}
	return out
}

// generateNormals returns area-weighted smooth vertex normals.
func generateNormals(pos []mgl32.Vec3, idx []uint32) []mgl32.Vec3 {
	nrm := make([]mgl32.Vec3, len(pos))
	for t := 0; t+2 < len(idx); t += 3 {
		a, b, c := idx[t], idx[t+1], idx[t+2]
		f := pos[b].Sub(pos[a]).Cross(pos[c].Sub(pos[a]))
		nrm[a] = nrm[a].Add(f)
		nrm[b] = nrm[b].Add(f)
		nrm[c] = nrm[c].Add(f)
	}
	for k, v := range nrm {
		if l := v.Len(); l > 1e-12 {
			nrm[k] = v.Mul(1 / l)
		} else {
			nrm[k] = mgl32.Vec3{0, 1, 0}
		}
	}
	return nrm
}
