// Package ifmtest provides a fake iPhone running iFacialMocap, for tests: it
// speaks the real protocol on 127.0.0.1 (spec
// ../shared/spec/ifacialmocap-communication.txt, field notes §6) so that the
// real client can be driven end to end without a phone.
//
// The fake waits for a start command on its UDP command port, then streams
// its frames — over UDP to the command's source (or a fixed port), or over TCP
// to the PC's TCP port with "___iFacialMocap" after each frame — in the v1 or
// v2 format the command asked for. It handles stop, lookForward and the bake
// command (it connects to the PC's bake port and sends its recording as a
// JSON array of frame strings plus the terminator), and can go silent to
// simulate a phone that dropped off the network.
package ifmtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
)

// Config sets up a fake phone.
type Config struct {
	// Frames are the v1 frames to stream, in a loop (required).
	Frames []string
	// Interval is the time between frames; 0 means 5 ms.
	Interval time.Duration
	// UDPPort is the PC's port UDP frames go to; 0 means the source port of
	// the start command (a real phone always uses 49983).
	UDPPort int
	// TCPPort and BakePort are the PC's TCP ports for TCP mode and for the
	// recording (a real phone uses 49986 and 49987).
	TCPPort, BakePort int
	// Recording is what the bake command sends; nil means Frames.
	Recording []string
	// SplitTCP makes the fake write its TCP byte stream in random chunks that
	// split frames and terminators and coalesce several frames, as real TCP
	// reads do.
	SplitTCP bool
	// Seed seeds the random chunking.
	Seed uint64
}

// Phone is a running fake phone. Its methods are safe for concurrent use.
type Phone struct {
	cfg  Config
	conn *net.UDPConn
	wg   sync.WaitGroup
	quit chan struct{}

	mu        sync.Mutex
	commands  []string
	streaming bool
	mode      ifacialmocap.Mode
	v2        bool
	dest      netip.AddrPort // UDP destination
	tcp       net.Conn       // TCP mode connection
	offline   bool
	next      int // index of the next frame
	sent      int
}

// Start starts a fake phone listening for commands on 127.0.0.1 (an
// ephemeral port; see Addr).
func Start(cfg Config) (*Phone, error) {
	if len(cfg.Frames) == 0 {
		return nil, errors.New("ifmtest: no frames")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Millisecond
	}
	if cfg.Recording == nil {
		cfg.Recording = cfg.Frames
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	p := &Phone{cfg: cfg, conn: conn, quit: make(chan struct{})}
	p.wg.Add(2)
	go p.commandLoop()
	go p.streamLoop()
	return p, nil
}

// Addr returns the phone's command address, "127.0.0.1:PORT".
func (p *Phone) Addr() string { return p.conn.LocalAddr().String() }

// Close stops the phone.
func (p *Phone) Close() {
	select {
	case <-p.quit:
		return
	default:
	}
	close(p.quit)
	p.conn.Close()
	p.mu.Lock()
	if p.tcp != nil {
		p.tcp.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Commands returns the commands received so far, in order, as sent (with any
// "|sendDataVersion=v2" suffix).
func (p *Phone) Commands() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.commands...)
}

// Count returns how many times cmd (a Command constant, suffix ignored) was
// received.
func (p *Phone) Count(cmd string) int {
	n := 0
	for _, c := range p.Commands() {
		if strings.TrimSuffix(c, ifacialmocap.V2Suffix) == cmd {
			n++
		}
	}
	return n
}

// Streaming reports whether the phone is sending frames.
func (p *Phone) Streaming() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.streaming
}

// Sent returns the number of frames sent.
func (p *Phone) Sent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

// GoSilent simulates the phone dropping off the network: it stops streaming,
// forgets the session and ignores commands until Return.
func (p *Phone) GoSilent() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.offline = true
	p.stopLocked()
}

// Return brings a silent phone back. Like a real one, it streams again only
// after it receives a start command.
func (p *Phone) Return() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.offline = false
}

func (p *Phone) stopLocked() {
	p.streaming = false
	if p.tcp != nil {
		p.tcp.Close()
		p.tcp = nil
	}
}

func (p *Phone) commandLoop() {
	defer p.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, from, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p.command(string(buf[:n]), from)
	}
}

