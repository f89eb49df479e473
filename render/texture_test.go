package render

import (
	"image"
	"image/color"
	"math"
	"runtime"
	"testing"
	"unsafe"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/golden"
	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm"
)

func TestSRGBRoundTrip(t *testing.T) {
	for i := 0; i < 256; i++ {
		if got := encodeSRGB(mathx.SRGB8ToLinear(uint8(i))); got != uint8(i) {
			t.Fatalf("sRGB %d → linear %v → %d", i, mathx.SRGB8ToLinear(uint8(i)), got)
		}
	}
	for _, c := range []float32{-1, float32(math.NaN()), float32(math.Inf(-1))} {
		if encodeSRGB(c) != 0 {
			t.Fatalf("encodeSRGB(%v) != 0", c)
		}
	}
	if encodeSRGB(2) != 255 || encodeSRGB(float32(math.Inf(1))) != 255 {
		t.Fatal("bright values not clamped to 255")
	}
}

// TestEncodeSRGBClamps compares encodeSRGB, which tests its table index's
// range once, with the clamps written out, over every float32 from −2 to 2
// in steps of 2⁻¹⁶ (finer than the table's) and the special values.
func TestEncodeSRGBClamps(t *testing.T) {
	ref := func(c float32) uint8 {
		switch {
		case !(c > 0):
			return 0
		case c >= 1:
			return 255
		}
		return linearToSRGB8[int(c*(linearToSRGBSteps-1)+0.5)]
	}
	check := func(c float32) {
		if got, want := encodeSRGB(c), ref(c); got != want {
			t.Fatalf("encodeSRGB(%v) = %d, want %d", c, got, want)
		}
	}
	for i := -1 << 17; i <= 1<<17; i++ {
		check(float32(i) / (1 << 16))
	}
	for _, c := range []float32{
		float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, -math.MaxFloat32,
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, float32(math.Copysign(0, -1)),
		math.Nextafter32(1, 0), math.Nextafter32(1, 2), 1e9, -1e9, 3e9, -3e9,
		-0.5 / (linearToSRGBSteps - 1), math.Nextafter32(-0.5/(linearToSRGBSteps-1), -1),
	} {
		check(c)
	}
}

// TestInvLenRange compares invLen, which tests its Newton range on the
// bits of l2, with the float comparisons written out, on the floats next
// to the range's ends, over 0…2 in steps of 2⁻¹⁸ and on special values.
func TestInvLenRange(t *testing.T) {
	ref := func(l2 float32) float32 {
		if l2 > 0.7 && l2 < 1.4 {
			y := (3 - l2) * 0.5
			return y * (3 - l2*y*y) * 0.5
		}
		return 1 / float32(math.Sqrt(float64(l2)))
	}
	check := func(l2 float32) {
		got, want := invLen(l2), ref(l2)
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("invLen(%v) = %v, want %v", l2, got, want)
		}
	}
	for i := 0; i <= 1<<19; i++ {
		check(float32(i) / (1 << 18))
	}
	for _, e := range []float32{0.7, 1.4} {
		check(e)
		check(math.Nextafter32(e, 0))
		check(math.Nextafter32(e, 2))
	}
	for _, l2 := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), -1, -0.9, float32(math.Copysign(0, -1))} {
		check(l2)
	}
}

func TestWrapCoord(t *testing.T) {
	cases := []struct {
		i, n int32
		mode vrm.Wrap
		want int32
	}{
		{5, 4, vrm.WrapRepeat, 1}, {-1, 4, vrm.WrapRepeat, 3}, {-8, 4, vrm.WrapRepeat, 0},
		{-3, 4, vrm.WrapClamp, 0}, {9, 4, vrm.WrapClamp, 3}, {2, 4, vrm.WrapClamp, 2},
		{4, 4, vrm.WrapMirror, 3}, {5, 4, vrm.WrapMirror, 2}, {-1, 4, vrm.WrapMirror, 0}, {-2, 4, vrm.WrapMirror, 1}, {8, 4, vrm.WrapMirror, 0},
		{math.MinInt32 + 1, 3, vrm.WrapRepeat, ((math.MinInt32+1)%3 + 3) % 3},
	}
	for _, c := range cases {
		if got := wrapCoord(c.i, c.n, c.mode); got != c.want {
			t.Errorf("wrapCoord(%d, %d, %d) = %d, want %d", c.i, c.n, c.mode, got, c.want)
		}
	}
}

