package vmc

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"
)

func addFeedSeeds(f *testing.F) {
	fr := lowFrequency(fullFrame(1, 5))
	for _, p := range framePackets(f, fr) {
		f.Add(p)
	}
	f.Add(marshal(f, msg(AddrBone, pArgs("leftThumbMetacarpal")...)))
	f.Add(marshal(f, msg("/VMC/Thru/a", "x", int32(1))))
	f.Add(marshal(f, msg(AddrVRM, "p", "t", "h")))
	f.Add([]byte("#bundle\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x08/a\x00\x00,\x00\x00\x00"))
}

// FuzzFeed feeds arbitrary datagrams to a Scene (with a subscriber): no
// panic, every limit holds, and snapshots and status stay well formed.
func FuzzFeed(f *testing.F) {
	addFeedSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewScene()
		sub := s.Subscribe(4)
		defer sub.Close()
		s.Feed(data, testSender, testTime)
		s.Feed(data, netipAddrPort("[2001:db8::1]:9"), testTime.Add(time.Second))
		var fr Frame
		s.Snapshot(&fr)
		st := s.Status()
		if len(fr.Blends) > MaxBlendKeys || len(fr.Devices) > MaxDevices || len(st.UnknownAddresses) > MaxUnknownAddresses {
			t.Fatalf("limits broken: %d blends %d devices %d unknown", len(fr.Blends), len(fr.Devices), len(st.UnknownAddresses))
		}
		if fr.Seq > 2 || st.Packets != 2 {
			t.Fatalf("seq %d packets %d", fr.Seq, st.Packets)
		}
		for _, b := range fr.Blends {
			if len(b.Name) > MaxBlendNameLen {
				t.Fatalf("blend name of %d bytes", len(b.Name))
			}
		}
		for _, a := range st.Addresses {
			if a.ShortArgs+a.WrongType+a.Limited > a.Messages {
				t.Fatalf("%+v", a)
			}
		}
		if st.Malformed%2 != 0 || st.Messages%2 != 0 {
			t.Fatalf("the same packet decoded differently: %+v", st)
		}
	})
}

// gen turns fuzz bytes into VMC traffic, deterministically.
type gen struct{ b []byte }

func (g *gen) byte() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

func (g *gen) u32() uint32 {
	return uint32(g.byte())<<24 | uint32(g.byte())<<16 | uint32(g.byte())<<8 | uint32(g.byte())
}

func (g *gen) float() float32 {
	if g.byte()%4 == 0 {
		return math.Float32frombits(g.u32()) // any bits, NaN included
	}
	return float32(int8(g.byte())) / 16
}

// name is a short ASCII name from a small alphabet, so keys collide in case.
func (g *gen) name() string {
	if g.byte()%3 == 0 {
		return []string{"Hips", "leftThumbMetacarpal", "LeftThumbProximal", "LEFTTHUMBINTERMEDIATE", "Head", "LastBone"}[g.byte()%6]
	}
	var sb strings.Builder
	for n := g.byte()%4 + 1; n > 0; n-- {
		sb.WriteByte("aAbBcC"[g.byte()%6])
	}
	return sb.String()
}

func (g *gen) arg(tag byte) any {
	switch tag {
	case 'f':
		return g.float()
	case 'i':
		return int32(int8(g.byte()))
	case 's':
		return g.name()
	case 'h':
		return int64(g.byte())
	case 'd':
		return float64(g.byte())
	case 'T':
		return true
	case 'N':
		return nil
	}
	return []byte{g.byte()}
}

var genAddrs = []string{AddrOK, AddrTime, AddrRoot, AddrBlendVal, AddrBlendApply, AddrBone, AddrCamera,
	AddrKey, AddrWindow, "/VMC/Ext/Unknown"}

// message generates one message: exact, truncated, with extras, or random.
func (g *gen) message() *goosc.Message {
	addr := genAddrs[int(g.byte())%len(genAddrs)]
	sig := specSignatures[addr]
	var tags string
	switch g.byte() % 4 {
	case 0: // exactly the signature, with a later version's tail
		tags = sig
		switch addr {
		case AddrRoot:
			if g.byte()%2 == 0 {
				tags += sigMR
			}
		case AddrOK:
			tags += []string{"", "ii", "iii"}[g.byte()%3]
		}
	case 1: // truncated
		if len(sig) > 0 {
			tags = sig[:int(g.byte())%len(sig)]
		}
	case 2: // extras
		tags = sig + "fsibhdTN"[:g.byte()%8]
	default: // random
		var sb strings.Builder
		for n := g.byte() % 16; n > 0; n-- {
			sb.WriteByte("fffiiisbhdTN"[g.byte()%12])
		}
		tags = sb.String()
	}
	m := goosc.NewMessage(addr)
	for i := range len(tags) {
		m.Append(g.arg(tags[i]))
	}
	return m
}

// model is an independent reference of the VMC rules this package follows,
// fed from go-osc's decoding of the packet.
type model struct {
	time     float32
	timeOK   bool
	root     Root
	ok       Availability
	staged   map[string]float32
	pending  []string // staged keys in first-Val order
	spelling map[string]string
	order    []string
	applied  map[string]float32
	short    map[string]uint64
	wrong    map[string]uint64
}

func newModel() *model {
	return &model{staged: map[string]float32{}, spelling: map[string]string{},
		applied: map[string]float32{}, short: map[string]uint64{}, wrong: map[string]uint64{}}
}

