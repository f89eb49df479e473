package ifacialmocap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a [Client]. The zero value is UDP mode, v1 format, the
// standard ports and timings.
type Options struct {
	Mode Mode // ModeUDP (default) or ModeTCP
	V2   bool // ask for the v2 ('&') format

	// PhonePort is the phone's command port when the phone address has none;
	// 0 means DefaultPhonePort.
	PhonePort int
	// ListenUDP is the local UDP address frames arrive on in UDP mode, and the
	// source of the commands (the phone answers to the commands' source).
	// "" means ":49983" (DefaultUDPPort on every interface).
	ListenUDP string
	// ListenTCP is the local TCP address the phone connects to in TCP mode;
	// "" means ":49986".
	ListenTCP string
	// ListenBake is the local TCP address the phone sends the recorded
	// animation to; "" means ":49987".
	ListenBake string

	// ResendInterval: while no frame has arrived for this long, the start
	// command is sent again, once per interval. 0 means 2 s.
	ResendInterval time.Duration
	// NoDataTimeout: after this long without a frame, Status reports a
	// *NoDataError explaining the usual causes. 0 means 5 s.
	NoDataTimeout time.Duration
	// FrozenAfter: a phone that lost the face keeps re-sending its last frame
	// (field notes §6); frames identical byte for byte for this long mark the
	// tracking as lost even without a trackingStatus field. 0 means 1 s.
	FrozenAfter time.Duration
	// BakeWait bounds how long FetchRecording waits for the phone to connect
	// and then for each read. 0 means 20 s.
	BakeWait time.Duration

	// MaxFrame limits one TCP frame (0: DefaultMaxFrame); MaxRecording limits
	// a recorded animation (0: 256 MiB).
	MaxFrame     int
	MaxRecording int64

	// OnFrame, when set, is called on the network goroutine with each good
	// frame, before it becomes the latest. It must return quickly, must not
	// keep f (which is reused) and must not call Close (which waits for that
	// goroutine).
	OnFrame func(f *Frame)
	// OnData, when set, is called on the network goroutine with each frame's
	// bytes as they arrived — a UDP datagram from the phone, or one TCP frame
	// without its ___iFacialMocap terminator — with the sender and arrival
	// time, before parsing (malformed frames too): for recording. It must
	// return quickly and must not keep b.
	OnData func(b []byte, from netip.AddrPort, at time.Time)
	// Logger receives connection events; nil means slog.Default().
	Logger *slog.Logger
}

// ConnectedWithin is how recent the last frame must be for a client to count
// as connected (VMagicMirror's 0.5 s, field notes §1).
const ConnectedWithin = 500 * time.Millisecond

