package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap/ifmtest"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// TestMain lets a test run `kugutsu ARGS…` as a subprocess of the test
// binary (KUGUTSU_CLI_MAIN="ARGS…"), to kill it as a crash would.
func TestMain(m *testing.M) {
	if args := os.Getenv("KUGUTSU_CLI_MAIN"); args != "" {
		os.Exit(Main(strings.Fields(args), Env{Version: "test", Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

// performance returns frame i of a synthetic 60 fps performance: all 55
// bones turning on slow sine waves (Unity coordinates), the root walking,
// and four blends (three presets, one Perfect Sync custom expression).
func performance(i int) *vmc.Frame {
	t := float64(i) / 60
	f := &vmc.Frame{Naming: humanoid.NamingUnity}
	f.Root.Received = true
	f.Root.Rotation = vmc.Identity
	f.Root.Position = vmc.Vec3{X: float32(0.2 * math.Sin(t)), Z: float32(0.1 * t)}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		a := 0.35 * math.Sin(2*math.Pi*0.5*t+float64(b))
		axis := [3]float64{math.Sin(float64(b)), math.Cos(float64(b)), 0.5}
		n := math.Sqrt(axis[0]*axis[0] + axis[1]*axis[1] + axis[2]*axis[2])
		s := math.Sin(a / 2)
		tr := vmc.Transform{Rotation: vmc.Quat{X: float32(axis[0] / n * s), Y: float32(axis[1] / n * s), Z: float32(axis[2] / n * s), W: float32(math.Cos(a / 2))}}
		if b == humanoid.Hips {
			tr.Position = vmc.Vec3{X: float32(0.05 * math.Sin(t)), Y: float32(0.9 + 0.02*math.Sin(3*t)), Z: 0.01}
		}
		f.Bones[b] = tr
		f.BonesReceived = f.BonesReceived.With(b)
	}
	f.Blends = []vmc.Blend{
		{Name: "Joy", Value: float32(0.5 + 0.5*math.Sin(t))},
		{Name: "A", Value: float32(0.5 + 0.5*math.Sin(2*t))},
		{Name: "Blink", Value: float32(max(0, math.Sin(5*t)))},
		{Name: "BrowInnerUp", Value: float32(0.5 - 0.5*math.Cos(t))}, // Perfect Sync: a custom expression
	}
	f.Available = vmc.Availability{Received: true, Loaded: true}
	f.Time, f.TimeReceived = float32(t), true
	return f
}

// startRecord runs `kugutsu record` in-process on a free loopback port and
// returns the address it listens on and a stop function (Ctrl-C) returning
// its error and standard error.
func startRecord(t *testing.T, out string, args ...string) (string, func() (string, error)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runRecord(ctx, Env{Version: "test", Stdout: io.Discard, Stderr: stderr},
			append([]string{"--listen", "127.0.0.1:0", "--out", out}, args...))
	}()
	addr := waitFor(t, stderr, done)
	return addr, func() (string, error) {
		cancel()
		select {
		case err := <-done:
			return stderr.String(), err
		case <-time.After(10 * time.Second):
			t.Fatal("record did not stop on Ctrl-C")
			return "", nil
		}
	}
}

var listeningRE = regexp.MustCompile(`listening on (\S+) `)

func waitFor(t *testing.T, stderr *syncBuffer, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("exited: %v\n%s", err, stderr)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no address announced: %q", stderr)
		}
	}
}

// sendPerformance sends frames [0, n) at 60 fps (frame bundle + blend
// bundle each) and returns the datagrams sent, in order.
func sendPerformance(t *testing.T, s *vmctest.Sender, n int) [][]byte {
	t.Helper()
	var sent [][]byte
	tick := time.NewTicker(time.Second / 60)
	defer tick.Stop()
	for i := range n {
		f := performance(i)
		fb, err := vmctest.FrameBundle(f).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SendRaw(fb); err != nil {
			t.Fatal(err)
		}
		if err := s.Blends(f.Blends); err != nil {
			t.Fatal(err)
		}
		bb := blendDatagram(t, f.Blends)
		sent = append(sent, fb, bb)
		<-tick.C
	}
	return sent
}

// blendDatagram is what Sender.Blends sends.
func blendDatagram(t *testing.T, blends []vmc.Blend) []byte {
	t.Helper()
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 65536)
		n, _ := s.Read(buf)
		got <- buf[:n]
	}()
	if err := vmctest.NewSender(c).Blends(blends); err != nil {
		t.Fatal(err)
	}
	return <-got
}

