// Package osc is Kugutsu's OSC 1.0 decoder: a [Reader] that walks the
// messages of one packet in place, recursing into nested bundles, without
// allocating.
//
// It follows the Open Sound Control 1.0 specification
// (https://opensoundcontrol.stanford.edu/spec-1_0.html): a packet is a message
// or a bundle; a bundle is "#bundle\0", an 8-byte time tag and a sequence of
// size-prefixed elements, each a message or a bundle; a message is an address
// pattern, a type tag string starting with ',' and the arguments, every part
// padded with NUL bytes to a multiple of 4 bytes, all numbers big-endian.
//
// The model is golang.org/x/net/dns/dnsmessage: every length and padding is
// checked before it is read, nothing is copied, and errors are small sentinel
// values naming the fault. Addresses, strings and blobs are []byte views into
// the packet, valid until the packet's buffer is reused; convert them with
// string(...) only to keep them. A broken element costs only itself: the
// Reader reports it and carries on with the next element of the bundle, so a
// bad message inside a bundle never loses the good messages beside it
// (field notes §1: go-osc and the Rust vmc crate lose whole packets).
//
// Encoding is not this package's job: no product feature sends OSC (kugutsu
// replay sends recorded datagrams as they are), and the tests and the test
// Performer (protocol/vmc/vmctest) build packets with
// github.com/hypebeast/go-osc, a second implementation to check this one
// against.
package osc

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"time"
)

// Errors returned by [Reader.Next] name the fault of the element they drop.
// They are sentinel values: compare with ==.
var (
	// ErrDone reports that the packet has no more messages.
	ErrDone = errors.New("osc: no more messages")

	errEmptyPacket   = errors.New("osc: empty packet")
	errNotOSC        = errors.New("osc: element is neither a message (/…) nor a bundle (#bundle)")
	errUnterminated  = errors.New("osc: string not NUL-terminated")
	errBadPadding    = errors.New("osc: missing or nonzero padding after a string or blob")
	errNoTypeTags    = errors.New("osc: type tag string missing (no ',')")
	errUnknownType   = errors.New("osc: unknown type tag")
	errShortArgs     = errors.New("osc: argument data shorter than the type tags require")
	errTrailingData  = errors.New("osc: bytes after the last argument")
	errBlobSize      = errors.New("osc: negative blob size")
	errBundleHeader  = errors.New("osc: bundle shorter than its 16-byte header")
	errBundleSize    = errors.New("osc: bundle element size negative or beyond the bundle")
	errEmptyElement  = errors.New("osc: bundle element of size 0")
	errBundleTooDeep = errors.New("osc: bundles nested too deep")
)

// Errors returned by the typed accessors of [Args].
var (
	// ErrMissingArg reports that the message has fewer arguments than asked for.
	ErrMissingArg = errors.New("osc: too few arguments")
	// ErrArgType reports that the next argument has a different type tag than
	// the accessor reads; the cursor does not move.
	ErrArgType = errors.New("osc: argument of a different type")
)

// MaxDepth is the deepest bundle nesting the Reader follows; a bundle nested
// deeper is dropped whole (one error). VirtualMotionCapture nests 2 deep.
const MaxDepth = 16

// TimeTag is an OSC time tag: an NTP timestamp, seconds since 1900-01-01 UTC
// in the upper 32 bits and the fraction of a second in the lower 32 bits.
type TimeTag uint64

// Immediately is the special time tag 1, "process at once" (OSC 1.0
// "Temporal Semantics"). Messages outside any bundle carry it.
const Immediately TimeTag = 1

// ntpEpochOffset is the number of seconds from 1900-01-01 to 1970-01-01.
const ntpEpochOffset = 2208988800

// NewTimeTag returns the time tag of t; the zero time gives [Immediately].
func NewTimeTag(t time.Time) TimeTag {
	if t.IsZero() {
		return Immediately
	}
	sec := uint64(t.Unix() + ntpEpochOffset)
	frac := (uint64(t.Nanosecond()) << 32) / 1e9
	return TimeTag(sec<<32 | frac)
}

