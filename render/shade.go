package render

import (
	"math"

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

	// MToon.
	shade           [3]float32
	shadeTex        texSlot
	shift           float32
	shiftTex        texSlot
	shiftScale      float32 // shadingShiftTexture.scale
	toonLo, toonMul float32
	needRim         bool
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
		m.base[k] = clampf(st.BaseColor[k], 0, 1e4)
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
	if mt == nil {
		return m
	}
	m.shade = sanitizeColor(st.ShadeColor)
	m.shadeTex = slot(ms.shade)
	m.shadeIsBase = m.shadeTex.t != nil && m.shadeTex == m.baseTex
	m.shift = clampf(finiteOr(mt.ShadingShift, 0), -10, 10)
	m.shiftTex = slot(ms.shift)
	m.shiftScale = clampf(finiteOr(mt.ShadingShiftTexScale, 1), -10, 10)
	// linearstep(−1 + toony, 1 − toony, x) = clamp((x − lo)·mul, 0, 1).
	toony := clampf(finiteOr(mt.ShadingToony, 0.9), 0, 1)
	lo, hi := -1+toony, 1-toony
	if hi-lo < 1e-4 {
		lo, hi = -0.5e-4, 0.5e-4
	}
	m.toonLo, m.toonMul = lo, 1/(hi-lo)
	m.rim = sanitizeColor(st.RimColor)
	m.rimLift = clampf(finiteOr(mt.RimLift, 0), -10, 10)
	m.rimMix = clampf(finiteOr(mt.RimLightingMix, 1), 0, 1)
	m.rimTex = slot(ms.rim)
	m.rimPow = ms.rimPow
	m.matcap = sanitizeColor(st.MatcapColor)
	m.matcapTex = ms.matcap.t
	m.needRim = m.rim != [3]float32{} || (m.matcapTex != nil && m.matcap != [3]float32{})
	m.outline = sanitizeColor(st.OutlineColor)
	m.outlineMix = clampf(finiteOr(mt.OutlineLightMix, 1), 0, 1)
	return m
}

// shadeBuf holds a batch of fragments of one triangle as structure of
// arrays: shading runs stage by stage over the whole batch, so the
// independent per-fragment dependency chains (texture fetch, normalisation,
// toon ramp) overlap in the CPU instead of running one after another.
type shadeBuf struct {
	w0, w1, w2     []float32 // perspective-correct barycentric weights
	u0, v0, u1, v1 []float32
	r, g, b, a     []float32 // result: linear RGB and alpha, not premultiplied
	keep           []bool    // false: discarded by the alpha-MASK test
	tr, tg, tb     []float32 // base texture colour, for a shade texture that is the same
	nx, ny, nz     []float32
	sh             []float32 // toon ramp value
}

func newShadeBuf(n int) shadeBuf {
	f := func() []float32 { return make([]float32, n) }
	return shadeBuf{
		w0: f(), w1: f(), w2: f(), u0: f(), v0: f(), u1: f(), v1: f(),
		r: f(), g: f(), b: f(), a: f(), keep: make([]bool, n),
		tr: f(), tg: f(), tb: f(), nx: f(), ny: f(), nz: f(), sh: f(),
	}
}

