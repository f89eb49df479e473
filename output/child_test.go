package output

import (
	"encoding/binary"
	"image"
	"image/color"
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xproto"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// parentWindow creates and maps a top-level window with the root's visual
// (depth 24), as GLFW makes Fyne's, on its own connection.
func parentWindow(t *testing.T, display string, w, h int) (*xgb.Conn, xproto.Window) {
	t.Helper()
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	s := xproto.Setup(c).DefaultScreen(c)
	id, err := c.NewId()
	if err != nil {
		t.Fatal(err)
	}
	win := xproto.Window(id)
	if err := xproto.CreateWindowChecked(c, 0, win, s.Root, 0, 0, uint16(w), uint16(h), 0,
		xproto.WindowClassInputOutput, 0, xproto.CwBackPixel, []uint32{0x00ff00}).Check(); err != nil {
		t.Fatal(err)
	}
	if err := xproto.MapWindowChecked(c, win).Check(); err != nil {
		t.Fatal(err)
	}
	return c, win
}

// pixelAt reads one pixel of a depth-24 window as RGB.
func pixelAt(t *testing.T, c *xgb.Conn, win uint32, x, y int) color.RGBA {
	t.Helper()
	r, err := xproto.GetImage(c, xproto.ImageFormatZPixmap, xproto.Drawable(win), int16(x), int16(y), 1, 1, 0xffffffff).Reply()
	if err != nil {
		t.Fatalf("GetImage: %v", err)
	}
	p := binary.LittleEndian.Uint32(r.Data)
	return color.RGBA{byte(p >> 16), byte(p >> 8), byte(p), 255}
}

// quadrants is w×h, opaque: red left half, blue right half.
func quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{220, 20, 10, 255}
			if x >= w/2 {
				c = color.RGBA{10, 20, 230, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { return x-y < 3 || y-x < 3 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

func TestChildWindow(t *testing.T) {
	display := testutil.StartXvfb(t)
	pc, parent := parentWindow(t, display, 320, 240)
	errs := make(chan error, 8)
	ch, err := OpenChild(ChildOptions{Display: display, Parent: uint32(parent), X: 40, Y: 30, Width: 200, Height: 100,
		OnError: func(err error) { errs <- err }})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()

	tree, err := xproto.QueryTree(pc, parent).Reply()
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Children) != 1 || uint32(tree.Children[0]) != ch.ID() {
		t.Fatalf("parent's children %v, want [%#x]", tree.Children, ch.ID())
	}
	// The empty input shape: no rectangle takes the pointer.
	if err := shape.Init(pc); err != nil {
		t.Fatal(err)
	}
	rects, err := shape.GetRectangles(pc, xproto.Window(ch.ID()), shape.SkInput).Reply()
	if err != nil {
		t.Fatal(err)
	}
	if len(rects.Rectangles) != 0 {
		t.Errorf("input shape %v, want empty", rects.Rectangles)
	}

	red, blue := color.RGBA{220, 20, 10, 255}, color.RGBA{10, 20, 230, 255}
	green := color.RGBA{0, 255, 0, 255}
	for _, size := range []image.Point{{200, 100}, {100, 50}, {333, 177}} {
		if err := ch.Show(quadrants(size.X, size.Y)); err != nil {
			t.Fatalf("Show %v: %v", size, err)
		}
		for _, p := range []struct {
			x, y int
			want color.RGBA
		}{{2, 2, red}, {97, 50, red}, {103, 50, blue}, {197, 97, blue}} {
			if got := pixelAt(t, pc, ch.ID(), p.x, p.y); !near(got, p.want) {
				t.Errorf("image %v: child pixel (%d,%d) = %v, want %v", size, p.x, p.y, got, p.want)
			}
		}
		// In the parent: the child covers (40,30)-(240,130), the parent's
		// green background is around it.
		if got := pixelAt(t, pc, uint32(parent), 45, 35); !near(got, red) {
			t.Errorf("parent pixel under the child = %v, want %v", got, red)
		}
		if got := pixelAt(t, pc, uint32(parent), 20, 20); !near(got, green) {
			t.Errorf("parent pixel outside the child = %v, want %v", got, green)
		}
	}

	if err := ch.SetGeometry(10, 10, 100, 60); err != nil {
		t.Fatal(err)
	}
	g, err := xproto.GetGeometry(pc, xproto.Drawable(ch.ID())).Reply()
	if err != nil {
		t.Fatal(err)
	}
	if g.X != 10 || g.Y != 10 || g.Width != 100 || g.Height != 60 {
		t.Errorf("geometry %+v, want 10,10 100×60", g)
	}
	// The last image (333×177) is scaled again to the new size.
	if got := pixelAt(t, pc, ch.ID(), 90, 30); !near(got, blue) {
		t.Errorf("after resize: pixel (90,30) = %v, want %v", got, blue)
	}

	// An image of the window's size goes straight to it; a resize then
	// stretches it until the next image.
	if err := ch.Show(quadrants(100, 60)); err != nil {
		t.Fatal(err)
	}
	if err := ch.SetGeometry(10, 10, 200, 120); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		x, y int
		want color.RGBA
	}{{5, 5, red}, {90, 100, red}, {110, 100, blue}, {195, 115, blue}} {
		if got := pixelAt(t, pc, ch.ID(), p.x, p.y); !near(got, p.want) {
			t.Errorf("stretched after resize: pixel (%d,%d) = %v, want %v", p.x, p.y, got, p.want)
		}
	}

	if err := ch.SetVisible(false); err != nil {
		t.Fatal(err)
	}
	a, err := xproto.GetWindowAttributes(pc, xproto.Window(ch.ID())).Reply()
	if err != nil {
		t.Fatal(err)
	}
	if a.MapState != xproto.MapStateUnmapped {
		t.Errorf("map state %d after SetVisible(false), want unmapped", a.MapState)
	}
	select {
	case err := <-errs:
		t.Errorf("X error: %v", err)
	default:
	}
}

func TestChildBadParent(t *testing.T) {
	display := testutil.StartXvfb(t)
	if _, err := OpenChild(ChildOptions{Display: display, Parent: 0x7fffff, Width: 10, Height: 10}); err == nil {
		t.Fatal("OpenChild with no such parent succeeded")
	}
	if _, err := OpenChild(ChildOptions{Display: display, Parent: 1, Width: 0, Height: 10}); err == nil {
		t.Fatal("OpenChild with a zero side succeeded")
	}
}

// TestChildParentGone: once the parent window is destroyed (the Fyne
// window closing), Show returns the X error instead of hanging or
// panicking, and Close still works.
func TestChildParentGone(t *testing.T) {
	display := testutil.StartXvfb(t)
	pc, parent := parentWindow(t, display, 64, 48)
	ch, err := OpenChild(ChildOptions{Display: display, Parent: uint32(parent), Width: 32, Height: 24})
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Show(quadrants(32, 24)); err != nil {
		t.Fatal(err)
	}
	if err := xproto.DestroyWindowChecked(pc, parent).Check(); err != nil {
		t.Fatal(err)
	}
	if err := ch.Show(quadrants(16, 12)); err == nil {
		t.Error("Show into a destroyed window returned no error")
	}
	if err := ch.SetGeometry(1, 1, 20, 20); err == nil {
		t.Error("SetGeometry of a destroyed window returned no error")
	}
	ch.Close()
	ch.Close()
}
