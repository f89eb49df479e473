package doll

import (
	"image"
	"image/color"
	"math"

	"github.com/go-gl/mathgl/mgl64"
)

// Textures are painted procedurally, texel by texel, from deterministic
// integer-hash noise: the same code always paints the same bytes. Colours
// here are sRGB, 0–1.

type rgb [3]float64

func mix(a, b rgb, t float64) rgb {
	t = clamp(t, 0, 1)
	return rgb{lerp(a[0], b[0], t), lerp(a[1], b[1], t), lerp(a[2], b[2], t)}
}

func (c rgb) scale(k float64) rgb { return rgb{c[0] * k, c[1] * k, c[2] * k} }

func (c rgb) nrgba() color.NRGBA {
	q := func(x float64) uint8 { return uint8(math.Round(clamp(x, 0, 1) * 255)) }
	return color.NRGBA{q(c[0]), q(c[1]), q(c[2]), 255}
}

func hex(h uint32) rgb {
	return rgb{float64(h>>16&255) / 255, float64(h>>8&255) / 255, float64(h&255) / 255}
}

// hash2 maps a lattice point and a seed to [0, 1) (a 32-bit integer mix).
func hash2(x, y, seed int) float64 {
	h := uint32(x)*0x8da6b343 ^ uint32(y)*0xd8163841 ^ uint32(seed)*0xcb1ab31f
	h ^= h >> 13
	h *= 0x5bd1e995
	h ^= h >> 15
	return float64(h&0xffffff) / (1 << 24)
}

// noise is periodic value noise: smooth, in [0, 1), repeating every px
// lattice cells in x and py in y.
func noise(x, y float64, px, py, seed int) float64 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	ix, iy := int(x0), int(y0)
	at := func(i, j int) float64 {
		return hash2(((i%px)+px)%px, ((j%py)+py)%py, seed)
	}
	sx, sy := fx*fx*(3-2*fx), fy*fy*(3-2*fy)
	a := lerp(at(ix, iy), at(ix+1, iy), sx)
	b := lerp(at(ix, iy+1), at(ix+1, iy+1), sx)
	return lerp(a, b, sy)
}

// fbm sums octaves of periodic noise (period px, py at the base octave).
func fbm(x, y float64, px, py, octaves, seed int) float64 {
	sum, amp, norm := 0.0, 0.5, 0.0
	for o := range octaves {
		sum += amp * noise(x, y, px, py, seed+o*101)
		norm += amp
		x, y, px, py, amp = x*2, y*2, px*2, py*2, amp*0.5
	}
	return sum / norm
}

// paint fills an image from a colour function of the texel centre in UV.
func paint(w, h int, f func(u, v float64) rgb) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, f((float64(x)+0.5)/float64(w), (float64(y)+0.5)/float64(h)).nrgba())
		}
	}
	return img
}

// Palette.
var (
	woodLight  = hex(0xe8c595)
	woodDark   = hex(0xc4955f)
	skinLight  = hex(0xf6e4cb)
	skinShade  = hex(0xeed2b0)
	blush      = hex(0xf29a94)
	lacquerRed = hex(0xc8322c)
	deepRed    = hex(0x8e1f22)
	gold       = hex(0xe2b44e)
	indigo     = hex(0x23345e)
	petal      = hex(0xfbe3e6)
	petalPink  = hex(0xf4a7b9)
	ink        = hex(0x1c1a24)
	lash       = hex(0x2a1b1b)
	browColour = hex(0x4a3024)
	tongueCol  = hex(0xe0737b)
	mouthDeep  = hex(0x5a1420)
	mouthRed   = hex(0x93303a)
	collar     = hex(0xfaf6ee)
	sclera     = hex(0xfbf8f4)
	irisDark   = hex(0x2b1612)
	irisWarm   = hex(0xa8622f)
	hairBase   = hex(0x1b1a27)
	hairShine  = hex(0x5a5e82)
)

// Atlas layout shared by the face and kimono textures (512×512): the top
// part is the main picture; the bottom right quarter holds 4×4 flat colour
// swatches; the face atlas also holds the eye, mouth and eyelid strips.
const atlasSize = 512

type swatch int

const (
	swatchRed swatch = iota
	swatchGold
	swatchPink
	swatchBlack
	swatchBrow
	swatchTongue
	swatchWhite
	swatchIndigo
	swatchLidUpper // strips (face atlas only)
	swatchLidLower
)

var swatchColours = map[swatch]rgb{
	swatchRed: lacquerRed, swatchGold: gold, swatchPink: petalPink, swatchBlack: ink,
	swatchBrow: browColour, swatchTongue: tongueCol, swatchWhite: collar, swatchIndigo: indigo,
}