// Time returns t as a time; [Immediately] gives the zero time.
func (t TimeTag) Time() time.Time {
	if t == Immediately {
		return time.Time{}
	}
	sec := int64(t>>32) - ntpEpochOffset
	nsec := (uint64(t&0xffffffff) * 1e9) >> 32
	return time.Unix(sec, int64(nsec))
}

// Message is one decoded OSC message. Its slices are views into the packet
// passed to [Reader.Reset]; they stay valid until that buffer is reused.
// A Message filled by [Reader.Next] without error is well formed: its type
// tags are all known and its argument data matches them exactly.
type Message struct {
	// Address is the address pattern without its NUL padding, e.g.
	// "/VMC/Ext/Bone/Pos". It always starts with '/'.
	Address []byte
	// Tags are the argument type tags without the leading ',', e.g.
	// "sfffffff"; empty for a message without arguments (including the
	// old-style message that has no type tag string at all).
	Tags []byte
	// TimeTag is the time tag of the innermost enclosing bundle, or
	// [Immediately] for a message sent on its own.
	TimeTag TimeTag
	data    []byte // the argument bytes, exactly as long as Tags require
}

// Args returns a cursor over m's arguments.
func (m *Message) Args() Args { return Args{tags: m.Tags, data: m.data} }

// AddressString returns the address as a new string (it allocates).
func (m *Message) AddressString() string { return string(m.Address) }

// Reader walks the messages of one packet in place. The zero Reader has no
// packet; call [Reader.Reset] first. A Reader does not allocate and may be
// reused for any number of packets.
type Reader struct {
	buf   []byte
	off   int // next bundle element of the innermost open bundle
	depth int // open bundles
	state uint8
	ends  [MaxDepth]int     // end offset of each open bundle
	tags  [MaxDepth]TimeTag // time tag of each open bundle
}

const (
	stateStart uint8 = iota
	stateWalk
	stateDone
)

// Reset makes r walk packet from its start. The Reader keeps a view of packet
// until the next Reset.
func (r *Reader) Reset(packet []byte) {
	r.buf = packet
	r.off = 0
	r.depth = 0
	r.state = stateStart
}

// Next reads the next message of the packet into m, in wire order,
// descending into nested bundles. It returns [ErrDone] when the packet is
// exhausted (and on every later call). m is valid only when Next returns nil,
// and only until the packet's buffer is reused. Any other error reports one
// dropped element: a broken message, a bundle nested deeper than [MaxDepth],
// or a bundle element whose size is out of range (which drops the rest of
// that bundle, since its boundaries are lost). The walk goes on after an
// error: keep calling Next until ErrDone. Next never panics, always
// terminates and does not allocate.
func (r *Reader) Next(m *Message) error {
	switch r.state {
	case stateDone:
		return ErrDone
	case stateStart:
		r.state = stateWalk
		switch {
		case len(r.buf) == 0:
			r.state = stateDone
			return errEmptyPacket
		case isBundle(r.buf):
			if len(r.buf) < 16 {
				r.state = stateDone
				return errBundleHeader
			}
			r.push(len(r.buf), TimeTag(binary.BigEndian.Uint64(r.buf[8:16])))
			r.off = 16
		default:
			r.state = stateDone
			return parseMessage(m, r.buf, Immediately)
		}
	}
	for {
		for r.depth > 0 && r.off >= r.ends[r.depth-1] {
			r.depth--
		}
		if r.depth == 0 {
			r.state = stateDone
			return ErrDone
		}
		end := r.ends[r.depth-1]
		if end-r.off < 4 {
			r.off = end
			return errBundleSize
		}
		n := int(int32(binary.BigEndian.Uint32(r.buf[r.off:])))
		if n < 0 || n > end-r.off-4 {
			r.off = end // the element boundaries of this bundle are lost
			return errBundleSize
		}
		start := r.off + 4
		r.off = start + n
		elem := r.buf[start:r.off:r.off]
		if n == 0 {
			return errEmptyElement
		}
		if !isBundle(elem) {
			return parseMessage(m, elem, r.tags[r.depth-1])
		}
		if len(elem) < 16 {
			return errBundleHeader
		}
		if r.depth == MaxDepth {
			return errBundleTooDeep
		}
		r.push(r.off, TimeTag(binary.BigEndian.Uint64(elem[8:16])))
		r.off = start + 16
	}
}

