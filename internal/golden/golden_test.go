package golden

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 8), uint8(y * 8), 128, 255})
		}
	}
	return img
}

func TestCompare(t *testing.T) {
	tol := Tolerance{Worst: 40, Off: 6, OffFraction: 0.01, Mean: 0.5}
	want := gradient(20, 10)
	cases := []struct {
		name  string
		edit  func(*image.RGBA) *image.RGBA
		match string // "" when it must match, else a word of the message
	}{
		{"same", func(g *image.RGBA) *image.RGBA { return g }, ""},
		{"one pixel slightly off", func(g *image.RGBA) *image.RGBA { g.Pix[0] += 5; return g }, ""},
		{"one channel far off", func(g *image.RGBA) *image.RGBA { g.Pix[40] += 41; return g }, "worst channel 41"},
		{"many pixels off", func(g *image.RGBA) *image.RGBA {
			for i := 0; i < 12; i += 4 {
				g.Pix[i*4+2] = 128 + 7
			}
			return g
		}, "3 of 200 pixels"},
		{"size", func(*image.RGBA) *image.RGBA { return gradient(10, 10) }, "size"},
		{"sub-image", func(g *image.RGBA) *image.RGBA {
			big := gradient(30, 20)
			copy(big.Pix, make([]byte, len(big.Pix))) // zero, then place g at (5, 5)
			for y := 0; y < 10; y++ {
				copy(big.Pix[big.PixOffset(5, 5+y):], g.Pix[g.PixOffset(0, y):g.PixOffset(20, y)])
			}
			return big.SubImage(image.Rect(5, 5, 25, 15)).(*image.RGBA)
		}, ""},
	}
	for _, tc := range cases {
		got := tc.edit(gradient(20, 10))
		msg := Compare(want, got, tol)
		if tc.match == "" && msg != "" || tc.match != "" && !strings.Contains(msg, tc.match) {
			t.Errorf("%s: Compare = %q, want %q", tc.name, msg, tc.match)
		}
	}
}

func TestCheckUpdateThenMatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "testdata")
	img := gradient(16, 16)
	Check(t, dir, "g", img, Tolerance{}, true)
	if _, err := os.Stat(filepath.Join(dir, "g.png")); err != nil {
		t.Fatal(err)
	}
	Check(t, dir, "g", img, Tolerance{}, false) // exact round trip through PNG
}
