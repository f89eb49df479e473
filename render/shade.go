package render

import (
	"math"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm"
)

// matFrame is a material as this frame shades it: the static material moved
// by the frame's expression binds (vrm.MaterialState), with texture
// transforms composed and constants precomputed.
type matFrame struct {
	kind        matKind
	alpha       vrm.AlphaMode
	cutoff      float32
	doubleSided bool
	zwrite      bool
	queue       int
	needUV1     bool

	base        [4]float32
	baseTex     texSlot
	emissive    [3]float32
	emisTex     texSlot
	hasEmissive bool
	shadeIsBase bool // the shade texture is the base texture, sampled the same way

	// Metallic-roughness (glTF 2.0 §3.9.2): factors 0–1, the texture's B
	// (metalness) and G (roughness), occlusion (R) with its strength, and
	// the normal texture with its scale.
	metallic, roughness    float32
	metalRoughTex, occlTex texSlot
	occlStrength, nrmScale float32
	nrmTex                 texSlot

	// MToon.
	shade           [3]float32
	shadeTex        texSlot
	shift           float32
	shiftTex        texSlot
	shiftScale      float32 // shadingShiftTexture.scale
	toonLo, toonMul float32
	needRim         bool
	hasRim          bool // rim ≠ 0: a parametric rim
	rim             [3]float32
	rimLift, rimMix float32
	rimTex          texSlot
	rimPow          *[rimLUTSize + 1]float32
	matcap          [3]float32
	matcapTex       *texture
	outline         [3]float32
	outlineMix      float32
	animMask        texSlot // t != nil: UV animation scaled per pixel by the mask's B channel
	animScroll      [2]float32
	animRot         float32

	// toonFast: MToon with only a base texture on TEXCOORD_0, wrapped by
	// masking and filtered bilinearly on every level, a plain or
	// base-textured shade colour, optionally a parametric rim and an
	// outline, opaque or masked (see triShader.spanToon); false under
	// genericShadingOnly.
	toonFast   bool
	uvIdentity bool // the base texture's transform is the identity
	// For toonFast, this frame's light folded into the material: the
	// toon ramp's input is N·toonL + toonS0 (clamped to 0…1); with T the
	// base texture's colour and s the ramp, each channel is
	// T·(litA + litB·s) + litE·(1 − s), plus pw·(rimC + rimD·s) for a rim
	// of strength pw; an outline maps it to outO + outP·c.
	toonL, litA, litB, litE [3]float32
	toonS0                  float32
	rimC, rimD, outO, outP  [3]float32
}

// uvDet is how much a UV affine map scales areas.
func uvDet(m [6]float32) float32 {
	d := float32(math.Abs(float64(m[0]*m[4] - m[1]*m[3])))
	if !finite(d) {
		return 0
	}
	return d
}

// uvAnimAffine is MToon's UV animation at full strength as a UV affine map:
// rotation about (0.5, 0.5), then scroll (VRMC_materials_mtoon-1.0
// "Transform Order").
func uvAnimAffine(rot, sx, sy float32) [6]float32 {
	s64, c64 := math.Sincos(float64(rot))
	s, c := float32(s64), float32(c64)
	return [6]float32{c, s, 0.5 - 0.5*c - 0.5*s + sx, -s, c, 0.5 + 0.5*s - 0.5*c + sy}
}

// setupMaterials builds the frame's materials.
func (fs *frameState) setupMaterials(s *Scene) {
	p := fs.prep
	if cap(fs.mats) < len(p.mats) {
		fs.mats = make([]matFrame, len(p.mats))
	}
	fs.mats = fs.mats[:len(p.mats)]
	for i := range p.mats {
		fs.mats[i] = fs.material(&p.mats[i], i, s)
	}
}

