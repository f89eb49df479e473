package vmc

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kugutsu/kugutsu/internal/triple"
	"github.com/kugutsu/kugutsu/protocol/osc"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Limits that keep a hostile or broken sender from growing memory.
const (
	// MaxBlendKeys bounds the distinct blend keys (case-insensitive). When
	// the table is full, a new key takes the place of the key received
	// least recently if that one has not been received for EvictAfter
	// (Status.BlendKeysEvicted); otherwise its Val is dropped and counted
	// (Status.BlendKeysRejected). A Perfect Sync model has about 70.
	MaxBlendKeys = 512
	// MaxBlendNameLen bounds a blend key's length in bytes; longer keys are
	// dropped and counted.
	MaxBlendNameLen = 255
	// MaxDevices bounds the distinct tracked devices (kind, local, serial);
	// a full table evicts as the blend keys' does (Status.DevicesEvicted,
	// Status.DevicesRejected).
	MaxDevices = 64
	// MaxSerialLen bounds a device serial's length in bytes.
	MaxSerialLen = 255
	// MaxSenders bounds the per-sender statistics; beyond it the sender
	// heard from least recently is forgotten.
	MaxSenders = 64
	// MaxUnknownAddresses bounds the distinct unknown addresses remembered
	// for Status (all of them are counted).
	MaxUnknownAddresses = 64
	// MaxThruArgs bounds the arguments kept in a Thru event.
	MaxThruArgs = 16
	// MaxEventsPerPacket bounds the events one packet can queue; more are
	// dropped and counted (Status.EventsDropped).
	MaxEventsPerPacket = 1024
	// maxUnknownAddrLen bounds the length of a remembered unknown address.
	maxUnknownAddrLen = 128
)

// EvictAfter is how long a blend key or a device must have gone without a
// message before a new one may take its place in a full table
// (MaxBlendKeys, MaxDevices). Performers resend their keys every frame, so
// only keys of a sender gone silent (or of a one-off burst of names) are
// that old; keys still being sent are never evicted, and the burst's own
// keys cannot evict each other.
const EvictAfter = time.Second

// ConnectedTimeout is how recently a sender must have sent data to count as
// connected (VMagicMirror's 0.5 s, field notes §1).
const ConnectedTimeout = 500 * time.Millisecond

// Scene is the live state built from VMC packets: one writer feeds packets
// ([Scene.Feed], normally a [Receiver]'s read goroutine), any number of
// readers take consistent [Frame]s ([Scene.Snapshot]) and events
// ([Scene.Subscribe]). Readers never block the writer: frames go through a
// triple buffer (internal/triple), so a snapshot is always the newest
// complete frame and publishing one is an atomic swap. Use [NewScene]; the
// zero Scene is not ready.
type Scene struct {
	mu   sync.Mutex // serialises Feed and guards the writer state below
	r    osc.Reader
	msg  osc.Message // the message being decoded
	work Frame       // the writer's current state

	// Per-packet context.
	from   netip.AddrPort
	at     time.Time
	snd    *senderState
	dirty  bool        // work changed since the last publication
	bones  bool        // the packet carried bones
	thumbs [2]struct { // "…ThumbProximal" poses awaiting the naming
		set bool // (left, right), resolved at the packet's end
		t   Transform
	}
	events []Event
	// onPublish sees every published frame (SetOnPublish, lastpacket.go).
	onPublish func(*Frame)

	// Name caches by a message's ordinal among the packet's Bone/Pos (or
	// Blend/Val) messages: Performers send the same names in the same order
	// every frame, so a byte comparison replaces a map lookup.
	boneCache  [humanoid.Count + 8]boneSlot
	blendCache [128]blendSlot
	boneOrd    int
	blendOrd   int
	lastID     addrID // the previous message's address

	// Blend keys and devices.
	blendIdx map[string]int32 // lower-cased key → index in keys
	keys     []blendKey
	staged   []int32 // keys with a Val since the last Apply
	vals     uint64  // Blend/Val messages taken: Blend.Order
	applies  uint64  // Blend/Apply messages taken
	devIdx   map[string]int32
	devs     []devSlot // parallel to work.Devices
	scratch  []byte
	// No key (device) can be evicted before these times: the least
	// recently received one is not EvictAfter old until then.
	blendEvictAt, devEvictAt time.Time

	// Statistics.
	senders map[netip.AddrPort]*senderState
	totals  Status
	causes  [maxCauses]causeCount // malformed OSC elements by error
	addrs   [numAddrs]AddressStatus
	unknown map[string]*uint64

	// Published frames: Feed (under mu) is the writer; readMu serialises
	// the readers, across Take and the copy out of the taken frame.
	frames  triple.Buffer[Frame]
	readMu  sync.Mutex
	seq     atomic.Uint64
	changed chan struct{}

	subsMu        sync.RWMutex
	subs          []*Subscription
	nsubs         atomic.Int32
	eventsDropped atomic.Uint64
}

