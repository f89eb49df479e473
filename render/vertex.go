package render

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
)

// vertexTask runs the vertex stage for one task: morph targets, then linear
// blend skinning (or the node's world matrix), then view and projection; and
// the inverted-hull outline copy of each vertex when the instance has one.
func (fs *frameState) vertexTask(t int) {
	task := fs.vtasks[t]
	in := &fs.prep.instances[task.inst]
	f := &fs.insts[task.inst]
	morphs := fs.morphs[f.morphLo:f.morphHi]
	var palette []mgl32.Mat4
	if f.skinned {
		palette = fs.palettes[in.skin]
	}
	out := fs.verts[f.vbase : f.vbase+uint32(in.nverts)]
	var outl []vertex
	if f.outline {
		outl = fs.verts[f.obase : f.obase+uint32(in.nverts)]
	}
	for k := int(task.lo); k < int(task.hi); k++ {
		i := in.vertex(k) // the source vertex
		p := in.pos[i]
		var n mgl32.Vec3
		if in.nrm != nil {
			n = in.nrm[i]
		}
		for _, am := range morphs {
			if d := am.t.pos; d != nil {
				p[0] += am.w * d[i][0]
				p[1] += am.w * d[i][1]
				p[2] += am.w * d[i][2]
			}
			if d := am.t.nrm; d != nil {
				n[0] += am.w * d[i][0]
				n[1] += am.w * d[i][1]
				n[2] += am.w * d[i][2]
			}
		}
		var pv, nv [3]float32
		if palette != nil {
			pv, nv = skin(palette, in.joints[i], in.weights[i], p, n, f)
		} else {
			pv, nv = transform(&f.m, &f.nm, p, n)
		}
		if l2 := nv[0]*nv[0] + nv[1]*nv[1] + nv[2]*nv[2]; l2 > 1e-20 {
			inv := 1 / float32(math.Sqrt(float64(l2)))
			nv = [3]float32{nv[0] * inv, nv[1] * inv, nv[2] * inv}
		} else {
			nv = [3]float32{}
		}
		v := &out[k]
		v.n = nv
		if l2 := pv[0]*pv[0] + pv[1]*pv[1] + pv[2]*pv[2]; l2 > 1e-20 {
			inv := -1 / float32(math.Sqrt(float64(l2)))
			v.v = [3]float32{pv[0] * inv, pv[1] * inv, pv[2] * inv}
		} else {
			v.v = [3]float32{0, 0, 1}
		}
		v.clip = fs.project(pv)
		fs.toScreen(v)
		if in.uv0 != nil {
			v.uv0 = in.uv0[i]
		} else {
			v.uv0 = [2]float32{}
		}
		if in.uv1 != nil {
			v.uv1 = in.uv1[i]
		} else {
			v.uv1 = [2]float32{}
		}
		if in.col != nil {
			v.col = in.col[i]
		} else {
			v.col = [4]float32{1, 1, 1, 1}
		}
		if in.tan != nil {
			fs.tans[f.vbase+uint32(k)] = fs.viewTangent(in.tan[i], palette, in, i, f)
		}
		if outl != nil {
			o := &outl[k]
			*o = *v
			o.clip = fs.outlineClip(in, k, pv, nv, v.clip)
			fs.toScreen(o)
		}
	}
}

// viewTangent returns a TANGENT in view space: its xyz through the
// vertex's skinning blend (or the node's view·world matrix), normalised,
// with the handedness w kept.
func (fs *frameState) viewTangent(t mgl32.Vec4, palette []mgl32.Mat4, in *instance, i int, f *instFrame) [4]float32 {
	var d [3]float32
	if palette != nil {
		j, w := in.joints[i], in.weights[i]
		total := float32(0)
		for k := 0; k < 4; k++ {
			wk := w[k]
			if wk == 0 || int(j[k]) >= len(palette) || !finite(wk) {
				continue
			}
			q := &palette[j[k]]
			total += wk
			d[0] += wk * (q[0]*t[0] + q[4]*t[1] + q[8]*t[2])
			d[1] += wk * (q[1]*t[0] + q[5]*t[1] + q[9]*t[2])
			d[2] += wk * (q[2]*t[0] + q[6]*t[1] + q[10]*t[2])
		}
		if total == 0 {
			palette = nil
		}
	}
	if palette == nil {
		m := &f.m
		d = [3]float32{m[0]*t[0] + m[4]*t[1] + m[8]*t[2], m[1]*t[0] + m[5]*t[1] + m[9]*t[2], m[2]*t[0] + m[6]*t[1] + m[10]*t[2]}
	}
	if l2 := d[0]*d[0] + d[1]*d[1] + d[2]*d[2]; l2 > 1e-20 && finite(l2) {
		inv := 1 / float32(math.Sqrt(float64(l2)))
		return [4]float32{d[0] * inv, d[1] * inv, d[2] * inv, t[3]}
	}
	return [4]float32{}
}

