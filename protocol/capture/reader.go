package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// maxBlock bounds a pcapng block's total length, bytes: a datagram block
// holds at most 65535 bytes of IP packet plus 32 of block framing; headers
// with options stay far below.
const maxBlock = 1 << 18

// pcapng block types (draft-ietf-opsawg-pcapng §4).
const (
	blockSection  = 0x0A0D0D0A
	blockEnhanced = 0x00000006
	byteOrder     = 0x1A2B3C4D
)

// Reader reads the datagrams of a pcapng file written by Writer (or any
// pcapng capture of raw IPv4/IPv6 packets; UDP over Ethernet is not read).
// A file cut short inside a block ends with ErrTruncated after every
// complete datagram.
type Reader struct {
	g   *guard
	ng  *pcapgo.NgReader
	err error // sticky: pcapgo failed on a malformed block
	ip4 layers.IPv4
	ip6 layers.IPv6
	udp layers.UDP
	n   int
}

// NewReader reads the section header and first interface of r. It returns
// an error for a file that is not pcapng, whose blocks exceed the size
// limits, or whose interface is not of link type LINKTYPE_RAW.
func NewReader(r io.Reader) (_ *Reader, err error) {
	g := &guard{r: r, need: 8}
	defer recoverMalformed(&err)
	ng, err := pcapgo.NewNgReader(g, pcapgo.NgReaderOptions{SkipUnknownVersion: true})
	if err != nil {
		return nil, g.explain(err, "not a pcapng file")
	}
	if lt := ng.LinkType(); lt != layers.LinkTypeRaw && lt != layers.LinkTypeIPv4 && lt != layers.LinkTypeIPv6 {
		return nil, fmt.Errorf("capture: link type %v: want raw IP (101)", lt)
	}
	return &Reader{g: g, ng: ng}, nil
}

// Next returns the next UDP datagram. Packets that are not UDP are skipped.
// At the end of the file it returns io.EOF, or ErrTruncated if the file ends
// inside a block. The Datagram's Payload is its own copy.
func (r *Reader) Next() (Datagram, error) {
	if r.err != nil {
		return Datagram{}, r.err
	}
	for {
		data, ci, err := r.read()
		if err != nil {
			return Datagram{}, r.g.explain(err, "")
		}
		r.n++
		d, err := r.decode(data)
		if err == ErrNotUDP {
			continue
		}
		if err != nil {
			return Datagram{}, fmt.Errorf("capture: packet %d: %w", r.n, err)
		}
		d.At = ci.Timestamp
		return d, nil
	}
}

// read reads one packet with pcapgo, turning a panic of pcapgo on a
// malformed block (it divides by a zero timestamp resolution from an
// out-of-range if_tsresol option, for one) into a sticky error.
func (r *Reader) read() (data []byte, ci gopacket.CaptureInfo, err error) {
	defer func() {
		if err != nil && errors.Is(err, ErrMalformed) {
			r.err = err
		}
	}()
	defer recoverMalformed(&err) // runs first
	return r.ng.ReadPacketData()
}

// ErrMalformed is returned for a block pcapgo cannot make sense of.
var ErrMalformed = errors.New("capture: malformed pcapng block")

func recoverMalformed(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%w (%v)", ErrMalformed, p)
	}
}

// decode parses an IPv4 or IPv6 packet holding a UDP datagram.
func (r *Reader) decode(data []byte) (Datagram, error) {
	if len(data) == 0 {
		return Datagram{}, ErrNotUDP
	}
	var (
		src, dst netip.Addr
		payload  []byte
	)
	switch data[0] >> 4 {
	case 4:
		if err := r.ip4.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return Datagram{}, err
		}
		if r.ip4.Protocol != layers.IPProtocolUDP || r.ip4.Flags&layers.IPv4MoreFragments != 0 || r.ip4.FragOffset != 0 {
			return Datagram{}, ErrNotUDP
		}
		src, _ = netip.AddrFromSlice(r.ip4.SrcIP)
		dst, _ = netip.AddrFromSlice(r.ip4.DstIP)
		payload = r.ip4.Payload
	case 6:
		if err := r.ip6.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return Datagram{}, err
		}
		if r.ip6.NextHeader != layers.IPProtocolUDP {
			return Datagram{}, ErrNotUDP
		}
		src, _ = netip.AddrFromSlice(r.ip6.SrcIP)
		dst, _ = netip.AddrFromSlice(r.ip6.DstIP)
		payload = r.ip6.Payload
	default:
		return Datagram{}, ErrNotUDP
	}
	if err := r.udp.DecodeFromBytes(payload, gopacket.NilDecodeFeedback); err != nil {
		return Datagram{}, err
	}
	return Datagram{
		Src:     netip.AddrPortFrom(src.Unmap(), uint16(r.udp.SrcPort)),
		Dst:     netip.AddrPortFrom(dst.Unmap(), uint16(r.udp.DstPort)),
		Payload: append([]byte(nil), r.udp.Payload...),
	}, nil
}

