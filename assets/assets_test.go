package assets_test

import (
	"bytes"
	"image/png"
	"sync"
	"testing"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/assets/internal/generate"
)

func TestIconIsA512PixelPNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(assets.Icon()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Fatalf("icon is %v, want 512×512", b)
	}
	// Opaque in the middle, transparent in the corners (a rounded tile).
	if _, _, _, a := img.At(256, 256).RGBA(); a != 0xffff {
		t.Errorf("icon centre alpha %d", a)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("icon corner alpha %d", a)
	}
}

var (
	genOnce  sync.Once
	genFiles []generate.File
	genErr   error
)

// generated runs the generator once for all tests.
func generated(t *testing.T) []generate.File {
	t.Helper()
	genOnce.Do(func() { genFiles, genErr = generate.Files() })
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genFiles
}

func TestGenerationIsDeterministic(t *testing.T) {
	a := generated(t)
	b, err := generate.Files()
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two runs", a[i].Name)
		}
	}
}
