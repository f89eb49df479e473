package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

func sample() []Datagram {
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 123456789, time.UTC)
	return []Datagram{
		{At: t0, Src: netip.MustParseAddrPort("192.168.1.20:50123"), Dst: netip.MustParseAddrPort("192.168.1.10:39539"), Payload: []byte("/VMC/Ext/OK\x00,i\x00\x00\x00\x00\x00\x01")},
		{At: t0.Add(16667 * time.Microsecond), Src: netip.MustParseAddrPort("127.0.0.1:40000"), Dst: netip.MustParseAddrPort("0.0.0.0:39539"), Payload: []byte{1, 2, 3}},
		{At: t0.Add(33 * time.Millisecond), Src: netip.MustParseAddrPort("[::1]:40001"), Dst: netip.MustParseAddrPort("[::]:39539"), Payload: bytes.Repeat([]byte{0xab}, 4001)},
		{At: t0.Add(50 * time.Millisecond), Src: netip.MustParseAddrPort("10.0.0.2:49983"), Dst: netip.MustParseAddrPort("[::]:49983"), Payload: []byte{}},
	}
}

func encode(t *testing.T, ds []Datagram) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, WriterOptions{Application: "test", Interface: "vmc", Comment: "c"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if w.Size() < int64(b.Len()) || w.Size() > int64(b.Len())+headerSize {
		t.Errorf("Size %d, file %d bytes", w.Size(), b.Len())
	}
	return b.Bytes()
}

func TestRoundTripKeepsAddressesTimesAndPayloads(t *testing.T) {
	in := sample()
	got, err := ReadAll(bytes.NewReader(encode(t, in)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("read %d datagrams, want %d", len(got), len(in))
	}
	for i := range in {
		want := in[i]
		if want.Src.Addr().Is4() && want.Dst.Addr() == netip.IPv6Unspecified() {
			want.Dst = netip.AddrPortFrom(netip.IPv4Unspecified(), want.Dst.Port())
		}
		g := got[i]
		if !g.At.Equal(want.At) || g.Src != want.Src || g.Dst != want.Dst || !bytes.Equal(g.Payload, want.Payload) {
			t.Errorf("datagram %d: got %v %v→%v %d bytes, want %v %v→%v %d bytes", i, g.At, g.Src, g.Dst, len(g.Payload), want.At, want.Src, want.Dst, len(want.Payload))
		}
	}
}

// The file must be what Wireshark expects: raw IP with correct UDP
// checksums, decoded here by gopacket's own dissectors.
func TestPacketsAreValidUDPWithChecksums(t *testing.T) {
	in := sample()[:3]
	b := encode(t, in)
	// Walk the blocks and hand each packet to gopacket's full decoder.
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		data, _, err := r.ng.ReadPacketData()
		if err != nil {
			t.Fatal(err)
		}
		p := gopacket.NewPacket(data, layers.LinkTypeRaw, gopacket.Default)
		if el := p.ErrorLayer(); el != nil {
			t.Fatalf("packet %d: %v", i, el.Error())
		}
		udp, _ := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if udp == nil {
			t.Fatalf("packet %d: no UDP layer", i)
		}
		// Recompute the checksum over the packet as written: zero means valid.
		if !checksumOK(t, p) {
			t.Errorf("packet %d: bad UDP checksum %#04x", i, udp.Checksum)
		}
		if int(udp.Length) != 8+len(in[i].Payload) {
			t.Errorf("packet %d: UDP length %d, want %d", i, udp.Length, 8+len(in[i].Payload))
		}
	}
}