func (r *Reader) push(end int, tt TimeTag) {
	r.ends[r.depth] = end
	r.tags[r.depth] = tt
	r.depth++
}

func isBundle(b []byte) bool { return len(b) >= 8 && string(b[:8]) == "#bundle\x00" }

// parseMessage decodes one message occupying all of b into m and checks that
// its argument data matches its type tags exactly.
func parseMessage(m *Message, b []byte, tt TimeTag) error {
	if len(b) == 0 || b[0] != '/' {
		return errNotOSC
	}
	addr, off, err := readString(b, 0)
	if err != nil {
		return err
	}
	m.Address, m.TimeTag = addr, tt
	if off == len(b) {
		m.Tags, m.data = nil, nil
		return nil // no type tag string: an old-style message without arguments
	}
	if b[off] != ',' {
		return errNoTypeTags
	}
	tags, off, err := readString(b, off)
	if err != nil {
		return err
	}
	m.Tags = tags[1:]
	m.data = b[off:]
	return checkArgs(m.Tags, m.data)
}

// readString reads the OSC-string at b[off:]: the bytes up to a NUL, then
// NULs up to the next multiple of 4 (relative to b, whose start is aligned).
// It returns the string without NULs and the offset after the padding.
func readString(b []byte, off int) ([]byte, int, error) {
	end, n, err := scanString(b[off:])
	if err != nil {
		return nil, 0, err
	}
	return b[off : off+end : off+end], off + n, nil
}

// scanString finds the OSC-string at the start of b, which must be 4-byte
// aligned in its message: it returns the index of the terminating NUL and the
// padded length. It looks for the NUL 8 bytes at a time.
func scanString(b []byte) (end, size int, err error) {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		// The lowest set bit of this mask marks the first zero byte (the
		// classic "has zero byte" test; false positives only above it).
		if z := (v - 0x0101010101010101) &^ v & 0x8080808080808080; z != 0 {
			k := bits.TrailingZeros64(z) / 8 // the NUL's byte in v
			// The terminator's 4-byte group lies inside v (i is a multiple
			// of 8): its bytes after the NUL must be NULs too.
			pad := (k | 3) - k
			if (v>>(8*(k+1)))&(1<<(8*pad)-1) != 0 {
				return 0, 0, errBadPadding
			}
			return i + k, ((i + k) | 3) + 1, nil
		}
	}
	for ; i < len(b); i++ {
		if b[i] == 0 {
			return padded(b, i)
		}
	}
	return 0, 0, errUnterminated
}

// padded checks the NUL padding after the terminator at end: the 4-byte
// group holding the terminator must be zero from end on.
func padded(b []byte, end int) (int, int, error) {
	size := align4(end + 1)
	if size > len(b) {
		return 0, 0, errBadPadding // terminated, but the padding is cut off
	}
	group := binary.LittleEndian.Uint32(b[size-4 : size])
	if group>>(8*uint(end-(size-4))) != 0 {
		return 0, 0, errBadPadding
	}
	return end, size, nil
}

func align4(n int) int { return (n + 3) &^ 3 }

