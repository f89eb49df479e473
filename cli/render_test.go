package cli

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output is not a PNG: %v", err)
	}
	return img
}

func TestRenderCommand(t *testing.T) {
	godette := testutil.SharedModel(t, "Godette.vrm")
	dir := t.TempDir()
	out := filepath.Join(dir, "front.png")
	code, _, errs := run(t, "render", godette, "--out", out, "--size", "160x120")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b)
	if img.Bounds().Dx() != 160 || img.Bounds().Dy() != 120 {
		t.Fatalf("size %v", img.Bounds())
	}
	bg := color.NRGBAModel.Convert(img.At(2, 2)).(color.NRGBA)
	if bg != (color.NRGBA{0x50, 0x58, 0x64, 0xff}) {
		t.Errorf("corner %v, want the default background", bg)
	}
	// The avatar stands in the middle: the centre column is not background.
	hits := 0
	for y := 0; y < 120; y++ {
		if color.NRGBAModel.Convert(img.At(80, y)) != bg {
			hits++
		}
	}
	if hits < 60 {
		t.Errorf("only %d of 120 pixels in the centre column show the avatar", hits)
	}

	// To standard output, transparent, a VMC camera, an expression and a
	// pose file; the rendering must differ from the front view.
	pose := filepath.Join(dir, "pose.json")
	os.WriteFile(pose, []byte(`{"bones": {"rightUpperArm": [0, 0, 0.5735764, 0.819152]}}`), 0o644)
	code, stdout, errs := run(t, "render", godette, "-o", "-", "--size", "160x120", "--background", "transparent",
		"--camera", "vmc:0,1,2.5,0,1,0,0,25", "--expression", "blink=1", "--expression", "nosuch=0.5", "--pose", pose, "--aa", "off")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, `no expression "nosuch"`) {
		t.Errorf("unknown expression not reported: %q", errs)
	}
	img = decodePNG(t, []byte(stdout))
	if _, _, _, a := img.At(1, 1).RGBA(); a != 0 {
		t.Errorf("transparent background has alpha %d", a)
	}
	if _, _, _, a := img.At(80, 60).RGBA(); a != 0xffff {
		t.Errorf("the avatar at the centre has alpha %d", a)
	}

	for _, view := range []string{"back", "left", "right", "bust"} {
		p := filepath.Join(dir, view+".png")
		if code, _, errs := run(t, "render", godette, "-o", p, "--size", "64x48", "--camera", view, "--yaw", "10", "--pitch", "5", "--zoom", "1.2"); code != 0 {
			t.Errorf("--camera %s: exit %d: %s", view, code, errs)
		}
	}
}