func readRecording(t *testing.T, path string) ([]capture.Datagram, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return capture.ReadAll(f, 0)
}

// A 55-bone 60 fps stream recorded for 10 s and replayed arrives
// identical, at the recorded timing: the median error of the arrival
// offsets is at most 2 ms.
func TestRecordReplayRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("20 s of real-time streaming")
	}
	out := filepath.Join(t.TempDir(), "take.pcapng")
	addr, stop := startRecord(t, out)
	s, err := vmctest.Dial(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sent := sendPerformance(t, s, 600)
	time.Sleep(100 * time.Millisecond) // let the last datagrams land
	if msg, err := stop(); err != nil {
		t.Fatalf("record: %v\n%s", err, msg)
	} else if !strings.Contains(msg, "1200 datagrams") {
		t.Errorf("record summary: %q", msg)
	}
	rec, err := readRecording(t, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) != len(sent) {
		t.Fatalf("recorded %d datagrams, sent %d", len(rec), len(sent))
	}
	local := s.LocalAddr().(*net.UDPAddr).AddrPort()
	for i := range rec {
		if string(rec[i].Payload) != string(sent[i]) {
			t.Fatalf("recorded datagram %d differs from the one sent", i)
		}
		if rec[i].Src != local || rec[i].Dst.String() != addr {
			t.Fatalf("datagram %d: %v→%v, want %v→%v", i, rec[i].Src, rec[i].Dst, local, addr)
		}
	}

	// Replay to a plain socket and time the arrivals.
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	_ = pc.SetReadBuffer(8 << 20)
	type arrival struct {
		data []byte
		at   time.Time
	}
	got := make(chan arrival, len(rec)+16)
	go func() {
		buf := make([]byte, 65536)
		for {
			n, err := pc.Read(buf)
			if err != nil {
				close(got)
				return
			}
			got <- arrival{append([]byte(nil), buf[:n]...), time.Now()}
		}
	}()
	stderr := &syncBuffer{}
	if err := runReplay(context.Background(), Env{Stdout: io.Discard, Stderr: stderr}, []string{out, "--to", pc.LocalAddr().String()}); err != nil {
		t.Fatalf("replay: %v\n%s", err, stderr)
	}
	var arr []arrival
	timeout := time.After(5 * time.Second)
	for len(arr) < len(rec) {
		select {
		case a := <-got:
			arr = append(arr, a)
		case <-timeout:
			t.Fatalf("replayed %d of %d datagrams", len(arr), len(rec))
		}
	}
	errs := make([]float64, len(rec))
	for i := range rec {
		if string(arr[i].data) != string(rec[i].Payload) {
			t.Fatalf("replayed datagram %d differs", i)
		}
		want := rec[i].At.Sub(rec[0].At)
		have := arr[i].at.Sub(arr[0].at)
		errs[i] = math.Abs(float64(have-want)) / float64(time.Millisecond)
	}
	slices.Sort(errs)
	median, p95, worst := errs[len(errs)/2], errs[len(errs)*95/100], errs[len(errs)-1]
	t.Logf("replay timing |error|: median %.3f ms, p95 %.3f ms, max %.3f ms over %d datagrams", median, p95, worst, len(errs))
	if median > 2 {
		t.Errorf("median replay timing error %.3f ms > 2 ms", median)
	}
}

