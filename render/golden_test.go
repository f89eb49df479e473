package render

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-gl/mathgl/mgl32"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs under testdata/ (look at every one before committing)")

// renderScene renders one frame with a fresh renderer.
func renderScene(t testing.TB, w, h int, s Scene) *image.RGBA {
	t.Helper()
	r := New(Options{})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r.Render(img, s)
	return img
}

// checkGolden compares img with testdata/name.png within a small tolerance
// (shading maths may round differently on another CPU architecture), or
// rewrites it under -update.
func checkGolden(t *testing.T, name string, img *image.RGBA) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		writePNG(t, path, img)
		t.Logf("wrote %s", path)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if msg := compareImages(want, img); msg != "" {
		dir := filepath.Join(os.TempDir(), "kugutsu-render-golden")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		got := filepath.Join(dir, name+".png")
		writePNG(t, got, img)
		t.Errorf("%s: %s; got image saved as %s", path, msg, got)
	}
}

// compareImages returns "" when the images match: same size, no channel off
// by more than 48, at most 0.2% of pixels off by more than 6 and a mean
// absolute difference under 0.25 per channel.
func compareImages(want image.Image, got *image.RGBA) string {
	if want.Bounds().Size() != got.Rect.Size() {
		return fmt.Sprintf("size %v, want %v", got.Rect.Size(), want.Bounds().Size())
	}
	b := want.Bounds()
	var bad, sum, n, worst int
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bb, a := want.At(b.Min.X+x, b.Min.Y+y).RGBA()
			p := got.Pix[got.PixOffset(got.Rect.Min.X+x, got.Rect.Min.Y+y):]
			d := 0
			for i, w := range []uint32{r >> 8, g >> 8, bb >> 8, a >> 8} {
				diff := int(p[i]) - int(w)
				if diff < 0 {
					diff = -diff
				}
				sum += diff
				d = max(d, diff)
			}
			n += 4
			worst = max(worst, d)
			if d > 6 {
				bad++
			}
		}
	}
	mean := float64(sum) / float64(n)
	if worst > 48 || bad*500 > b.Dx()*b.Dy() || mean > 0.25 {
		return fmt.Sprintf("differs: worst channel %d, %d pixels off by more than 6, mean %.3f", worst, bad, mean)
	}
	return ""
}

func writePNG(t testing.TB, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestGoldenSynthetic(t *testing.T) {
	a, upper, skinCam := sceneSkinned()
	bent := poseFrame(a, map[int]mgl32.Quat{upper: mgl32.QuatRotate(0.8, mgl32.Vec3{0, 0, 1})}, nil)
	cases := []struct {
		name  string
		build func() Scene
	}{
		{"quad", func() Scene {
			a, c := sceneQuad()
			return DefaultScene(a, poseFrame(a, nil, nil), c)
		}},
		{"quad_aa_off", func() Scene {
			a, c := sceneQuad()
			s := DefaultScene(a, poseFrame(a, nil, nil), c)
			s.AA = AAOff
			return s
		}},
		{"blend", func() Scene {
			a, c := sceneBlend()
			return DefaultScene(a, poseFrame(a, nil, nil), c)
		}},
		{"blend_transparent", func() Scene {
			a, c := sceneBlend()
			s := DefaultScene(a, poseFrame(a, nil, nil), c)
			s.Background.A = 0
			return s
		}},
		{"double_sided", func() Scene {
			a, c := sceneDoubleSided()
			return DefaultScene(a, poseFrame(a, nil, nil), c)
		}},
		{"morph", func() Scene {
			a, c := sceneMorph()
			return DefaultScene(a, poseFrame(a, nil, map[int][]float32{0: {1}}), c)
		}},
		{"skinned", func() Scene {
			return DefaultScene(a, bent, skinCam)
		}},
		{"mtoon", func() Scene {
			a, c := sceneMToon()
			return DefaultScene(a, poseFrame(a, nil, nil), c)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.name, renderScene(t, 160, 120, tc.build()))
		})
	}
}
