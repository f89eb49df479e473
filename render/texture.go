package render

import (
	"image"
	"math"

	"github.com/kugutsu/kugutsu/vrm"
)

// srgbToLinear maps an 8-bit sRGB-encoded value to linear light, 0–1
// (IEC 61966-2-1 transfer function).
var srgbToLinear [256]float32

// linearToSRGBSteps is the resolution of linearToSRGB8: linear values are
// rounded to 1/(linearToSRGBSteps−1) before encoding, fine enough that every
// 8-bit sRGB level stays reachable (the steepest part of the curve, 12.92×
// near black, spans 0.2 of a level per step).
const linearToSRGBSteps = 1 << 14

// linearToSRGB8 maps a quantised linear value to its 8-bit sRGB encoding.
var linearToSRGB8 [linearToSRGBSteps]uint8

func init() {
	for i := range srgbToLinear {
		c := float64(i) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		srgbToLinear[i] = float32(c)
	}
	for i := range linearToSRGB8 {
		c := float64(i) / (linearToSRGBSteps - 1)
		if c <= 0.0031308 {
			c *= 12.92
		} else {
			c = 1.055*math.Pow(c, 1/2.4) - 0.055
		}
		linearToSRGB8[i] = uint8(math.Round(c * 255))
	}
}

// encodeSRGB returns the 8-bit sRGB encoding of a linear value, clamped to
// 0–1 (NaN encodes as 0).
func encodeSRGB(c float32) uint8 {
	if !(c > 0) {
		return 0
	}
	if c >= 1 {
		return 255
	}
	return linearToSRGB8[int32(c*(linearToSRGBSteps-1)+0.5)]
}

// texture is a decoded glTF texture in the renderer's sampling format: one
// uint32 per texel holding sRGB-encoded, non-premultiplied RGBA8 (R in the low
// byte), rows top to bottom as glTF UVs expect (origin top-left). Colour
// textures are decoded to linear light through srgbToLinear when sampled;
// data textures (shading shift, outline width, UV animation mask) are read
// raw (VRMC_materials_mtoon-1.0: "stored in linear colorspace").
type texture struct {
	w, h         int32
	fw, fh       float32
	pix          []uint32
	wrapS, wrapT vrm.Wrap
	nearest      bool // glTF magFilter NEAREST (no mipmaps: one filter for both)
	// fastWrap: both axes repeat and both sizes are powers of two, so
	// wrapping is a mask (w−1, h−1).
	fastWrap bool
}

// maxTextureTexels bounds one texture's size in the renderer (64 Mi texels,
// e.g. 8192×8192), so a hostile file cannot make preparation allocate without
// bound; larger images are ignored (sampled as opaque white).
const maxTextureTexels = 1 << 26

