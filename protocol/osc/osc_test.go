package osc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"
)

// Wire builders for hand-made packets, including broken ones.

func pstr(s string) []byte { // OSC-string: s, NUL, NUL padding to 4
	b := append([]byte(s), 0)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func i32(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
func f32(v float32) []byte {
	return binary.BigEndian.AppendUint32(nil, math.Float32bits(v))
}
func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func blob(b []byte) []byte {
	out := append(i32(int32(len(b))), b...)
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	return out
}

func msg(addr, tags string, args ...[]byte) []byte {
	b := pstr(addr)
	b = append(b, pstr(","+tags)...)
	for _, a := range args {
		b = append(b, a...)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func bundle(tt uint64, elems ...[]byte) []byte {
	b := cat(pstr("#bundle"), u64(tt))
	for _, e := range elems {
		b = append(b, i32(int32(len(e)))...)
		b = append(b, e...)
	}
	return b
}

// walk returns the addresses of the messages of pkt and the errors met.
func walk(t *testing.T, pkt []byte) (addrs []string, errs []error) {
	t.Helper()
	var r Reader
	var m Message
	r.Reset(pkt)
	for i := 0; ; i++ {
		if i > len(pkt)+2 {
			t.Fatalf("Reader did not terminate on %q", pkt)
		}
		err := r.Next(&m)
		if err == ErrDone {
			return addrs, errs
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		addrs = append(addrs, string(m.Address))
	}
}

func TestReaderWalksBundlesInWireOrder(t *testing.T) {
	inner := bundle(5, msg("/b", "i", i32(2)), bundle(6, msg("/c", "")))
	pkt := bundle(1, msg("/a", "i", i32(1)), inner, msg("/d", "s", pstr("x")))
	var r Reader
	var m Message
	r.Reset(pkt)
	want := []struct {
		addr string
		tt   TimeTag
	}{{"/a", 1}, {"/b", 5}, {"/c", 6}, {"/d", 1}}
	for _, w := range want {
		err := r.Next(&m)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if string(m.Address) != w.addr || m.TimeTag != w.tt {
			t.Errorf("got %s tt %d, want %s tt %d", m.Address, m.TimeTag, w.addr, w.tt)
		}
	}
	for range 3 {
		if err := r.Next(&m); err != ErrDone {
			t.Fatalf("after the last message: %v, want ErrDone", err)
		}
	}
}

func TestReaderSingleMessage(t *testing.T) {
	var r Reader
	var m Message
	r.Reset(msg("/VMC/Ext/T", "f", f32(1.5)))
	err := r.Next(&m)
	if err != nil || string(m.Address) != "/VMC/Ext/T" || string(m.Tags) != "f" || m.TimeTag != Immediately {
		t.Fatalf("got %q %q %v, %v", m.Address, m.Tags, m.TimeTag, err)
	}
	a := m.Args()
	if v, err := a.Float32(); v != 1.5 || err != nil {
		t.Errorf("Float32 = %v, %v", v, err)
	}
	if err := r.Next(&m); err != ErrDone {
		t.Errorf("second Next: %v", err)
	}
}

func TestMessageWithoutTypeTagString(t *testing.T) {
	// OSC 1.0: "older implementations … omit the OSC Type Tag string";
	// such a message has no arguments. VMC's Blend/Apply is often this short.
	addrs, errs := walk(t, pstr("/VMC/Ext/Blend/Apply"))
	if len(errs) != 0 || len(addrs) != 1 {
		t.Fatalf("addrs %v errs %v", addrs, errs)
	}
}

func TestMalformedElements(t *testing.T) {
	good := msg("/ok", "i", i32(7))
	tests := []struct {
		name string
		elem []byte // a broken element; also tested alone and inside a bundle
		want error
	}{
		{"not OSC", []byte("xyz\x00"), errNotOSC},
		{"address unterminated", []byte("/abc"), errUnterminated},
		{"address padding missing", []byte("/abcd\x00"), errBadPadding},
		{"address padding nonzero", []byte("/a\x00X"), errBadPadding},
		{"no comma", cat(pstr("/a"), pstr("i")), errNoTypeTags},
		{"tags unterminated", cat(pstr("/a"), []byte(",iii")), errUnterminated},
		{"tags padding nonzero", cat(pstr("/a"), []byte(",i\x00\x01"), i32(1)), errBadPadding},
		{"unknown tag", msg("/a", "iq", i32(1), i32(2)), errUnknownType},
		{"short int", cat(pstr("/a"), pstr(",ii"), i32(1)), errShortArgs},
		{"short float", cat(pstr("/a"), pstr(",f"), []byte{0, 0}), errShortArgs},
		{"short int64", msg("/a", "h", i32(1)), errShortArgs},
		{"short double", msg("/a", "d", i32(1)), errShortArgs},
		{"short timetag", msg("/a", "t", i32(1)), errShortArgs},
		{"missing string", msg("/a", "s"), errShortArgs},
		{"string unterminated", msg("/a", "s", []byte("abcd")), errUnterminated},
		{"string padding short", msg("/a", "s", []byte("abcd\x00")), errBadPadding},
		{"string padding nonzero", msg("/a", "s", []byte("ab\x00z")), errBadPadding},
		{"blob size negative", msg("/a", "b", i32(-4)), errBlobSize},
		{"blob beyond data", msg("/a", "b", i32(100), i32(0)), errShortArgs},
		{"blob padding nonzero", msg("/a", "b", i32(1), []byte{9, 9, 0, 0}), errBadPadding},
		{"blob short header", msg("/a", "b", []byte{0, 0}), errShortArgs},
		{"trailing data", msg("/a", "i", i32(1), i32(2)), errTrailingData},
		{"trailing data no args", msg("/a", "", i32(2)), errTrailingData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Alone.
			if _, errs := walk(t, tc.elem); len(errs) != 1 || errs[0] != tc.want {
				t.Errorf("alone: errors %v, want [%v]", errs, tc.want)
			}
			// Inside a bundle, between good messages: only itself is lost.
			addrs, errs := walk(t, bundle(1, good, tc.elem, good))
			if len(errs) != 1 || errs[0] != tc.want || len(addrs) != 2 {
				t.Errorf("in bundle: addrs %v errors %v, want 2 messages and [%v]", addrs, errs, tc.want)
			}
			// Inside a nested bundle.
			addrs, errs = walk(t, bundle(1, good, bundle(1, good, tc.elem), good))
			if len(errs) != 1 || len(addrs) != 3 {
				t.Errorf("nested: addrs %v errors %v", addrs, errs)
			}
		})
	}
}

func TestMalformedBundles(t *testing.T) {
	good := msg("/ok", "")
	tests := []struct {
		name  string
		pkt   []byte
		addrs int
		errs  []error
	}{
		{"empty packet", nil, 0, []error{errEmptyPacket}},
		{"bundle header short", []byte("#bundle\x00\x00\x00\x00\x01"), 0, []error{errBundleHeader}},
		{"empty bundle", bundle(1), 0, nil},
		{"element size beyond bundle",
			cat(bundle(1, good), i32(1000), good), 1, []error{errBundleSize}},
		{"element size negative",
			cat(bundle(1, good), i32(-8), good), 1, []error{errBundleSize}},
		{"trailing bytes", cat(bundle(1, good), []byte{0, 0}), 1, []error{errBundleSize}},
		{"element size zero", bundle(1, good, nil, good), 2, []error{errEmptyElement}},
		{"element misaligned size", bundle(1, good, []byte("/x\x00\x00,\x00\x00\x00\x00"), good), 2, []error{errTrailingData}},
		{"nested header short", bundle(1, good, []byte("#bundle\x00"), good), 2, []error{errBundleHeader}},
		{"nested element beyond nested bundle",
			bundle(1, good, cat(bundle(1, good), i32(100)), good), 3, []error{errBundleSize}},
		{"bad nested bundle keeps outer siblings",
			bundle(1, good, cat(pstr("#bundle"), u64(1), i32(12), good), good), 2, []error{errBundleSize}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addrs, errs := walk(t, tc.pkt)
			if len(addrs) != tc.addrs || !reflect.DeepEqual(errs, tc.errs) {
				t.Errorf("got %d messages, errors %v; want %d, %v", len(addrs), errs, tc.addrs, tc.errs)
			}
		})
	}
}

func TestBundleDepthLimit(t *testing.T) {
	deep := msg("/deep", "")
	for range MaxDepth {
		deep = bundle(1, deep)
	}
	// MaxDepth bundles nest fine.
	if addrs, errs := walk(t, deep); len(addrs) != 1 || len(errs) != 0 {
		t.Fatalf("depth %d: %v %v", MaxDepth, addrs, errs)
	}
	// One more is dropped whole, its siblings are kept.
	pkt := bundle(1, msg("/a", ""), deep, msg("/b", ""))
	addrs, errs := walk(t, pkt)
	if !reflect.DeepEqual(addrs, []string{"/a", "/b"}) || !reflect.DeepEqual(errs, []error{errBundleTooDeep}) {
		t.Errorf("depth %d: %v %v", MaxDepth+1, addrs, errs)
	}
}

func TestTypedArguments(t *testing.T) {
	tt := NewTimeTag(time.Date(2024, 5, 6, 7, 8, 9, 500_000_000, time.UTC))
	pkt := msg("/all", "ifsbhdtTFNSIcrm[]",
		i32(-7), f32(2.5), pstr("日本"), blob([]byte{1, 2, 3}),
		u64(uint64(1<<40+3)), u64(math.Float64bits(-0.125)), u64(uint64(tt)),
		pstr("sym"), i32('c'), i32(0x11223344), i32(0x01904000))
	var r Reader
	var m Message
	r.Reset(pkt)
	err := r.Next(&m)
	if err != nil {
		t.Fatal(err)
	}
	a := m.Args()
	if a.Len() != 17 || a.Peek() != 'i' {
		t.Fatalf("Len %d Peek %c", a.Len(), a.Peek())
	}
	// A wrong accessor does not move the cursor.
	if _, err := a.Float32(); err != ErrArgType {
		t.Errorf("Float32 on i: %v", err)
	}
	if _, err := a.Str(); err != ErrArgType {
		t.Errorf("Str on i: %v", err)
	}
	if v, err := a.Int32(); v != -7 || err != nil {
		t.Errorf("Int32 %v %v", v, err)
	}
	if v, err := a.Float32(); v != 2.5 || err != nil {
		t.Errorf("Float32 %v %v", v, err)
	}
	if v, err := a.Str(); string(v) != "日本" || err != nil {
		t.Errorf("Str %q %v", v, err)
	}
	if v, err := a.Blob(); !bytes.Equal(v, []byte{1, 2, 3}) || err != nil {
		t.Errorf("Blob %v %v", v, err)
	}
	if v, err := a.Int64(); v != 1<<40+3 || err != nil {
		t.Errorf("Int64 %v %v", v, err)
	}
	if v, err := a.Float64(); v != -0.125 || err != nil {
		t.Errorf("Float64 %v %v", v, err)
	}
	if v, err := a.TimeTag(); v != tt || err != nil {
		t.Errorf("TimeTag %v %v", v, err)
	} else if got := v.Time(); !got.Equal(time.Date(2024, 5, 6, 7, 8, 9, 500_000_000, time.UTC)) {
		t.Errorf("TimeTag.Time = %v", got)
	}
	if v, err := a.Bool(); !v || err != nil {
		t.Errorf("Bool T %v %v", v, err)
	}
	if v, err := a.Bool(); v || err != nil {
		t.Errorf("Bool F %v %v", v, err)
	}
	if err := a.Nil(); err != nil {
		t.Errorf("Nil %v", err)
	}
	if v, err := a.Str(); string(v) != "sym" || err != nil {
		t.Errorf("Str on S %q %v", v, err)
	}
	for _, want := range "Icrm[]" {
		arg, err := a.Next()
		if err != nil || arg.Type != byte(want) {
			t.Errorf("Next = %c %v, want %c", arg.Type, err, want)
		}
	}
	if a.Len() != 0 || a.Peek() != 0 {
		t.Errorf("after all: Len %d", a.Len())
	}
	for name, f := range map[string]func() error{
		"Int32":   func() error { _, err := a.Int32(); return err },
		"Float32": func() error { _, err := a.Float32(); return err },
		"Str":     func() error { _, err := a.Str(); return err },
		"Blob":    func() error { _, err := a.Blob(); return err },
		"Bool":    func() error { _, err := a.Bool(); return err },
		"Nil":     a.Nil,
		"Next":    a.Skip,
	} {
		if err := f(); err != ErrMissingArg {
			t.Errorf("%s past the end: %v", name, err)
		}
	}
}

func TestGenericArgAccessors(t *testing.T) {
	pkt := msg("/g", "ifhdtsbT", i32(3), f32(0.5), u64(9), u64(math.Float64bits(2)), u64(1),
		pstr("s"), blob([]byte("xy")))
	var r Reader
	var m Message
	r.Reset(pkt)
	err := r.Next(&m)
	if err != nil {
		t.Fatal(err)
	}
	a := m.Args()
	var got []any
	for a.Len() > 0 {
		arg, err := a.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch arg.Type {
		case 'i':
			got = append(got, arg.Int32(), arg.Float32())
		case 'f':
			got = append(got, arg.Float32(), arg.Int32())
		case 'h':
			got = append(got, arg.Int64(), arg.Float64())
		case 'd':
			got = append(got, arg.Float64(), arg.Int64())
		case 't':
			got = append(got, arg.TimeTag(), arg.Bool())
		case 's', 'b':
			got = append(got, string(arg.Bytes()), len(arg.Raw()))
		case 'T':
			got = append(got, arg.Bool(), arg.Bytes() == nil)
		}
	}
	want := []any{int32(3), float32(0), float32(0.5), int32(0), int64(9), float64(0),
		float64(2), int64(0), Immediately, false, "s", 1, "xy", 2, true, true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestFloat32s(t *testing.T) {
	var r Reader
	var m Message
	r.Reset(msg("/p", "sffffi", pstr("n"), f32(1), f32(2), f32(3), f32(4), i32(5)))
	r.Next(&m)
	a := m.Args()
	a.Str()
	var three [3]float32
	if err := a.Float32s(three[:]); err != nil || three != [3]float32{1, 2, 3} {
		t.Fatalf("Float32s = %v, %v", three, err)
	}
	var two [2]float32
	if err := a.Float32s(two[:]); err != ErrArgType || two != [2]float32{} || a.Len() != 2 {
		t.Errorf("over an i: %v %v len %d", two, err, a.Len())
	}
	a.Float32()
	a.Int32()
	if err := a.Float32s(two[:]); err != ErrMissingArg {
		t.Errorf("past the end: %v", err)
	}
	r.Reset(msg("/p", "ff", f32(1), f32(2)))
	r.Next(&m)
	a = m.Args()
	if err := a.Float32s(three[:]); err != ErrMissingArg {
		t.Errorf("too few: %v", err)
	}
	r.Reset(msg("/p", "fi", f32(1), i32(2)))
	r.Next(&m)
	a = m.Args()
	if err := a.Float32s(three[:]); err != ErrArgType {
		t.Errorf("too few and wrong: %v", err)
	}
}

func TestTimeTagConversions(t *testing.T) {
	if NewTimeTag(time.Time{}) != Immediately || !Immediately.Time().IsZero() {
		t.Error("zero time is not Immediately")
	}
	for _, tm := range []time.Time{
		time.Unix(0, 0), time.Date(2036, 1, 1, 0, 0, 0, 999_999_999, time.UTC),
		time.Date(2024, 1, 2, 3, 4, 5, 123_456_789, time.UTC),
	} {
		got := NewTimeTag(tm).Time()
		if d := got.Sub(tm); d < -time.Nanosecond || d > time.Nanosecond {
			t.Errorf("%v round-trips to %v", tm, got)
		}
		// go-osc computes the same NTP seconds.
		g := goosc.NewTimetag(tm)
		if uint64(NewTimeTag(tm))>>32 != g.TimeTag()>>32 {
			t.Errorf("%v: %x, go-osc %x", tm, uint64(NewTimeTag(tm)), g.TimeTag())
		}
	}
}

// gooscMessages flattens a go-osc packet (its bundles hold messages and
// sub-bundles in separate lists, messages first, which is also the order its
// encoder writes them in).
func gooscMessages(p goosc.Packet) []*goosc.Message {
	switch p := p.(type) {
	case *goosc.Message:
		return []*goosc.Message{p}
	case *goosc.Bundle:
		out := append([]*goosc.Message(nil), p.Messages...)
		for _, b := range p.Bundles {
			out = append(out, gooscMessages(b)...)
		}
		return out
	}
	return nil
}

// toGoOSC converts our message into go-osc's representation for comparison.
// Time tags stay our TimeTag (exact) unless lossyTT, which passes them through
// go-osc's own float conversion the way its decoder does.
func toGoOSC(t testing.TB, m *Message, lossyTT bool) *goosc.Message {
	t.Helper()
	out := goosc.NewMessage(string(m.Address))
	a := m.Args()
	for a.Len() > 0 {
		arg, err := a.Next()
		if err != nil {
			t.Fatalf("Next on a checked message: %v", err)
		}
		switch arg.Type {
		case 'i':
			out.Append(arg.Int32())
		case 'f':
			out.Append(arg.Float32())
		case 's':
			out.Append(string(arg.Bytes()))
		case 'b':
			out.Append(append([]byte{}, arg.Bytes()...))
		case 'h':
			out.Append(arg.Int64())
		case 'd':
			out.Append(arg.Float64())
		case 't':
			if lossyTT {
				out.Append(*goosc.NewTimetagFromTimetag(uint64(arg.TimeTag())))
			} else {
				out.Append(arg.TimeTag())
			}
		case 'T', 'F':
			out.Append(arg.Bool())
		case 'N':
			out.Append(nil)
		default:
			t.Fatalf("tag %c has no go-osc equivalent", arg.Type)
		}
	}
	return out
}

// sameMessage compares go-osc messages argument by argument, comparing floats
// by their bits (NaN payloads included) and time tags by their raw value.
func sameMessage(a, b *goosc.Message) bool {
	if a.Address != b.Address || len(a.Arguments) != len(b.Arguments) {
		return false
	}
	for i, x := range a.Arguments {
		y := b.Arguments[i]
		switch x := x.(type) {
		case float32:
			y, ok := y.(float32)
			if !ok || math.Float32bits(x) != math.Float32bits(y) {
				return false
			}
		case float64:
			y, ok := y.(float64)
			if !ok || math.Float64bits(x) != math.Float64bits(y) {
				return false
			}
		case goosc.Timetag, TimeTag:
			tx, _ := timeTagValue(x)
			ty, ok := timeTagValue(y)
			if !ok || tx != ty {
				return false
			}
		case []byte:
			y, ok := y.([]byte)
			if !ok || !bytes.Equal(x, y) {
				return false
			}
		default:
			if x != y {
				return false
			}
		}
	}
	return true
}

func timeTagValue(v any) (uint64, bool) {
	switch v := v.(type) {
	case goosc.Timetag:
		return v.TimeTag(), true
	case TimeTag:
		return uint64(v), true
	}
	return 0, false
}

// roundTrip encodes p with go-osc, decodes it with our Reader and checks that
// every message comes back identical, in go-osc's wire order.
func roundTrip(t testing.TB, p goosc.Packet) {
	t.Helper()
	data, err := p.MarshalBinary()
	if err != nil {
		t.Fatalf("go-osc MarshalBinary: %v", err)
	}
	want := gooscMessages(p)
	var r Reader
	var m Message
	r.Reset(data)
	for i := 0; ; i++ {
		err := r.Next(&m)
		if err == ErrDone {
			if i != len(want) {
				t.Fatalf("decoded %d messages, go-osc encoded %d", i, len(want))
			}
			return
		}
		if err != nil {
			t.Fatalf("message %d: %v\npacket % x", i, err, data)
		}
		if i >= len(want) {
			t.Fatalf("more messages decoded than encoded")
		}
		if got := toGoOSC(t, &m, false); !sameMessage(want[i], got) {
			t.Fatalf("message %d: got %v, want %v", i, got, want[i])
		}
	}
}

func TestGoOSCRoundTrip(t *testing.T) {
	m1 := goosc.NewMessage("/VMC/Ext/Root/Pos", "root", float32(1), float32(-2), float32(3.25),
		float32(0), float32(0), float32(0), float32(1))
	m2 := goosc.NewMessage("/all", int32(-1), float32(math.Inf(1)), "日本語", []byte{}, []byte{1, 2, 3, 4, 5},
		int64(math.MinInt64), math.Pi, *goosc.NewTimetag(time.Unix(1e9, 5)), true, false, nil, "")
	m3 := goosc.NewMessage("/VMC/Ext/Blend/Apply")
	b := goosc.NewBundle(time.Time{})
	b.Append(m1)
	b.Append(m2)
	inner := goosc.NewBundle(time.Unix(1700000000, 0))
	inner.Append(m3)
	inner2 := goosc.NewBundle(time.Time{})
	inner2.Append(m1)
	inner.Append(inner2)
	b.Append(inner)
	b.Append(goosc.NewBundle(time.Time{})) // empty bundle
	for _, p := range []goosc.Packet{m1, m2, m3, b} {
		roundTrip(t, p)
	}
}

// TestLargeBundleGoOSC decodes a > 4 KiB bundle, the size where go-osc's own
// ParsePacket starts losing messages (field notes §1).
func TestLargeBundleGoOSC(t *testing.T) {
	b := goosc.NewBundle(time.Time{})
	for i := range 200 {
		b.Append(goosc.NewMessage("/VMC/Ext/Blend/Val", strings.Repeat("k", i%37), float32(i)))
	}
	data, _ := b.MarshalBinary()
	if len(data) <= 4096 {
		t.Fatalf("bundle only %d bytes", len(data))
	}
	roundTrip(t, b)
}

func TestReaderDoesNotAllocate(t *testing.T) {
	b := goosc.NewBundle(time.Time{})
	for range 20 {
		b.Append(goosc.NewMessage("/VMC/Ext/Bone/Pos", "Hips", float32(1), float32(2), float32(3),
			float32(0), float32(0), float32(0), float32(1)))
	}
	data, _ := b.MarshalBinary()
	var r Reader
	var m Message
	var sink float32
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset(data)
		for {
			err := r.Next(&m)
			if err != nil {
				break
			}
			a := m.Args()
			a.Str()
			var v [7]float32
			a.Float32s(v[:])
			sink += v[0]
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per packet, want 0", allocs)
	}
	_ = sink
}

func TestErrorsAreDistinct(t *testing.T) {
	all := []error{ErrDone, errEmptyPacket, errNotOSC, errUnterminated, errBadPadding, errNoTypeTags,
		errUnknownType, errShortArgs, errTrailingData, errBlobSize, errBundleHeader, errBundleSize,
		errEmptyElement, errBundleTooDeep, ErrMissingArg, ErrArgType}
	seen := map[string]bool{}
	for _, e := range all {
		if !strings.HasPrefix(e.Error(), "osc: ") || seen[e.Error()] {
			t.Errorf("error %q: not prefixed or duplicate", e)
		}
		seen[e.Error()] = true
		if errors.Unwrap(e) != nil {
			t.Errorf("%q wraps", e)
		}
	}
}

// TestStringPaddingEveryPosition checks the word-at-a-time string scan for
// every string length and every padding byte position.
func TestStringPaddingEveryPosition(t *testing.T) {
	for n := range 24 {
		s := strings.Repeat("x", n)
		for _, lead := range []int{0, 4} { // the string at both word halves
			b := append(make([]byte, lead), pstr(s)...)
			end, size, err := scanString(b[lead:])
			if err != nil || end != n || size != len(b)-lead {
				t.Fatalf("len %d at %d: end %d size %d err %v", n, lead, end, size, err)
			}
			for p := lead + n + 1; p < len(b); p++ {
				bad := append([]byte{}, b...)
				bad[p] = 'z'
				if _, _, err := scanString(bad[lead:]); err != errBadPadding {
					t.Errorf("len %d at %d, nonzero pad byte %d: %v", n, lead, p-lead, err)
				}
			}
			if _, _, err := scanString(b[lead : len(b)-1]); err == nil {
				t.Errorf("len %d at %d: cut padding accepted", n, lead)
			}
			if _, _, err := scanString([]byte(s)); err != errUnterminated {
				t.Errorf("len %d unterminated: %v", n, err)
			}
		}
	}
}
