package marionette

import (
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
)

// The timeline feeds datagrams in arrival order by their offset from the
// first; one stamped earlier by a clock stepped back goes in right after
// its predecessor, and does not shorten the recording.
func TestTimelineFeedsByRecordedTime(t *testing.T) {
	ds := playerRecording(t, 5) // T 0…4, 10 ms apart
	ds[3].At = ds[0].At.Add(-time.Second)
	tl := NewTimeline(ds)
	if d := tl.Duration(); d != 40*time.Millisecond {
		t.Errorf("duration %v, want 40ms", d)
	}
	if f := tl.At(-time.Millisecond); f != nil {
		t.Errorf("a frame before the first datagram: T %v", f.Time)
	}
	for _, c := range []struct {
		at   time.Duration
		want float32
	}{{0, 0}, {15 * time.Millisecond, 1}, {25 * time.Millisecond, 3}, {40 * time.Millisecond, 4}} {
		f := tl.At(c.at)
		if f == nil || f.Time != c.want {
			t.Errorf("At(%v): T %v, want %v", c.at, sceneTimeOf(f), c.want)
		}
	}

}

func sceneTimeOf(f *vmc.Frame) any {
	if f == nil {
		return "no frame"
	}
	return f.Time
}
