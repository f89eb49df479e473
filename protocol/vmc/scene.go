package vmc

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

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
// triple buffer, so a snapshot is always the newest complete frame and
// publishing one is an atomic swap. Use [NewScene]; the zero Scene is not
// ready.
type Scene struct {
	mu   sync.Mutex // serialises Feed and guards the writer state below
	r    osc.Reader
	msg  osc.Message
	work Frame // the writer's current state

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

	// The triple buffer: the writer fills bufs[back] and swaps it into mid;
	// readers swap mid into front when it is fresh.
	bufs    [3]Frame
	back    int
	mid     atomic.Uint32 // buffer index | fresh
	readMu  sync.Mutex    // serialises readers; guards front
	front   int
	seq     atomic.Uint64
	changed chan struct{}

	subsMu        sync.RWMutex
	subs          []*Subscription
	nsubs         atomic.Int32
	eventsDropped atomic.Uint64
}

type boneSlot struct {
	name string // exactly as received; "" for an empty slot
	bone humanoid.Bone
	vrm1 bool // a VRM 1.0-only name (…ThumbMetacarpal)
}

type blendSlot struct {
	name string // exactly as received, equal to keys[key].name
	key  int32
}

const fresh = 1 << 8 // in Scene.mid: the middle buffer holds an unread frame

type blendKey struct {
	name    string    // first spelling seen
	low     string    // lower-cased name: the key in Scene.blendIdx
	frame   int32     // index in Frame.Blends, -1 until first applied
	staged  bool      // has a Val since the last Apply
	value   float32   // the staged value
	order   uint64    // Scene.vals at the staged value (Blend.Order)
	last    time.Time // arrival of the latest Val
	applied uint64    // Scene.applies when last applied
}

// devSlot is the table state of one entry of Frame.Devices.
type devSlot struct {
	key  string    // the key in Scene.devIdx
	last time.Time // arrival of the latest pose
}

// NewScene returns an empty scene.
func NewScene() *Scene {
	s := &Scene{
		blendIdx: make(map[string]int32),
		devIdx:   make(map[string]int32),
		senders:  make(map[netip.AddrPort]*senderState),
		unknown:  make(map[string]*uint64),
		changed:  make(chan struct{}, 1),
		back:     0,
		front:    2,
	}
	s.mid.Store(1)
	return s
}

