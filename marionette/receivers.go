package marionette

import (
	"errors"
	"net/netip"
	"sync"
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// MaxExtraReceivers is how many receivers may run besides the main one
// (Listen): four Performers in all (issue 15).
const MaxExtraReceivers = 3

// ReceiverConfig is an extra VMC receiver: its own address and the parts
// its Performer drives, as VMagicMirror's sources or VNyan's layers. A part
// is driven by one Performer: the first extra receiver that claims it, else
// the main receiver (which drives every part no extra claims).
type ReceiverConfig struct {
	Addr  string // "host:port"
	Parts Parts
}

// ReceiverStatus is what the UI shows about one extra receiver.
type ReceiverStatus struct {
	ReceiverConfig
	Bound     netip.AddrPort
	Listening bool
	Err       error // why listening failed
	// Connected: data within vmc.ConnectedTimeout; PacketRate the packets
	// per second of its connected senders; Errors the dropped input
	// (malformed, rejected, read errors).
	Connected  bool
	PacketRate float64
	Packets    uint64
	Errors     uint64
}

// extraReceivers are the engine's extra receivers. Guarded by the
// engine's mu; the render goroutine reads the scenes.
type extraReceivers struct {
	list []*extraReceiver
	wg   sync.WaitGroup
	hand []string // expressions on by hand (SetHandExpressions)
	jit  jitterFeed
	tap  sync.Once // installs jit.push as the main scene's publish hook
	// events carries the extra receivers' events (ExtraEvents).
	events     chan vmc.Event
	eventsOnce sync.Once
}

// extraEventBuffer is the queue length of ExtraEvents.
const extraEventBuffer = 64

// ExtraEvents returns a channel of the extra receivers' events (keys,
// MIDI, controllers… as vmc.Scene.Subscribe delivers them for the main
// scene), for one consumer. When the consumer falls behind, events are
// dropped rather than delaying the receivers. The channel is never closed.
func (e *Engine) ExtraEvents() <-chan vmc.Event {
	e.extra.eventsOnce.Do(func() { e.extra.events = make(chan vmc.Event, extraEventBuffer) })
	return e.extra.events
}

type extraReceiver struct {
	cfg   ReceiverConfig
	scene *vmc.Scene
	recv  *vmc.Receiver
	err   error
	stop  chan struct{}
}

// errTooManyReceivers is returned by SetReceivers for a list that is too long.
var errTooManyReceivers = errors.New("marionette: at most 3 extra receivers")

// SetReceivers replaces the extra receivers (at most MaxExtraReceivers),
// closing the previous ones. Each listens on its address with its own
// scene; a receiver that cannot listen is kept with its error (see
// Receivers) and the others still start. The error joins the listen
// errors.
func (e *Engine) SetReceivers(cfgs []ReceiverConfig) error {
	if len(cfgs) > MaxExtraReceivers {
		return errTooManyReceivers
	}
	e.stopExtra()
	var errs []error
	list := make([]*extraReceiver, 0, len(cfgs))
	for _, c := range cfgs {
		x := &extraReceiver{cfg: c, scene: vmc.NewScene(), stop: make(chan struct{})}
		x.recv, x.err = vmc.ListenConfig{Scene: x.scene}.Listen(e.ctx, c.Addr)
		if x.err != nil {
			errs = append(errs, x.err)
		}
		list = append(list, x)
		e.extra.wg.Add(1)
		e.ExtraEvents()
		events := e.extra.events
		sub := x.scene.Subscribe(extraEventBuffer)
		go func() { // wake the render goroutine on this scene's frames; forward its events
			defer e.extra.wg.Done()
			defer sub.Close()
			for {
				select {
				case <-x.stop:
					return
				case <-x.scene.Changed():
					e.poke()
				case ev := <-sub.C:
					select {
					case events <- ev:
					default:
					}
				}
			}
		}()
	}
	e.mu.Lock()
	e.extra.list = list
	e.mu.Unlock()
	e.poke()
	return errors.Join(errs...)
}

// stopExtra closes the extra receivers.
func (e *Engine) stopExtra() {
	e.mu.Lock()
	list := e.extra.list
	e.extra.list = nil
	e.mu.Unlock()
	for _, x := range list {
		close(x.stop)
		if x.recv != nil {
			x.recv.Close()
		}
	}
	e.extra.wg.Wait()
}

// Receivers returns the extra receivers' status, in SetReceivers order.
func (e *Engine) Receivers() []ReceiverStatus {
	e.mu.Lock()
	list := append([]*extraReceiver(nil), e.extra.list...)
	e.mu.Unlock()
	out := make([]ReceiverStatus, len(list))
	for i, x := range list {
		s := ReceiverStatus{ReceiverConfig: x.cfg, Err: x.err, Listening: x.recv != nil}
		var st vmc.Status
		if x.recv != nil {
			s.Bound = x.recv.Addr()
			st = x.recv.Status()
		} else {
			st = x.scene.Status()
		}
		s.Packets = st.Packets
		s.Errors = st.Malformed + st.Rejected + st.ReadErrors
		for _, snd := range st.Senders {
			if snd.Connected {
				s.Connected = true
				s.PacketRate += snd.PacketRate
			}
		}
		out[i] = s
	}
	return out
}

// mergeState is the render goroutine's copy of the extra scenes.
type mergeState struct {
	frames []vmc.Frame
	seqs   []uint64
	srcs   []partSource
	merged vmc.Frame
}

// aliveInput plays the main scene's frame fr through the jitter buffer
// (when on), merges the extra receivers' frames into it by part, hands the
// result to the idle layer (aliveState.input), and returns the frame to
// pose and whether the jitter buffer has frames still to play.
func (e *Engine) aliveInput(rs *renderState, fr *vmc.Frame, o Options, now time.Time) (*vmc.Frame, bool) {
	e.extra.tap.Do(func() { e.scene.SetOnPublish(e.extra.jit.push) })
	ok, playing, st := e.extra.jit.sample(&rs.alive.played, now, o.Jitter)
	rs.alive.playout = st
	if ok {
		fr = &rs.alive.played
	}
	return e.mergeInput(rs, fr, o, now), playing
}

// mergeInput merges the extra receivers' frames into fr by part and hands
// the result to the idle layer.
func (e *Engine) mergeInput(rs *renderState, fr *vmc.Frame, o Options, now time.Time) *vmc.Frame {
	e.mu.Lock()
	list := e.extra.list
	rs.alive.hand = append(rs.alive.hand[:0], e.extra.hand...)
	e.mu.Unlock()
	var ages [PartCount]float64
	for i := range ages {
		ages[i] = -1
	}
	age := func(t time.Time) float64 {
		if t.IsZero() {
			return -1
		}
		return max(now.Sub(t).Seconds(), 0)
	}
	ms := &rs.merge
	if len(list) == 0 {
		if fr != nil {
			a := age(e.scene.LastPacket())
			for p := range framedParts(fr, o).each() {
				ages[p] = a
			}
		}
		return rs.alive.input(fr, &ages)
	}
	for len(ms.frames) < len(list) {
		ms.frames = append(ms.frames, vmc.Frame{})
		ms.seqs = append(ms.seqs, 0)
	}
	srcs := ms.srcs[:0]
	defer func() { ms.srcs = srcs[:0] }()
	claimed := Parts(0)
	for i, x := range list {
		if s := x.scene.Seq(); s != ms.seqs[i] {
			x.scene.Snapshot(&ms.frames[i])
			ms.seqs[i] = ms.frames[i].Seq
		}
		own := x.cfg.Parts &^ claimed
		claimed |= own
		if ms.seqs[i] > 0 {
			srcs = append(srcs, partSource{f: &ms.frames[i], parts: own, last: x.scene.LastPacket()})
		}
	}
	if fr != nil {
		srcs = append(srcs, partSource{f: fr, parts: AllParts &^ claimed, last: e.scene.LastPacket()})
	}
	if len(srcs) == 0 {
		return rs.alive.input(nil, &ages)
	}
	mergeFrames(&ms.merged, srcs)
	for _, s := range srcs {
		a := age(s.last)
		for p := range (framedParts(s.f, o) & s.parts).each() {
			if ages[p] < 0 || a < ages[p] {
				ages[p] = a
			}
		}
	}
	return rs.alive.input(&ms.merged, &ages)
}

// partSource is one receiver's frame and the parts it drives.
type partSource struct {
	f     *vmc.Frame
	parts Parts
	last  time.Time // its scene's latest packet
}

// each yields the parts of s in order.
func (s Parts) each() func(func(Part) bool) {
	return func(yield func(Part) bool) {
		for p := Part(0); p < PartCount; p++ {
			if s.Has(p) && !yield(p) {
				return
			}
		}
	}
}

// mergeFrames writes into dst one frame made of each source's parts: its
// bones of those parts, the root (PartRoot) and the blends (PartFace).
// Everything else (camera, light, availability, devices…) comes from the
// last source (the main receiver when it has data). Seq is the sum of the
// sources' (so it changes whenever one does) and Received the latest.
func mergeFrames(dst *vmc.Frame, srcs []partSource) {
	base := srcs[len(srcs)-1].f
	dst.CopyFrom(base)
	dst.Seq, dst.Received = 0, time.Time{}
	dst.BonesReceived = 0
	dst.Root = vmc.Root{}
	dst.Blends = dst.Blends[:0]
	for _, s := range srcs {
		f := s.f
		dst.Seq += f.Seq
		if f.Received.After(dst.Received) {
			dst.Received = f.Received
		}
		for b := humanoid.Bone(0); b < humanoid.Count; b++ {
			if f.BonesReceived.Has(b) && s.parts.Has(PartOf(b)) {
				dst.Bones[b] = f.Bones[b]
				dst.BonesReceived = dst.BonesReceived.With(b)
			}
		}
		if s.parts.Has(PartRoot) && f.Root.Received {
			dst.Root = f.Root
		}
		if s.parts.Has(PartFace) {
			dst.Blends = append(dst.Blends, f.Blends...)
		}
	}
}
