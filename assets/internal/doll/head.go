package doll

import (
	"math"

	"github.com/go-gl/mathgl/mgl64"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// The head is an ellipsoid that narrows toward the chin (a kokeshi's round
// face), with a small button nose. headImplicit is < 0 inside.
func headImplicit(p mgl64.Vec3) float64 {
	q := p.Sub(headCentre)
	yn := q[1] / headRadii[1]
	k := math.Max(0, -yn)
	ax := headRadii[0] * (1 - 0.16*k*k)
	az := headRadii[2] * (1 - 0.08*k*k)
	return math.Sqrt(sq(q[0]/ax)+yn*yn+sq(q[2]/az)) - 1
}

func sq(x float64) float64 { return x * x }

// headRadius returns t such that headCentre + t·d lies on the head's
// surface (d a unit direction): Newton–secant steps from the plain
// ellipsoid's exact answer, to 1e-12 of the implicit function.
func headRadius(d mgl64.Vec3) float64 {
	f := func(t float64) float64 { return headImplicit(headCentre.Add(d.Mul(t))) }
	t0 := 1 / math.Sqrt(sq(d[0]/headRadii[0])+sq(d[1]/headRadii[1])+sq(d[2]/headRadii[2]))
	t1 := t0 * 0.98
	f0, f1 := f(t0), f(t1)
	for range 20 {
		if math.Abs(f1) < 1e-12 || f1 == f0 {
			break
		}
		t0, t1 = t1, t1-f1*(t1-t0)/(f1-f0)
		f0, f1 = f1, f(t1)
	}
	return t1
}

// noseDir is the direction from the head centre to the tip of the nose.
var noseDir = v3(0, 1.151-headCentre[1], 0.12).Normalize()

// headSurface returns the point of the head's skin in direction d (unit,
// from headCentre), nose included.
func headSurface(d mgl64.Vec3) mgl64.Vec3 {
	dx, dy := d[0]-noseDir[0], d[1]-noseDir[1]
	nose := 0.0042 * math.Exp(-sq(dx/0.05)-sq(dy/0.07))
	if d.Dot(noseDir) < 0.5 {
		nose = 0
	}
	return headCentre.Add(d.Mul(headRadius(d) + nose))
}

// frontDir returns the direction from the head centre to the front of the
// head seen at (x, y) from straight ahead (a point of the plain ellipsoid).
func frontDir(x, y float64) mgl64.Vec3 {
	xn, yn := x/headRadii[0], (y-headCentre[1])/headRadii[1]
	zn := math.Sqrt(math.Max(1e-4, 1-xn*xn-yn*yn))
	return v3(xn*headRadii[0], yn*headRadii[1], zn*headRadii[2]).Normalize()
}

// faceAt returns the skin point in front at (x, y) and its outward normal.
func faceAt(x, y float64) (p, n mgl64.Vec3) {
	const h = 1e-4
	p = headSurface(frontDir(x, y))
	px := headSurface(frontDir(x+h, y)).Sub(headSurface(frontDir(x-h, y)))
	py := headSurface(frontDir(x, y+h)).Sub(headSurface(frontDir(x, y-h)))
	return p, px.Cross(py).Normalize()
}

// headDir is the direction at polar angle theta from +Z (the face) and
// azimuth phi, phi = 0 pointing up (+Y) and phi = 90° to the doll's left.
func headDir(theta, phi float64) mgl64.Vec3 {
	st := math.Sin(theta)
	return v3(st*math.Sin(phi), st*math.Cos(phi), math.Cos(theta))
}

// Head grid resolution. The lower half of the front cap (θ ≤
// faceRows·headStep, φ from 90° to 270°: cheeks, nose, mouth and chin) is
// the Face mesh, which carries morph targets; the rest of the head is plain
// skin under the hair and around the eyes, in the Head mesh.
const (
	headAround = 48
	headRows   = 36
	faceRows   = 15 // 75°
	faceCol0   = headAround / 4
	faceCol1   = 3 * headAround / 4
)

// headGrid adds rows j0…j1 and columns i0…i1 of the head grid; positions
// come from pos so the morph builder can displace them.
func headGrid(m *part, j0, j1, i0, i1 int, pos func(d mgl64.Vec3) mgl64.Vec3) {
	t0, t1 := float64(j0)/headRows*math.Pi, float64(j1)/headRows*math.Pi
	p0, p1 := float64(i0)/headAround, float64(i1)/headAround
	m.grid(gridOpts{nu: i1 - i0, nv: j1 - j0, poleStart: j0 == 0, poleEnd: j1 == headRows, flip: true},
		func(u, v float64) (mgl64.Vec3, mgl64.Vec2) {
			th := lerp(t0, t1, v)
			ph := lerp(p0, p1, u)
			d := headDir(th, 2*math.Pi*ph)
			return pos(d), atlasHeadUV(ph, th/math.Pi)
		})
}

// Hair: a black lacquer bob with straight bangs (a hime cut) — a thick shell
// following the skull, hanging straight below the widest line, its rim
// turned in. Each column at azimuth phi (0 = front, + toward the doll's
// left) runs from the crown down to the hairline.
const (
	hairAround  = 48
	hairOuter   = 16 // rows on the outer surface
	hairRim     = 2
	hairInner   = 5
	bangsY      = 1.263
	sideEndY    = 1.122
	backEndY    = 1.100
	hairLayer   = 0.0055 // shell thickness
	bangsHalfAz = 47.0   // degrees: the bangs span ±47° around the front
	bangsStep   = 9.0    // degrees over which the cut drops to the side locks
)

// hairEndY is the height of the hair's cut edge at azimuth phi (radians).
func hairEndY(phi float64) float64 {
	a := math.Abs(math.Remainder(phi, 2*math.Pi)) * 180 / math.Pi
	side := lerp(sideEndY, backEndY, smoothstep(70, 170, a))
	// Soft scallops: strand tips along the sides and back.
	side -= 0.0045 * math.Abs(math.Sin(phi*9))
	bangs := bangsY - 0.006*sq(a/bangsHalfAz)
	return lerp(bangs, side, smoothstep(bangsHalfAz, bangsHalfAz+bangsStep, a))
}

// hairThickness is how far the outer hair surface stands off the skull.
func hairThickness(alpha, phi float64) float64 {
	a := math.Abs(math.Remainder(phi, 2*math.Pi))
	front := 1 - smoothstep(0.7, 1.2, a) // thinner bangs
	return lerp(0.016, 0.011, front) - 0.004*smoothstep(0, 1, 1-alpha/(math.Pi/2))
}

// hairColumn returns points of one column of the outer hair surface from
// the crown (s = 0) to the cut edge (s = 1), evenly spaced by arc length.
func hairColumn(phi float64, n int) []mgl64.Vec3 {
	endY := hairEndY(phi)
	dir := func(alpha float64) mgl64.Vec3 {
		return v3(math.Sin(alpha)*math.Sin(phi), math.Cos(alpha), math.Sin(alpha)*math.Cos(phi))
	}
	skull := func(alpha float64) mgl64.Vec3 {
		d := dir(alpha)
		return headCentre.Add(d.Mul(headRadius(d) + hairThickness(alpha, phi)))
	}
	var fine []mgl64.Vec3
	const steps = 400
	eq := skull(math.Pi / 2)
	for i := 0; i <= steps; i++ {
		p := skull(float64(i) / steps * math.Pi / 2)
		if p[1] < endY {
			break
		}
		fine = append(fine, p)
	}
	if eq[1] > endY {
		// Below the widest line the hair hangs straight, flaring a little
		// and curling in at the tips.
		for i := 1; i <= steps; i++ {
			y := lerp(eq[1], endY, float64(i)/steps)
			t := (eq[1] - y) / (eq[1] - endY)
			out := 0.004*math.Sin(t*math.Pi*0.8) - 0.003*smoothstep(0.8, 1, t)
			h := v3(eq[0], 0, eq[2])
			h = h.Add(v3(math.Sin(phi), 0, math.Cos(phi)).Mul(out))
			fine = append(fine, v3(h[0], y, h[2]))
		}
	} else {
		// Bangs: end exactly at endY.
		lo, hi := 0.0, math.Pi/2
		for range 48 {
			mid := (lo + hi) / 2
			if skull(mid)[1] > endY {
				lo = mid
			} else {
				hi = mid
			}
		}
		fine = append(fine, skull(hi))
	}
	return resample(fine, n)
}

// resample returns n+1 points evenly spaced by arc length along a polyline.
func resample(pts []mgl64.Vec3, n int) []mgl64.Vec3 {
	cum := make([]float64, len(pts))
	for i := 1; i < len(pts); i++ {
		cum[i] = cum[i-1] + pts[i].Sub(pts[i-1]).Len()
	}
	out := make([]mgl64.Vec3, n+1)
	k := 0
	for i := 0; i <= n; i++ {
		s := cum[len(cum)-1] * float64(i) / float64(n)
		for k < len(pts)-2 && cum[k+1] < s {
			k++
		}
		t := 0.0
		if cum[k+1] > cum[k] {
			t = clamp((s-cum[k])/(cum[k+1]-cum[k]), 0, 1)
		}
		out[i] = pts[k].Add(pts[k+1].Sub(pts[k]).Mul(t))
	}
	return out
}

// buildHair adds the hair shell: outer surface, rim and inner surface as one
// grid per column.
func buildHair() *part {
	cols := make([][]mgl64.Vec3, hairAround+1)
	for i := range cols {
		phi := 2 * math.Pi * float64(i) / hairAround
		cols[i] = hairColumn(phi, hairOuter)
	}
	rows := hairOuter + hairRim + hairInner
	var m part
	m.grid(gridOpts{nu: hairAround, nv: rows, poleStart: true, poleEnd: true}, func(u, v float64) (mgl64.Vec3, mgl64.Vec2) {
		i := int(math.Round(u * hairAround))
		j := int(math.Round(v * float64(rows)))
		col := cols[i]
		inward := func(p mgl64.Vec3, depth float64) mgl64.Vec3 {
			d := p.Sub(headCentre)
			if p[1] < headCentre[1] { // hanging part: move in horizontally
				d[1] = 0
			}
			return p.Sub(d.Normalize().Mul(depth))
		}
		switch {
		case j <= hairOuter:
			return col[j], v2(u*4, float64(j)/hairOuter*0.9)
		case j <= hairOuter+hairRim:
			t := float64(j-hairOuter) / hairRim
			return inward(col[hairOuter], t*hairLayer), v2(u*4, 0.9+0.05*t)
		default:
			t := float64(j-hairOuter-hairRim) / hairInner // 0 at the edge, 1 at the crown
			k := hairOuter - t*hairOuter
			k0 := int(math.Floor(k))
			k1 := min(k0+1, hairOuter)
			p := col[k0].Add(col[k1].Sub(col[k0]).Mul(k - float64(k0)))
			return inward(p, hairLayer), v2(u*4, 0.95+0.05*t)
		}
	})
	return &m
}

// buildHead adds the head mesh without morph targets: the skin under the
// hair, the hair, the bun, and the hairpin with its cord knots.
func (b *builder) buildHead() vrm.Mesh {
	r := b.rig
	head := rigid(r.j(humanoid.Head))
	var skin part
	headGrid(&skin, 0, faceRows, 0, faceCol0, headSurface)
	headGrid(&skin, 0, faceRows, faceCol1, headAround, headSurface)
	headGrid(&skin, faceRows, headRows, 0, headAround, headSurface)
	skin.skin(b.faceWeights)

	hair := buildHair()
	hair.skin(head)
	// The bun: a flattened ball on the crown, tilted back.
	var bun part
	bun.superellipsoid(v3(0, 1.338, -0.040), v3(0.046, 0.040, 0.044), 0.9, 20, 12, 3)
	hair.append(bun.skin(head))

	// Ornaments in the kimono atlas: a red cord ring round the bun and the
	// hairpin flower on the left temple.
	var orn part
	{
		var ring part
		f := newFrame(v3(0, 1.305, -0.036), v3(0, 1.305, -0.036).Add(v3(0, 1, 0.25)), v3(0, 0, 1))
		torus(&ring, f, 0.042, 0.0055, 24, 6)
		for i := range ring.uv {
			ring.uv[i] = swatchUV(swatchRed, ring.uv[i])
		}
		orn.append(ring.skin(head))
	}
	{
		centre := v3(0.112, 1.268, 0.040)
		out := v3(1, 0.25, 0.35).Normalize()
		f := newFrame(centre, centre.Add(out), v3(0, 1, 0))
		for k := range 5 {
			a := 2 * math.Pi * float64(k) / 5
			c := f.origin.Add(f.e1.Mul(0.0135 * math.Cos(a))).Add(f.e2.Mul(0.0135 * math.Sin(a)))
			var petal part
			petal.superellipsoid(c, v3(0.011, 0.011, 0.011), 1, 10, 6, 1)
			// Flatten the petal along the flower's axis.
			for i, p := range petal.pos {
				d := p.Sub(c)
				petal.pos[i] = c.Add(d.Sub(f.axis.Mul(d.Dot(f.axis) * 0.55)))
				petal.uv[i] = swatchUV(swatchPink, petal.uv[i])
			}
			orn.append(petal.skin(head))
		}
		var heart part
		heart.sphere(centre.Add(out.Mul(0.005)), 0.0068, 10, 6)
		for i := range heart.uv {
			heart.uv[i] = swatchUV(swatchGold, heart.uv[i])
		}
		orn.append(heart.skin(head))
	}
	for _, chain := range r.tassel {
		orn.append(b.tasselCord(chain))
	}
	return vrm.Mesh{Name: "Head", Primitives: []vrm.Primitive{
		skin.primitive(matFace), hair.primitive(matHair), orn.primitive(matKimono),
	}}
}

// torus adds a torus around f.axis (major radius R, minor radius rr).
func torus(m *part, f frame, R, rr float64, nu, nv int) {
	m.grid(gridOpts{nu: nu, nv: nv}, func(u, v float64) (mgl64.Vec3, mgl64.Vec2) {
		a, b := 2*math.Pi*u, 2*math.Pi*v
		radial := f.e1.Mul(math.Cos(a)).Add(f.e2.Mul(math.Sin(a)))
		p := f.origin.Add(radial.Mul(R + rr*math.Cos(b))).Add(f.axis.Mul(rr * math.Sin(b)))
		return p, v2(u, v)
	})
}

// tasselCord builds one spring chain's cord: a gold bead at the knot, a thin
// red cord down the chain and a flared tassel at the end, weighted along the
// chain joints.
func (b *builder) tasselCord(chain []int) *part {
	js := make([]mgl64.Vec3, len(chain))
	for i, j := range chain {
		js[i] = b.rig.joints[j].world
	}
	top, bottom := js[0], js[len(js)-1]
	f := newFrame(top, bottom, v3(0, 0, 1))
	length := bottom.Sub(top).Len()
	// Profile: bead, cord, knot, tassel skirt.
	ks := []knot{
		{0, 0.0048, 1}, {0.006, 0.0022, 1}, {length - 0.042, 0.0022, 1},
		{length - 0.036, 0.0042, 1}, {length - 0.030, 0.0030, 1}, {length - 0.004, 0.0085, 1},
	}
	var m part
	m.lathe(f, sampleProfile(ks, 30, true, true), 8, 0, 1)
	for i, p := range m.pos {
		d := f.axial(p)
		sw := swatchRed
		if d < 0.006 || (d > length-0.040 && d < length-0.032) {
			sw = swatchGold
		}
		m.uv[i] = swatchUV(sw, m.uv[i])
	}
	var ramps []ramp
	acc := 0.0
	for i := 1; i < len(chain)-1; i++ {
		acc = f.axial(js[i])
		ramps = append(ramps, ramp{at: acc, half: 0.012, to: chain[i]})
	}
	return m.skin(chainWeights(f, chain[0], ramps...))
}

// faceWeights binds the head skin to the head, with the chin and the lower
// lip area following the jaw bone.
func (b *builder) faceWeights(p mgl64.Vec3) []influence {
	r := b.rig
	w := jawShare(p)
	return []influence{{r.j(humanoid.Head), 1 - w}, {r.j(humanoid.Jaw), w}}
}

// jawShare is the jaw bone's weight at p: the front of the face below the
// mouth, fading out toward the ears and the neck.
func jawShare(p mgl64.Vec3) float64 {
	below := 1 - smootherstep(mouthY-0.016, mouthY-0.001, p[1])
	front := smootherstep(0.0, 0.08, p[2]-headCentre[2])
	return 0.9 * below * front
}
