package doll

import (
	"math"

	"github.com/go-gl/mathgl/mgl64"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// The face is parametric: faceParams fully describes its shape (lid edges,
// gaze, brow heights, mouth curves, cheek and jaw displacements), and every
// face part is rebuilt from the parameters with the same topology. A morph
// target is the difference between the face built with one shape's
// parameters and the rest face, so each expression is a genuine deformation
// of the face rather than hand-placed vertex offsets.
//
// Index 0 of the [2] arrays is the doll's left (+X), 1 its right.

// eyeParams shapes one eye. Angles in degrees; lid edges are latitudes on
// the eyeball (0 = the eye's equator, + up). Longitude φ runs around the
// eye's vertical axis, measured toward the outer corner; an edge at φ is
// base ∓ curve·(φ/90°)² + tilt·(φ/90°).
type eyeParams struct {
	upper, upperCurve, upperTilt float64
	lower, lowerCurve, lowerTilt float64
	yaw, pitch                   float64 // eyeball rotation: yaw + toward +X, pitch + up
}

// browParams moves one eyebrow; metres.
type browParams struct {
	raise, inner, outer, squeeze, arch float64
}

// mouthParams shapes the mouth opening, drawn on the face as a patch between
// an upper and a lower lip curve; metres unless noted.
type mouthParams struct {
	shift     float64 // sideways, + toward the doll's left
	halfWidth float64
	gap       float64 // lip line thickness of the closed mouth
	open      float64 // lower lip drop at the centre
	round     float64 // 0–1: the upper lip lifts with the opening, rounding it
	forward   float64 // lips pushed forward (pucker)
	upperIn   float64 // upper lip rolled in (the opening shrinks from above)
	lowerIn   float64
	cornerY   [2]float64 // corner raise (smile +, frown −)
	cornerX   [2]float64 // corner pulled outward
	upperUp   [2]float64 // upper lip raised on one side
	lowerDown [2]float64 // lower lip lowered on one side
	press     [2]float64 // lips pressed together on one side
}

// faceParams is the whole face.
type faceParams struct {
	eye        [2]eyeParams
	brow       [2]browParams
	mouth      mouthParams
	cheekPuff  float64    // 0–1
	cheekRaise [2]float64 // metres
	sneer      [2]float64 // metres, nose wing raise
	chinDrop   float64    // metres
	jawX, jawZ float64    // metres, chin shift
	tongue     float64    // 0 hidden … 1 stuck out
}

// restFace is the doll's resting face: big open eyes, a small smile.
var restFace = faceParams{
	eye: [2]eyeParams{
		{upper: 31, upperCurve: 24, lower: -38, lowerCurve: 20},
		{upper: 31, upperCurve: 24, lower: -38, lowerCurve: 20},
	},
	brow:  [2]browParams{{arch: 0.0028}, {arch: 0.0028}},
	mouth: mouthParams{halfWidth: 0.0150, gap: 0.0017, cornerY: [2]float64{0.0024, 0.0024}},
}

// Face landmarks (metres, VRM 1.0 frame).
const (
	mouthY    = 1.117
	browY     = 1.2355
	browInner = 0.0215
	browOuter = 0.0665
)

var (
	cheekCentre = v3(0.066, 1.140, 0.095)
	noseWing    = v3(0.009, 1.153, 0.118)
)

// bump is a smooth compact bump: 1 at the centre, 0 at distance ≥ radius
// (C¹), so displacements never reach the edge of the face mesh.
func bump(p, c mgl64.Vec3, radius float64) float64 {
	r2 := p.Sub(c).LenSqr() / (radius * radius)
	if r2 >= 1 {
		return 0
	}
	return sq(1 - r2)
}

func side(i int) float64 { // +1 for the left (+X), −1 for the right
	if i == 0 {
		return 1
	}
	return -1
}

// chinMask is how much of the jaw's displacement reaches p: the front of
// the face below the mouth.
func chinMask(p mgl64.Vec3) float64 {
	below := 1 - smootherstep(mouthY-0.020, mouthY-0.0015, p[1])
	front := smootherstep(0.045, 0.09, p[2]-headCentre[2])
	return below * front
}

// deform applies the displacement fields of P (cheeks, nose, jaw, pucker)
// to a point of the face surface or of something lying on it.
func deform(p mgl64.Vec3, P *faceParams) mgl64.Vec3 {
	out := p
	radial := p.Sub(headCentre).Normalize()
	for i := range 2 {
		s := side(i)
		cheek := v3(s*cheekCentre[0], cheekCentre[1], cheekCentre[2])
		out = out.Add(radial.Mul(0.010 * P.cheekPuff * bump(p, cheek, 0.042)))
		out = out.Add(v3(0, 1, 0.25).Mul(P.cheekRaise[i] * bump(p, cheek.Add(v3(0, 0.008, 0)), 0.034)))
		nose := v3(s*noseWing[0], noseWing[1], noseWing[2])
		out = out.Add(v3(0, 1, 0.2).Mul(P.sneer[i] * bump(p, nose, 0.016)))
	}
	out = out.Add(v3(P.jawX, -P.chinDrop, P.jawZ).Mul(chinMask(p)))
	mouth := v3(P.mouth.shift, mouthY, 0.112)
	out = out.Add(radial.Mul(P.mouth.forward * bump(p, mouth, 0.026)))
	return out
}

// buildFaceMask is the lower half of the front of the head (the skin that
// moves).
func buildFaceMask(P *faceParams) *part {
	var m part
	headGrid(&m, 0, faceRows, faceCol0, faceCol1, func(d mgl64.Vec3) mgl64.Vec3 { return deform(headSurface(d), P) })
	return &m
}

// Eyelids: shells around each eyeball (upper radius 1.12, lower 1.075 eye
// radii), each with a rim turned in toward the eyeball that reads as the
// lash line. The shell spans longitudes ±110°, beyond which it is inside the
// head.
const (
	lidAround  = 18
	lidRows    = 6
	lidSpan    = 110.0
	upperLidR  = 1.10
	lowerLidR  = 1.045
	lidInnerR  = 1.065
	lidRootLat = 86.0
)

// lidEdge returns the latitude (degrees) of a lid's edge at longitude phiOut
// (degrees toward the outer corner).
func lidEdge(base, curve, tilt, phiOut float64, upper bool) float64 {
	t := clamp(phiOut/90, -1, 1) // flat beyond the corners, inside the head
	if upper {
		return base - curve*t*t + tilt*t
	}
	return base + curve*t*t + tilt*t
}

// eyeDir is a unit direction in the eye's frame (latitude lat, longitude
// lon toward +X, degrees).
func eyeDir(lat, lon float64) mgl64.Vec3 {
	la, lo := deg(lat), deg(lon)
	return v3(math.Cos(la)*math.Sin(lo), math.Sin(la), math.Cos(la)*math.Cos(lo))
}

// buildLid adds one lid of eye i (0 left, 1 right).
func buildLid(m *part, P *faceParams, i int, upper bool) {
	e := &P.eye[i]
	r0 := &restFace.eye[i]
	centre := bonePosition(humanoid.LeftEye)
	if i == 1 {
		centre = bonePosition(humanoid.RightEye)
	}
	s := side(i)
	radius, root := lowerLidR, -lidRootLat
	if upper {
		radius, root = upperLidR, lidRootLat
	}
	rows := lidRows + 2 // shell rows plus the rim
	var strip swatch = swatchLidLower
	if upper {
		strip = swatchLidUpper
	}
	m.grid(gridOpts{nu: lidAround, nv: rows, flip: !upper}, func(u, v float64) (mgl64.Vec3, mgl64.Vec2) {
		lon := lerp(-lidSpan, lidSpan, u)
		phiOut := lon * s
		j := int(math.Round(v * float64(rows)))
		var lat, lat0 float64
		if upper {
			lat = lidEdge(e.upper, e.upperCurve, e.upperTilt, phiOut, true)
			lat0 = lidEdge(r0.upper, r0.upperCurve, r0.upperTilt, phiOut, true)
		} else {
			lat = lidEdge(e.lower, e.lowerCurve, e.lowerTilt, phiOut, false)
			lat0 = lidEdge(r0.lower, r0.lowerCurve, r0.lowerTilt, phiOut, false)
		}
		k := math.Min(float64(j), lidRows) / lidRows
		la := lerp(root, lat, k)
		la0 := lerp(root, lat0, k)
		// A morph moves a vertex along the chord between its rest and target
		// positions, which dips inside the shell by cos(Δ/2) halfway for a
		// turn of Δ round the eye. Pushing the target out by 1/cos(Δ/2)
		// keeps the half-blinked lid outside the eyeball (a closed lid
		// bulges a little, as closed lids do).
		bulge := 1 / math.Cos(deg(la-la0)/2)
		rr := radius * bulge
		if j > lidRows {
			rr = lerp(radius*bulge, lidInnerR*bulge, float64(j-lidRows)/2)
		}
		p := centre.Add(eyeDir(la, lon).Mul(rr * eyeRadius))
		return p, swatchStripUV(strip, u, v)
	})
}

// buildLids is one eye's upper and lower lids. They are shaded with the
// head's normals rather than their own, so they light like the face around
// them (no dark bulge under the eye) and only the lash lines stand out, as
// in an illustration.
func buildLids(P *faceParams, i int) *part {
	var m part
	buildLid(&m, P, i, true)
	buildLid(&m, P, i, false)
	m.normalAt = headNormal
	return &m
}

// headNormal is the outward normal of the head's skin near p: the gradient
// of headImplicit.
func headNormal(p mgl64.Vec3) mgl64.Vec3 {
	const h = 1e-5
	g := v3(
		headImplicit(p.Add(v3(h, 0, 0)))-headImplicit(p.Sub(v3(h, 0, 0))),
		headImplicit(p.Add(v3(0, h, 0)))-headImplicit(p.Sub(v3(0, h, 0))),
		headImplicit(p.Add(v3(0, 0, h)))-headImplicit(p.Sub(v3(0, 0, h))),
	)
	return g.Normalize()
}

// Eyeballs: spheres whose pole faces forward, textured with an azimuthal
// equal-area map (iris and catch-lights in the middle of the eye texture).
const (
	eyeAround = 24
	eyeRows   = 16
)

// eyeRotation is the gaze rotation of eye parameters (yaw about +Y, then
// pitch about −X so + looks up).
func eyeRotation(e *eyeParams) mgl64.Mat3 {
	return mgl64.Rotate3DY(deg(e.yaw)).Mul3(mgl64.Rotate3DX(-deg(e.pitch)))
}

// buildEye is eyeball i (0 left, 1 right).
func buildEye(P *faceParams, i int) *part {
	var m part
	{
		b := humanoid.LeftEye
		if i == 1 {
			b = humanoid.RightEye
		}
		centre := bonePosition(b)
		rot := eyeRotation(&P.eye[i])
		m.grid(gridOpts{nu: eyeAround, nv: eyeRows, poleStart: true, poleEnd: true}, func(u, v float64) (mgl64.Vec3, mgl64.Vec2) {
			th, ph := math.Pi*v, 2*math.Pi*u
			d := v3(math.Sin(th)*math.Cos(ph), math.Sin(th)*math.Sin(ph), math.Cos(th))
			rt := 0.5 * math.Sin(th/2)
			return centre.Add(rot.Mul3x1(d).Mul(eyeRadius)), eyeUV(0.5+rt*math.Cos(ph), 0.5-rt*math.Sin(ph))
		})
	}
	return &m
}

// Eyebrows: soft flattened capsules lying on the forehead, thicker at the
// inner end, their lower half sunk into the skin.
const (
	browRows   = 16
	browAround = 10
)

// buildBrow is eyebrow i (0 left, 1 right).
func buildBrow(P *faceParams, i int) *part {
	var m part
	{
		b := &P.brow[i]
		s := side(i)
		centre := func(t float64) (mgl64.Vec3, mgl64.Vec3) {
			x := s * lerp(browInner-b.squeeze, browOuter, t)
			y := browY + b.raise + lerp(b.inner, b.outer, t) + (0.0028+b.arch-restFace.brow[i].arch)*4*t*(1-t) - 0.0025*t
			return faceAt(x, y)
		}
		m.grid(gridOpts{nu: browAround, nv: browRows, poleStart: true, poleEnd: true, flip: true}, func(u, v float64) (mgl64.Vec3, mgl64.Vec2) {
			t := v
			p, n := centre(t)
			q, _ := centre(math.Min(1, t+0.01))
			o, _ := centre(math.Max(0, t-0.01))
			tangent := q.Sub(o).Normalize()
			up := n.Cross(tangent).Normalize()
			taper := math.Sqrt(math.Sin(math.Pi * t))
			w := 0.0043 * taper * (1.18 - 0.36*t)
			h := 0.0019 * taper
			a := 2 * math.Pi * u
			pos := p.Add(up.Mul(w * math.Cos(a))).Add(n.Mul(h*math.Sin(a) + 0.0004))
			return pos, swatchUV(swatchBrow, v2(u, v))
		})
	}
	return &m
}

// Mouth: a patch on the skin between two lip curves. Columns are spaced by
// cos so the corners get more of them; rows run from the upper lip (s = 0)
// to the lower lip (s = 1).
const (
	mouthCols = 24
	mouthRows = 6
)

func buildMouth(P *faceParams) *part {
	mp := &P.mouth
	var m part
	m.grid(gridOpts{nu: mouthCols, nv: mouthRows, flip: true}, func(u, v float64) (mgl64.Vec3, mgl64.Vec2) {
		xn := -math.Cos(math.Pi * u)
		e := math.Sqrt(math.Max(0, 1-xn*xn))
		sl := smoothstep(-0.7, 0.7, xn) // 1 on the doll's left
		sr := 1 - sl
		k := 0
		if xn < 0 {
			k = 1
		}
		ax := math.Abs(xn)
		x := mp.shift + xn*(mp.halfWidth+mp.cornerX[k]*math.Pow(ax, 1.5))
		yc := mouthY + mp.cornerY[k]*ax*ax
		press := mp.press[0]*sl + mp.press[1]*sr
		up := mp.gap/2 + mp.upperUp[0]*sl + mp.upperUp[1]*sr + mp.round*mp.open*0.35 - mp.upperIn - press
		down := mp.gap/2 + mp.open + mp.lowerDown[0]*sl + mp.lowerDown[1]*sr - mp.lowerIn - press
		yU := yc + e*up
		yL := yc - e*down
		y := lerp(yU, yL, v)
		p, n := faceAt(x, y)
		return deform(p.Add(n.Mul(0.0010)), P), mouthUV(u, v)
	})
	return &m
}

// buildTongue is a flattened ellipsoid: hidden behind the lips at rest,
// stuck out and down at tongue = 1.
func buildTongue(P *faceParams) *part {
	t := P.tongue
	surf, n := faceAt(0, mouthY-0.004)
	inside := surf.Sub(n.Mul(0.012))
	out := surf.Add(n.Mul(0.004)).Add(v3(0, -0.0045, 0))
	c := inside.Add(out.Sub(inside).Mul(t))
	scale := lerp(0.12, 1, t)
	tilt := mgl64.Rotate3DX(deg(28))
	var m part
	m.superellipsoid(v3(0, 0, 0), v3(0.0105, 0.0042, 0.0125), 1, 16, 10, 1)
	for i, p := range m.pos {
		m.pos[i] = c.Add(tilt.Mul3x1(p.Mul(scale)))
		m.uv[i] = swatchUV(swatchTongue, m.uv[i])
	}
	return &m
}
