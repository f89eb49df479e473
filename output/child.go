package output

import (
	"errors"
	"fmt"
	"image"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/render"
	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"
)

// ErrUnsupported is returned by OpenChild when the parent window's pixels
// are not 32-bit TrueColor with 8-bit R, G, B channels, or the server lacks
// the XFixes 2 and Shape extensions the empty input shape needs: the caller
// keeps drawing with its toolkit.
var ErrUnsupported = errors.New("output: the parent window cannot hold a child image window")

// ChildOptions configure OpenChild.
type ChildOptions struct {
	Display string // X display name; "" for $DISPLAY
	Parent  uint32 // the X window to draw in (the Fyne window's, driver.X11WindowContext)
	// The child's rectangle in the parent's pixels; sides 1…4096.
	X, Y, Width, Height int
	// Hidden leaves the window unmapped until SetVisible(true).
	Hidden bool
	// OnError is called, on the window's event goroutine, with an X error
	// of a request that was not checked (or the connection's end). May be
	// nil.
	OnError func(error)
}

// Child is a window inside another application window that shows images
// drawn by us, not by the toolkit that owns the parent: the Fyne window's
// viewport, so that a new image costs one MIT-SHM PutImage instead of a
// repaint of the whole window with OpenGL (issue 14). It has the parent's
// visual and depth, no window-manager properties, and an empty input shape
// (XFixes), so the pointer and the keyboard reach the parent as if the
// child were not there. Images smaller or larger than the window are
// scaled by the server (Render extension, bilinear), or sampled nearest
// here when the server has no Render. Its methods are safe for concurrent
// use.
type Child struct {
	conn     *xgb.Conn
	win      xproto.Window
	gc       xproto.Gcontext
	depth    byte
	msbFirst bool
	maxBytes int
	display  string
	onError  func(error)
	done     chan struct{}

	mu      sync.Mutex
	w, h    int
	visible bool
	closed  bool
	// Render: the window's picture and format; the source pixmap of the
	// last image's size and its picture (pw, ph: 0 when none).
	render bool
	format render.Pictformat
	dst    render.Picture
	pix    xproto.Pixmap
	src    render.Picture
	pw, ph int
	tw, th int // the window size the source transform was set for
	// Staging pixels in the server's format: an MIT-SHM segment, or buf.
	shm     *shmSeg
	shmSize int
	noShm   bool // MIT-SHM failed once
	buf     []byte
	// The last image shown: its size and whether it went through the
	// pixmap (scaled) or straight to the window; 0×0 before the first.
	iw, ih int
	scaled bool
}

