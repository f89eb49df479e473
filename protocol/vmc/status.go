package vmc

import (
	"errors"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Status is a receiver's health: totals, per sender, per address. Counts are
// since the Scene was made.
type Status struct {
	// Listen is the receiver's bound address (zero for a Scene fed directly).
	Listen netip.AddrPort

	Packets  uint64 // datagrams decoded
	Messages uint64 // well-formed OSC messages in them
	// Malformed counts OSC elements dropped as malformed (bad padding,
	// lengths, type tags…); each drops only itself (package osc).
	// MalformedCauses breaks it down by the decoder's error.
	Malformed       uint64
	MalformedCauses []MalformedCause
	// Rejected counts well-formed messages of known addresses that were
	// dropped: too few or wrong-typed arguments, or a limit reached.
	Rejected uint64
	// Unknown counts messages with addresses this package does not decode
	// (ignored, as the spec asks).
	Unknown uint64

	BlendKeysRejected uint64 // Blend/Val dropped by MaxBlendKeys or MaxBlendNameLen
	BlendKeysEvicted  uint64 // stale blend keys dropped for new ones (EvictAfter)
	DevicesRejected   uint64 // device poses dropped by MaxDevices or MaxSerialLen
	DevicesEvicted    uint64 // stale devices dropped for new ones (EvictAfter)
	EventsDropped     uint64 // events dropped: slow subscribers, MaxEventsPerPacket
	ReadErrors        uint64 // socket read errors (Receiver only)
	// Dropped counts datagrams the operating system dropped before we could
	// read them, because the socket's receive buffer was full (a flood, or
	// a reader too slow). Linux only (SO_RXQ_OVFL, DropsCounted): the count
	// comes with the next datagram read, so drops after the last one show
	// when another arrives. Receiver only.
	Dropped      uint64
	DropsCounted bool // this system reports Dropped

	// Senders are the senders heard from, most recent first (at most
	// MaxSenders).
	Senders []SenderStatus
	// Addresses are the Marionette-bound addresses received at least once,
	// in spec order; Thru messages are counted under "/VMC/Thru/*".
	Addresses []AddressStatus
	// UnknownAddresses are the first MaxUnknownAddresses distinct unknown
	// addresses (truncated to 128 bytes), most frequent first.
	UnknownAddresses []UnknownAddress
}

// SenderStatus is one sender's traffic.
type SenderStatus struct {
	Addr      netip.AddrPort
	Packets   uint64
	Messages  uint64
	Malformed uint64 // malformed OSC elements
	Rejected  uint64 // well-formed messages dropped (arguments, limits)
	Unknown   uint64 // messages with unknown addresses
	// PacketRate and MessageRate are per second over about the last second.
	PacketRate, MessageRate float64
	LastPacket              time.Time
	// Connected reports data within the last ConnectedTimeout.
	Connected bool
	// Naming is the bone naming this sender uses (field notes §2).
	Naming humanoid.Naming
}

// AddressStatus counts one address's messages and the ones dropped.
type AddressStatus struct {
	Address   string
	Messages  uint64 // well-formed messages received
	ShortArgs uint64 // dropped: too few arguments
	WrongType uint64 // dropped: an argument of another type than the spec's
	Limited   uint64 // dropped: a limit (MaxBlendKeys, MaxDevices, name length)
}

// MalformedCause counts the OSC elements dropped for one reason.
type MalformedCause struct {
	// Cause is package osc's error text without its "osc: " prefix, for
	// example "missing or nonzero padding after a string or blob".
	Cause string
	Count uint64
}

// maxCauses bounds the distinct malformed-element errors counted apart
// (package osc has a dozen); others are counted as "other".
const maxCauses = 16

type causeCount struct {
	err error
	n   uint64
}

// countCause counts a malformed element under its error, without
// allocating (the decoder's errors are fixed values).
func (s *Scene) countCause(err error) {
	for i := range s.causes {
		c := &s.causes[i]
		if c.err == err || c.err == nil {
			c.err = err
			c.n++
			return
		}
	}
	s.causes[maxCauses-1].err = errOtherCause
	s.causes[maxCauses-1].n++
}

var errOtherCause = errors.New("other")

// UnknownAddress is an address this package does not decode.
type UnknownAddress struct {
	Address string
	Count   uint64
}

type senderState struct {
	addr                                   netip.AddrPort
	naming                                 humanoid.Naming
	packets, messages, malformed, rejected uint64
	unknown                                uint64
	last                                   time.Time
	winStart                               time.Time // rate window
	winPackets, winMessages                uint64    // counts at winStart
	packetRate, messageRate                float64   // of the last closed window
	closed                                 bool      // a rate window has closed
}

// rateWindow is the span rates are measured over.
const rateWindow = time.Second

// countPacket counts a packet arriving at at, closing the rate window when
// it is a second old.
func (st *senderState) countPacket(at time.Time) {
	if el := at.Sub(st.winStart); el >= rateWindow {
		sec := el.Seconds()
		st.packetRate = float64(st.packets-st.winPackets) / sec
		st.messageRate = float64(st.messages-st.winMessages) / sec
		st.winStart, st.winPackets, st.winMessages = at, st.packets, st.messages
		st.closed = true
	}
	st.packets++
	st.last = at
}

// rates returns the packet and message rates as of now: the last closed
// window's, or the open window's once it is older than a second (the sender
// went quiet: the rate decays towards 0) or, in a sender's first second,
// once it is a quarter second old.
func (st *senderState) rates(now time.Time) (float64, float64) {
	el := now.Sub(st.winStart)
	if el < rateWindow && (st.closed || el < rateWindow/4) {
		return st.packetRate, st.messageRate
	}
	sec := el.Seconds()
	return float64(st.packets-st.winPackets) / sec, float64(st.messages-st.winMessages) / sec
}

// sender returns the state of from, making it (and forgetting the least
// recently heard sender when MaxSenders are known) if new.
func (s *Scene) sender(from netip.AddrPort, at time.Time) *senderState {
	if st, ok := s.senders[from]; ok {
		return st
	}
	if len(s.senders) >= MaxSenders {
		var oldest *senderState
		for _, st := range s.senders {
			if oldest == nil || st.last.Before(oldest.last) {
				oldest = st
			}
		}
		delete(s.senders, oldest.addr)
	}
	st := &senderState{addr: from, winStart: at}
	s.senders[from] = st
	return st
}

// Status returns the scene's statistics as of now.
func (s *Scene) Status() Status { return s.statusAt(time.Now()) }

func (s *Scene) statusAt(now time.Time) Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.totals
	st.EventsDropped = s.eventsDropped.Load()
	s.subsMu.RLock()
	for _, sub := range s.subs {
		st.EventsDropped += sub.Dropped()
	}
	s.subsMu.RUnlock()
	for _, snd := range s.senders {
		pr, mr := snd.rates(now)
		st.Senders = append(st.Senders, SenderStatus{
			Addr: snd.addr, Packets: snd.packets, Messages: snd.messages,
			Malformed: snd.malformed, Rejected: snd.rejected, Unknown: snd.unknown,
			PacketRate: pr, MessageRate: mr, LastPacket: snd.last,
			Connected: now.Sub(snd.last) < ConnectedTimeout, Naming: snd.naming,
		})
	}
	sort.Slice(st.Senders, func(i, j int) bool {
		a, b := st.Senders[i], st.Senders[j]
		if !a.LastPacket.Equal(b.LastPacket) {
			return a.LastPacket.After(b.LastPacket)
		}
		return a.Addr.Compare(b.Addr) < 0
	})
	for id, a := range s.addrs {
		if a.Messages > 0 {
			a.Address = handlers[id].addr
			st.Addresses = append(st.Addresses, a)
		}
	}
	for _, c := range s.causes {
		if c.err != nil {
			st.MalformedCauses = append(st.MalformedCauses, MalformedCause{
				Cause: strings.TrimPrefix(c.err.Error(), "osc: "), Count: c.n})
		}
	}
	sort.SliceStable(st.MalformedCauses, func(i, j int) bool {
		return st.MalformedCauses[i].Count > st.MalformedCauses[j].Count
	})
	for addr, n := range s.unknown {
		st.UnknownAddresses = append(st.UnknownAddresses, UnknownAddress{Address: addr, Count: *n})
	}
	sort.Slice(st.UnknownAddresses, func(i, j int) bool {
		a, b := st.UnknownAddresses[i], st.UnknownAddresses[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Address < b.Address
	})
	return st
}

// countUnknown counts a message of an address this package does not decode
// and remembers the address (at most MaxUnknownAddresses of them, each cut
// to 128 bytes).
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
