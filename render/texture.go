package render

import (
	"encoding/binary"
	"image"
	"math"
	"unsafe"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm"
)

// linearToSRGBSteps is the resolution of linearToSRGB8: linear values are
// rounded to 1/(linearToSRGBSteps−1) before encoding, fine enough that every
// 8-bit sRGB level stays reachable (the steepest part of the curve, 12.92×
// near black, spans 0.2 of a level per step).
const linearToSRGBSteps = 1 << 14

// linearToSRGB8 maps a quantised linear value to its 8-bit sRGB encoding.
var linearToSRGB8 [linearToSRGBSteps]uint8

func init() {
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
	// One range test on the table index: −0.5/(steps−1) < c < 1 + a
	// little gives an index in the table (c ≤ 0 there gives index 0,
	// encoding 0); below, above and NaN convert out of range (Go leaves
	// the result implementation-defined but no integer in the table's
	// range) and take the clamps.
	if i := uint32(int32(c*(linearToSRGBSteps-1) + 0.5)); i < linearToSRGBSteps {
		return linearToSRGB8[i]
	}
	if c > 0 {
		return 255
	}
	return 0
}

// texture is a decoded glTF texture in the renderer's sampling format: a
// mipmap chain whose levels hold one uint32 per texel, sRGB-encoded,
// non-premultiplied RGBA8 (R in the low byte), rows top to bottom as glTF
// UVs expect (origin top-left). Colour textures are decoded to linear light
// through mathx.SRGB8ToLinear when sampled; data textures (shading shift, outline
// width, UV animation mask) are read raw (VRMC_materials_mtoon-1.0: "stored
// in linear colorspace"). Level 0 is the vrm.Texture's image itself, and
// every level's pixels are shared by the textures on one image (newShared-
// Texture): they are read-only.
type texture struct {
	levels       []mipLevel // levels[0] is the image; each next one half the size
	texels       float32    // level 0 width × height
	wrapS, wrapT vrm.Wrap
	magNearest   bool // glTF magFilter NEAREST, used on level 0
	minNearest   bool // glTF minFilter NEAREST*, used on smaller levels
	// mipBlend: blend the two levels around the level of detail (glTF
	// *_MIPMAP_LINEAR, vrm.MipmapLinear); else the nearest level alone
	// (see mipOf).
	mipBlend bool
	// pow2Repeat: every level wraps by masking (mipLevel.fastWrap), the
	// case pow2Sample serves without wrapCoord's divisions.
	pow2Repeat bool
}

// mipLevel is one level of a texture.
type mipLevel struct {
	w, h   int32
	fw, fh float32
	pix    []uint32
	// fastWrap: both axes repeat and both sizes are powers of two, so
	// wrapping is a mask (w−1, h−1) and a masked address needs no bounds
	// check (pix holds w·h texels; see texel).
	fastWrap bool
}

// texel returns texel i of a fastWrap level without a bounds check: masked
// addressing keeps i in 0…w·h−1, and pix holds w·h texels.
func (l *mipLevel) texel(i int32) uint32 {
	return *(*uint32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(l.pix)), uintptr(uint32(i))*4))
}

// maxTextureTexels bounds one texture's size in the renderer (64 Mi texels,
// e.g. 8192×8192), so a hostile file cannot make preparation allocate without
// bound; larger images are ignored (sampled as opaque white).
const maxTextureTexels = 1 << 26

// newTexture builds the sampling form of a texture: its image as level 0,
// sampled in place (no copy, see levelZero), and the mipmaps. A nil or
// empty image, or one too large, gives nil: materials then sample it as
// opaque white.
func newTexture(t *vrm.Texture) *texture { return newSharedTexture(t, nil) }

// mipCache holds the pixels of each image's mipmap chain, so that textures
// sharing a glTF image (vrm gives them one *image.NRGBA) share one chain:
// 64 textures on one 2048² image cost one 21 MiB chain, not 64. The chain
// does not depend on the sampler (wrap and filter modes are applied when
// sampling), so one form per image serves every texture.
type mipCache map[*image.NRGBA][][]uint32