// TestKHRTextureTransform checks the extension's own example: offset [0, 1],
// rotation π/2, scale 0.5 shows the lower-left quadrant, turned.
func TestKHRTextureTransform(t *testing.T) {
	m := khrTransform(vrm.TextureRef{Texture: 0, Offset: mgl32.Vec2{0, 1}, Rotation: math.Pi / 2, Scale: mgl32.Vec2{0.5, 0.5}})
	s := texSlot{m: m}
	for _, c := range [][4]float32{{0, 0, 0, 1}, {1, 0, 0, 0.5}, {0, 1, 0.5, 1}, {1, 1, 0.5, 0.5}} {
		u, v := s.uv(c[0], c[1], 0, 0)
		if math.Abs(float64(u-c[2])) > 1e-6 || math.Abs(float64(v-c[3])) > 1e-6 {
			t.Errorf("uv (%v, %v) → (%v, %v), want (%v, %v)", c[0], c[1], u, v, c[2], c[3])
		}
	}
	if khrTransform(vrm.TextureRef{}) != identityUV {
		t.Error("an unset reference is not the identity")
	}
}

func TestSampleBilinear(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	img.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 255})
	img.SetNRGBA(1, 0, color.NRGBA{0, 0, 255, 0})
	tx := newTexture(&vrm.Texture{Image: img, Sampler: vrm.Sampler{WrapS: vrm.WrapClamp, WrapT: vrm.WrapClamp}})
	// Texel centres return the texels; half way is the linear average.
	if r, g, b, a := tx.sample(0.25, 0.5, 0); r != 1 || g != 0 || b != 0 || a != 1 {
		t.Fatalf("left texel %v %v %v %v", r, g, b, a)
	}
	if r, _, b, a := tx.sample(0.5, 0.5, 0); r != 0.5 || b != 0.5 || a != 0.5 {
		t.Fatalf("middle %v %v %v", r, b, a)
	}
	// Clamp: beyond the edge stays on the edge texel.
	if r, _, _, _ := tx.sample(-3, 0.5, 0); r != 1 {
		t.Fatalf("clamped %v", r)
	}
	tx.magNearest = true
	if r, _, _, _ := tx.sample(0.49, 0.5, 0); r != 1 {
		t.Fatalf("nearest %v", r)
	}
	// Data textures read raw values.
	if _, _, b, a := tx.sampleRaw(0.75, 0.5, 0); b != 1 || a != 0 {
		t.Fatalf("raw %v %v", b, a)
	}
	// Non-finite coordinates do not panic.
	tx.sample(float32(math.NaN()), float32(math.Inf(1)), float32(math.NaN()))
}

func TestMipmaps(t *testing.T) {
	// A 1-texel checker averages to 50 % linear grey one level down.
	img := image.NewNRGBA(image.Rect(0, 0, 8, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 8; x++ {
			v := uint8(255 * ((x + y) % 2))
			img.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
		}
	}
	tx := newTexture(&vrm.Texture{Image: img})
	if len(tx.levels) != 4 || tx.levels[3].w != 1 || tx.levels[3].h != 1 {
		t.Fatalf("levels %d, last %dx%d", len(tx.levels), tx.levels[len(tx.levels)-1].w, tx.levels[len(tx.levels)-1].h)
	}
	for _, p := range tx.levels[1].pix {
		if p != 0xffbcbcbc { // sRGB 188 = linear 0.5
			t.Fatalf("level 1 texel %#x, want 0xffbcbcbc", p)
		}
	}
	// Level choice: about one texel per pixel stays on level 0, 4×4 texels
	// per pixel picks level 2.
	if l, _ := tx.level(1 / tx.texels); l != &tx.levels[0] {
		t.Fatal("magnified footprint not on level 0")
	}
	if l, _ := tx.level(16 / tx.texels); l != &tx.levels[2] {
		t.Fatal("4×4 texels per pixel not on level 2")
	}
	if l, _ := tx.level(1e30); l != &tx.levels[3] {
		t.Fatal("huge footprint not on the last level")
	}
	// Transparent texels do not darken: red + 3 transparent → red at ¼ alpha.
	img = image.NewNRGBA(image.Rect(0, 0, 2, 2))
	img.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 255})
	tx = newTexture(&vrm.Texture{Image: img})
	if p := tx.levels[1].pix[0]; p != 0x400000ff {
		t.Fatalf("alpha-weighted average %#x, want 0x400000ff", p)
	}
}

