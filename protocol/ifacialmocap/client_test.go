package ifacialmocap_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap/ifmtest"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fast are client timings short enough for tests.
func fast(o ifacialmocap.Options) ifacialmocap.Options {
	if o.ListenUDP == "" {
		o.ListenUDP = "127.0.0.1:0"
	}
	o.ResendInterval = 100 * time.Millisecond
	o.NoDataTimeout = 300 * time.Millisecond
	o.FrozenAfter = 150 * time.Millisecond
	o.BakeWait = 5 * time.Second
	o.Logger = quiet()
	return o
}

func connect(t *testing.T, ctx context.Context, phone *ifmtest.Phone, o ifacialmocap.Options) *ifacialmocap.Client {
	t.Helper()
	c, err := ifacialmocap.Connect(ctx, phone.Addr(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; %s", what, state())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkFrames waits for n new frames through Changed/Latest and checks each
// is one of the fixtures, parsed.
func checkFrames(t *testing.T, c *ifacialmocap.Client, frames []string, wantFormat ifacialmocap.Format, n int) {
	t.Helper()
	want := make([]ifacialmocap.Frame, len(frames))
	for i, s := range frames {
		if err := ifacialmocap.ParseString(s, &want[i]); err != nil {
			t.Fatal(err)
		}
	}
	var f ifacialmocap.Frame
	var last uint64
	for got := 0; got < n; {
		select {
		case <-c.Changed():
		case <-time.After(10 * time.Second):
			t.Fatalf("no frame; status: %v", c.Status())
		}
		seq := c.Latest(&f)
		if seq == 0 || seq == last {
			continue
		}
		last = seq
		got++
		if f.Format != wantFormat {
			t.Fatalf("format %v, want %v", f.Format, wantFormat)
		}
		f.Format = ifacialmocap.FormatV1
		match := false
		for i := range want {
			match = match || f == want[i]
		}
		if !match {
			t.Fatalf("received frame matches no fixture: %+v", f)
		}
	}
}

func TestClientUDP(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	for _, v2 := range []bool{false, true} {
		t.Run("v2="+strconv.FormatBool(v2), func(t *testing.T) {
			phone := ifmtest.StartT(t, ifmtest.Config{Frames: frames})
			var onFrame atomic.Int64
			o := fast(ifacialmocap.Options{V2: v2, OnFrame: func(f *ifacialmocap.Frame) { onFrame.Add(1) }})
			c := connect(t, context.Background(), phone, o)
			format := ifacialmocap.FormatV1
			if v2 {
				format = ifacialmocap.FormatV2
			}
			checkFrames(t, c, frames, format, 20)
			st := c.Status()
			if !st.Connected || st.Received < 20 || st.Malformed != 0 || st.Err != nil || st.TrackingLost {
				t.Errorf("status %+v", st)
			}
			if onFrame.Load() < 20 {
				t.Errorf("OnFrame called %d times", onFrame.Load())
			}
			waitFor(t, "an fps figure", func() bool { return c.Status().FPS > 10 }, c.Status().String)
			cmds := phone.Commands()
			wantStart := ifacialmocap.StartCommand(ifacialmocap.ModeUDP, v2)
			if len(cmds) == 0 || cmds[0] != wantStart {
				t.Errorf("phone got %q first, want %q", cmds, wantStart)
			}
			if err := c.LookForward(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "lookForward", func() bool { return phone.Count(ifacialmocap.CommandLookForward) == 1 }, phone.String)
			c.Close()
			if phone.Count(ifacialmocap.CommandStop) != 1 {
				waitFor(t, "the stop command", func() bool { return phone.Count(ifacialmocap.CommandStop) == 1 }, phone.String)
			}
			waitFor(t, "the phone to stop streaming", func() bool { return !phone.Streaming() }, phone.String)
			select {
			case <-c.Done():
			default:
				t.Error("Done not closed after Close")
			}
		})
	}
}

func TestClientTCP(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	for _, v2 := range []bool{false, true} {
		t.Run("v2="+strconv.FormatBool(v2), func(t *testing.T) {
			port := ifmtest.FreeTCPPort(t)
			phone := ifmtest.StartT(t, ifmtest.Config{Frames: frames, TCPPort: port, SplitTCP: true, Seed: 7})
			o := fast(ifacialmocap.Options{Mode: ifacialmocap.ModeTCP, V2: v2, ListenTCP: "127.0.0.1:" + strconv.Itoa(port)})
			c := connect(t, context.Background(), phone, o)
			format := ifacialmocap.FormatV1
			if v2 {
				format = ifacialmocap.FormatV2
			}
			checkFrames(t, c, frames, format, 30)
			if st := c.Status(); st.Malformed != 0 || !st.Connected || st.Mode != ifacialmocap.ModeTCP {
				t.Errorf("status %+v", st)
			}
			if cmds := phone.Commands(); cmds[0] != ifacialmocap.StartCommand(ifacialmocap.ModeTCP, v2) {
				t.Errorf("phone got %q", cmds)
			}
			c.Close()
			waitFor(t, "the stop command", func() bool { return phone.Count(ifacialmocap.CommandStop) == 1 }, phone.String)
		})
	}
}

// TestClientReconnect: the phone drops off the network; the client reports
// it (not connected, then a NoDataError naming the usual causes) and keeps
// re-sending the start command until the phone is back and streaming again.
func TestClientReconnect(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	for _, mode := range []ifacialmocap.Mode{ifacialmocap.ModeUDP, ifacialmocap.ModeTCP} {
		t.Run(mode.String(), func(t *testing.T) {
			port := ifmtest.FreeTCPPort(t)
			phone := ifmtest.StartT(t, ifmtest.Config{Frames: frames, TCPPort: port})
			o := fast(ifacialmocap.Options{Mode: mode, ListenTCP: "127.0.0.1:" + strconv.Itoa(port)})
			c := connect(t, context.Background(), phone, o)
			waitFor(t, "connected", func() bool { return c.Status().Connected }, c.Status().String)

			phone.GoSilent()
			waitFor(t, "disconnected", func() bool { return !c.Status().Connected }, c.Status().String)
			var nd *ifacialmocap.NoDataError
			waitFor(t, "a no-data error", func() bool { return errors.As(c.Status().Err, &nd) }, c.Status().String)
			msg := nd.Error()
			for _, hint := range []string{"IP address", "firewall", "sudo ufw allow", "firewall-cmd --add-port", "Local Network", "fixed destination"} {
				if !strings.Contains(msg, hint) {
					t.Errorf("no-data message lacks %q: %s", hint, msg)
				}
			}
			if mode == ifacialmocap.ModeUDP && !strings.Contains(msg, "TCP mode") {
				t.Errorf("UDP no-data message does not suggest TCP mode: %s", msg)
			}
			starts := c.Status().Starts
			time.Sleep(3 * o.ResendInterval)
			if c.Status().Starts <= starts {
				t.Errorf("start command not re-sent while silent: %d → %d", starts, c.Status().Starts)
			}

			phone.Return()
			waitFor(t, "the phone to stream again", phone.Streaming, phone.String)
			received := c.Status().Received
			waitFor(t, "reconnected", func() bool {
				st := c.Status()
				return st.Connected && st.Err == nil && st.Received > received
			}, c.Status().String)
			if !strings.Contains(c.Status().String(), "connected") {
				t.Errorf("status line %q", c.Status())
			}
		})
	}
}

// TestClientPortInUse: a taken local port fails Connect at once with an
// error that names the port and the likely culprit.
func TestClientPortInUse(t *testing.T) {
	phone := ifmtest.StartT(t, ifmtest.Config{Frames: ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))})
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	for _, c := range []struct {
		o       ifacialmocap.Options
		network string
		port    int
	}{
		{ifacialmocap.Options{ListenUDP: udp.LocalAddr().String()}, "UDP", udp.LocalAddr().(*net.UDPAddr).Port},
		{ifacialmocap.Options{Mode: ifacialmocap.ModeTCP, ListenTCP: tcp.Addr().String()}, "TCP", tcp.Addr().(*net.TCPAddr).Port},
	} {
		_, err := ifacialmocap.Connect(context.Background(), phone.Addr(), fast(c.o))
		var pe *ifacialmocap.PortInUseError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: err = %v, want *PortInUseError", c.network, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, c.network+" port "+strconv.Itoa(c.port)) || !strings.Contains(msg, "another app") ||
			!strings.Contains(msg, "iFacialMocap receiver") {
			t.Errorf("message %q", msg)
		}
	}
	if len(phone.Commands()) != 0 {
		t.Errorf("a failed Connect sent commands: %q", phone.Commands())
	}
}

// TestClientIgnoresOtherSenders: only the phone's address may feed frames.
func TestClientIgnoresOtherSenders(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	// The "phone" is at 127.0.0.1 but never started; a stranger on 127.0.0.2
	// sends a valid frame.
	stranger, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Skipf("no 127.0.0.2 on this system: %v", err)
	}
	defer stranger.Close()
	c, err := ifacialmocap.Connect(context.Background(), "127.0.0.1:9", fast(ifacialmocap.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to, _ := net.ResolveUDPAddr("udp", c.LocalAddr())
	for range 5 {
		if _, err := stranger.WriteToUDP([]byte(frames[0]), to); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "ignored datagrams", func() bool { return c.Status().Ignored == 5 }, c.Status().String)
	var f ifacialmocap.Frame
	if st := c.Status(); st.Received != 0 || c.Latest(&f) != 0 || st.Connected {
		t.Errorf("a stranger's frame was accepted: %+v", st)
	}
}

// TestClientBadFrames: malformed frames are counted and skipped, good ones
// keep flowing; trackingStatus-0 and a frozen stream mark tracking as lost.
func TestClientBadFrames(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	lost := strings.Replace(frames[len(frames)-1], "trackingStatus-1", "trackingStatus-0", 1)
	if lost == frames[len(frames)-1] {
		t.Fatal("the last fixture should be the trackingStatus one")
	}
	phone := ifmtest.StartT(t, ifmtest.Config{Frames: []string{frames[0], "jawOpen-1|=head#1|", frames[1]}})
	c := connect(t, context.Background(), phone, fast(ifacialmocap.Options{}))
	waitFor(t, "good and bad frames", func() bool { st := c.Status(); return st.Received >= 10 && st.Malformed >= 5 }, c.Status().String)
	st := c.Status()
	if !errors.Is(st.LastError, ifacialmocap.ErrVectorLength) || !st.Connected || st.TrackingLost {
		t.Errorf("status %+v", st)
	}

	t.Run("trackingStatus-0", func(t *testing.T) {
		phone := ifmtest.StartT(t, ifmtest.Config{Frames: []string{lost, frames[0]}})
		c := connect(t, context.Background(), phone, fast(ifacialmocap.Options{}))
		var f ifacialmocap.Frame
		waitFor(t, "a lost-tracking frame", func() bool {
			c.Latest(&f)
			return f.Present&ifacialmocap.PresentTrackingStatus != 0 && c.Status().TrackingLost
		}, c.Status().String)
	})
	t.Run("frozen", func(t *testing.T) {
		phone := ifmtest.StartT(t, ifmtest.Config{Frames: frames[:1]})
		c := connect(t, context.Background(), phone, fast(ifacialmocap.Options{}))
		waitFor(t, "frozen frames to count as lost tracking", func() bool { return c.Status().TrackingLost }, c.Status().String)
	})
}

// TestClientContextCancel: cancelling the context stops the client, sending
// the stop command (what Ctrl-C does in `kugutsu ifm`).
func TestClientContextCancel(t *testing.T) {
	phone := ifmtest.StartT(t, ifmtest.Config{Frames: ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))})
	ctx, cancel := context.WithCancel(context.Background())
	c := connect(t, ctx, phone, fast(ifacialmocap.Options{}))
	waitFor(t, "connected", func() bool { return c.Status().Connected }, c.Status().String)
	cancel()
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("client still running after cancel")
	}
	waitFor(t, "the stop command", func() bool { return phone.Count(ifacialmocap.CommandStop) == 1 }, phone.String)
}