// newSharedTexture is newTexture taking the pixels of each level from
// cache when another texture of the same image built them (cache may be
// nil).
func newSharedTexture(t *vrm.Texture, cache mipCache) *texture {
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
		texels: float32(w) * float32(h),
		wrapS:  t.Sampler.WrapS, wrapT: t.Sampler.WrapT,
		magNearest: t.Sampler.Mag == vrm.FilterNearest,
		minNearest: t.Sampler.Min == vrm.FilterNearest,
		mipBlend:   t.Sampler.Mipmap == vrm.MipmapLinear,
	}
	pix, ok := cache[img]
	if !ok {
		pix = buildMips(img, w, h)
		if cache != nil {
			cache[img] = pix
		}
	}
	tx.levels = make([]mipLevel, len(pix))
	for i, p := range pix {
		tx.levels[i] = tx.newLevel(w, h, p)
		w, h = max(w/2, 1), max(h/2, 1)
	}
	tx.pow2Repeat = true
	for i := range tx.levels {
		tx.pow2Repeat = tx.pow2Repeat && tx.levels[i].fastWrap
	}
	return tx
}

// buildMips returns the texels of img's mipmap levels, level 0 first (the
// image itself), down to 1×1.
func buildMips(img *image.NRGBA, w, h int) [][]uint32 {
	pix := [][]uint32{levelZero(img, w, h)}
	prev := mipLevel{w: int32(w), h: int32(h), pix: pix[0]}
	for w > 1 || h > 1 {
		w, h = max(w/2, 1), max(h/2, 1)
		l := mipLevel{w: int32(w), h: int32(h), pix: make([]uint32, w*h)}
		downsample(l.pix, w, h, &prev)
		pix = append(pix, l.pix)
		prev = l
	}
	return pix
}

// littleEndian: a uint32 read from NRGBA bytes R, G, B, A holds R in its
// low byte, the texel layout.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// levelZero returns img's pixels as texels. On a little-endian machine a
// tightly packed image at the origin (what vrm.Load makes) is the texel
// layout already: its Pix is used in place, so the avatar and the renderer
// share one copy of every image. Other images are copied.
func levelZero(img *image.NRGBA, w, h int) []uint32 {
	if p := img.Pix; littleEndian && img.Rect.Min == (image.Point{}) && img.Stride == 4*w && len(p) >= 4*w*h &&
		uintptr(unsafe.Pointer(unsafe.SliceData(p)))%4 == 0 {
		return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(p))), w*h)
	}
	pix := make([]uint32, w*h)
	copyNRGBA(pix, img, w, h)
	return pix
}

// newLevel returns a w×h level of tx over the texels pix.
func (tx *texture) newLevel(w, h int, pix []uint32) mipLevel {
	return mipLevel{
		w: int32(w), h: int32(h), fw: float32(w), fh: float32(h), pix: pix,
		fastWrap: tx.wrapS == vrm.WrapRepeat && tx.wrapT == vrm.WrapRepeat && w&(w-1) == 0 && h&(h-1) == 0 && len(pix) >= w*h,
	}
}

// downsample fills a w×h level with the 2×2 (or 2×1 at an odd edge) box
// average of the previous level, averaged in linear light and weighted by
// alpha, so transparent texels don't darken their neighbours.
func downsample(dst []uint32, w, h int, src *mipLevel) {
	sw, sh := int(src.w), int(src.h)
	lut := mathx.SRGB8Table()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var r, g, b, a float32
			n := 0
			for dy := 0; dy < 2; dy++ {
				for dx := 0; dx < 2; dx++ {
					sx, sy := min(2*x+dx, sw-1), min(2*y+dy, sh-1)
					p := src.pix[sy*sw+sx]
					al := float32(p>>24) / 255
					r += lut[p&0xff] * al
					g += lut[p>>8&0xff] * al
					b += lut[p>>16&0xff] * al
					a += al
					n++
				}
			}
			var out uint32
			if a > 0 {
				out = uint32(encodeSRGB(r/a)) | uint32(encodeSRGB(g/a))<<8 | uint32(encodeSRGB(b/a))<<16
			}
			out |= uint32(a/float32(n)*255+0.5) << 24
			dst[y*w+x] = out
		}
	}
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

