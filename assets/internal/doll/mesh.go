package doll

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/go-gl/mathgl/mgl64"

	"github.com/kugutsu/kugutsu/vrm"
)

// influence is one joint's share of a vertex: joint is an index into the
// doll's skin joints (see rig), weight 0–1.
type influence struct {
	joint  int
	weight float64
}

// weightFunc gives the skin influences of a vertex from its rest position
// (metres, VRM 1.0 frame). The result need not be normalised; at most four
// influences survive (the largest).
type weightFunc func(p mgl64.Vec3) []influence

// rigid returns a weightFunc that binds everything to one joint.
func rigid(joint int) weightFunc {
	return func(mgl64.Vec3) []influence { return []influence{{joint, 1}} }
}

// part is a triangle mesh under construction, in float64: positions in metres
// in the VRM 1.0 frame, UVs in glTF convention (origin top-left).
type part struct {
	pos []mgl64.Vec3
	uv  []mgl64.Vec2
	idx []uint32
	inf [][]influence // per vertex, set by skin
	// normalAt, when set, gives vertex normals from the rest position
	// instead of the mesh's own faces (see buildLids).
	normalAt func(p mgl64.Vec3) mgl64.Vec3
}

// skin sets the influences of every vertex that has none yet from w.
func (m *part) skin(w weightFunc) *part {
	for i := len(m.inf); i < len(m.pos); i++ {
		m.inf = append(m.inf, mergeInfluences(w(m.pos[i])))
	}
	return m
}

func (m *part) vertex(p mgl64.Vec3, uv mgl64.Vec2) uint32 {
	m.pos = append(m.pos, p)
	m.uv = append(m.uv, uv)
	return uint32(len(m.pos) - 1)
}

func (m *part) tri(a, b, c uint32) { m.idx = append(m.idx, a, b, c) }

// append adds o's vertices and triangles to m.
func (m *part) append(o *part) {
	base := uint32(len(m.pos))
	m.pos = append(m.pos, o.pos...)
	m.uv = append(m.uv, o.uv...)
	if len(m.inf) != int(base) || len(o.inf) != len(o.pos) {
		panic("doll: appending unskinned parts")
	}
	m.inf = append(m.inf, o.inf...)
	for _, i := range o.idx {
		m.idx = append(m.idx, base+i)
	}
}

// gridOpts describes a parametric grid surface.
type gridOpts struct {
	nu, nv    int  // segments along u and v
	poleStart bool // row v=0 collapses to one point: skip its degenerate triangles
	poleEnd   bool // row v=nv collapses to one point
	flip      bool // reverse the winding
}

// grid adds a (nu+1)×(nv+1) vertex grid. f gives the position and UV of grid
// point (i, j), u = i/nu, v = j/nv. Triangles are wound so that the surface
// faces along ∂f/∂v × ∂f/∂u (flip reverses that). Degenerate triangles at
// declared poles are skipped structurally, so the topology never depends on
// positions (morph targets rebuild the same grid with other parameters).
func (m *part) grid(o gridOpts, f func(u, v float64) (mgl64.Vec3, mgl64.Vec2)) {
	base := uint32(len(m.pos))
	for j := 0; j <= o.nv; j++ {
		for i := 0; i <= o.nu; i++ {
			p, uv := f(float64(i)/float64(o.nu), float64(j)/float64(o.nv))
			m.vertex(p, uv)
		}
	}
	at := func(i, j int) uint32 { return base + uint32(j*(o.nu+1)+i) }
	for j := 0; j < o.nv; j++ {
		for i := 0; i < o.nu; i++ {
			a, b, c, d := at(i, j), at(i+1, j), at(i+1, j+1), at(i, j+1)
			t1 := [3]uint32{a, c, b}
			t2 := [3]uint32{a, d, c}
			if o.flip {
				t1 = [3]uint32{a, b, c}
				t2 = [3]uint32{a, c, d}
			}
			if !(o.poleStart && j == 0) {
				m.tri(t1[0], t1[1], t1[2])
			}
			if !(o.poleEnd && j == o.nv-1) {
				m.tri(t2[0], t2[1], t2[2])
			}
		}
	}
}

