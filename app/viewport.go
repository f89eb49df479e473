package app

import (
	"image"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/marionette"
)

// Mouse sensitivity of the viewport.
const (
	rotatePerPixel = 0.008  // radians of orbit per logical pixel dragged
	zoomPerScroll  = 0.0015 // log-distance per scroll unit (a wheel notch is about 10 units in fyne)
)

// viewport shows the engine's images: a canvas.Raster whose generator
// returns the newest finished image at the exact physical pixel size it is
// asked for (field notes §7: no CPU rescaling, no conversion), so painting
// costs one texture upload. Mouse: drag orbits, secondary drag, middle
// drag or shift-drag pans, the wheel zooms, a double click frames the
// avatar again.
//
// Where it can, an X11 child window over the raster shows the images
// instead (fastView, viewx11.go): then direct is set, the raster stands
// still and frameReady wakes the child window's feeder.
type viewport struct {
	widget.BaseWidget
	engine *marionette.Engine
	raster *canvas.Raster
	blank  *image.RGBA

	pending atomic.Bool // a refresh is queued with fyne.Do

	// direct: the images go to the child window, not the raster. take
	// serialises Engine.Latest and the use of its image between the
	// raster and the feeder. fast is nil where there is no child window;
	// pxW, pxH is the raster's size in pixels (UI goroutine).
	direct   atomic.Bool
	take     sync.Mutex
	fast     *fastView
	pxW, pxH int

	// The UI's part of each image's time (see uiTimes); refreshed and
	// shownSeq belong to the UI goroutine.
	times     uiTimes
	refreshed time.Time // when the latest raster refresh ran
	shownSeq  uint64    // FrameInfo.Seq of the image on screen

	button   desktop.MouseButton // held since MouseDown
	modifier fyne.KeyModifier
	last     fyne.Position // previous pointer position of a secondary drag
}

// init makes v the viewport of e. The viewport exists before the engine
// so that the engine's Config.OnFrame can be v.frameReady.
func (v *viewport) init(e *marionette.Engine) {
	v.engine = e
	v.blank = image.NewRGBA(image.Rect(0, 0, 1, 1))
	v.raster = canvas.NewRaster(v.generate)
	v.ExtendBaseWidget(v)
}

// CreateRenderer implements fyne.Widget.
func (v *viewport) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.raster) }

// MinSize implements fyne.Widget.
func (v *viewport) MinSize() fyne.Size { return fyne.NewSize(240, 180) }

// generate is the raster's generator, called on the UI goroutine with the
// size in physical pixels: it tells the engine the size and returns the
// newest image (of the previous size for a frame while resizing; the GPU
// stretches it).
func (v *viewport) generate(w, h int) image.Image {
	v.engine.Resize(w, h)
	if w != v.pxW || h != v.pxH {
		v.pxW, v.pxH = w, h
		if v.fast != nil {
			fyne.Do(v.fast.update) // follow the new size (not from inside the paint)
		}
	}
	if v.direct.Load() {
		return v.blank // under the child window
	}
	v.take.Lock()
	defer v.take.Unlock()
	img, info := v.engine.Latest()
	if img == nil {
		return v.blank
	}
	if info.Seq != v.shownSeq {
		v.shownSeq = info.Seq
		v.timeImage(info)
	}
	return img
}

// uiTimes are the UI's part of each new image's time, from the engine
// publishing it to fyne having painted the window with it.
type uiTimes struct {
	// Queued is from the image published to the raster refresh running on
	// the UI goroutine (fyne.Do); WaitPaint from there to fyne's painter
	// asking for the image (its next frame tick, and the paint of what
	// lies under the viewport); Paint from there to the end of that paint
	// (texture upload, the rest of the window, buffer swap — the end is
	// when the UI goroutine next runs queued work, which on a busy window
	// may be after one more paint).
	Queued, WaitPaint, Paint marionette.Samples
	// Latency is packet arrival to the end of the paint showing it, for
	// images made by a new packet (Stats.Latency stops at Latest).
	Latency marionette.Samples
}

// timeImage records the UI's times of a new image taken by the painter.
func (v *viewport) timeImage(info marionette.FrameInfo) {
	now := time.Now()
	if !v.refreshed.IsZero() && !info.Rendered.IsZero() {
		v.times.Queued.Add(max(v.refreshed.Sub(info.Rendered), 0))
		v.times.WaitPaint.Add(now.Sub(v.refreshed))
	}
	fyne.Do(func() {
		end := time.Now()
		v.times.Paint.Add(end.Sub(now))
		if !info.Received.IsZero() {
			v.times.Latency.Add(end.Sub(info.Received))
		}
	})
}

// frameReady asks fyne to repaint with the engine's new image. It may be
// called from any goroutine; calls coalesce until the repaint is queued.
// While the child window shows, it wakes the child's feeder instead.
func (v *viewport) frameReady() {
	if v.direct.Load() {
		v.fast.frameReady()
		return
	}
	if v.pending.CompareAndSwap(false, true) {
		fyne.Do(func() {
			v.pending.Store(false)
			if !v.direct.Load() {
				v.refreshed = time.Now()
				v.raster.Refresh()
			}
		})
	}
}

// MouseDown implements desktop.Mouseable: it notes which button drags.
func (v *viewport) MouseDown(ev *desktop.MouseEvent) {
	v.button, v.modifier, v.last = ev.Button, ev.Modifier, ev.Position
}

// MouseUp implements desktop.Mouseable.
func (v *viewport) MouseUp(*desktop.MouseEvent) { v.button = 0 }

// Dragged implements fyne.Draggable (fyne sends it for the primary and
// middle buttons).
func (v *viewport) Dragged(ev *fyne.DragEvent) {
	if v.button == desktop.MouseButtonTertiary || v.modifier&fyne.KeyModifierShift != 0 {
		v.pan(ev.Dragged.DX, ev.Dragged.DY)
		return
	}
	v.engine.RotateView(-ev.Dragged.DX*rotatePerPixel, ev.Dragged.DY*rotatePerPixel)
}

// DragEnd implements fyne.Draggable.
func (v *viewport) DragEnd() {}

// MouseIn implements desktop.Hoverable.
func (v *viewport) MouseIn(ev *desktop.MouseEvent) { v.last = ev.Position }

// MouseMoved implements desktop.Hoverable: fyne sends no Dragged for the
// secondary button, so a secondary drag pans from here.
func (v *viewport) MouseMoved(ev *desktop.MouseEvent) {
	if ev.Button&desktop.MouseButtonSecondary != 0 && v.button == desktop.MouseButtonSecondary {
		v.pan(ev.Position.X-v.last.X, ev.Position.Y-v.last.Y)
	}
	v.last = ev.Position
}

// MouseOut implements desktop.Hoverable.
func (v *viewport) MouseOut() {}

// pan moves the view so the avatar follows the pointer.
func (v *viewport) pan(dx, dy float32) {
	h := max(v.Size().Height, 1)
	v.engine.PanView(-dx/h, dy/h)
}

// Scrolled implements fyne.Scrollable: the wheel zooms.
func (v *viewport) Scrolled(ev *fyne.ScrollEvent) {
	v.engine.ZoomView(float32(math.Exp(-float64(ev.Scrolled.DY) * zoomPerScroll)))
}

// DoubleTapped implements fyne.DoubleTappable: frame the avatar again.
func (v *viewport) DoubleTapped(*fyne.PointEvent) { v.engine.ResetView() }
