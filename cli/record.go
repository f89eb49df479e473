package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/protocol/vmc"
)

func init() {
	register("record", "record a Performer's VMC stream to a pcapng file (Wireshark reads it)", runRecord)
	register("replay", "send a recording to a Marionette at its recorded timing, as a Performer", runReplay)
}

// runRecord is `kugutsu record --listen ADDR:PORT --out FILE [--max-size
// SIZE] [--max-duration D]`: every datagram received, with its arrival
// time, into a pcapng file (package capture), until Ctrl-C or a limit.
func runRecord(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu record", "--out FILE [--listen ADDR:PORT] [--max-size SIZE] [--max-duration DURATION] [--ifm PHONE]")
	listen := fs.String("listen", vmc.DefaultAddr, "UDP address to receive VMC on, as a Marionette")
	out := fs.StringP("out", "o", "", "recording `FILE` to create (pcapng); required")
	maxSize := fs.String("max-size", "1GiB", "stop before the file exceeds `SIZE` bytes, 1 GiB ≈ 1 hour of a 55-bone 60 fps stream (suffixes KiB, MiB, GiB, KB, MB, GB); 0 for no limit")
	maxDur := fs.Duration("max-duration", 0, "stop `DURATION` after the first datagram (e.g. 10m); 0 for no limit")
	quiet := fs.BoolP("quiet", "q", false, "print no progress line")
	ifmPhone := fs.String("ifm", "", "also record the frames of an iPhone running iFacialMocap at `PHONE` (its IP, as with kugutsu ifm)")
	ifmListen := fs.String("ifm-listen", "", "local address iFacialMocap frames arrive on (default :49983 for UDP, :49986 with --ifm-tcp)")
	ifmTCP := fs.Bool("ifm-tcp", false, "iFacialMocap TCP mode (each frame is recorded as one datagram from the phone)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	bad := func(format string, a ...any) error {
		fmt.Fprintf(env.Stderr, "kugutsu record: "+format+"\n", a...)
		fs.Usage()
		return errUsage
	}
	if *out == "" {
		return bad("--out is required")
	}
	size, err := parseByteSize(*maxSize)
	if err != nil {
		return bad("--max-size: %v", err)
	}
	if *maxDur < 0 {
		return bad("--max-duration must not be negative")
	}

	// The tap runs before the receiver's address is known (port 0); until
	// then the datagram's destination is the requested address.
	var local atomic.Pointer[netip.AddrPort]
	if ap, err := netip.ParseAddrPort(*listen); err == nil {
		local.Store(&ap)
	}
	rec, err := capture.Create(*out, capture.RecorderOptions{
		WriterOptions: capture.WriterOptions{
			Application: "kugutsu " + env.Version,
			Interface:   "vmc " + *listen,
			Comment:     "VMC Protocol (OSC over UDP) as received by kugutsu record. Wireshark decodes it with the osc_udp heuristic on (Analyze → Enabled Protocols).",
		},
		MaxBytes:    size,
		MaxDuration: *maxDur,
	})
	if err != nil {
		return err
	}
	lc := vmc.ListenConfig{Tap: func(p []byte, from netip.AddrPort, at time.Time) {
		var dst netip.AddrPort
		if l := local.Load(); l != nil {
			dst = *l
		}
		rec.Record(capture.Datagram{At: at, Src: from, Dst: dst, Payload: p})
	}}
	r, err := lc.Listen(ctx, *listen)
	if err != nil {
		rec.Close()
		os.Remove(*out)
		return err
	}
	addr := r.Addr()
	local.Store(&addr)
	fmt.Fprintf(env.Stderr, "kugutsu record: listening on %s (UDP), writing %s; Ctrl-C to stop\n", addr, *out)
	if *ifmPhone != "" {
		c, err := connectIFMRecording(ctx, rec, *ifmPhone, *ifmListen, *ifmTCP)
		if err != nil {
			r.Close()
			rec.Close()
			os.Remove(*out)
			return err
		}
		defer c.Close()
		fmt.Fprintf(env.Stderr, "kugutsu record: asked %s for iFacialMocap frames; receiving on %s\n", c.Phone(), c.LocalAddr())
	}

	tty := isTerminal(env.Stderr) && !*quiet
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	why := "stopped"
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-rec.Done():
			switch err := rec.Err(); {
			case errors.Is(err, capture.ErrMaxBytes):
				why = "size limit reached"
			case errors.Is(err, capture.ErrMaxDuration):
				why = "duration limit reached"
			}
			break loop
		case <-tick.C:
			if tty {
				n, b, span := rec.Stats()
				fmt.Fprintf(env.Stderr, "\r%d datagrams, %s, %s   ", n, byteSize(b), span.Round(time.Second))
			}
		}
	}
	r.Close()
	err = rec.Close()
	n, b, span := rec.Stats()
	if tty {
		fmt.Fprintln(env.Stderr)
	}
	fmt.Fprintf(env.Stderr, "kugutsu record: %s: %d datagrams over %s, %s in %s\n", why, n, span.Round(time.Millisecond), byteSize(b), *out)
	return err
}

