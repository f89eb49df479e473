package marionette

import (
	"sync"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// TestImageArrivalOnce: with the render goroutine publishing several images
// per scene frame and the UI taking them at the same time, a scene frame's
// packet arrival time reaches the UI at most once, on an image of that
// frame (never on a later frame's), and the UI takes the last image in the
// end. Run with -race.
func TestImageArrivalOnce(t *testing.T) {
	const scenes, perScene = 20000, 3
	b := newImageBuffers()
	seen := make(map[uint64]int) // scene → arrival times taken
	var lastSeq uint64
	take := func() {
		img, info, fresh := b.latest()
		if !fresh {
			return
		}
		if img == nil || img.Rect.Dx() != 2 {
			t.Errorf("image %d: %v, want a 2×1 image", info.Seq, img)
		}
		if info.Seq <= lastSeq {
			t.Errorf("took image %d after %d", info.Seq, lastSeq)
		}
		lastSeq = info.Seq
		if !info.Received.IsZero() {
			if want := time.Unix(int64(info.SceneSeq), 0); !info.Received.Equal(want) {
				t.Errorf("image %d of scene %d arrived at %v, want %v", info.Seq, info.SceneSeq, info.Received, want)
			}
			seen[info.SceneSeq]++
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { testutil.Spin(stop, func() bool { take(); return true }) })
	var seq uint64
	for s := uint64(1); s <= scenes; s++ {
		for k := range perScene {
			seq++
			b.backImage(2, 1)
			info := FrameInfo{Seq: seq, SceneSeq: s}
			if k == 0 && s%3 != 0 { // every third frame has no arrival time to hand on
				info.Received = time.Unix(int64(s), 0)
			}
			b.publish(info)
		}
	}
	close(stop)
	wg.Wait()
	take()
	if lastSeq != seq {
		t.Errorf("the UI took image %d last, want %d", lastSeq, seq)
	}
	for s, n := range seen {
		if n > 1 {
			t.Errorf("scene %d's arrival time was handed on %d times, want at most once", s, n)
		}
	}
	if len(seen) == 0 {
		t.Error("no arrival time reached the UI")
	}
}

// TestImageArrivalStaysWithItsFrame: an arrival time carried over by images
// replaced unread is never handed to an image of another scene frame.
func TestImageArrivalStaysWithItsFrame(t *testing.T) {
	b := newImageBuffers()
	b.publish(FrameInfo{Seq: 1, SceneSeq: 1, Received: time.Unix(1, 0)})
	b.publish(FrameInfo{Seq: 2, SceneSeq: 1}) // carries scene 1's time
	b.publish(FrameInfo{Seq: 3, SceneSeq: 2}) // scene 2 with no arrival time
	if _, info, _ := b.latest(); info.Seq != 3 || !info.Received.IsZero() {
		t.Errorf("took %+v, want image 3 with no arrival time (scene 1's is not scene 2's)", info)
	}
}
