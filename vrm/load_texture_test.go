package vrm

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
)

// halvesImage is a w×h image, red on the left half and opaque blue on the
// right.
func halvesImage(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{R: 255, A: 255}
			if x >= w/2 {
				c = color.NRGBA{B: 255, A: 255}
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

// sharedImageAvatar is the synthetic avatar with n textures, each with its
// own sampler, all on one w×h image, every one used by material 0.
func sharedImageAvatar(t *testing.T, n, w, h int) []byte {
	t.Helper()
	av := synthAvatar(true)
	img := halvesImage(w, h)
	av.Textures = nil
	for i := 0; i < n; i++ {
		av.Textures = append(av.Textures, Texture{Name: "shared", MIMEType: "image/png", Image: img, Sampler: Sampler{WrapS: Wrap(i % 3), WrapT: Wrap(i / 3 % 3)}})
	}
	m := &av.Materials[0]
	m.BaseColorTexture = TextureRef{Texture: 0, Scale: m.BaseColorTexture.Scale}
	m.MToon.ShadeTexture = TextureRef{Texture: n - 1, Scale: m.BaseColorTexture.Scale}
	av.Materials[1].BaseColorTexture = TextureRef{Texture: n / 2, Scale: m.BaseColorTexture.Scale}
	return encode(t, av, Version1)
}

// TestTexturesShareOneDecodedImage: textures referencing one glTF image
// share one decoded Image, whatever their samplers.
func TestTexturesShareOneDecodedImage(t *testing.T) {
	av, err := Load(bytes.NewReader(sharedImageAvatar(t, 8, 64, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if len(av.Textures) < 8 {
		t.Fatalf("%d textures, want 8", len(av.Textures))
	}
	first := av.Textures[0].Image
	if first == nil {
		t.Fatal("texture 0 has no image")
	}
	for i, tx := range av.Textures[:8] {
		if tx.Image != first {
			t.Errorf("texture %d has its own copy of the shared image", i)
		}
		if tx.Width != 64 || tx.Height != 32 {
			t.Errorf("texture %d: Width×Height %d×%d, want 64×32", i, tx.Width, tx.Height)
		}
	}
	if av.Textures[1].Sampler == av.Textures[0].Sampler {
		t.Error("the textures' samplers were merged")
	}
}

// TestTexturesDownscaledAtLoad: an image over Limits.PreviewTextureSize is
// kept downscaled to fit it, aspect ratio kept, content in place; Width and
// Height keep the file's size; a negative size keeps full size.
func TestTexturesDownscaledAtLoad(t *testing.T) {
	data := sharedImageAvatar(t, 2, 300, 100)
	for _, c := range []struct {
		side int
		w, h int
	}{
		{64, 64, 21},
		{150, 150, 50},
		{299, 299, 99},
		{300, 300, 100},
		{-1, 300, 100},
	} {
		av, err := LoadLimited(bytes.NewReader(data), Limits{PreviewTextureSize: c.side})
		if err != nil {
			t.Fatal(err)
		}
		tx := av.Textures[0]
		if got := tx.Image.Rect; got != image.Rect(0, 0, c.w, c.h) {
			t.Errorf("side %d: image %v, want %d×%d", c.side, got, c.w, c.h)
			continue
		}
		if tx.Width != 300 || tx.Height != 100 {
			t.Errorf("side %d: Width×Height %d×%d, want the file's 300×100", c.side, tx.Width, tx.Height)
		}
		if tx.Image.Stride != 4*c.w {
			t.Errorf("side %d: stride %d, want tightly packed %d", c.side, tx.Image.Stride, 4*c.w)
		}
		l, r := tx.Image.NRGBAAt(0, c.h/2), tx.Image.NRGBAAt(c.w-1, c.h/2)
		if l != (color.NRGBA{R: 255, A: 255}) || r != (color.NRGBA{B: 255, A: 255}) {
			t.Errorf("side %d: left %v, right %v, want red and blue", c.side, l, r)
		}
	}
	// The default is 2048.
	if DefaultLimits.PreviewTextureSize != 2048 {
		t.Errorf("DefaultLimits.PreviewTextureSize = %d, want 2048", DefaultLimits.PreviewTextureSize)
	}
	if w, h := fitSize(4096, 4096, 2048); w != 2048 || h != 2048 {
		t.Errorf("fitSize(4096², 2048) = %d×%d", w, h)
	}
	if w, h := fitSize(1, 8192, 2048); w != 1 || h != 2048 {
		t.Errorf("fitSize(1×8192, 2048) = %d×%d, want 1×2048", w, h)
	}
}

// TestScaleDownAlphaAndSteps: downscaling many times over goes by halving
// steps and filters premultiplied alpha: a transparent texel's colour does
// not bleed into an opaque neighbour's, and a half-covered area keeps half
// its coverage.
func TestScaleDownAlphaAndSteps(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for i := 0; i < len(m.Pix); i += 8 {
		copy(m.Pix[i:], []uint8{0, 255, 0, 255, 255, 0, 255, 0}) // opaque green, transparent magenta
	}
	got := scaleDown(m, 8, 8)
	if got.Rect != image.Rect(0, 0, 8, 8) {
		t.Fatalf("size %v", got.Rect)
	}
	for i := 0; i < len(got.Pix); i += 4 {
		p := got.Pix[i : i+4]
		if p[0] > 2 || p[2] > 2 || p[1] < 250 || p[3] < 120 || p[3] > 135 {
			t.Fatalf("texel %d = %v, want green at half alpha", i/4, p)
		}
	}
}

// TestNoPixels: with Limits.NoPixels nothing is decoded at load, sizes
// come from the headers, and TextureImage decodes on demand (downscaled as
// at load).
func TestNoPixels(t *testing.T) {
	av, err := LoadLimited(bytes.NewReader(sharedImageAvatar(t, 3, 300, 100)), Limits{NoPixels: true, PreviewTextureSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i, tx := range av.Textures {
		if tx.Image != nil {
			t.Errorf("texture %d was decoded", i)
		}
		if tx.Width == 0 || tx.Height == 0 {
			t.Errorf("texture %d: no size", i)
		}
	}
	img, err := av.TextureImage(0)
	if err != nil {
		t.Fatal(err)
	}
	if img.Rect != image.Rect(0, 0, 100, 33) {
		t.Errorf("TextureImage(0) is %v, want 100×33", img.Rect)
	}
	if err := av.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// TestTextureBudget: an image whose decode alone does not fit
// MaxDecodedBytes is refused before it is decoded, even when the kept,
// downscaled image would fit; shared images are charged once.
func TestTextureBudget(t *testing.T) {
	data := sharedImageAvatar(t, 64, 1024, 1024)
	// Decoding a 1024² PNG needs ~12 MiB; keeping it at 64² needs 21 KiB.
	_, err := LoadLimited(bytes.NewReader(data), Limits{MaxDecodedBytes: 8 << 20, PreviewTextureSize: 64})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "decoding") {
		t.Errorf("err = %v, want a limit error about decoding", err)
	}
	// 64 textures on one 1024² image: charged once (5.3 MiB), not 64 times.
	if _, err := LoadLimited(bytes.NewReader(data), Limits{MaxDecodedBytes: 20 << 20, PreviewTextureSize: -1}); err != nil {
		t.Errorf("64 textures on one image over a 20 MiB budget: %v", err)
	}
}

// TestHugeSharedImageStaysBounded: one 8192² PNG behind 8 textures (a
// 262 KB hostile file took 3.2 GB in the window) is decoded once and kept
// at 2048²: the load allocates about the decode's 256 MiB and the halving
// steps, not a copy per texture.
func TestHugeSharedImageStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes an 8192² image")
	}
	data := func() []byte {
		av := synthAvatar(true)
		img := image.NewNRGBA(image.Rect(0, 0, 8192, 8192))
		av.Textures = nil
		for i := 0; i < 8; i++ {
			av.Textures = append(av.Textures, Texture{Name: "huge", MIMEType: "image/png", Image: img, Sampler: Sampler{WrapS: Wrap(i % 3)}})
		}
		av.Materials[0].BaseColorTexture.Texture = 0
		av.Materials[0].MToon.ShadeTexture.Texture = 7
		av.Materials[1].BaseColorTexture.Texture = 3
		return encode(t, av, Version1)
	}()
	if len(data) > 1<<20 {
		t.Fatalf("the file is %d bytes, want a small one", len(data))
	}
	goruntime.GC()
	var before, after goruntime.MemStats
	goruntime.ReadMemStats(&before)
	av, err := Load(bytes.NewReader(data))
	goruntime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	for i, tx := range av.Textures[:8] {
		if tx.Image != av.Textures[0].Image || tx.Image.Rect.Dx() != 2048 {
			t.Fatalf("texture %d: %v, want the one shared 2048² image", i, tx.Image.Rect)
		}
	}
	const decode = 8192 * 8192 * 4
	t.Logf("loading allocated %d MiB", (after.TotalAlloc-before.TotalAlloc)>>20)
	if got := after.TotalAlloc - before.TotalAlloc; got > decode*3/2 {
		t.Errorf("loading allocated %d MiB, want about the %d MiB decode", got>>20, decode>>20)
	}
}

// TestLoadedAvatarDropsTheFile: an image kept encoded for later (the
// thumbnail) is a copy, so the file's buffer is not kept alive by it.
func TestLoadedAvatarDropsTheFile(t *testing.T) {
	av := loadModel(t, "Godette.vrm")
	th := &av.Textures[av.Meta.Thumbnail]
	if th.lazy == nil {
		t.Fatal("Godette's thumbnail is not kept encoded")
	}
	// An allocation of its own is at most a size class larger.
	if n := len(th.lazy.data); cap(th.lazy.data) > n+n/4 {
		t.Errorf("the thumbnail's bytes are a %d-byte window into a %d-byte buffer", len(th.lazy.data), cap(th.lazy.data))
	}
}

// FuzzScaleDown: any source and target sizes (target within the source)
// give a tightly packed image of the target size, opaque where the source
// is.
func FuzzScaleDown(f *testing.F) {
	f.Add(uint16(300), uint16(100), uint16(64), false)
	f.Add(uint16(1), uint16(999), uint16(7), true)
	f.Fuzz(func(t *testing.T, w, h, side uint16, ycbcr bool) {
		sw, sh := int(w)%1024+1, int(h)%1024+1
		tw, th := fitSize(sw, sh, int(side)%1024+1)
		var src image.Image
		if ycbcr {
			src = image.NewYCbCr(image.Rect(0, 0, sw, sh), image.YCbCrSubsampleRatio420)
		} else {
			m := image.NewNRGBA(image.Rect(0, 0, sw, sh))
			for i := 3; i < len(m.Pix); i += 4 {
				m.Pix[i] = 255
			}
			src = m
		}
		if tw == sw && th == sh {
			return
		}
		got := scaleDown(src, tw, th)
		if got.Rect != image.Rect(0, 0, tw, th) || got.Stride != 4*tw {
			t.Fatalf("%d×%d → %v stride %d, want %d×%d packed", sw, sh, got.Rect, got.Stride, tw, th)
		}
		for i := 3; i < len(got.Pix); i += 4 {
			if got.Pix[i] != 255 {
				t.Fatalf("%d×%d → %d×%d: texel %d has alpha %d", sw, sh, tw, th, i/4, got.Pix[i])
			}
		}
	})
}

// TestSamplerMinFilters: each glTF minFilter maps to its filter within a
// level and its mipmap mode (glTF 2.0 §3.8.4.3; undefined gets trilinear,
// three.js's default).
func TestSamplerMinFilters(t *testing.T) {
	for _, c := range []struct {
		in  gltf.MinFilter
		min Filter
		mip Mipmap
	}{
		{gltf.MinUndefined, FilterLinear, MipmapLinear},
		{gltf.MinLinear, FilterLinear, MipmapNone},
		{gltf.MinNearest, FilterNearest, MipmapNone},
		{gltf.MinLinearMipMapNearest, FilterLinear, MipmapNearest},
		{gltf.MinNearestMipMapNearest, FilterNearest, MipmapNearest},
		{gltf.MinLinearMipMapLinear, FilterLinear, MipmapLinear},
		{gltf.MinNearestMipMapLinear, FilterNearest, MipmapLinear},
	} {
		s := convertSampler(&gltf.Sampler{MinFilter: c.in})
		if s.Min != c.min || s.Mipmap != c.mip {
			t.Errorf("minFilter %v: Min %v, Mipmap %v; want %v, %v", c.in, s.Min, s.Mipmap, c.min, c.mip)
		}
	}
}

// TestSamplersRoundTrip: every combination of filters and mipmap mode is
// written and read back unchanged.
func TestSamplersRoundTrip(t *testing.T) {
	av := synthAvatar(true)
	img := halvesImage(8, 8)
	var want []Sampler
	for _, mag := range []Filter{FilterLinear, FilterNearest} {
		for _, min := range []Filter{FilterLinear, FilterNearest} {
			for _, mip := range []Mipmap{MipmapLinear, MipmapNearest, MipmapNone} {
				want = append(want, Sampler{WrapS: WrapMirror, WrapT: WrapClamp, Mag: mag, Min: min, Mipmap: mip})
			}
		}
	}
	av.Textures = nil
	for _, s := range want {
		av.Textures = append(av.Textures, Texture{Name: "t", MIMEType: "image/png", Image: img, Sampler: s})
	}
	got, err := Load(bytes.NewReader(encode(t, av, Version1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Textures) < len(want) {
		t.Fatalf("%d textures read back, want %d", len(got.Textures), len(want))
	}
	for i, s := range want {
		if g := got.Textures[i].Sampler; g != s {
			t.Errorf("texture %d: sampler %+v read back as %+v", i, s, g)
		}
	}
}