// shadeBatch shades n fragments of one triangle whose weights are in
// sb.w0…w2, leaving colours in sb.r…a and sb.keep. back says the triangle
// faces away from the camera; rho2 is its TEXCOORD_0 area per screen area
// (UV² per pixel²), which picks mipmap levels.
func (fs *frameState) shadeBatch(sb *shadeBuf, n int, m *matFrame, va, vb, vc *vertex, rho2 float32, back, outline bool) {
	w0, w1, w2 := sb.w0[:n], sb.w1[:n], sb.w2[:n]
	u0, v0, u1, v1 := sb.u0[:n], sb.v0[:n], sb.u1[:n], sb.v1[:n]
	R, G, B, A, keep := sb.r[:n], sb.g[:n], sb.b[:n], sb.a[:n], sb.keep[:n]

	for i := range u0 {
		u0[i] = w0[i]*va.uv0[0] + w1[i]*vb.uv0[0] + w2[i]*vc.uv0[0]
		v0[i] = w0[i]*va.uv0[1] + w1[i]*vb.uv0[1] + w2[i]*vc.uv0[1]
	}
	if m.needUV1 {
		for i := range u1 {
			u1[i] = w0[i]*va.uv1[0] + w1[i]*vb.uv1[0] + w2[i]*vc.uv1[0]
			v1[i] = w0[i]*va.uv1[1] + w1[i]*vb.uv1[1] + w2[i]*vc.uv1[1]
		}
	}
	if t := m.animMask.t; t != nil {
		for i := range u0 {
			u, v := m.animMask.uv(u0[i], v0[i], u1[i], v1[i])
			_, _, k, _ := t.sampleRaw(u, v, rho2*m.animMask.det)
			u0[i], v0[i] = animUV(u0[i], v0[i], m.animRot*k, m.animScroll[0]*k, m.animScroll[1]*k)
			if m.needUV1 {
				u1[i], v1[i] = animUV(u1[i], v1[i], m.animRot*k, m.animScroll[0]*k, m.animScroll[1]*k)
			}
		}
	}

	// Base colour.
	if t := m.baseTex.t; t != nil {
		tr, tg, tb := sb.tr[:n], sb.tg[:n], sb.tb[:n]
		lod := rho2 * m.baseTex.det
		for i := range R {
			u, v := m.baseTex.uv(u0[i], v0[i], u1[i], v1[i])
			r, g, b, a := t.sample(u, v, lod)
			tr[i], tg[i], tb[i] = r, g, b
			R[i], G[i], B[i], A[i] = m.base[0]*r, m.base[1]*g, m.base[2]*b, m.base[3]*a
		}
	} else {
		for i := range R {
			R[i], G[i], B[i], A[i] = m.base[0], m.base[1], m.base[2], m.base[3]
		}
	}
	if m.kind != kindMToon { // MToon ignores vertex colours (VRMC_materials_mtoon-1.0 "Vertex Colors")
		for i := range R {
			R[i] *= w0[i]*va.col[0] + w1[i]*vb.col[0] + w2[i]*vc.col[0]
			G[i] *= w0[i]*va.col[1] + w1[i]*vb.col[1] + w2[i]*vc.col[1]
			B[i] *= w0[i]*va.col[2] + w1[i]*vb.col[2] + w2[i]*vc.col[2]
			A[i] *= w0[i]*va.col[3] + w1[i]*vb.col[3] + w2[i]*vc.col[3]
		}
	}
	switch m.alpha {
	case vrm.AlphaMask:
		for i := range A {
			keep[i] = A[i] >= m.cutoff
			A[i] = 1
		}
	case vrm.AlphaBlend:
		for i := range A {
			keep[i] = true
			A[i] = clampf(A[i], 0, 1)
		}
	default:
		for i := range A {
			keep[i] = true
			A[i] = 1
		}
	}
	if m.kind == kindUnlit {
		if outline {
			fillRGB(R, G, B, m.outline)
		}
		return
	}

	// Normal, flipped on the back of a double-sided surface (glTF 2.0 §3.9.2).
	nx, ny, nz := sb.nx[:n], sb.ny[:n], sb.nz[:n]
	flip := float32(1)
	if back && !outline {
		flip = -1
	}
	for i := range nx {
		x := w0[i]*va.n[0] + w1[i]*vb.n[0] + w2[i]*vc.n[0]
		y := w0[i]*va.n[1] + w1[i]*vb.n[1] + w2[i]*vc.n[1]
		z := w0[i]*va.n[2] + w1[i]*vb.n[2] + w2[i]*vc.n[2]
		if l2 := x*x + y*y + z*z; l2 > 1e-12 {
			inv := invLen(l2) * flip
			nx[i], ny[i], nz[i] = x*inv, y*inv, z*inv
		} else {
			nx[i], ny[i], nz[i] = 0, 0, 1 // no normal: face the viewer
		}
	}
	ld, lc, am := fs.lightDir, fs.lightCol, fs.ambient

	if m.kind == kindLit {
		for i := range R {
			d := max(nx[i]*ld[0]+ny[i]*ld[1]+nz[i]*ld[2], 0)
			R[i] *= lc[0]*d + am[0]
			G[i] *= lc[1]*d + am[1]
			B[i] *= lc[2]*d + am[2]
		}
		if m.hasEmissive {
			fs.addEmission(sb, n, m, rho2)
		}
		if outline {
			fillRGB(R, G, B, m.outline)
		}
		return
	}
	// MToon (VRMC_materials_mtoon-1.0 "Lighting", "Global Illumination",
	// "Emission", "Rim Lighting"); the ambient colour is direction-independent,
	// so giEqualization leaves it unchanged.
	sh := sb.sh[:n]
	for i := range sh {
		sh[i] = nx[i]*ld[0] + ny[i]*ld[1] + nz[i]*ld[2] + m.shift
	}
	if t := m.shiftTex.t; t != nil {
		lod := rho2 * m.shiftTex.det
		for i := range sh {
			u, v := m.shiftTex.uv(u0[i], v0[i], u1[i], v1[i])
			r, _, _, _ := t.sampleRaw(u, v, lod)
			sh[i] += r * m.shiftScale
		}
	}
	for i := range sh {
		sh[i] = clampf((sh[i]-m.toonLo)*m.toonMul, 0, 1)
	}
	// Shade colour, into tr/tg/tb.
	tr, tg, tb := sb.tr[:n], sb.tg[:n], sb.tb[:n]
	switch {
	case m.shadeIsBase:
		for i := range tr {
			tr[i], tg[i], tb[i] = m.shade[0]*tr[i], m.shade[1]*tg[i], m.shade[2]*tb[i]
		}
	case m.shadeTex.t != nil:
		t, lod := m.shadeTex.t, rho2*m.shadeTex.det
		for i := range tr {
			u, v := m.shadeTex.uv(u0[i], v0[i], u1[i], v1[i])
			r, g, b, _ := t.sample(u, v, lod)
			tr[i], tg[i], tb[i] = m.shade[0]*r, m.shade[1]*g, m.shade[2]*b
		}
	default:
		fillRGB(tr, tg, tb, m.shade)
	}
	for i := range R {
		s := sh[i]
		r, g, b := R[i], G[i], B[i]
		R[i] = (tr[i]+(r-tr[i])*s)*lc[0] + am[0]*r
		G[i] = (tg[i]+(g-tg[i])*s)*lc[1] + am[1]*g
		B[i] = (tb[i]+(b-tb[i])*s)*lc[2] + am[2]*b
	}
	if m.hasEmissive {
		fs.addEmission(sb, n, m, rho2)
	}
	if m.needRim {
		fs.rimBatch(sb, n, m, va, vb, vc, rho2)
	}
	if outline {
		// VRMC_materials_mtoon-1.0 "Outline Lighting Mix": the surface's
		// shading result multiplies the outline colour by the mix factor.
		k := m.outlineMix
		for i := range R {
			R[i] = m.outline[0] * (1 + (R[i]-1)*k)
			G[i] = m.outline[1] * (1 + (G[i]-1)*k)
			B[i] = m.outline[2] * (1 + (B[i]-1)*k)
		}
	}
}

