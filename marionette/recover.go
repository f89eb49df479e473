package marionette

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/vrm"
)

// PanicError is the error of a load, or of posing and drawing the shown
// avatar, that panicked: a bug in Kugutsu (package vrm or render) that one
// avatar triggers. The engine catches the panic on the goroutine where it
// happened, logs it with its stack (log/slog, Config.Logger) and goes on: a
// load fails (Config.OnLoad, LoadFailed), a shown avatar is dropped
// (Config.OnAvatarFailed).
type PanicError struct {
	// Avatar names the avatar: its file path, else its source name.
	Avatar string
	// Doing is "loading" or "drawing".
	Doing string
	// Value is the panic value; Stack the panicking goroutine's stack.
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("%s %s hit a bug in Kugutsu (%v); the log has the details", e.Doing, e.Avatar, e.Value)
}

// faultHooks inject panics in tests; nil in the product.
type faultHooks struct {
	load   func(Source)     // on the load goroutine, after decoding
	render func(*vrm.Model) // on the render goroutine, before drawing
}

// logger returns Config.Logger or slog's default.
func (e *Engine) logger() *slog.Logger {
	if e.cfg.Logger != nil {
		return e.cfg.Logger
	}
	return slog.Default()
}

// caught turns a recovered panic value into a *PanicError and logs it with
// its stack. A *render.WorkerPanic (a panic on one of the renderer's
// workers, raised again on ours) gives its own value and stack.
func (e *Engine) caught(doing string, src Source, v any, stack []byte) *PanicError {
	var wp *render.WorkerPanic
	if err, ok := v.(error); ok && errors.As(err, &wp) {
		v, stack = wp.Value, wp.Stack
	}
	name := src.Path
	if name == "" {
		name = src.Name
	}
	pe := &PanicError{Avatar: name, Doing: doing, Value: v, Stack: stack}
	e.logger().Error("marionette: panic "+doing+" an avatar", "avatar", name, "panic", fmt.Sprint(v), "stack", string(stack))
	return pe
}

// recoverLoad, deferred on a load goroutine, reports a panic of that load
// as its LoadFailed (the shown avatar stays).
func (e *Engine) recoverLoad(src Source) {
	v := recover()
	if v == nil {
		return
	}
	err := e.caught("loading", src, v, debug.Stack())
	e.emitLoad(LoadEvent{Source: src, Stage: LoadFailed, Err: err})
}

// renderRecovered is renderFrame with a panic caught: the avatar being
// drawn is dropped (nothing is shown until the next load) and reported to
// Config.OnAvatarFailed, and the render goroutine goes on.
func (e *Engine) renderRecovered(rs *renderState, now time.Time, ft *frameTimes) (animating bool) {
	defer func() {
		if v := recover(); v != nil {
			e.renderPanicked(rs, v, debug.Stack())
			animating = false
		}
	}()
	return e.renderFrame(rs, now, ft)
}

func (e *Engine) renderPanicked(rs *renderState, v any, stack []byte) {
	av := rs.avatar
	e.mu.Lock()
	src := e.source
	dropped := av != nil && e.avatar == av
	if dropped {
		e.avatar, e.rig, e.source, e.thumb = nil, nil, Source{}, nil
		e.weights, e.unmatched = nil, nil
		e.frameView = true
	}
	e.mu.Unlock()
	if av != nil {
		e.renderer.Forget(av)
	}
	rs.avatar, rs.rig = nil, nil
	rs.poser.Reset(nil)
	rs.prevWorld = rs.prevWorld[:0]
	rs.uvAnim, rs.springsSet = false, false
	if !dropped {
		// Nothing to drop (a bare background, or an avatar already
		// replaced): log it and draw the next frame as usual.
		src = Source{Name: "no avatar"}
		if av != nil {
			src = Source{Name: DisplayName(av, Source{})}
		}
		e.caught("drawing", src, v, stack)
		return
	}
	err := e.caught("drawing", src, v, stack)
	e.poke() // draw the background at once rather than leave the last image
	if e.cfg.OnAvatarFailed != nil {
		e.cfg.OnAvatarFailed(src, err)
	}
}
