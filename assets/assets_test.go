package assets_test

import (
	"bytes"
	"image/png"
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

func TestGenerationIsDeterministic(t *testing.T) {
	a, err := generate.Files()
	if err != nil {
		t.Fatal(err)
	}
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
