package main

import (
	bo "encoding/binary"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// viewportChild is the main window's X11 child window (app/viewx11.go):
// the main window is the top-level window titled "Kugutsu…" (not the
// output window), and the child its only child window.
type viewportChild struct {
	parent, win uint32
	mapped      bool
	x, y, w, h  int // in the parent
}

// findViewportChild looks for the viewport's child window; ok is false
// when the main window has no child window (yet).
func findViewportChild(t *testing.T, display string) (viewportChild, bool) {
	t.Helper()
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	root := xproto.Setup(c).DefaultScreen(c).Root
	top, err := xproto.QueryTree(c, root).Reply()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range top.Children {
		p, err := xproto.GetProperty(c, false, w, xproto.AtomWmName, xproto.GetPropertyTypeAny, 0, 256).Reply()
		if err != nil || !strings.HasPrefix(string(p.Value), "Kugutsu") || strings.HasPrefix(string(p.Value), "Kugutsu output") {
			continue
		}
		kids, err := xproto.QueryTree(c, w).Reply()
		if err != nil || len(kids.Children) == 0 {
			continue
		}
		if len(kids.Children) != 1 {
			t.Fatalf("the main window has %d child windows, want 1", len(kids.Children))
		}
		ch := kids.Children[0]
		a, err := xproto.GetWindowAttributes(c, ch).Reply()
		if err != nil {
			t.Fatal(err)
		}
		g, err := xproto.GetGeometry(c, xproto.Drawable(ch)).Reply()
		if err != nil {
			t.Fatal(err)
		}
		return viewportChild{parent: uint32(w), win: uint32(ch), mapped: a.MapState != xproto.MapStateUnmapped,
			x: int(g.X), y: int(g.Y), w: int(g.Width), h: int(g.Height)}, true
	}
	return viewportChild{}, false
}

// waitViewportChild waits until the child window exists and is mapped
// (mapped true) or is missing or unmapped (false).
func waitViewportChild(t *testing.T, display string, mapped bool, what string) viewportChild {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, ok := findViewportChild(t, display)
		if ok && c.mapped == mapped || !ok && !mapped {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the viewport's child window is not %s in 20 s (%+v, found %v)", what, map[bool]string{true: "mapped", false: "hidden"}[mapped], c, ok)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// childImage reads a depth-24 window's pixels over X11 as opaque RGBA.
func childImage(t *testing.T, display string, win uint32, w, h int) *image.RGBA {
	t.Helper()
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := xproto.GetImage(c, xproto.ImageFormatZPixmap, xproto.Drawable(win), 0, 0, uint16(w), uint16(h), 0xffffffff).Reply()
	if err != nil {
		t.Fatalf("GetImage: %v", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		p := bo.LittleEndian.Uint32(r.Data[4*i:])
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = byte(p>>16), byte(p>>8), byte(p), 0xff
	}
	return img
}

// xkey sends keys to the window under the pointer (xdotool).
func xkey(t *testing.T, display string, keys ...string) {
	t.Helper()
	xdotool := requireTool(t, "xdotool")
	cmd := exec.Command(xdotool, append([]string{"mousemove", "400", "300", "key"}, keys...)...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, out)
	}
}

// xclick clicks the first mouse button at x, y of the screen (xdotool).
func xclick(t *testing.T, display string, x, y int) {
	t.Helper()
	xdotool := requireTool(t, "xdotool")
	cmd := exec.Command(xdotool, "mousemove", fmt.Sprint(x), fmt.Sprint(y), "click", "1")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, out)
	}
}

// TestViewportChildWindow: the viewport is drawn by an X11 child window of
// the main window, which is hidden while a dialog shows, covers the
// viewport, shows the avatar and follows a Performer, and whose pixels are
// what a screenshot of the screen shows.
func TestViewportChildWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real window")
	}
	requireTool(t, "xdotool")
	display := startXvfb(t)
	port := freeUDPPort(t)
	// No desktop file chooser: Ctrl+O opens Fyne's file dialog.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "none"))
	// A VRM that is not there: an error dialog at start, then the default
	// avatar. The quality is pinned so two reads compare.
	w := startWindow(t, display, map[string]any{"view.quality": "aa4x"},
		"--vrm", filepath.Join(t.TempDir(), "missing.vrm"), "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	w.showing("Kugutsu")
	w.settle(1, "default avatar")
	time.Sleep(300 * time.Millisecond) // several of the UI's checks
	if c, ok := findViewportChild(t, display); ok && c.mapped {
		t.Fatalf("the child window shows over the error dialog: %+v", c)
	}
	shot := w.screenshot("error-dialog")
	if vp := viewportRect(shot); vp.Dx() > 0 {
		t.Logf("viewport under the dialog: %v", vp)
	}

	xkey(t, display, "Escape") // closes the dialog
	c := waitViewportChild(t, display, true, "dialog closed")
	t.Logf("child window %#x in %#x at (%d,%d) %d×%d", c.win, c.parent, c.x, c.y, c.w, c.h)
	w.settle(1, "after the dialog")
	rest := childImage(t, display, c.win, c.w, c.h)
	full := rest.Rect
	vp := viewportRect(rest)
	if vp.Dx() < c.w*9/10 || vp.Dy() < c.h/2 {
		t.Errorf("the viewport background covers %v of the child window %v", vp, full)
	}
	body := avatarRect(rest, full)
	if body.Dy() < c.h/2 || body.Dx() < c.w/8 {
		t.Errorf("no avatar in the child window: non-background area %v of %v", body, full)
	}

	// The screen shows the child's pixels where the child is.
	screen := w.screenshot("child-shown")
	inScreen := image.NewRGBA(full)
	for y := range c.h {
		for x := range c.w {
			inScreen.SetRGBA(x, y, screen.RGBAAt(c.x+x, c.y+y)) // no window manager: the parent sits at 0,0
		}
	}
	if n := changed(rest, inScreen, full); n > c.w*c.h/100 {
		t.Errorf("the screenshot differs from the child window's pixels in %d of %d pixels", n, c.w*c.h)
	}

	// A Performer raises the left arm: the child's pixels change.
	p := newPerformer(t, port)
	p.bone(humanoid.LeftUpperArm, unityRotation(-80, 0, 0, 1))
	p.send(20)
	w.settle(1, "raised arm")
	raised := childImage(t, display, c.win, c.w, c.h)
	if n := changed(rest, raised, body); n < 150 {
		t.Errorf("after a pose the child window changed in %d pixels of the avatar, want ≥ 150", n)
	}
	if n := changed(rest, raised, part(body, 0, 0.75, 1, 1)); n != 0 {
		t.Errorf("after raising an arm %d pixels of the legs changed", n)
	}

	// Ctrl+B hides the side panel: the viewport, and the child with it,
	// takes the window's width.
	xkey(t, display, "ctrl+b")
	deadline := time.Now().Add(20 * time.Second)
	for {
		wide, ok := findViewportChild(t, display)
		if ok && wide.mapped && wide.w > c.w+200 {
			t.Logf("panel hidden: child window at (%d,%d) %d×%d", wide.x, wide.y, wide.w, wide.h)
			w.settle(1, "panel hidden")
			shot := w.screenshot("panel-hidden")
			if vp := viewportRect(shot); vp.Dx() < wide.w*9/10 {
				t.Errorf("panel hidden: the screen's viewport %v is narrower than the child window (%d px)", vp, wide.w)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("panel hidden: the child window did not grow from %d px wide in 20 s (%+v)", c.w, wide)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The File menu (a Fyne overlay) hides the child; a click beside the
	// menu closes it and the child shows again.
	xclick(t, display, 27, 13)
	waitViewportChild(t, display, false, "File menu")
	time.Sleep(200 * time.Millisecond) // Fyne's repaint after the unmap
	w.screenshot("file-menu")
	xclick(t, display, 600, 400)
	waitViewportChild(t, display, true, "File menu closed")

	// Ctrl+O opens Fyne's file dialog: the child gets out of its way.
	xkey(t, display, "ctrl+o")
	waitViewportChild(t, display, false, "file dialog")
	// The window shows the dialog with its shade over the viewport: no
	// pixel of the plain background colour is left.
	for i := 0; ; i++ {
		shot := w.screenshot("file-dialog")
		vp := viewportRect(shot)
		if vp.Empty() {
			break
		}
		if i == 10 {
			t.Fatalf("with the file dialog open the screen still shows the unshaded viewport background in %v", vp)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestViewportChildWindowOff: no child window with the transparent
// background (the checkerboard is Fyne's), with "Fast viewport (X11)"
// off, or with KUGUTSU_VIEWPORT=fyne; the avatar shows all the same.
func TestViewportChildWindowOff(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real window")
	}
	for _, c := range []struct {
		name  string
		prefs map[string]any
		env   string
	}{
		{"transparent", map[string]any{"view.transparent": true}, ""},
		{"preference off", map[string]any{"view.fastViewport": false}, ""},
		{"KUGUTSU_VIEWPORT=fyne", nil, "fyne"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("KUGUTSU_VIEWPORT", c.env)
			display := startXvfb(t)
			w := startWindow(t, display, c.prefs, "--listen", fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t)))
			w.showing("Kugutsu")
			w.settle(1, "default avatar")
			time.Sleep(300 * time.Millisecond) // several of the UI's checks
			if ch, ok := findViewportChild(t, display); ok && ch.mapped {
				t.Errorf("a child window shows: %+v", ch)
			}
			if s, _ := w.stats(); s.Frames == 0 {
				t.Error("no image shown")
			}
		})
	}
}