// OpenChild creates and (unless o.Hidden) maps a child window of o.Parent.
// Errors: ErrNoX11, ErrUnsupported, or an X error naming the request that
// failed (a parent that does not exist is one).
func OpenChild(o ChildOptions) (*Child, error) {
	conn, err := dial(o.Display, o.Width, o.Height)
	if err != nil {
		return nil, err
	}
	c, err := openChild(conn, o)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func openChild(conn *xgb.Conn, o ChildOptions) (*Child, error) {
	setup := xproto.Setup(conn)
	parent := xproto.Window(o.Parent)
	attr, err := xproto.GetWindowAttributes(conn, parent).Reply()
	if err != nil {
		return nil, fmt.Errorf("output: GetWindowAttributes of the parent: %w", err)
	}
	geo, err := xproto.GetGeometry(conn, xproto.Drawable(parent)).Reply()
	if err != nil {
		return nil, fmt.Errorf("output: GetGeometry of the parent: %w", err)
	}
	if !rgbVisual(setup, geo.Depth, attr.Visual) {
		return nil, ErrUnsupported
	}
	if xfixes.Init(conn) != nil || shape.Init(conn) != nil {
		return nil, ErrUnsupported
	}
	if r, err := xfixes.QueryVersion(conn, 5, 0).Reply(); err != nil || r.MajorVersion < 2 {
		return nil, ErrUnsupported
	}
	c := &Child{
		conn: conn, depth: geo.Depth, w: o.Width, h: o.Height, display: o.Display, onError: o.OnError,
		msbFirst: setup.ImageByteOrder == xproto.ImageOrderMSBFirst,
		maxBytes: (int(setup.MaximumRequestLength)*4 - 28) &^ 3,
		done:     make(chan struct{}),
	}
	wid, err := conn.NewId()
	if err != nil {
		return nil, fmt.Errorf("output: new X id: %w", err)
	}
	gid, err := conn.NewId()
	if err != nil {
		return nil, fmt.Errorf("output: new X id: %w", err)
	}
	c.win, c.gc = xproto.Window(wid), xproto.Gcontext(gid)
	// Depth and visual CopyFromParent (0); no background (the server does
	// not clear what it exposes, we draw it), north-west bit gravity (a
	// resize keeps the picture in place until the next image).
	mask := uint32(xproto.CwBackPixmap | xproto.CwBitGravity | xproto.CwEventMask)
	vals := []uint32{xproto.BackPixmapNone, xproto.GravityNorthWest, xproto.EventMaskExposure}
	x, y := int16(clamp(o.X, -maxSide, 2*maxSide)), int16(clamp(o.Y, -maxSide, 2*maxSide))
	if err := xproto.CreateWindowChecked(conn, 0, c.win, parent, x, y, uint16(o.Width), uint16(o.Height), 0,
		xproto.WindowClassInputOutput, 0, mask, vals).Check(); err != nil {
		return nil, fmt.Errorf("output: CreateWindow (child): %w", err)
	}
	if err := xproto.CreateGCChecked(conn, c.gc, xproto.Drawable(c.win), 0, nil).Check(); err != nil {
		return nil, fmt.Errorf("output: CreateGC: %w", err)
	}
	// An empty input region: every pointer event goes to the parent.
	rid, err := conn.NewId()
	if err != nil {
		return nil, fmt.Errorf("output: new X id: %w", err)
	}
	xfixes.CreateRegion(conn, xfixes.Region(rid), nil)
	if err := xfixes.SetWindowShapeRegionChecked(conn, c.win, shape.SkInput, 0, 0, xfixes.Region(rid)).Check(); err != nil {
		return nil, fmt.Errorf("output: SetWindowShapeRegion: %w", err)
	}
	xfixes.DestroyRegion(conn, xfixes.Region(rid))
	c.initRender(attr.Visual)
	if !o.Hidden {
		if err := xproto.MapWindowChecked(conn, c.win).Check(); err != nil {
			return nil, fmt.Errorf("output: MapWindow: %w", err)
		}
		c.visible = true
	}
	go c.events()
	return c, nil
}

// rgbVisual reports whether visual (of the given depth) is TrueColor with
// 8-bit channels at 0xff0000, 0xff00, 0xff and its ZPixmap images hold 32
// bits a pixel: the layout swizzle writes.
func rgbVisual(setup *xproto.SetupInfo, depth byte, visual xproto.Visualid) bool {
	if depth != 24 && depth != 32 {
		return false
	}
	bpp := false
	for _, f := range setup.PixmapFormats {
		if f.Depth == depth && f.BitsPerPixel == 32 {
			bpp = true
		}
	}
	if !bpp {
		return false
	}
	for _, s := range setup.Roots {
		for _, d := range s.AllowedDepths {
			for _, v := range d.Visuals {
				if v.VisualId == visual {
					return d.Depth == depth && v.Class == xproto.VisualClassTrueColor &&
						v.RedMask == 0xff0000 && v.GreenMask == 0xff00 && v.BlueMask == 0xff
				}
			}
		}
	}
	return false
}

// initRender sets up the window's Render picture when the server has the
// extension and a picture format for the visual; without it images are
// scaled here.
func (c *Child) initRender(visual xproto.Visualid) {
	if render.Init(c.conn) != nil {
		return
	}
	r, err := render.QueryPictFormats(c.conn).Reply()
	if err != nil {
		return
	}
	for _, s := range r.Screens {
		for _, d := range s.Depths {
			for _, v := range d.Visuals {
				if v.Visual == visual {
					c.format = v.Format
				}
			}
		}
	}
	if c.format == 0 {
		return
	}
	id, err := c.conn.NewId()
	if err != nil {
		return
	}
	c.dst = render.Picture(id)
	if render.CreatePictureChecked(c.conn, c.dst, xproto.Drawable(c.win), c.format, 0, nil).Check() != nil {
		return
	}
	c.render = true
}

// ID is the X window id.
func (c *Child) ID() uint32 { return uint32(c.win) }

// Size is the window's size in pixels.
func (c *Child) Size() (width, height int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w, c.h
}

// SharedMemory reports whether images go through MIT-SHM.
func (c *Child) SharedMemory() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shm != nil
}

