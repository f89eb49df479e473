package marionette

import (
	"context"
	"image"
	"math"
	"testing"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/render"
)

// testEngine is an engine listening on a random 127.0.0.1 port with a
// sender connected to it and frame/load notifications.
type testEngine struct {
	*Engine
	frames chan struct{}
	loads  chan LoadEvent
	sender *vmctest.Sender
}

func newTestEngine(t *testing.T, mods ...func(*Config)) *testEngine {
	t.Helper()
	te := &testEngine{frames: make(chan struct{}, 1), loads: make(chan LoadEvent, 64)}
	cfg := Config{
		OnFrame: func() {
			select {
			case te.frames <- struct{}{}:
			default:
			}
		},
		OnLoad: func(ev LoadEvent) {
			if ev.Stage >= LoadDone {
				te.loads <- ev
			}
		},
	}
	for _, m := range mods {
		m(&cfg)
	}
	te.Engine = New(cfg)
	t.Cleanup(te.Close)
	if err := te.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr, _ := te.Addr()
	s, err := vmctest.Dial(context.Background(), addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	te.sender = s
	return te
}

// load loads path and waits for the result.
func (te *testEngine) load(t *testing.T, path string) LoadEvent {
	t.Helper()
	te.LoadFile(path)
	select {
	case ev := <-te.loads:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatalf("loading %s took too long", path)
	}
	return LoadEvent{}
}

// waitImage waits for an image satisfying ok and returns a copy of it.
func (te *testEngine) waitImage(t *testing.T, what string, ok func(*image.RGBA, FrameInfo) bool) (*image.RGBA, FrameInfo) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if img, info := te.Latest(); img != nil && ok(img, info) {
			return copyImage(img), info
		}
		select {
		case <-te.frames:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no image %s within 20 s", what)
		}
	}
}

func copyImage(img *image.RGBA) *image.RGBA {
	c := *img
	c.Pix = append([]byte(nil), img.Pix...)
	return &c
}

// idle reports whether the render goroutine has nothing to do.
func (te *testEngine) idle() bool {
	return !te.busy.Load() && len(te.wake) == 0 && len(te.scene.Changed()) == 0
}

// settled waits until the engine has stopped redrawing (spring bones and
// smoothing at rest, every input drawn) and returns the final image.
func (te *testEngine) settled(t *testing.T, what string) (*image.RGBA, FrameInfo) {
	t.Helper()
	var quietSince time.Time // zero while the engine works
	testutil.Eventually(t, what+": the engine at rest for 60 ms", func() bool {
		te.Latest() // as the UI does: the engine waits for each image to be taken
		switch {
		case !te.idle():
			quietSince = time.Time{}
		case quietSince.IsZero():
			quietSince = time.Now()
		}
		return !quietSince.IsZero() && time.Since(quietSince) >= 60*time.Millisecond
	})
	img, info := te.Latest()
	if img == nil {
		t.Fatalf("%s: no image", what)
	}
	return copyImage(img), info
}

// project returns the pixel position of world point p seen by the orbit
// camera in a w×h image.
func project(o render.Orbit, p mgl32.Vec3, w, h int) (x, y float64) {
	v := o.Camera().View.Mul4x1(p.Vec4(1))
	t := math.Tan(float64(o.FOV) * math.Pi / 360)
	aspect := float64(w) / float64(h)
	nx := float64(v[0]) / -float64(v[2]) / (t * aspect)
	ny := float64(v[1]) / -float64(v[2]) / t
	return (nx + 1) / 2 * float64(w), (1 - ny) / 2 * float64(h)
}

// diffIn counts the pixels of a and b within r that differ by more than 24
// in some channel.
func diffIn(a, b *image.RGBA, r image.Rectangle) int {
	r = r.Intersect(a.Rect)
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := a.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				d := int(a.Pix[i+c]) - int(b.Pix[i+c])
				if d > 24 || d < -24 {
					n++
					break
				}
			}
		}
	}
	return n
}

// around returns the square of side 2r+1 centred on (x, y).
func around(x, y float64, r int) image.Rectangle {
	cx, cy := int(math.Round(x)), int(math.Round(y))
	return image.Rect(cx-r, cy-r, cx+r+1, cy+r+1)
}
