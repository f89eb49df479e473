package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap/ifmtest"
)

// runIFMUntil runs `kugutsu ifm args…` in-process until done reports true
// about its output, then cancels it as Ctrl-C would and returns its error and
// output.
func runIFMUntil(t *testing.T, args []string, done func(stdout string) bool) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut syncBuffer
	env := Env{Stdout: &out, Stderr: &errOut}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- commands["ifm"].run(ctx, env, args) }()
	deadline := time.After(10 * time.Second)
	for !done(out.String()) {
		select {
		case err := <-errc:
			return out.String(), errOut.String(), err
		case <-deadline:
			cancel()
			<-errc
			t.Fatalf("timed out; stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-errc:
		return out.String(), errOut.String(), err
	case <-time.After(10 * time.Second):
		t.Fatal("kugutsu ifm did not exit after cancel")
	}
	return "", "", nil
}

func countLines(s string) int { return strings.Count(s, "\n") }

func TestIFMJSON(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	for _, mode := range []string{"udp", "tcp", "udp-v2"} {
		t.Run(mode, func(t *testing.T) {
			port := ifmtest.FreeTCPPort(t)
			phone := ifmtest.StartT(t, ifmtest.Config{Frames: frames, TCPPort: port, SplitTCP: true})
			args := []string{"--phone", phone.Addr(), "--json"}
			switch mode {
			case "udp":
				args = append(args, "--listen", "127.0.0.1:0")
			case "udp-v2":
				args = append(args, "--listen", "127.0.0.1:0", "--v2")
			case "tcp":
				args = append(args, "--tcp", "--listen", "127.0.0.1:"+strconv.Itoa(port))
			}
			out, stderr, err := runIFMUntil(t, args, func(s string) bool { return countLines(s) >= 10 })
			if err != nil {
				t.Fatalf("exit error %v; stderr:\n%s", err, stderr)
			}
			want := make(map[string]bool)
			for _, s := range frames {
				var f ifacialmocap.Frame
				if err := ifacialmocap.ParseString(s, &f); err != nil {
					t.Fatal(err)
				}
				want[string(mustJSON(t, newIFMFrame(0, time.Time{}, &f).Head))] = true
			}
			sc := bufio.NewScanner(strings.NewReader(out))
			n := 0
			for sc.Scan() {
				var j ifmFrame
				if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				n++
				if j.Seq != uint64(n) || len(j.Blendshapes) != 52 || j.Head == nil || j.Head.Position == nil ||
					j.LeftEye == nil || j.RightEye == nil || !j.Tracking {
					t.Fatalf("line %d: %s", n, sc.Text())
				}
				if !want[string(mustJSON(t, j.Head))] {
					t.Fatalf("line %d: head %s matches no fixture", n, mustJSON(t, j.Head))
				}
				wantFormat := "v1"
				if mode == "udp-v2" {
					wantFormat = "v2"
				}
				if j.Format != wantFormat {
					t.Fatalf("format %q", j.Format)
				}
			}
			waitForCLI(t, "the stop command", func() bool { return phone.Count(ifacialmocap.CommandStop) == 1 }, phone.String)
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func waitForCLI(t *testing.T, what string, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; %s", what, state())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestIFMStatusLines(t *testing.T) {
	phone := ifmtest.StartT(t, ifmtest.Config{Frames: ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))})
	out, _, err := runIFMUntil(t, []string{"--phone", phone.Addr(), "--listen", "127.0.0.1:0"},
		func(s string) bool { return strings.Contains(s, "connected") && strings.Contains(s, "tracking ok") })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "UDP v1") || !strings.Contains(out, "frames ") {
		t.Errorf("status line %q", out)
	}
	if phone.Count(ifacialmocap.CommandStop) != 1 {
		waitForCLI(t, "the stop command", func() bool { return phone.Count(ifacialmocap.CommandStop) == 1 }, phone.String)
	}
}

func TestIFMBake(t *testing.T) {
	frames := ifmtest.Fixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
	port := ifmtest.FreeTCPPort(t)
	phone := ifmtest.StartT(t, ifmtest.Config{Frames: frames, BakePort: port})
	file := filepath.Join(t.TempDir(), "take1.json")
	var stdout, stderr syncBuffer
	err := commands["ifm"].run(context.Background(), Env{Stdout: &stdout, Stderr: &stderr},
		[]string{"--phone", phone.Addr(), "--bake", file, "--bake-listen", "127.0.0.1:" + strconv.Itoa(port)})
	if err != nil {
		t.Fatalf("%v; stderr: %s", err, stderr.String())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := json.Unmarshal(b, &got); err != nil || len(got) != len(frames) || got[0] != frames[0] {
		t.Fatalf("file holds %d frames (%v)", len(got), err)
	}
	if !strings.Contains(stdout.String(), "saved 3 frames") {
		t.Errorf("stdout %q", stdout.String())
	}
	if phone.Count(ifacialmocap.CommandBake) != 1 {
		t.Errorf("commands %q", phone.Commands())
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestIFMErrors(t *testing.T) {
	taken, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var stdout, stderr syncBuffer
	env := Env{Stdout: &stdout, Stderr: &stderr}
	err = commands["ifm"].run(context.Background(), env, []string{"--phone", "127.0.0.1", "--listen", taken.LocalAddr().String()})
	var pe *ifacialmocap.PortInUseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "UDP port "+strconv.Itoa(taken.LocalAddr().(*net.UDPAddr).Port)+" is already in use") {
		t.Errorf("taken port: %v", err)
	}
	if err := commands["ifm"].run(context.Background(), env, nil); !errors.Is(err, errUsage) {
		t.Errorf("no --phone: %v, want a usage error", err)
	}
	if err := commands["ifm"].run(context.Background(), env, []string{"--phone", "not a host!"}); err == nil {
		t.Error("bad phone address accepted")
	}
	// Through Main: exit code 1 with the message on stderr.
	stderr = syncBuffer{}
	if code := Main([]string{"ifm", "--phone", "127.0.0.1", "--listen", taken.LocalAddr().String()}, Env{Stdout: &stdout, Stderr: &stderr}); code != 1 ||
		!strings.Contains(stderr.String(), "another app") {
		t.Errorf("Main exit %d, stderr %q", code, stderr.String())
	}
}
