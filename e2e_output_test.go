package main

import (
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/output"
)

// findWindow waits for a window titled name on display and returns its id.
func findWindow(t *testing.T, display, name string) uint32 {
	t.Helper()
	xdotool := requireTool(t, "xdotool")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		cmd := exec.Command(xdotool, "search", "--name", "^"+regexp.QuoteMeta(name)+"$")
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		if out, err := cmd.Output(); err == nil {
			if id, err := strconv.ParseUint(strings.Fields(string(out))[0], 10, 32); err == nil {
				return uint32(id)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no window named %q in 30 s", name)
	return 0
}

// windowImage reads a depth-32 window's pixels over X11 as premultiplied
// RGBA.
func windowImage(t *testing.T, display string, win uint32) *image.RGBA {
	t.Helper()
	img, depth, err := output.ReadWindow(display, win)
	if err != nil {
		t.Fatal(err)
	}
	if depth != 32 {
		t.Fatalf("the output window has depth %d, want 32", depth)
	}
	return img
}

// saveShot keeps img under KUGUTSU_E2E_SHOTS, on a checkerboard so the
// alpha shows.
func saveShot(t *testing.T, name string, img *image.RGBA) {
	dir := os.Getenv("KUGUTSU_E2E_SHOTS")
	if dir == "" {
		return
	}
	out := image.NewRGBA(img.Rect)
	for y := range img.Rect.Dy() {
		for x := range img.Rect.Dx() {
			bg := uint32(0xcc)
			if (x/16+y/16)%2 == 1 {
				bg = 0x88
			}
			i := img.PixOffset(x, y)
			a := uint32(img.Pix[i+3])
			for k := range 3 {
				out.Pix[i+k] = byte(uint32(img.Pix[i+k]) + bg*(255-a)/255) // premultiplied over
			}
			out.Pix[i+3] = 255
		}
	}
	f, err := os.Create(filepath.Join(dir, t.Name()+"-"+name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, out)
}

// TestOutputWindow: `kugutsu --output` opens the output window — an X11
// window of depth 32 whose pixels, read back over X11, have alpha 0 away
// from the avatar and 255 on it — and the avatar in it moves when a real OSC
// peer (liblo's oscsend) sends a pose.
func TestOutputWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real window")
	}
	oscsend := requireTool(t, "oscsend")
	display := startXvfb(t)
	port := freeUDPPort(t)
	w := startWindow(t, display, map[string]any{"output.size": "720x720", "output.performerWindow": true},
		"--output", "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	w.showing("Kugutsu")
	win := findWindow(t, display, "Kugutsu output")
	xprop := requireTool(t, "xprop")
	wmState := func() string {
		out, _ := exec.Command(xprop, "-display", display, "-id", fmt.Sprint(win), "_NET_WM_STATE").CombinedOutput()
		return string(out)
	}
	if s := wmState(); strings.Contains(s, "_NET_WM_STATE_ABOVE") || !strings.Contains(s, "_NET_WM_STATE_SKIP_TASKBAR") {
		t.Errorf("at start (not on top, hidden from the taskbar): %s", s)
	}

	out, err := exec.Command(requireTool(t, "xwininfo"), "-display", display, "-id", fmt.Sprint(win)).CombinedOutput()
	if err != nil {
		t.Fatalf("xwininfo: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\s*Depth: 32$`).Match(out) || !strings.Contains(string(out), "Width: 720") {
		t.Fatalf("xwininfo:\n%s\nwant a 720×720 window of depth 32", out)
	}

	var rest *image.RGBA
	deadline := time.Now().Add(30 * time.Second)
	for {
		rest = windowImage(t, display, win)
		if opaque(rest) > 2000 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	saveShot(t, "rest", rest)
	for _, p := range []image.Point{{0, 0}, {719, 0}, {0, 719}, {719, 719}, {360, 5}} {
		if a := rest.RGBAAt(p.X, p.Y).A; a != 0 {
			t.Errorf("alpha %d at %v, away from the avatar", a, p)
		}
	}
	if n := opaque(rest); n < 2000 {
		t.Fatalf("only %d opaque pixels: no avatar in the output window", n)
	}

	// Raise the left upper arm 80° (Unity frame: about −Z… as
	// VirtualMotionCapture sends it), from a real OSC peer.
	s, c := math.Sincos(-80 * math.Pi / 360)
	var moved *image.RGBA
	n := 0
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		cmd := exec.Command(oscsend, "127.0.0.1", fmt.Sprint(port), "/VMC/Ext/Bone/Pos", "sfffffff",
			"LeftUpperArm", "0", "0", "0", "0", "0", fmt.Sprint(s), fmt.Sprint(c))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("oscsend: %v\n%s", err, b)
		}
		time.Sleep(200 * time.Millisecond)
		moved = windowImage(t, display, win)
		if n = changedPixels(rest, moved); n > 500 {
			break
		}
	}
	saveShot(t, "raised-arm", moved)
	if n <= 500 {
		t.Errorf("only %d output pixels changed after the Performer raised the arm", n)
	}
	for _, p := range []image.Point{{0, 0}, {719, 719}} {
		if a := moved.RGBAAt(p.X, p.Y).A; a != 0 {
			t.Errorf("alpha %d at %v after the pose", a, p)
		}
	}

	// Allowed in the settings, the Performer's /VMC/Ext/Setting/Win (top-most,
	// transparent, click-through, hide border) drives the window.
	if b, err := exec.Command(oscsend, "127.0.0.1", fmt.Sprint(port), "/VMC/Ext/Setting/Win", "iiii", "1", "1", "0", "1").CombinedOutput(); err != nil {
		t.Fatalf("oscsend: %v\n%s", err, b)
	}
	testutil.Eventually(t, "the Performer's top-most setting", func() bool { return strings.Contains(wmState(), "_NET_WM_STATE_ABOVE") })
}

func opaque(img *image.RGBA) int {
	n := 0
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] == 255 {
			n++
		}
	}
	return n
}

