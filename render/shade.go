package render

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

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
	st := vrm.MaterialState{
		BaseColor: src.BaseColor, Emissive: src.Emissive, UVScale: mgl32.Vec2{1, 1},
	}
	if mt := src.MToon; mt != nil {
		st.ShadeColor, st.RimColor, st.MatcapColor, st.OutlineColor = mt.ShadeColor, mt.RimColor, mt.MatcapColor, mt.OutlineColor
	}
	if fs.frame != nil && i < len(fs.frame.Materials) {
		st = fs.frame.Materials[i]
		if st.UVScale == (mgl32.Vec2{}) {
			st.UVScale = mgl32.Vec2{1, 1} // an unset state: no texture-transform bind
		}
	}
	for k := range m.base {
		m.base[k] = clampf(st.BaseColor[k], 0, 1e4)
	}
	m.base[3] = min(m.base[3], 1)
	m.emissive = sanitizeColor(st.Emissive)
	m.hasEmissive = m.emissive != [3]float32{}

	// Texture transforms: the expression's scale/offset after
	// KHR_texture_transform (vrm.MaterialState), MToon UV animation before it.
	stm := [6]float32{st.UVScale[0], 0, st.UVOffset[0], 0, st.UVScale[1], st.UVOffset[1]}
	for k, v := range stm {
		if !finite(v) {
			stm[k] = identityUV[k]
		}
	}
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
			m.animMask.m = composeUV(stm, ms.animMask.m)
			m.animMask.det = float32(math.Abs(float64(m.animMask.m[0]*m.animMask.m[4] - m.animMask.m[1]*m.animMask.m[3])))
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
		t.m = composeUV(stm, composeUV(t.m, pre))
		t.det = float32(math.Abs(float64(t.m[0]*t.m[4] - t.m[1]*t.m[3])))
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

