// Package output shows the avatar alone in a borderless X11 window of depth
// 32, so that a capture program (OBS's "Window Capture (Xcomposite)") takes it
// with per-pixel alpha: no UI, no overlays, a size the user picks.
//
// Fyne cannot make a transparent window (fyne-io/fyne#181), so this window is
// drawn with a pure-Go X11 client (github.com/jezek/xgb): a TrueColor visual
// of depth 32 (the ARGB visual the Composite extension adds), images sent
// with MIT-SHM PutImage where the server shares memory with us, else with
// plain PutImage in row bands. No GL and no texture upload are involved.
//
// Alpha convention: X11's ARGB visuals hold premultiplied alpha (the Render
// extension's convention, which compositors and OBS's Xcomposite source
// follow), and Go's image.RGBA is premultiplied too, so Show passes the
// renderer's pixels through unchanged. On an anti-aliased edge a pixel half
// covered by a white avatar reads (A=128, R=G=B=128), not (128, 255, 255,
// 255). Under Wayland the window runs through XWayland (the README gives the
// OBS steps).
package output

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"log"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"
)

// ErrNoX11 is returned by Open when no X server can be reached (no DISPLAY,
// or the connection is refused): the caller falls back to a Fyne window.
var ErrNoX11 = errors.New("output: no X11 display")

// ErrNoARGB is returned by Open when the X server offers no 32-bit TrueColor
// visual (no Composite extension): the caller falls back to a Fyne window
// with a key colour.
var ErrNoARGB = errors.New("output: the X server has no 32-bit ARGB visual")

// Flags are the window-manager options of the output window.
type Flags struct {
	AlwaysOnTop  bool // _NET_WM_STATE_ABOVE
	ClickThrough bool // an empty input shape (XFixes): clicks reach the window below
	SkipTaskbar  bool // _NET_WM_STATE_SKIP_TASKBAR and _SKIP_PAGER
	Border       bool // window-manager decorations (_MOTIF_WM_HINTS); false: borderless
}

// Options configure Open.
type Options struct {
	Display string // X display name; "" for $DISPLAY
	Title   string // window title (_NET_WM_NAME, WM_NAME)
	Width   int    // client area in pixels, 1…4096
	Height  int
	X, Y    int  // position of the window's top-left corner on the screen
	Place   bool // use X, Y; false: let the window manager place it
	Flags   Flags
	// OnClose is called, on the window's event goroutine, when the user
	// closes the window (WM_DELETE_WINDOW). May be nil.
	OnClose func()
	// OnMove is called, on the event goroutine, with the window's new
	// position after the user moved it (ConfigureNotify). May be nil.
	OnMove func(x, y int)
}

// Window is an open output window. Its methods are safe for concurrent use.
type Window struct {
	conn     *xgb.Conn
	screen   *xproto.ScreenInfo
	win      xproto.Window
	gc       xproto.Gcontext
	cmap     xproto.Colormap
	w, h     int
	msbFirst bool // the server wants image bytes most significant first
	maxBytes int  // largest PutImage data, from the server's request limit
	atoms    map[string]xproto.Atom

	mu      sync.Mutex
	flags   Flags
	buf     []byte  // BGRA pixels for plain PutImage
	shm     *shmSeg // MIT-SHM segment; nil when not available
	fixes   bool    // XFixes ≥ 2 is usable (click-through)
	closed  bool    // Close was called
	onClose func()
	onMove  func(x, y int)
	done    chan struct{}
}

// xgb logs connection details through its own logger; errors reach our
// callers as values instead.
func init() { xgb.Logger = log.New(io.Discard, "", 0) }

// maxSide bounds the window's sides (and so the pixel buffer) before
// anything is allocated.
const maxSide = 4096

// Open connects to the X server, creates the window with a 32-bit ARGB
// visual, sets its title and flags, and maps it. Errors: ErrNoX11, ErrNoARGB,
// or an X error naming the request that failed.
func Open(o Options) (*Window, error) {
	conn, err := dial(o.Display, o.Width, o.Height)
	if err != nil {
		return nil, err
	}
	w, err := open(conn, o)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return w, nil
}

// dial checks a window size of width×height pixels against 1…maxSide and
// connects to display ("" for $DISPLAY). Errors: the size, or ErrNoX11.
func dial(display string, width, height int) (*xgb.Conn, error) {
	if width < 1 || height < 1 || width > maxSide || height > maxSide {
		return nil, fmt.Errorf("output: size %d×%d outside 1…%d", width, height, maxSide)
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoX11, err)
	}
	return conn, nil
}