// texelCoord splits a texture coordinate in texels into the integer part and
// the fraction, with NaN and huge values folded to 0 so conversions stay
// defined.
func texelCoord(x float32) (int32, float32) {
	// |x| < 2²⁴ (false for NaN) by its bits, one integer comparison.
	if math.Float32bits(x)&0x7fffffff >= 0x4b800000 {
		return 0, 0
	}
	i := int32(x)
	fi := float32(i) // exact below 2²⁴, and so is fi − 1
	if fi > x {
		i--
		fi--
	}
	return i, x - fi
}

// level picks the mipmap level for a footprint of rho2 UV² per pixel²:
// log2 of the texels per pixel, rounded (0 when magnified).
func (t *texture) level(rho2 float32) (*mipLevel, bool) {
	x := rho2 * t.texels
	if !(x >= 2) || len(t.levels) == 1 {
		return &t.levels[0], t.magNearest
	}
	e := int(math.Float32bits(x)>>23&0xff) - 127 // floor(log2 x), x ≥ 2
	return &t.levels[min((e+1)>>1, len(t.levels)-1)], t.minNearest
}

// sampler is a texture bound for one triangle: the mipmap level its
// footprint picks and that level's addressing, hoisted out of the
// per-pixel work.
type sampler struct {
	pix          []uint32
	w, h         int32
	fw, fh       float32
	fast         bool // both axes repeat and both sizes are powers of two: wrap by masking
	nearest      bool
	wrapS, wrapT vrm.Wrap
}

// bind prepares s to sample t for a footprint of rho2 UV² per pixel²
// (0: level 0).
func (s *sampler) bind(t *texture, rho2 float32) {
	l, nearest := t.level(rho2)
	*s = sampler{pix: l.pix, w: l.w, h: l.h, fw: l.fw, fh: l.fh, fast: l.fastWrap, nearest: nearest, wrapS: t.wrapS, wrapT: t.wrapT}
}

// fetch returns the four texels around (u, v) and the bilinear weights, or
// with nearest filtering the one texel four times.
func (s *sampler) fetch(u, v float32) (p00, p10, p01, p11 uint32, w00, w10, w01, w11 float32) {
	if s.nearest {
		x, _ := texelCoord(u * s.fw)
		y, _ := texelCoord(v * s.fh)
		p := s.pix[wrapCoord(y, s.h, s.wrapT)*s.w+wrapCoord(x, s.w, s.wrapS)]
		return p, p, p, p, 1, 0, 0, 0
	}
	x0, fx := texelCoord(u*s.fw - 0.5)
	y0, fy := texelCoord(v*s.fh - 0.5)
	var xa, xb, ya, yb int32
	if s.fast {
		wm, hm := s.w-1, s.h-1
		xa, xb, ya, yb = x0&wm, (x0+1)&wm, y0&hm, (y0+1)&hm
	} else {
		xa, xb = wrapCoord(x0, s.w, s.wrapS), wrapCoord(x0+1, s.w, s.wrapS)
		ya, yb = wrapCoord(y0, s.h, s.wrapT), wrapCoord(y0+1, s.h, s.wrapT)
	}
	ra, rb := ya*s.w, yb*s.w
	w11 = fx * fy
	w10 = fx - w11
	w01 = fy - w11
	w00 = 1 - fx - w01
	return s.pix[ra+xa], s.pix[ra+xb], s.pix[rb+xa], s.pix[rb+xb], w00, w10, w01, w11
}

// sample returns the bound texture's colour at (u, v) (glTF UVs: origin
// top-left, 1 = one texture width), bilinearly filtered unless the sampler
// says NEAREST: linear RGB and alpha, 0–1, not premultiplied (filtered per
// channel, as Unity filters non-premultiplied textures).
func (s *sampler) sample(u, v float32) (r, g, b, a float32) {
	var p00, p10, p01, p11 uint32
	var w00, w10, w01, w11 float32
	if s.fast && !s.nearest {
		// fetch's bilinear, wrapping by masks (the common case, inline).
		x0, fx := texelCoord(u*s.fw - 0.5)
		y0, fy := texelCoord(v*s.fh - 0.5)
		wm, hm := s.w-1, s.h-1
		xa, xb := x0&wm, (x0+1)&wm
		ra, rb := (y0&hm)*s.w, ((y0+1)&hm)*s.w
		pix := s.pix
		p00, p10, p01, p11 = pix[ra+xa], pix[ra+xb], pix[rb+xa], pix[rb+xb]
		w11 = fx * fy
		w10 = fx - w11
		w01 = fy - w11
		w00 = 1 - fx - w01
	} else {
		p00, p10, p01, p11, w00, w10, w01, w11 = s.fetch(u, v)
	}
	lut := mathx.SRGB8Table()
	r = w00*lut[p00&0xff] + w10*lut[p10&0xff] + w01*lut[p01&0xff] + w11*lut[p11&0xff]
	g = w00*lut[p00>>8&0xff] + w10*lut[p10>>8&0xff] + w01*lut[p01>>8&0xff] + w11*lut[p11>>8&0xff]
	b = w00*lut[p00>>16&0xff] + w10*lut[p10>>16&0xff] + w01*lut[p01>>16&0xff] + w11*lut[p11>>16&0xff]
	a = (w00*float32(p00>>24) + w10*float32(p10>>24) + w01*float32(p01>>24) + w11*float32(p11>>24)) * (1.0 / 255)
	return r, g, b, a
}

