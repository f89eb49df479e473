package ifacialmocap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"
)

// FetchRecording asks the phone at phone ("IP[:PORT]") for the animation it
// has recorded (spec, "To receive recorded data in iOS"): it listens on
// opts.ListenBake (TCP 49987 by default), sends the bake command from an
// ephemeral UDP port, accepts the phone's connection (connections from other
// addresses are refused) and copies what it sends — a JSON array of frame
// strings in the format of [Parse] — to w, without the trailing
// "___iFacialMocap". It returns the number of bytes written.
//
// Errors: a *PortInUseError when the bake port is taken; a timeout when the
// phone does not connect, or stops sending, for opts.BakeWait (20 s);
// io.ErrUnexpectedEOF when the connection ends before the terminator; an
// error once more than opts.MaxRecording bytes (256 MiB) have come; ctx's
// error when it is cancelled.
func FetchRecording(ctx context.Context, phone string, opts Options, w io.Writer) (int64, error) {
	opts.defaults()
	ap, err := resolvePhone(ctx, phone, opts.PhonePort)
	if err != nil {
		return 0, err
	}
	conn, err := net.ListenUDP("udp", nil)
	if err != nil {
		return 0, fmt.Errorf("ifacialmocap: open a UDP socket for commands: %w", err)
	}
	defer conn.Close()
	return fetchRecording(ctx, conn, ap, opts, w)
}

func fetchRecording(ctx context.Context, cmd *net.UDPConn, phone netip.AddrPort, opts Options, w io.Writer) (int64, error) {
	lc := net.ListenConfig{}
	ln, err := lc.Listen(ctx, "tcp", opts.ListenBake)
	if err != nil {
		return 0, bindError("TCP", opts.ListenBake, err)
	}
	defer ln.Close()
	tl := ln.(*net.TCPListener)
	if err := tl.SetDeadline(time.Now().Add(opts.BakeWait)); err != nil {
		return 0, err
	}
	stop := context.AfterFunc(ctx, func() { tl.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if _, err := cmd.WriteToUDPAddrPort([]byte(CommandBake), phone); err != nil {
		return 0, fmt.Errorf("ifacialmocap: send the bake command to %s: %w", phone, err)
	}
	var conn *net.TCPConn
	for conn == nil {
		c, err := tl.AcceptTCP()
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return 0, fmt.Errorf("ifacialmocap: the phone did not connect to TCP %s within %v to send its recording: "+
					"check that this PC's firewall allows incoming TCP on that port (Linux ufw: sudo ufw allow %d/tcp; "+
					"firewalld: sudo firewall-cmd --add-port=%d/tcp; Windows: allow kugutsu on private networks) "+
					"and that iFacialMocap has a recording", ln.Addr(), opts.BakeWait, tcpPort(ln.Addr()), tcpPort(ln.Addr()))
			}
			return 0, fmt.Errorf("ifacialmocap: accept the recording connection: %w", err)
		}
		if c.RemoteAddr().(*net.TCPAddr).AddrPort().Addr().Unmap() != phone.Addr() {
			c.Close()
			continue
		}
		conn = c
	}
	defer conn.Close()
	stopConn := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stopConn()
	n, err := copyUntilTerminator(w, &idleReader{ctx: ctx, conn: conn, idle: opts.BakeWait}, opts.MaxRecording)
	if err != nil && ctx.Err() != nil {
		return n, ctx.Err()
	}
	if errors.Is(err, errTooLarge) {
		return n, fmt.Errorf("ifacialmocap: recorded animation larger than %d bytes", opts.MaxRecording)
	}
	return n, err
}

// idleReader fails a read that waits longer than idle, or once ctx is done.
type idleReader struct {
	ctx  context.Context
	conn *net.TCPConn
	idle time.Duration
}

func (r *idleReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if err := r.conn.SetReadDeadline(time.Now().Add(r.idle)); err != nil {
		return 0, err
	}
	return r.conn.Read(p)
}

// DecodeRecording reads a recorded animation as FetchRecording writes it (a
// JSON array of frame strings) and returns the frames, each ready for
// [ParseString].
func DecodeRecording(r io.Reader) ([]string, error) {
	var frames []string
	if err := json.NewDecoder(r).Decode(&frames); err != nil {
		return nil, fmt.Errorf("ifacialmocap: recorded animation: %w", err)
	}
	return frames, nil
}

// tcpPort returns a TCP address's port (0 for another kind of address).
func tcpPort(a net.Addr) int {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.Port
	}
	return 0
}
