package marionette

import (
	"image"
	"image/color"
	"sync"
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/render"
)

// OutputCamera says which camera the output view uses.
type OutputCamera uint8

const (
	// OutputViewportCamera follows the viewport: the user's orbit, or the
	// Performer's camera when the options use it.
	OutputViewportCamera OutputCamera = iota
	// OutputOwnCamera is the output's own saved preset (Output.Orbit).
	OutputOwnCamera
)

// Output is the output view: the avatar alone, posed as in the viewport,
// drawn a second time at the output window's own size for capture (OBS).
type Output struct {
	// Width and Height are the output image's size in pixels, 1…4096.
	Width, Height int
	// Background is the colour behind the avatar, sRGB; alpha 0 draws a
	// transparent background (real per-pixel alpha, premultiplied in the
	// image), alpha 255 an opaque one (a key colour or any colour).
	Background color.NRGBA
	// Camera picks the viewport's camera or Orbit.
	Camera OutputCamera
	// Orbit is the output's own camera preset, used with OutputOwnCamera.
	Orbit render.Orbit
}

// maxOutputSide bounds an output's sides.
const maxOutputSide = 4096

// outputState is the engine's output view: its settings, its triple
// buffer, and a channel that signals each new image.
type outputState struct {
	mu     sync.Mutex
	cfg    *Output // nil: no output view
	images *imageBuffers
	ready  chan struct{}
}

func newOutputState() *outputState {
	return &outputState{images: newImageBuffers(), ready: make(chan struct{}, 1)}
}

// SetOutput starts (or changes) the output view, or stops it with nil.
// Sizes are clamped to 1…4096.
func (e *Engine) SetOutput(o *Output) {
	e.out.mu.Lock()
	if o != nil {
		c := *o
		c.Width = max(1, min(c.Width, maxOutputSide))
		c.Height = max(1, min(c.Height, maxOutputSide))
		o = &c
	}
	e.out.cfg = o
	e.out.mu.Unlock()
	e.poke()
}

// Output returns the output view's settings (false when there is none).
func (e *Engine) Output() (Output, bool) {
	e.out.mu.Lock()
	defer e.out.mu.Unlock()
	if e.out.cfg == nil {
		return Output{}, false
	}
	return *e.out.cfg, true
}

// OutputReady receives a value after each new output image; the output
// window then takes it with LatestOutput.
func (e *Engine) OutputReady() <-chan struct{} { return e.out.ready }

// LatestOutput returns the newest output image (premultiplied RGBA, nil
// before the first), its description, and whether it is newer than the one
// the previous call returned. The image stays the caller's until the next
// call.
func (e *Engine) LatestOutput() (*image.RGBA, FrameInfo, bool) {
	img, info, fresh := e.out.images.latest()
	if fresh {
		select {
		case e.consumed <- struct{}{}:
		default:
		}
	}
	return img, info, fresh
}

// outputLets reports whether the output view lets the render goroutine wait
// for the viewport's consumer: there is no output view, or its newest image
// has not been taken either (when it has, its consumer sets the pace).
func (e *Engine) outputLets() bool {
	active, unread := e.outputWaiting()
	return !active || unread
}

// outputWaiting reports whether an output view exists and its newest image
// has not been taken yet.
func (e *Engine) outputWaiting() (active, unread bool) {
	e.out.mu.Lock()
	active = e.out.cfg != nil
	e.out.mu.Unlock()
	return active, active && e.out.images.unread()
}

// renderOutput draws the output view of the frame the viewport just
// showed: sc is the viewport's scene (same pose, light, time and camera —
// the Performer's when the options use it). It returns how long it took
// (0 without an output view), which adaptive quality counts with the
// viewport's time: both share the frame budget.
func (e *Engine) renderOutput(sc render.Scene, info FrameInfo) time.Duration {
	e.out.mu.Lock()
	cfg := e.out.cfg
	e.out.mu.Unlock()
	if cfg == nil {
		return 0
	}
	start := time.Now()
	if cfg.Camera == OutputOwnCamera {
		sc.Camera = cfg.Orbit.Camera()
	}
	sc.Background = cfg.Background
	img := e.out.images.backImage(cfg.Width, cfg.Height)
	e.renderer.Render(img, sc)
	took := time.Since(start)
	e.out.images.publish(info)
	select {
	case e.out.ready <- struct{}{}:
	default:
	}
	return took
}

// PerformerWindow returns the Performer's /VMC/Ext/Setting/Win as of the
// latest rendered frame (Received false when none came).
func (e *Engine) PerformerWindow() vmc.Window {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last.Window
}
