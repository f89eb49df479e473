package render

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
)

// prepared is the per-model preprocessing, built once per *vrm.Model and
// cached by the Renderer: textures in sampling format, materials resolved
// against them, and the list of drawable primitive instances with their
// attributes checked.
type prepared struct {
	avatar    *vrm.Model
	textures  []*texture  // per Model.Textures; nil when unusable
	mats      []matStatic // per Model.Materials, then the glTF default material
	instances []instance  // in scene order: depth-first from the scene roots, primitives in order
	maxVerts  int         // largest instance vertex count
	tangents  bool        // some instance has tangents
}

// instance is one primitive of one mesh node, as drawn.
type instance struct {
	node int
	skin int // index into Model.Skins when skinned, else −1
	mat  int // index into prepared.mats
	fp   vrm.FirstPersonType
	pos  []mgl32.Vec3
	nrm  []mgl32.Vec3 // nil: no normals (shaded as facing the viewer)
	uv0  []mgl32.Vec2
	uv1  []mgl32.Vec2
	col  []mgl32.Vec4
	// tan: TANGENT, kept only for a metallic-roughness material with a
	// normal texture (nil: the tangent frame comes from the UVs).
	tan     []mgl32.Vec4
	joints  [][4]uint16
	weights [][4]float32
	targets []morphTarget // one per mesh morph target; empty slices when unusable
	// used lists, ascending, the vertices the triangles reference when
	// they are fewer than len(pos) (primitives of one mesh often share a
	// vertex buffer): only those go through the vertex stage, and indices
	// then index used. nil: all of them, in order.
	used    []uint32
	nverts  int      // vertices drawn: len(used), or len(pos)
	indices []uint32 // three per triangle, each < nverts
	// outlineWidth is the MToon outline width per drawn vertex (indexed like
	// the vertex stage, 0…nverts−1, not by source vertex) in metres, or a
	// fraction of the screen height, times the width texture's G channel; nil
	// when the material draws no outline.
	outlineWidth []float32
}

// morphTarget is one morph target's displacements for an instance (nil slices
// when the target lacks the attribute or it has the wrong length).
type morphTarget struct {
	pos, nrm []mgl32.Vec3
}

// matKind is the lighting model of a material.
type matKind uint8

const (
	kindPBR   matKind = iota // glTF 2.0 metallic-roughness (appendix B), see triShader.pbr
	kindUnlit                // KHR_materials_unlit
	kindMToon                // VRMC_materials_mtoon (takes precedence over unlit)
)

// texSlot is a texture as a material samples it: uv' = (m0·u + m1·v + m2,
// m3·u + m4·v + m5) on TEXCOORD_0 or _1.
type texSlot struct {
	t   *texture
	uv1 bool
	m   [6]float32
	det float32        // |det| of m's linear part: how much m scales UV areas
	ref vrm.TextureRef // the material's reference, for texture-transform binds
}

var identityUV = [6]float32{1, 0, 0, 0, 1, 0}

// uv maps interpolated coordinates through the slot's transform.
func (s *texSlot) uv(u0, v0, u1, v1 float32) (float32, float32) {
	if s.uv1 {
		u0, v0 = u1, v1
	}
	return s.m[0]*u0 + s.m[1]*v0 + s.m[2], s.m[3]*u0 + s.m[4]*v0 + s.m[5]
}

// khrTransform returns KHR_texture_transform's matrix for a reference:
// translation · rotation · scale, where the rotation turns UVs counter-
// clockwise in the V-down UV space, u' = cos·u + sin·v, v' = −sin·u + cos·v
// (the extension's worked example "offset [0, 1], rotation π/2, scale 0.5
// uses the lower-left quadrant"; VRMC_materials_mtoon-1.0 "UV Rotation").
func khrTransform(r vrm.TextureRef) [6]float32 {
	sx, sy := r.Scale[0], r.Scale[1]
	if sx == 0 && sy == 0 && r.Offset == (mgl32.Vec2{}) && r.Rotation == 0 {
		sx, sy = 1, 1 // an unset TextureRef
	}
	s64, c64 := math.Sincos(float64(r.Rotation))
	s, c := float32(s64), float32(c64)
	return [6]float32{c * sx, s * sy, r.Offset[0], -s * sx, c * sy, r.Offset[1]}
}

// composeUV returns a∘b (apply b, then a).
func composeUV(a, b [6]float32) [6]float32 {
	return [6]float32{
		a[0]*b[0] + a[1]*b[3], a[0]*b[1] + a[1]*b[4], a[0]*b[2] + a[1]*b[5] + a[2],
		a[3]*b[0] + a[4]*b[3], a[3]*b[1] + a[4]*b[4], a[3]*b[2] + a[4]*b[5] + a[5],
	}
}

