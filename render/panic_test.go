package render

import (
	"bytes"
	"errors"
	"image"
	"sync"
	"testing"
)

// TestWorkerPanicReachesCaller: a panic while drawing, on a helper worker or
// on the caller's own share, leaves Render on the caller's goroutine (where
// the engine recovers it) instead of ending the program, and the Renderer
// draws the next frame exactly as a fresh one does.
func TestWorkerPanicReachesCaller(t *testing.T) {
	a, c := sceneQuad()
	s := DefaultScene(a, poseFrame(a, nil, nil), c)
	want := image.NewRGBA(image.Rect(0, 0, 128, 96))
	fresh := New(Options{Workers: 1})
	fresh.Render(want, s)
	fresh.Close()

	for _, tc := range []struct {
		name   string
		victim func(id int) bool
		helper bool // the panic comes wrapped in *WorkerPanic
	}{
		{"helper", func(id int) bool { return id != 0 }, true},
		{"caller", func(id int) bool { return id == 0 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Options{Workers: 4})
			defer r.Close()
			hit := make(chan struct{})
			var once sync.Once
			r.taskHook = func(id int) {
				if tc.victim(id) {
					once.Do(func() { close(hit) })
					panic("injected")
				}
				// In a phase of several tasks a helper is woken: the
				// caller waits (once) for it to take one, so that the
				// panic happens where the case says.
				if tc.helper && id == 0 && r.tasks > 1 {
					<-hit
				}
			}
			img := image.NewRGBA(want.Rect)
			got := func() (v any) {
				defer func() { v = recover() }()
				// Enough tiles that every worker takes some.
				r.Render(image.NewRGBA(image.Rect(0, 0, 512, 512)), s)
				return nil
			}()
			var wp *WorkerPanic
			isWP := false
			if err, ok := got.(error); ok {
				isWP = errors.As(err, &wp)
			}
			switch {
			case got == nil:
				t.Fatal("Render returned normally; want the injected panic")
			case tc.helper && (!isWP || wp.Value != "injected" || !bytes.Contains(wp.Stack, []byte("helperWork"))):
				t.Fatalf("panic %#v; want *WorkerPanic{injected} with the helper's stack", got)
			case !tc.helper && got != "injected":
				t.Fatalf("panic %#v; want the caller's own value", got)
			}
			r.taskHook = nil
			r.Render(img, s)
			if !bytes.Equal(img.Pix, want.Pix) {
				t.Error("the frame after a panic differs from a fresh renderer's")
			}
		})
	}
}
