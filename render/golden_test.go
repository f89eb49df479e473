package render

import (
	"flag"
	"image"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/golden"
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

// tolerance is how far a render may stray from its golden or from another
// render that should match it.
var tolerance = golden.Tolerance{Worst: 48, Off: 6, OffFraction: 0.002, Mean: 0.25}

// checkGolden compares img with testdata/name.png, or rewrites it under
// -update.
func checkGolden(t *testing.T, name string, img *image.RGBA) {
	t.Helper()
	golden.Check(t, "testdata", name, img, tolerance, *update)
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