// checksumOK verifies the UDP checksum the one's-complement way over the
// pseudo-header and datagram.
func checksumOK(t *testing.T, p gopacket.Packet) bool {
	t.Helper()
	udp := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
	seg := append(append([]byte(nil), udp.Contents...), udp.Payload...)
	var pseudo []byte
	if ip, ok := p.NetworkLayer().(*layers.IPv4); ok {
		pseudo = append(append([]byte(nil), ip.SrcIP.To4()...), ip.DstIP.To4()...)
		pseudo = append(pseudo, 0, 17, byte(len(seg)>>8), byte(len(seg)))
	} else {
		ip := p.NetworkLayer().(*layers.IPv6)
		pseudo = append(append([]byte(nil), ip.SrcIP.To16()...), ip.DstIP.To16()...)
		pseudo = binary.BigEndian.AppendUint32(pseudo, uint32(len(seg)))
		pseudo = append(pseudo, 0, 0, 0, 17)
	}
	all := append(pseudo, seg...)
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var sum uint32
	for i := 0; i < len(all); i += 2 {
		sum += uint32(all[i])<<8 | uint32(all[i+1])
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return sum == 0xffff
}

// A crash leaves a file cut anywhere: every complete datagram before the
// cut is read, then ErrTruncated (or io.EOF at a block boundary).
func TestTruncatedFileYieldsCompleteDatagrams(t *testing.T) {
	in := sample()
	b := encode(t, in)
	ends := map[int]int{} // file length at each block end → datagrams complete
	{
		// The blocks end where the sizes say.
		off := len(b)
		for i := len(in) - 1; i >= 0; i-- {
			ends[off] = i + 1
			off -= int(BlockSize(len(in[i].Payload), in[i].Src.Addr().Is4()))
		}
		ends[off] = 0
	}
	for cut := 0; cut <= len(b); cut++ {
		got, err := ReadAll(bytes.NewReader(b[:cut]), 0)
		n, boundary := ends[cut]
		switch {
		case boundary && err != nil:
			t.Fatalf("cut at %d (block boundary): %v", cut, err)
		case boundary && len(got) != n:
			t.Fatalf("cut at %d: %d datagrams, want %d", cut, len(got), n)
		case !boundary && cut > 0 && len(got) > 0 && !errors.Is(err, ErrTruncated):
			t.Fatalf("cut at %d: err %v, want ErrTruncated", cut, err)
		}
		for i := range got {
			if !bytes.Equal(got[i].Payload, in[i].Payload) {
				t.Fatalf("cut at %d: datagram %d differs", cut, i)
			}
		}
	}
}

// A hostile captured length must be refused before anything is allocated.
func TestHugeCapturedLengthIsRefused(t *testing.T) {
	b := encode(t, sample()[:1])
	off := len(b) - int(BlockSize(len(sample()[0].Payload), true))
	binary.LittleEndian.PutUint32(b[off+20:], 0xfffffff0)
	_, err := ReadAll(bytes.NewReader(b), 0)
	if !errors.Is(err, errFraming) {
		t.Fatalf("err %v, want a framing error", err)
	}
	binary.LittleEndian.PutUint32(b[off+4:], 0x7ffffff0)
	if _, err := ReadAll(bytes.NewReader(b), 0); !errors.Is(err, errFraming) {
		t.Fatalf("err %v, want a framing error", err)
	}
}

func TestNotPcapng(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("GIF89a......"), bytes.Repeat([]byte{0x0a, 0x0d, 0x0d, 0x0a}, 8)} {
		if _, err := NewReader(bytes.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestRecorderStopsAtSizeLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.pcapng")
	r, err := Create(path, RecorderOptions{MaxBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	d := sample()[0]
	for range 1000 {
		r.Record(d)
	}
	select {
	case <-r.Done():
	default:
		t.Fatal("not stopped at the size limit")
	}
	if !errors.Is(r.Err(), ErrMaxBytes) {
		t.Errorf("Err %v, want ErrMaxBytes", r.Err())
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Size() > 4096 {
		t.Errorf("file is %d bytes, over the 4096-byte limit", fi.Size())
	}
	f, _ := os.Open(path)
	defer f.Close()
	got, err := ReadAll(f, 0)
	if n, _, _ := r.Stats(); err != nil || len(got) != n || n == 0 {
		t.Errorf("read %d datagrams (%v), recorded %d", len(got), err, n)
	}
}

func TestRecorderStopsAtDurationLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.pcapng")
	r, err := Create(path, RecorderOptions{MaxDuration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d := sample()[0]
	for i := range 120 {
		d.At = d.At.Add(time.Second / 50)
		r.Record(d)
		if i == 49 {
			if n, _, _ := r.Stats(); n != 50 {
				t.Fatalf("%d datagrams after 50", n)
			}
		}
	}
	<-r.Done()
	if !errors.Is(r.Err(), ErrMaxDuration) {
		t.Errorf("Err %v", r.Err())
	}
	if n, _, span := r.Stats(); n != 50 || span >= time.Second {
		t.Errorf("%d datagrams over %v, want 50 under 1 s", n, span)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPlaySendsEveryDatagramInOrder(t *testing.T) {
	in := sample()
	var got [][]byte
	st, err := Play(t.Context(), bytes.NewReader(encode(t, in)), func(p []byte) error {
		got = append(got, append([]byte(nil), p...))
		return nil
	}, PlayOptions{Speed: 100})
	if err != nil || st.Sent != len(in) || st.Passes != 1 || st.Truncated {
		t.Fatalf("stats %+v, err %v", st, err)
	}
	for i := range in {
		if !bytes.Equal(got[i], in[i].Payload) {
			t.Errorf("datagram %d differs", i)
		}
	}
	_, err = Play(t.Context(), bytes.NewReader(nil), func([]byte) error { return nil }, PlayOptions{Speed: -1})
	if err == nil {
		t.Error("negative speed accepted")
	}
}

func TestPlayLoopsUntilCancelled(t *testing.T) {
	in := sample()
	b := encode(t, in)
	ctx, cancel := contextWithCancel(t)
	n := 0
	st, err := Play(ctx, bytes.NewReader(b), func([]byte) error {
		if n++; n == 3*len(in) {
			cancel()
		}
		return nil
	}, PlayOptions{Speed: 100, Loop: true})
	if err != nil || st.Passes < 2 || st.Sent != 3*len(in) {
		t.Fatalf("stats %+v, err %v", st, err)
	}
}

func TestIsOSC(t *testing.T) {
	for in, want := range map[string]bool{
		"/VMC/Ext/OK\x00": true, "#bundle\x00\x00\x00\x00\x00\x00\x00\x00\x01": true, "#bundl": false,
		"trackingStatus-1|mouthSmile_R-0|": false, "": false, "=head#1,2,3|": false,
	} {
		if got := IsOSC([]byte(in)); got != want {
			t.Errorf("IsOSC(%q) = %v", in, got)
		}
	}
}

func TestWriteAddresses(t *testing.T) {
	var b bytes.Buffer
	w, err := NewWriter(&b, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Datagram{Dst: netip.MustParseAddrPort("127.0.0.1:1"), Payload: []byte{1}}); !errors.Is(err, ErrNoAddress) {
		t.Errorf("no source: %v, want ErrNoAddress", err)
	}
	if err := w.Write(Datagram{Src: netip.MustParseAddrPort("127.0.0.1:1"), Payload: make([]byte, MaxPayload+1)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized: %v, want ErrTooLarge", err)
	}
	// A destination of the other family becomes the source family's
	// unspecified address.
	d := Datagram{Src: netip.MustParseAddrPort("[2001:db8::1]:5"), Dst: netip.MustParseAddrPort("192.168.0.1:39539"), Payload: []byte("/x")}
	if err := w.Write(d); err != nil {
		t.Fatal(err)
	}
	_ = w.Flush()
	got, err := ReadAll(bytes.NewReader(b.Bytes()), 0)
	if err != nil || len(got) != 1 || got[0].Dst != netip.MustParseAddrPort("[::]:39539") || got[0].Src != d.Src {
		t.Fatalf("read %+v, %v", got, err)
	}
}
