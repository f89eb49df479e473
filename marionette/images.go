package marionette

import (
	"image"
	"sync"
	"time"

	"github.com/kugutsu/kugutsu/internal/triple"
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

// imageBuffers is a triple buffer (internal/triple) of tightly packed
// images (Min (0,0), Stride 4·width: what fyne uploads without conversion,
// field notes §7) and their FrameInfo. The render goroutine is the writer
// (backImage, publish); the UI is the reader (latest). Neither ever waits
// for the other to finish with a buffer, and the image latest returned is
// never written until the next call.
type imageBuffers struct {
	buf    triple.Buffer[imageSlot]
	readMu sync.Mutex // serialises latest: the UI's calls and a test's
}

// imageSlot is one buffer of imageBuffers.
type imageSlot struct {
	img  *image.RGBA
	info FrameInfo
}

func newImageBuffers() *imageBuffers { return &imageBuffers{} }

// backImage returns the render goroutine's buffer, reallocated when its
// size is not w×h.
func (b *imageBuffers) backImage(w, h int) *image.RGBA {
	s := b.buf.Back()
	if s.img == nil || s.img.Rect.Dx() != w || s.img.Rect.Dy() != h {
		s.img = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	return s.img
}

// publish makes the back buffer the newest finished image and reports
// whether it replaced one the UI never took. A replaced image that was the
// first to show its scene frame hands its packet arrival time on to the new
// image when that shows the same frame (carryReceived).
func (b *imageBuffers) publish(info FrameInfo) (replaced bool) {
	b.buf.Back().info = info
	return b.buf.PublishMerge(carryReceived)
}

// carryReceived hands an image replaced unread's packet arrival time on to
// the next image when that shows the same scene frame and has none: the
// packet's latency is then counted when the next image is taken.
func carryReceived(next, old *imageSlot) {
	if next.info.Received.IsZero() && old.info.SceneSeq == next.info.SceneSeq {
		next.info.Received = old.info.Received
	}
}

// latest returns the newest finished image (nil before the first) and
// whether it is newer than the one the previous call returned.
func (b *imageBuffers) latest() (*image.RGBA, FrameInfo, bool) {
	b.readMu.Lock()
	defer b.readMu.Unlock()
	s, fresh := b.buf.Take()
	return s.img, s.info, fresh
}

// unread reports whether the newest image has not been taken by latest.
func (b *imageBuffers) unread() bool { return b.buf.Unread() }