// NewScene returns an empty scene.
func NewScene() *Scene {
	s := &Scene{
		blendIdx: make(map[string]int32),
		devIdx:   make(map[string]int32),
		senders:  make(map[netip.AddrPort]*senderState),
		unknown:  make(map[string]*uint64),
		changed:  make(chan struct{}, 1),
	}
	return s
}

// Snapshot copies the newest published frame into dst, reusing dst's slices
// (no allocation once they are large enough; dst must not share slices with
// another Frame). It never waits for the writer.
func (s *Scene) Snapshot(dst *Frame) {
	s.readMu.Lock()
	f, _ := s.frames.Take()
	dst.CopyFrom(f)
	s.readMu.Unlock()
}

// Seq returns the sequence number of the newest published frame (0 before
// the first).
func (s *Scene) Seq() uint64 { return s.seq.Load() }

// Changed returns a channel that receives a value after frames are published.
// It has capacity 1 and coalesces: after any number of publications one
// value is waiting, and the writer never blocks on it. It is meant for one
// consumer (the render loop); others should poll Seq.
func (s *Scene) Changed() <-chan struct{} { return s.changed }

// Feed decodes one OSC packet from sender from, arrived at at, into the
// scene, then publishes a new frame if the scene changed and hands events to
// subscribers. It is safe to call from several goroutines (calls are
// serialised) and does not allocate in steady state. packet is not retained.
func (s *Scene) Feed(packet []byte, from netip.AddrPort, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.from, s.at = from, at
	s.snd = s.sender(from, at)
	s.snd.countPacket(at)
	s.totals.Packets++
	s.bones = false
	s.boneOrd, s.blendOrd = 0, 0

	s.r.Reset(packet)
	m := &s.msg
	for {
		err := s.r.Next(m)
		if err == osc.ErrDone {
			break
		}
		if err != nil {
			s.snd.malformed++
			s.totals.Malformed++
			s.countCause(err)
			continue
		}
		s.snd.messages++
		s.totals.Messages++
		s.handle()
	}
	s.resolveThumbs()
	if s.bones && s.work.Naming != s.snd.naming {
		s.work.Naming = s.snd.naming
		s.dirty = true
	}
	if s.dirty {
		s.publish()
	}
	if len(s.events) > 0 {
		s.publishEvents(s.events)
		clear(s.events)
		s.events = s.events[:0]
	}
	s.snd = nil
}

// publish copies the working state into the triple buffer's back slot and
// publishes it.
func (s *Scene) publish() {
	s.work.Seq = s.seq.Load() + 1
	s.work.Received = s.at
	s.work.From = s.from
	s.frames.Back().CopyFrom(&s.work)
	s.frames.Publish()
	s.seq.Store(s.work.Seq)
	s.dirty = false
	if s.onPublish != nil {
		s.onPublish(&s.work)
	}
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// newEvent appends an event of kind k for the current packet and returns it
// to be filled, or nil when nobody listens (then nothing is built).
func (s *Scene) newEvent(k EventKind) *Event {
	if s.nsubs.Load() == 0 {
		return nil
	}
	if len(s.events) >= MaxEventsPerPacket {
		s.eventsDropped.Add(1)
		return nil
	}
	s.events = append(s.events, Event{Kind: k, From: s.from, Received: s.at})
	return &s.events[len(s.events)-1]
}