// Snapshot copies the newest published frame into dst, reusing dst's slices
// (no allocation once they are large enough; dst must not share slices with
// another Frame). It never waits for the writer.
func (s *Scene) Snapshot(dst *Frame) {
	s.readMu.Lock()
	if s.mid.Load()&fresh != 0 {
		s.front = int(s.mid.Swap(uint32(s.front)) &^ fresh)
	}
	dst.CopyFrom(&s.bufs[s.front])
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
		s.handle(m)
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

// publish copies the working state into the back buffer and swaps it in.
func (s *Scene) publish() {
	s.work.Seq = s.seq.Load() + 1
	s.work.Received = s.at
	s.work.From = s.from
	s.bufs[s.back].CopyFrom(&s.work)
	s.back = int(s.mid.Swap(uint32(s.back)|fresh) &^ fresh)
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

// fault is why a well-formed message was dropped.
type fault uint8

const (
	faultNone  fault = iota
	faultShort       // too few arguments
	faultType        // an argument of the wrong type
	faultLimit       // a limit (key count, name length) was reached
)

// check compares a message's type tags with the signature a version of its
// address needs: a mismatch in the common prefix is a wrong type, a prefix
// that ends early is too few arguments, extra arguments are fine.
func check(tags []byte, sig string) fault {
	n := min(len(tags), len(sig))
	if string(tags[:n]) != sig[:n] {
		return faultType
	}
	if len(tags) < len(sig) {
		return faultShort
	}
	return faultNone
}

// has reports whether tags continue with sig at offset off.
func has(tags []byte, off int, sig string) bool {
	return len(tags) >= off+len(sig) && string(tags[off:off+len(sig)]) == sig
}

func (s *Scene) handle(m *osc.Message) {
	// Performers send runs of one address (55 Bone/Pos, then Blend/Val…):
	// try the previous message's address before the full lookup.
	id := s.lastID
	if string(m.Address) != addrNames[id] || id == idThru {
		var ok bool
		if id, ok = lookupAddr(m.Address); !ok {
			s.countUnknown(m.Address)
			return
		}
		s.lastID = id
	}
	st := &s.addrs[id]
	st.Messages++
	switch s.decode(id, m) {
	case faultNone:
		return
	case faultShort:
		st.ShortArgs++
	case faultType:
		st.WrongType++
	case faultLimit:
		st.Limited++
	}
	s.snd.rejected++
	s.totals.Rejected++
}

// Signatures of the Marionette-bound messages (spec "Marionette").
const (
	sigPose  = "sfffffff" // name/serial, position, rotation
	sigMR    = "ffffff"   // Root v2.1: scale, offset
	sigColor = "ffff"
)

func (s *Scene) decode(id addrID, m *osc.Message) fault {
	tags := m.Tags
	a := m.Args()
	switch id {
	case idBone:
		if f := check(tags, sigPose); f != faultNone {
			return f
		}
		name, t := readPose(&a)
		s.bone(name, t)

	case idBlendVal:
		if f := check(tags, "sf"); f != faultNone {
			return f
		}
		name, _ := a.Str()
		v, _ := a.Float32()
		return s.blendVal(name, v)

	case idBlendApply:
		s.blendApply()

	case idRoot:
		if f := check(tags, sigPose); f != faultNone {
			return f
		}
		_, t := readPose(&a)
		r := Root{Transform: t, Scale: Vec3{1, 1, 1}, Received: true}
		if has(tags, len(sigPose), sigMR) {
			r.Scale, r.Offset = readVec3(&a), readVec3(&a)
			r.MR = true
		}
		if r != s.work.Root {
			s.work.Root = r
			s.dirty = true
		}

	case idOK:
		if f := check(tags, "i"); f != faultNone {
			return f
		}
		loaded, _ := a.Int32()
		av := Availability{Loaded: loaded != 0, Received: true}
		if has(tags, 1, "ii") {
			cs, _ := a.Int32()
			cm, _ := a.Int32()
			av.Calibration, av.Mode, av.HasCalibration = CalibrationState(cs), CalibrationMode(cm), true
			if has(tags, 3, "i") {
				ts, _ := a.Int32()
				av.TrackingOK, av.HasTracking = ts == 1, true
			}
		}
		if av != s.work.Available {
			s.work.Available = av
			s.dirty = true
		}

	case idTime:
		if f := check(tags, "f"); f != faultNone {
			return f
		}
		v, _ := a.Float32()
		if !s.work.TimeReceived || v != s.work.Time {
			s.work.Time, s.work.TimeReceived = v, true
			s.dirty = true
		}

	case idCamera:
		if f := check(tags, sigPose+"f"); f != faultNone {
			return f
		}
		name, t := readPose(&a)
		fov, _ := a.Float32()
		c := &s.work.Camera
		if !c.Received || t != c.Transform || fov != c.FOV || string(name) != c.Name {
			setString(&c.Name, name)
			c.Transform, c.FOV, c.Received = t, fov, true
			s.dirty = true
		}

	case idLight:
		if f := check(tags, sigPose+sigColor); f != faultNone {
			return f
		}
		name, t := readPose(&a)
		col := readColor(&a)
		l := &s.work.Light
		if !l.Received || t != l.Transform || col != l.Color || string(name) != l.Name {
			setString(&l.Name, name)
			l.Transform, l.Color, l.Received = t, col, true
			s.dirty = true
		}

	case idHMD, idCon, idTracker, idHMDLocal, idConLocal, idTrackerLocal:
		if f := check(tags, sigPose); f != faultNone {
			return f
		}
		serial, t := readPose(&a)
		kind := DeviceKind((id - idHMD) % 3)
		return s.device(kind, id >= idHMDLocal, serial, t)

	case idController:
		if f := check(tags, "isiiifff"); f != faultNone {
			return f
		}
		if ev := s.newEvent(EventController); ev != nil {
			c := &ev.Controller
			c.Active, _ = a.Int32()
			name, _ := a.Str()
			c.Name = string(name)
			c.IsLeft, c.IsTouch, c.IsAxis = readBool(&a), readBool(&a), readBool(&a)
			c.Axis = readVec3(&a)
		}

	case idKey:
		if f := check(tags, "isi"); f != faultNone {
			return f
		}
		if ev := s.newEvent(EventKey); ev != nil {
			ev.Key.Active, _ = a.Int32()
			name, _ := a.Str()
			ev.Key.Name = string(name)
			ev.Key.KeyCode, _ = a.Int32()
		}

	case idMidiNote:
		if f := check(tags, "iiif"); f != faultNone {
			return f
		}
		if ev := s.newEvent(EventMidiNote); ev != nil {
			n := &ev.MidiNote
			n.Active, _ = a.Int32()
			n.Channel, _ = a.Int32()
			n.Note, _ = a.Int32()
			n.Velocity, _ = a.Float32()
		}

	case idMidiCCValue:
		if f := check(tags, "if"); f != faultNone {
			return f
		}
		if ev := s.newEvent(EventMidiCCValue); ev != nil {
			ev.MidiCC.Knob, _ = a.Int32()
			ev.MidiCC.Value, _ = a.Float32()
		}

	case idMidiCCBit:
		if f := check(tags, "ii"); f != faultNone {
			return f
		}
		if ev := s.newEvent(EventMidiCCBit); ev != nil {
			ev.MidiCC.Knob, _ = a.Int32()
			ev.MidiCC.Active, _ = a.Int32()
		}

	case idReceive:
		if f := check(tags, "ii"); f != faultNone {
			return f
		}
		enable, _ := a.Int32()
		port, _ := a.Int32()
		var ip []byte
		hasIP := has(tags, 2, "s")
		if hasIP {
			ip, _ = a.Str()
		}
		r := &s.work.Receive
		if !r.Received || r.Enable != (enable != 0) || r.Port != port || r.HasIP != hasIP || string(ip) != r.IP {
			r.Enable, r.Port, r.HasIP, r.Received = enable != 0, port, hasIP, true
			setString(&r.IP, ip)
			s.dirty = true
			if ev := s.newEvent(EventReceive); ev != nil {
				ev.Receive = *r
			}
		}

	case idVRM:
		if f := check(tags, "ss"); f != faultNone {
			return f
		}
		path, _ := a.Str()
		title, _ := a.Str()
		var hash []byte
		hasHash := has(tags, 2, "s")
		if hasHash {
			hash, _ = a.Str()
		}
		v := &s.work.VRM
		if !v.Received || string(path) != v.Path || string(title) != v.Title || hasHash != v.HasHash || string(hash) != v.Hash {
			setString(&v.Path, path)
			setString(&v.Title, title)
			setString(&v.Hash, hash)
			v.HasHash, v.Received = hasHash, true
			s.dirty = true
			if ev := s.newEvent(EventVRM); ev != nil {
				ev.VRM = *v
			}
		}

	case idRemote:
		if f := check(tags, "ss"); f != faultNone {
			return f
		}
		service, _ := a.Str()
		json, _ := a.Str()
		r := &s.work.Remote
		if !r.Received || string(service) != r.Service || string(json) != r.JSON {
			setString(&r.Service, service)
			setString(&r.JSON, json)
			r.Received = true
			s.dirty = true
			if ev := s.newEvent(EventRemote); ev != nil {
				ev.Remote = *r
			}
		}

	case idOption:
		if f := check(tags, "s"); f != faultNone {
			return f
		}
		opt, _ := a.Str()
		if setString(&s.work.Option, opt) {
			s.dirty = true
		}
		if ev := s.newEvent(EventOption); ev != nil {
			ev.Option = s.work.Option
		}

	case idConfig:
		if f := check(tags, "s"); f != faultNone {
			return f
		}
		path, _ := a.Str()
		if setString(&s.work.Config, path) {
			s.dirty = true
			if ev := s.newEvent(EventConfig); ev != nil {
				ev.Config = s.work.Config
			}
		}

	case idBackground:
		if f := check(tags, sigColor); f != faultNone {
			return f
		}
		bg := Background{Color: readColor(&a), Received: true}
		if bg != s.work.Background {
			s.work.Background = bg
			s.dirty = true
			if ev := s.newEvent(EventBackground); ev != nil {
				ev.Background = bg.Color
			}
		}

	case idWindow:
		if f := check(tags, "iiii"); f != faultNone {
			return f
		}
		w := Window{Received: true}
		w.TopMost, w.Transparent, w.ClickThrough, w.HideBorder = readBool(&a), readBool(&a), readBool(&a), readBool(&a)
		if w != s.work.Window {
			s.work.Window = w
			s.dirty = true
			if ev := s.newEvent(EventWindow); ev != nil {
				ev.Window = w
			}
		}

	case idThru:
		if ev := s.newEvent(EventThru); ev != nil {
			ev.Thru.Address = string(m.Address)
			ev.Thru.Args = thruArgs(&a)
		}
	}
	return faultNone
}

// readPose reads the "sfffffff" of a pose message; the caller has checked
// the tags.
func readPose(a *osc.Args) ([]byte, Transform) {
	name, _ := a.Str()
	var v [7]float32
	_ = a.Float32s(v[:])
	return name, Transform{Vec3{v[0], v[1], v[2]}, Quat{v[3], v[4], v[5], v[6]}}
}

func readVec3(a *osc.Args) Vec3 {
	var v [3]float32
	_ = a.Float32s(v[:])
	return Vec3{v[0], v[1], v[2]}
}

func readColor(a *osc.Args) Color {
	var v [4]float32
	_ = a.Float32s(v[:])
	return Color{v[0], v[1], v[2], v[3]}
}

// readBool reads an int flag, 1 = true (spec: "1=true, 0=false").
func readBool(a *osc.Args) bool {
	v, _ := a.Int32()
	return v != 0
}

// setString sets *dst to b, allocating only if it differs, and reports
// whether it did.
func setString(dst *string, b []byte) bool {
	if string(b) == *dst {
		return false
	}
	*dst = string(b)
	return true
}

func thruArgs(a *osc.Args) []any {
	n := min(a.Len(), MaxThruArgs)
	out := make([]any, 0, n)
	for range n {
		arg, err := a.Next()
		if err != nil {
			break
		}
		switch arg.Type {
		case 'i':
			out = append(out, arg.Int32())
		case 'f':
			out = append(out, arg.Float32())
		case 's', 'S':
			out = append(out, string(arg.Bytes()))
		case 'b':
			out = append(out, append([]byte(nil), arg.Bytes()...))
		case 'h':
			out = append(out, arg.Int64())
		case 'd':
			out = append(out, arg.Float64())
		case 't':
			out = append(out, arg.TimeTag())
		case 'T', 'F':
			out = append(out, arg.Bool())
		default:
			out = append(out, nil)
		}
	}
	return out
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

// bone applies a Bone/Pos. Names are Unity HumanBodyBones or VRM names in
// any case; which convention the sender uses is learnt from the names only
// one of them has (field notes §2): "…ThumbMetacarpal" is VRM 1.0,
// "…ThumbIntermediate" is Unity. "…ThumbProximal", the one name both use for
// different bones, waits for the end of the packet so that evidence later in
// the same packet counts.
func (s *Scene) bone(name []byte, t Transform) {
	b, vrm1, ok := s.lookupBone(name)
	if !ok {
		return // e.g. "LastBone", which some senders include
	}
	switch {
	case vrm1: // "…ThumbMetacarpal"
		s.snd.naming = humanoid.NamingVRM1
	case b == humanoid.LeftThumbMetacarpal || b == humanoid.RightThumbMetacarpal: // "…ThumbProximal"
		side := 0
		if b == humanoid.RightThumbMetacarpal {
			side = 1
		}
		s.thumbs[side].set, s.thumbs[side].t = true, t
		s.bones = true
		return
	case b == humanoid.LeftThumbProximal || b == humanoid.RightThumbProximal: // "…ThumbIntermediate"
		s.snd.naming = humanoid.NamingUnity
	}
	s.setBone(b, t)
}

// lookupBone resolves a bone name: Unity/VRM 0.x names first (vrm1 false),
// then the VRM 1.0-only names (vrm1 true). It tries the packet-order cache
// first.
func (s *Scene) lookupBone(name []byte) (b humanoid.Bone, vrm1, ok bool) {
	ord := s.boneOrd
	s.boneOrd++
	if ord < len(s.boneCache) {
		if c := &s.boneCache[ord]; c.name != "" && string(name) == c.name {
			return c.bone, c.vrm1, true
		}
	}
	if len(name) > 32 { // longer than any bone name; do not convert
		return humanoid.None, false, false
	}
	if b, ok = humanoid.ParseUnity(string(name)); !ok {
		if b, ok = humanoid.ParseVRM1(string(name)); !ok {
			return humanoid.None, false, false
		}
		vrm1 = true
	}
	if ord < len(s.boneCache) {
		// Cache the name if it is one of the table's spellings (no allocation).
		for _, sp := range [...]string{b.UnityName(), b.VRM0Name(), b.VRM1Name()} {
			if string(name) == sp {
				s.boneCache[ord] = boneSlot{name: sp, bone: b, vrm1: vrm1}
				break
			}
		}
	}
	return b, vrm1, true
}

func (s *Scene) setBone(b humanoid.Bone, t Transform) {
	s.bones = true
	if s.work.BonesReceived.Has(b) && s.work.Bones[b] == t {
		return
	}
	s.work.Bones[b] = t
	s.work.BonesReceived = s.work.BonesReceived.With(b)
	s.dirty = true
}

// resolveThumbs applies the packet's "…ThumbProximal" poses with the naming
// the sender is now known to use.
func (s *Scene) resolveThumbs() {
	for side := range s.thumbs {
		p := &s.thumbs[side]
		if !p.set {
			continue
		}
		p.set = false
		b := humanoid.LeftThumbMetacarpal // Unity LeftThumbProximal
		if s.snd.naming == humanoid.NamingVRM1 {
			b = humanoid.LeftThumbProximal // VRM 1.0 leftThumbProximal
		}
		if side == 1 {
			b = b.Mirror()
		}
		s.setBone(b, p.t)
	}
}

// blendVal stages a Blend/Val until the next Apply.
func (s *Scene) blendVal(name []byte, v float32) fault {
	if len(name) > MaxBlendNameLen {
		s.totals.BlendKeysRejected++
		return faultLimit
	}
	i, ok := s.lookupBlend(name)
	if !ok {
		s.totals.BlendKeysRejected++
		return faultLimit
	}
	k := &s.keys[i]
	s.vals++
	k.value, k.order, k.last = v, s.vals, s.at
	if !k.staged {
		k.staged = true
		s.staged = append(s.staged, i)
	}
	return faultNone
}

// lookupBlend returns the index of blend key name (ASCII case-insensitive),
// adding it if there is room or a stale key to evict. It tries the
// packet-order cache first.
func (s *Scene) lookupBlend(name []byte) (int32, bool) {
	ord := s.blendOrd
	s.blendOrd++
	if ord < len(s.blendCache) {
		if c := &s.blendCache[ord]; c.name != "" && string(name) == c.name {
			return c.key, true
		}
	}
	low := s.scratch[:0]
	for _, c := range name {
		low = append(low, lower(c))
	}
	s.scratch = low
	i, ok := s.blendIdx[string(low)]
	if !ok {
		k := blendKey{name: string(name), low: string(low), frame: -1}
		if len(s.keys) < MaxBlendKeys {
			i = int32(len(s.keys))
			s.keys = append(s.keys, k)
		} else if i, ok = s.evictBlendKey(); ok {
			// A staged evicted key stays in s.staged: the new key takes its
			// place there too.
			k.staged = s.keys[i].staged
			s.keys[i] = k
		} else {
			return 0, false
		}
		s.blendIdx[k.low] = i
	}
	if k := s.keys[i].name; ord < len(s.blendCache) && string(name) == k {
		s.blendCache[ord] = blendSlot{name: k, key: i}
	}
	return i, true
}

// evictBlendKey frees the slot of the blend key received least recently,
// if that was EvictAfter or more before the current packet, and returns
// its index. The key leaves Frame.Blends (the keys after it move up one).
func (s *Scene) evictBlendKey() (int32, bool) {
	if s.at.Before(s.blendEvictAt) {
		return 0, false
	}
	old := int32(0)
	for i := range s.keys {
		if s.keys[i].last.Before(s.keys[old].last) {
			old = int32(i)
		}
	}
	k := &s.keys[old]
	if s.at.Sub(k.last) < EvictAfter {
		s.blendEvictAt = k.last.Add(EvictAfter)
		return 0, false
	}
	delete(s.blendIdx, k.low)
	if f := k.frame; f >= 0 {
		s.work.Blends = append(s.work.Blends[:f], s.work.Blends[f+1:]...)
		for j := range s.keys {
			if s.keys[j].frame > f {
				s.keys[j].frame--
			}
		}
		s.dirty = true
	}
	for c := range s.blendCache {
		if s.blendCache[c].key == old {
			s.blendCache[c] = blendSlot{}
		}
	}
	s.totals.BlendKeysEvicted++
	return old, true
}

// blendApply commits the staged values (spec "VRM BlendShapeProxyValue").
// A key's Order changes with every Val; the frame is republished for that
// alone when the key comes back after missing an Apply, so that the frame
// tells which of two keys for one expression was received last.
func (s *Scene) blendApply() {
	s.applies++
	for _, i := range s.staged {
		k := &s.keys[i]
		k.staged = false
		back := k.applied+1 != s.applies
		k.applied = s.applies
		if k.frame < 0 {
			k.frame = int32(len(s.work.Blends))
			s.work.Blends = append(s.work.Blends, Blend{Name: k.name, Value: k.value, Order: k.order})
			s.dirty = true
			continue
		}
		b := &s.work.Blends[k.frame]
		if b.Value != k.value || back {
			s.dirty = true
		}
		b.Value, b.Order = k.value, k.order
	}
	s.staged = s.staged[:0]
}

// device applies a tracked device pose.
func (s *Scene) device(kind DeviceKind, local bool, serial []byte, t Transform) fault {
	if len(serial) > MaxSerialLen {
		s.totals.DevicesRejected++
		return faultLimit
	}
	key := append(s.scratch[:0], byte(kind)<<1)
	if local {
		key[0] |= 1
	}
	key = append(key, serial...)
	s.scratch = key
	i, ok := s.devIdx[string(key)]
	if !ok {
		if len(s.work.Devices) >= MaxDevices && !s.evictDevice() {
			s.totals.DevicesRejected++
			return faultLimit
		}
		i = int32(len(s.work.Devices))
		k := string(key)
		s.devIdx[k] = i
		s.devs = append(s.devs, devSlot{key: k, last: s.at})
		s.work.Devices = append(s.work.Devices, Device{Kind: kind, Local: local, Serial: string(serial), Transform: t})
		s.dirty = true
		return faultNone
	}
	s.devs[i].last = s.at
	if d := &s.work.Devices[i]; d.Transform != t {
		d.Transform = t
		s.dirty = true
	}
	return faultNone
}

// evictDevice removes the device heard from least recently from
// Frame.Devices (the ones after it move up one), if that was EvictAfter or
// more before the current packet, and reports whether it did.
func (s *Scene) evictDevice() bool {
	if s.at.Before(s.devEvictAt) {
		return false
	}
	old := 0
	for i := range s.devs {
		if s.devs[i].last.Before(s.devs[old].last) {
			old = i
		}
	}
	if last := s.devs[old].last; s.at.Sub(last) < EvictAfter {
		s.devEvictAt = last.Add(EvictAfter)
		return false
	}
	delete(s.devIdx, s.devs[old].key)
	s.devs = append(s.devs[:old], s.devs[old+1:]...)
	s.work.Devices = append(s.work.Devices[:old], s.work.Devices[old+1:]...)
	for j := old; j < len(s.devs); j++ {
		s.devIdx[s.devs[j].key] = int32(j)
	}
	s.dirty = true
	s.totals.DevicesEvicted++
	return true
}

func (s *Scene) countUnknown(addr []byte) {
	s.snd.unknown++
	s.totals.Unknown++
	if len(addr) > maxUnknownAddrLen {
		addr = addr[:maxUnknownAddrLen]
	}
	if n := s.unknown[string(addr)]; n != nil {
		*n++
		return
	}
	if len(s.unknown) < MaxUnknownAddresses {
		n := uint64(1)
		s.unknown[string(addr)] = &n
	}
}
