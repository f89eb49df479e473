package cli

import (
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/internal/vroid"
)

// TestCommandsOnVRoidLayout runs inspect, pose and render on the
// VRoid-layout avatar (internal/vroid), the layout with which `kugutsu
// render` once panicked (issue 11): meshes whose primitives share one
// vertex buffer, an outlined one drawing part of it.
func TestCommandsOnVRoidLayout(t *testing.T) {
	data, err := vroid.VRM()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "vroid.vrm")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "inspect", file)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, errs)
	}
	for _, want := range []string{"VRM 0.x", "3 meshes, 8 primitives", "57 morph targets", "18 chains"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	if code, out, errs := run(t, "pose", file); code != 0 || !strings.Contains(out, "leftHand") {
		t.Errorf("pose: exit %d: %s\n%.300s", code, errs, out)
	}
	png := filepath.Join(dir, "bust.png")
	code, _, errs = run(t, "render", file, "-o", png, "--size", "160x120", "--camera", "bust", "--expression", "Joy=1")
	if code != 0 {
		t.Fatalf("render: exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	bg := color.NRGBA{0x50, 0x58, 0x64, 0xff}
	hits := 0
	for y := 0; y < 120; y++ {
		if color.NRGBAModel.Convert(img.At(80, y)) != bg {
			hits++
		}
	}
	if hits < 80 {
		t.Errorf("only %d of 120 pixels in the centre column show the avatar", hits)
	}
}