// sampleRaw is sample for data textures: channels are returned as stored,
// 0–1, without sRGB decoding.
func (s *sampler) sampleRaw(u, v float32) (r, g, b, a float32) {
	p00, p10, p01, p11, w00, w10, w01, w11 := s.fetch(u, v)
	const k = 1.0 / 255
	r = (w00*float32(p00&0xff) + w10*float32(p10&0xff) + w01*float32(p01&0xff) + w11*float32(p11&0xff)) * k
	g = (w00*float32(p00>>8&0xff) + w10*float32(p10>>8&0xff) + w01*float32(p01>>8&0xff) + w11*float32(p11>>8&0xff)) * k
	b = (w00*float32(p00>>16&0xff) + w10*float32(p10>>16&0xff) + w01*float32(p01>>16&0xff) + w11*float32(p11>>16&0xff)) * k
	a = (w00*float32(p00>>24) + w10*float32(p10>>24) + w01*float32(p01>>24) + w11*float32(p11>>24)) * k
	return r, g, b, a
}

// sample returns the texture's colour at (u, v) for a footprint of rho2
// UV² per pixel² (see sampler.sample).
func (t *texture) sample(u, v, rho2 float32) (r, g, b, a float32) {
	var s sampler
	s.bind(t, rho2)
	return s.sample(u, v)
}

// sampleRaw is sample for data textures (see sampler.sampleRaw).
func (t *texture) sampleRaw(u, v, rho2 float32) (r, g, b, a float32) {
	var s sampler
	s.bind(t, rho2)
	return s.sampleRaw(u, v)
}

// lodBias is added to every level of detail: half a level sharper than
// the GPU rule alone. three.js renders of the same scenes showed 1.09–1.27×
// the fine detail (mean |Laplacian| of luma) of this renderer's old
// per-triangle level choice; the GPU rule with trilinear filtering measured
// 0.91–0.95× of it on the doll, −0.5 brings it to 0.99–1.05× (issue #17).
const lodBias = -0.5

// uvGrad holds the screen-space derivatives of a texture coordinate pair,
// UV units per pixel: ∂u/∂x, ∂v/∂x, ∂u/∂y, ∂v/∂y (x right, y down).
type uvGrad struct{ dudx, dvdx, dudy, dvdy float32 }

// fastLog2 returns log2 x for x > 0, to about 0.005 (a quadratic on the
// mantissa); 0 for x ≤ 0 or NaN, a large value for +Inf.
func fastLog2(x float32) float32 {
	if !(x > 0) {
		return -126
	}
	b := math.Float32bits(x)
	e := float32(int32(b>>23&0xff) - 127)
	f := math.Float32frombits(b&0x7fffff|0x3f800000) - 1 // mantissa − 1, 0…1
	return e + f*(1.3465-0.3465*f)
}

// lod returns the level of detail λ for UV derivatives g on texture t (see
// lodOf).
func (t *texture) lod(g *uvGrad) float32 {
	l := &t.levels[0]
	w2, h2 := l.fw*l.fw, l.fh*l.fh
	return lodOf(g.dudx*g.dudx*w2+g.dvdx*g.dvdx*h2, g.dudy*g.dudy*w2+g.dvdy*g.dvdy*h2)
}