// matStatic is a material resolved against the prepared textures.
type matStatic struct {
	src         *vrm.Material // nil for the glTF default material
	kind        matKind
	alpha       vrm.AlphaMode
	cutoff      float32
	doubleSided bool
	queue       int  // render queue offset within the alpha group
	zwrite      bool // BLEND with MToon transparentWithZWrite

	base, emissive texSlot

	// Metallic-roughness only (nil textures otherwise).
	metalRough, occlusion, normal texSlot

	// MToon only.
	shade, shift, rim, matcap, animMask texSlot
	rimPow                              *[rimLUTSize + 1]float32
	outline                             bool
	uvAnim                              bool
}

// rimLUTSize is the resolution of the parametric rim's pow() table.
const rimLUTSize = 256

// slot resolves a texture reference. The zero TextureRef (texture 0 with a
// zero scale, which no file can mean: it would map every pixel to one texel)
// is taken as "no texture", as it is what an unset field holds.
func (p *prepared) slot(r vrm.TextureRef) texSlot {
	if r == (vrm.TextureRef{}) || r.Texture < 0 || r.Texture >= len(p.textures) || p.textures[r.Texture] == nil {
		return texSlot{m: identityUV}
	}
	return texSlot{t: p.textures[r.Texture], uv1: r.TexCoord == 1, m: khrTransform(r), ref: r}
}

// newPrepared preprocesses an avatar; without textures (for geometry-only
// uses such as Bounds) every texture reads as absent.
func newPrepared(a *vrm.Model, textures bool) *prepared {
	p := &prepared{avatar: a, textures: make([]*texture, len(a.Textures))}
	if textures {
		cache := mipCache{}
		for i := range a.Textures {
			p.textures[i] = newSharedTexture(&a.Textures[i], cache)
		}
	}
	p.mats = make([]matStatic, len(a.Materials)+1)
	for i := range a.Materials {
		p.mats[i] = p.material(&a.Materials[i])
	}
	none := texSlot{m: identityUV}
	p.mats[len(a.Materials)] = matStatic{kind: kindPBR, cutoff: 0.5, base: none, emissive: none, metalRough: none, occlusion: none, normal: none}
	p.collect()
	return p
}

func finiteOr(x, def float32) float32 {
	if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
		return def
	}
	return x
}

func (p *prepared) material(m *vrm.Material) matStatic {
	s := matStatic{
		src: m, kind: kindPBR, alpha: m.AlphaMode, cutoff: finiteOr(m.AlphaCutoff, 0.5),
		doubleSided: m.DoubleSided, queue: m.RenderQueue,
		base: p.slot(m.BaseColorTexture), emissive: p.slot(m.EmissiveTexture),
	}
	if s.alpha > vrm.AlphaBlend {
		s.alpha = vrm.AlphaOpaque
	}
	if m.Unlit {
		s.kind = kindUnlit
	}
	if m.MToon == nil && !m.Unlit {
		s.metalRough = p.slot(m.MetallicRoughnessTexture)
		s.occlusion = p.slot(m.OcclusionTexture)
		s.normal = p.slot(m.NormalTexture)
	} else {
		s.metalRough, s.occlusion, s.normal = texSlot{m: identityUV}, texSlot{m: identityUV}, texSlot{m: identityUV}
	}
	if mt := m.MToon; mt != nil {
		s.kind = kindMToon
		s.zwrite = mt.TransparentZWrite && s.alpha == vrm.AlphaBlend
		s.shade = p.slot(mt.ShadeTexture)
		s.shift = p.slot(mt.ShadingShiftTex)
		s.rim = p.slot(mt.RimTexture)
		s.matcap = p.slot(mt.MatcapTexture)
		s.animMask = p.slot(mt.UVAnimMaskTexture)
		s.outline = mt.OutlineMode != vrm.OutlineNone && mt.OutlineWidth > 0 && !math.IsInf(float64(mt.OutlineWidth), 0)
		s.uvAnim = mt.UVAnimScrollX != 0 || mt.UVAnimScrollY != 0 || mt.UVAnimRotation != 0
		// pow(x, fresnelPower) for x in 0…1, tabulated
		// (VRMC_materials_mtoon-1.0 "Parametric Rim Lighting": the power is
		// clamped to a small epsilon to avoid NaN).
		pw := float64(max(finiteOr(mt.RimFresnelPower, 5), 1e-5))
		lut := new([rimLUTSize + 1]float32)
		for i := range lut {
			lut[i] = float32(math.Pow(float64(i)/rimLUTSize, pw))
		}
		s.rimPow = lut
	}
	return s
}

// collect walks the scene graph and lists the drawable primitives.
func (p *prepared) collect() {
	a := p.avatar
	seen := make([]bool, len(a.Nodes))
	var visit func(n, depth int)
	visit = func(n, depth int) {
		if n < 0 || n >= len(a.Nodes) || seen[n] || depth > len(a.Nodes) {
			return
		}
		seen[n] = true
		node := &a.Nodes[n]
		if node.Mesh >= 0 && node.Mesh < len(a.Meshes) {
			for i := range a.Meshes[node.Mesh].Primitives {
				p.addInstance(n, &a.Meshes[node.Mesh].Primitives[i])
			}
		}
		for _, c := range node.Children {
			visit(c, depth+1)
		}
	}
	roots := a.Scene
	if len(roots) == 0 {
		for i := range a.Nodes {
			if a.Nodes[i].Parent < 0 {
				visit(i, 0)
			}
		}
		return
	}
	for _, n := range roots {
		visit(n, 0)
	}
}

