//go:build cgo

package vrm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kugutsu/kugutsu/internal/testglb"
	"github.com/kugutsu/kugutsu/internal/testutil"
)

// jpegPattern is a w×h opaque test image with what textures hold: smooth
// gradients, a soft ring and a few hard-edged bars. Noise would make the
// decoders' different (equally valid) chroma upsampling dominate any
// comparison.
func jpegPattern(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := math.Hypot(fx-0.5, fy-0.5)
			ring := 0.5 + 0.5*math.Cos(r*40)
			c := color.RGBA{
				R: uint8(255 * fx),
				G: uint8(255 * (0.3 + 0.7*fy*ring)),
				B: uint8(255 * (1 - fx*fy)),
				A: 255,
			}
			if (x/max(1, w/8))%3 == 0 && fy > 0.75 {
				c = color.RGBA{R: 250, G: 240, B: 20, A: 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// goJPEG encodes m with Go's encoder: baseline, 4:2:0 for colour, one
// component for *image.Gray.
func goJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// magickJPEG encodes m with ImageMagick's convert (libjpeg) and the given
// options: what Go's encoder cannot write (progressive, 4:4:4, CMYK). It
// skips the test when convert is missing, unless KUGUTSU_REQUIRE_TOOLS=1.
func magickJPEG(t testing.TB, m *image.RGBA, opts ...string) []byte {
	t.Helper()
	convert := testutil.RequireTool(t, "convert")
	dir := t.TempDir()
	var b bytes.Buffer
	w, h := m.Rect.Dx(), m.Rect.Dy()
	fmt.Fprintf(&b, "P6\n%d %d\n255\n", w, h)
	for i := 0; i < len(m.Pix); i += 4 {
		b.Write(m.Pix[i : i+3])
	}
	in, out := filepath.Join(dir, "in.ppm"), filepath.Join(dir, "out.jpg")
	if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{in}, opts...), out)
	if msg, err := exec.Command(convert, args...).CombinedOutput(); err != nil {
		t.Fatalf("convert %s: %v\n%s", strings.Join(opts, " "), err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// diffStats summarises the per-channel absolute differences (0–255) of
// two images' colour channels.
type diffStats struct {
	max  int     // the largest
	p99  int     // 99th percentile
	mean float64 // mean
}

func (d diffStats) String() string {
	return fmt.Sprintf("largest %d, 99th percentile %d, mean %.3f", d.max, d.p99, d.mean)
}

// within reports whether d is no worse than lim on every measure.
func (d diffStats) within(lim diffStats) bool {
	return d.max <= lim.max && d.p99 <= lim.p99 && d.mean <= lim.mean
}

// setAdobeTransform returns data with its Adobe APP14 marker's colour
// transform set to v (0: RGB or CMYK, 1: YCbCr, 2: YCCK).
func setAdobeTransform(t *testing.T, data []byte, v byte) []byte {
	t.Helper()
	i := bytes.Index(data, []byte("\xff\xee\x00\x0eAdobe"))
	if i < 0 {
		t.Fatal("no Adobe APP14 marker")
	}
	data = bytes.Clone(data)
	data[i+15] = v
	return data
}

// pixelDiff compares two images' colour channels, and fails when their
// sizes differ or an alpha byte of got is not 255.
func pixelDiff(t *testing.T, got, want *image.NRGBA) diffStats {
	t.Helper()
	if got.Rect != want.Rect {
		t.Fatalf("size %v, want %v", got.Rect, want.Rect)
	}
	var hist [256]int
	w, h := got.Rect.Dx(), got.Rect.Dy()
	for y := 0; y < h; y++ {
		g, e := got.Pix[y*got.Stride:][:4*w], want.Pix[y*want.Stride:][:4*w]
		for i := 0; i < 4*w; i++ {
			if i%4 == 3 {
				if g[i] != 255 {
					t.Fatalf("pixel (%d, %d): alpha %d, want 255", i/4, y, g[i])
				}
				continue
			}
			d := int(g[i]) - int(e[i])
			hist[max(d, -d)]++
		}
	}
	var s diffStats
	n, sum, seen := 3*w*h, 0, 0
	for d, c := range hist {
		if c == 0 {
			continue
		}
		s.max = d
		sum += d * c
		if seen < n*99/100 {
			s.p99 = d
		}
		seen += c
	}
	s.mean = float64(sum) / float64(n)
	return s
}

// stdlibNRGBA decodes data with image/jpeg into the loader's form, scaled
// down to fit side as decodeNRGBA did before libjpeg-turbo.
func stdlibNRGBA(t testing.TB, data []byte, side int) *image.NRGBA {
	t.Helper()
	m, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := m.Bounds()
	if w, h := fitSize(b.Dx(), b.Dy(), side); w != b.Dx() || h != b.Dy() {
		return scaleDown(m, w, h)
	}
	return toNRGBA(m)
}

// jpegCase is one encoding of a test image.
type jpegCase struct {
	name string
	data func(t *testing.T) []byte
	// subsampled: the chroma is subsampled (4:2:0, 4:2:2).
	subsampled bool
}

func jpegCases() []jpegCase {
	rgb := func(w, h int) *image.RGBA { return jpegPattern(w, h) }
	gray := func(w, h int) *image.Gray {
		src := jpegPattern(w, h)
		m := image.NewGray(src.Rect)
		for i := range m.Pix {
			m.Pix[i] = src.Pix[4*i+1]
		}
		return m
	}
	magick := func(w, h int, opts ...string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return magickJPEG(t, rgb(w, h), append(opts, "-quality", "90")...) }
	}
	return []jpegCase{
		{"baseline-420", func(t *testing.T) []byte { return goJPEG(t, rgb(192, 128)) }, true},
		{"baseline-420-odd", func(t *testing.T) []byte { return goJPEG(t, rgb(101, 37)) }, true},
		{"baseline-1x1", func(t *testing.T) []byte { return goJPEG(t, rgb(1, 1)) }, true},
		{"gray", func(t *testing.T) []byte { return goJPEG(t, gray(192, 128)) }, false},
		{"gray-odd", func(t *testing.T) []byte { return goJPEG(t, gray(33, 75)) }, false},
		{"progressive-420", magick(192, 128, "-interlace", "JPEG", "-sampling-factor", "2x2"), true},
		{"progressive-444-odd", magick(77, 51, "-interlace", "JPEG", "-sampling-factor", "1x1"), false},
		{"baseline-444", magick(192, 128, "-sampling-factor", "1x1"), false},
		{"baseline-422-odd", magick(67, 45, "-sampling-factor", "2x1"), true},
		{"progressive-gray", magick(64, 48, "-colorspace", "Gray", "-interlace", "JPEG"), false},
		// libjpeg writes CMYK as YCCK (Adobe transform 2); with the
		// transform byte set to 0 the same components are plain CMYK.
		{"ycck", magick(40, 24, "-colorspace", "CMYK"), false},
		{"cmyk", func(t *testing.T) []byte {
			return setAdobeTransform(t, magick(40, 24, "-colorspace", "CMYK")(t), 0)
		}, false},
		{"progressive-ycck-odd", magick(41, 23, "-colorspace", "CMYK", "-interlace", "JPEG"), false},
	}
}

// TestJPEGMatchesStdlib: libjpeg-turbo's pixels, at full size, are
// image/jpeg's for baseline and progressive, 4:2:0, 4:2:2 and 4:4:4,
// grayscale, CMYK and odd sizes: within rounding (the two IDCTs and colour
// conversions round differently) when chroma samples are repeated as
// image/jpeg does; with the fancy upsampling the loader uses, subsampled
// colour differs at hard colour edges (up to the colour step there: the
// pattern's bars), so there only the 99th percentile and the mean are held.
func TestJPEGMatchesStdlib(t *testing.T) {
	rounding := diffStats{max: 3, p99: 1, mean: 0.2}
	fancyEdges := diffStats{max: 255, p99: 48, mean: 6}
	for _, c := range jpegCases() {
		t.Run(c.name, func(t *testing.T) {
			data := c.data(t)
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if four := strings.Contains(c.name, "cmyk") || strings.Contains(c.name, "ycck"); four != (cfg.ColorModel == color.CMYKModel) {
				t.Fatalf("image/jpeg sees colour model %v", cfg.ColorModel)
			}
			want := stdlibNRGBA(t, data, -1)
			m, err := decodeJPEGUpsampling(data, cfg.Width, cfg.Height, -1, false)
			if err != nil {
				t.Fatal(err)
			}
			d := pixelDiff(t, toNRGBA(m), want)
			t.Logf("%d×%d, chroma repeated: %v", cfg.Width, cfg.Height, d)
			if !d.within(rounding) {
				t.Errorf("chroma repeated: differs from image/jpeg by %v, want at most %v", d, rounding)
			}
			got, err := decodeNRGBA(data, "image/jpeg", cfg.Width, cfg.Height, -1, false)
			if err != nil {
				t.Fatal(err)
			}
			lim := rounding
			if c.subsampled {
				lim = fancyEdges
			}
			d = pixelDiff(t, got, want)
			t.Logf("%d×%d, as loaded: %v", cfg.Width, cfg.Height, d)
			if !d.within(lim) {
				t.Errorf("as loaded: differs from image/jpeg by %v, want at most %v", d, lim)
			}
		})
	}
}

// TestJPEGScaledDecode: an image over the preview size is decoded at the
// smallest DCT scale N/8 that covers the kept size (exactly the kept size
// for 1/2, 1/4, 1/8), and the result, after scaleDown to the kept size,
// matches image/jpeg's full decode scaled down the same way: closely where
// the DCT scale is the kept size, within the two resampling filters'
// difference at the pattern's hard edges where scaleDown finishes it.
func TestJPEGScaledDecode(t *testing.T) {
	for _, c := range []struct {
		name         string
		w, h, side   int
		progressive  bool
		outW, outH   int // decodeJPEG's output: the DCT scale
		keptW, keptH int
		lim          diffStats
	}{
		{"half", 512, 384, 256, false, 256, 192, 256, 192, diffStats{16, 2, 0.5}},
		{"half-progressive", 512, 384, 256, true, 256, 192, 256, 192, diffStats{16, 2, 0.5}},
		{"eighth", 640, 320, 80, false, 80, 40, 80, 40, diffStats{6, 3, 1}},
		{"six-eighths", 400, 240, 290, false, 300, 180, 290, 174, diffStats{96, 16, 1.5}},
		{"odd", 333, 111, 100, true, 125, 42, 100, 33, diffStats{96, 32, 3}},
		{"fits", 200, 100, 256, false, 200, 100, 200, 100, diffStats{128, 24, 3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var data []byte
			if c.progressive {
				data = magickJPEG(t, jpegPattern(c.w, c.h), "-interlace", "JPEG", "-sampling-factor", "2x2", "-quality", "90")
			} else {
				data = goJPEG(t, jpegPattern(c.w, c.h))
			}
			m, err := decodeJPEG(data, c.w, c.h, c.side)
			if err != nil {
				t.Fatal(err)
			}
			if b := m.Bounds(); b != image.Rect(0, 0, c.outW, c.outH) {
				t.Errorf("decoded at %v, want the DCT scale's %d×%d", b, c.outW, c.outH)
			}
			got, err := decodeNRGBA(data, "image/jpeg", c.w, c.h, c.side, false)
			if err != nil {
				t.Fatal(err)
			}
			if got.Rect != image.Rect(0, 0, c.keptW, c.keptH) || got.Stride != 4*c.keptW {
				t.Fatalf("kept %v (stride %d), want %d×%d", got.Rect, got.Stride, c.keptW, c.keptH)
			}
			d := pixelDiff(t, got, stdlibNRGBA(t, data, c.side))
			t.Log(d)
			if !d.within(c.lim) {
				t.Errorf("differs from image/jpeg + scaleDown by %v, want at most %v", d, c.lim)
			}
		})
	}
}

// TestJPEGRealTextures: the JPEG textures of a real model decode as
// image/jpeg decodes them.
func TestJPEGRealTextures(t *testing.T) {
	data, err := os.ReadFile(testutil.SharedModel(t, "Godette.vrm"))
	if err != nil {
		t.Fatal(err)
	}
	l := &loader{ctx: context.Background(), limits: DefaultLimits.orDefault(), av: &Model{}}
	if l.doc, err = l.parseContainer(data); err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range l.doc.Images {
		img, mime, err := l.imageBytes(i)
		if err != nil || mime != "image/jpeg" {
			continue
		}
		n++
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeNRGBA(img, mime, cfg.Width, cfg.Height, -1, false)
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		d := pixelDiff(t, got, stdlibNRGBA(t, img, -1))
		t.Logf("image %d, %d×%d: %v", i, cfg.Width, cfg.Height, d)
		if lim := (diffStats{max: 3, p99: 1, mean: 0.2}); !d.within(lim) {
			t.Errorf("image %d differs from image/jpeg by %v, want at most %v", i, d, lim)
		}
	}
	if n != 2 {
		t.Errorf("%d JPEG images in Godette, want 2", n)
	}
}

// TestJPEGBroken: truncated, corrupt, hostile and oversized JPEGs are
// errors, never a crash or a silently grey image.
func TestJPEGBroken(t *testing.T) {
	good := goJPEG(t, jpegPattern(64, 48))
	sos := bytes.Index(good, []byte{0xff, 0xda})
	if sos < 0 {
		t.Fatal("no SOS marker in Go's JPEG")
	}
	// Bytes after the SOS header: entropy-coded data.
	entropy := sos + 2 + (int(good[sos+2])<<8 | int(good[sos+3]))
	cutScan := append(bytes.Clone(good[:entropy+(len(good)-entropy)/3]), 0xff, 0xd9)
	badHuffman := bytes.Clone(good)
	if dht := bytes.Index(badHuffman, []byte{0xff, 0xc4}); dht >= 0 {
		for i := 0; i < 16; i++ {
			badHuffman[dht+5+i] = 0xff // 16 × 255 codes: more than fit
		}
	}
	precision12 := bytes.Clone(good)
	if sof := bytes.Index(precision12, []byte{0xff, 0xc0}); sof >= 0 {
		precision12[sof+4] = 12
	}
	for _, c := range []struct {
		name string
		data []byte
		maxW int
	}{
		{"empty", nil, 64},
		{"not a JPEG", []byte("\x89PNG\r\n\x1a\nnot really"), 64},
		{"only SOI", good[:2], 64},
		{"cut in the header", good[:sos/2], 64},
		{"cut in the scan", good[:entropy+(len(good)-entropy)/2], 64},
		{"cut scan then EOI", cutScan, 64},
		{"bad Huffman table", badHuffman, 64},
		{"12-bit precision", precision12, 64},
		{"wider than checked", good, 63},
		{"12 components", func() []byte {
			// A frame header of 12 components (libjpeg's limit is 10).
			b := bytes.Clone(good)
			sof := bytes.Index(b, []byte{0xff, 0xc0})
			b[sof+9] = 12
			return b
		}(), 64},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := decodeJPEG(c.data, c.maxW, 48, -1)
			if err == nil {
				t.Fatalf("decoded a %v image, want an error", m.Bounds())
			}
			t.Log(err)
		})
	}
}

// jpegScans splits a JPEG after its SOI marker into its scans, each with
// the marker segments before it (the first scan's hold the frame header; a
// progressive file's others their own Huffman tables), its SOS segment and
// its entropy-coded data; the EOI marker is left off.
func jpegScans(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var scans [][]byte
	i, start := 2, 2
	for i+4 <= len(data) && data[i] == 0xff && data[i+1] != 0xd9 {
		marker := data[i+1]
		i += 2 + (int(data[i+2])<<8 | int(data[i+3]))
		if marker != 0xda {
			continue
		}
		// Entropy-coded data runs to the next marker that is neither
		// a stuffed 0xff00 nor a restart marker.
		for i+1 < len(data) && (data[i] != 0xff || data[i+1] == 0 || data[i+1] >= 0xd0 && data[i+1] <= 0xd7) {
			i++
		}
		scans = append(scans, data[start:i])
		start = i
	}
	if len(scans) == 0 || i+2 > len(data) || data[i+1] != 0xd9 {
		t.Fatalf("cannot split the JPEG into scans (stopped at byte %d of %d)", i, len(data))
	}
	return scans
}

// TestJPEGCoefficientBound: libjpeg's coefficient buffer fits the bound the
// loader charges (jpegCoefficientBytes, which also caps libjpeg's memory)
// for progressive images of 4 full-resolution components (YCCK 4:4:4, the
// most coefficients a pixel) and of 4:2:0, at sizes that pad their MCUs
// differently.
func TestJPEGCoefficientBound(t *testing.T) {
	for _, sz := range []image.Point{{1, 1}, {9, 300}, {300, 9}, {64, 64}, {257, 129}, {1000, 1000}} {
		for _, opts := range [][]string{
			{"-colorspace", "CMYK", "-sampling-factor", "1x1"},
			{"-sampling-factor", "2x2"},
		} {
			data := magickJPEG(t, jpegPattern(sz.X, sz.Y), append(opts, "-interlace", "JPEG", "-quality", "90")...)
			if _, err := decodeJPEG(data, sz.X, sz.Y, -1); err != nil {
				t.Errorf("%v %v: %v", sz, opts, err)
			}
		}
	}
}

// jpegAvatar is the synthetic avatar with the image of material 0's base
// colour texture replaced by the JPEG jpg.
func jpegAvatar(t *testing.T, jpg []byte) []byte {
	t.Helper()
	av := synthAvatar(true)
	doc := new(gltf.Document)
	if err := gltf.NewDecoder(bytes.NewReader(encode(t, av, Version1))).Decode(doc); err != nil {
		t.Fatal(err)
	}
	tx := doc.Materials[0].PBRMetallicRoughness.BaseColorTexture
	if tx == nil || doc.Textures[tx.Index].Source == nil {
		t.Fatal("material 0 has no base colour image")
	}
	testglb.EmbedImage(t, doc, *doc.Textures[tx.Index].Source, jpg, "image/jpeg")
	return testglb.Encode(t, doc)
}

// TestLoadJPEGTexture: through Load, a JPEG texture over the preview size
// is kept at it; a truncated one is an error naming the image; one whose
// header is over MaxTextureSize is refused before decoding.
func TestLoadJPEGTexture(t *testing.T) {
	good := goJPEG(t, jpegPattern(300, 200))
	av, err := LoadLimited(bytes.NewReader(jpegAvatar(t, good)), Limits{PreviewTextureSize: 120})
	if err != nil {
		t.Fatal(err)
	}
	tx := av.Textures[av.Materials[0].BaseColorTexture.Texture]
	if tx.MIMEType != "image/jpeg" || tx.Width != 300 || tx.Height != 200 || tx.Image.Rect != image.Rect(0, 0, 120, 80) {
		t.Errorf("texture %s %d×%d kept at %v, want image/jpeg 300×200 kept at 120×80", tx.MIMEType, tx.Width, tx.Height, tx.Image.Rect)
	}
	_, err = Load(bytes.NewReader(jpegAvatar(t, good[:len(good)/2])))
	if err == nil || !strings.Contains(err.Error(), "image ") || !strings.Contains(err.Error(), "libjpeg: Premature end") {
		t.Errorf("truncated JPEG: err = %v, want libjpeg's error naming the image", err)
	}
	huge := bytes.Clone(good)
	sof := bytes.Index(huge, []byte{0xff, 0xc0})
	huge[sof+5], huge[sof+6], huge[sof+7], huge[sof+8] = 0x40, 0x00, 0x40, 0x00 // 16384×16384
	if _, err := Load(bytes.NewReader(jpegAvatar(t, huge))); !errors.Is(err, ErrLimit) {
		t.Errorf("16384² JPEG header: err = %v, want ErrLimit", err)
	}
}

// residentBytes is this process's resident set (VmRSS), bytes, or -1.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}

// TestJPEGGivesMemoryBack: after big decodes (a 2048² progressive 4:4:4
// JPEG, 24 MiB of coefficients, decoded scaled and full size, each on a
// goroutine of its own, so on whichever threads) the process is no larger
// than before: libjpeg's buffers go back to the system, not into the free
// lists of glibc's per-thread heaps (kgTune).
func TestJPEGGivesMemoryBack(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 2048² JPEG six times")
	}
	data := magickJPEG(t, jpegPattern(2048, 2048), "-interlace", "JPEG", "-sampling-factor", "1x1", "-quality", "90")
	settle := func() int64 {
		goruntime.GC()
		debug.FreeOSMemory()
		return residentBytes()
	}
	before := settle()
	if before < 0 {
		t.Skip("no /proc/self/status")
	}
	for i := 0; i < 6; i++ {
		done := make(chan error)
		go func() {
			_, err := decodeNRGBA(data, "image/jpeg", 2048, 2048, 1024*(1+i%2), false)
			done <- err
		}()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	after := settle()
	t.Logf("resident %d MiB before, %d MiB after", before>>20, after>>20)
	// With glibc's dynamic malloc thresholds it grew by 16–24 MiB.
	if after > before+8<<20 {
		t.Errorf("resident memory grew by %d MiB over six decodes, want ≤ 8 MiB", (after-before)>>20)
	}
}

// TestJPEGTooManyScans: a progressive JPEG of more scans than any encoder
// writes (each walks every block of its components again) is refused.
func TestJPEGTooManyScans(t *testing.T) {
	prog := magickJPEG(t, jpegPattern(16, 16), "-interlace", "JPEG", "-quality", "90")
	// Keep the first scans without successive approximation (Al = 0, the
	// refinement scans dropped): a valid progressive JPEG in which a first
	// scan may be repeated without an inconsistent progression.
	scans := jpegScans(t, prog)
	valid := bytes.Clone(prog[:2])
	var last []byte
	for _, sc := range scans {
		sos := bytes.LastIndex(sc, []byte{0xff, 0xda})
		ahal := sos + 2 + (int(sc[sos+2])<<8 | int(sc[sos+3])) - 1
		if sc[ahal]>>4 != 0 {
			continue
		}
		last = bytes.Clone(sc)
		last[ahal] = 0
		valid = append(valid, last...)
	}
	hostile := bytes.Clone(valid)
	for i := 0; i < 600; i++ {
		hostile = append(hostile, last...)
	}
	valid = append(valid, 0xff, 0xd9)
	hostile = append(hostile, 0xff, 0xd9)
	if _, err := decodeJPEG(valid, 16, 16, -1); err != nil {
		t.Fatalf("the %d first scans alone: %v", len(scans), err)
	}
	if _, err := decodeJPEG(hostile, 16, 16, -1); err == nil || !strings.Contains(err.Error(), "more than 500 scans") {
		t.Errorf("err = %v, want more than 500 scans", err)
	}
}

// FuzzDecodeJPEG: libjpeg-turbo through our binding never crashes on any
// input at any scale; what it decodes is an opaque, tightly packed image
// within the checked size, at least as large as the kept size.
func FuzzDecodeJPEG(f *testing.F) {
	f.Add(goJPEG(f, jpegPattern(24, 16)), uint16(8))
	f.Add(goJPEG(f, image.NewGray(image.Rect(0, 0, 9, 7))), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, side uint16) {
		const maxSide = 512
		s := int(side)%(maxSide+1) - 1 // -1: no scaling
		m, err := decodeJPEG(data, maxSide, maxSide, s)
		if err != nil {
			return
		}
		rgba, ok := m.(*image.RGBA)
		if !ok {
			t.Fatalf("decoded a %T", m)
		}
		b := rgba.Rect
		if b.Min != (image.Point{}) || b.Dx() < 1 || b.Dy() < 1 || b.Dx() > maxSide || b.Dy() > maxSide || rgba.Stride != 4*b.Dx() || len(rgba.Pix) != 4*b.Dx()*b.Dy() {
			t.Fatalf("image %v, stride %d, %d bytes", b, rgba.Stride, len(rgba.Pix))
		}
		if !opaque(rgba.Pix) {
			t.Fatal("a decoded pixel is not opaque")
		}
	})
}

