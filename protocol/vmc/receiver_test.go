package vmc

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// lowFrequency adds the low-rate fields to f.
func lowFrequency(f *Frame) *Frame {
	f.Light = Light{Name: "Directional Light", Transform: Transform{Vec3{0, 3, 0}, Quat{0.3, 0, 0, 0.95}},
		Color: Color{1, 0.95, 0.9, 1}, Received: true}
	f.Background = Background{Color{0, 1, 0, 1}, true}
	f.Window = Window{TopMost: true, HideBorder: true, Received: true}
	f.VRM = VRMInfo{Path: `C:\Users\演者\avatar.vrm`, Title: "アバター", Hash: "9f86d08188", HasHash: true, Received: true}
	f.Remote = RemoteInfo{Service: "vroidhub", JSON: `{"characterModelId":"123456789456"}`, Received: true}
	f.Config = `C:\VMC\default.json`
	f.Option = "opt=1"
	f.Receive = ReceiveInfo{Enable: true, Port: 39540, IP: "127.0.0.1", HasIP: true, Received: true}
	return f
}

func testRoundTrip(t *testing.T, listenAddr string) {
	r := listen(t, listenAddr, ListenConfig{})
	snd := dial(t, r)
	want := lowFrequency(fullFrame(5, 60))
	// UDP on loopback does not lose packets at this rate; resend anyway
	// rather than hang if the machine drops one.
	got := waitFor(t, r.Scene(), "the full frame", func(f *Frame) bool {
		if frameDiff(f, want) == "" {
			return true
		}
		if err := snd.SendFrame(want); err != nil {
			t.Fatal(err)
		}
		if err := snd.SendLowFrequency(want); err != nil {
			t.Fatal(err)
		}
		return false
	})
	if d := frameDiff(got, want); d != "" {
		t.Fatal(d)
	}
	st := r.Status()
	if st.Listen != r.Addr() || len(st.Senders) != 1 || !st.Senders[0].Connected ||
		st.Malformed+st.Rejected+st.Unknown != 0 {
		t.Errorf("status %+v", st)
	}
	if got.From != st.Senders[0].Addr || got.From.Addr() != r.Addr().Addr() {
		t.Errorf("frame from %v, sender %v, receiver %v", got.From, st.Senders[0].Addr, r.Addr())
	}
}

func TestReceiverIPv4(t *testing.T) { testRoundTrip(t, "127.0.0.1:0") }

func TestReceiverIPv6(t *testing.T) {
	c, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	c.Close()
	testRoundTrip(t, "[::1]:0")
}

