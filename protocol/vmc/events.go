package vmc

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// EventKind says which field of an [Event] is set.
type EventKind uint8

// Event kinds. Input and Thru events fire on every message; the others fire
// when the announced value differs from the previous one (the spec asks
// receivers to detect differences for VRM and Remote, sent periodically), or,
// for Option, on every message (the Performer sends it when the user acts).
const (
	EventKey         EventKind = iota + 1 // /VMC/Ext/Key: Key
	EventController                       // /VMC/Ext/Con: Controller
	EventMidiNote                         // /VMC/Ext/Midi/Note: MidiNote
	EventMidiCCValue                      // /VMC/Ext/Midi/CC/Val: MidiCC.Knob, MidiCC.Value
	EventMidiCCBit                        // /VMC/Ext/Midi/CC/Bit: MidiCC.Knob, MidiCC.Active
	EventThru                             // /VMC/Thru/…: Thru
	EventVRM                              // /VMC/Ext/VRM changed: VRM
	EventRemote                           // /VMC/Ext/Remote changed: Remote
	EventConfig                           // /VMC/Ext/Config changed: Config
	EventOption                           // /VMC/Ext/Opt received: Option
	EventWindow                           // /VMC/Ext/Setting/Win changed: Window
	EventBackground                       // /VMC/Ext/Setting/Color changed: Background
	EventReceive                          // /VMC/Ext/Rcv changed: Receive
)

var eventNames = [...]string{
	EventKey: "key", EventController: "controller", EventMidiNote: "midi note",
	EventMidiCCValue: "midi cc value", EventMidiCCBit: "midi cc bit", EventThru: "thru",
	EventVRM: "vrm", EventRemote: "remote", EventConfig: "config", EventOption: "option",
	EventWindow: "window", EventBackground: "background", EventReceive: "receive",
}

// String returns the kind in lower case ("key", "midi note", "thru"…), or
// "event N" for a kind this package does not define.
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "event " + itoa(int64(k))
}

// KeyInput is /VMC/Ext/Key (v2.1): a keyboard event, names and codes as the
// Performer defines them.
type KeyInput struct {
	Active  int32 // 1 pressed, 0 released
	Name    string
	KeyCode int32
}

// ControllerInput is /VMC/Ext/Con (v2.1): a controller button or axis.
type ControllerInput struct {
	Active                  int32 // 1 pressed, 0 released, 2 axis changed
	Name                    string
	IsLeft, IsTouch, IsAxis bool
	Axis                    Vec3
}

// MidiNote is /VMC/Ext/Midi/Note (v2.2).
type MidiNote struct {
	Active   int32 // 1 on, 0 off
	Channel  int32
	Note     int32
	Velocity float32
}

// MidiCC is /VMC/Ext/Midi/CC/Val (Value) or /VMC/Ext/Midi/CC/Bit (Active),
// v2.2.
type MidiCC struct {
	Knob   int32
	Value  float32 // CC/Val: the analogue value
	Active int32   // CC/Bit: 1 on, 0 off (threshold 0.5, spec)
}

// Thru is a /VMC/Thru/… message (v2.6): vendor data an Assistant sent
// through the Performer. Args hold up to [MaxThruArgs] arguments as int32,
// float32, string, []byte, int64, float64, osc.TimeTag, bool or nil; the spec
// shapes are (string), (string, float) and (string, int).
type Thru struct {
	Address string
	Args    []any
}

// Event is one happening from a sender. Kind says which field is set.
type Event struct {
	Kind     EventKind
	From     netip.AddrPort // the sender
	Received time.Time      // local arrival time of its packet

	Key        KeyInput
	Controller ControllerInput
	MidiNote   MidiNote
	MidiCC     MidiCC
	Thru       Thru
	VRM        VRMInfo
	Remote     RemoteInfo
	Config     string
	Option     string
	Window     Window
	Background Color
	Receive    ReceiveInfo
}

// DefaultEventBuffer is the queue length of a subscription made with a
// buffer of 0 or less.
const DefaultEventBuffer = 256

// Subscription is one subscriber's queue of events. Events arrive on C in
// order; when the subscriber falls more than its buffer behind, the oldest
// queued event is dropped (and counted) so the receiver never waits.
type Subscription struct {
	// C delivers the events. It is closed by Close.
	C <-chan Event

	c       chan Event
	mu      sync.Mutex // guards sends on c against Close
	closed  bool
	dropped atomic.Uint64
	scene   *Scene
}

// Subscribe returns a new subscription with room for buffer queued events
// ([DefaultEventBuffer] if buffer ≤ 0). Call Close when done.
func (s *Scene) Subscribe(buffer int) *Subscription {
	if buffer <= 0 {
		buffer = DefaultEventBuffer
	}
	c := make(chan Event, buffer)
	sub := &Subscription{C: c, c: c, scene: s}
	s.subsMu.Lock()
	s.subs = append(s.subs, sub)
	s.nsubs.Store(int32(len(s.subs)))
	s.subsMu.Unlock()
	return sub
}

// Dropped returns how many events were dropped because the subscriber was
// slow.
func (sub *Subscription) Dropped() uint64 { return sub.dropped.Load() }

// Close ends the subscription and closes C. It is safe to call more than once.
func (sub *Subscription) Close() {
	s := sub.scene
	s.subsMu.Lock()
	for i, x := range s.subs {
		if x == sub {
			s.subs = append(s.subs[:i], s.subs[i+1:]...)
			break
		}
	}
	s.nsubs.Store(int32(len(s.subs)))
	s.subsMu.Unlock()
	sub.mu.Lock()
	if !sub.closed {
		sub.closed = true
		close(sub.c)
	}
	sub.mu.Unlock()
}

// deliver queues ev without blocking, dropping the oldest queued event when
// the queue is full.
func (sub *Subscription) deliver(ev *Event) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if sub.closed {
		return
	}
	select {
	case sub.c <- *ev:
		return
	default:
	}
	select {
	case <-sub.c:
		sub.dropped.Add(1)
	default:
	}
	select {
	case sub.c <- *ev:
	default:
		sub.dropped.Add(1) // unreachable with Feed's single producer; never block
	}
}

// publishEvents hands the packet's events to every subscriber.
func (s *Scene) publishEvents(evs []Event) {
	s.subsMu.RLock()
	defer s.subsMu.RUnlock()
	for i := range evs {
		for _, sub := range s.subs {
			sub.deliver(&evs[i])
		}
	}
}