// newTexture converts a decoded image. A nil or empty image, or one too large,
// gives nil: materials then sample it as opaque white.
func newTexture(t *vrm.Texture) *texture {
	img := t.Image
	if img == nil {
		return nil
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 || w > 1<<15 || h > 1<<15 || w*h > maxTextureTexels {
		return nil
	}
	tx := &texture{
		w: int32(w), h: int32(h), fw: float32(w), fh: float32(h),
		pix:   make([]uint32, w*h),
		wrapS: t.Sampler.WrapS, wrapT: t.Sampler.WrapT,
		nearest: t.Sampler.Mag == vrm.FilterNearest,
	}
	tx.fastWrap = tx.wrapS == vrm.WrapRepeat && tx.wrapT == vrm.WrapRepeat && w&(w-1) == 0 && h&(h-1) == 0
	copyNRGBA(tx.pix, img, w, h)
	return tx
}

func copyNRGBA(dst []uint32, img *image.NRGBA, w, h int) {
	b := img.Bounds()
	for y := 0; y < h; y++ {
		off := img.PixOffset(b.Min.X, b.Min.Y+y)
		if off < 0 || off+4*w > len(img.Pix) {
			// A malformed image (short Pix): leave the rest opaque white.
			for i := y * w; i < len(dst); i++ {
				dst[i] = 0xffffffff
			}
			return
		}
		row := img.Pix[off : off+4*w]
		d := dst[y*w : y*w+w]
		for x := range d {
			p := row[4*x : 4*x+4 : 4*x+4]
			d[x] = uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24
		}
	}
}

// wrapCoord maps texel index i onto 0…n−1 with a glTF wrap mode.
func wrapCoord(i, n int32, mode vrm.Wrap) int32 {
	switch mode {
	case vrm.WrapClamp:
		if i < 0 {
			return 0
		}
		if i >= n {
			return n - 1
		}
		return i
	case vrm.WrapMirror:
		p := 2 * n
		i %= p
		if i < 0 {
			i += p
		}
		if i >= n {
			i = p - 1 - i
		}
		return i
	default:
		i %= n
		if i < 0 {
			i += n
		}
		return i
	}
}

// texelCoord splits a texture coordinate (in texels, texel centres at
// half-integers already removed) into the integer part and the fraction,
// with NaN and huge values folded to 0 so conversions stay defined.
func texelCoord(x float32) (int32, float32) {
	if !(x > -1<<24 && x < 1<<24) {
		return 0, 0
	}
	i := int32(x)
	if float32(i) > x {
		i--
	}
	return i, x - float32(i)
}

// sample returns the texture's colour at (u, v) (glTF UVs: origin top-left,
// 1 = one texture width), bilinearly filtered unless the sampler says NEAREST:
// linear RGB and alpha, 0–1, not premultiplied (filtered per channel, as
// Unity filters non-premultiplied textures).
func (t *texture) sample(u, v float32) (r, g, b, a float32) {
	if t.nearest {
		x, _ := texelCoord(u * t.fw)
		y, _ := texelCoord(v * t.fh)
		p := t.pix[wrapCoord(y, t.h, t.wrapT)*t.w+wrapCoord(x, t.w, t.wrapS)]
		return srgbToLinear[p&0xff], srgbToLinear[p>>8&0xff], srgbToLinear[p>>16&0xff], float32(p>>24) * (1.0 / 255)
	}
	x0, fx := texelCoord(u*t.fw - 0.5)
	y0, fy := texelCoord(v*t.fh - 0.5)
	var xa, xb, ya, yb int32
	if t.fastWrap {
		wm, hm := t.w-1, t.h-1
		xa, xb, ya, yb = x0&wm, (x0+1)&wm, y0&hm, (y0+1)&hm
	} else {
		xa, xb = wrapCoord(x0, t.w, t.wrapS), wrapCoord(x0+1, t.w, t.wrapS)
		ya, yb = wrapCoord(y0, t.h, t.wrapT), wrapCoord(y0+1, t.h, t.wrapT)
	}
	ra, rb := t.pix[ya*t.w:ya*t.w+t.w], t.pix[yb*t.w:yb*t.w+t.w]
	p00, p10, p01, p11 := ra[xa], ra[xb], rb[xa], rb[xb]
	w11 := fx * fy
	w10 := fx - w11
	w01 := fy - w11
	w00 := 1 - fx - w01
	lut := &srgbToLinear
	r = w00*lut[p00&0xff] + w10*lut[p10&0xff] + w01*lut[p01&0xff] + w11*lut[p11&0xff]
	g = w00*lut[p00>>8&0xff] + w10*lut[p10>>8&0xff] + w01*lut[p01>>8&0xff] + w11*lut[p11>>8&0xff]
	b = w00*lut[p00>>16&0xff] + w10*lut[p10>>16&0xff] + w01*lut[p01>>16&0xff] + w11*lut[p11>>16&0xff]
	a = (w00*float32(p00>>24) + w10*float32(p10>>24) + w01*float32(p01>>24) + w11*float32(p11>>24)) * (1.0 / 255)
	return r, g, b, a
}

// sampleRaw is sample for data textures: channels are returned as stored,
// 0–1, without sRGB decoding.
func (t *texture) sampleRaw(u, v float32) (r, g, b, a float32) {
	if t.nearest {
		x, _ := texelCoord(u * t.fw)
		y, _ := texelCoord(v * t.fh)
		p := t.pix[wrapCoord(y, t.h, t.wrapT)*t.w+wrapCoord(x, t.w, t.wrapS)]
		return float32(p&0xff) / 255, float32(p>>8&0xff) / 255, float32(p>>16&0xff) / 255, float32(p>>24) / 255
	}
	x0, fx := texelCoord(u*t.fw - 0.5)
	y0, fy := texelCoord(v*t.fh - 0.5)
	xa, xb := wrapCoord(x0, t.w, t.wrapS), wrapCoord(x0+1, t.w, t.wrapS)
	ya, yb := wrapCoord(y0, t.h, t.wrapT), wrapCoord(y0+1, t.h, t.wrapT)
	p00, p10 := t.pix[ya*t.w+xa], t.pix[ya*t.w+xb]
	p01, p11 := t.pix[yb*t.w+xa], t.pix[yb*t.w+xb]
	w11 := fx * fy
	w10 := fx - w11
	w01 := fy - w11
	w00 := 1 - fx - w01
	ch := func(s uint) float32 {
		return (w00*float32(p00>>s&0xff) + w10*float32(p10>>s&0xff) + w01*float32(p01>>s&0xff) + w11*float32(p11>>s&0xff)) * (1.0 / 255)
	}
	return ch(0), ch(8), ch(16), ch(24)
}