// lodOf returns the level of detail for squared texel-space derivative
// lengths x = |∂(u·W, v·H)/∂x|² and y = |∂(u·W, v·H)/∂y|² (W×H the level-0
// size): log2 of the longer, as GPUs compute it (OpenGL 4.6 §8.14.1, scale
// factor ρ = max of the two lengths; what three.js gets without anisotropic
// filtering), plus lodBias.
func lodOf(x, y float32) float32 {
	return 0.5*fastLog2(max(x, y)) + lodBias
}

// taps returns the texels and weights that filter t at (u, v) for level of
// detail lam: bilinear (or nearest, per the sampler's filters) on level 0
// when magnified (λ ≤ 0), else on the levels mipOf picks (two blended with
// the sampler's MipmapLinear). n is 4 or 8.
func (t *texture) taps(u, v, lam float32, p *[8]uint32, w *[8]float32) (n int) {
	if !(lam > 0) || len(t.levels) == 1 {
		t.levels[0].taps(u, v, t.wrapS, t.wrapT, t.magNearest, 1, p[:4], w[:4])
		return 4
	}
	i, f := mipOf(lam, float32(len(t.levels)-1), t.mipBlend)
	t.levels[i].taps(u, v, t.wrapS, t.wrapT, t.minNearest, 1-f, p[:4], w[:4])
	if f < 1.0/512 {
		return 4
	}
	t.levels[i+1].taps(u, v, t.wrapS, t.wrapT, t.minNearest, f, p[4:], w[4:])
	return 8
}

// taps stores the four texels around (u, v) on level l and their bilinear
// weights times k (or the nearest texel four times, weight k on the first).
func (l *mipLevel) taps(u, v float32, wrapS, wrapT vrm.Wrap, nearest bool, k float32, p []uint32, w []float32) {
	p, w = p[:4:4], w[:4:4]
	if nearest {
		x, _ := texelCoord(u * l.fw)
		y, _ := texelCoord(v * l.fh)
		q := l.pix[wrapCoord(y, l.h, wrapT)*l.w+wrapCoord(x, l.w, wrapS)]
		p[0], p[1], p[2], p[3] = q, q, q, q
		w[0], w[1], w[2], w[3] = k, 0, 0, 0
		return
	}
	x0, fx := texelCoord(u*l.fw - 0.5)
	y0, fy := texelCoord(v*l.fh - 0.5)
	var xa, xb, ya, yb int32
	if l.fastWrap {
		wm, hm := l.w-1, l.h-1
		xa, xb, ya, yb = x0&wm, (x0+1)&wm, y0&hm, (y0+1)&hm
	} else {
		xa, xb = wrapCoord(x0, l.w, wrapS), wrapCoord(x0+1, l.w, wrapS)
		ya, yb = wrapCoord(y0, l.h, wrapT), wrapCoord(y0+1, l.h, wrapT)
	}
	ra, rb := ya*l.w, yb*l.w
	w11 := fx * fy
	w10 := fx - w11
	w01 := fy - w11
	w00 := 1 - fx - w01
	p[0], p[1], p[2], p[3] = l.pix[ra+xa], l.pix[ra+xb], l.pix[rb+xa], l.pix[rb+xb]
	w[0], w[1], w[2], w[3] = w00*k, w10*k, w01*k, w11*k
}

// sampleGrad returns t's colour at (u, v) filtered for UV derivatives g
// (see taps): linear RGB and alpha, 0–1, not premultiplied.
func (t *texture) sampleGrad(u, v float32, g *uvGrad) (r, gr, b, a float32) {
	if t.pow2Repeat {
		r, gr, b, a = t.pow2Sample(u, v, t.lod(g), false)
		return r, gr, b, a * (1.0 / 255)
	}
	var p [8]uint32
	var w [8]float32
	n := t.taps(u, v, t.lod(g), &p, &w)
	lut := mathx.SRGB8Table()
	for i := 0; i < n && i < 8; i++ {
		q, k := p[i], w[i]
		r += k * lut[q&0xff]
		gr += k * lut[q>>8&0xff]
		b += k * lut[q>>16&0xff]
		a += k * float32(q>>24)
	}
	return r, gr, b, a * (1.0 / 255)
}