// connectIFMRecording asks the phone for iFacialMocap frames and records
// each as a datagram from the phone to the local address.
func connectIFMRecording(ctx context.Context, rec *capture.Recorder, phone, listen string, tcp bool) (*ifacialmocap.Client, error) {
	var local atomic.Pointer[netip.AddrPort]
	opts := ifacialmocap.Options{OnData: func(b []byte, from netip.AddrPort, at time.Time) {
		dst := netip.AddrPortFrom(netip.IPv4Unspecified(), ifacialmocap.DefaultUDPPort)
		if l := local.Load(); l != nil {
			dst = *l
		}
		rec.Record(capture.Datagram{At: at, Src: netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), Dst: dst, Payload: b})
	}}
	if tcp {
		opts.Mode, opts.ListenTCP = ifacialmocap.ModeTCP, listen
	} else {
		opts.ListenUDP = listen
	}
	c, err := ifacialmocap.Connect(ctx, phone, opts)
	if err != nil {
		return nil, err
	}
	if ap, err := netip.ParseAddrPort(c.LocalAddr()); err == nil {
		ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		local.Store(&ap)
	}
	return c, nil
}

// runReplay is `kugutsu replay FILE --to HOST:PORT [--speed X] [--loop]`.
func runReplay(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu replay", "FILE [--to HOST:PORT] [--speed X] [--loop] [--port N]")
	to := fs.String("to", "127.0.0.1:39539", "Marionette `HOST:PORT` to send to")
	speed := fs.Float64("speed", 1, "playback speed `X` (2: twice as fast), up to 100")
	loop := fs.Bool("loop", false, "start again at the end, until Ctrl-C")
	port := fs.Uint16("port", 0, "send the datagrams recorded to UDP `PORT` (e.g. 49983 for iFacialMocap frames); 0: the VMC (OSC) ones")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	if !(*speed > 0 && *speed <= 100) {
		fmt.Fprintf(env.Stderr, "kugutsu replay: --speed %v is not in (0, 100]\n", *speed)
		fs.Usage()
		return errUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	var d net.Dialer
	s, err := d.DialContext(ctx, "udp", *to)
	if err != nil {
		return err
	}
	defer s.Close()
	send := func(b []byte) error { _, err := s.Write(b); return err }
	o := capture.PlayOptions{Speed: *speed, Loop: *loop, Keep: func(d *capture.Datagram) bool { return capture.IsOSC(d.Payload) }}
	if *port != 0 {
		o.Keep = func(d *capture.Datagram) bool { return d.Dst.Port() == *port }
	}
	fmt.Fprintf(env.Stderr, "kugutsu replay: sending %s to %s from %s\n", fs.Arg(0), *to, s.LocalAddr())
	start := time.Now()
	st, err := capture.Play(ctx, f, send, o)
	if st.Truncated {
		fmt.Fprintf(env.Stderr, "kugutsu replay: %s ends inside a block (a recording cut short): played up to there\n", fs.Arg(0))
	}
	fmt.Fprintf(env.Stderr, "kugutsu replay: %d datagrams in %s\n", st.Sent, time.Since(start).Round(time.Millisecond))
	return err
}

// parseByteSize reads a byte count with an optional suffix: K/KiB, M/MiB,
// G/GiB (powers of 1024), KB, MB, GB (powers of 1000), B.
func parseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') {
		i--
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult := map[string]int64{"": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20,
		"g": 1 << 30, "gib": 1 << 30, "kb": 1e3, "mb": 1e6, "gb": 1e9}[unit]
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 || v < 0 || v > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size such as 500MiB or 2GB", s)
	}
	return v * mult, nil
}

// byteSize formats n bytes for people.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
