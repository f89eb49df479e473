package output

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// testImage is w×h, transparent, with an opaque red square in the middle
// and a half-covered white pixel (premultiplied: 128,128,128,128) at (1, 1).
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := h / 4; y < 3*h/4; y++ {
		for x := w / 4; x < 3*w/4; x++ {
			img.SetRGBA(x, y, color.RGBA{200, 10, 20, 255})
		}
	}
	img.SetRGBA(1, 1, color.RGBA{128, 128, 128, 128})
	return img
}

// readBack reads the window's pixels over X11 as RGBA.
func readBack(t *testing.T, display string, win uint32, w, h int) *image.RGBA {
	t.Helper()
	img, depth, err := ReadWindow(display, win)
	if err != nil {
		t.Fatal(err)
	}
	if depth != 32 || img.Rect.Dx() != w || img.Rect.Dy() != h {
		t.Fatalf("read back %v at depth %d, want %dx%d at 32", img.Rect, depth, w, h)
	}
	return img
}

func TestWindowARGB(t *testing.T) {
	display := testutil.StartXvfb(t)
	const w, h = 96, 64
	win, err := Open(Options{Display: display, Title: "Kugutsu output", Width: w, Height: h, Place: true, X: 30, Y: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer win.Close()
	if !win.SharedMemory() {
		t.Error("Xvfb on this machine offers MIT-SHM, but the window does not use it")
	}
	want := testImage(w, h)
	if err := win.Show(want); err != nil {
		t.Fatal(err)
	}
	got := readBack(t, display, win.ID(), w, h)
	for _, p := range []image.Point{{0, 0}, {w - 1, h - 1}, {w / 2, h / 2}, {1, 1}, {w / 4, h / 4}, {w/4 - 1, h / 2}} {
		if g, e := got.RGBAAt(p.X, p.Y), want.RGBAAt(p.X, p.Y); g != e {
			t.Errorf("pixel %v reads %v, want %v", p, g, e)
		}
	}

	out, err := exec.Command(testutil.RequireTool(t, "xwininfo"), "-display", display, "-id", itoa(win.ID())).CombinedOutput()
	if err != nil {
		t.Fatalf("xwininfo: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\s*Depth: 32$`).Match(out) {
		t.Errorf("xwininfo does not show depth 32:\n%s", out)
	}
	if !strings.Contains(string(out), `"Kugutsu output"`) {
		t.Errorf("xwininfo does not show the title:\n%s", out)
	}
}

func TestPlainPutImage(t *testing.T) {
	display := testutil.StartXvfb(t)
	const w, h = 300, 200
	win, err := Open(Options{Display: display, Width: w, Height: h})
	if err != nil {
		t.Fatal(err)
	}
	defer win.Close()
	// Force the request path, in bands smaller than the picture.
	win.mu.Lock()
	if win.shm != nil {
		win.shm.close(win.conn)
		win.shm = nil
	}
	win.buf = make([]byte, w*h*4)
	win.maxBytes = w * 4 * 7
	win.mu.Unlock()
	want := testImage(w, h)
	if err := win.Show(want); err != nil {
		t.Fatal(err)
	}
	got := readBack(t, display, win.ID(), w, h)
	for y := range h {
		for x := range w {
			if got.RGBAAt(x, y) != want.RGBAAt(x, y) {
				t.Fatalf("pixel %d,%d reads %v, want %v", x, y, got.RGBAAt(x, y), want.RGBAAt(x, y))
			}
		}
	}
}

func TestFlags(t *testing.T) {
	display := testutil.StartXvfb(t)
	win, err := Open(Options{Display: display, Width: 32, Height: 32, Flags: Flags{AlwaysOnTop: true, SkipTaskbar: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer win.Close()
	xprop := testutil.RequireTool(t, "xprop")
	state := func() string {
		out, err := exec.Command(xprop, "-display", display, "-id", itoa(win.ID()), "_NET_WM_STATE", "_MOTIF_WM_HINTS").CombinedOutput()
		if err != nil {
			t.Fatalf("xprop: %v\n%s", err, out)
		}
		return string(out)
	}
	s := state()
	for _, a := range []string{"_NET_WM_STATE_ABOVE", "_NET_WM_STATE_SKIP_TASKBAR", "_NET_WM_STATE_SKIP_PAGER"} {
		if !strings.Contains(s, a) {
			t.Errorf("_NET_WM_STATE lacks %s:\n%s", a, s)
		}
	}
	if !strings.Contains(s, "_MOTIF_WM_HINTS(_MOTIF_WM_HINTS) = 0x2, 0x0, 0x0") {
		t.Errorf("not borderless:\n%s", s)
	}
	win.SetFlags(Flags{Border: true, ClickThrough: true})
	s = state()
	if strings.Contains(s, "_NET_WM_STATE_ABOVE") || !strings.Contains(s, "= 0x2, 0x0, 0x1") {
		t.Errorf("flags not changed:\n%s", s)
	}
	if !win.HasClickThrough() {
		t.Error("Xvfb has XFixes 2 and Shape, but click-through is unavailable")
	}
	if f := win.Flags(); !f.Border || !f.ClickThrough || f.AlwaysOnTop {
		t.Errorf("Flags() = %+v", f)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(Options{Display: ":0", Width: 0, Height: 10}); err == nil {
		t.Error("size 0 accepted")
	}
	if _, err := Open(Options{Display: ":0", Width: 1 << 20, Height: 10}); err == nil {
		t.Error("huge size accepted")
	}
	if _, err := Open(Options{Display: "/nonexistent/socket:9", Width: 10, Height: 10}); !errors.Is(err, ErrNoX11) {
		t.Errorf("a display that does not exist: %v, want ErrNoX11", err)
	}
}

func itoa(v uint32) string { return fmt.Sprintf("0x%x", v) }
