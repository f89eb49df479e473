package vmc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// DefaultAddr is the Marionette's default listen address: every IPv4
// interface, UDP port 39539 (spec "Glossary"). Use "[::]:39539" for IPv6 and
// IPv4 both.
const DefaultAddr = "0.0.0.0:39539"

// maxDatagram is the largest UDP payload (65535 − 8-byte UDP header; IPv4
// allows 65507, IPv6 65527), rounded up.
const maxDatagram = 65536

// ListenConfig configures a [Receiver]. The zero value is ready to use.
type ListenConfig struct {
	// Scene receives the packets; nil makes a new one. Several receivers
	// (ports) may share a Scene.
	Scene *Scene
	// Tap, if set, sees every datagram on the read goroutine before it is
	// decoded. It must not retain packet (the buffer is reused) and should
	// return quickly: while it runs, datagrams queue in the socket.
	Tap func(packet []byte, from netip.AddrPort, at time.Time)
	// ReadBuffer is the socket receive buffer size to ask the OS for, in
	// bytes (0: 4 MiB; the OS may cap it).
	ReadBuffer int
}

// ErrPortInUse is matched (errors.Is) by the error of a Listen whose UDP
// port another socket holds (EADDRINUSE; Windows' WSAEADDRINUSE): another
// Marionette, or another copy of this one.
var ErrPortInUse = errors.New("the UDP port is already in use")

// isAddrInUse reports whether err says the address is taken (EADDRINUSE, or
// Windows' WSAEADDRINUSE, 10048).
func isAddrInUse(err error) bool {
	var errno syscall.Errno
	return errors.Is(err, syscall.EADDRINUSE) || (errors.As(err, &errno) && errno == 10048)
}

// Receiver is a VMC Marionette endpoint: one UDP socket and one goroutine
// that reads datagrams into a buffer large enough for any of them and feeds
// them to a [Scene].
type Receiver struct {
	conn       *net.UDPConn
	scene      *Scene
	tap        func([]byte, netip.AddrPort, time.Time)
	addr       netip.AddrPort
	readErrors atomic.Uint64
	// The kernel's drop count (SO_RXQ_OVFL), when this system gives it:
	// dropped sums its increments, lastDrops is the latest counter value
	// (read goroutine only).
	dropsCounted bool
	dropped      atomic.Uint64
	lastDrops    uint32
	done         chan struct{}
	stop         context.CancelFunc
	closeOnce    sync.Once
}

// Listen starts a receiver on addr ("host:port", "" for [DefaultAddr]) with
// a new Scene. It runs until ctx is cancelled or Close is called.
func Listen(ctx context.Context, addr string) (*Receiver, error) {
	return ListenConfig{}.Listen(ctx, addr)
}

// Listen starts a receiver on addr ("host:port"; IPv4 or IPv6 literal or host
// name; "" for [DefaultAddr]). It runs until ctx is cancelled or Close is
// called.
func (lc ListenConfig) Listen(ctx context.Context, addr string) (*Receiver, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	var nlc net.ListenConfig
	pc, err := nlc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		if isAddrInUse(err) {
			return nil, fmt.Errorf("vmc: listen on %s: %w (%w)", addr, ErrPortInUse, err)
		}
		return nil, fmt.Errorf("vmc: listen: %w", err)
	}
	conn := pc.(*net.UDPConn)
	size := lc.ReadBuffer
	if size <= 0 {
		size = 4 << 20
	}
	_ = conn.SetReadBuffer(size) // best effort: the OS caps it (net.core.rmem_max)
	r := &Receiver{
		conn:  conn,
		scene: lc.Scene,
		tap:   lc.Tap,
		addr:  conn.LocalAddr().(*net.UDPAddr).AddrPort(),
		done:  make(chan struct{}),
	}
	r.dropsCounted = enableDropCounter(conn)
	if r.scene == nil {
		r.scene = NewScene()
	}
	ctx, r.stop = context.WithCancel(ctx)
	go func() {
		<-ctx.Done()
		r.conn.Close() // unblocks the read
	}()
	go r.run()
	return r, nil
}

func (r *Receiver) run() {
	defer close(r.done)
	buf := make([]byte, maxDatagram)
	var oob []byte
	if r.dropsCounted {
		oob = make([]byte, dropOOBSize)
	}
	for {
		var (
			n, oobn int
			from    netip.AddrPort
			err     error
		)
		if oob != nil {
			n, oobn, _, from, err = r.conn.ReadMsgUDPAddrPort(buf, oob)
		} else {
			n, from, err = r.conn.ReadFromUDPAddrPort(buf)
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Transient (e.g. ICMP errors surfaced on some systems): count,
			// pause briefly so a persistent error cannot spin, go on.
			r.readErrors.Add(1)
			time.Sleep(time.Millisecond)
			continue
		}
		if oobn > 0 {
			if c, ok := parseDropCount(oob[:oobn]); ok {
				r.dropped.Add(uint64(c - r.lastDrops)) // uint32 arithmetic: wraps
				r.lastDrops = c
			}
		}
		at := time.Now()
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		if r.tap != nil {
			r.tap(buf[:n], from, at)
		}
		r.scene.Feed(buf[:n], from, at)
	}
}

// Addr returns the bound address (with the actual port when listening on
// port 0).
func (r *Receiver) Addr() netip.AddrPort { return r.addr }

// Scene returns the scene the receiver feeds.
func (r *Receiver) Scene() *Scene { return r.scene }

// Status returns the scene's statistics plus the socket's.
func (r *Receiver) Status() Status {
	st := r.scene.Status()
	st.Listen = r.addr
	st.ReadErrors = r.readErrors.Load()
	st.Dropped, st.DropsCounted = r.dropped.Load(), r.dropsCounted
	return st
}

// Done is closed when the read goroutine has stopped.
func (r *Receiver) Done() <-chan struct{} { return r.done }

// Close stops the receiver and waits for its goroutine to end.
func (r *Receiver) Close() error {
	r.closeOnce.Do(r.stop)
	<-r.done
	return nil
}