// swatchRect returns a swatch's texel rectangle.
func swatchRect(s swatch) image.Rectangle {
	switch s {
	case swatchLidUpper:
		return image.Rect(384, 256, 512, 320)
	case swatchLidLower:
		return image.Rect(384, 320, 512, 384)
	}
	i := int(s)
	x, y := 256+(i%4)*64, 384+(i/4)*64
	return image.Rect(x, y, x+64, y+64)
}

// swatchUV maps anything onto the middle of a flat swatch.
func swatchUV(s swatch, _ mgl64.Vec2) mgl64.Vec2 {
	r := swatchRect(s)
	return v2(float64(r.Min.X+r.Max.X)/2/atlasSize, float64(r.Min.Y+r.Max.Y)/2/atlasSize)
}

// swatchStripUV maps (u, v) ∈ [0, 1]² into a strip, inset by two texels.
func swatchStripUV(s swatch, u, v float64) mgl64.Vec2 {
	r := swatchRect(s)
	x := lerp(float64(r.Min.X)+2, float64(r.Max.X)-2, u)
	y := lerp(float64(r.Min.Y)+2, float64(r.Max.Y)-2, v)
	return v2(x/atlasSize, y/atlasSize)
}

// Face atlas regions.
var (
	headRect = image.Rect(0, 0, 512, 256)
	// Kimono atlas: the sleeve panel below the bodice.
	sleeveRect = image.Rect(0, 384, 256, 512)
	eyeRect    = image.Rect(0, 256, 256, 512)
	mouthRect  = image.Rect(256, 256, 384, 384)
)

func rectUV(r image.Rectangle, u, v float64, inset float64) mgl64.Vec2 {
	x := lerp(float64(r.Min.X)+inset, float64(r.Max.X)-inset, u)
	y := lerp(float64(r.Min.Y)+inset, float64(r.Max.Y)-inset, v)
	return v2(x/atlasSize, y/atlasSize)
}

// atlasHeadUV maps head grid coordinates (u around, v = θ/π) to the atlas.
func atlasHeadUV(u, v float64) mgl64.Vec2 { return rectUV(headRect, u, v, 0) }

func eyeUV(u, v float64) mgl64.Vec2 { return rectUV(eyeRect, u, v, 0) }

func mouthUV(u, v float64) mgl64.Vec2 { return rectUV(mouthRect, u, v, 2) }

// paintSwatches fills the swatch area of an atlas.
func paintSwatches(img *image.NRGBA) {
	for s, c := range swatchColours {
		r := swatchRect(s)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.SetNRGBA(x, y, c.nrgba())
			}
		}
	}
}

// woodTexture is tileable wood grain: long streaks along v (the limb's
// length), u once around the limb.
func woodTexture() *image.NRGBA {
	return paint(256, 256, func(u, v float64) rgb {
		warp := fbm(u*4, v*2, 4, 2, 4, 11)
		rings := 0.5 + 0.5*math.Sin(2*math.Pi*(u*9+warp*2.2))
		fine := fbm(u*64, v*4, 64, 4, 2, 23)
		t := 0.55*math.Pow(rings, 3) + 0.3*fine + 0.15*fbm(u*8, v*8, 8, 8, 3, 37)
		return mix(woodLight, woodDark, t)
	})
}

// kimonoV maps a torso height (metres) to the kimono texture's v.
const (
	torsoBottom   = 0.500
	torsoTop      = 1.075
	kimonoTorsoV0 = 0.0
	kimonoTorsoV1 = 0.75
)

func kimonoV(y float64) float64 {
	return lerp(kimonoTorsoV1, kimonoTorsoV0, (y-torsoBottom)/(torsoTop-torsoBottom))
}

// blossoms returns the colour of the scattered plum blossoms at grid
// coordinates (gu, gv) — nu cells around, wrapping — or ok = false between
// them.
func blossoms(gu, gv float64, nu int) (rgb, bool) {
	for dj := -1; dj <= 1; dj++ {
		for di := -1; di <= 1; di++ {
			ci, cj := int(math.Floor(gu))+di, int(math.Floor(gv))+dj
			wi := (ci%nu + nu) % nu
			cx := float64(ci) + 0.2 + 0.6*hash2(wi, cj, 71)
			cy := float64(cj) + 0.2 + 0.6*hash2(wi, cj, 73)
			dx, dy := (gu-cx)*1.45, gv-cy // roughly isotropic on the torso
			r := math.Hypot(dx, dy)
			ang := math.Atan2(dy, dx) + hash2(wi, cj, 79)*6
			R := 0.26 * (0.62 + 0.38*math.Abs(math.Cos(2.5*ang)))
			if r < R {
				if r < 0.05 {
					return gold, true
				}
				return mix(petal, petalPink, r/R*0.8), true
			}
		}
	}
	return rgb{}, false
}