func open(conn *xgb.Conn, o Options) (*Window, error) {
	setup := xproto.Setup(conn)
	screen := setup.DefaultScreen(conn)
	visual, ok := argbVisual(screen)
	if !ok {
		return nil, ErrNoARGB
	}
	w := &Window{
		conn: conn, screen: screen, w: o.Width, h: o.Height,
		msbFirst: setup.ImageByteOrder == xproto.ImageOrderMSBFirst,
		maxBytes: (int(setup.MaximumRequestLength)*4 - 28) &^ 3,
		atoms:    map[string]xproto.Atom{},
		flags:    o.Flags,
		onClose:  o.OnClose, onMove: o.OnMove,
		done: make(chan struct{}),
	}
	ids := make([]uint32, 3)
	for i := range ids {
		id, err := conn.NewId()
		if err != nil {
			return nil, fmt.Errorf("output: new X id: %w", err)
		}
		ids[i] = id
	}
	w.cmap, w.win, w.gc = xproto.Colormap(ids[0]), xproto.Window(ids[1]), xproto.Gcontext(ids[2])
	if err := xproto.CreateColormapChecked(conn, xproto.ColormapAllocNone, w.cmap, screen.Root, visual).Check(); err != nil {
		return nil, fmt.Errorf("output: CreateColormap: %w", err)
	}
	x, y := int16(0), int16(0)
	if o.Place {
		x, y = int16(clamp(o.X, -maxSide, 2*maxSide)), int16(clamp(o.Y, -maxSide, 2*maxSide))
	}
	// A window whose visual differs from its parent's needs its own
	// colormap and an explicit border pixel (X protocol, CreateWindow).
	mask := uint32(xproto.CwBackPixel | xproto.CwBorderPixel | xproto.CwEventMask | xproto.CwColormap)
	vals := []uint32{0, 0, xproto.EventMaskStructureNotify | xproto.EventMaskExposure, uint32(w.cmap)}
	if err := xproto.CreateWindowChecked(conn, 32, w.win, screen.Root, x, y, uint16(o.Width), uint16(o.Height), 0,
		xproto.WindowClassInputOutput, visual, mask, vals).Check(); err != nil {
		return nil, fmt.Errorf("output: CreateWindow (depth 32): %w", err)
	}
	if err := xproto.CreateGCChecked(conn, w.gc, xproto.Drawable(w.win), 0, nil).Check(); err != nil {
		return nil, fmt.Errorf("output: CreateGC: %w", err)
	}
	if xfixes.Init(conn) == nil && shape.Init(conn) == nil {
		if r, err := xfixes.QueryVersion(conn, 5, 0).Reply(); err == nil && r.MajorVersion >= 2 {
			w.fixes = true
		}
	}
	w.shm = newShm(conn, o.Width*o.Height*4, o.Display)
	if w.shm == nil {
		w.buf = make([]byte, o.Width*o.Height*4)
	}
	w.setTitle(o.Title)
	w.setFixedSize(o.Width, o.Height, o.Place)
	w.setProtocols()
	w.applyFlags(o.Flags, false)
	if err := xproto.MapWindowChecked(conn, w.win).Check(); err != nil {
		return nil, fmt.Errorf("output: MapWindow: %w", err)
	}
	if o.Place {
		// Window managers may ignore the CreateWindow position; ask again.
		xproto.ConfigureWindow(conn, w.win, xproto.ConfigWindowX|xproto.ConfigWindowY, []uint32{uint32(int32(x)), uint32(int32(y))})
	}
	go w.events()
	return w, nil
}

// argbVisual finds a TrueColor visual of depth 32 with 8-bit channels.
func argbVisual(s *xproto.ScreenInfo) (xproto.Visualid, bool) {
	for _, d := range s.AllowedDepths {
		if d.Depth != 32 {
			continue
		}
		for _, v := range d.Visuals {
			if v.Class == xproto.VisualClassTrueColor && v.RedMask == 0xff0000 && v.GreenMask == 0xff00 && v.BlueMask == 0xff {
				return v.VisualId, true
			}
		}
	}
	return 0, false
}

// ID is the X window id (for xwininfo, xdotool, OBS's window list).
func (w *Window) ID() uint32 { return uint32(w.win) }

// Size is the window's client size in pixels.
func (w *Window) Size() (width, height int) { return w.w, w.h }

// SharedMemory reports whether images go through MIT-SHM.
func (w *Window) SharedMemory() bool { return w.shm != nil }

