package capture

import (
	"fmt"
	"io"
	"net"
	"runtime"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// WriterOptions describe a recording in its pcapng section and interface
// headers (Wireshark shows them under Statistics → Capture File Properties).
type WriterOptions struct {
	// Application names the recording program, e.g. "kugutsu 0.1.0".
	Application string
	// Interface names the capture interface, e.g. "vmc 0.0.0.0:39539".
	Interface string
	// Comment is the section comment.
	Comment string
}

// Writer writes datagrams to a pcapng file (see the package comment for the
// framing). It buffers: call Flush to push written datagrams to the
// underlying writer. It is not safe for concurrent use.
type Writer struct {
	ng   *pcapgo.NgWriter
	buf  gopacket.SerializeBuffer
	size int64
}

// headerSize is the size of the section header and interface description
// blocks as a Writer writes them, at most (for Size, before any packet).
const headerSize = 256

// NewWriter writes the pcapng section header and one LINKTYPE_RAW interface
// with nanosecond timestamps to w and returns a Writer for the datagrams.
func NewWriter(w io.Writer, o WriterOptions) (*Writer, error) {
	intf := pcapgo.NgInterface{
		Name:                o.Interface,
		OS:                  runtime.GOOS,
		LinkType:            layers.LinkTypeRaw,
		TimestampResolution: 9,
	}
	opts := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{
		Hardware:    runtime.GOARCH,
		OS:          runtime.GOOS,
		Application: o.Application,
		Comment:     o.Comment,
	}}
	ng, err := pcapgo.NewNgWriterInterface(w, intf, opts)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	return &Writer{ng: ng, buf: gopacket.NewSerializeBuffer(), size: headerSize}, nil
}

// Write frames d's payload in an IPv4 (the source is IPv4) or IPv6 header
// and a UDP header, with lengths and checksums filled in, and writes it as
// one Enhanced Packet Block stamped d.At. A destination of the other family
// (a dual-stack socket) is written as the unspecified address of the
// source's. It returns ErrTooLarge for a payload over MaxPayload and
// ErrNoAddress for a datagram without a source; the file is unchanged then.
func (w *Writer) Write(d Datagram) error {
	if len(d.Payload) > MaxPayload {
		return ErrTooLarge
	}
	src, dst := d.Src.Addr().Unmap(), d.Dst.Addr().Unmap()
	if !src.IsValid() {
		return ErrNoAddress
	}
	if !dst.IsValid() || src.Is4() != dst.Is4() {
		dst = netipV6Zero
		if src.Is4() {
			dst = netipV4Zero
		}
	}
	udp := &layers.UDP{SrcPort: layers.UDPPort(d.Src.Port()), DstPort: layers.UDPPort(d.Dst.Port())}
	var ip gopacket.SerializableLayer
	if src.Is4() {
		v4 := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolUDP,
			SrcIP: net.IP(src.AsSlice()), DstIP: net.IP(dst.AsSlice())}
		if err := udp.SetNetworkLayerForChecksum(v4); err != nil {
			return fmt.Errorf("capture: %w", err)
		}
		ip = v4
	} else {
		v6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolUDP,
			SrcIP: net.IP(src.AsSlice()), DstIP: net.IP(dst.AsSlice())}
		if err := udp.SetNetworkLayerForChecksum(v6); err != nil {
			return fmt.Errorf("capture: %w", err)
		}
		ip = v6
	}
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(w.buf, opts, ip, udp, gopacket.Payload(d.Payload)); err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	data := w.buf.Bytes()
	ci := gopacket.CaptureInfo{Timestamp: d.At, CaptureLength: len(data), Length: len(data)}
	if err := w.ng.WritePacket(ci, data); err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	w.size += BlockSize(len(d.Payload), src.Is4())
	return nil
}

// BlockSize is the size in the file of the block holding a datagram with an
// n-byte payload: 32 bytes of block header and trailer, the IP (20 bytes for
// IPv4, 40 for IPv6) and UDP (8) headers, the payload, padding to 4 bytes.
func BlockSize(n int, ipv4 bool) int64 {
	l := int64(n) + 8 + 40
	if ipv4 {
		l -= 20
	}
	return 32 + (l+3)&^3
}

// Size returns the file's size once flushed, bytes (the headers counted as
// headerSize).
func (w *Writer) Size() int64 { return w.size }

// Flush writes buffered datagrams to the underlying writer.
func (w *Writer) Flush() error {
	if err := w.ng.Flush(); err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	return nil
}