// kimonoTexture paints the bodice and skirt: red lacquer scattered with
// small white plum blossoms, an indigo obi with gold edges and a pink cord,
// a white collar crossing left over right and the skirt's overlap edge; the
// sleeve panel; swatches.
func kimonoTexture() *image.NRGBA {
	prof := bodyOutline()
	const obiLo, obiHi = 0.772, 0.848
	img := paint(atlasSize, atlasSize, func(u, v float64) rgb {
		if v >= kimonoTorsoV1 {
			return rgb{}
		}
		y := lerp(torsoBottom, torsoTop, (kimonoTorsoV1-v)/(kimonoTorsoV1-kimonoTorsoV0))
		a := 2 * math.Pi * u
		rz, asp := prof(y)
		x := -math.Sin(a) * rz * asp // world x on the surface
		z := -math.Cos(a) * rz
		c := lacquerRed.scale(0.97 + 0.06*fbm(u*16, v*16, 16, 16, 3, 5))
		if b, ok := blossoms(u*22, (y-torsoBottom)*32, 22); ok {
			c = b
		}
		// Obi: indigo sash with gold edges and a pink cord in the middle.
		if y > obiLo && y < obiHi {
			c = indigo.scale(0.92 + 0.16*fbm(u*32, v*8, 32, 8, 2, 9))
			if y < obiLo+0.006 || y > obiHi-0.006 {
				c = gold
			}
			if math.Abs(y-(obiLo+obiHi)/2) < 0.0045 {
				c = petalPink
			}
		}
		// Collar: on the front, two white bands from the neck crossing at the
		// chest; the doll's left panel (x > 0) lies over the right one.
		if z > 0 && y > 0.86 {
			edgeTop := 0.034 - (1.02-y)*0.30 // top panel edge, runs from +x down toward −x
			edgeUnder := -0.034 + (1.02-y)*0.22
			const band = 0.013
			switch {
			case x > edgeTop-band && x < edgeTop+0.002:
				c = collar
			case x > edgeTop+0.002 && x < edgeTop+0.006:
				c = gold
			case x < edgeTop-band && x > edgeUnder-band && x < edgeUnder+0.002:
				c = collar.scale(0.95)
			case x < edgeTop-band && x > edgeUnder+0.002:
				c = collar.scale(0.9) // the under-kimono at the throat
			}
		}
		if y > 1.035 {
			c = collar.scale(0.9)
		}
		// Skirt: the overlap edge (left over right) and a gold hem.
		if y < obiLo && z > 0 {
			edge := -0.012 - (obiLo-y)*0.12
			if x > edge-0.0035 && x < edge+0.0005 {
				c = gold
			}
		}
		if y < 0.545 && y > 0.528 {
			c = gold
		}
		if y <= 0.528 {
			c = deepRed
		}
		return c
	})
	// The sleeve panel: u around the arm, v from the shoulder to the cuff.
	r := sleeveRect
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			u := (float64(px-r.Min.X) + 0.5) / float64(r.Dx())
			v := (float64(py-r.Min.Y) + 0.5) / float64(r.Dy())
			c := lacquerRed.scale(0.97 + 0.06*fbm(u*8, v*4, 8, 4, 3, 5))
			if b, ok := blossoms(u*9, v*5, 9); ok {
				c = b
			}
			if v > 0.78 && v < 0.86 {
				c = gold
			}
			if v >= 0.86 {
				c = collar
			}
			img.SetNRGBA(px, py, c.nrgba())
		}
	}
	paintSwatches(img)
	return img
}

// bodyOutline returns the half depth and aspect of the torso or skirt
// surface at height y.
func bodyOutline() func(y float64) (float64, float64) {
	curve := func(ks []knot) (pchip, pchip) {
		xs := make([]float64, len(ks))
		rs := make([]float64, len(ks))
		as := make([]float64, len(ks))
		for i, k := range ks {
			xs[i], rs[i], as[i] = k.d, k.r, k.aspect
		}
		return newPCHIP(xs, rs), newPCHIP(xs, as)
	}
	tr, ta := curve(torsoKnots)
	sr, sa := curve(skirtKnots)
	return func(y float64) (float64, float64) {
		if y < skirtKnots[len(skirtKnots)-1].d {
			return sr.at(y), sa.at(y)
		}
		return tr.at(y), ta.at(y)
	}
}