func zeros(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// nextArg reads the argument with type tag t at the start of data, checking
// that it fits: it returns the payload (see [Arg.Raw]) and the size in bytes
// the argument occupies, padding included.
func nextArg(t byte, data []byte) (raw []byte, size int, err error) {
	switch t {
	case 'i', 'f', 'c', 'r', 'm':
		if len(data) < 4 {
			return nil, 0, errShortArgs
		}
		return data[:4:4], 4, nil
	case 'h', 'd', 't':
		if len(data) < 8 {
			return nil, 0, errShortArgs
		}
		return data[:8:8], 8, nil
	case 'T', 'F', 'N', 'I', '[', ']':
		return nil, 0, nil
	case 's', 'S':
		if len(data) == 0 {
			return nil, 0, errShortArgs
		}
		end, n, err := scanString(data)
		if err != nil {
			return nil, 0, err
		}
		return data[:end:end], n, nil
	case 'b':
		if len(data) < 4 {
			return nil, 0, errShortArgs
		}
		size := int(int32(binary.BigEndian.Uint32(data)))
		if size < 0 {
			return nil, 0, errBlobSize
		}
		if size > len(data)-4 {
			return nil, 0, errShortArgs
		}
		n := 4 + align4(size)
		if n > len(data) || !zeros(data[4+size:n]) {
			return nil, 0, errBadPadding
		}
		return data[4 : 4+size : 4+size], n, nil
	}
	return nil, 0, errUnknownType
}

// checkArgs checks that data holds exactly the arguments tags describe.
func checkArgs(tags, data []byte) error {
	for _, t := range tags {
		if t == 'f' || t == 'i' { // the common case, inline
			if len(data) < 4 {
				return errShortArgs
			}
			data = data[4:]
			continue
		}
		_, n, err := nextArg(t, data)
		if err != nil {
			return err
		}
		data = data[n:]
	}
	if len(data) != 0 {
		return errTrailingData
	}
	return nil
}

// Arg is one argument: its type tag and its payload, a view into the packet.
// The typed methods return the zero value when Type does not match them.
type Arg struct {
	// Type is the OSC type tag: i f s b h d t T F N, or one of the
	// non-standard OSC 1.0 tags S c r m I [ ] (no typed accessor: use Raw).
	Type byte
	raw  []byte // numbers: 4 or 8 bytes; s S: the string without NUL; b: the blob
}

// Raw returns the argument's payload: the big-endian bytes of a number, a
// string without its NUL, the contents of a blob, nothing for T F N I [ ].
func (a Arg) Raw() []byte { return a.raw }

// Int32 returns an 'i' argument.
func (a Arg) Int32() int32 {
	if a.Type != 'i' {
		return 0
	}
	return int32(binary.BigEndian.Uint32(a.raw))
}

// Float32 returns an 'f' argument.
func (a Arg) Float32() float32 {
	if a.Type != 'f' {
		return 0
	}
	return math.Float32frombits(binary.BigEndian.Uint32(a.raw))
}

// Int64 returns an 'h' argument.
func (a Arg) Int64() int64 {
	if a.Type != 'h' {
		return 0
	}
	return int64(binary.BigEndian.Uint64(a.raw))
}

// Float64 returns a 'd' argument.
func (a Arg) Float64() float64 {
	if a.Type != 'd' {
		return 0
	}
	return math.Float64frombits(binary.BigEndian.Uint64(a.raw))
}

// TimeTag returns a 't' argument.
func (a Arg) TimeTag() TimeTag {
	if a.Type != 't' {
		return 0
	}
	return TimeTag(binary.BigEndian.Uint64(a.raw))
}

// Bool returns true for a 'T' argument, false otherwise.
func (a Arg) Bool() bool { return a.Type == 'T' }

// Bytes returns the string of an 's' or 'S' argument or the contents of a
// 'b' argument (a view into the packet), nil otherwise.
func (a Arg) Bytes() []byte {
	switch a.Type {
	case 's', 'S', 'b':
		return a.raw
	}
	return nil
}

// Args is a cursor over a message's arguments. Typed accessors read the next
// argument if it has their type and advance; on [ErrArgType] or
// [ErrMissingArg] the cursor stays where it was.
type Args struct {
	tags []byte
	data []byte
}

// Len returns the number of arguments not yet read.
func (a *Args) Len() int { return len(a.tags) }

// Peek returns the type tag of the next argument, or 0 if none is left.
func (a *Args) Peek() byte {
	if len(a.tags) == 0 {
		return 0
	}
	return a.tags[0]
}

// Next reads the next argument whatever its type.
func (a *Args) Next() (Arg, error) {
	if len(a.tags) == 0 {
		return Arg{}, ErrMissingArg
	}
	t := a.tags[0]
	raw, n, err := nextArg(t, a.data)
	if err != nil {
		return Arg{}, err
	}
	a.tags = a.tags[1:]
	a.data = a.data[n:]
	return Arg{Type: t, raw: raw}, nil
}

// Skip skips the next argument whatever its type.
func (a *Args) Skip() error {
	_, err := a.Next()
	return err
}

// fixed reads the next argument if its tag is t and it is size bytes long.
func (a *Args) fixed(t byte, size int) ([]byte, error) {
	if len(a.tags) == 0 {
		return nil, ErrMissingArg
	}
	if a.tags[0] != t {
		return nil, ErrArgType
	}
	if len(a.data) < size {
		return nil, errShortArgs
	}
	b := a.data[:size]
	a.tags = a.tags[1:]
	a.data = a.data[size:]
	return b, nil
}

// Int32 reads an 'i' argument (32-bit two's complement integer).
func (a *Args) Int32() (int32, error) {
	b, err := a.fixed('i', 4)
	if err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(b)), nil
}

