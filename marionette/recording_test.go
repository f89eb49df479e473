package marionette

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// The engine records what its receiver gets, from StartRecording to
// StopRecording, into a readable pcapng file.
func TestEngineRecordsReceivedDatagrams(t *testing.T) {
	e := New(Config{})
	t.Cleanup(e.Close)
	if err := e.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr, _ := e.Addr()
	s, err := vmctest.Dial(context.Background(), addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	path := filepath.Join(t.TempDir(), "take.pcapng")
	if err := e.StartRecording(path, capture.RecorderOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.StartRecording(path, capture.RecorderOptions{}); err != ErrRecording {
		t.Errorf("second StartRecording: %v, want ErrRecording", err)
	}
	for i := range 10 {
		if err := s.Time(float32(i)); err != nil {
			t.Fatal(err)
		}
	}
	testutil.Eventually(t, "10 datagrams recorded", func() bool { return e.Recording().Datagrams >= 10 })
	st, err := e.StopRecording()
	if err != nil || st.Datagrams != 10 || e.Recording().Active {
		t.Fatalf("stop: %+v, %v", st, err)
	}
	_ = s.Time(99) // after the stop: not recorded
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := capture.ReadAll(f, 0)
	if err != nil || len(ds) != 10 {
		t.Fatalf("read %d datagrams, %v", len(ds), err)
	}
	if ds[0].Dst != addr || ds[0].Src.Port() == 0 {
		t.Errorf("datagram %v→%v, want →%v", ds[0].Src, ds[0].Dst, addr)
	}
}

// playerRecording is n datagrams of /VMC/Ext/T i, 10 ms apart.
func playerRecording(t *testing.T, n int) []capture.Datagram {
	t.Helper()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	src := netip.MustParseAddrPort("127.0.0.1:50000")
	var ds []capture.Datagram
	for i := range n {
		f := &vmc.Frame{Time: float32(i), TimeReceived: true, Naming: humanoid.NamingUnity}
		b, err := vmctest.FrameBundle(f).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, capture.Datagram{At: t0.Add(time.Duration(i) * 10 * time.Millisecond), Src: src, Dst: src, Payload: b})
	}
	return ds
}

func sceneTime(s *vmc.Scene) float32 {
	var f vmc.Frame
	s.Snapshot(&f)
	return f.Time
}

// A Player feeds the scene at the recorded offsets, pauses, seeks and
// loops. It runs in a synctest bubble: time is the bubble's fake clock, so
// every step is exact.
func TestPlayerPlaysPausesSeeksAndLoops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		scene := vmc.NewScene()
		p := NewPlayer(scene, playerRecording(t, 50)) // 0.49 s
		t.Cleanup(p.Close)
		synctest.Wait()
		if !p.Paused() || scene.Seq() != 0 {
			t.Fatal("a new player is not paused")
		}
		p.Play()
		time.Sleep(p.Duration() - time.Millisecond)
		synctest.Wait()
		if v := sceneTime(scene); v != 48 || p.Paused() {
			t.Errorf("1 ms before the end: T %v, paused %v; want 48, playing", v, p.Paused())
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if v := sceneTime(scene); v != 49 || !p.Paused() {
			t.Errorf("at the end: T %v, paused %v; want 49, paused", v, p.Paused())
		}
		if pos := p.Position(); pos != p.Duration() {
			t.Errorf("position %v at the end, want %v", pos, p.Duration())
		}

		p.Seek(200 * time.Millisecond)
		p.Play()
		synctest.Wait()
		if v := sceneTime(scene); v != 20 {
			t.Errorf("first datagram after seeking to 0.2 s is T %v, want 20", v)
		}
		time.Sleep(15 * time.Millisecond)
		synctest.Wait()
		if v := sceneTime(scene); v != 21 {
			t.Errorf("15 ms after seeking to 0.2 s: T %v, want 21", v)
		}
		p.Pause()
		seq, at := scene.Seq(), p.Position()
		time.Sleep(time.Second)
		synctest.Wait()
		if scene.Seq() != seq || p.Position() != at {
			t.Errorf("paused playback moved: seq %d→%d, position %v→%v", seq, scene.Seq(), at, p.Position())
		}

		// Looping: T 49 at 0.49 s, then T 0 one mean gap (10 ms) later.
		p.SetLoop(true)
		p.Seek(400 * time.Millisecond)
		p.Play()
		time.Sleep(95 * time.Millisecond)
		synctest.Wait()
		if v := sceneTime(scene); v != 49 {
			t.Errorf("looping, 0.495 s: T %v, want 49", v)
		}
		time.Sleep(10 * time.Millisecond)
		synctest.Wait()
		if v := sceneTime(scene); v != 0 || p.Paused() {
			t.Errorf("looping, 0.505 s: T %v, paused %v; want 0 (the start again), playing", v, p.Paused())
		}
	})
}

// RecordOther adds datagrams from another source (the phone) to the
// recording in progress, and nothing without one.
func TestRecordOther(t *testing.T) {
	e := New(Config{})
	t.Cleanup(e.Close)
	phone := netip.MustParseAddrPort("192.168.1.30:49983")
	local := netip.MustParseAddrPort("0.0.0.0:49983")
	e.RecordOther([]byte("before|"), phone, local, time.Now()) // not recording: dropped
	path := filepath.Join(t.TempDir(), "face.pcapng")
	if err := e.StartRecording(path, capture.RecorderOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RecordOther([]byte("mouthSmile_R-10|"), phone, local, time.Now())
	if _, err := e.StopRecording(); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := capture.ReadAll(f, 0)
	if err != nil || len(ds) != 1 || string(ds[0].Payload) != "mouthSmile_R-10|" || ds[0].Src != phone || ds[0].Dst != local {
		t.Fatalf("read %+v, %v", ds, err)
	}
}