func (fs *frameState) material(ms *matStatic, i int, s *Scene) matFrame {
	m := matFrame{
		kind: ms.kind, alpha: ms.alpha, cutoff: ms.cutoff, doubleSided: ms.doubleSided, zwrite: ms.zwrite, queue: ms.queue,
		base: [4]float32{1, 1, 1, 1}, baseTex: ms.base, emisTex: ms.emissive,
	}
	src := ms.src
	if src == nil {
		// The glTF default material: white, fully metallic and rough.
		m.metallic, m.roughness = 1, 1
		return m
	}
	st := vrm.MaterialState{BaseColor: src.BaseColor, Emissive: src.Emissive}
	if mt := src.MToon; mt != nil {
		st.ShadeColor, st.RimColor, st.MatcapColor, st.OutlineColor = mt.ShadeColor, mt.RimColor, mt.MatcapColor, mt.OutlineColor
	}
	if fs.frame != nil && i < len(fs.frame.Materials) {
		st = fs.frame.Materials[i]
	}
	bind := st.BindWeight != 0 && finite(st.BindWeight) &&
		finite(st.BindScale[0]) && finite(st.BindScale[1]) && finite(st.BindOffset[0]) && finite(st.BindOffset[1])
	for k := range m.base {
		m.base[k] = mathx.Clamp(st.BaseColor[k], 0, 1e4)
	}
	m.base[3] = min(m.base[3], 1)
	m.emissive = sanitizeColor(st.Emissive)
	m.hasEmissive = m.emissive != [3]float32{}

	// Texture transforms: KHR_texture_transform as moved by the frame's
	// texture-transform binds (vrm.MaterialState.TextureTransform), with MToon
	// UV animation applied before it (VRMC_materials_mtoon-1.0
	// "Compatibility with KHR_texture_transform").
	pre := identityUV
	mt := src.MToon
	if mt != nil && ms.uvAnim {
		t := s.Time
		if !finite(t) {
			t = 0
		}
		rot := float32(math.Mod(float64(mt.UVAnimRotation)*float64(t), 2*math.Pi))
		sx := float32(math.Mod(float64(mt.UVAnimScrollX)*float64(t), 2))
		sy := float32(math.Mod(float64(mt.UVAnimScrollY)*float64(t), 2))
		if !finite(rot) || !finite(sx) || !finite(sy) {
			rot, sx, sy = 0, 0, 0
		}
		if ms.animMask.t != nil {
			m.animMask = ms.animMask
			if bind {
				m.animMask.m = khrTransform(st.TextureTransform(ms.animMask.ref))
			}
			m.animMask.det = uvDet(m.animMask.m)
			if m.animMask.uv1 {
				// The mask is sampled per pixel on TEXCOORD_1: its
				// coordinates and derivatives must be interpolated.
				m.needUV1 = true
			}
			m.animScroll = [2]float32{sx, sy}
			m.animRot = rot
		} else {
			pre = uvAnimAffine(rot, sx, sy)
		}
	}
	slot := func(t texSlot) texSlot {
		if t.t == nil {
			return t
		}
		if bind {
			t.m = khrTransform(st.TextureTransform(t.ref))
		}
		t.m = composeUV(t.m, pre)
		t.det = uvDet(t.m)
		if t.uv1 {
			m.needUV1 = true
		}
		return t
	}
	m.baseTex = slot(ms.base)
	m.emisTex = slot(ms.emissive)
	if ms.kind == kindPBR {
		m.metallic = mathx.Clamp(finiteOr(src.Metallic, 1), 0, 1)
		m.roughness = mathx.Clamp(finiteOr(src.Roughness, 1), 0, 1)
		m.metalRoughTex = slot(ms.metalRough)
		m.occlTex = slot(ms.occlusion)
		m.occlStrength = mathx.Clamp(finiteOr(src.OcclusionStrength, 1), 0, 1)
		m.nrmTex = slot(ms.normal)
		m.nrmScale = mathx.Clamp(finiteOr(src.NormalScale, 1), -100, 100)
	}
	if mt == nil {
		return m
	}
	m.shade = sanitizeColor(st.ShadeColor)
	m.shadeTex = slot(ms.shade)
	m.shadeIsBase = m.shadeTex.t != nil && m.shadeTex == m.baseTex
	m.shift = mathx.Clamp(finiteOr(mt.ShadingShift, 0), -10, 10)
	m.shiftTex = slot(ms.shift)
	m.shiftScale = mathx.Clamp(finiteOr(mt.ShadingShiftTexScale, 1), -10, 10)
	// linearstep(−1 + toony, 1 − toony, x) = clamp((x − lo)·mul, 0, 1).
	toony := mathx.Clamp(finiteOr(mt.ShadingToony, 0.9), 0, 1)
	lo, hi := -1+toony, 1-toony
	if hi-lo < 1e-4 {
		lo, hi = -0.5e-4, 0.5e-4
	}
	m.toonLo, m.toonMul = lo, 1/(hi-lo)
	m.rim = sanitizeColor(st.RimColor)
	m.rimLift = mathx.Clamp(finiteOr(mt.RimLift, 0), -10, 10)
	m.rimMix = mathx.Clamp(finiteOr(mt.RimLightingMix, 1), 0, 1)
	m.rimTex = slot(ms.rim)
	m.rimPow = ms.rimPow
	m.matcap = sanitizeColor(st.MatcapColor)
	m.matcapTex = ms.matcap.t
	m.hasRim = m.rim != [3]float32{}
	m.needRim = m.hasRim || (m.matcapTex != nil && m.matcap != [3]float32{})
	m.outline = sanitizeColor(st.OutlineColor)
	m.outlineMix = mathx.Clamp(finiteOr(mt.OutlineLightMix, 1), 0, 1)
	m.toonFast = m.baseTex.t != nil && !m.baseTex.uv1 && !m.needUV1 && m.animMask.t == nil && m.shiftTex.t == nil &&
		(m.shadeIsBase || m.shadeTex.t == nil) && !m.hasEmissive && m.matcapTex == nil && m.rimTex.t == nil &&
		m.alpha != vrm.AlphaBlend && !genericShadingOnly
	if bt := m.baseTex.t; m.toonFast {
		// spanToon wraps by masking (without bounds checks: texel) and
		// filters bilinearly on every level.
		m.toonFast = bt.pow2Repeat && !bt.magNearest && !bt.minNearest
	}
	m.uvIdentity = m.baseTex.m == identityUV
	// The lighting formula of shade, regrouped per channel c:
	// (shade·T + (base·T − shade·T)·s)·light + ambient·base·T for a shade
	// colour from the base texture, (shade + (base·T − shade)·s)·light +
	// ambient·base·T for a plain one; the rim's mix and the outline's
	// lighting mix likewise.
	ld, lc, am := fs.lightDir, fs.lightCol, fs.ambient
	for c := 0; c < 3; c++ {
		m.toonL[c] = ld[c] * m.toonMul
		if m.shadeIsBase {
			m.litA[c] = m.shade[c]*lc[c] + am[c]*m.base[c]
			m.litB[c] = (m.base[c] - m.shade[c]) * lc[c]
			m.litE[c] = 0
		} else {
			m.litA[c] = am[c] * m.base[c]
			m.litB[c] = m.base[c] * lc[c]
			m.litE[c] = m.shade[c] * lc[c]
		}
		m.rimC[c] = m.rim[c] * (1 + (am[c]-1)*m.rimMix)
		m.rimD[c] = m.rim[c] * lc[c] * m.rimMix
		m.outO[c] = m.outline[c] * (1 - m.outlineMix)
		m.outP[c] = m.outline[c] * m.outlineMix
	}
	m.toonS0 = (m.shift - m.toonLo) * m.toonMul
	return m
}