// TestMipmapsStopAliasing draws a fine 1-texel checker far away: with
// mipmaps it resolves to an even grey instead of a moiré of black and white,
// with every mipmap mode (a minFilter without mipmaps is sampled from the
// nearest level too; see mipOf).
func TestMipmapsStopAliasing(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for y := 0; y < 256; y++ {
		for x := 0; x < 256; x++ {
			v := uint8(255 * ((x + y) % 2))
			img.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
		}
	}
	for _, mip := range []vrm.Mipmap{vrm.MipmapLinear, vrm.MipmapNearest, vrm.MipmapNone} {
		a := newAvatar()
		tex := addTexture(a, img, vrm.Sampler{Mipmap: mip})
		mat := addMaterial(a, vrm.Material{BaseColorTexture: texRef(tex), Unlit: true})
		addMeshNode(a, "q", quad(mgl32.Vec3{}, 1, 1, mat))
		out := renderScene(t, 64, 64, DefaultScene(a, poseFrame(a, nil, nil), frontCamera(mgl32.Vec3{}, 2, 30)))
		for y := 24; y < 40; y++ {
			for x := 24; x < 40; x++ {
				if p := out.RGBAAt(x, y); p.R < 170 || p.R > 205 {
					t.Fatalf("mipmap mode %d: pixel (%d,%d) = %v, want grey near 188", mip, x, y, p)
				}
			}
		}
	}
}

// TestMipmapModes: trilinear (MipmapLinear) blends levels ⌊λ⌋ and ⌊λ⌋+1 by
// λ's fraction; MipmapNearest and MipmapNone take level ⌊λ + ½⌋ alone;
// both clamp to the last level and magnify from level 0.
func TestMipmapModes(t *testing.T) {
	for _, c := range []struct {
		lam   float32
		blend bool
		j     int
		f     float32
	}{
		{-1, true, 0, 0}, {-1, false, 0, 0},
		{0.25, true, 0, 0.25}, {0.25, false, 0, 0},
		{0.49, false, 0, 0}, {0.5, false, 1, 0},
		{1.3, true, 1, 0.3}, {1.3, false, 1, 0},
		{1.49, false, 1, 0}, {1.7, false, 2, 0}, {2.5, false, 3, 0},
		{2.75, true, 2, 0.75}, {2.75, false, 3, 0},
		{3, true, 3, 0}, {3, false, 3, 0}, {9, false, 3, 0}, {9, true, 3, 0},
	} {
		j, f := mipOf(c.lam, 3, c.blend)
		if j != c.j || math.Abs(float64(f-c.f)) > 1e-6 {
			t.Errorf("mipOf(%v, 3, %v) = %d, %v; want %d, %v", c.lam, c.blend, j, f, c.j, c.f)
		}
	}
	// The taps follow: one level with weight 1, or two.
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 29)
	}
	for _, mip := range []vrm.Mipmap{vrm.MipmapLinear, vrm.MipmapNearest, vrm.MipmapNone} {
		tx := newTexture(&vrm.Texture{Image: img, Sampler: vrm.Sampler{Mipmap: mip}})
		var p [8]uint32
		var w [8]float32
		n := tx.taps(0.3, 0.6, 1.7, &p, &w)
		var want [8]uint32
		var ww [8]float32
		if mip == vrm.MipmapLinear {
			tx.levels[1].taps(0.3, 0.6, tx.wrapS, tx.wrapT, false, 1-0.7, want[:4], ww[:4])
			tx.levels[2].taps(0.3, 0.6, tx.wrapS, tx.wrapT, false, 0.7, want[4:], ww[4:])
			if n != 8 {
				t.Fatalf("trilinear: %d taps, want 8", n)
			}
		} else {
			tx.levels[2].taps(0.3, 0.6, tx.wrapS, tx.wrapT, false, 1, want[:4], ww[:4])
			if n != 4 {
				t.Fatalf("mipmap mode %d: %d taps, want 4", mip, n)
			}
		}
		for i := 0; i < n; i++ {
			if p[i] != want[i] || math.Abs(float64(w[i]-ww[i])) > 1e-6 {
				t.Errorf("mipmap mode %d: tap %d = %#x × %v, want %#x × %v", mip, i, p[i], w[i], want[i], ww[i])
			}
		}
	}
}

