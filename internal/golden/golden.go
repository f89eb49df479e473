// Package golden compares rendered images with golden PNGs committed under a
// package's testdata directory, for tests. A golden is never exact: shading
// maths may round differently on another CPU architecture, so a comparison
// allows a Tolerance. Rewriting goldens (each package's -update flag) is for a
// person who then looks at every image before committing it.
package golden

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// Tolerance says how far an image may stray from its golden. Differences
// are per channel of the 8-bit RGBA bytes (0–255).
type Tolerance struct {
	// Worst is the largest difference allowed in any channel of any pixel.
	Worst int
	// Off is the difference above which a pixel (its worst channel) counts
	// as off, and OffFraction the fraction of pixels (0–1) allowed to be off.
	Off         int
	OffFraction float64
	// Mean is the largest mean absolute difference per channel.
	Mean float64
}

// Compare returns "" when got matches want within tol, else a sentence
// saying how it differs: a size mismatch, the worst channel difference, the
// number of pixels off, the mean difference.
func Compare(want image.Image, got *image.RGBA, tol Tolerance) string {
	if want.Bounds().Size() != got.Rect.Size() {
		return fmt.Sprintf("size %v, want %v", got.Rect.Size(), want.Bounds().Size())
	}
	b := want.Bounds()
	var bad, worst, sum int
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bb, a := want.At(b.Min.X+x, b.Min.Y+y).RGBA()
			p := got.Pix[got.PixOffset(got.Rect.Min.X+x, got.Rect.Min.Y+y):]
			d := 0
			for i, w := range [4]uint32{r >> 8, g >> 8, bb >> 8, a >> 8} {
				diff := max(int(p[i])-int(w), int(w)-int(p[i]))
				sum += diff
				d = max(d, diff)
			}
			worst = max(worst, d)
			if d > tol.Off {
				bad++
			}
		}
	}
	pixels := b.Dx() * b.Dy()
	mean := 0.0
	if pixels > 0 {
		mean = float64(sum) / float64(4*pixels)
	}
	if worst > tol.Worst || float64(bad) > tol.OffFraction*float64(pixels) || mean > tol.Mean {
		return fmt.Sprintf("differs: worst channel %d (allowed %d), %d of %d pixels off by more than %d (allowed %.2f%%), mean %.3f (allowed %.3f)",
			worst, tol.Worst, bad, pixels, tol.Off, 100*tol.OffFraction, mean, tol.Mean)
	}
	return ""
}

// Check compares img with the golden dir/name.png within tol and fails the
// test with the difference, saving img to a temporary file to look at. With
// update set it rewrites the golden instead (creating dir).
func Check(t testing.TB, dir, name string, img *image.RGBA, tol Tolerance, update bool) {
	t.Helper()
	path := filepath.Join(dir, name+".png")
	if update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		WritePNG(t, path, img)
		t.Logf("wrote %s", path)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it, then look at it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if msg := Compare(want, img, tol); msg != "" {
		tmp, err := os.MkdirTemp("", "kugutsu-golden-")
		if err != nil {
			t.Fatal(err)
		}
		got := filepath.Join(tmp, name+".png")
		WritePNG(t, got, img)
		t.Errorf("%s %s; got image saved as %s", path, msg, got)
	}
}

// WritePNG encodes img as a PNG file at path, failing the test on error.
func WritePNG(t testing.TB, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