func (o *Options) defaults() {
	if o.PhonePort == 0 {
		o.PhonePort = DefaultPhonePort
	}
	if o.ListenUDP == "" {
		o.ListenUDP = ":" + strconv.Itoa(DefaultUDPPort)
	}
	if o.ListenTCP == "" {
		o.ListenTCP = ":" + strconv.Itoa(DefaultTCPPort)
	}
	if o.ListenBake == "" {
		o.ListenBake = ":" + strconv.Itoa(DefaultBakePort)
	}
	if o.ResendInterval <= 0 {
		o.ResendInterval = 2 * time.Second
	}
	if o.NoDataTimeout <= 0 {
		o.NoDataTimeout = 5 * time.Second
	}
	if o.FrozenAfter <= 0 {
		o.FrozenAfter = time.Second
	}
	if o.BakeWait <= 0 {
		o.BakeWait = 20 * time.Second
	}
	if o.MaxFrame <= 0 {
		o.MaxFrame = DefaultMaxFrame
	}
	if o.MaxRecording <= 0 {
		o.MaxRecording = 256 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Status is a snapshot of a client's connection.
type Status struct {
	Phone string // the phone's command address, "IP:PORT"
	Mode  Mode
	V2    bool
	Local string // where frames are received: the UDP or TCP listen address

	Connected    bool      // a frame arrived within ConnectedWithin
	FPS          float64   // good frames per second over the last second or so
	LastFrame    time.Time // arrival of the last good frame; zero if none
	TrackingLost bool      // the last frame said trackingStatus-0, or frames are frozen

	Received  uint64 // good frames
	Malformed uint64 // frames Parse rejected, and over-long TCP frames
	Dropped   uint64 // good frames replaced before Latest read them (consumer too slow)
	Ignored   uint64 // datagrams or connections from other addresses, ignored
	Starts    uint64 // start commands sent

	// Err is the current problem a user should see, or nil: a *NoDataError
	// while nothing arrives.
	Err error
	// LastError is the most recent error of any kind (a malformed frame, a
	// failed send…) and LastErrorAt its time; it stays after recovery.
	LastError   error
	LastErrorAt time.Time
}

// String is a one-line summary for logs and the command line.
func (s Status) String() string {
	var b bytes.Buffer
	if s.Connected {
		fmt.Fprintf(&b, "connected %.1f fps", s.FPS)
	} else {
		b.WriteString("waiting")
	}
	fmt.Fprintf(&b, " | %s %s", s.Mode, formatName(s.V2))
	if s.TrackingLost {
		b.WriteString(" | tracking lost")
	} else if s.Received > 0 {
		b.WriteString(" | tracking ok")
	}
	fmt.Fprintf(&b, " | frames %d, malformed %d, dropped %d, ignored %d", s.Received, s.Malformed, s.Dropped, s.Ignored)
	if s.Err != nil {
		fmt.Fprintf(&b, " | %v", s.Err)
	} else if s.LastError != nil && time.Since(s.LastErrorAt) < 5*time.Second {
		fmt.Fprintf(&b, " | last error: %v", s.LastError)
	}
	return b.String()
}

func formatName(v2 bool) string {
	if v2 {
		return "v2"
	}
	return "v1"
}

// Client receives frames from one phone. It is safe for concurrent use.
type Client struct {
	opts  Options
	phone netip.AddrPort
	cmd   *net.UDPConn     // sends commands; receives frames in UDP mode
	tcp   *net.TCPListener // TCP mode only
	local string

	changed chan struct{}
	closing chan struct{}
	done    chan struct{}
	close   sync.Once
	wg      sync.WaitGroup

	lastData atomic.Int64 // unix nanoseconds of the last good frame, or of the start

	mu          sync.Mutex
	latest      Frame
	seq, read   uint64
	started     time.Time
	lastFrame   time.Time
	fps         float64
	fpsStart    time.Time
	fpsCount    int
	frozenSince time.Time // start of the current run of identical frames, zero if none
	received    uint64
	malformed   uint64
	dropped     uint64
	ignored     uint64
	starts      uint64
	lastErr     error
	lastErrAt   time.Time
	conn        *net.TCPConn // current TCP connection from the phone
}

// Connect binds the local ports, sends the start command to the phone at
// phone ("IP", "IP:PORT", "[IPv6]:PORT" or a host name) and returns a running
// client. It fails at once when a port cannot be bound (a *PortInUseError
// when another app holds it) or the phone address is invalid; everything after
// that (no data, malformed frames, send failures) is reported by Status while
// the client keeps trying.
//
// The client stops, sending the stop command, when ctx is cancelled or Close
// is called.
func Connect(ctx context.Context, phone string, opts Options) (*Client, error) {
	opts.defaults()
	ap, err := resolvePhone(ctx, phone, opts.PhonePort)
	if err != nil {
		return nil, err
	}
	c := &Client{
		opts:    opts,
		phone:   ap,
		changed: make(chan struct{}, 1),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	if opts.Mode == ModeTCP {
		ln, err := net.Listen("tcp", opts.ListenTCP)
		if err != nil {
			return nil, bindError("TCP", opts.ListenTCP, err)
		}
		c.tcp = ln.(*net.TCPListener)
		c.local = ln.Addr().String()
		// Commands go from an ephemeral port: the phone answers to TCP.
		if c.cmd, err = net.ListenUDP("udp", nil); err != nil {
			ln.Close()
			return nil, fmt.Errorf("ifacialmocap: open a UDP socket for commands: %w", err)
		}
	} else {
		laddr, err := net.ResolveUDPAddr("udp", opts.ListenUDP)
		if err != nil {
			return nil, fmt.Errorf("ifacialmocap: listen address %q: %w", opts.ListenUDP, err)
		}
		if c.cmd, err = net.ListenUDP("udp", laddr); err != nil {
			return nil, bindError("UDP", opts.ListenUDP, err)
		}
		c.local = c.cmd.LocalAddr().String()
	}
	now := time.Now()
	c.started, c.fpsStart = now, now
	c.lastData.Store(now.UnixNano())
	opts.Logger.Info("ifacialmocap: connecting", "phone", ap.String(), "mode", opts.Mode.String(),
		"format", formatName(opts.V2), "local", c.local)
	c.sendStart()

	c.wg.Add(2)
	if opts.Mode == ModeTCP {
		go c.acceptLoop()
	} else {
		go c.udpLoop()
	}
	go c.supervise()
	go func() {
		select {
		case <-ctx.Done():
			c.Close()
		case <-c.closing:
		}
	}()
	return c, nil
}

// resolvePhone parses "IP", "IP:PORT", "[IPv6]:PORT", "host" or "host:PORT".
func resolvePhone(ctx context.Context, s string, defPort int) (netip.AddrPort, error) {
	ap, err := parsePhone(ctx, s, defPort)
	if err == nil && ap.Port() == 0 {
		err = fmt.Errorf("ifacialmocap: phone address %q: port 0", s)
	}
	return ap, err
}

func parsePhone(ctx context.Context, s string, defPort int) (netip.AddrPort, error) {
	if s == "" {
		return netip.AddrPort{}, errors.New("ifacialmocap: no phone address")
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a.Unmap(), uint16(defPort)), nil
	}
	host, port := s, defPort
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("ifacialmocap: phone address %q: bad port", s)
		}
		host, port = h, int(n)
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return netip.AddrPort{}, fmt.Errorf("ifacialmocap: phone address %q: not an IP address and not a known host name", s)
	}
	return netip.AddrPortFrom(addrs[0].Unmap(), uint16(port)), nil
}

