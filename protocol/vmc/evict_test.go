package vmc

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"
)

// burst returns one bundle with n Blend/Val of names prefix0…, then Apply:
// the hostile datagram of issue #11 (600 names, 23.6 KB).
func burst(prefix string, n int) *goosc.Bundle {
	b := goosc.NewBundle(time.Time{})
	for i := range n {
		b.Append(msg(AddrBlendVal, fmt.Sprintf("%s%d", prefix, i), float32(0.5)))
	}
	b.Append(msg(AddrBlendApply))
	return b
}

// performerBlends is what a Performer sends every frame: Joy and the five
// mouth shapes, then Apply.
func performerBlends(joy float32) *goosc.Bundle {
	b := goosc.NewBundle(time.Time{})
	b.Append(msg(AddrBlendVal, "Joy", joy))
	for _, n := range []string{"A", "I", "U", "E", "O"} {
		b.Append(msg(AddrBlendVal, n, float32(0.1)))
	}
	b.Append(msg(AddrBlendApply))
	return b
}

func TestBlendKeysEvictedWhenStale(t *testing.T) {
	s := NewScene()
	hostile := netip.MustParseAddrPort("192.0.2.66:6666")
	t0 := testTime
	s.Feed(marshal(t, burst("junk", 600)), hostile, t0)
	if st := s.Status(); st.BlendKeysRejected != 600-MaxBlendKeys || st.BlendKeysEvicted != 0 {
		t.Fatalf("after the burst: rejected %d evicted %d", st.BlendKeysRejected, st.BlendKeysEvicted)
	}
	// Within EvictAfter the burst's keys are live: the Performer's wait.
	s.Feed(marshal(t, performerBlends(0.25)), testSender, t0.Add(EvictAfter-time.Millisecond))
	if _, ok := snapshot(s).Blend("Joy"); ok {
		t.Fatal("a live key was evicted")
	}
	// Once they are stale, the Performer's keys take their places, and
	// keep them while the Performer sends them.
	for i := range 120 {
		s.Feed(marshal(t, performerBlends(0.75)), testSender, t0.Add(EvictAfter+time.Duration(i)*time.Second/60))
	}
	f := snapshot(s)
	if v, ok := f.Blend("Joy"); !ok || v != 0.75 {
		t.Fatalf("Joy = %v, %v; want 0.75", v, ok)
	}
	if len(f.Blends) != MaxBlendKeys {
		t.Errorf("%d keys, want the table full (%d)", len(f.Blends), MaxBlendKeys)
	}
	if st := s.Status(); st.BlendKeysEvicted != 6 {
		t.Errorf("evicted %d keys, want 6", st.BlendKeysEvicted)
	}
	// The evicted keys are gone from the frame; the other junk keys are
	// still in it, in their order.
	for _, b := range f.Blends {
		if b.Name == "junk0" || b.Name == "junk5" {
			t.Errorf("evicted key %s still in the frame", b.Name)
		}
	}
	if f.Blends[0].Name != "junk6" {
		t.Errorf("first key %s, want junk6", f.Blends[0].Name)
	}
	// A second burst later evicts only stale keys: never the Performer's,
	// which it sent a frame ago. A burst's own keys do not evict each
	// other: the rest of it is rejected.
	later := t0.Add(3 * time.Second)
	s.Feed(marshal(t, performerBlends(0.5)), testSender, later.Add(-time.Second/60))
	s.Feed(marshal(t, burst("more", 600)), hostile, later)
	f = snapshot(s)
	if v, ok := f.Blend("Joy"); !ok || v != 0.5 {
		t.Errorf("after the second burst Joy = %v, %v; want 0.5", v, ok)
	}
	for _, n := range []string{"A", "I", "U", "E", "O"} {
		if _, ok := f.Blend(n); !ok {
			t.Errorf("the Performer's %s was evicted", n)
		}
	}
	if st := s.Status(); st.BlendKeysEvicted != MaxBlendKeys || st.BlendKeysRejected != 2*(600-MaxBlendKeys)+6+6 {
		t.Errorf("evicted %d rejected %d", st.BlendKeysEvicted, st.BlendKeysRejected)
	}
	// A name evicted from a slot the packet-order cache knew comes back
	// as a new key, not as the slot's new owner.
	s.Feed(marshal(t, performerBlends(0.5)), testSender, later.Add(2*EvictAfter-time.Second/60))
	s.Feed(marshal(t, burst("junk", 1)), hostile, later.Add(2*EvictAfter))
	f = snapshot(s)
	if v, ok := f.Blend("junk0"); !ok || v != 0.5 {
		t.Errorf("junk0 = %v, %v after it came back", v, ok)
	}
	if v, ok := f.Blend("Joy"); !ok || v != 0.5 {
		t.Errorf("Joy = %v, %v: changed by another key's Val", v, ok)
	}
}