// Show draws img (image.RGBA, opaque: the alpha byte goes to the server
// unchanged and a 24-bit window ignores it) over the whole window, scaled
// to the window's size when the sizes differ. It returns when the server
// has drawn it, so img and the staging memory may be reused; it returns
// the X error of the transfer, if any. After Close it does nothing.
func (c *Child) Show(img *image.RGBA) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	b := img.Bounds()
	iw, ih := min(b.Dx(), maxSide), min(b.Dy(), maxSide)
	if iw <= 0 || ih <= 0 {
		return nil
	}
	scaled := iw != c.w || ih != c.h
	if scaled && !c.render {
		// No Render: sample the image at the window's size here.
		dst := c.staging(c.w * c.h * 4)
		sampleNearest(dst, img, c.w, c.h, c.msbFirst)
		c.iw, c.ih, c.scaled = c.w, c.h, false
		return c.put(xproto.Drawable(c.win), c.w, c.h)
	}
	dst := c.staging(iw * ih * 4)
	stride := iw * 4
	for y := range ih {
		src := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		swizzle(dst[y*stride:(y+1)*stride], src[:stride], c.msbFirst)
	}
	c.iw, c.ih, c.scaled = iw, ih, scaled
	if !scaled {
		return c.put(xproto.Drawable(c.win), iw, ih)
	}
	if err := c.sourcePixmap(iw, ih); err != nil {
		return err
	}
	if err := c.put(xproto.Drawable(c.pix), iw, ih); err != nil {
		return err
	}
	return c.composite()
}

// staging returns n bytes of staging memory: the shared segment or buf,
// grown when too small.
func (c *Child) staging(n int) []byte {
	if c.shm != nil && c.shmSize >= n {
		return c.shm.mem[:n]
	}
	if len(c.buf) >= n {
		return c.buf[:n]
	}
	if c.shm != nil {
		c.shm.close(c.conn)
		c.shm = nil
	}
	if !c.noShm {
		if s := newShm(c.conn, n, c.display); s != nil {
			c.shm, c.shmSize = s, n
			return s.mem[:n]
		}
		c.noShm = true // no MIT-SHM here: PutImage from now on
	}
	c.buf = make([]byte, n)
	return c.buf
}

// put sends the first width×height staged pixels to d's origin and waits
// for the server to have read them.
func (c *Child) put(d xproto.Drawable, width, height int) error {
	if c.shm != nil {
		return c.shm.put(c.conn, d, c.gc, width, height, c.depth)
	}
	stride := width * 4
	rows := max(1, c.maxBytes/stride)
	var err error
	for y := 0; y < height; y += rows {
		n := min(rows, height-y)
		ck := xproto.PutImageChecked(c.conn, xproto.ImageFormatZPixmap, d, c.gc,
			uint16(width), uint16(n), 0, int16(y), 0, c.depth, c.buf[y*stride:(y+n)*stride])
		if y+n >= height {
			err = ck.Check()
		}
	}
	return err
}

// sourcePixmap makes the pixmap that holds an image to be scaled iw×ih,
// with a picture that samples it bilinearly, padding at the edges.
func (c *Child) sourcePixmap(iw, ih int) error {
	if c.pw == iw && c.ph == ih {
		return nil
	}
	c.freeSource()
	pid, err := c.conn.NewId()
	if err != nil {
		return err
	}
	sid, err := c.conn.NewId()
	if err != nil {
		return err
	}
	c.pix, c.src = xproto.Pixmap(pid), render.Picture(sid)
	if err := xproto.CreatePixmapChecked(c.conn, c.depth, c.pix, xproto.Drawable(c.win), uint16(iw), uint16(ih)).Check(); err != nil {
		return fmt.Errorf("output: CreatePixmap: %w", err)
	}
	if err := render.CreatePictureChecked(c.conn, c.src, xproto.Drawable(c.pix), c.format,
		render.CpRepeat, []uint32{render.RepeatPad}).Check(); err != nil {
		xproto.FreePixmap(c.conn, c.pix)
		return fmt.Errorf("output: CreatePicture: %w", err)
	}
	const filter = "bilinear"
	render.SetPictureFilter(c.conn, c.src, uint16(len(filter)), filter, nil)
	c.pw, c.ph, c.tw, c.th = iw, ih, 0, 0
	return nil
}

// freeSource frees the source pixmap and its picture.
func (c *Child) freeSource() {
	if c.pw != 0 {
		render.FreePicture(c.conn, c.src)
		xproto.FreePixmap(c.conn, c.pix)
		c.pw, c.ph = 0, 0
	}
}