// triShader shades fragments of one triangle: the material, the three
// vertices, and the planes that give each pixel's texture coordinate
// derivatives, from which every texture sample picks its mipmap levels
// (texture.lod).
type triShader struct {
	fs         *frameState
	m          *matFrame
	va, vb, vc *vertex
	flip       float32 // −1 on the back of a double-sided surface
	outline    bool

	matcap sampler // level 0: matcap UVs come from the normal

	// Derivative planes: with p_i the barycentric of vertex i over its w
	// and D = Σ p_i, dD = ∂D/∂(x, y) per pixel and uv0d, uv1d the
	// derivatives of Σ p_i·uv_i ((∂u/∂x, ∂v/∂x, ∂u/∂y, ∂v/∂y) layout), so
	// that ∂u/∂x = (uv0d.dudx − u·dD[0])/D.
	dD         [2]float32
	uv0d, uv1d uvGrad
	// g0, g1: the current fragment's TEXCOORD_0 and _1 derivatives.
	g0, g1 uvGrad
	// lamFixed: spanToon uses lam, the base texture's level of detail at
	// the centroid of a triangle whose bounding box is at most smallTri
	// pixels across.
	lamFixed bool
	lam      float32

	// With a normal texture, the triangle's view-space ∂P/∂u and ∂P/∂v in
	// the normal texture's UVs (see tangentFrame), or with hasTan the
	// vertices' view-space tangents and handedness.
	dpdu, dpdv [3]float32
	hasTan     bool
	tan        [3][4]float32

	// The triangle's edge functions and 1/w per vertex (see tri), for at.
	ea, eb [3]int64
	ec     [3]int64
	invA   float32
	iw     [3]float32

	// toonFast: the material is MToon with only a base texture (sampled
	// with mask wrapping, bilinear), a plain or base-textured shade colour,
	// optionally a parametric rim and an outline, opaque or masked: span
	// shades it with spanToon.
	toonFast bool
}

// bindTri prepares sh for set-up triangle t of chunk c.
func (sh *triShader) bindTri(fs *frameState, c *chunk, t *tri) {
	d := &fs.draws[t.draw]
	sh.bind(fs, &fs.mats[d.mat], fs.vert(c, t.v[0]), fs.vert(c, t.v[1]), fs.vert(c, t.v[2]), t, d)
	m := sh.m
	sh.toonFast = m.toonFast
	// A small triangle's level of detail barely changes across it: one
	// evaluation at its centroid serves all its pixels in spanToon.
	sh.lamFixed = false
	if sh.toonFast && t.x1-t.x0 <= smallTri && t.y1-t.y0 <= smallTri {
		va, vb, vc := sh.va, sh.vb, sh.vc
		p0, p1, p2 := t.iw[0], t.iw[1], t.iw[2]
		k := 1 / (p0 + p1 + p2)
		u := (p0*va.uv0[0] + p1*vb.uv0[0] + p2*vc.uv0[0]) * k
		v := (p0*va.uv0[1] + p1*vb.uv0[1] + p2*vc.uv0[1]) * k
		d, dx, dy := &sh.uv0d, sh.dD[0], sh.dD[1]
		k *= 3 // 1/D at the centroid, where each barycentric is ⅓
		sh.lam = sh.baseLod((d.dudx-u*dx)*k, (d.dvdx-v*dx)*k, (d.dudy-u*dy)*k, (d.dvdy-v*dy)*k)
		sh.lamFixed = true
	}
}

// smallTri is the size in pixels up to which spanToon takes a level of
// detail per triangle, and per span beyond (see triShader.lamFixed).
const smallTri = 16

// genericShadingOnly turns the specialised span shaders off (tests compare
// them with the generic shader).
var genericShadingOnly = false

// at shades the bound triangle at the centre of destination pixel (x, y),
// its barycentrics clamped into the triangle (centroid-like, so partly
// covered pixels don't extrapolate).
func (sh *triShader) at(x, y int) (r, g, b, a float32) {
	if sh.toonFast {
		var c [1][4]float32
		sh.spanToon(x, x+1, y, nil, c[:], nil, 1)
		return c[0][0], c[0][1], c[0][2], 1
	}
	r, g, b, a, _ = sh.shadeAt(x, y, 0, 0, 0)
	return r, g, b, a
}

// span shades pixels [xa, xb) of destination row y, which show the bound
// triangle at every sample (so their centres lie inside it), and stores
// them: encoded into out (4 bytes per pixel) when it is given, else
// premultiplied linear into color (S entries per pixel, the first written)
// with their state uniform.
func (sh *triShader) span(xa, xb, y int, out []uint8, color [][4]float32, state []uint8, S int) {
	if sh.toonFast {
		sh.spanToon(xa, xb, y, out, color, state, S)
		return
	}
	X := int64(xa)<<subBits + subHalf
	Y := int64(y)<<subBits + subHalf
	e0 := sh.ea[0]*X + sh.eb[0]*Y + sh.ec[0]
	e1 := sh.ea[1]*X + sh.eb[1]*Y + sh.ec[1]
	e2 := sh.ea[2]*X + sh.eb[2]*Y + sh.ec[2]
	for i := 0; i < xb-xa; i++ {
		f0, f1, f2 := clampBary(float32(e0)*sh.invA, float32(e1)*sh.invA, float32(e2)*sh.invA)
		p0, p1, p2 := f0*sh.iw[0], f1*sh.iw[1], f2*sh.iw[2]
		k := 1 / (p0 + p1 + p2)
		r, g, b, a, _ := sh.shade(p0*k, p1*k, p2*k)
		c := [4]float32{r * a, g * a, b * a, a}
		if out != nil {
			encodePixel(out[4*i:], &c)
		} else {
			color[i*S] = c
			state[i] = pxUniform
		}
		e0, e1, e2 = e0+sh.ea[0]<<subBits, e1+sh.ea[1]<<subBits, e2+sh.ea[2]<<subBits
	}
}