func (p *Phone) command(s string, from netip.AddrPort) {
	cmd, v2, ok := ifacialmocap.ParseCommand([]byte(s))
	p.mu.Lock()
	if p.offline {
		p.mu.Unlock()
		return
	}
	p.commands = append(p.commands, s)
	p.mu.Unlock()
	if !ok {
		return
	}
	switch cmd {
	case ifacialmocap.CommandStartUDP:
		port := from.Port()
		if p.cfg.UDPPort != 0 {
			port = uint16(p.cfg.UDPPort)
		}
		p.mu.Lock()
		p.stopLocked()
		p.mode, p.v2, p.streaming = ifacialmocap.ModeUDP, v2, true
		p.dest = netip.AddrPortFrom(from.Addr().Unmap(), port)
		p.mu.Unlock()
	case ifacialmocap.CommandStartTCP:
		// A real phone connects to the PC's TCP 49986 at the command's source.
		c, err := net.DialTimeout("tcp", netip.AddrPortFrom(from.Addr().Unmap(), uint16(p.cfg.TCPPort)).String(), time.Second)
		if err != nil {
			return
		}
		p.mu.Lock()
		p.stopLocked()
		p.mode, p.v2, p.streaming, p.tcp = ifacialmocap.ModeTCP, v2, true, c
		p.mu.Unlock()
	case ifacialmocap.CommandStop:
		p.mu.Lock()
		p.stopLocked()
		p.mu.Unlock()
	case ifacialmocap.CommandBake:
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.bake(netip.AddrPortFrom(from.Addr().Unmap(), uint16(p.cfg.BakePort)))
		}()
	}
}

// bake sends the recording to the PC's bake port.
func (p *Phone) bake(to netip.AddrPort) {
	c, err := net.DialTimeout("tcp", to.String(), time.Second)
	if err != nil {
		return
	}
	defer c.Close()
	data, err := json.Marshal(p.cfg.Recording)
	if err != nil {
		return
	}
	data = append(data, ifacialmocap.Terminator...)
	rng := rand.New(rand.NewPCG(p.cfg.Seed, 2))
	for len(data) > 0 {
		n := min(len(data), 1+rng.IntN(4096))
		if _, err := c.Write(data[:n]); err != nil {
			return
		}
		data = data[n:]
	}
}

func (p *Phone) streamLoop() {
	defer p.wg.Done()
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	rng := rand.New(rand.NewPCG(p.cfg.Seed, 1))
	var pending []byte      // TCP bytes not yet written (SplitTCP)
	var pendingFor net.Conn // the connection pending belongs to
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
		}
		p.mu.Lock()
		if !p.streaming {
			pending = pending[:0]
			p.mu.Unlock()
			continue
		}
		frame := p.cfg.Frames[p.next%len(p.cfg.Frames)]
		p.next++
		if p.v2 {
			frame = ToV2(frame)
		}
		mode, dest, tcp := p.mode, p.dest, p.tcp
		p.mu.Unlock()

		var err error
		if mode == ifacialmocap.ModeUDP {
			_, err = p.conn.WriteToUDPAddrPort([]byte(frame), dest)
		} else {
			if tcp != pendingFor { // a new connection starts with a whole frame
				pending, pendingFor = pending[:0], tcp
			}
			pending = append(pending, frame...)
			pending = append(pending, ifacialmocap.Terminator...)
			if !p.cfg.SplitTCP {
				_, err = tcp.Write(pending)
				pending = pending[:0]
			} else if rng.IntN(3) > 0 { // sometimes hold frames back: they coalesce
				n := 1 + rng.IntN(len(pending))
				_, err = tcp.Write(pending[:n])
				pending = append(pending[:0], pending[n:]...)
			}
		}
		p.mu.Lock()
		if err == nil {
			p.sent++
		}
		p.mu.Unlock()
	}
}

// ToV2 converts a v1 frame to the v2 format: the first '-' of each field
// before the '=' (the name/value separator) becomes '&'.
func ToV2(frame string) string {
	shapes, pose, ok := strings.Cut(frame, "=")
	if !ok {
		return frame
	}
	fields := strings.Split(shapes, "|")
	for i, f := range fields {
		fields[i] = strings.Replace(f, "-", "&", 1)
	}
	return strings.Join(fields, "|") + "=" + pose
}

// String describes the phone's state, for test failure messages.
func (p *Phone) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("fake phone %s: streaming=%v mode=%v v2=%v offline=%v sent=%d commands=%q",
		p.conn.LocalAddr(), p.streaming, p.mode, p.v2, p.offline, p.sent, p.commands)
}