// faceTexture paints the face atlas: skin with blushed cheeks (painted in 3D
// through the head grid's UV map), the eye, the mouth, the eyelid strips
// and swatches.
func faceTexture() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, atlasSize, atlasSize))
	set := func(r image.Rectangle, f func(u, v float64) rgb) {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				u := (float64(x-r.Min.X) + 0.5) / float64(r.Dx())
				v := (float64(y-r.Min.Y) + 0.5) / float64(r.Dy())
				img.SetNRGBA(x, y, f(u, v).nrgba())
			}
		}
	}
	set(headRect, func(u, v float64) rgb {
		p := headSurface(headDir(v*math.Pi, 2*math.Pi*u))
		c := mix(skinLight, skinShade, 0.35*fbm(p[0]*90+7, p[1]*12, 1024, 1024, 3, 3))
		for _, s := range []float64{1, -1} {
			ch := v3(s*0.067, 1.142, 0.097)
			d := p.Sub(ch)
			g := math.Exp(-(sq(d[0]/0.017) + sq(d[1]/0.011) + sq(d[2]/0.02)))
			c = mix(c, blush, 0.62*g)
		}
		return c
	})
	set(eyeRect, paintEye)
	set(mouthRect, func(u, v float64) rgb {
		xn := 2*u - 1
		c := mix(mouthRed, mouthDeep, 1-math.Abs(xn)*0.6-math.Abs(v-0.5)*0.8)
		// Tongue low in the mouth.
		if d := sq(xn/0.55) + sq((v-1.02)/0.34); d < 1 {
			c = mix(tongueCol, mouthRed, d*0.6)
		}
		if v < 0.07 || v > 0.93 || math.Abs(xn) > 0.93 {
			c = mouthDeep.scale(0.85)
		}
		return c
	})
	set(swatchRect(swatchLidUpper), func(u, v float64) rgb {
		const edge = float64(lidRows) / (lidRows + 2)
		c := mix(skinLight, skinShade, smoothstep(0.2, edge, v))
		if v > edge-0.1 {
			c = lash
		}
		return c
	})
	set(swatchRect(swatchLidLower), func(u, v float64) rgb {
		const edge = float64(lidRows) / (lidRows + 2)
		c := mix(skinLight, skinShade, smoothstep(0.3, edge, v))
		if v > edge+0.02 {
			c = mix(skinShade, lash, 0.3)
		}
		return c
	})
	paintSwatches(img)
	return img
}

// paintEye paints the eyeball texture in the equal-area map buildEyes uses:
// radius 0.5·sin(θ/2) for a direction θ from the front of the eye.
func paintEye(u, v float64) rgb {
	dx, dy := u-0.5, 0.5-v
	rt := math.Hypot(dx, dy)
	th := 2 * math.Asin(math.Min(1, 2*rt)) * 180 / math.Pi // degrees from the front
	// Direction on the eye in its own frame: x toward +X, y up.
	ph := math.Atan2(dy, dx)
	ex, ey := math.Sin(deg(th))*math.Cos(ph), math.Sin(deg(th))*math.Sin(ph)
	const iris, pupil = 37.0, 15.0
	c := sclera
	if th < iris+2 {
		t := th / iris
		c = mix(irisDark, irisWarm, smoothstep(0.35, 0.85, t)*(0.75+0.25*ey))
		c = mix(c, irisDark, smoothstep(0.88, 1, t))
		if th > iris {
			c = mix(irisDark, sclera, smoothstep(iris, iris+2, th))
		}
		if th < pupil {
			c = mix(hex(0x140b0b), c, smoothstep(pupil-2, pupil, th))
		}
		// Catch-lights: a large one up and toward the doll's right, a small one
		// down and toward its left.
		if d := sq((ex+0.20)/0.13) + sq((ey-0.24)/0.15); d < 1 {
			c = mix(hex(0xffffff), c, smoothstep(0.6, 1, d))
		}
		if d := sq((ex-0.2)/0.06) + sq((ey+0.16)/0.05); d < 1 {
			c = mix(hex(0xfff4ea), c, smoothstep(0.5, 1, d))
		}
	}
	return c
}

// hairTexture is black lacquer with fine strands and a glossy ring.
func hairTexture() *image.NRGBA {
	return paint(256, 256, func(u, v float64) rgb {
		strands := fbm(u*48, v*2, 48, 2, 3, 41)
		c := hairBase.scale(0.85 + 0.35*strands)
		ring := math.Exp(-sq((v - 0.30 - 0.03*math.Sin(u*2*math.Pi*4)) / 0.035))
		c = mix(c, hairShine, ring*(0.35+0.65*smoothstep(0.35, 0.7, strands)))
		if v > 0.9 {
			c = c.scale(0.8)
		}
		return c
	})
}
