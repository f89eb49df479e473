package marionette

import (
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// waitOutput waits for a fresh output image and returns a copy.
func (te *testEngine) waitOutput(t *testing.T, what string) (*image.RGBA, FrameInfo) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if img, info, fresh := te.LatestOutput(); fresh && img != nil {
			return copyImage(img), info
		}
		select {
		case <-te.OutputReady():
		case <-deadline:
			t.Fatalf("no output image %s within 20 s", what)
		}
	}
}

// TestEngineOutput: the output view draws the same posed avatar at its own
// size with real alpha, and keeps drawing while the viewport's images are
// not taken (the main window hidden while OBS captures the output window).
func TestEngineOutput(t *testing.T) {
	te := godetteEngine(t, false)
	const w, h = 96, 160
	te.SetOutput(&Output{Width: w, Height: h, Background: color.NRGBA{}})
	img, _ := te.waitOutput(t, "after SetOutput")
	if img.Rect != image.Rect(0, 0, w, h) || img.Stride != 4*w {
		t.Fatalf("output image %v stride %d, want tightly packed %dx%d", img.Rect, img.Stride, w, h)
	}
	if a := img.RGBAAt(0, 0).A; a != 0 {
		t.Errorf("corner alpha %d on a transparent background", a)
	}
	opaque, partial := 0, 0
	for i := 3; i < len(img.Pix); i += 4 {
		switch a := img.Pix[i]; {
		case a == 255:
			opaque++
		case a > 0:
			partial++
		}
	}
	if opaque < w*h/50 || partial == 0 {
		t.Errorf("%d opaque and %d partly covered pixels: the avatar is missing or has no anti-aliased edge", opaque, partial)
	}

	// The viewport's image is never taken below; the output still follows
	// every pose.
	before := img
	for i := range 5 {
		te.sendPose(t, map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.UnityAxisAngle(-16*float64(i+1), 0, 0, 1))})
		img, _ = te.waitOutput(t, "after a pose")
	}
	if n := diffIn(before, img, img.Rect); n < 10 {
		t.Errorf("only %d output pixels changed after raising the arm", n)
	}

	// An opaque key colour fills the background.
	key := color.NRGBA{0, 255, 0, 255}
	te.SetOutput(&Output{Width: w, Height: h, Background: key})
	img, _ = te.waitOutput(t, "with a key colour")
	if c := img.RGBAAt(0, 0); c != (color.RGBA{0, 255, 0, 255}) {
		t.Errorf("corner %v, want the key colour", c)
	}
	if o, ok := te.Output(); !ok || o.Background != key {
		t.Errorf("Output() = %+v, %v", o, ok)
	}
	te.SetOutput(nil)
	if _, ok := te.Output(); ok {
		t.Error("the output view is still on after SetOutput(nil)")
	}
}

// TestEngineTransparentViewport: View.Transparent draws the viewport's
// images with alpha 0 behind the avatar and 255 on it.
func TestEngineTransparentViewport(t *testing.T) {
	te := godetteEngine(t, false)
	v := te.View()
	v.Transparent = true
	te.SetView(v)
	img, _ := te.waitImage(t, "transparent", func(img *image.RGBA, _ FrameInfo) bool { return img.RGBAAt(0, 0).A == 0 })
	if opaque := countAlpha(img, 255); opaque < len(img.Pix)/4/50 {
		t.Errorf("%d opaque pixels: no avatar on the transparent background", opaque)
	}
	v.Transparent = false
	te.SetView(v)
	te.waitImage(t, "opaque again", func(img *image.RGBA, _ FrameInfo) bool { return img.RGBAAt(0, 0).A == 255 })
}

func countAlpha(img *image.RGBA, a uint8) int {
	n := 0
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] == a {
			n++
		}
	}
	return n
}