// tagsOf returns the OSC type tags of go-osc's decoded arguments.
func tagsOf(m *goosc.Message) string {
	tt, _ := m.TypeTags()
	return strings.TrimPrefix(tt, ",")
}

func (md *model) apply(m *goosc.Message) {
	sig, known := specSignatures[m.Address]
	if m.Address == AddrBlendApply {
		for _, k := range md.pending {
			if _, ok := md.applied[k]; !ok {
				md.order = append(md.order, k)
			}
			md.applied[k] = md.staged[k]
		}
		clear(md.staged)
		md.pending = md.pending[:0]
		return
	}
	if !known {
		return
	}
	tags := tagsOf(m)
	for i := 0; i < len(sig); i++ {
		if i >= len(tags) {
			md.short[m.Address]++
			return
		}
		if tags[i] != sig[i] {
			md.wrong[m.Address]++
			return
		}
	}
	a := m.Arguments
	f := func(i int) float32 { return a[i].(float32) }
	switch m.Address {
	case AddrTime:
		md.time, md.timeOK = f(0), true
	case AddrRoot:
		r := Root{Transform: Transform{Vec3{f(1), f(2), f(3)}, Quat{f(4), f(5), f(6), f(7)}}, Scale: Vec3{1, 1, 1}, Received: true}
		if strings.HasPrefix(tags[8:], sigMR) {
			r.Scale, r.Offset, r.MR = Vec3{f(8), f(9), f(10)}, Vec3{f(11), f(12), f(13)}, true
		}
		md.root = r
	case AddrOK:
		av := Availability{Loaded: a[0].(int32) != 0, Received: true}
		if strings.HasPrefix(tags[1:], "ii") {
			av.Calibration, av.Mode, av.HasCalibration = CalibrationState(a[1].(int32)), CalibrationMode(a[2].(int32)), true
			if strings.HasPrefix(tags[3:], "i") {
				av.TrackingOK, av.HasTracking = a[3].(int32) == 1, true
			}
		}
		md.ok = av
	case AddrBlendVal:
		name := a[0].(string)
		low := strings.ToLower(name)
		if _, ok := md.spelling[low]; !ok {
			md.spelling[low] = name
		}
		if _, ok := md.staged[low]; !ok {
			md.pending = append(md.pending, low)
		}
		md.staged[low] = f(1)
	}
}

// bitsOf encodes a fixed-size value so that NaNs compare by their bits.
func bitsOf(v any) []byte {
	var b bytes.Buffer
	if err := binary.Write(&b, binary.LittleEndian, v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// FuzzFeedGoOSC generates VMC traffic (valid, truncated, extended and random
// messages to VMC addresses), encodes it with go-osc, decodes go-osc's bytes
// with go-osc's own ParsePacket and with our Scene, and checks our scene and
// per-address error counters against a reference model of the VMC rules run
// on go-osc's decoding: T, Root, OK and blends (Val/Apply, case-insensitive,
// kept until resent).
func FuzzFeedGoOSC(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x05\x00\x00\x03\x00\x01\x02\x01\x01\x03\x00\x04\x00\x00\x00\x00\x00\x00"))
	f.Add(bytes.Repeat([]byte{3, 0, 0, 1, 4, 0, 2, 9}, 20))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &gen{b: data}
		s, md := NewScene(), newModel()
		for range 4 { // packets
			b := goosc.NewBundle(time.Time{})
			for n := g.byte() % 24; n > 0; n-- {
				b.Append(g.message())
			}
			pkt := marshal(t, b)
			s.Feed(pkt, testSender, testTime)
			p, err := goosc.ParsePacket(string(pkt))
			if err != nil {
				t.Skipf("go-osc cannot parse its own packet: %v", err)
			}
			if len(p.(*goosc.Bundle).Messages) != len(b.Messages) {
				t.Skip("go-osc lost messages (field notes §1)")
			}
			for _, m := range p.(*goosc.Bundle).Messages {
				md.apply(m)
			}
		}
		var fr Frame
		s.Snapshot(&fr)
		if fr.TimeReceived != md.timeOK || math.Float32bits(fr.Time) != math.Float32bits(md.time) {
			t.Errorf("T %v %v, model %v %v", fr.Time, fr.TimeReceived, md.time, md.timeOK)
		}
		if !bytes.Equal(bitsOf(fr.Root), bitsOf(md.root)) {
			t.Errorf("root %+v\nmodel %+v", fr.Root, md.root)
		}
		if fr.Available != md.ok {
			t.Errorf("OK %+v, model %+v", fr.Available, md.ok)
		}
		if len(fr.Blends) != len(md.order) {
			t.Fatalf("blends %v, model %v", fr.Blends, md.applied)
		}
		for i, b := range fr.Blends {
			low := md.order[i]
			if b.Name != md.spelling[low] || math.Float32bits(b.Value) != math.Float32bits(md.applied[low]) {
				t.Errorf("blend %d %+v, model %s=%v", i, b, md.spelling[low], md.applied[low])
			}
		}
		st := s.Status()
		for _, a := range st.Addresses {
			if a.ShortArgs != md.short[a.Address] || a.WrongType != md.wrong[a.Address] {
				t.Errorf("%s: short %d wrong %d, model %d %d", a.Address, a.ShortArgs, a.WrongType,
					md.short[a.Address], md.wrong[a.Address])
			}
		}
		if st.Malformed != 0 {
			t.Errorf("go-osc's packets counted malformed: %d", st.Malformed)
		}
	})
}