func changedPixels(a, b *image.RGBA) int {
	n := 0
	for i := 0; i+3 < len(a.Pix) && i+3 < len(b.Pix); i += 4 {
		if a.Pix[i] != b.Pix[i] || a.Pix[i+1] != b.Pix[i+1] || a.Pix[i+2] != b.Pix[i+2] || a.Pix[i+3] != b.Pix[i+3] {
			n++
		}
	}
	return n
}

// windowSize returns a window's size in pixels (xdotool getwindowgeometry).
func windowSize(t *testing.T, display string, win uint32) (int, int) {
	t.Helper()
	cmd := exec.Command(requireTool(t, "xdotool"), "getwindowgeometry", fmt.Sprint(win))
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool getwindowgeometry: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Geometry: (\d+)x(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no geometry in %q", out)
	}
	w, _ := strconv.Atoi(string(m[1]))
	h, _ := strconv.Atoi(string(m[2]))
	return w, h
}

// TestWindowNarrowAndHiDPI: the main window opens at 640 px wide (nothing
// forces it wider); at FYNE_SCALE=2 a saved size that no longer fits the
// screen is shrunk to fit, and on a screen where it fits the viewport
// renders at most 1280×720 pixels, stretched, instead of its full
// physical size.
func TestWindowNarrowAndHiDPI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real window")
	}
	t.Run("640px", func(t *testing.T) {
		display := startXvfb(t)
		w := startWindow(t, display, map[string]any{"window.width": 640.0, "window.height": 480.0},
			"--listen", fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t)))
		w.showing("Kugutsu")
		w.settle(1, "the doll at 640 px")
		win := findWindow(t, display, "Kugutsu")
		if ww, wh := windowSize(t, display, win); ww != 640 || wh != 480 {
			t.Errorf("window %dx%d, want 640x480 (its content must fit)", ww, wh)
		}
		w.screenshot("narrow-640")
	})
	t.Run("scale2-shrunk", func(t *testing.T) {
		display := startXvfb(t) // 1280×800: 1280×720 at scale 2 does not fit
		t.Setenv("FYNE_SCALE", "2")
		w := startWindow(t, display, nil, "--listen", fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t)))
		w.showing("Kugutsu")
		w.settle(1, "the doll at scale 2")
		win := findWindow(t, display, "Kugutsu")
		if ww, wh := windowSize(t, display, win); ww > 1280 || wh > 800 {
			t.Errorf("window %dx%d at scale 2 on a 1280x800 screen: not shrunk to fit", ww, wh)
		}
		w.screenshot("scale2-shrunk")
	})
	t.Run("scale2-capped", func(t *testing.T) {
		display := testutil.StartXvfbScreen(t, 2560, 1600)
		t.Setenv("FYNE_SCALE", "2")
		w := startWindow(t, display, nil, "--listen", fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t)))
		w.showing("Kugutsu")
		s := w.settle(1, "the doll at scale 2")
		vw, vh := s.ViewportSize[0], s.ViewportSize[1]
		iw, ih := s.ImageSize[0], s.ImageSize[1]
		t.Logf("viewport %dx%d px, image %dx%d px", vw, vh, iw, ih)
		if vw*vh <= 1280*720 {
			t.Fatalf("viewport %dx%d px at scale 2: the test needs one larger than 1280×720", vw, vh)
		}
		if iw*ih > 1280*720 || iw == 0 {
			t.Errorf("image %dx%d px for a %dx%d viewport: not capped at 1280×720", iw, ih, vw, vh)
		}
		if r, want := float64(iw)/float64(ih), float64(vw)/float64(vh); r < want*0.98 || r > want*1.02 {
			t.Errorf("image aspect %.3f, viewport %.3f", r, want)
		}
	})
}