func TestDevicesEvictedWhenStale(t *testing.T) {
	s := NewScene()
	b := goosc.NewBundle(time.Time{})
	for i := range MaxDevices + 6 {
		b.Append(msg(AddrTrackerPos, pArgs(fmt.Sprintf("junk%d", i))...))
	}
	s.Feed(marshal(t, b), testSender, testTime)
	hmd := msg(AddrHMDPos, pArgs("LHR-HMD")...)
	s.Feed(marshal(t, hmd), testSender, testTime.Add(EvictAfter/2))
	if st := s.Status(); st.DevicesRejected != 7 || len(snapshot(s).Devices) != MaxDevices {
		t.Fatalf("rejected %d, %d devices", st.DevicesRejected, len(snapshot(s).Devices))
	}
	s.Feed(marshal(t, hmd), testSender, testTime.Add(EvictAfter))
	f := snapshot(s)
	if n := len(f.Devices); n != MaxDevices || f.Devices[n-1].Serial != "LHR-HMD" || f.Devices[0].Serial != "junk1" {
		t.Fatalf("%d devices, first %q last %q", n, f.Devices[0].Serial, f.Devices[n-1].Serial)
	}
	// Indices stay right after the shift: the HMD updates in place.
	s.Feed(marshal(t, msg(AddrHMDPos, "LHR-HMD", float32(1), float32(2), float32(3), float32(0), float32(0), float32(0), float32(1))),
		testSender, testTime.Add(EvictAfter+time.Millisecond))
	f = snapshot(s)
	if d := f.Devices[MaxDevices-1]; d.Serial != "LHR-HMD" || d.Position != (Vec3{1, 2, 3}) {
		t.Errorf("HMD %+v", d)
	}
	if st := s.Status(); st.DevicesEvicted != 1 {
		t.Errorf("evicted %d devices, want 1", st.DevicesEvicted)
	}
}

// TestBlendEvictionOverUDP is issue #11's case on real sockets: one
// datagram with 600 blend names, then, a second later, the real
// Performer's Joy is shown.
func TestBlendEvictionOverUDP(t *testing.T) {
	r := listen(t, "127.0.0.1:0", ListenConfig{})
	hostile := dial(t, r)
	pkt := marshal(t, burst("junk", 600))
	if len(pkt) < 20_000 {
		t.Fatalf("the burst is %d bytes", len(pkt))
	}
	if err := hostile.SendRaw(pkt); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r.Scene(), "the burst", func(f *Frame) bool { return len(f.Blends) == MaxBlendKeys })
	time.Sleep(EvictAfter) // the burst's keys go stale
	performer := dial(t, r)
	f := waitFor(t, r.Scene(), "the Performer's Joy", func(f *Frame) bool {
		if v, ok := f.Blend("Joy"); ok && v == 0.75 {
			return true
		}
		_ = performer.SendPacket(performerBlends(0.75))
		return false
	})
	if len(f.Blends) != MaxBlendKeys {
		t.Errorf("%d keys", len(f.Blends))
	}
	if st := r.Status(); st.BlendKeysEvicted != 6 {
		t.Errorf("evicted %d", st.BlendKeysEvicted)
	}
}

