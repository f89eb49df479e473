package vmc

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// testSender is the sender address tests feed scenes from.
var testSender = netip.MustParseAddrPort("192.0.2.1:50000")

func netipAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// testTime is a fixed arrival time.
var testTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// fullFrame returns a VirtualMotionCapture-like frame with every field set,
// all 55 bones and nBlends blends; variant k changes every value.
func fullFrame(k int, nBlends int) *Frame {
	v := float32(k)
	f := &Frame{
		Available: Availability{Loaded: true, Calibration: Calibrated, Mode: CalibrationMRFloorFix,
			TrackingOK: true, HasCalibration: true, HasTracking: true, Received: true},
		Time: 10 + v/60, TimeReceived: true,
		Root: Root{Transform: Transform{Vec3{0.1 + v, 0.2, -0.3}, Quat{0, 0.7071068, 0, 0.7071068}},
			Scale: Vec3{1.1, 1.2, 1.3}, Offset: Vec3{0.01, 0.02, 0.03}, MR: true, Received: true},
		BonesReceived: humanoid.All,
		Camera: Camera{Name: "Camera", Transform: Transform{Vec3{0, 1.4, 2}, Quat{0, 1, 0, 0}},
			FOV: 30 + v, Received: true},
		Devices: []Device{
			{Kind: DeviceHMD, Serial: "LHR-HMD", Transform: Transform{Vec3{0, 1.6, v}, Identity}},
			{Kind: DeviceTracker, Local: true, Serial: "LHR-T1", Transform: Transform{Vec3{0, 0.9, 0}, Identity}},
		},
	}
	for b := range humanoid.Count {
		x := float32(b)
		f.Bones[b] = Transform{Vec3{x / 100, x / 50, -x / 100}, Quat{0.1 * v, -0.2, x / 200, 0.9}}
	}
	for i := range nBlends {
		f.Blends = append(f.Blends, Blend{Name: fmt.Sprintf("Blend%02d", i), Value: float32((i+k)%10) / 10})
	}
	return f
}

// msg builds a go-osc message (go-osc is the second OSC implementation the
// tests check our decoder against).
func msg(address string, args ...any) *goosc.Message { return goosc.NewMessage(address, args...) }

// marshal encodes a go-osc packet.
func marshal(t testing.TB, p goosc.Packet) []byte {
	t.Helper()
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPerformer is the part of vmctest.Sender these tests use. vmctest imports
// this package, so its internal tests cannot import vmctest; the external
// test file vmctest_link_test.go installs it with [LinkVMCTest] before any
// test runs.
type TestPerformer interface {
	Close() error
	SendRaw(b []byte) error
	SendPacket(p goosc.Packet) error
	SendFrame(f *Frame) error
	SendLowFrequency(f *Frame) error
	Time(t float32) error
	Option(opt string) error
}

// The vmctest functions the internal tests use, set by [LinkVMCTest].
var (
	dialPerformer func(ctx context.Context, addr string) (TestPerformer, error)
	frameBundle   func(f *Frame) *goosc.Bundle
	blendBundle   func(blends []Blend) *goosc.Bundle
)

// LinkVMCTest hands this package's internal tests vmctest's Dial,
// FrameBundle and BlendBundle (test-only; see TestPerformer).
func LinkVMCTest(dial func(ctx context.Context, addr string) (TestPerformer, error),
	frame func(*Frame) *goosc.Bundle, blends func([]Blend) *goosc.Bundle) {
	dialPerformer, frameBundle, blendBundle = dial, frame, blends
}

// framePackets encodes f as VirtualMotionCapture would send it: the frame
// bundle and the blend bundle.
func framePackets(t testing.TB, f *Frame) [][]byte {
	t.Helper()
	pkts := [][]byte{marshal(t, frameBundle(f))}
	if len(f.Blends) > 0 {
		pkts = append(pkts, marshal(t, blendBundle(f.Blends)))
	}
	return pkts
}

// feed feeds go-osc packets to s from testSender.
func feed(t testing.TB, s *Scene, ps ...goosc.Packet) {
	t.Helper()
	for _, p := range ps {
		s.Feed(marshal(t, p), testSender, testTime)
	}
}

// snapshot returns s's current frame.
func snapshot(s *Scene) *Frame {
	var f Frame
	s.Snapshot(&f)
	return &f
}

// requireTool returns the path of an outside tool, skipping the test when it
// is missing unless KUGUTSU_REQUIRE_TOOLS=1.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("KUGUTSU_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (KUGUTSU_REQUIRE_TOOLS=1): %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// listen starts a receiver on addr for the test's lifetime.
func listen(t *testing.T, addr string, lc ListenConfig) *Receiver {
	t.Helper()
	r, err := lc.Listen(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// dial returns a Performer (a vmctest.Sender) sending to r for the test's
// lifetime.
func dial(t *testing.T, r *Receiver) TestPerformer {
	t.Helper()
	s, err := dialPerformer(context.Background(), r.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitFor polls the scene until cond holds for a snapshot, failing after a
// generous timeout (UDP on a loaded machine can be slow, never lossy here:
// callers resend when loss is possible).
func waitFor(t *testing.T, s *Scene, what string, cond func(*Frame) bool) *Frame {
	t.Helper()
	var f Frame
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.Snapshot(&f)
		if cond(&f) {
			return &f
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last frame seq %d", what, f.Seq)
		}
		select {
		case <-s.Changed():
		case <-time.After(20 * time.Millisecond):
		}
	}
}