// TestClientDropped: a consumer that reads less often than frames arrive
// sees the newest frame, and the skipped ones are counted.
func TestClientDropped(t *testing.T) {
	phone := ifmtest.StartT(t, ifmtest.Config{Frames: ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap")), Interval: time.Millisecond})
	c := connect(t, context.Background(), phone, fast(ifacialmocap.Options{}))
	var f ifacialmocap.Frame
	var first uint64
	waitFor(t, "a first frame", func() bool { first = c.Latest(&f); return first > 0 }, c.Status().String)
	time.Sleep(100 * time.Millisecond)
	second := c.Latest(&f)
	if st := c.Status(); second <= first+1 || st.Dropped != second-first-1 {
		t.Errorf("read seq %d then %d: dropped %d, want %d", first, second, st.Dropped, second-first-1)
	}
}

func TestFetchRecording(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	recording := append(append([]string(nil), frames...), frames...)
	port := ifmtest.FreeTCPPort(t)
	phone := ifmtest.StartT(t, ifmtest.Config{Frames: frames, BakePort: port, Recording: recording})
	o := fast(ifacialmocap.Options{ListenBake: "127.0.0.1:" + strconv.Itoa(port)})

	check := func(t *testing.T, n int64, err error, w *bytes.Buffer) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(w.Len()) || bytes.Contains(w.Bytes(), []byte(ifacialmocap.Terminator)) {
			t.Fatalf("wrote %d bytes, buffer %d", n, w.Len())
		}
		got, err := ifacialmocap.DecodeRecording(w)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(recording) {
			t.Fatalf("%d frames, want %d", len(got), len(recording))
		}
		for i := range got {
			var f ifacialmocap.Frame
			if got[i] != recording[i] || ifacialmocap.ParseString(got[i], &f) != nil {
				t.Fatalf("frame %d: %q", i, got[i])
			}
		}
	}
	t.Run("standalone", func(t *testing.T) {
		var w bytes.Buffer
		n, err := ifacialmocap.FetchRecording(context.Background(), phone.Addr(), o, &w)
		check(t, n, err, &w)
	})
	t.Run("while streaming", func(t *testing.T) {
		c := connect(t, context.Background(), phone, o)
		waitFor(t, "connected", func() bool { return c.Status().Connected }, c.Status().String)
		var w bytes.Buffer
		n, err := c.FetchRecording(context.Background(), &w)
		check(t, n, err, &w)
		if !c.Status().Connected {
			t.Error("streaming stopped during the fetch")
		}
	})
	t.Run("phone never connects", func(t *testing.T) {
		o := o
		o.BakeWait = 200 * time.Millisecond
		phone.GoSilent()
		defer phone.Return()
		_, err := ifacialmocap.FetchRecording(context.Background(), phone.Addr(), o, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "did not connect") || !strings.Contains(err.Error(), "firewall") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		phone.GoSilent()
		defer phone.Return()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := ifacialmocap.FetchRecording(ctx, phone.Addr(), o, io.Discard)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the context's", err)
		}
	})
}