func (p *prepared) addInstance(node int, pr *vrm.Primitive) {
	a := p.avatar
	n := len(pr.Positions)
	if n == 0 || n > math.MaxInt32/2 {
		return
	}
	in := instance{node: node, skin: -1, pos: pr.Positions, fp: vrm.FirstPersonAuto}
	if t, ok := a.FirstPerson.Annotations[node]; ok {
		in.fp = t
	}
	if len(pr.Normals) == n {
		in.nrm = pr.Normals
	}
	if len(pr.UV0) == n {
		in.uv0 = pr.UV0
	}
	if len(pr.UV1) == n {
		in.uv1 = pr.UV1
	}
	if len(pr.Colors) == n {
		in.col = pr.Colors
	}
	if sk := a.Nodes[node].Skin; sk >= 0 && sk < len(a.Skins) && len(pr.Joints) == n && len(pr.Weights) == n {
		in.skin, in.joints, in.weights = sk, pr.Joints, pr.Weights
	}
	in.mat = len(a.Materials)
	if pr.Material >= 0 && pr.Material < len(a.Materials) {
		in.mat = pr.Material
	}
	in.targets = make([]morphTarget, len(pr.Targets))
	for i, t := range pr.Targets {
		if len(t.Positions) == n {
			in.targets[i].pos = t.Positions
		}
		if len(t.Normals) == n && in.nrm != nil {
			in.targets[i].nrm = t.Normals
		}
	}
	// Keep the triangles whose indices are in range, dropping a trailing
	// partial triangle; copy only when something had to go.
	idx := pr.Indices[:len(pr.Indices)/3*3]
	for i, v := range idx {
		if int(v) >= n {
			clean := make([]uint32, 0, len(idx))
			clean = append(clean, idx[:i/3*3]...)
			for j := i / 3 * 3; j < len(idx); j += 3 {
				if int(idx[j]) < n && int(idx[j+1]) < n && int(idx[j+2]) < n {
					clean = append(clean, idx[j:j+3]...)
				}
			}
			idx = clean
			break
		}
	}
	if len(idx) == 0 {
		return
	}
	in.indices, in.nverts = idx, n
	// A blended draw is sorted by the centroid of its drawn vertices, which
	// must not include vertices of a shared buffer it does not use.
	in.compact(p.mats[in.mat].alpha == vrm.AlphaBlend)
	if m := &p.mats[in.mat]; m.kind == kindPBR && m.normal.t != nil && len(pr.Tangents) == n && in.nrm != nil {
		in.tan = pr.Tangents
		p.tangents = true
	}
	if m := &p.mats[in.mat]; m.outline && in.nrm != nil {
		mt := m.src.MToon
		in.outlineWidth = make([]float32, in.nverts)
		ws := p.slot(mt.OutlineWidthTex)
		for k := range in.outlineWidth {
			i := in.vertex(k)
			w := mt.OutlineWidth
			if ws.t != nil {
				var u0, v0, u1, v1 float32
				if in.uv0 != nil {
					u0, v0 = in.uv0[i][0], in.uv0[i][1]
				}
				if in.uv1 != nil {
					u1, v1 = in.uv1[i][0], in.uv1[i][1]
				}
				u, v := ws.uv(u0, v0, u1, v1)
				_, g, _, _ := ws.t.sampleRaw(u, v, 0)
				w *= g
			}
			in.outlineWidth[k] = w
		}
	}
	p.maxVerts = max(p.maxVerts, in.nverts)
	p.instances = append(p.instances, in)
}

// compact restricts the instance to the vertices its triangles use when
// that leaves out at least a quarter of them (see instance.used), or any of
// them when exact is set.
func (in *instance) compact(exact bool) {
	n := len(in.pos)
	seen := make([]bool, n)
	count := 0
	for _, v := range in.indices {
		if !seen[v] {
			seen[v] = true
			count++
		}
	}
	if count == n || (!exact && count*4 > n*3) {
		return
	}
	remap := make([]uint32, n)
	in.used = make([]uint32, 0, count)
	for v, ok := range seen {
		if ok {
			remap[v] = uint32(len(in.used))
			in.used = append(in.used, uint32(v))
		}
	}
	idx := make([]uint32, len(in.indices))
	for i, v := range in.indices {
		idx[i] = remap[v]
	}
	in.indices, in.nverts = idx, count
}

// vertex returns the source vertex of drawn vertex k.
func (in *instance) vertex(k int) int {
	if in.used != nil {
		return int(in.used[k])
	}
	return k
}
