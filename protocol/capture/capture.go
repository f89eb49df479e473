// Package capture stores UDP datagrams — a Performer's VMC Protocol stream,
// or an iFacialMocap phone's frames — as pcapng files, the capture format
// Wireshark and tcpdump read, so a recording is a standard file a network
// engineer can open (Wireshark's OSC dissector decodes the payloads once its
// osc_udp heuristic is on: Analyze → Enabled Protocols, or tshark
// --enable-heuristic osc_udp; checked with tshark 4.0).
//
// Each datagram is one Enhanced Packet Block (pcapng, IETF draft
// draft-ietf-opsawg-pcapng §4.3) on one interface of link type
// LINKTYPE_RAW (101: the packet starts with its IPv4 or IPv6 header), with
// the arrival time in nanoseconds since the Unix epoch and an IPv4 (or IPv6)
// and UDP header built with gopacket/layers from the real source address and
// port and the listening address and port. Files are written and read with
// github.com/google/gopacket/pcapgo.
//
// Writer writes datagrams; Recorder adds the limits (size, duration), the
// regular flushes that keep a file readable after a crash, and a clear stop.
// Reader reads them back, tolerating a file cut short mid-block. Play sends a
// recording again at its recorded timing.
package capture

import (
	"errors"
	"net/netip"
	"time"
)

// Datagram is one UDP datagram as received.
type Datagram struct {
	// At is the local arrival time.
	At time.Time
	// Src is the sender's address and port; Dst the receiving socket's
	// (0.0.0.0 or :: when it listened on every interface).
	Src, Dst netip.AddrPort
	// Payload is the UDP payload (an OSC packet for VMC).
	Payload []byte
}

// MaxPayload is the largest UDP payload a recording holds, bytes: 65535 less
// the 20-byte IPv4 and 8-byte UDP headers (an IPv6 datagram may carry 20
// bytes more; larger ones are refused as well, no VMC packet comes near).
const MaxPayload = 65535 - 20 - 8

// Errors.
var (
	// ErrTooLarge is returned for a payload over MaxPayload.
	ErrTooLarge = errors.New("capture: datagram larger than 65507 bytes")
	// ErrTruncated is returned by Reader.Next when the file ends inside a
	// block: a recording cut short by a crash. Every datagram before it was
	// returned.
	ErrTruncated = errors.New("capture: file ends inside a block (recording cut short)")
	// ErrNoAddress is returned by Writer.Write for a datagram without a
	// source address.
	ErrNoAddress = errors.New("capture: datagram without a source address")
	// ErrNotUDP is returned for a packet that is not IPv4/IPv6 + UDP.
	ErrNotUDP = errors.New("capture: packet is not UDP over IPv4 or IPv6")
)

var (
	netipV4Zero = netip.IPv4Unspecified()
	netipV6Zero = netip.IPv6Unspecified()
)

// IsOSC reports whether payload looks like an OSC packet — a VMC datagram,
// as opposed to an iFacialMocap frame recorded beside it: an OSC 1.0
// message's address pattern starts with '/', a bundle with "#bundle\x00".
func IsOSC(payload []byte) bool {
	return len(payload) > 0 && (payload[0] == '/' || (len(payload) >= 8 && string(payload[:8]) == "#bundle\x00"))
}
