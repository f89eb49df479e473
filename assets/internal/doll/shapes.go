package doll

import (
	"math"

	"github.com/go-gl/mathgl/mgl64"
)

// knot is a control point of a lathe profile: at distance d (metres) along
// the axis the cross-section has radius r across e1 and r·aspect across e2.
type knot struct{ d, r, aspect float64 }

// pchip interpolates knots with Fritsch–Carlson monotone cubic Hermite
// splines, so bulges peak exactly at their knots and never overshoot; the
// slope is zero at both ends.
type pchip struct {
	x, y, m []float64
}

func newPCHIP(x, y []float64) pchip {
	n := len(x)
	m := make([]float64, n)
	delta := make([]float64, n-1)
	for i := 0; i < n-1; i++ {
		delta[i] = (y[i+1] - y[i]) / (x[i+1] - x[i])
	}
	for i := 1; i < n-1; i++ {
		if delta[i-1]*delta[i] <= 0 {
			continue
		}
		w1 := 2*(x[i+1]-x[i]) + (x[i] - x[i-1])
		w2 := (x[i+1] - x[i]) + 2*(x[i]-x[i-1])
		m[i] = (w1 + w2) / (w1/delta[i-1] + w2/delta[i])
	}
	return pchip{x, y, m}
}

func (p pchip) at(x float64) float64 {
	n := len(p.x)
	if x <= p.x[0] {
		return p.y[0]
	}
	if x >= p.x[n-1] {
		return p.y[n-1]
	}
	i := 0
	for i < n-2 && x > p.x[i+1] {
		i++
	}
	h := p.x[i+1] - p.x[i]
	t := (x - p.x[i]) / h
	t2, t3 := t*t, t*t*t
	return (2*t3-3*t2+1)*p.y[i] + (t3-2*t2+t)*h*p.m[i] + (-2*t3+3*t2)*p.y[i+1] + (t3-t2)*h*p.m[i+1]
}

// profilePoint is a sample of a lathe profile: distance along the axis,
// radius, aspect, and arc length from the start (for UVs).
type profilePoint struct{ d, r, aspect, s float64 }

// sampleProfile turns knots into n+1 samples spaced evenly by arc length of
// the (d, r) outline, with spherical caps closing both ends (radius → 0 at
// d0 − r0 and dn + rn) unless open is set for that end.
func sampleProfile(ks []knot, n int, capStart, capEnd bool) []profilePoint {
	xs := make([]float64, len(ks))
	rs := make([]float64, len(ks))
	as := make([]float64, len(ks))
	for i, k := range ks {
		xs[i], rs[i], as[i] = k.d, k.r, k.aspect
	}
	rp, ap := newPCHIP(xs, rs), newPCHIP(xs, as)
	// A fine polyline of the outline.
	type pt struct{ d, r, a float64 }
	var fine []pt
	const capSteps = 48
	if capStart {
		r0 := ks[0].r
		for i := 0; i < capSteps; i++ {
			a := float64(i) / capSteps * math.Pi / 2
			fine = append(fine, pt{ks[0].d - r0*math.Cos(a), r0 * math.Sin(a), ks[0].aspect})
		}
	}
	const bodySteps = 600
	d0, d1 := ks[0].d, ks[len(ks)-1].d
	for i := 0; i <= bodySteps; i++ {
		d := d0 + (d1-d0)*float64(i)/bodySteps
		fine = append(fine, pt{d, rp.at(d), ap.at(d)})
	}
	if capEnd {
		rn := ks[len(ks)-1].r
		for i := 1; i <= capSteps; i++ {
			a := float64(i) / capSteps * math.Pi / 2
			fine = append(fine, pt{d1 + rn*math.Sin(a), rn * math.Cos(a), ks[len(ks)-1].aspect})
		}
	}
	cum := make([]float64, len(fine))
	for i := 1; i < len(fine); i++ {
		cum[i] = cum[i-1] + math.Hypot(fine[i].d-fine[i-1].d, fine[i].r-fine[i-1].r)
	}
	total := cum[len(cum)-1]
	out := make([]profilePoint, n+1)
	k := 0
	for i := 0; i <= n; i++ {
		s := total * float64(i) / float64(n)
		for k < len(fine)-2 && cum[k+1] < s {
			k++
		}
		t := 0.0
		if cum[k+1] > cum[k] {
			t = clamp((s-cum[k])/(cum[k+1]-cum[k]), 0, 1)
		}
		a, b := fine[k], fine[k+1]
		out[i] = profilePoint{lerp(a.d, b.d, t), lerp(a.r, b.r, t), lerp(a.a, b.a, t), s}
	}
	if capStart {
		out[0].r = 0
	}
	if capEnd {
		out[n].r = 0
	}
	return out
}