// Phone returns the phone's command address.
func (c *Client) Phone() netip.AddrPort { return c.phone }

// LocalAddr returns the address frames are received on: the bound UDP
// address in UDP mode, the TCP listener's in TCP mode.
func (c *Client) LocalAddr() string { return c.local }

// Changed returns a channel that receives after new frames arrive. Signals
// coalesce: one receive may stand for many frames; call Latest to get the
// newest.
func (c *Client) Changed() <-chan struct{} { return c.changed }

// Done is closed when the client has stopped.
func (c *Client) Done() <-chan struct{} { return c.done }

// Latest copies the newest good frame into dst and returns its sequence
// number (1 for the first frame). It returns 0 and leaves dst alone when no
// frame has arrived yet. It does not allocate.
func (c *Client) Latest(dst *Frame) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seq == 0 {
		return 0
	}
	*dst = c.latest
	if c.read != 0 && c.seq > c.read+1 {
		c.dropped += c.seq - c.read - 1
	}
	c.read = c.seq
	return c.seq
}

// Status returns a snapshot of the connection.
func (c *Client) Status() Status {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Status{
		Phone:       c.phone.String(),
		Mode:        c.opts.Mode,
		V2:          c.opts.V2,
		Local:       c.local,
		LastFrame:   c.lastFrame,
		Received:    c.received,
		Malformed:   c.malformed,
		Dropped:     c.dropped,
		Ignored:     c.ignored,
		Starts:      c.starts,
		LastError:   c.lastErr,
		LastErrorAt: c.lastErrAt,
	}
	since := now.Sub(c.started)
	if !c.lastFrame.IsZero() {
		since = now.Sub(c.lastFrame)
		s.Connected = since <= ConnectedWithin
		if since <= time.Second {
			s.FPS = c.fps
		}
		lost := c.latest.Present&PresentTrackingStatus != 0 && !c.latest.TrackingOK
		frozen := !c.frozenSince.IsZero() && c.lastFrame.Sub(c.frozenSince) >= c.opts.FrozenAfter
		s.TrackingLost = lost || frozen
	}
	if since >= c.opts.NoDataTimeout {
		s.Err = &NoDataError{Phone: c.phone.String(), Mode: c.opts.Mode, Local: c.local, For: since}
	}
	return s
}