// A recorder killed mid-recording (SIGKILL: no chance to flush) leaves a
// readable file holding a prefix of what was sent; Ctrl-C (SIGINT) stops
// it cleanly with a complete file.
func TestRecordSurvivesCrashAndStopsOnInterrupt(t *testing.T) {
	for _, sig := range []os.Signal{os.Kill, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "crash.pcapng")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "KUGUTSU_CLI_MAIN=record --listen 127.0.0.1:0 --out "+out)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			lines := bufio.NewScanner(stderr)
			var addr, rest string
			for lines.Scan() {
				if m := listeningRE.FindStringSubmatch(lines.Text()); m != nil {
					addr = m[1]
					break
				}
			}
			if addr == "" {
				t.Fatal("the recorder did not start")
			}
			s, err := vmctest.Dial(context.Background(), addr)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			sent := sendPerformance(t, s, 60)
			// Wait for a flush to have written datagrams (every 250 ms).
			for deadline := time.Now().Add(10 * time.Second); ; {
				if fi, err := os.Stat(out); err == nil && fi.Size() > 8192 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("nothing flushed to the file")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			for lines.Scan() {
				rest += lines.Text() + "\n"
			}
			werr := cmd.Wait()
			got, err := readRecording(t, out)
			if sig == os.Interrupt {
				if werr != nil || err != nil || len(got) != len(sent) || !strings.Contains(rest, "stopped: 120 datagrams") {
					t.Fatalf("after Ctrl-C: exit %v, read %d of %d datagrams (%v), stderr %q", werr, len(got), len(sent), err, rest)
				}
			} else if err != nil && !errors.Is(err, capture.ErrTruncated) {
				t.Fatalf("after a crash: %v", err)
			}
			if len(got) == 0 {
				t.Fatal("no datagram readable")
			}
			for i := range got {
				if string(got[i].Payload) != string(sent[i]) {
					t.Fatalf("datagram %d differs from the one sent", i)
				}
			}
			t.Logf("%v: %d of %d datagrams readable", sig, len(got), len(sent))
		})
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "123": 123, "1KiB": 1024, "2 MiB": 2 << 20, "1GiB": 1 << 30, "5MB": 5e6, "1g": 1 << 30} {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1", "1TB", "99999999999999999999"} {
		if _, err := parseByteSize(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// record --ifm records the phone's iFacialMocap frames beside the VMC
// stream; export leaves them out.
func TestRecordIFacialMocapFrames(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	phone := ifmtest.StartT(t, ifmtest.Config{Frames: frames})
	out := filepath.Join(t.TempDir(), "face.pcapng")
	addr, stop := startRecord(t, out, "--ifm", phone.Addr(), "--ifm-listen", "127.0.0.1:0")
	s, err := vmctest.Dial(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sent := sendPerformance(t, s, 30)
	for deadline := time.Now().Add(10 * time.Second); phone.Sent() < 10; {
		if time.Now().After(deadline) {
			t.Fatalf("the phone sent %d frames", phone.Sent())
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if msg, err := stop(); err != nil {
		t.Fatalf("record: %v\n%s", err, msg)
	}
	ds, err := readRecording(t, out)
	if err != nil {
		t.Fatal(err)
	}
	var osc, face int
	phoneAddr := netip.MustParseAddrPort(phone.Addr()).Addr()
	for _, d := range ds {
		switch {
		case capture.IsOSC(d.Payload):
			osc++
		case d.Src.Addr() == phoneAddr && slices.Contains(frames, string(d.Payload)):
			face++
		default:
			t.Errorf("datagram from %v is neither VMC nor a phone frame: %.40q", d.Src, d.Payload)
		}
	}
	if osc != len(sent) || face < 10 {
		t.Errorf("%d VMC datagrams (sent %d), %d iFacialMocap frames (want ≥ 10)", osc, len(sent), face)
	}
	stderr := &syncBuffer{}
	vrma := filepath.Join(t.TempDir(), "face.vrma")
	if err := runExport(context.Background(), Env{Stdout: io.Discard, Stderr: stderr}, []string{out, "--out", vrma}); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), "not OSC (iFacialMocap frames) left out") {
		t.Errorf("export did not say it left the phone's frames out: %q", stderr)
	}
}