// frame is an orthonormal basis for a lathe: axis along which d runs, e1 and
// e2 spanning the cross-section (e1 × e2 = axis).
type frame struct {
	origin, axis, e1, e2 mgl64.Vec3
}

// newFrame builds a frame whose axis points from a to b; e1 is the
// component of hint perpendicular to the axis.
func newFrame(a, b, hint mgl64.Vec3) frame {
	ax := b.Sub(a).Normalize()
	e1 := hint.Sub(ax.Mul(hint.Dot(ax))).Normalize()
	e2 := ax.Cross(e1)
	return frame{a, ax, e1, e2}
}

// lathe adds a surface of revolution around f.axis: nu segments around, the
// profile's samples along. UV u runs once around starting at e1 (offset by
// uOffset), v is arc length times vScale.
func (m *part) lathe(f frame, prof []profilePoint, nu int, uOffset, vScale float64) {
	nv := len(prof) - 1
	m.grid(gridOpts{nu: nu, nv: nv, poleStart: prof[0].r == 0, poleEnd: prof[nv].r == 0, flip: true}, func(u, v float64) (mgl64.Vec3, mgl64.Vec2) {
		j := int(math.Round(v * float64(nv)))
		pp := prof[j]
		a := 2 * math.Pi * u
		c, s := math.Cos(a), math.Sin(a)
		p := f.origin.Add(f.axis.Mul(pp.d)).Add(f.e1.Mul(c * pp.r)).Add(f.e2.Mul(s * pp.r * pp.aspect))
		return p, v2(u+uOffset, pp.s*vScale)
	})
}

// axial returns the distance of p along f's axis from its origin.
func (f frame) axial(p mgl64.Vec3) float64 { return p.Sub(f.origin).Dot(f.axis) }

// superellipsoid adds a rounded box centred at c with half extents h along
// x, y, z; exponent e (1 = ellipsoid, smaller = boxier). Its poles are on
// the Y axis. UV is (longitude, latitude) scaled by uvScale.
func (m *part) superellipsoid(c, h mgl64.Vec3, e float64, nu, nv int, uvScale float64) {
	m.superellipsoidPoles(c, h, e, nu, nv, uvScale, false)
}

// superellipsoidPoles is superellipsoid with the poles on the X axis when
// poleX is set (for shapes whose flat faces must stay free of pole seams).
func (m *part) superellipsoidPoles(c, h mgl64.Vec3, e float64, nu, nv int, uvScale float64, poleX bool) {
	sp := func(w, e float64) float64 { // signed power
		return math.Copysign(math.Pow(math.Abs(w), e), w)
	}
	m.grid(gridOpts{nu: nu, nv: nv, poleStart: true, poleEnd: true}, func(u, v float64) (mgl64.Vec3, mgl64.Vec2) {
		lon := 2 * math.Pi * u
		lat := math.Pi/2 - math.Pi*v // +90° (top) to −90°
		cl, sl := math.Cos(lat), math.Sin(lat)
		x := sp(cl, e) * sp(math.Sin(lon), e)
		z := sp(cl, e) * sp(math.Cos(lon), e)
		y := sp(sl, e)
		if poleX { // rotate the pole axis from +Y to +X (a right-handed turn about Z)
			x, y = y, -x
		}
		return c.Add(v3(h[0]*x, h[1]*y, h[2]*z)), v2(u*uvScale, v*uvScale*0.5)
	})
}

// sphere adds a UV sphere (pole at the top).
func (m *part) sphere(c mgl64.Vec3, r float64, nu, nv int) {
	m.superellipsoid(c, v3(r, r, r), 1, nu, nv, 1)
}
