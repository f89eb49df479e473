package doll

import (
	"image"
	"math"
)

// Portrait paints the doll's face as a flat illustration, size×size pixels:
// the app icon, and the meta thumbnail when no rendered one is given. It is
// drawn from signed distance functions with 4×4 supersampling, using the
// doll's own proportions (its head, eyes, brows, mouth, hair and hairpin
// placed where the 3D model has them, scaled to fill the picture) and its
// palette.
func Portrait(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	sample := func(px, py int, sx, sy float64) (rgb, float64) {
		x := (float64(px)+sx)/float64(size)*2 - 1
		y := 1 - (float64(py)+sy)/float64(size)*2
		return portraitSample(x, y)
	}
	for py := range size {
		for px := range size {
			// Where a 2×2 probe sees one colour (to within a third of a
			// level), the pixel is inside a shape: take the first probe.
			// Otherwise supersample 4×4.
			c0, a0 := sample(px, py, 0.25, 0.25)
			flat := true
			for _, o := range [3][2]float64{{0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				if c, a := sample(px, py, o[0], o[1]); a != a0 || math.Abs(c[0]-c0[0])+math.Abs(c[1]-c0[1])+math.Abs(c[2]-c0[2]) > 0.004 {
					flat = false
					break
				}
			}
			var acc [4]float64
			n := 1.0
			if flat {
				acc = [4]float64{c0[0] * a0, c0[1] * a0, c0[2] * a0, a0}
			} else {
				n = ss * ss
				for sy := range ss {
					for sx := range ss {
						c, a := sample(px, py, (float64(sx)+0.5)/ss, (float64(sy)+0.5)/ss)
						for k := range 3 {
							acc[k] += c[k] * a // premultiplied
						}
						acc[3] += a
					}
				}
			}
			out := rgb{}
			if acc[3] > 0 {
				out = rgb{acc[0] / acc[3], acc[1] / acc[3], acc[2] / acc[3]}
			}
			c := out.nrgba()
			c.A = uint8(math.Round(clamp(acc[3]/n, 0, 1) * 255))
			img.SetNRGBA(px, py, c)
		}
	}
	return img
}

// Portrait geometry: metres of the model mapped to picture units ([-1, 1],
// y up) around the head centre.
const (
	pScale = 4.0                                   // picture units per metre
	pOffY  = -0.03                                 // where the head centre lands
	pLine  = 0.022                                 // outline width
	pHeadX = 0.118 * pScale                        // head half width
	pHeadY = 0.128 * pScale                        // head half height
	pEyeY  = (1.186-1.205)*pScale + pOffY          // eye centre height
	pEyeX  = 0.043 * pScale                        // eye centre offset
	pEyeR  = 0.027 * pScale * 1.2                  // eyeball radius (drawn a little larger)
	pMthY  = (mouthY-1.205)*pScale + pOffY         // mouth height
	pBrowY = (browY-1.205)*pScale + pOffY          // brow height
	pBangY = (bangsY-1.205)*pScale + pOffY + 0.005 // bangs edge
	pSideY = (sideEndY-1.205)*pScale + pOffY       // side locks' ends
)

// ellipseDist approximates the signed distance to an ellipse (negative
// inside).
func ellipseDist(x, y, cx, cy, rx, ry float64) float64 {
	k := math.Sqrt(sq((x-cx)/rx) + sq((y-cy)/ry))
	return (k - 1) * math.Min(rx, ry)
}

func roundBoxDist(x, y, cx, cy, hx, hy, r float64) float64 {
	qx := math.Abs(x-cx) - hx + r
	qy := math.Abs(y-cy) - hy + r
	return math.Sqrt(sq(math.Max(qx, 0))+sq(math.Max(qy, 0))) + math.Min(math.Max(qx, qy), 0) - r
}

// layer paints c where d < 0, with an outline of width w in line colour
// (w = 0 for none).
type canvas struct {
	c rgb
	a float64
}

func (k *canvas) fill(d float64, c rgb) {
	if d < 0 {
		k.c, k.a = c, 1
	}
}

func (k *canvas) shape(d float64, c rgb, w float64, line rgb) {
	if d < 0 {
		k.c, k.a = c, 1
		if w > 0 && d > -w {
			k.c = line
		}
	}
}

// faceDist is the face outline: an ellipse narrowing toward the chin.
func faceDist(x, y float64) float64 {
	yn := (y - pOffY) / pHeadY
	k := math.Max(0, -yn)
	return ellipseDist(x/(1-0.16*k*k), y, 0, pOffY, pHeadX, pHeadY)
}

// hairDist is the whole bob seen from the front.
func hairDist(x, y float64) float64 {
	top := ellipseDist(x, y, 0, pOffY, pHeadX+0.062, pHeadY+0.052)
	if y > pOffY {
		return top
	}
	side := roundBoxDist(x, y, 0, (pOffY+pSideY)/2, pHeadX+0.066, (pOffY-pSideY)/2, 0.05)
	return math.Min(top, side)
}

func portraitSample(x, y float64) (rgb, float64) {
	var k canvas
	// Background: a rounded indigo tile with a warm glow behind the head.
	bg := roundBoxDist(x, y, 0, 0, 0.96, 0.96, 0.3)
	if bg < 0 {
		g := math.Exp(-(x*x + sq(y-0.05)) / 0.45)
		k.fill(bg, mix(mix(hex(0x27345f), hex(0x1a2244), (1-y)/2), hex(0xf1cf8f), 0.55*g))
		// Faint wave pattern (seigaiha) at the bottom.
		if y < -0.2 {
			r := math.Mod(math.Hypot(math.Mod(x+2, 0.24)-0.12, math.Mod(y+2, 0.12)), 0.05)
			if r < 0.008 {
				k.c = mix(k.c, hex(0x3a4a7c), 0.6)
			}
		}
	}
	// The doll, zoomed in a little so the face reads at 32 pixels.
	const zoom = 1.12
	x, y = x/zoom, y/zoom+0.02
	// Kimono shoulders with the collar crossing left over right (the doll's
	// left is the viewer's right).
	sh := ellipseDist(x, y, 0, -1.18, 0.78, 0.56)
	if sh < 0 && bg < 0 {
		k.shape(sh, lacquerRed, pLine, ink)
		// Collar bands: from each side of the neck down to where they cross
		// on the chest; the top band (from the doll's left, the viewer's
		// right) runs on a little past the crossing.
		const cross = -0.80
		top := 0.17 - (-0.62-y)*0.75 // x of the top band's centre
		under := -0.17 + (-0.62-y)*0.75
		if y < -0.6 && sh < -pLine {
			if math.Abs(x-top) < 0.045 && y > cross-0.08 {
				k.c = collar
			} else if math.Abs(x-under) < 0.045 && y > cross && x < top-0.045 {
				k.c = collar.scale(0.94)
			}
		}
		if sh >= -pLine {
			k.c = ink
		}
	}
	// Hair behind the face, the bun and its cord.
	if d := ellipseDist(x, y, 0, pOffY+pHeadY+0.1, 0.19, 0.16); d < 0 {
		k.shape(d, hairBase, pLine, ink)
	}
	if d := ellipseDist(x, y, 0, pOffY+pHeadY+0.025, 0.2, 0.045); d < 0 {
		k.shape(d, lacquerRed, pLine*0.8, ink)
	}
	if d := hairDist(x, y); d < 0 {
		k.shape(d, hairBase, pLine, ink)
	}
	// Neck and face.
	if d := roundBoxDist(x, y, 0, pOffY-pHeadY-0.05, 0.1, 0.12, 0.05); d < 0 && sh > -0.02 {
		k.shape(d, skinShade, pLine, ink)
	}
	fd := faceDist(x, y)
	if fd < 0 {
		k.fill(fd, skinLight)
		for _, s := range []float64{-1, 1} {
			g := math.Exp(-(sq((x-s*0.27)/0.09) + sq((y-(1.142-1.205)*pScale-pOffY)/0.055)))
			k.c = mix(k.c, blush, 0.7*g)
		}
		if fd > -pLine {
			k.c = ink
		}
	}
	// Bangs and side locks over the face, with a glossy ring.
	if d := hairDist(x, y); d < 0 && (y > pBangY || math.Abs(x) > pHeadX-0.085) {
		k.shape(d, hairBase, pLine, ink)
		ring := math.Exp(-sq((math.Hypot(x, (y-pOffY)*0.95)-(pHeadX+0.02))/0.03)) * smoothstep(0.1, 0.3, y)
		if d < -pLine {
			k.c = mix(hairBase, hairShine, ring*0.8)
		}
		if y > pBangY && y < pBangY+pLine && math.Abs(x) < pHeadX-0.07 {
			k.c = ink
		}
	}
	// Eyes.
	for _, s := range []float64{-1, 1} {
		eyePortrait(&k, x, y, s*pEyeX, pEyeY)
		// Brows: short soft strokes.
		t := (x*s - 0.0215*pScale) / ((browOuter - browInner) * pScale)
		if t > 0 && t < 1 {
			cy := pBrowY + 0.0028*pScale*4*t*(1-t) - 0.0025*pScale*t
			w := 0.0043 * pScale * math.Sqrt(math.Sin(math.Pi*t)) * (1.18 - 0.36*t) * 0.8
			if math.Abs(y-cy) < w {
				k.c, k.a = browColour, 1
			}
		}
	}
	// Mouth: a small smile.
	{
		hw := 0.015 * pScale
		xn := x / hw
		if math.Abs(xn) < 1 {
			yc := pMthY + 0.0024*pScale*xn*xn
			if math.Abs(y-yc) < 0.012*(1-0.5*xn*xn) {
				k.c, k.a = mouthDeep, 1
			}
		}
	}
	// The hairpin flower on the doll's left (viewer's right) and its tassels.
	fx, fy := 0.112*pScale+0.02, (1.268-1.205)*pScale+pOffY
	for i := range 2 {
		tx := fx + 0.02 - 0.05*float64(i)
		bottom := fy - 0.52 + 0.12*float64(i)
		if math.Abs(x-tx) < 0.011 && y < fy && y > bottom+0.1 {
			k.c, k.a = lacquerRed, 1
		}
		if d := ellipseDist(x, y, tx, bottom+0.12, 0.02, 0.02); d < 0 {
			k.shape(d, gold, pLine*0.6, ink)
		}
		tassel := roundBoxDist(x, y, tx, bottom+0.03, 0.028+0.4*math.Max(0, bottom+0.09-y)*0.3, 0.07, 0.02)
		if tassel < 0 {
			k.shape(tassel, lacquerRed, pLine*0.7, ink)
		}
	}
	for p := range 5 {
		a := 2*math.Pi*float64(p)/5 + 0.3
		if d := ellipseDist(x, y, fx+0.065*math.Cos(a), fy+0.065*math.Sin(a), 0.05, 0.05); d < 0 {
			k.shape(d, petalPink, pLine*0.7, ink)
		}
	}
	if d := ellipseDist(x, y, fx, fy, 0.035, 0.035); d < 0 {
		k.shape(d, gold, pLine*0.6, ink)
	}
	return k.c, k.a
}

// eyePortrait draws one eye centred at (cx, cy): the white between the lids,
// a big warm iris with its pupil and catch-lights, and a bold upper lash line.
func eyePortrait(k *canvas, x, y, cx, cy float64) {
	r := pEyeR
	dx, dy := x-cx, y-cy
	xn := dx / r
	if math.Abs(xn) > 1.05 {
		return
	}
	upper := r*math.Sin(deg(restFace.eye[0].upper)) - r*0.32*xn*xn
	lower := -r*math.Sin(deg(-restFace.eye[0].lower)) + r*0.22*xn*xn
	inside := dy < upper && dy > lower && math.Hypot(dx, dy) < r*1.02
	if inside {
		k.c, k.a = sclera, 1
		ir := math.Hypot(dx, dy) / (r * 0.62)
		if ir < 1 {
			k.c = mix(irisDark, irisWarm, smoothstep(0.35, 0.9, ir)*(0.6+0.4*(-dy/r+0.5)))
			if ir > 0.9 {
				k.c = irisDark
			}
			if ir < 0.42 {
				k.c = hex(0x140b0b)
			}
		}
		if math.Hypot(dx+0.3*r, dy-0.22*r) < 0.2*r {
			k.c = hex(0xffffff)
		}
		if math.Hypot(dx-0.22*r, dy+0.2*r) < 0.08*r {
			k.c = hex(0xfff4ea)
		}
		// Lower lid line.
		if dy-lower < 0.035*r {
			k.c = mix(skinShade, lash, 0.5)
		}
	}
	// Upper lash line: a band just above the upper lid curve.
	if dy >= upper-0.05*r && dy < upper+0.16*r*(1-0.3*xn*xn) && math.Abs(xn) < 1.02 {
		k.c, k.a = lash, 1
	}
}