// spanToon is span for a toonFast material (col may also be a single
// pixel's colour, with state nil and S 1): shade's lighting with the
// material's constants and the texture's addressing hoisted out of the
// loop, and the attributes interpolated perspective-correctly as planes
// over the 1/w plane, stepped along the row. The first pixel's barycentrics
// are clamped into the triangle (a single pixel may be partly covered); the
// others step from it, inside the triangle.
func (sh *triShader) spanToon(xa, xb, y int, out []uint8, col [][4]float32, state []uint8, S int) {
	m := sh.m
	X := int64(xa)<<subBits + subHalf
	Y := int64(y)<<subBits + subHalf
	f0, f1, f2 := clampBary(
		float32(sh.ea[0]*X+sh.eb[0]*Y+sh.ec[0])*sh.invA,
		float32(sh.ea[1]*X+sh.eb[1]*Y+sh.ec[1])*sh.invA,
		float32(sh.ea[2]*X+sh.eb[2]*Y+sh.ec[2])*sh.invA)
	// The planes at the first pixel: 1/w (D) and each attribute over w,
	// TEXCOORD_0 and the normal.
	va, vb, vc := sh.va, sh.vb, sh.vc
	p0, p1, p2 := f0*sh.iw[0], f1*sh.iw[1], f2*sh.iw[2]
	D := p0 + p1 + p2
	nu := p0*va.uv0[0] + p1*vb.uv0[0] + p2*vc.uv0[0]
	nv := p0*va.uv0[1] + p1*vb.uv0[1] + p2*vc.uv0[1]
	nnx := p0*va.n[0] + p1*vb.n[0] + p2*vc.n[0]
	nny := p0*va.n[1] + p1*vb.n[1] + p2*vc.n[1]
	nnz := p0*va.n[2] + p1*vb.n[2] + p2*vc.n[2]
	// The view vector from the pixel position (exact for a pinhole
	// camera; the vertices' view vectors interpolate to nearly the same).
	fs := sh.fs
	vx, dvx, vy := fs.vx0+fs.dvx*float32(xa), fs.dvx, fs.vy0+fs.dvy*float32(y)
	// Their change per pixel along the row (the derivative planes).
	dD := sh.dD[0]
	dN := [5]float32{sh.uv0d.dudx, sh.uv0d.dvdx, 0, 0, 0}
	if xb-xa > 1 {
		q0 := float32(sh.ea[0]<<subBits) * sh.invA * sh.iw[0]
		q1 := float32(sh.ea[1]<<subBits) * sh.invA * sh.iw[1]
		q2 := float32(sh.ea[2]<<subBits) * sh.invA * sh.iw[2]
		dN[2] = q0*va.n[0] + q1*vb.n[0] + q2*vc.n[0]
		dN[3] = q0*va.n[1] + q1*vb.n[1] + q2*vc.n[1]
		dN[4] = q0*va.n[2] + q1*vb.n[2] + q2*vc.n[2]
	}
	levels := m.baseTex.t.levels
	last := float32(len(levels) - 1)
	vy2 := vy * vy
	n := xb - xa
	if out != nil {
		n = min(n, len(out)/4)
	} else {
		if (n-1)*S >= len(col) { // divide only when col is short
			n = (len(col) + S - 1) / S
		}
		if state != nil {
			n = min(n, len(state))
		}
	}
	// The level of detail (texture.lod) at the span's first and last
	// pixels, interpolated linearly between them: it changes slowly along
	// a row, and two evaluations per span keep its cost off the pixels.
	var lam, dLam float32
	switch {
	case sh.lamFixed:
		lam = sh.lam
	case n <= smallTri:
		h := float32(n-1) * 0.5 // the span's middle
		lam = sh.toonLod(D+dD*h, nu+dN[0]*h, nv+dN[1]*h)
	default:
		lam = sh.toonLod(D, nu, nv)
		e := float32(n - 1)
		dLam = (sh.toonLod(D+dD*e, nu+dN[0]*e, nv+dN[1]*e) - lam) / e
	}
	lut := mathx.SRGB8Table()
	// The levels and their weights, per pixel only when λ changes along
	// the span.
	j, f := mipOf(lam, last, m.baseTex.t.mipBlend)
	for i := 0; i < n; i++ {
		k := 1 / D

		// Base colour: the texture with mask wrapping, bilinear on
		// level j, and with trilinear filtering on level j+1, weights
		// 1 − f and f.
		u, v := nu*k, nv*k
		if !m.uvIdentity {
			tm := &m.baseTex.m
			u, v = tm[0]*u+tm[1]*v+tm[2], tm[3]*u+tm[4]*v+tm[5]
		}
		if dLam != 0 {
			j, f = mipOf(lam, last, m.baseTex.t.mipBlend)
			lam += dLam
		}
		lv := &levels[j]
		x0, fx := texelCoord(u*lv.fw - 0.5)
		y0, fy := texelCoord(v*lv.fh - 0.5)
		wm, hm := lv.w-1, lv.h-1
		xl, xr := x0&wm, (x0+1)&wm
		ra, rb := (y0&hm)*lv.w, ((y0+1)&hm)*lv.w
		q00, q10, q01, q11 := lv.texel(ra+xl), lv.texel(ra+xr), lv.texel(rb+xl), lv.texel(rb+xr)
		c := 1 - f
		fy *= c
		b11 := fx * fy
		b10 := fx*c - b11
		b01 := fy - b11
		b00 := c - fx*c - b01
		tr := b00*lut[q00&0xff] + b10*lut[q10&0xff] + b01*lut[q01&0xff] + b11*lut[q11&0xff]
		tg := b00*lut[q00>>8&0xff] + b10*lut[q10>>8&0xff] + b01*lut[q01>>8&0xff] + b11*lut[q11>>8&0xff]
		tb := b00*lut[q00>>16&0xff] + b10*lut[q10>>16&0xff] + b01*lut[q01>>16&0xff] + b11*lut[q11>>16&0xff]
		if f >= 1.0/512 {
			lv := &levels[j+1]
			x0, fx := texelCoord(u*lv.fw - 0.5)
			y0, fy := texelCoord(v*lv.fh - 0.5)
			wm, hm := lv.w-1, lv.h-1
			xl, xr := x0&wm, (x0+1)&wm
			ra, rb := (y0&hm)*lv.w, ((y0+1)&hm)*lv.w
			q00, q10, q01, q11 := lv.texel(ra+xl), lv.texel(ra+xr), lv.texel(rb+xl), lv.texel(rb+xr)
			fy *= f
			b11 := fx * fy
			b10 := fx*f - b11
			b01 := fy - b11
			b00 := f - fx*f - b01
			tr += b00*lut[q00&0xff] + b10*lut[q10&0xff] + b01*lut[q01&0xff] + b11*lut[q11&0xff]
			tg += b00*lut[q00>>8&0xff] + b10*lut[q10>>8&0xff] + b01*lut[q01>>8&0xff] + b11*lut[q11>>8&0xff]
			tb += b00*lut[q00>>16&0xff] + b10*lut[q10>>16&0xff] + b01*lut[q01>>16&0xff] + b11*lut[q11>>16&0xff]
		}

		// Normal (flipped on the back of a double-sided surface), the toon
		// ramp and the lit colour.
		x, y, z := nnx*k, nny*k, nnz*k
		inv := float32(1)
		if l2 := x*x + y*y + z*z; l2 > 1e-12 {
			inv = invLen(l2) * sh.flip
		} else {
			x, y, z = 0, 0, 1 // no normal: face the viewer
		}
		s := mathx.Clamp((x*m.toonL[0]+y*m.toonL[1]+z*m.toonL[2])*inv+m.toonS0, 0, 1)
		s1 := 1 - s
		R := tr*(m.litA[0]+m.litB[0]*s) + m.litE[0]*s1
		G := tg*(m.litA[1]+m.litB[1]*s) + m.litE[1]*s1
		B := tb*(m.litA[2]+m.litB[2]*s) + m.litE[2]*s1
		if m.hasRim {
			iv := invLen(vx*vx + vy2 + 1)
			x := mathx.Clamp(1-(x*vx+y*vy+z)*inv*iv+m.rimLift, 0, 1) * rimLUTSize
			j := int(x)
			f := x - float32(j)
			pw := m.rimPow[j]
			if j < rimLUTSize {
				pw += (m.rimPow[j+1] - pw) * f
			}
			R += pw * (m.rimC[0] + m.rimD[0]*s)
			G += pw * (m.rimC[1] + m.rimD[1]*s)
			B += pw * (m.rimC[2] + m.rimD[2]*s)
		}
		if sh.outline {
			R, G, B = m.outO[0]+m.outP[0]*R, m.outO[1]+m.outP[1]*G, m.outO[2]+m.outP[2]*B
		}
		if out != nil {
			o := (*[4]uint8)(out[4*i:])
			o[0], o[1], o[2], o[3] = encodeSRGB(R), encodeSRGB(G), encodeSRGB(B), 255
		} else {
			col[i*S] = [4]float32{R, G, B, 1}
			if state != nil {
				state[i] = pxUniform
			}
		}
		D += dD
		nu, nv = nu+dN[0], nv+dN[1]
		nnx, nny, nnz = nnx+dN[2], nny+dN[3], nnz+dN[4]
		vx += dvx
	}
}

