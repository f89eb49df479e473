package app

import (
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/driver"

	"github.com/kugutsu/kugutsu/output"
)

// viewportEnv set to "fyne" keeps the viewport on Fyne's OpenGL raster
// whatever the View tab says.
const viewportEnv = "KUGUTSU_VIEWPORT"

// fastPollEvery is how often the UI checks whether the child window may
// show (no dialog, menu or pop-up over the window) and where the viewport
// is: a menu opened over the viewport waits at most this long for the
// child window to get out of its way.
const fastPollEvery = 50 * time.Millisecond

// fastView shows the viewport's images in an X11 child window of the Fyne
// window (output.Child), fed with MIT-SHM PutImage on a goroutine of its
// own: a new image then costs no OpenGL repaint of the whole window, which
// with Mesa's software OpenGL took 12–20 CPU-ms per image (issue 14). Fyne
// draws dialogs, menus and pop-ups inside its own window, under any child
// window, so the child is unmapped — and the raster shows the images again
// — while one is open, while the loading overlay or the transparent
// background's checkerboard shows, and for good after any X error. Where
// the window is not an X11 window (Wayland, other systems) it never opens.
//
// The UI goroutine decides what the child should be (update → want); the
// feeder goroutine (run) makes it so and shows each new image.
type fastView struct {
	u    *ui
	view *viewport
	// status says how the viewport is drawn (View tab); set by update
	// from shown and failure.
	status  binding.String
	said    string       // the text status holds (UI goroutine)
	shown   atomic.Int32 // the feeder's: 0 unmapped, 1 mapped, 2 mapped with MIT-SHM
	failMu  sync.Mutex
	failure string // the X error that ended the child window

	wake   chan struct{} // buffered 1: the feeder has something to do
	stop   chan struct{}
	done   chan struct{}
	failed atomic.Bool // an X error: the raster for the rest of the session
	began  atomic.Bool // start ran (the feeder runs)
	noX11  atomic.Bool // the window is not an X11 window: nothing to do

	mu   sync.Mutex // guards want
	want fastState

	parent uint32 // the Fyne window's X11 id, 0 until known (UI goroutine)
	forced bool   // KUGUTSU_VIEWPORT=fyne
}

// fastState is what the child window should be: in which parent, where
// (pixels of the parent) and whether shown.
type fastState struct {
	parent     uint32
	x, y, w, h int
	show       bool
}

// newFastView makes the child-window glue of u's viewport; start begins
// it once the window exists.
func newFastView(u *ui) *fastView {
	f := &fastView{
		u: u, view: u.view, status: binding.NewString(),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		forced: os.Getenv(viewportEnv) == "fyne",
	}
	f.say("Fyne (OpenGL)")
	return f
}

// start begins the feeder and the UI's checks (not with
// KUGUTSU_VIEWPORT=fyne).
func (f *fastView) start() {
	f.began.Store(true)
	go f.run()
	if f.forced {
		f.say("Fyne (OpenGL): " + viewportEnv + "=fyne")
		return
	}
	go every(fastPollEvery, f.stop, func() bool {
		if f.noX11.Load() {
			return false
		}
		fyne.Do(f.update)
		return true
	})
}

// close unmaps and destroys the child window and ends the goroutines.
func (f *fastView) close() {
	select {
	case <-f.stop:
		return
	default:
	}
	close(f.stop)
	if f.began.Load() {
		<-f.done
	}
}

// frameReady wakes the feeder for a new image; any goroutine.
func (f *fastView) frameReady() { f.poke() }

func (f *fastView) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// enabled reports whether the user wants the child window.
func (f *fastView) enabled() bool {
	on, _ := f.u.set.fastViewport.Get()
	return on && !f.forced && !f.failed.Load()
}

// update decides, on the UI goroutine, whether and where the child window
// shows, and hands that to the feeder. Called a few times a second, when
// the raster's size changes and when a dialog opens.
func (f *fastView) update() {
	select {
	case <-f.stop: // closed: the raster again, for whatever is left
		f.view.direct.Store(false)
		return
	default:
	}
	st := fastState{}
	if f.enabled() && f.parent == 0 && !f.noX11.Load() {
		id, x11 := x11Window(f.u.win)
		if !x11 {
			f.noX11.Store(true)
		}
		f.parent = id
	}
	st.parent = f.parent
	if st.parent != 0 && f.enabled() {
		v := f.view
		c := f.u.win.Canvas()
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(v)
		st.x, st.y = c.PixelCoordinateForPosition(pos)
		st.w, st.h = v.pxW, v.pxH
		transparent, _ := f.u.set.transparent.Get()
		st.show = st.w > 0 && st.h > 0 && v.Visible() && c.Overlays().Top() == nil && !menuOpen(c) && !transparent &&
			(f.u.loading == nil || !f.u.loading.Visible())
	}
	if !st.show && f.view.direct.Load() {
		// Back to the raster: it shows the newest image again at once
		// (under the child until the feeder unmaps it).
		f.view.direct.Store(false)
		f.view.raster.Refresh()
	} else if st.show {
		f.view.direct.Store(true)
	}
	f.mu.Lock()
	changed := st != f.want
	f.want = st
	f.mu.Unlock()
	if changed {
		f.poke()
	}
	on, _ := f.u.set.fastViewport.Get()
	f.failMu.Lock()
	failure := f.failure
	f.failMu.Unlock()
	switch {
	case f.forced:
	case failure != "":
		f.say("Fyne (OpenGL): the X11 window failed: " + failure)
	case f.noX11.Load():
		f.say("Fyne (OpenGL): not an X11 window")
	case !on:
		f.say("Fyne (OpenGL)")
	case !st.show:
		f.say("Fyne (OpenGL) while something is drawn over the viewport")
	case f.shown.Load() == 2:
		f.say("X11 child window (MIT-SHM)")
	case f.shown.Load() == 1:
		f.say("X11 child window")
	}
}