// project maps a view-space point to clip space (reverse-Z).
func (fs *frameState) project(p [3]float32) [4]float32 {
	return [4]float32{fs.px * p[0], fs.py * p[1], fs.pa*p[2] + fs.pb, -p[2]}
}

// transform applies an unskinned instance's view·world matrix and normal
// matrix.
func transform(m *mgl32.Mat4, nm *mgl32.Mat3, p, n mgl32.Vec3) (pv, nv [3]float32) {
	pv[0] = m[0]*p[0] + m[4]*p[1] + m[8]*p[2] + m[12]
	pv[1] = m[1]*p[0] + m[5]*p[1] + m[9]*p[2] + m[13]
	pv[2] = m[2]*p[0] + m[6]*p[1] + m[10]*p[2] + m[14]
	nv[0] = nm[0]*n[0] + nm[3]*n[1] + nm[6]*n[2]
	nv[1] = nm[1]*n[0] + nm[4]*n[1] + nm[7]*n[2]
	nv[2] = nm[2]*n[0] + nm[5]*n[1] + nm[8]*n[2]
	return pv, nv
}

// skin applies linear blend skinning with the view-space joint palette (glTF
// 2.0 §3.7.3.3): the weighted sum of up to four palette matrices. Joints
// outside the palette contribute nothing; a vertex left with no usable weight
// falls back to its node's transform.
func skin(pal []mgl32.Mat4, j [4]uint16, w [4]float32, p, n mgl32.Vec3, f *instFrame) (pv, nv [3]float32) {
	var m [12]float32
	total := float32(0)
	for k := 0; k < 4; k++ {
		wk := w[k]
		if wk == 0 || int(j[k]) >= len(pal) || !finite(wk) {
			continue
		}
		q := &pal[j[k]]
		total += wk
		m[0] += wk * q[0]
		m[1] += wk * q[1]
		m[2] += wk * q[2]
		m[3] += wk * q[4]
		m[4] += wk * q[5]
		m[5] += wk * q[6]
		m[6] += wk * q[8]
		m[7] += wk * q[9]
		m[8] += wk * q[10]
		m[9] += wk * q[12]
		m[10] += wk * q[13]
		m[11] += wk * q[14]
	}
	if total == 0 {
		return transform(&f.m, &f.nm, p, n)
	}
	pv[0] = m[0]*p[0] + m[3]*p[1] + m[6]*p[2] + m[9]
	pv[1] = m[1]*p[0] + m[4]*p[1] + m[7]*p[2] + m[10]
	pv[2] = m[2]*p[0] + m[5]*p[1] + m[8]*p[2] + m[11]
	nv[0] = m[0]*n[0] + m[3]*n[1] + m[6]*n[2]
	nv[1] = m[1]*n[0] + m[4]*n[1] + m[7]*n[2]
	nv[2] = m[2]*n[0] + m[5]*n[1] + m[8]*n[2]
	return pv, nv
}

// outlineClip returns the clip position of drawn vertex k's outline copy: pushed
// along its normal by the outline width, in metres in view space (world
// coordinates mode; the view is rigid), or in screen coordinates mode by
// width·H/w pixels on a screen H pixels high at view depth w metres: the
// offset of the reference implementations, 2·width along the normal's unit
// direction in clip space before the perspective divide (three-vrm's
// mtoon.vert OUTLINE_WIDTH_SCREEN; UniVRM MToon10 in strict mode, the
// VRMC_materials_mtoon-1.0 "Outline Width" rule without UniVRM's distance
// multiplier, which its source marks as outside the specification). The
// width is then the stated fraction of the screen height at 1 m.
func (fs *frameState) outlineClip(in *instance, k int, pv, nv [3]float32, clip [4]float32) [4]float32 {
	width := in.outlineWidth[k]
	if width == 0 || nv == [3]float32{} {
		return clip
	}
	mt := fs.prep.mats[in.mat].src.MToon
	if mt.OutlineMode == vrm.OutlineWorld {
		return fs.project([3]float32{pv[0] + nv[0]*width, pv[1] + nv[1]*width, pv[2] + nv[2]*width})
	}
	// Screen mode: the normal's direction on screen, in pixels, then an
	// offset of width·H/w pixels along it, expressed in clip units (NDC
	// spans W and H pixels over 2 units; clip is NDC times w).
	dx := fs.px * nv[0] * float32(fs.w)
	dy := fs.py * nv[1] * float32(fs.h)
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if !(l > 1e-12) {
		return clip
	}
	f := 2 * width / l
	clip[0] += dx * f * float32(fs.h) / float32(fs.w)
	clip[1] += dy * f
	return clip
}