// shade computes a fragment's colour: linear RGB and alpha, not
// premultiplied. w are the perspective-correct barycentric weights of the
// triangle's vertices; back says the triangle faces away from the camera;
// rho2 is the triangle's TEXCOORD_0 area per screen area (UV² per pixel²),
// which picks mipmap levels; keep is false when an alpha-MASK fragment is
// discarded.
func (fs *frameState) shade(m *matFrame, va, vb, vc *vertex, w0, w1, w2, rho2 float32, back, outline bool) (r, g, b, a float32, keep bool) {
	u0 := w0*va.uv0[0] + w1*vb.uv0[0] + w2*vc.uv0[0]
	v0 := w0*va.uv0[1] + w1*vb.uv0[1] + w2*vc.uv0[1]
	var u1, v1 float32
	if m.needUV1 {
		u1 = w0*va.uv1[0] + w1*vb.uv1[0] + w2*vc.uv1[0]
		v1 = w0*va.uv1[1] + w1*vb.uv1[1] + w2*vc.uv1[1]
	}
	if m.animMask.t != nil {
		u, v := m.animMask.uv(u0, v0, u1, v1)
		_, _, k, _ := m.animMask.t.sampleRaw(u, v, rho2*m.animMask.det)
		u0, v0 = animUV(u0, v0, m.animRot*k, m.animScroll[0]*k, m.animScroll[1]*k)
		if m.needUV1 {
			u1, v1 = animUV(u1, v1, m.animRot*k, m.animScroll[0]*k, m.animScroll[1]*k)
		}
	}

	r, g, b, a = m.base[0], m.base[1], m.base[2], m.base[3]
	var tr, tg, tb, ta float32 = 1, 1, 1, 1
	if t := m.baseTex.t; t != nil {
		u, v := m.baseTex.uv(u0, v0, u1, v1)
		tr, tg, tb, ta = t.sample(u, v, rho2*m.baseTex.det)
		r, g, b, a = r*tr, g*tg, b*tb, a*ta
	}
	if m.kind != kindMToon { // MToon ignores vertex colours (VRMC_materials_mtoon-1.0 "Vertex Colors")
		r = r * (w0*va.col[0] + w1*vb.col[0] + w2*vc.col[0])
		g = g * (w0*va.col[1] + w1*vb.col[1] + w2*vc.col[1])
		b = b * (w0*va.col[2] + w1*vb.col[2] + w2*vc.col[2])
		a = a * (w0*va.col[3] + w1*vb.col[3] + w2*vc.col[3])
	}
	switch m.alpha {
	case vrm.AlphaMask:
		if !(a >= m.cutoff) {
			return 0, 0, 0, 0, false
		}
		a = 1
	case vrm.AlphaBlend:
		a = clampf(a, 0, 1)
	default:
		a = 1
	}
	if m.kind == kindUnlit {
		if outline {
			return m.outline[0], m.outline[1], m.outline[2], a, true
		}
		return r, g, b, a, true
	}

	// Normal, flipped on the back of a double-sided surface (glTF 2.0 §3.9.2).
	nx := w0*va.n[0] + w1*vb.n[0] + w2*vc.n[0]
	ny := w0*va.n[1] + w1*vb.n[1] + w2*vc.n[1]
	nz := w0*va.n[2] + w1*vb.n[2] + w2*vc.n[2]
	if l2 := nx*nx + ny*ny + nz*nz; l2 > 1e-12 {
		inv := float32(1 / math.Sqrt(float64(l2)))
		nx, ny, nz = nx*inv, ny*inv, nz*inv
	} else {
		nx, ny, nz = 0, 0, 1 // no normal: face the viewer
	}
	if back && !outline {
		nx, ny, nz = -nx, -ny, -nz
	}
	ld := &fs.lightDir
	ndl := nx*ld[0] + ny*ld[1] + nz*ld[2]
	lc, am := &fs.lightCol, &fs.ambient

	var er, eg, eb float32 // emission
	if m.hasEmissive {
		er, eg, eb = m.emissive[0], m.emissive[1], m.emissive[2]
		if t := m.emisTex.t; t != nil {
			u, v := m.emisTex.uv(u0, v0, u1, v1)
			tr, tg, tb, _ := t.sample(u, v, rho2*m.emisTex.det)
			er, eg, eb = er*tr, eg*tg, eb*tb
		}
	}

	if m.kind == kindLit {
		d := max(ndl, 0)
		r = r*(lc[0]*d+am[0]) + er
		g = g*(lc[1]*d+am[1]) + eg
		b = b*(lc[2]*d+am[2]) + eb
		if outline {
			return m.outline[0], m.outline[1], m.outline[2], a, true
		}
		return r, g, b, a, true
	}

	// MToon (VRMC_materials_mtoon-1.0 "Lighting", "Global Illumination",
	// "Emission", "Rim Lighting"); the ambient colour is direction-independent,
	// so giEqualization leaves it unchanged.
	sh := ndl + m.shift
	if t := m.shiftTex.t; t != nil {
		u, v := m.shiftTex.uv(u0, v0, u1, v1)
		tr, _, _, _ := t.sampleRaw(u, v, rho2*m.shiftTex.det)
		sh += tr
	}
	sh = clampf((sh-m.toonLo)*m.toonMul, 0, 1)
	sr, sg, sb := m.shade[0], m.shade[1], m.shade[2]
	if m.shadeIsBase {
		sr, sg, sb = sr*tr, sg*tg, sb*tb
	} else if t := m.shadeTex.t; t != nil {
		u, v := m.shadeTex.uv(u0, v0, u1, v1)
		tr, tg, tb, _ := t.sample(u, v, rho2*m.shadeTex.det)
		sr, sg, sb = sr*tr, sg*tg, sb*tb
	}
	cr := (sr+(r-sr)*sh)*lc[0] + am[0]*r + er
	cg := (sg+(g-sg)*sh)*lc[1] + am[1]*g + eg
	cb := (sb+(b-sb)*sh)*lc[2] + am[2]*b + eb
	if m.needRim {
		vx := -(w0*va.p[0] + w1*vb.p[0] + w2*vc.p[0])
		vy := -(w0*va.p[1] + w1*vb.p[1] + w2*vc.p[1])
		vz := -(w0*va.p[2] + w1*vb.p[2] + w2*vc.p[2])
		if l2 := vx*vx + vy*vy + vz*vz; l2 > 1e-20 {
			inv := 1 / float32(math.Sqrt(float64(l2)))
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
			mu := (xx*nx+xz*nz)*0.495 + 0.5
			mv := (yx*nx+yy*ny+yz*nz)*0.495 + 0.5
			tr, tg, tb, _ := m.matcapTex.sample(mu, mv, 0)
			rr, rg, rb = m.matcap[0]*tr, m.matcap[1]*tg, m.matcap[2]*tb
		}
		if m.rim != [3]float32{} {
			x := clampf(1-(nx*vx+ny*vy+nz*vz)+m.rimLift, 0, 1) * rimLUTSize
			i := int(x)
			f := x - float32(i)
			pw := m.rimPow[i]
			if i < rimLUTSize {
				pw += (m.rimPow[i+1] - pw) * f
			}
			rr, rg, rb = rr+pw*m.rim[0], rg+pw*m.rim[1], rb+pw*m.rim[2]
		}
		if t := m.rimTex.t; t != nil {
			u, v := m.rimTex.uv(u0, v0, u1, v1)
			tr, tg, tb, _ := t.sample(u, v, rho2*m.rimTex.det)
			rr, rg, rb = rr*tr, rg*tg, rb*tb
		}
		mix := m.rimMix
		rr *= 1 + (lc[0]*sh+am[0]-1)*mix
		rg *= 1 + (lc[1]*sh+am[1]-1)*mix
		rb *= 1 + (lc[2]*sh+am[2]-1)*mix
		cr, cg, cb = cr+rr, cg+rg, cb+rb
	}
	if outline {
		// VRMC_materials_mtoon-1.0 "Outline Lighting Mix": the surface's
		// shading result multiplies the outline colour by the mix factor.
		k := m.outlineMix
		return m.outline[0] * (1 + (cr-1)*k), m.outline[1] * (1 + (cg-1)*k), m.outline[2] * (1 + (cb-1)*k), a, true
	}
	return cr, cg, cb, a, true
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