// TestRenderMaxTexture: --max-texture downscales textures at load (Godette's
// are 1024² at most: 0, full size, draws what the default 2048 draws; 8 px
// textures draw differently).
func TestRenderMaxTexture(t *testing.T) {
	godette := testutil.SharedModel(t, "Godette.vrm")
	render := func(args ...string) string {
		t.Helper()
		code, stdout, errs := run(t, append([]string{"render", godette, "-o", "-", "--size", "96x96", "--camera", "bust"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		return stdout
	}
	def := render()
	if full := render("--max-texture", "0"); full != def {
		t.Error("--max-texture 0 drew another image than the default for textures under 2048")
	}
	if tiny := render("--max-texture", "8"); tiny == def {
		t.Error("--max-texture 8 drew the same image as full-size textures")
	}
}

func TestRenderCommandErrors(t *testing.T) {
	godette := filepath.Join("..", "assets", "default.vrm") // the doll: the errors are the flags'
	tmp := t.TempDir()
	out := filepath.Join(tmp, "x.png")
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{godette}, 2, "--out is required"},
		{[]string{godette, "-o", out, "--size", "10"}, 2, "WIDTHxHEIGHT"},
		{[]string{godette, "-o", out, "--size", "0x10"}, 2, "1 to 16384"},
		{[]string{godette, "-o", out, "--camera", "top"}, 2, "want front"},
		{[]string{godette, "-o", out, "--camera", "vmc:1,2,3"}, 2, "3 numbers"},
		{[]string{godette, "-o", out, "--camera", "vmc:0,0,0,0,0,0,0"}, 2, "zero quaternion"},
		{[]string{godette, "-o", out, "--background", "#12345"}, 2, "#RRGGBB"},
		{[]string{godette, "-o", out, "--aa", "8x"}, 2, "neither 4x nor off"},
		{[]string{godette, "-o", out, "--zoom", "0"}, 2, "not positive"},
		{[]string{godette, "-o", out, "--fov", "180"}, 2, "between 0 and 180"},
		{[]string{godette, "-o", out, "--max-texture", "-1"}, 2, "negative"},
		{[]string{godette, "-o", out, "--yaw", "NaN"}, 2, "finite"},
		{[]string{godette, "-o", out, "--expression", "happy"}, 2, "NAME=WEIGHT"},
		{[]string{godette, "-o", out, "--expression", "happy=2"}, 2, "0 to 1"},
		{[]string{filepath.Join(tmp, "nosuch.vrm"), "-o", out}, 1, "nosuch.vrm"},
		{[]string{godette, "-o", out, "--pose", filepath.Join(tmp, "nosuch.json")}, 1, "nosuch.json"},
		{[]string{godette, "-o", filepath.Join(t.TempDir(), "missing", "dir", "x.png")}, 1, "x.png"},
	}
	for _, c := range cases {
		code, _, errs := run(t, append([]string{"render"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, %q; want exit %d mentioning %q", c.args, code, errs, c.code, c.msg)
		}
	}
}

func TestParseSizeColorCamera(t *testing.T) {
	if w, h, err := parseSize("1280×720"); err != nil || w != 1280 || h != 720 {
		t.Errorf("parseSize ×: %d %d %v", w, h, err)
	}
	if w, h, err := parseSize(" 64 X 48 "); err != nil || w != 64 || h != 48 {
		t.Errorf("parseSize spaces: %d %d %v", w, h, err)
	}
	for _, s := range []string{"", "x", "12", "1x", "-1x5", "99999x2", "1e3x2"} {
		if _, _, err := parseSize(s); err == nil {
			t.Errorf("parseSize(%q) accepted", s)
		}
	}
	if c, err := parseColor("#102030"); err != nil || c != (color.NRGBA{0x10, 0x20, 0x30, 0xff}) {
		t.Errorf("parseColor: %v %v", c, err)
	}
	if c, err := parseColor("FFEEDD80"); err != nil || c != (color.NRGBA{0xff, 0xee, 0xdd, 0x80}) {
		t.Errorf("parseColor RGBA: %v %v", c, err)
	}
	if c, err := parseColor("Transparent"); err != nil || c.A != 0 {
		t.Errorf("parseColor transparent: %v %v", c, err)
	}
	for _, s := range []string{"", "#", "#1234567", "#GG0000", "red"} {
		if _, err := parseColor(s); err == nil {
			t.Errorf("parseColor(%q) accepted", s)
		}
	}
	c, err := parseCamera("vmc:1,2,3,0,0,0,2,45")
	if err != nil || c.vmc == nil || c.vmc.Position != [3]float32{1, 2, 3} || c.vmc.Rotation != [4]float32{0, 0, 0, 1} || c.fov != 45 {
		t.Errorf("parseCamera vmc: %+v %v", c, err)
	}
	if c, err := parseCamera("BUST"); err != nil || c.view != "bust" {
		t.Errorf("parseCamera bust: %+v %v", c, err)
	}
	for _, s := range []string{"", "vmc:", "vmc:1,2,3,4,5,6,7,8,9", "vmc:1,2,3,0,0,0,1,0", "vmc:1,2,Inf,0,0,0,1", "vmc:a,2,3,0,0,0,1"} {
		if _, err := parseCamera(s); err == nil {
			t.Errorf("parseCamera(%q) accepted", s)
		}
	}
}

// FuzzRenderFlags feeds arbitrary strings to the render command's value
// parsers: they must never panic, and what they accept must be in range.
func FuzzRenderFlags(f *testing.F) {
	for _, s := range []string{"1280x720", "#505864", "transparent", "vmc:0,1,2.5,0,1,0,0,25", "front", "blink=1", "×", "vmc:,,,,,,", "=0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if w, h, err := parseSize(s); err == nil && (w < 1 || h < 1 || w > maxImageSide || h > maxImageSide) {
			t.Fatalf("parseSize(%q) = %d×%d", s, w, h)
		}
		parseColor(s)
		if c, err := parseCamera(s); err == nil && c.vmc == nil && c.view == "" {
			t.Fatalf("parseCamera(%q) accepted an empty spec", s)
		}
		if e, err := parseExpression(s); err == nil && (e.Name == "" || !(e.Weight >= 0 && e.Weight <= 1)) {
			t.Fatalf("parseExpression(%q) = %+v", s, e)
		}
	})
}