func fillRGB(r, g, b []float32, c [3]float32) {
	for i := range r {
		r[i], g[i], b[i] = c[0], c[1], c[2]
	}
}

// addEmission adds the emissive colour (factor × texture) to the batch.
func (fs *frameState) addEmission(sb *shadeBuf, n int, m *matFrame, rho2 float32) {
	R, G, B := sb.r[:n], sb.g[:n], sb.b[:n]
	t := m.emisTex.t
	if t == nil {
		for i := range R {
			R[i] += m.emissive[0]
			G[i] += m.emissive[1]
			B[i] += m.emissive[2]
		}
		return
	}
	u0, v0, u1, v1 := sb.u0[:n], sb.v0[:n], sb.u1[:n], sb.v1[:n]
	lod := rho2 * m.emisTex.det
	for i := range R {
		u, v := m.emisTex.uv(u0[i], v0[i], u1[i], v1[i])
		r, g, b, _ := t.sample(u, v, lod)
		R[i] += m.emissive[0] * r
		G[i] += m.emissive[1] * g
		B[i] += m.emissive[2] * b
	}
}

// rimBatch adds MToon's rim lighting: matcap and parametric rim, times the
// rim texture, mixed with the lighting (VRMC_materials_mtoon-1.0 "Rim
// Lighting").
func (fs *frameState) rimBatch(sb *shadeBuf, n int, m *matFrame, va, vb, vc *vertex, rho2 float32) {
	w0, w1, w2 := sb.w0[:n], sb.w1[:n], sb.w2[:n]
	u0, v0, u1, v1 := sb.u0[:n], sb.v0[:n], sb.u1[:n], sb.v1[:n]
	R, G, B := sb.r[:n], sb.g[:n], sb.b[:n]
	nx, ny, nz, sh := sb.nx[:n], sb.ny[:n], sb.nz[:n], sb.sh[:n]
	lc, am := fs.lightCol, fs.ambient
	hasRim := m.rim != [3]float32{}
	for i := range R {
		vx := w0[i]*va.v[0] + w1[i]*vb.v[0] + w2[i]*vc.v[0]
		vy := w0[i]*va.v[1] + w1[i]*vb.v[1] + w2[i]*vc.v[1]
		vz := w0[i]*va.v[2] + w1[i]*vb.v[2] + w2[i]*vc.v[2]
		if l2 := vx*vx + vy*vy + vz*vz; l2 > 1e-12 {
			inv := invLen(l2)
			vx, vy, vz = vx*inv, vy*inv, vz*inv
		} else {
			vx, vy, vz = 0, 0, 1
		}
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
			mu := (xx*nx[i]+xz*nz[i])*0.495 + 0.5
			mv := (yx*nx[i]+yy*ny[i]+yz*nz[i])*0.495 + 0.5
			tr, tg, tb, _ := m.matcapTex.sample(mu, mv, 0)
			rr, rg, rb = m.matcap[0]*tr, m.matcap[1]*tg, m.matcap[2]*tb
		}
		if hasRim {
			x := clampf(1-(nx[i]*vx+ny[i]*vy+nz[i]*vz)+m.rimLift, 0, 1) * rimLUTSize
			j := int(x)
			f := x - float32(j)
			pw := m.rimPow[j]
			if j < rimLUTSize {
				pw += (m.rimPow[j+1] - pw) * f
			}
			rr, rg, rb = rr+pw*m.rim[0], rg+pw*m.rim[1], rb+pw*m.rim[2]
		}
		if t := m.rimTex.t; t != nil {
			u, v := m.rimTex.uv(u0[i], v0[i], u1[i], v1[i])
			tr, tg, tb, _ := t.sample(u, v, rho2*m.rimTex.det)
			rr, rg, rb = rr*tr, rg*tg, rb*tb
		}
		mix, s := m.rimMix, sh[i]
		R[i] += rr * (1 + (lc[0]*s+am[0]-1)*mix)
		G[i] += rg * (1 + (lc[1]*s+am[1]-1)*mix)
		B[i] += rb * (1 + (lc[2]*s+am[2]-1)*mix)
	}
}

// invLen returns 1/√l2. Interpolated unit vectors are a little shorter
// than 1 (l2 in 0.7…1.4 between normals up to ~65° apart): there two Newton
// steps from 1 are exact to 0.3 % and avoid a square root and a division on
// the shading critical path; elsewhere it computes exactly.
func invLen(l2 float32) float32 {
	if l2 > 0.7 && l2 < 1.4 {
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