// LookForward asks the phone to reset its forward direction (the app's
// lookForward button).
func (c *Client) LookForward() error { return c.send(CommandLookForward) }

// FetchRecording asks the phone for its recorded animation and copies the
// JSON array of frame strings it sends (without the terminator) to w; see
// the package function FetchRecording.
func (c *Client) FetchRecording(ctx context.Context, w io.Writer) (int64, error) {
	return fetchRecording(ctx, c.cmd, c.phone, c.opts, w)
}

// Close sends the stop command, closes the sockets and waits for the
// client's goroutines. It is safe to call more than once.
func (c *Client) Close() error {
	c.close.Do(func() {
		if err := c.send(CommandStop); err != nil {
			c.opts.Logger.Warn("ifacialmocap: stop command", "err", err)
		}
		close(c.closing)
		c.cmd.Close()
		if c.tcp != nil {
			c.tcp.Close()
		}
		c.mu.Lock()
		if c.conn != nil {
			c.conn.Close()
		}
		c.mu.Unlock()
		c.wg.Wait()
		c.opts.Logger.Info("ifacialmocap: disconnected", "phone", c.phone.String())
		close(c.done)
	})
	return nil
}

func (c *Client) send(cmd string) error {
	_, err := c.cmd.WriteToUDPAddrPort([]byte(cmd), c.phone)
	if err != nil {
		err = fmt.Errorf("ifacialmocap: send to %s: %w", c.phone, err)
		c.noteError(err)
	}
	return err
}

func (c *Client) sendStart() {
	if c.send(StartCommand(c.opts.Mode, c.opts.V2)) == nil {
		c.mu.Lock()
		c.starts++
		c.mu.Unlock()
	}
}

func (c *Client) noteError(err error) {
	c.mu.Lock()
	c.lastErr, c.lastErrAt = err, time.Now()
	c.mu.Unlock()
}

// supervise re-sends the start command while the phone is silent.
func (c *Client) supervise() {
	defer c.wg.Done()
	tick := min(c.opts.ResendInterval/4, 250*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	lastSend := time.Now()
	for {
		select {
		case <-c.closing:
			return
		case now := <-t.C:
			silent := now.Sub(time.Unix(0, c.lastData.Load()))
			if silent >= c.opts.ResendInterval && now.Sub(lastSend) >= c.opts.ResendInterval {
				c.opts.Logger.Debug("ifacialmocap: no data, re-sending start", "phone", c.phone.String(), "silent", silent)
				c.sendStart()
				lastSend = now
			}
		}
	}
}

// receiver is one receive goroutine's scratch space.
type receiver struct {
	frame Frame
	prev  []byte // the previous frame's bytes, to spot a frozen stream
}

func newReceiver(max int) *receiver { return &receiver{prev: make([]byte, 0, max)} }

func (c *Client) udpLoop() {
	defer c.wg.Done()
	buf := make([]byte, 64<<10) // the largest UDP payload
	r := newReceiver(len(buf))
	want := c.phone.Addr()
	for {
		n, from, err := c.cmd.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// ICMP errors (Windows reports port-unreachable as a read error)
			// and other transient failures: note and keep reading.
			c.noteError(fmt.Errorf("ifacialmocap: UDP receive: %w", err))
			continue
		}
		if from.Addr().Unmap() != want {
			c.mu.Lock()
			c.ignored++
			c.mu.Unlock()
			continue
		}
		if c.opts.OnData != nil {
			c.opts.OnData(buf[:n], from, time.Now())
		}
		c.handle(r, buf[:n])
	}
}