func TestTooLargeOrBrokenTextures(t *testing.T) {
	if newTexture(&vrm.Texture{}) != nil {
		t.Fatal("nil image")
	}
	if newTexture(&vrm.Texture{Image: &image.NRGBA{Rect: image.Rect(0, 0, 1<<14, 1<<14)}}) != nil {
		t.Fatal("a 16384² image was accepted")
	}
	short := &image.NRGBA{Rect: image.Rect(0, 0, 4, 4), Stride: 16, Pix: make([]byte, 20)}
	tx := newTexture(&vrm.Texture{Image: short})
	if tx.levels[0].pix[15] != 0xffffffff {
		t.Fatal("missing rows not filled white")
	}
}

// TestZeroTextureRefIsNoTexture: an unset TextureRef field (the zero value,
// texture 0 at scale 0) must not sample texture 0.
func TestZeroTextureRefIsNoTexture(t *testing.T) {
	a, c := sceneMToon()
	f := poseFrame(a, nil, nil)
	want := renderScene(t, 80, 60, DefaultScene(a, f, c))
	for i := range a.Materials {
		if mt := a.Materials[i].MToon; mt != nil {
			mt.ShadingShiftTex, mt.RimTexture, mt.OutlineWidthTex = vrm.TextureRef{}, vrm.TextureRef{}, vrm.TextureRef{}
		}
	}
	if msg := golden.Compare(want, renderScene(t, 80, 60, DefaultScene(a, f, c)), tolerance); msg != "" {
		t.Fatal(msg)
	}
}

// TestTexturesShareImageAndMips: textures on one image (vrm gives them one
// *image.NRGBA) share its pixels as level 0, sampled in place, and one
// mipmap chain, each keeping its own wrap and filter modes.
func TestTexturesShareImageAndMips(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 32))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	a := &vrm.Model{Textures: []vrm.Texture{
		{Image: img, Sampler: vrm.Sampler{WrapS: vrm.WrapRepeat, WrapT: vrm.WrapRepeat}},
		{Image: img, Sampler: vrm.Sampler{WrapS: vrm.WrapClamp, WrapT: vrm.WrapMirror, Mag: vrm.FilterNearest}},
		{Image: img},
	}}
	p := newPrepared(a, true)
	t0, t1 := p.textures[0], p.textures[1]
	if t0 == nil || t1 == nil || len(t0.levels) != 7 || len(t1.levels) != 7 {
		t.Fatalf("textures %v %v, want 7 levels each (64×32 … 1×1)", t0, t1)
	}
	if littleEndian && &t0.levels[0].pix[0] != (*uint32)(unsafe.Pointer(&img.Pix[0])) {
		t.Error("level 0 is a copy of the image, not the image")
	}
	for i := range t0.levels {
		if &t0.levels[i].pix[0] != &t1.levels[i].pix[0] || &t0.levels[i].pix[0] != &p.textures[2].levels[i].pix[0] {
			t.Errorf("level %d is not shared", i)
		}
	}
	if !t0.levels[0].fastWrap || t1.levels[0].fastWrap || t1.wrapT != vrm.WrapMirror || !t1.magNearest {
		t.Error("the textures' own sampling modes were lost")
	}
	// The shared form is what a texture built alone from a copy holds.
	own := newTexture(&vrm.Texture{Image: &image.NRGBA{Pix: append([]byte(nil), img.Pix...), Stride: img.Stride, Rect: img.Rect}})
	for i, l := range own.levels {
		for j, v := range l.pix {
			if t0.levels[i].pix[j] != v {
				t.Fatalf("level %d texel %d: shared %#x, alone %#x", i, j, t0.levels[i].pix[j], v)
			}
		}
	}
}

// TestLevelZeroCopiesWhatItCannotShare: an image with padding between rows
// or off the origin is copied into texels, row by row.
func TestLevelZeroCopiesWhatItCannotShare(t *testing.T) {
	big := image.NewNRGBA(image.Rect(0, 0, 6, 3))
	for i := range big.Pix {
		big.Pix[i] = uint8(i)
	}
	sub := big.SubImage(image.Rect(1, 1, 5, 3)).(*image.NRGBA) // 4×2, stride 24
	tx := newTexture(&vrm.Texture{Image: sub})
	if tx == nil {
		t.Fatal("no texture")
	}
	for y := 0; y < 2; y++ {
		for x := 0; x < 4; x++ {
			c := sub.NRGBAAt(1+x, 1+y)
			want := uint32(c.R) | uint32(c.G)<<8 | uint32(c.B)<<16 | uint32(c.A)<<24
			if got := tx.levels[0].pix[y*4+x]; got != want {
				t.Fatalf("texel (%d,%d) = %#x, want %#x", x, y, got, want)
			}
		}
	}
}