// mipOf returns the mipmap levels for level of detail lam on a texture
// whose last level is last: with blend (trilinear, glTF *_MIPMAP_LINEAR or
// no minFilter) levels j and j+1 weighted 1 − f and f, or level j alone
// (f = 0) when magnified or beyond the last level; without, the nearest
// level alone, ⌊λ + ½⌋ (*_MIPMAP_NEAREST; OpenGL ES 3.0 §3.8.10.4 takes
// ⌈λ + ½⌉ − 1, which differs only where λ + ½ is a whole number).
//
// A minFilter without mipmaps (LINEAR, NEAREST; vrm.MipmapNone, e.g.
// Godette's) takes the nearest level too. Strictly it asks for level 0
// alone, as three.js and UniGLTF's import sample it; far from the camera
// that shimmers as the avatar moves, and the nearest level is Unity's own
// Bilinear filter with mipmaps (UniGLTF TextureSamplerUtil: LINEAR_MIPMAP_-
// NEAREST is what it writes for Bilinear).
func mipOf(lam, last float32, blend bool) (j int, f float32) {
	if !blend {
		lam += 0.5
	}
	switch {
	case !(lam > 0):
		return 0, 0
	case lam >= last:
		return int(last), 0
	}
	j = int(lam)
	if !blend {
		return j, 0
	}
	return j, lam - float32(j)
}

// toonLod returns the base texture's level of detail (texture.lod) for
// spanToon at the pixel whose 1/w plane is D and TEXCOORD_0 planes (u and v
// times 1/w) are nu, nv.
func (sh *triShader) toonLod(D, nu, nv float32) float32 {
	g, dD, dDy := &sh.uv0d, sh.dD[0], sh.dD[1]
	k := 1 / D
	u, v := nu*k, nv*k
	return sh.baseLod((g.dudx-u*dD)*k, (g.dvdx-v*dD)*k, (g.dudy-u*dDy)*k, (g.dvdy-v*dDy)*k)
}

// baseLod returns the level of detail of the base colour texture for
// TEXCOORD_0 derivatives (∂u/∂x, ∂v/∂x, ∂u/∂y, ∂v/∂y, UV units per pixel),
// taken through the material's KHR_texture_transform first.
func (sh *triShader) baseLod(gux, gvx, guy, gvy float32) float32 {
	m := sh.m
	if !m.uvIdentity {
		tm := &m.baseTex.m
		gux, gvx = tm[0]*gux+tm[1]*gvx, tm[3]*gux+tm[4]*gvx
		guy, gvy = tm[0]*guy+tm[1]*gvy, tm[3]*guy+tm[4]*gvy
	}
	l0 := &m.baseTex.t.levels[0]
	w2, h2 := l0.fw*l0.fw, l0.fh*l0.fh
	return lodOf(gux*gux*w2+gvx*gvx*h2, guy*guy*w2+gvy*gvy*h2)
}