// normals returns smooth vertex normals: area-weighted face normals summed
// over every vertex at the same position (so UV seams and poles stay smooth).
func normals(pos []mgl64.Vec3, idx []uint32) []mgl64.Vec3 {
	key := func(p mgl64.Vec3) [3]int64 {
		const q = 1e7 // 0.1 µm
		return [3]int64{int64(math.Round(p[0] * q)), int64(math.Round(p[1] * q)), int64(math.Round(p[2] * q))}
	}
	group := make([]int, len(pos))
	ids := map[[3]int64]int{}
	for i, p := range pos {
		k := key(p)
		g, ok := ids[k]
		if !ok {
			g = len(ids)
			ids[k] = g
		}
		group[i] = g
	}
	acc := make([]mgl64.Vec3, len(ids))
	for t := 0; t+2 < len(idx); t += 3 {
		a, b, c := pos[idx[t]], pos[idx[t+1]], pos[idx[t+2]]
		n := b.Sub(a).Cross(c.Sub(a)) // length = twice the area
		for _, v := range idx[t : t+3] {
			acc[group[v]] = acc[group[v]].Add(n)
		}
	}
	out := make([]mgl64.Vec3, len(pos))
	for i := range pos {
		n := acc[group[i]]
		if l := n.Len(); l > 1e-20 {
			out[i] = n.Mul(1 / l)
		} else {
			out[i] = mgl64.Vec3{0, 1, 0}
		}
	}
	return out
}

// packWeights packs each vertex's influences (already merged: at most four,
// largest first) as glTF JOINTS_0/WEIGHTS_0, normalised to sum 1.
func packWeights(infs [][]influence) ([][4]uint16, [][4]float32) {
	joints := make([][4]uint16, len(infs))
	weights := make([][4]float32, len(infs))
	for i, inf := range infs {
		var sum float64
		for _, x := range inf {
			sum += x.weight
		}
		for k, x := range inf {
			joints[i][k] = uint16(x.joint)
			weights[i][k] = float32(x.weight / sum)
		}
		// Make the float32 weights sum to exactly 1 where possible.
		var s32 float32
		for k := 1; k < 4; k++ {
			s32 += weights[i][k]
		}
		weights[i][0] = 1 - s32
	}
	return joints, weights
}

// mergeInfluences sums duplicate joints, drops non-positive weights, sorts
// and keeps at most four.
func mergeInfluences(in []influence) []influence {
	var out []influence
	for _, x := range in {
		if x.weight <= 1e-6 {
			continue
		}
		found := false
		for k := range out {
			if out[k].joint == x.joint {
				out[k].weight += x.weight
				found = true
			}
		}
		if !found {
			out = append(out, x)
		}
	}
	// Insertion sort: weight descending, joint ascending.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0; j-- {
			a, b := out[j-1], out[j]
			if a.weight > b.weight || (a.weight == b.weight && a.joint < b.joint) {
				break
			}
			out[j-1], out[j] = b, a
		}
	}
	if len(out) > 4 {
		out = out[:4]
	}
	if len(out) == 0 {
		panic("doll: vertex without skin influence")
	}
	return out
}

// primitive converts a finished, skinned part into a vrm.Primitive with
// smooth normals.
func (m *part) primitive(material int) vrm.Primitive {
	if len(m.inf) != len(m.pos) {
		panic("doll: part not skinned")
	}
	n := normals(m.pos, m.idx)
	if m.normalAt != nil {
		for i, p := range m.pos {
			n[i] = m.normalAt(p)
		}
	}
	joints, weights := packWeights(m.inf)
	p := vrm.Primitive{
		Positions: make([]mgl32.Vec3, len(m.pos)),
		Normals:   make([]mgl32.Vec3, len(m.pos)),
		UV0:       make([]mgl32.Vec2, len(m.pos)),
		Joints:    joints,
		Weights:   weights,
		Indices:   append([]uint32(nil), m.idx...),
		Material:  material,
	}
	for i := range m.pos {
		p.Positions[i] = outPos(m.pos[i])
		p.Normals[i] = vec32(n[i])
		p.UV0[i] = mgl32.Vec2{float32(m.uv[i][0]), float32(m.uv[i][1])}
	}
	return p
}

// outPos converts a design-frame position to the output frame (soles on
// y = 0, see ground).
func outPos(p mgl64.Vec3) mgl32.Vec3 { return vec32(p.Sub(v3(0, ground, 0))) }

func vec32(v mgl64.Vec3) mgl32.Vec3 { return mgl32.Vec3{float32(v[0]), float32(v[1]), float32(v[2])} }

// Small numeric helpers shared by the builders.

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func lerp(a, b, t float64) float64 { return a + (b-a)*t }

// smoothstep is the cubic Hermite step from 0 at e0 to 1 at e1.
func smoothstep(e0, e1, x float64) float64 {
	t := clamp((x-e0)/(e1-e0), 0, 1)
	return t * t * (3 - 2*t)
}

// smootherstep is Perlin's quintic step (zero first and second derivatives at
// the ends), used for skin-weight ramps.
func smootherstep(e0, e1, x float64) float64 {
	t := clamp((x-e0)/(e1-e0), 0, 1)
	return t * t * t * (t*(t*6-15) + 10)
}

func deg(d float64) float64 { return d * math.Pi / 180 }

func v3(x, y, z float64) mgl64.Vec3 { return mgl64.Vec3{x, y, z} }

func v2(x, y float64) mgl64.Vec2 { return mgl64.Vec2{x, y} }