// TestManyTexturesOnOneImageCostOneChain: 64 textures on one 2048² image
// (a hostile file's trick: 1.4 GB when each had its own copy and mipmaps)
// cost the renderer one mipmap chain, 5.3 MiB.
func TestManyTexturesOnOneImageCostOneChain(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 2048, 2048))
	a := &vrm.Model{}
	for i := 0; i < 64; i++ {
		a.Textures = append(a.Textures, vrm.Texture{Image: img, Sampler: vrm.Sampler{WrapS: vrm.Wrap(i % 3)}})
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p := newPrepared(a, true)
	runtime.ReadMemStats(&after)
	if p.textures[63] == nil {
		t.Fatal("texture 63 not prepared")
	}
	chain := int64(2048 * 2048 * 4 / 3) // the mipmaps below level 0
	if !littleEndian {
		chain += 2048 * 2048 * 4
	}
	if got := int64(after.TotalAlloc - before.TotalAlloc); got > chain+chain/8 {
		t.Errorf("preparing 64 textures on one 2048² image allocated %d bytes, want about %d", got, chain)
	}
}

// TestPow2SampleSumsLikeTaps: for power-of-two repeating textures,
// sampleGrad and sampleGradRaw filter through pow2Sample, which skips a
// NEAREST level's zero-weight repeats and wraps by masks; its sums must
// equal those over the general taps bit for bit, decoded from sRGB and raw,
// with every filter combination, across levels and outside the unit square.
func TestPow2SampleSumsLikeTaps(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i*37 + i*i*11)
	}
	lut := mathx.SRGB8Table()
	sum := func(p *[8]uint32, w *[8]float32, n int, raw bool) (s [4]float32) {
		for i := 0; i < n; i++ {
			for c := 0; c < 4; c++ {
				x := float32(p[i] >> (8 * c) & 0xff)
				if !raw && c < 3 {
					x = lut[p[i]>>(8*c)&0xff]
				}
				s[c] += w[i] * x
			}
		}
		return s
	}
	for _, f := range []vrm.Sampler{{}, {Mag: vrm.FilterNearest}, {Min: vrm.FilterNearest}, {Mag: vrm.FilterNearest, Min: vrm.FilterNearest},
		{Mipmap: vrm.MipmapNearest}, {Min: vrm.FilterNearest, Mipmap: vrm.MipmapNone}} {
		tx := newTexture(&vrm.Texture{Image: img, Sampler: f})
		if !tx.pow2Repeat {
			t.Fatal("a 16×8 repeating texture is not pow2Repeat")
		}
		for i := 0; i < 4000; i++ {
			u := float32(i%97)/23 - 2
			v := float32(i%89)/19 - 2.3
			lam := float32(i%61)/10 - 1
			var p [8]uint32
			var w [8]float32
			n := tx.taps(u, v, lam, &p, &w)
			for _, raw := range []bool{false, true} {
				var b [4]float32
				b[0], b[1], b[2], b[3] = tx.pow2Sample(u, v, lam, raw)
				if a := sum(&p, &w, n, raw); a != b {
					t.Fatalf("%+v at (%v, %v) λ %v, raw %v: pow2Sample sums %v, taps %v", f, u, v, lam, raw, b, a)
				}
			}
		}
	}
}

// TestTexelCoord: the integer part is the floor and the fraction the rest,
// exactly, below 2²⁴ in magnitude; NaN, infinities and larger values give
// (0, 0).
func TestTexelCoord(t *testing.T) {
	check := func(x float32) {
		i, f := texelCoord(x)
		if !(math.Abs(float64(x)) < 1<<24) {
			if i != 0 || f != 0 {
				t.Fatalf("texelCoord(%v) = %d, %v, want 0, 0", x, i, f)
			}
			return
		}
		if fl := math.Floor(float64(x)); float64(i) != fl || f != float32(float64(x)-fl) {
			t.Fatalf("texelCoord(%v) = %d, %v, want %v, %v", x, i, f, fl, float64(x)-fl)
		}
	}
	for _, x := range []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, -1e-30, 1<<24 - 1, -(1<<24 - 1), 1 << 24, -(1 << 24),
		1e30, -1e30, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		check(x)
	}
	for x := float32(1e-3); x < 1<<25; x *= 1.01 {
		for _, y := range []float32{x, -x, x + 0.5, -x - 0.5, math.Nextafter32(x, 0), -math.Nextafter32(x, 0)} {
			check(y)
		}
	}
}