// TestBlendOrderMostRecentWins: of two keys (VRM 0.x Joy, VRM 1.0 happy)
// the frame tells which was received last, and a key that comes back with
// an unchanged value republishes the frame so that it wins again.
func TestBlendOrderMostRecentWins(t *testing.T) {
	s := NewScene()
	order := func(f *Frame, name string) uint64 {
		for _, b := range f.Blends {
			if b.Name == name {
				return b.Order
			}
		}
		t.Fatalf("no %s", name)
		return 0
	}
	vrm0 := netip.MustParseAddrPort("192.0.2.10:1")
	vrm1 := netip.MustParseAddrPort("192.0.2.11:1")
	hb := goosc.NewBundle(time.Time{})
	hb.Append(msg(AddrBlendVal, "happy", float32(0.5)))
	hb.Append(msg(AddrBlendApply))
	happy := marshal(t, hb)
	joy := marshal(t, performerBlends(0.8))
	s.Feed(happy, vrm1, testTime)
	s.Feed(joy, vrm0, testTime)
	f := snapshot(s)
	if order(f, "Joy") <= order(f, "happy") {
		t.Fatalf("Joy order %d, happy %d: Joy came later", order(f, "Joy"), order(f, "happy"))
	}
	seq := f.Seq
	s.Feed(happy, vrm1, testTime) // same value, back after missing an Apply
	f = snapshot(s)
	if f.Seq == seq || order(f, "happy") <= order(f, "Joy") {
		t.Fatalf("seq %d→%d, happy order %d, Joy %d: happy came later", seq, f.Seq, order(f, "happy"), order(f, "Joy"))
	}
	// Resending the same values every Apply publishes nothing new.
	seq = f.Seq
	s.Feed(happy, vrm1, testTime)
	if got := s.Seq(); got != seq {
		t.Errorf("an unchanged resend published frame %d", got)
	}
	// Within one packet the later Val wins too.
	b := goosc.NewBundle(time.Time{})
	b.Append(msg(AddrBlendVal, "happy", float32(0.5)))
	b.Append(msg(AddrBlendVal, "Joy", float32(0.8)))
	b.Append(msg(AddrBlendApply))
	s.Feed(marshal(t, b), vrm0, testTime)
	if f := snapshot(s); order(f, "Joy") <= order(f, "happy") {
		t.Errorf("in one packet: Joy order %d, happy %d", order(f, "Joy"), order(f, "happy"))
	}
}

// TestEvictionClearsNameCache: the packet-order name cache must forget an
// evicted key, or its name would write into the slot's new owner.
func TestEvictionClearsNameCache(t *testing.T) {
	s := NewScene()
	val := func(at time.Time, kv ...any) {
		b := goosc.NewBundle(time.Time{})
		for i := 0; i < len(kv); i += 2 {
			b.Append(msg(AddrBlendVal, kv[i], kv[i+1]))
		}
		b.Append(msg(AddrBlendApply))
		s.Feed(marshal(t, b), testSender, at)
	}
	s.Feed(marshal(t, burst("junk", MaxBlendKeys)), testSender, testTime) // cache: ordinal i → junk<i>
	val(testTime.Add(EvictAfter/2), "junk0", float32(0.5))                // junk1 is now the stalest
	val(testTime.Add(EvictAfter), "Joy", float32(0.25))                   // at ordinal 0, into junk1's slot
	val(testTime.Add(EvictAfter), "junk0", float32(0.5), "junk1", float32(0.9))
	f := snapshot(s)
	if v, ok := f.Blend("Joy"); !ok || v != 0.25 {
		t.Errorf("Joy = %v, %v; want 0.25 (junk1's Val went into its slot)", v, ok)
	}
	if v, ok := f.Blend("junk1"); !ok || v != 0.9 {
		t.Errorf("junk1 = %v, %v; want 0.9 as a new key", v, ok)
	}
}