// weightsAt returns the perspective-correct barycentric weights at the
// centre of destination pixel (x, y), clamped into the triangle.
func (sh *triShader) weightsAt(x, y int) (w0, w1, w2 float32) {
	X := int64(x)<<subBits + subHalf
	Y := int64(y)<<subBits + subHalf
	f0 := float32(sh.ea[0]*X+sh.eb[0]*Y+sh.ec[0]) * sh.invA
	f1 := float32(sh.ea[1]*X+sh.eb[1]*Y+sh.ec[1]) * sh.invA
	f2 := float32(sh.ea[2]*X+sh.eb[2]*Y+sh.ec[2]) * sh.invA
	f0, f1, f2 = clampBary(f0, f1, f2)
	p0, p1, p2 := f0*sh.iw[0], f1*sh.iw[1], f2*sh.iw[2]
	k := 1 / (p0 + p1 + p2)
	return p0 * k, p1 * k, p2 * k
}

// bind prepares sh for set-up triangle t of draw d, material m, with
// vertices va, vb, vc (t's vertex order).
func (sh *triShader) bind(fs *frameState, m *matFrame, va, vb, vc *vertex, t *tri, d *draw) {
	outline := d.outline
	sh.fs, sh.m, sh.va, sh.vb, sh.vc, sh.outline = fs, m, va, vb, vc, outline
	sh.ea = [3]int64{int64(t.a[0]), int64(t.a[1]), int64(t.a[2])}
	sh.eb = [3]int64{int64(t.b[0]), int64(t.b[1]), int64(t.b[2])}
	sh.ec = t.c
	sh.invA, sh.iw = t.invA, t.iw
	// Normal flipped on the back of a double-sided surface (glTF 2.0 §3.9.2).
	sh.flip = 1
	if t.back && !outline {
		sh.flip = -1
	}
	// Derivative planes: barycentric i changes by a_i·subOne/(2·area) per
	// pixel along x (b_i along y).
	s := float32(subOne) * t.invA
	qx0, qx1, qx2 := float32(t.a[0])*s*t.iw[0], float32(t.a[1])*s*t.iw[1], float32(t.a[2])*s*t.iw[2]
	qy0, qy1, qy2 := float32(t.b[0])*s*t.iw[0], float32(t.b[1])*s*t.iw[1], float32(t.b[2])*s*t.iw[2]
	sh.dD = [2]float32{qx0 + qx1 + qx2, qy0 + qy1 + qy2}
	sh.uv0d = uvGrad{
		qx0*va.uv0[0] + qx1*vb.uv0[0] + qx2*vc.uv0[0], qx0*va.uv0[1] + qx1*vb.uv0[1] + qx2*vc.uv0[1],
		qy0*va.uv0[0] + qy1*vb.uv0[0] + qy2*vc.uv0[0], qy0*va.uv0[1] + qy1*vb.uv0[1] + qy2*vc.uv0[1],
	}
	if m.needUV1 {
		sh.uv1d = uvGrad{
			qx0*va.uv1[0] + qx1*vb.uv1[0] + qx2*vc.uv1[0], qx0*va.uv1[1] + qx1*vb.uv1[1] + qx2*vc.uv1[1],
			qy0*va.uv1[0] + qy1*vb.uv1[0] + qy2*vc.uv1[0], qy0*va.uv1[1] + qy1*vb.uv1[1] + qy2*vc.uv1[1],
		}
	}
	if m.kind == kindPBR && m.nrmTex.t != nil {
		// The vertices' TANGENTs when the primitive has them (and the
		// triangle was not clipped), else the frame from the UVs.
		sh.hasTan = false
		if fs.prep.instances[d.inst].tan != nil && (t.v[0]|t.v[1]|t.v[2])&clipBit == 0 {
			sh.hasTan = true
			sh.tan = [3][4]float32{fs.tans[t.v[0]], fs.tans[t.v[1]], fs.tans[t.v[2]]}
		} else {
			sh.tangentFrame(fs)
		}
	}
	if m.kind == kindMToon && m.needRim && m.matcapTex != nil {
		sh.matcap.bind(m.matcapTex, 0)
	}
}

// grads sets sh.g0 (and sh.g1) to the derivatives of the interpolated
// texture coordinates (u0, v0) and (u1, v1) at a fragment of perspective-
// correct weights w0, w1, w2 (1/D is the interpolated clip w).
func (sh *triShader) grads(w0, w1, w2, u0, v0, u1, v1 float32) {
	k := w0*sh.va.clip[3] + w1*sh.vb.clip[3] + w2*sh.vc.clip[3]
	dx, dy := sh.dD[0], sh.dD[1]
	d := &sh.uv0d
	sh.g0 = uvGrad{(d.dudx - u0*dx) * k, (d.dvdx - v0*dx) * k, (d.dudy - u0*dy) * k, (d.dvdy - v0*dy) * k}
	if sh.m.needUV1 {
		d := &sh.uv1d
		sh.g1 = uvGrad{(d.dudx - u1*dx) * k, (d.dvdx - v1*dx) * k, (d.dudy - u1*dy) * k, (d.dvdy - v1*dy) * k}
	}
}

// grad returns the derivatives of the slot's coordinates given those of
// TEXCOORD_0 and _1: its transform's linear part applied to them.
func (s *texSlot) grad(g0, g1 *uvGrad) uvGrad {
	g := g0
	if s.uv1 {
		g = g1
	}
	m := &s.m
	return uvGrad{m[0]*g.dudx + m[1]*g.dvdx, m[3]*g.dudx + m[4]*g.dvdx, m[0]*g.dudy + m[1]*g.dvdy, m[3]*g.dudy + m[4]*g.dvdy}
}

// sample samples the slot's texture at the fragment's (u, v) for the
// fragment's derivatives (see triShader.grads).
func (sh *triShader) sample(s *texSlot, u, v float32) (r, g, b, a float32) {
	d := s.grad(&sh.g0, &sh.g1)
	return s.t.sampleGrad(u, v, &d)
}