func TestResolvePhone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"127.0.0.1", "127.0.0.1:49983"},
		{"127.0.0.1:5000", "127.0.0.1:5000"},
		{"[::1]:5000", "[::1]:5000"},
		{"::1", "[::1]:49983"},
		{"localhost:5000", ":5000"},
	} {
		c2, err := ifacialmocap.Connect(context.Background(), c.in, fast(ifacialmocap.Options{ListenUDP: "127.0.0.1:0"}))
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := c2.Phone().String(); !strings.HasSuffix(got, c.want) {
			t.Errorf("%q → %s, want %s", c.in, got, c.want)
		}
		c2.Close()
	}
	for _, bad := range []string{"", "1.2.3.4:99999", "1.2.3.4:0", "no.such.host.invalid"} {
		if _, err := ifacialmocap.Connect(context.Background(), bad, fast(ifacialmocap.Options{})); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseCommand(t *testing.T) {
	for _, m := range []ifacialmocap.Mode{ifacialmocap.ModeUDP, ifacialmocap.ModeTCP} {
		for _, v2 := range []bool{false, true} {
			cmd, gotV2, ok := ifacialmocap.ParseCommand([]byte(ifacialmocap.StartCommand(m, v2)))
			if !ok || gotV2 != v2 || !strings.HasPrefix(cmd, "iFacialMocap_") {
				t.Errorf("%v %v: %q %v %v", m, v2, cmd, gotV2, ok)
			}
		}
	}
	if _, _, ok := ifacialmocap.ParseCommand([]byte("hello")); ok {
		t.Error("accepted a non-command")
	}
	// The spec's strings, verbatim.
	if ifacialmocap.StartCommand(ifacialmocap.ModeUDP, false) != "iFacialMocap_sahuasouryya9218sauhuiayeta91555dy3719" ||
		ifacialmocap.StartCommand(ifacialmocap.ModeTCP, true) != "iFacialMocap_UDPTCP_sahuasouryya9218sauhuiayeta91555dy3719|sendDataVersion=v2" {
		t.Error("start commands differ from the spec")
	}
}

// TestClientSteadyStateAllocations: receiving a datagram, parsing it,
// publishing it and reading it with Changed+Latest allocate nothing. (A raw
// UDP socket plays the phone: the fake phone allocates, and AllocsPerRun
// counts every goroutine.)
func TestClientSteadyStateAllocations(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	raw, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	c, err := ifacialmocap.Connect(context.Background(), raw.LocalAddr().String(), fast(ifacialmocap.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to, err := netip.ParseAddrPort(c.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	datagrams := make([][]byte, len(frames))
	for i, s := range frames {
		datagrams[i] = []byte(s)
	}
	var f ifacialmocap.Frame
	i := 0
	send := func() {
		if _, err := raw.WriteToUDPAddrPort(datagrams[i%len(datagrams)], to); err != nil {
			t.Fatal(err)
		}
		i++
		<-c.Changed()
		c.Latest(&f)
	}
	for range 20 { // warm up: first frames, fps window
		send()
	}
	if n := testing.AllocsPerRun(200, send); n != 0 {
		t.Errorf("receive → parse → publish → Latest allocates %v times per frame", n)
	}
	if f.Blendshapes[arkit.EyeLookDownLeft] == 0 || c.Status().Received < 200 {
		t.Errorf("frames did not arrive: %+v", c.Status())
	}
}