// sampleGradRaw is sampleGrad for data textures: channels as stored, 0–1.
func (t *texture) sampleGradRaw(u, v float32, g *uvGrad) (r, gr, b, a float32) {
	if t.pow2Repeat {
		r, gr, b, a = t.pow2Sample(u, v, t.lod(g), true)
	} else {
		var p [8]uint32
		var w [8]float32
		n := t.taps(u, v, t.lod(g), &p, &w)
		for i := 0; i < n && i < 8; i++ {
			q, k := p[i], w[i]
			r += k * float32(q&0xff)
			gr += k * float32(q>>8&0xff)
			b += k * float32(q>>16&0xff)
			a += k * float32(q>>24)
		}
	}
	const s = 1.0 / 255
	return r * s, gr * s, b * s, a * s
}

// pow2Sample is sampleGrad's (raw: sampleGradRaw's) sum over taps's taps
// for a pow2Repeat texture at level of detail lam, without storing them and
// without a NEAREST level's zero-weight repeats: the same sums, wrapping by
// masks. Alpha (and with raw every channel) is 0–255.
func (t *texture) pow2Sample(u, v, lam float32, raw bool) (r, g, b, a float32) {
	last := len(t.levels) - 1
	if !(lam > 0) || last == 0 {
		return t.levels[0].pow2Add(u, v, t.magNearest, raw, 1, 0, 0, 0, 0)
	}
	i, f := mipOf(lam, float32(last), t.mipBlend)
	r, g, b, a = t.levels[i].pow2Add(u, v, t.minNearest, raw, 1-f, 0, 0, 0, 0)
	if f < 1.0/512 {
		return r, g, b, a
	}
	return t.levels[i+1].pow2Add(u, v, t.minNearest, raw, f, r, g, b, a)
}

// pow2Add adds the taps of level l (see mipLevel.taps; a NEAREST level's one
// texel once), weighted by k, to r, g, b, a.
func (l *mipLevel) pow2Add(u, v float32, nearest, raw bool, k, r, g, b, a float32) (float32, float32, float32, float32) {
	wm, hm := l.w-1, l.h-1
	if nearest {
		x, _ := texelCoord(u * l.fw)
		y, _ := texelCoord(v * l.fh)
		q := l.texel((y&hm)*l.w + (x & wm))
		if raw {
			return addRaw(q, k, r, g, b, a)
		}
		return addSRGB(q, k, r, g, b, a)
	}
	x0, fx := texelCoord(u*l.fw - 0.5)
	y0, fy := texelCoord(v*l.fh - 0.5)
	xa, xb := x0&wm, (x0+1)&wm
	ra, rb := (y0&hm)*l.w, ((y0+1)&hm)*l.w
	w11 := fx * fy
	w10 := fx - w11
	w01 := fy - w11
	w00 := 1 - fx - w01
	q00, q10, q01, q11 := l.texel(ra+xa), l.texel(ra+xb), l.texel(rb+xa), l.texel(rb+xb)
	k00, k10, k01, k11 := w00*k, w10*k, w01*k, w11*k
	if raw {
		r, g, b, a = addRaw(q00, k00, r, g, b, a)
		r, g, b, a = addRaw(q10, k10, r, g, b, a)
		r, g, b, a = addRaw(q01, k01, r, g, b, a)
		return addRaw(q11, k11, r, g, b, a)
	}
	r, g, b, a = addSRGB(q00, k00, r, g, b, a)
	r, g, b, a = addSRGB(q10, k10, r, g, b, a)
	r, g, b, a = addSRGB(q01, k01, r, g, b, a)
	return addSRGB(q11, k11, r, g, b, a)
}

// addSRGB adds texel q weighted by k to r, g, b, a: its colour channels
// decoded from sRGB, its alpha 0–255.
func addSRGB(q uint32, k, r, g, b, a float32) (float32, float32, float32, float32) {
	lut := mathx.SRGB8Table()
	return r + k*lut[q&0xff], g + k*lut[q>>8&0xff], b + k*lut[q>>16&0xff], a + k*float32(q>>24)
}

// addRaw is addSRGB for data textures: every channel as stored, 0–255.
func addRaw(q uint32, k, r, g, b, a float32) (float32, float32, float32, float32) {
	return r + k*float32(q&0xff), g + k*float32(q>>8&0xff), b + k*float32(q>>16&0xff), a + k*float32(q>>24)
}