// Float32 reads an 'f' argument (IEEE 754 single precision).
func (a *Args) Float32() (float32, error) {
	b, err := a.fixed('f', 4)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
}

// Float32s reads len(dst) consecutive 'f' arguments into dst. On error
// nothing is read and dst is unchanged.
func (a *Args) Float32s(dst []float32) error {
	if len(a.tags) < len(dst) {
		for _, t := range a.tags {
			if t != 'f' {
				return ErrArgType
			}
		}
		return ErrMissingArg
	}
	for _, t := range a.tags[:len(dst)] {
		if t != 'f' {
			return ErrArgType
		}
	}
	if len(a.data) < 4*len(dst) {
		return errShortArgs
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.BigEndian.Uint32(a.data[4*i:]))
	}
	a.tags = a.tags[len(dst):]
	a.data = a.data[4*len(dst):]
	return nil
}

// Int64 reads an 'h' argument (64-bit two's complement integer).
func (a *Args) Int64() (int64, error) {
	b, err := a.fixed('h', 8)
	if err != nil {
		return 0, err
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// Float64 reads a 'd' argument (IEEE 754 double precision).
func (a *Args) Float64() (float64, error) {
	b, err := a.fixed('d', 8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
}

// TimeTag reads a 't' argument.
func (a *Args) TimeTag() (TimeTag, error) {
	b, err := a.fixed('t', 8)
	if err != nil {
		return 0, err
	}
	return TimeTag(binary.BigEndian.Uint64(b)), nil
}

// Bool reads a 'T' (true) or 'F' (false) argument.
func (a *Args) Bool() (bool, error) {
	if len(a.tags) == 0 {
		return false, ErrMissingArg
	}
	switch a.tags[0] {
	case 'T':
		a.tags = a.tags[1:]
		return true, nil
	case 'F':
		a.tags = a.tags[1:]
		return false, nil
	}
	return false, ErrArgType
}

// Nil reads an 'N' argument.
func (a *Args) Nil() error {
	_, err := a.fixed('N', 0)
	return err
}

// Str reads an 's' (or non-standard 'S' symbol) argument and returns its
// bytes without the NUL: a view into the packet. string(...) it to keep it.
func (a *Args) Str() ([]byte, error) {
	if len(a.tags) == 0 {
		return nil, ErrMissingArg
	}
	if t := a.tags[0]; t != 's' && t != 'S' {
		return nil, ErrArgType
	}
	// The message was checked, so the string ends in the first 4-byte group
	// whose last byte is NUL (the padding fills the terminator's group).
	for i := 3; i < len(a.data); i += 4 {
		if a.data[i] != 0 {
			continue
		}
		end := i - 3
		for a.data[end] != 0 {
			end++
		}
		s := a.data[:end:end]
		a.tags = a.tags[1:]
		a.data = a.data[i+1:]
		return s, nil
	}
	return nil, errShortArgs
}

// Blob reads a 'b' argument and returns its contents: a view into the packet.
func (a *Args) Blob() ([]byte, error) {
	if len(a.tags) == 0 {
		return nil, ErrMissingArg
	}
	if a.tags[0] != 'b' {
		return nil, ErrArgType
	}
	arg, err := a.Next()
	return arg.raw, err
}