// checkTables verifies the scene's key and device tables against the
// working frame: every key indexed once, frame indices a permutation of
// Frame.Blends matching names, the device index matching Frame.Devices.
func checkTables(t *testing.T, s *Scene) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) > MaxBlendKeys || len(s.work.Blends) > MaxBlendKeys || len(s.work.Devices) > MaxDevices {
		t.Fatalf("%d keys, %d blends, %d devices", len(s.keys), len(s.work.Blends), len(s.work.Devices))
	}
	if len(s.blendIdx) != len(s.keys) {
		t.Fatalf("%d indexed keys, %d keys", len(s.blendIdx), len(s.keys))
	}
	inFrame := make([]bool, len(s.work.Blends))
	for i, k := range s.keys {
		if j, ok := s.blendIdx[k.low]; !ok || j != int32(i) {
			t.Fatalf("key %d %q indexed as %d %v", i, k.name, j, ok)
		}
		if k.frame < 0 {
			continue
		}
		if int(k.frame) >= len(inFrame) || inFrame[k.frame] || s.work.Blends[k.frame].Name != k.name {
			t.Fatalf("key %d %q at frame index %d of %d", i, k.name, k.frame, len(inFrame))
		}
		inFrame[k.frame] = true
	}
	for i, ok := range inFrame {
		if !ok {
			t.Fatalf("blend %d %q has no key", i, s.work.Blends[i].Name)
		}
	}
	for _, c := range s.blendCache {
		if c.name != "" && s.keys[c.key].name != c.name {
			t.Fatalf("cache %q → key %d %q", c.name, c.key, s.keys[c.key].name)
		}
	}
	if len(s.devs) != len(s.work.Devices) || len(s.devIdx) != len(s.devs) {
		t.Fatalf("%d device slots, %d devices, %d indexed", len(s.devs), len(s.work.Devices), len(s.devIdx))
	}
	for i, d := range s.devs {
		if j, ok := s.devIdx[d.key]; !ok || j != int32(i) || s.work.Devices[i].Serial != d.key[1:] {
			t.Fatalf("device %d %q indexed as %d %v (serial %q)", i, d.key, j, ok, s.work.Devices[i].Serial)
		}
	}
}

// FuzzEviction drives full tables with names from a space larger than
// them, time advancing by 0–2 s a packet, and checks the tables stay
// consistent and that the values of the latest packet's keys are applied
// (unless the table refused them).
func FuzzEviction(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{200, 1, 2, 3, 4, 5, 6, 7}, 64))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &gen{b: data}
		s := NewScene()
		at := testTime
		for range 6 {
			at = at.Add(time.Duration(g.byte()) * 8 * time.Millisecond)
			from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, g.byte() % 4}), 1)
			b := goosc.NewBundle(time.Time{})
			base := uint32(g.byte()) << 8
			want := map[string]float32{}
			n := int(g.byte())*3 + int(g.byte()%8)
			for i := range n {
				name := fmt.Sprintf("k%d", base+uint32(i)*uint32(g.byte()%3+1))
				v := float32(g.byte()) / 255
				b.Append(msg(AddrBlendVal, name, v))
				want[name] = v
				if i%7 == 0 {
					b.Append(msg(AddrTrackerPos, pArgs(fmt.Sprintf("T%d", g.byte()))...))
				}
			}
			b.Append(msg(AddrBlendApply))
			before := s.Status().BlendKeysRejected
			s.Feed(marshal(t, b), from, at)
			checkTables(t, s)
			if s.Status().BlendKeysRejected != before {
				continue // some Val was refused: no claim on the values
			}
			fr := snapshot(s)
			for name, v := range want {
				if got, ok := fr.Blend(name); !ok || got != v {
					t.Fatalf("%s = %v %v, want %v", name, got, ok, v)
				}
			}
		}
	})
}