// sampleRaw is sample for data textures.
func (sh *triShader) sampleRaw(s *texSlot, u, v float32) (r, g, b, a float32) {
	d := s.grad(&sh.g0, &sh.g1)
	return s.t.sampleGradRaw(u, v, &d)
}

// shade shades the fragment with perspective-correct barycentric weights
// w0, w1, w2: linear RGB and alpha, not premultiplied; keep is false where
// the alpha-MASK test discards it.
func (sh *triShader) shade(w0, w1, w2 float32) (R, G, B, A float32, keep bool) {
	return sh.shadeAt(-1, 0, w0, w1, w2)
}

// shadeAt is shade at the centre of destination pixel (px, py) when
// px ≥ 0 (see weightsAt), else with the weights w0, w1, w2.
func (sh *triShader) shadeAt(px, py int, w0, w1, w2 float32) (R, G, B, A float32, keep bool) {
	if px >= 0 {
		w0, w1, w2 = sh.weightsAt(px, py)
	}
	m := sh.m
	va, vb, vc := sh.va, sh.vb, sh.vc
	u0 := w0*va.uv0[0] + w1*vb.uv0[0] + w2*vc.uv0[0]
	v0 := w0*va.uv0[1] + w1*vb.uv0[1] + w2*vc.uv0[1]
	var u1, v1 float32
	if m.needUV1 {
		u1 = w0*va.uv1[0] + w1*vb.uv1[0] + w2*vc.uv1[0]
		v1 = w0*va.uv1[1] + w1*vb.uv1[1] + w2*vc.uv1[1]
	}
	sh.grads(w0, w1, w2, u0, v0, u1, v1)
	if m.animMask.t != nil {
		u, v := m.animMask.uv(u0, v0, u1, v1)
		_, _, k, _ := sh.sampleRaw(&m.animMask, u, v)
		u0, v0 = animUV(u0, v0, m.animRot*k, m.animScroll[0]*k, m.animScroll[1]*k)
		if m.needUV1 {
			u1, v1 = animUV(u1, v1, m.animRot*k, m.animScroll[0]*k, m.animScroll[1]*k)
		}
	}

	// Base colour.
	var tr, tg, tb float32
	if m.baseTex.t != nil {
		u, v := m.baseTex.uv(u0, v0, u1, v1)
		r, g, b, a := sh.sample(&m.baseTex, u, v)
		tr, tg, tb = r, g, b
		R, G, B, A = m.base[0]*r, m.base[1]*g, m.base[2]*b, m.base[3]*a
	} else {
		R, G, B, A = m.base[0], m.base[1], m.base[2], m.base[3]
	}
	if m.kind != kindMToon { // MToon ignores vertex colours (VRMC_materials_mtoon-1.0 "Vertex Colors")
		R *= w0*va.col[0] + w1*vb.col[0] + w2*vc.col[0]
		G *= w0*va.col[1] + w1*vb.col[1] + w2*vc.col[1]
		B *= w0*va.col[2] + w1*vb.col[2] + w2*vc.col[2]
		A *= w0*va.col[3] + w1*vb.col[3] + w2*vc.col[3]
	}
	switch m.alpha {
	case vrm.AlphaMask:
		keep = A >= m.cutoff
		A = 1
	case vrm.AlphaBlend:
		keep = true
		A = mathx.Clamp(A, 0, 1)
	default:
		keep = true
		A = 1
	}
	if m.kind == kindUnlit {
		if sh.outline {
			R, G, B = m.outline[0], m.outline[1], m.outline[2]
		}
		return
	}

	// Normal.
	x := w0*va.n[0] + w1*vb.n[0] + w2*vc.n[0]
	y := w0*va.n[1] + w1*vb.n[1] + w2*vc.n[1]
	z := w0*va.n[2] + w1*vb.n[2] + w2*vc.n[2]
	var nx, ny, nz float32
	if l2 := x*x + y*y + z*z; l2 > 1e-12 {
		inv := invLen(l2) * sh.flip
		nx, ny, nz = x*inv, y*inv, z*inv
	} else {
		nx, ny, nz = 0, 0, 1 // no normal: face the viewer
	}
	fs := sh.fs
	ld, lc, am := &fs.lightDir, &fs.lightCol, &fs.ambient

	if m.kind == kindPBR {
		R, G, B = sh.pbr(R, G, B, nx, ny, nz, w0, w1, w2, u0, v0, u1, v1)
		if m.hasEmissive {
			R, G, B = sh.emission(R, G, B, u0, v0, u1, v1)
		}
		return
	}
	// MToon (VRMC_materials_mtoon-1.0 "Lighting", "Global Illumination",
	// "Emission", "Rim Lighting"); the ambient colour is direction-independent,
	// so giEqualization leaves it unchanged.
	s := nx*ld[0] + ny*ld[1] + nz*ld[2] + m.shift
	if m.shiftTex.t != nil {
		u, v := m.shiftTex.uv(u0, v0, u1, v1)
		r, _, _, _ := sh.sampleRaw(&m.shiftTex, u, v)
		s += r * m.shiftScale
	}
	s = mathx.Clamp((s-m.toonLo)*m.toonMul, 0, 1)
	switch {
	case m.shadeIsBase:
		tr, tg, tb = m.shade[0]*tr, m.shade[1]*tg, m.shade[2]*tb
	case m.shadeTex.t != nil:
		u, v := m.shadeTex.uv(u0, v0, u1, v1)
		r, g, b, _ := sh.sample(&m.shadeTex, u, v)
		tr, tg, tb = m.shade[0]*r, m.shade[1]*g, m.shade[2]*b
	default:
		tr, tg, tb = m.shade[0], m.shade[1], m.shade[2]
	}
	r, g, b := R, G, B
	R = (tr+(r-tr)*s)*lc[0] + am[0]*r
	G = (tg+(g-tg)*s)*lc[1] + am[1]*g
	B = (tb+(b-tb)*s)*lc[2] + am[2]*b
	if m.hasEmissive {
		R, G, B = sh.emission(R, G, B, u0, v0, u1, v1)
	}
	if m.needRim {
		R, G, B = sh.rimLight(R, G, B, nx, ny, nz, s, w0, w1, w2, u0, v0, u1, v1)
	}
	if sh.outline {
		// VRMC_materials_mtoon-1.0 "Outline Lighting Mix": the surface's
		// shading result multiplies the outline colour by the mix factor.
		k := m.outlineMix
		R = m.outline[0] * (1 + (R-1)*k)
		G = m.outline[1] * (1 + (G-1)*k)
		B = m.outline[2] * (1 + (B-1)*k)
	}
	return
}