var bench4096 struct {
	once                  sync.Once
	baseline, progressive []byte
}

// BenchmarkDecodeJPEG4096: one 4096² JPEG texture (baseline 4:2:0 from Go's
// encoder, progressive 4:2:0 from ImageMagick) decoded into what the
// loader keeps: at the default preview size (2048²) and at full size,
// with image/jpeg as before (decode, then scaleDown or toNRGBA) and with
// libjpeg-turbo (decodeNRGBA). Allocations are Go's only: libjpeg's
// buffers are C memory, freed when the decode returns.
func BenchmarkDecodeJPEG4096(b *testing.B) {
	bench4096.once.Do(func() {
		m := jpegPattern(4096, 4096)
		bench4096.baseline = goJPEG(b, m)
		if _, err := exec.LookPath("convert"); err == nil {
			bench4096.progressive = magickJPEG(b, m, "-interlace", "JPEG", "-sampling-factor", "2x2", "-quality", "90")
		}
	})
	for _, enc := range []struct {
		name string
		data []byte
	}{{"baseline", bench4096.baseline}, {"progressive", bench4096.progressive}} {
		for _, side := range []int{2048, -1} {
			size := "2048"
			if side < 0 {
				size = "full"
			}
			b.Run(enc.name+"/"+size+"/stdlib", func(b *testing.B) {
				if enc.data == nil {
					b.Skip("convert (ImageMagick) not found")
				}
				b.ReportAllocs()
				for b.Loop() {
					_ = stdlibNRGBA(b, enc.data, side)
				}
			})
			b.Run(enc.name+"/"+size+"/libjpeg", func(b *testing.B) {
				if enc.data == nil {
					b.Skip("convert (ImageMagick) not found")
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := decodeNRGBA(enc.data, "image/jpeg", 4096, 4096, side, false); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
