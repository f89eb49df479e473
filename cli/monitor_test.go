package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// startMonitor runs `kugutsu monitor args…` in-process on a free loopback
// port and returns a sender to it, the output buffers, and a stop function
// that cancels the context (as Ctrl-C does) and returns the command's error.
func startMonitor(t *testing.T, args ...string) (*vmctest.Sender, *syncBuffer, *syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	env := Env{Stdout: stdout, Stderr: stderr}
	done := make(chan error, 1)
	go func() { done <- runMonitor(ctx, env, append([]string{"--listen", "127.0.0.1:0"}, args...)) }()
	re := regexp.MustCompile(`listening on (\S+) `)
	var addr string
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("monitor exited: %v\n%s", err, stderr)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("monitor did not announce its address: %q", stderr)
		}
	}
	s, err := vmctest.Dial(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() error {
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("monitor did not stop on cancel")
			return nil
		}
	}
	t.Cleanup(func() {
		s.Close()
		if !stopped {
			stop()
		}
	})
	return s, stdout, stderr, stop
}

// waitOutput resends with send until out contains all of want.
func waitOutput(t *testing.T, out *syncBuffer, send func(), want ...string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		send()
		s := out.String()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q:\n%s", want, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMonitorJSON(t *testing.T) {
	s, stdout, _, stop := startMonitor(t, "--json")
	send := func() {
		s.Bone(humanoid.Hips, humanoid.NamingUnity, vmc.Transform{Position: vmc.Vec3{X: 1, Y: 0.5}, Rotation: vmc.Identity})
		s.Send("/VMC/Thru/test", "日本", float32(1.5), int32(-2), []byte{1, 2}, true, nil, 2.5, int64(7))
		s.Send("/nan", float32(0)/zero())
		s.SendRaw([]byte("not osc!"))
	}
	waitOutput(t, stdout, send, `"address":"/VMC/Ext/Bone/Pos"`, `"/VMC/Thru/test"`, `"/nan"`, `"error"`)
	if err := stop(); err != nil {
		t.Fatalf("monitor returned %v on cancel, want nil (exit code 0)", err)
	}
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(stdout.String()))
	for sc.Scan() {
		var m struct {
			Time, Sender, Address, Types, Error string
			Args                                []any
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), err)
		}
		lines++
		if _, err := time.Parse(time.RFC3339Nano, m.Time); err != nil || !strings.HasPrefix(m.Sender, "127.0.0.1:") {
			t.Errorf("time %q sender %q", m.Time, m.Sender)
		}
		switch m.Address {
		case vmc.AddrBone:
			if m.Types != ",sfffffff" || len(m.Args) != 8 || m.Args[0] != "Hips" || m.Args[1] != 1.0 || m.Args[2] != 0.5 {
				t.Errorf("bone line %q", sc.Text())
			}
		case "/VMC/Thru/test":
			want := []any{"日本", 1.5, -2.0, "AQI=", true, nil, 2.5, 7.0}
			if m.Types != ",sfibTNdh" || len(m.Args) != len(want) {
				t.Fatalf("thru line %q", sc.Text())
			}
			for i := range want {
				if m.Args[i] != want[i] {
					t.Errorf("thru arg %d = %#v, want %#v", i, m.Args[i], want[i])
				}
			}
		case "/nan":
			if len(m.Args) != 1 || m.Args[0] != "NaN" {
				t.Errorf("nan line %q", sc.Text())
			}
		case "":
			if m.Error == "" {
				t.Errorf("line without address or error: %q", sc.Text())
			}
		}
	}
	if lines < 4 {
		t.Errorf("%d lines", lines)
	}
}

func zero() float32 { return 0 }

func TestMonitorTable(t *testing.T) {
	s, stdout, _, stop := startMonitor(t, "--interval", "50ms")
	tr := vmc.Transform{Position: vmc.Vec3{X: 0.25}, Rotation: vmc.Identity}
	send := func() {
		s.OK(vmc.Availability{Loaded: true, HasCalibration: true, Calibration: vmc.Calibrated})
		s.Root(vmc.Root{Transform: tr})
		s.Bone(humanoid.Head, humanoid.NamingUnity, tr)
		s.Blends([]vmc.Blend{{Name: "Joy", Value: 0.5}})
		s.Time(3.5)
		s.Send(vmc.AddrBone, "Hips")         // too few arguments
		s.Send("/VMC/Ext/Mystery", int32(1)) // unknown
		s.SendRaw([]byte("hello"))           // not OSC
	}
	out := waitOutput(t, stdout, send, "connected", "loaded, calibrated (normal)", "3.500 s",
		"Root", "Head", "Joy=0.50", "/VMC/Ext/Bone/Pos", "too few args", "/VMC/Ext/Mystery", "unity naming", "kernel drops ",
		"malformed: element is neither a message")
	if err := stop(); err != nil {
		t.Fatalf("monitor returned %v on cancel", err)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("terminal escapes written to a non-terminal")
	}
}

func TestMonitorUsage(t *testing.T) {
	var stderr bytes.Buffer
	env := Env{Stdout: &bytes.Buffer{}, Stderr: &stderr}
	if err := runMonitor(context.Background(), env, []string{"--bogus"}); err == nil {
		t.Error("unknown flag accepted")
	}
	if err := runMonitor(context.Background(), env, []string{"extra"}); err != errUsage {
		t.Errorf("positional argument: %v", err)
	}
	if err := runMonitor(context.Background(), env, []string{"--interval", "0s"}); err != errUsage {
		t.Errorf("zero interval: %v", err)
	}
	if err := runMonitor(context.Background(), env, []string{"--listen", "127.0.0.1:99999"}); err == nil {
		t.Error("bad listen address accepted")
	}
	if code := Main([]string{"monitor", "--help"}, Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}); code != 2 {
		t.Errorf("monitor --help exit code %d", code)
	}
}