func (c *Client) acceptLoop() {
	defer c.wg.Done()
	want := c.phone.Addr()
	var readers sync.WaitGroup
	defer readers.Wait()
	for {
		conn, err := c.tcp.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			c.noteError(fmt.Errorf("ifacialmocap: TCP accept: %w", err))
			select {
			case <-c.closing:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		from := conn.RemoteAddr().(*net.TCPAddr).AddrPort()
		if from.Addr().Unmap() != want {
			conn.Close()
			c.mu.Lock()
			c.ignored++
			c.mu.Unlock()
			continue
		}
		c.mu.Lock()
		old := c.conn
		c.conn = conn
		closing := false
		select {
		case <-c.closing:
			closing = true
		default:
		}
		c.mu.Unlock()
		if old != nil {
			old.Close() // the phone reconnected: the new connection wins
		}
		if closing {
			conn.Close()
			return
		}
		c.opts.Logger.Info("ifacialmocap: phone connected over TCP", "from", from.String())
		readers.Add(1)
		go func() {
			defer readers.Done()
			c.tcpLoop(conn)
		}()
	}
}

func (c *Client) tcpLoop(conn *net.TCPConn) {
	defer conn.Close()
	sr := NewStreamReader(conn, c.opts.MaxFrame)
	r := newReceiver(c.opts.MaxFrame)
	var peer netip.AddrPort
	if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		peer = a.AddrPort()
	}
	for {
		frame, err := sr.Next()
		switch {
		case err == nil:
			if c.opts.OnData != nil {
				c.opts.OnData(frame, peer, time.Now())
			}
			c.handle(r, frame)
		case errors.Is(err, ErrFrameTooLong):
			c.mu.Lock()
			c.malformed++
			c.lastErr, c.lastErrAt = err, time.Now()
			c.mu.Unlock()
		default:
			if !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.EOF) {
				c.noteError(fmt.Errorf("ifacialmocap: TCP receive: %w", err))
			}
			return
		}
	}
}

// handle parses one frame and publishes it. It does not allocate.
func (c *Client) handle(r *receiver, b []byte) {
	now := time.Now()
	if err := Parse(b, &r.frame); err != nil {
		c.mu.Lock()
		c.malformed++
		c.lastErr, c.lastErrAt = err, now
		c.mu.Unlock()
		return
	}
	same := bytes.Equal(b, r.prev)
	r.prev = append(r.prev[:0], b...) // within capacity: frames are at most that long
	if c.opts.OnFrame != nil {
		c.opts.OnFrame(&r.frame)
	}
	c.lastData.Store(now.UnixNano())
	c.mu.Lock()
	c.latest = r.frame
	c.seq++
	c.received++
	switch {
	case !same:
		c.frozenSince = time.Time{}
	case c.frozenSince.IsZero():
		c.frozenSince = now
	}
	if now.Sub(c.lastFrame) > time.Second {
		c.fpsStart, c.fpsCount = now, 0 // after a silence, start a fresh window
	}
	c.fpsCount++
	if d := now.Sub(c.fpsStart); d >= time.Second {
		c.fps = float64(c.fpsCount) / d.Seconds()
		c.fpsStart, c.fpsCount = now, 0
	}
	c.lastFrame = now
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}