// say sets the status text if it changed (UI goroutine).
func (f *fastView) say(s string) {
	if s != f.said {
		f.said = s
		f.status.Set(s)
	}
}

// menuOpen reports whether the window's main menu bar has a menu open.
// Fyne draws the bar and its open menus inside the window, not as a canvas
// overlay; its desktop canvas lists the bar among ObjectTrees, and the bar
// (internal/driver/glfw.MenuBar, fyne 2.8) says IsActive while a menu is
// open. A canvas without these has no menu to open.
func menuOpen(c fyne.Canvas) bool {
	trees, ok := c.(interface{ ObjectTrees() []fyne.CanvasObject })
	if !ok {
		return false
	}
	for _, o := range trees.ObjectTrees() {
		if m, ok := o.(interface{ IsActive() bool }); ok && m.IsActive() {
			return true
		}
	}
	return false
}

// x11Window returns the X11 id of w's native window (0 while it is not
// created yet) and whether it is an X11 window at all (not with Wayland,
// other systems or Fyne's test driver).
func x11Window(w fyne.Window) (id uint32, x11 bool) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return 0, false
	}
	nw.RunNative(func(ctx any) {
		if x, ok := ctx.(driver.X11WindowContext); ok {
			id, x11 = uint32(x.WindowHandle), true
		}
	})
	return id, x11
}

// fail gives up the child window for the session after an X error.
func (f *fastView) fail(err error) {
	select {
	case <-f.stop: // closing: the parent may be gone before the child
		return
	default:
	}
	if f.failed.Swap(true) {
		return
	}
	slog.Warn("viewport: the X11 child window failed; drawing with Fyne", "err", err)
	f.failMu.Lock()
	f.failure = err.Error()
	f.failMu.Unlock()
	fyne.Do(f.update)
	f.poke()
}

// run is the feeder: it opens, moves, maps and unmaps the child window as
// want says, and while it shows, puts each new image in it (Engine.Latest
// tells the engine the image was taken, so it renders the next).
func (f *fastView) run() {
	defer close(f.done)
	var child *output.Child
	var cur fastState
	var fedSeq uint64
	defer func() {
		if child != nil {
			child.Close()
		}
	}()
	for {
		select {
		case <-f.stop:
			return
		case <-f.wake:
		}
		if f.failed.Load() {
			if child != nil {
				child.Close()
				child = nil
			}
			continue
		}
		f.mu.Lock()
		want := f.want
		f.mu.Unlock()
		if child == nil {
			if !want.show {
				continue
			}
			var err error
			child, err = output.OpenChild(output.ChildOptions{Parent: want.parent,
				X: want.x, Y: want.y, Width: want.w, Height: want.h, Hidden: true, OnError: f.fail})
			if err != nil {
				if errors.Is(err, output.ErrNoX11) || errors.Is(err, output.ErrUnsupported) {
					err = errors.New("not available here: " + err.Error())
				}
				f.fail(err)
				continue
			}
			cur = fastState{parent: want.parent, x: want.x, y: want.y, w: want.w, h: want.h}
		}
		var err error
		if want.show && (want.x != cur.x || want.y != cur.y || want.w != cur.w || want.h != cur.h) {
			err = child.SetGeometry(want.x, want.y, want.w, want.h)
			cur.x, cur.y, cur.w, cur.h = want.x, want.y, want.w, want.h
		}
		switch {
		case err != nil:
		case !want.show && cur.show:
			err = child.SetVisible(false)
			cur.show = false
			// Fyne painted the dialog under the child; the parent's
			// pixels there are stale until it paints again.
			f.shown.Store(0)
			fyne.Do(f.view.raster.Refresh)
		case want.show && !cur.show:
			// The newest image first, then map: no stale picture flashes.
			if err = f.feed(child, &fedSeq, true); err == nil {
				err = child.SetVisible(true)
				cur.show = true
				f.shown.Store(1)
				if child.SharedMemory() {
					f.shown.Store(2)
				}
			}
		case cur.show:
			err = f.feed(child, &fedSeq, false)
		}
		if err != nil {
			f.fail(err)
		}
	}
}

// feed shows the engine's newest image in child if it is new (or always,
// with force), recording the UI's part of its time like the raster does.
func (f *fastView) feed(child *output.Child, fedSeq *uint64, force bool) error {
	v := f.view
	if !v.direct.Load() {
		return nil // the raster has it back (a dialog opened)
	}
	v.take.Lock()
	defer v.take.Unlock()
	img, info := v.engine.Latest()
	if img == nil || (info.Seq == *fedSeq && !force) {
		return nil
	}
	fresh := info.Seq != *fedSeq
	*fedSeq = info.Seq
	t0 := time.Now()
	if err := child.Show(img); err != nil {
		return err
	}
	if fresh {
		end := time.Now()
		if !info.Rendered.IsZero() {
			v.times.Queued.Add(max(t0.Sub(info.Rendered), 0))
		}
		v.times.Paint.Add(end.Sub(t0))
		if !info.Received.IsZero() {
			v.times.Latency.Add(end.Sub(info.Received))
		}
	}
	return nil
}
