package marionette

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/vmc"
)

// MaxPlayerDatagrams bounds the datagrams a Player holds (about 23 hours
// of a 60 fps Performer).
const MaxPlayerDatagrams = 10_000_000

// Player plays a recording into a VMC scene as if its Performer were
// sending it now: each datagram is fed (vmc.Scene.Feed, from its recorded
// sender, stamped with the current time) at its recorded offset from the
// start. It can pause, seek and loop, so a scene can be set up with no
// Performer running. Its methods are safe for concurrent use.
type Player struct {
	scene *vmc.Scene
	ds    []capture.Datagram
	total time.Duration
	wake  chan struct{}
	done  chan struct{}

	mu     sync.Mutex
	pos    int           // next datagram to feed
	origin time.Time     // wall time of offset 0 while playing
	at     time.Duration // offset while paused
	paused bool
	loop   bool
	closed bool
}

// OpenPlayer reads the VMC (OSC) datagrams of the recording at path (a
// file cut short is played up to the cut) and returns a paused Player
// feeding scene.
func OpenPlayer(scene *vmc.Scene, path string) (*Player, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ds, err := capture.ReadAll(f, MaxPlayerDatagrams)
	if err != nil && !errors.Is(err, capture.ErrTruncated) {
		return nil, err
	}
	osc := ds[:0] // the VMC stream, not iFacialMocap frames recorded beside it
	for _, d := range ds {
		if capture.IsOSC(d.Payload) {
			osc = append(osc, d)
		}
	}
	if ds = osc; len(ds) == 0 {
		return nil, fmt.Errorf("%s: no VMC datagrams", path)
	}
	return NewPlayer(scene, ds), nil
}

// NewPlayer returns a paused Player of ds (in arrival order; not modified)
// feeding scene.
func NewPlayer(scene *vmc.Scene, ds []capture.Datagram) *Player {
	p := &Player{scene: scene, ds: ds, paused: true, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if len(ds) > 0 {
		p.total = ds[len(ds)-1].At.Sub(ds[0].At)
	}
	go p.run()
	return p
}

// Duration is the recording's length, first to last datagram.
func (p *Player) Duration() time.Duration { return p.total }

// offset is datagram i's time from the first.
func (p *Player) offset(i int) time.Duration { return p.ds[i].At.Sub(p.ds[0].At) }

func (p *Player) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Play starts or resumes playback (from the start again after the end).
func (p *Player) Play() {
	p.mu.Lock()
	if p.paused {
		if p.pos >= len(p.ds) {
			p.pos, p.at = 0, 0
		}
		p.paused, p.origin = false, time.Now().Add(-p.at)
	}
	p.mu.Unlock()
	p.poke()
}

// Pause holds playback where it is; the scene keeps its last state.
func (p *Player) Pause() {
	p.mu.Lock()
	if !p.paused {
		p.paused, p.at = true, min(time.Since(p.origin), p.total)
	}
	p.mu.Unlock()
	p.poke()
}

// Paused reports whether playback is paused (or ended).
func (p *Player) Paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// SetLoop makes playback start again at the end.
func (p *Player) SetLoop(loop bool) {
	p.mu.Lock()
	p.loop = loop
	p.mu.Unlock()
	p.poke()
}

// Seek moves playback to offset t from the start (clamped to the
// recording): the next datagram fed is the first at or after t.
func (p *Player) Seek(t time.Duration) {
	t = min(max(t, 0), p.total)
	p.mu.Lock()
	lo, hi := 0, len(p.ds)
	for lo < hi {
		m := (lo + hi) / 2
		if p.offset(m) < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	p.pos, p.at = lo, t
	p.origin = time.Now().Add(-t)
	p.mu.Unlock()
	p.poke()
}

// Position returns the playback offset from the start.
func (p *Player) Position() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused {
		return p.at
	}
	return min(max(time.Since(p.origin), 0), p.total)
}

// Close stops playback for good.
func (p *Player) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.poke()
	<-p.done
}

func (p *Player) run() {
	defer close(p.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return
		}
		if !p.paused && p.pos >= len(p.ds) {
			if p.loop {
				// Start again one mean gap after the end.
				gap := time.Second / 60
				if len(p.ds) > 1 {
					gap = p.total / time.Duration(len(p.ds)-1)
				}
				p.pos, p.origin = 0, p.origin.Add(p.total+gap)
			} else {
				p.paused, p.at = true, p.total
			}
		}
		if p.paused {
			p.mu.Unlock()
			<-p.wake
			continue
		}
		wait := time.Until(p.origin.Add(p.offset(p.pos)))
		if wait > 0 {
			p.mu.Unlock()
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-p.wake:
				timer.Stop() // Go ≥ 1.23: no stale tick can follow
			}
			continue // state may have changed: look again
		}
		d := &p.ds[p.pos]
		p.pos++
		p.mu.Unlock()
		p.scene.Feed(d.Payload, d.Src, time.Now())
	}
}