// ReadAll reads every datagram of r. A file cut short returns the complete
// datagrams and ErrTruncated; at most max datagrams are read (0: no limit)
// before an error.
func ReadAll(r io.Reader, max int) ([]Datagram, error) {
	cr, err := NewReader(r)
	if err != nil {
		return nil, err
	}
	var out []Datagram
	for {
		d, err := cr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if max > 0 && len(out) >= max {
			return out, fmt.Errorf("capture: more than %d datagrams", max)
		}
		out = append(out, d)
	}
}

// guard sits between the file and pcapgo's reader and checks each block's
// framing before its bytes are handed on: the total length (a multiple of 4,
// at most maxBlock) and, for an Enhanced Packet Block, the captured length
// (within the block), so that a broken or hostile file cannot make the
// reader allocate without bound. It also knows whether the file ended on a
// block boundary.
type guard struct {
	r     io.Reader
	hdr   [28]byte
	nh    int   // header bytes collected of the current block
	need  int   // header bytes to collect before checking
	skip  int64 // bytes left in the current block after its header
	big   bool  // the section is big-endian
	err   error // a framing error, returned once the bytes before it are read
	ended bool  // the underlying reader returned io.EOF
}

var errFraming = errors.New("capture: broken pcapng block")

func (g *guard) u32(b []byte) uint32 {
	if g.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if err == io.EOF {
		g.ended = true
	}
	for i := 0; i < n; {
		if g.skip > 0 {
			k := min(g.skip, int64(n-i))
			g.skip -= k
			i += int(k)
			continue
		}
		g.hdr[g.nh] = p[i]
		g.nh++
		i++
		if g.nh < g.need {
			continue
		}
		if ferr := g.check(); ferr != nil {
			// Withhold this block's last header byte: the reader cannot
			// act on the header and gets the error next.
			g.err = ferr
			return i - 1, nil
		}
	}
	return n, err
}

// check examines a block's header once g.need bytes of it are in; it either
// asks for more header bytes or sets up skipping the block's rest.
func (g *guard) check() error {
	typ := binary.LittleEndian.Uint32(g.hdr[0:4])
	if typ == blockSection && g.need < 12 {
		g.need = 12
		return nil
	}
	if typ == blockSection {
		switch {
		case binary.LittleEndian.Uint32(g.hdr[8:12]) == byteOrder:
			g.big = false
		case binary.BigEndian.Uint32(g.hdr[8:12]) == byteOrder:
			g.big = true
		default:
			return fmt.Errorf("%w: bad byte-order magic", errFraming)
		}
	}
	length := g.u32(g.hdr[4:8])
	if length%4 != 0 || length < 12 || length > maxBlock {
		return fmt.Errorf("%w: block length %d (want a multiple of 4, 12 to %d)", errFraming, length, maxBlock)
	}
	if g.u32(g.hdr[0:4]) == blockEnhanced {
		if g.need < 28 {
			if length < 32 {
				return fmt.Errorf("%w: packet block length %d < 32", errFraming, length)
			}
			g.need = 28
			return nil
		}
		if caplen := g.u32(g.hdr[20:24]); caplen > length-32 {
			return fmt.Errorf("%w: captured length %d exceeds its block (%d bytes)", errFraming, caplen, length)
		}
	}
	g.skip = int64(length) - int64(g.nh)
	g.nh, g.need = 0, 8
	return nil
}

// explain turns pcapgo's end-of-file and framing errors into io.EOF,
// ErrTruncated or the guard's error; what describes other errors.
func (g *guard) explain(err error, what string) error {
	switch {
	case g.err != nil:
		return g.err
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if g.ended && g.nh == 0 && g.skip == 0 && what == "" {
			return io.EOF
		}
		if what != "" {
			return fmt.Errorf("capture: %s: %w", what, err)
		}
		return ErrTruncated
	case what != "":
		return fmt.Errorf("capture: %s: %v", what, err)
	}
	return fmt.Errorf("capture: %w", err)
}