// emission adds the emissive colour (factor × texture).
func (sh *triShader) emission(R, G, B, u0, v0, u1, v1 float32) (float32, float32, float32) {
	m := sh.m
	if m.emisTex.t == nil {
		return R + m.emissive[0], G + m.emissive[1], B + m.emissive[2]
	}
	u, v := m.emisTex.uv(u0, v0, u1, v1)
	r, g, b, _ := sh.sample(&m.emisTex, u, v)
	return R + m.emissive[0]*r, G + m.emissive[1]*g, B + m.emissive[2]*b
}

// viewDir is the unit vector from the fragment of weights w0, w1, w2
// toward the camera, interpolated from the vertices' view vectors (view
// space); (0, 0, 1) where it vanishes.
func (sh *triShader) viewDir(w0, w1, w2 float32) (float32, float32, float32) {
	va, vb, vc := sh.va, sh.vb, sh.vc
	vx := w0*va.v[0] + w1*vb.v[0] + w2*vc.v[0]
	vy := w0*va.v[1] + w1*vb.v[1] + w2*vc.v[1]
	vz := w0*va.v[2] + w1*vb.v[2] + w2*vc.v[2]
	if l2 := vx*vx + vy*vy + vz*vz; l2 > 1e-12 {
		inv := invLen(l2)
		return vx * inv, vy * inv, vz * inv
	}
	return 0, 0, 1
}

// rimLight adds MToon's rim lighting: matcap and parametric rim, times the
// rim texture, mixed with the lighting (VRMC_materials_mtoon-1.0 "Rim
// Lighting"); s is the toon ramp value.
func (sh *triShader) rimLight(R, G, B, nx, ny, nz, s, w0, w1, w2, u0, v0, u1, v1 float32) (float32, float32, float32) {
	m := sh.m
	vx, vy, vz := sh.viewDir(w0, w1, w2)
	var rr, rg, rb float32
	if m.matcapTex != nil {
		// matcap UV from the view-space normal in a frame built around V.
		xx, xz := vz, -vx
		if l := float32(math.Sqrt(float64(xx*xx + xz*xz))); l > 1e-6 {
			xx, xz = xx/l, xz/l
		} else {
			xx, xz = 1, 0
		}
		// Y = V × X, with X = (xx, 0, xz).
		yx, yy, yz := vy*xz, vz*xx-vx*xz, -vy*xx
		mu := (xx*nx+xz*nz)*0.495 + 0.5
		mv := (yx*nx+yy*ny+yz*nz)*0.495 + 0.5
		tr, tg, tb, _ := sh.matcap.sample(mu, mv)
		rr, rg, rb = m.matcap[0]*tr, m.matcap[1]*tg, m.matcap[2]*tb
	}
	if m.rim != [3]float32{} {
		x := mathx.Clamp(1-(nx*vx+ny*vy+nz*vz)+m.rimLift, 0, 1) * rimLUTSize
		j := int(x)
		f := x - float32(j)
		pw := m.rimPow[j]
		if j < rimLUTSize {
			pw += (m.rimPow[j+1] - pw) * f
		}
		rr, rg, rb = rr+pw*m.rim[0], rg+pw*m.rim[1], rb+pw*m.rim[2]
	}
	if m.rimTex.t != nil {
		u, v := m.rimTex.uv(u0, v0, u1, v1)
		tr, tg, tb, _ := sh.sample(&m.rimTex, u, v)
		rr, rg, rb = rr*tr, rg*tg, rb*tb
	}
	lc, am, mix := &sh.fs.lightCol, &sh.fs.ambient, m.rimMix
	R += rr * (1 + (lc[0]*s+am[0]-1)*mix)
	G += rg * (1 + (lc[1]*s+am[1]-1)*mix)
	B += rb * (1 + (lc[2]*s+am[2]-1)*mix)
	return R, G, B
}

// invLen returns 1/√l2. Interpolated unit vectors are a little shorter
// than 1 (l2 in 0.7…1.4 between normals up to ~65° apart): there two Newton
// steps from 1 are exact to 0.3 % and avoid a square root and a division on
// the shading critical path; elsewhere it computes exactly.
func invLen(l2 float32) float32 {
	// 0.7 < l2 < 1.4 by its bits, one unsigned comparison: positive floats
	// order as their bits, and negative ones and NaN fall outside.
	const lo, hi = 0x3f333333, 0x3fb33333 // float32 bits of 0.7 and 1.4
	if math.Float32bits(l2)-(lo+1) < hi-(lo+1) {
		y := (3 - l2) * 0.5
		return y * (3 - l2*y*y) * 0.5
	}
	return 1 / float32(math.Sqrt(float64(l2)))
}

// animUV applies MToon's UV animation: rotation about (0.5, 0.5) by rot
// radians, then a scroll.
func animUV(u, v, rot, sx, sy float32) (float32, float32) {
	if rot == 0 {
		return u + sx, v + sy
	}
	s64, c64 := math.Sincos(float64(rot))
	s, c := float32(s64), float32(c64)
	u, v = u-0.5, v-0.5
	return c*u + s*v + 0.5 + sx, -s*u + c*v + 0.5 + sy
}