// composite draws the source pixmap over the window, scaled to its size.
func (c *Child) composite() error {
	if c.tw != c.w || c.th != c.h {
		// The transform maps window pixels to source pixels (Render
		// protocol, "SetPictureTransform"), in 16.16 fixed point.
		fx := func(v float64) render.Fixed { return render.Fixed(v * 65536) }
		render.SetPictureTransform(c.conn, c.src, render.Transform{
			Matrix11: fx(float64(c.pw) / float64(c.w)), Matrix22: fx(float64(c.ph) / float64(c.h)), Matrix33: fx(1),
		})
		c.tw, c.th = c.w, c.h
	}
	return render.CompositeChecked(c.conn, render.PictOpSrc, c.src, 0, c.dst, 0, 0, 0, 0, 0, 0,
		uint16(c.w), uint16(c.h)).Check()
}

// sampleNearest writes img sampled at w×h (nearest pixel) in the server's
// pixel format.
func sampleNearest(dst []byte, img *image.RGBA, w, h int, msbFirst bool) {
	b := img.Bounds()
	iw, ih := b.Dx(), b.Dy()
	row := make([]byte, 4*w)
	for y := range h {
		sy := b.Min.Y + (2*y+1)*ih/(2*h)
		for x := range w {
			sx := b.Min.X + (2*x+1)*iw/(2*w)
			copy(row[4*x:4*x+4], img.Pix[img.PixOffset(sx, sy):])
		}
		swizzle(dst[4*w*y:4*w*(y+1)], row, msbFirst)
	}
}

// redraw draws the last image again (after an Expose).
func (c *Child) redraw() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.iw == 0 {
		return nil
	}
	if c.scaled {
		return c.composite()
	}
	if c.iw == c.w && c.ih == c.h {
		return c.put(xproto.Drawable(c.win), c.iw, c.ih)
	}
	if !c.render {
		return nil // the next image, at the new size, comes soon
	}
	// The window was resized: stretch the last image (still staged) until
	// one of the new size comes.
	if err := c.sourcePixmap(c.iw, c.ih); err != nil {
		return err
	}
	if err := c.put(xproto.Drawable(c.pix), c.iw, c.ih); err != nil {
		return err
	}
	c.scaled = true
	return c.composite()
}

// SetGeometry moves and resizes the window in its parent's pixels (sides
// clamped to 1…4096); a scaled image is drawn again at the new size.
func (c *Child) SetGeometry(x, y, width, height int) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	width, height = clamp(width, 1, maxSide), clamp(height, 1, maxSide)
	resized := width != c.w || height != c.h
	c.w, c.h = width, height
	err := xproto.ConfigureWindowChecked(c.conn, c.win,
		xproto.ConfigWindowX|xproto.ConfigWindowY|xproto.ConfigWindowWidth|xproto.ConfigWindowHeight,
		[]uint32{uint32(int32(clamp(x, -maxSide, 2*maxSide))), uint32(int32(clamp(y, -maxSide, 2*maxSide))),
			uint32(width), uint32(height)}).Check()
	c.mu.Unlock()
	if err == nil && resized {
		err = c.redraw()
	}
	return err
}

// SetVisible maps or unmaps the window.
func (c *Child) SetVisible(on bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || on == c.visible {
		return nil
	}
	c.visible = on
	if on {
		return xproto.MapWindowChecked(c.conn, c.win).Check()
	}
	return xproto.UnmapWindowChecked(c.conn, c.win).Check()
}

// Visible reports whether the window is mapped (SetVisible).
func (c *Child) Visible() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.visible
}

// Close destroys the window and closes the connection. It may be called
// more than once, also after the parent is gone.
func (c *Child) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.freeSource()
	if c.render {
		render.FreePicture(c.conn, c.dst)
	}
	if c.shm != nil {
		c.shm.close(c.conn)
	}
	xproto.DestroyWindow(c.conn, c.win)
	c.mu.Unlock()
	xproto.GetInputFocus(c.conn).Reply()
	c.conn.Close()
	<-c.done
}

// events reads the window's events until the connection closes: Expose
// draws the last image again; an X error goes to OnError.
func (c *Child) events() {
	defer close(c.done)
	for {
		ev, err := c.conn.WaitForEvent()
		if ev == nil && err == nil {
			return
		}
		if err != nil {
			if c.onError != nil {
				c.onError(err)
			}
			continue
		}
		if e, ok := ev.(xproto.ExposeEvent); ok && e.Count == 0 {
			if err := c.redraw(); err != nil && c.onError != nil {
				c.onError(err)
			}
		}
	}
}
