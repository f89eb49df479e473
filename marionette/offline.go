package marionette

import (
	"time"

	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm"
)

// Poser turns VMC scene frames into poses of one avatar with the
// Marionette options, by the very code the Engine's render goroutine runs:
// for tools that work on a recording offline (export, offline render).
type Poser struct {
	p    poser
	opts Options
}

// NewPoser returns a Poser for av (not nil) with options o.
func NewPoser(av *vrm.Model, o Options) *Poser {
	p := &Poser{opts: o}
	p.p.reset(av)
	return p
}

// Update computes the pose for frame f (nil: nothing received yet), dt
// seconds after the previous update (smoothing is time-based). The pose is
// normalized-rig rotations in the VRM 1.0 frame (vrm.Pose); it belongs to
// the Poser and is overwritten by the next Update.
func (p *Poser) Update(f *vmc.Frame, dt float64) *vrm.Pose {
	p.p.update(f, p.opts, nil, vmcOnly, dt)
	return &p.p.pose
}

// Unmatched returns the stream's blend keys the avatar has no expression
// for.
func (p *Poser) Unmatched() []string { return p.p.Unmatched() }

// Timeline replays recorded datagrams into a VMC scene on a clock of its
// own: At(t) feeds every datagram that arrived up to t after the first and
// returns the scene as the Engine would have seen it then.
type Timeline struct {
	scene *vmc.Scene
	ds    []capture.Datagram
	next  int
	frame vmc.Frame
	start time.Time
}

// NewTimeline returns a timeline over ds (in arrival order, as
// capture.Reader returns them; not modified).
func NewTimeline(ds []capture.Datagram) *Timeline {
	tl := &Timeline{scene: vmc.NewScene(), ds: ds}
	if len(ds) > 0 {
		tl.start = ds[0].At
	}
	return tl
}

// Duration is the time from the first datagram to the latest-stamped one
// (a clock stepped back during the recording does not shorten it below 0).
func (tl *Timeline) Duration() time.Duration {
	var d time.Duration
	for i := range tl.ds {
		d = max(d, tl.ds[i].At.Sub(tl.start))
	}
	return d
}

// At feeds the datagrams up to offset t from the first (t must not
// decrease between calls) and returns the scene frame, or nil when nothing
// has been received yet. The frame belongs to the timeline.
func (tl *Timeline) At(t time.Duration) *vmc.Frame {
	until := tl.start.Add(t)
	for tl.next < len(tl.ds) && !tl.ds[tl.next].At.After(until) {
		d := &tl.ds[tl.next]
		tl.scene.Feed(d.Payload, d.Src, d.At)
		tl.next++
	}
	if tl.scene.Seq() == 0 {
		return nil
	}
	tl.scene.Snapshot(&tl.frame)
	return &tl.frame
}