// Show draws img (premultiplied RGBA, Go's image.RGBA) at the window's
// top-left; parts outside the window are cut, and the window keeps what it
// had where img does not reach. It returns the X error of the transfer, if
// any; after Close it does nothing.
func (w *Window) Show(img *image.RGBA) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	b := img.Bounds()
	iw, ih := min(b.Dx(), w.w), min(b.Dy(), w.h)
	if iw <= 0 || ih <= 0 {
		return nil
	}
	dst := w.buf
	if w.shm != nil {
		dst = w.shm.mem
	}
	stride := iw * 4
	for y := range ih {
		src := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		swizzle(dst[y*stride:(y+1)*stride], src[:stride], w.msbFirst)
	}
	if w.shm != nil {
		// Checked, so the segment is not rewritten before the server has
		// read it.
		return w.shm.put(w.conn, xproto.Drawable(w.win), w.gc, iw, ih, 32)
	}
	rows := max(1, w.maxBytes/stride)
	var err error
	for y := 0; y < ih; y += rows {
		n := min(rows, ih-y)
		c := xproto.PutImageChecked(w.conn, xproto.ImageFormatZPixmap, xproto.Drawable(w.win), w.gc,
			uint16(iw), uint16(n), 0, int16(y), 0, 32, dst[y*stride:(y+n)*stride])
		if y+n >= ih {
			err = c.Check()
		}
	}
	return err
}

// swizzle turns RGBA bytes into the server's 32-bit ARGB pixels: B, G, R, A
// in memory for LSBFirst servers, A, R, G, B for MSBFirst.
func swizzle(dst, src []byte, msbFirst bool) {
	for i := 0; i+3 < len(src); i += 4 {
		p := uint32(src[i+3])<<24 | uint32(src[i])<<16 | uint32(src[i+1])<<8 | uint32(src[i+2])
		if msbFirst {
			binary.BigEndian.PutUint32(dst[i:], p)
		} else {
			binary.LittleEndian.PutUint32(dst[i:], p)
		}
	}
}

// Flags returns the flags in force.
func (w *Window) Flags() Flags {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flags
}

// SetFlags changes the window-manager options of the mapped window.
func (w *Window) SetFlags(f Flags) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.applyFlags(f, true)
	w.flags = f
}

// Move places the window's top-left corner at x, y on the screen.
func (w *Window) Move(x, y int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		xproto.ConfigureWindow(w.conn, w.win, xproto.ConfigWindowX|xproto.ConfigWindowY,
			[]uint32{uint32(int32(clamp(x, -maxSide, 2*maxSide))), uint32(int32(clamp(y, -maxSide, 2*maxSide)))})
	}
}

// Position asks the server where the window's top-left corner is on the
// screen.
func (w *Window) Position() (x, y int, err error) {
	r, err := xproto.TranslateCoordinates(w.conn, w.win, w.screen.Root, 0, 0).Reply()
	if err != nil {
		return 0, 0, err
	}
	return int(r.DstX), int(r.DstY), nil
}

// Close destroys the window and closes the connection. It may be called
// more than once.
func (w *Window) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	if w.shm != nil {
		w.shm.close(w.conn)
	}
	xproto.DestroyWindow(w.conn, w.win)
	xproto.FreeColormap(w.conn, w.cmap)
	w.mu.Unlock()
	// A round trip makes sure the requests left before the connection
	// closes.
	xproto.GetInputFocus(w.conn).Reply()
	w.conn.Close()
	<-w.done
}

// events reads the window's events until the connection closes.
func (w *Window) events() {
	defer close(w.done)
	for {
		ev, err := w.conn.WaitForEvent()
		if ev == nil && err == nil {
			return
		}
		switch e := ev.(type) {
		case xproto.ClientMessageEvent:
			if e.Format == 32 && xproto.Atom(e.Data.Data32[0]) == w.atom("WM_DELETE_WINDOW") && w.onClose != nil {
				w.onClose()
			}
		case xproto.ConfigureNotifyEvent:
			if w.onMove != nil {
				if x, y, err := w.Position(); err == nil {
					w.onMove(x, y)
				}
			}
		}
	}
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// ScreenSize returns the size in pixels of the X display's default screen
// ("" for $DISPLAY), for keeping windows on it. Errors: ErrNoX11.
func ScreenSize(display string) (width, height int, err error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %v", ErrNoX11, err)
	}
	defer conn.Close()
	s := xproto.Setup(conn).DefaultScreen(conn)
	return int(s.WidthInPixels), int(s.HeightInPixels), nil
}