// TestOSCSendPeer drives a live receiver with liblo's oscsend, a real OSC
// implementation that is not ours and not go-osc.
func TestOSCSendPeer(t *testing.T) {
	oscsend := requireTool(t, "oscsend")
	r := listen(t, "127.0.0.1:0", ListenConfig{})
	port := fmt.Sprint(r.Addr().Port())
	run := func(args ...string) {
		t.Helper()
		out, err := exec.Command(oscsend, append([]string{"127.0.0.1", port}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("oscsend %v: %v\n%s", args, err, out)
		}
	}
	run("/VMC/Ext/Root/Pos", "sfffffff", "root", "1", "2", "3", "0", "0", "0", "1")
	run("/VMC/Ext/Root/Pos", "sfffffffffffff", "root", "1", "2", "3", "0", "0", "0", "1", "0.5", "0.5", "0.5", "0.1", "0.2", "0.3")
	run("/VMC/Ext/Bone/Pos", "sfffffff", "Head", "0", "0.1", "0", "0.1", "0.2", "0.3", "0.9")
	run("/VMC/Ext/Bone/Pos", "sfffffff", "LeftHand", "-0.25", "0", "0", "0", "0", "0.7071068", "0.7071068")
	run("/VMC/Ext/Blend/Val", "sf", "Blink", "0.75")
	run("/VMC/Ext/Blend/Val", "sf", "A", "0.125")
	run("/VMC/Ext/Blend/Apply")
	run("/VMC/Ext/OK", "iiii", "1", "3", "0", "1")
	run("/VMC/Ext/T", "f", "123.5")
	f := waitFor(t, r.Scene(), "oscsend's messages", func(f *Frame) bool { return f.TimeReceived })
	wantRoot := Root{Transform: Transform{Vec3{1, 2, 3}, Identity}, Scale: Vec3{0.5, 0.5, 0.5},
		Offset: Vec3{0.1, 0.2, 0.3}, MR: true, Received: true}
	if f.Root != wantRoot {
		t.Errorf("root %+v", f.Root)
	}
	if h := f.Bones[humanoid.Head]; h != (Transform{Vec3{0, 0.1, 0}, Quat{0.1, 0.2, 0.3, 0.9}}) {
		t.Errorf("head %+v", h)
	}
	if h := f.Bones[humanoid.LeftHand]; h != (Transform{Vec3{-0.25, 0, 0}, Quat{0, 0, 0.7071068, 0.7071068}}) {
		t.Errorf("left hand %+v", h)
	}
	if f.BonesReceived.Len() != 2 {
		t.Errorf("%d bones", f.BonesReceived.Len())
	}
	if b, _ := f.Blend("Blink"); b != 0.75 {
		t.Errorf("Blink %v", b)
	}
	if a, _ := f.Blend("A"); a != 0.125 {
		t.Errorf("A %v", a)
	}
	if f.Available != (Availability{Loaded: true, Calibration: Calibrated, TrackingOK: true, HasCalibration: true,
		HasTracking: true, Received: true}) {
		t.Errorf("OK %+v", f.Available)
	}
	if f.Time != 123.5 {
		t.Errorf("T %v", f.Time)
	}
	if st := r.Status(); st.Packets != 9 || st.Messages != 9 || st.Malformed+st.Rejected != 0 {
		t.Errorf("status %+v", st)
	}
}

// TestLargeBundleAllBones sends a VirtualMotionCapture frame of all 55 bones
// and 60 blends as ONE bundle over 4 KiB, encoded by go-osc: every bone must
// arrive (go-osc's own ParsePacket loses messages at this size, field notes §1).
func TestLargeBundleAllBones(t *testing.T) {
	r := listen(t, "127.0.0.1:0", ListenConfig{})
	s := dial(t, r)
	want := fullFrame(9, 60)
	b := frameBundle(want)
	b.Append(blendBundle(want.Blends))
	data := marshal(t, b)
	if len(data) <= 4096 {
		t.Fatalf("bundle is only %d bytes", len(data))
	}
	got := waitFor(t, r.Scene(), "the large bundle", func(f *Frame) bool {
		if f.Seq > 0 {
			return true
		}
		s.SendRaw(data)
		return false
	})
	if d := frameDiff(got, want); d != "" {
		t.Error(d)
	}
	if st := r.Status(); st.Messages != 1+55+1+2+1+1+60+1 {
		t.Errorf("%d messages decoded", st.Messages)
	}
	// For the record: how go-osc fares on the same datagram.
	if p, err := goosc.ParsePacket(string(data)); err != nil {
		t.Logf("go-osc ParsePacket: %v", err)
	} else {
		n := 0
		var count func(p goosc.Packet)
		count = func(p goosc.Packet) {
			if b, ok := p.(*goosc.Bundle); ok {
				n += len(b.Messages)
				for _, x := range b.Bundles {
					count(x)
				}
			}
		}
		count(p)
		t.Logf("go-osc ParsePacket found %d of 122 messages in %d bytes", n, len(data))
	}
}

func TestReceiverKeepsServingAfterGarbage(t *testing.T) {
	r := listen(t, "127.0.0.1:0", ListenConfig{})
	s := dial(t, r)
	for _, junk := range [][]byte{{}, []byte("#bundle"), []byte("/VMC/Ext/T\x00\x00,f\x00\x00"), make([]byte, 60000)} {
		if err := s.SendRaw(junk); err != nil {
			t.Fatal(err)
		}
	}
	s.Time(7)
	waitFor(t, r.Scene(), "T after garbage", func(f *Frame) bool { return f.Time == 7 })
	if st := r.Status(); st.Malformed != 4 || st.Senders[0].Malformed != 4 {
		t.Errorf("malformed %d", st.Malformed)
	}
}

func TestReceiverShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Listen(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := r.Addr()
	cancel()
	select {
	case <-r.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("receiver did not stop on cancel")
	}
	if err := r.Close(); err != nil { // after cancel, and twice
		t.Fatal(err)
	}
	r.Close()
	// The port is free again.
	r2, err := Listen(context.Background(), addr.String())
	if err != nil {
		t.Fatalf("port not released: %v", err)
	}
	r2.Close()
	if _, err := Listen(context.Background(), "127.0.0.1:99999"); err == nil {
		t.Error("bad port accepted")
	}
}

func TestDefaultAddr(t *testing.T) {
	// Listening on the default address may fail if something else holds
	// 39539; the parse must not.
	r, err := Listen(context.Background(), "")
	if err != nil {
		t.Skipf("39539 busy: %v", err)
	}
	defer r.Close()
	if r.Addr().Port() != 39539 || !r.Addr().Addr().IsUnspecified() {
		t.Errorf("default addr %v", r.Addr())
	}
}

func TestTapSeesEveryDatagram(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	r := listen(t, "127.0.0.1:0", ListenConfig{Tap: func(p []byte, from netip.AddrPort, at time.Time) {
		mu.Lock()
		seen = append(seen, string(p))
		mu.Unlock()
	}})
	s := dial(t, r)
	s.Time(1)
	s.SendRaw([]byte("junk"))
	s.Time(2)
	waitFor(t, r.Scene(), "T 2", func(f *Frame) bool { return f.Time == 2 })
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 || seen[1] != "junk" {
		t.Errorf("tap saw %q", seen)
	}
}

// TestSharedScene: two receivers (ports) feeding one scene, as VMagicMirror
// listens on up to 3 ports (field notes §1).
func TestSharedScene(t *testing.T) {
	scene := NewScene()
	r1 := listen(t, "127.0.0.1:0", ListenConfig{Scene: scene})
	r2 := listen(t, "127.0.0.1:0", ListenConfig{Scene: scene})
	dial(t, r1).Time(1)
	dial(t, r2).Option("two")
	waitFor(t, scene, "both", func(f *Frame) bool { return f.Time == 1 && f.Option == "two" })
	if n := len(r1.Status().Senders); n != 2 {
		t.Errorf("%d senders", n)
	}
}

// TestFlood sends as fast as allowed up to 100 000 packets/s for about 2 s
// over loopback: the receiver must survive, its memory must stay flat, frames
// must only move forward, and after the flood the newest frame must win.
func TestFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("flood in -short mode")
	}
	r := listen(t, "127.0.0.1:0", ListenConfig{})
	scene := r.Scene()
	// Warm up: make every key, device and buffer exist.
	warm := framePackets(t, fullFrame(0, 60))
	s := dial(t, r)
	waitFor(t, scene, "warm-up", func(f *Frame) bool {
		if len(f.Blends) == 60 {
			return true
		}
		for _, p := range warm {
			s.SendRaw(p)
		}
		return false
	})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	// A render-loop stand-in: snapshots must move forward, T never back.
	done := make(chan struct{})
	var frames atomic.Int64
	var readerErr atomic.Value
	go func() {
		var f Frame
		var lastSeq uint64
		var lastT float32
		for {
			select {
			case <-done:
				return
			case <-scene.Changed():
			case <-time.After(10 * time.Millisecond):
			}
			scene.Snapshot(&f)
			if f.Seq < lastSeq || (f.Seq > 0 && f.Time < lastT) {
				readerErr.Store(fmt.Sprintf("went back: seq %d→%d T %v→%v", lastSeq, f.Seq, lastT, f.Time))
				return
			}
			lastSeq, lastT = f.Seq, f.Time
			frames.Add(1)
		}
	}()

	// Packets: a small frame (T, Hips, a blend + Apply) with T = Hips.x =
	// base+i (above the warm-up's T, so T only grows), patched into one
	// template so that the sender allocates nothing.
	const base = 1000
	const sentinelT, sentinelX = float32(12345.678), float32(-9876.5)
	b := goosc.NewBundle(time.Time{})
	b.Append(msg(AddrTime, sentinelT))
	b.Append(msg(AddrBone, pose("Hips", sentinelX, 0, 0, 0, 0, 0, 1)...))
	b.Append(msg(AddrBlendVal, "Blend00", float32(0.5)))
	b.Append(msg(AddrBlendApply))
	pkt := marshal(t, b)
	offT, offX := floatOffset(t, pkt, sentinelT), floatOffset(t, pkt, sentinelX)
	const batch = 100 // per millisecond: 100 000/s at most
	const n = 200_000
	var sent int
	start := time.Now()
	deadline := start.Add(2 * time.Second)
	for sent < n && time.Now().Before(deadline) {
		for range batch {
			binary.BigEndian.PutUint32(pkt[offT:], math.Float32bits(float32(base+sent)))
			binary.BigEndian.PutUint32(pkt[offX:], math.Float32bits(float32(base+sent)))
			_ = s.SendRaw(pkt) // under flood the kernel may refuse or drop: fine
			sent++
		}
		if ahead := time.Until(start.Add(time.Duration(sent/batch) * time.Millisecond)); ahead > 0 {
			time.Sleep(ahead)
		}
	}
	elapsed := time.Since(start)
	// The newest frame wins: after the flood, a final marker arrives and is
	// what the scene shows (resent in case the flood made the kernel drop it).
	final := float32(base + n + 1)
	waitFor(t, scene, "the final frame", func(f *Frame) bool {
		if f.Time == final {
			return true
		}
		s.Time(final)
		return false
	})
	close(done)
	if e := readerErr.Load(); e != nil {
		t.Error(e)
	}
	st := r.Status()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("sent %d packets in %v (%.0f/s); received %d (%.0f%%), %d messages; kernel dropped %d; reader saw %d frames; heap %d → %d KiB",
		sent, elapsed.Round(time.Millisecond), float64(sent)/elapsed.Seconds(), st.Packets,
		100*float64(st.Packets)/float64(sent), st.Messages, st.Dropped, frames.Load(), before.HeapInuse>>10, after.HeapInuse>>10)
	if st.Malformed+st.Rejected != 0 {
		t.Errorf("errors under flood: %+v", st)
	}
	// Memory stays flat: the receive path allocates nothing per packet.
	if grow := int64(after.HeapInuse) - int64(before.HeapInuse); grow > 4<<20 {
		t.Errorf("heap grew by %d KiB during the flood", grow>>10)
	}
	if st.Packets < 1000 {
		t.Errorf("only %d packets received", st.Packets)
	}
}

// floatOffset finds the big-endian float32 v in pkt.
func floatOffset(t *testing.T, pkt []byte, v float32) int {
	t.Helper()
	want := binary.BigEndian.AppendUint32(nil, math.Float32bits(v))
	i := bytes.Index(pkt, want)
	if i < 0 {
		t.Fatalf("%v not in the packet", v)
	}
	return i
}
