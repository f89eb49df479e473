package marionette

import (
	"image"
	"sync"
	"time"

	"github.com/kugutsu/kugutsu/vrm"
)

// FrameInfo describes one rendered image.
type FrameInfo struct {
	// Seq numbers the rendered images from 1.
	Seq uint64
	// SceneSeq is the vmc.Frame.Seq the image shows (0: nothing received).
	SceneSeq uint64
	// Received is the arrival time of the packet that made the scene frame,
	// when this image is the first to show that frame; zero otherwise (the
	// image was redrawn for the view, smoothing or spring bones).
	Received time.Time
	// Avatar is the avatar drawn (nil for none; drawn hidden while
	// uncalibrated still names it).
	Avatar *vrm.Model
	// Width and Height are the image's size in pixels; ViewWidth and
	// ViewHeight the viewport's (Resize) it was made for — larger when the
	// render scale or View.MaxPixels shrank the image, which the UI
	// stretches.
	Width, Height         int
	ViewWidth, ViewHeight int
	// Rendered is when the image was finished; RenderTime how long posing
	// and rendering took.
	Rendered   time.Time
	RenderTime time.Duration
}

// imageBuffers is a triple buffer of tightly packed images (Min (0,0),
// Stride 4·width: what fyne uploads without conversion, field notes §7).
// The render goroutine draws into back and publishes it as mid; the UI
// takes mid as front when it is fresh. Neither ever waits for the other
// to finish with a buffer, and the front image is never written while the
// UI holds it.
type imageBuffers struct {
	mu    sync.Mutex // guards mid, front, fresh and the swap
	img   [3]*image.RGBA
	info  [3]FrameInfo
	back  int // the render goroutine's
	mid   int
	front int // the UI's
	fresh bool
}

func newImageBuffers() *imageBuffers { return &imageBuffers{back: 0, mid: 1, front: 2} }

// backImage returns the render goroutine's buffer, reallocated when its
// size is not w×h.
func (b *imageBuffers) backImage(w, h int) *image.RGBA {
	m := b.img[b.back]
	if m == nil || m.Rect.Dx() != w || m.Rect.Dy() != h {
		m = image.NewRGBA(image.Rect(0, 0, w, h))
		b.img[b.back] = m
	}
	return m
}

// publish makes the back buffer the newest finished image and reports
// whether it replaced one the UI never took. A replaced image that was the
// first to show its scene frame hands its packet arrival time on to the new
// image when that shows the same frame.
func (b *imageBuffers) publish(info FrameInfo) (replaced bool) {
	b.mu.Lock()
	if b.fresh {
		replaced = true
		if old := b.info[b.mid]; info.Received.IsZero() && old.SceneSeq == info.SceneSeq {
			info.Received = old.Received
		}
	}
	b.info[b.back] = info
	b.back, b.mid = b.mid, b.back
	b.fresh = true
	b.mu.Unlock()
	return replaced
}

// latest returns the newest finished image (nil before the first) and
// whether it is newer than the one the previous call returned.
func (b *imageBuffers) latest() (*image.RGBA, FrameInfo, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fresh := b.fresh
	if fresh {
		b.front, b.mid = b.mid, b.front
		b.fresh = false
	}
	return b.img[b.front], b.info[b.front], fresh
}

// unread reports whether the newest image has not been taken by latest.
func (b *imageBuffers) unread() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fresh
}
