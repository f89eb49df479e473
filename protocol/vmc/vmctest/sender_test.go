package vmctest

import (
	"context"
	"net"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// listen starts a VMC receiver on addr for the test's lifetime.
func listen(t *testing.T, addr string, lc vmc.ListenConfig) *vmc.Receiver {
	t.Helper()
	r, err := lc.Listen(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// dial returns a Sender to r for the test's lifetime.
func dial(t *testing.T, r *vmc.Receiver) *Sender {
	t.Helper()
	s, err := Dial(context.Background(), r.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitFor waits until cond holds for a snapshot of s, failing after a
// generous timeout (UDP on loopback is not lossy at this rate).
func waitFor(t *testing.T, s *vmc.Scene, what string, cond func(*vmc.Frame) bool) {
	t.Helper()
	var f vmc.Frame
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.Snapshot(&f)
		if cond(&f) {
			return
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

// drain returns the events waiting on sub.
func drain(sub *vmc.Subscription) []vmc.Event {
	var out []vmc.Event
	for {
		select {
		case ev := <-sub.C:
			out = append(out, ev)
		default:
			return out
		}
	}
}

// TestSenderMethods sends every Marionette-bound message with the typed
// Sender methods and checks what the receiver made of it.
func TestSenderMethods(t *testing.T) {
	r := listen(t, "127.0.0.1:0", vmc.ListenConfig{})
	sub := r.Scene().Subscribe(64)
	t.Cleanup(sub.Close)
	s := dial(t, r)
	tr := vmc.Transform{Position: vmc.Vec3{X: 1, Y: 2, Z: 3}, Rotation: vmc.Quat{Z: 0.6, W: 0.8}}
	state := []struct {
		name string
		send func() error
		ok   func(f *vmc.Frame) bool
	}{
		{"OK", func() error {
			return s.OK(vmc.Availability{Loaded: true, HasCalibration: true, Calibration: vmc.Calibrated})
		},
			func(f *vmc.Frame) bool {
				return f.Available.Loaded && f.Available.Calibration == vmc.Calibrated && !f.Available.HasTracking
			}},
		{"Time", func() error { return s.Time(4.25) }, func(f *vmc.Frame) bool { return f.Time == 4.25 }},
		{"Root", func() error { return s.Root(vmc.Root{Transform: tr, MR: true, Scale: vmc.Vec3{X: 2, Y: 2, Z: 2}}) },
			func(f *vmc.Frame) bool {
				return f.Root.Transform == tr && f.Root.MR && f.Root.Scale == vmc.Vec3{X: 2, Y: 2, Z: 2}
			}},
		{"Bone", func() error { return s.Bone(humanoid.LeftThumbMetacarpal, humanoid.NamingUnity, tr) },
			func(f *vmc.Frame) bool { return f.BonesReceived.Has(humanoid.LeftThumbMetacarpal) }},
		{"BoneName", func() error { return s.BoneName("spine", tr) },
			func(f *vmc.Frame) bool { return f.Bones[humanoid.Spine] == tr }},
		{"Blend+BlendApply", func() error {
			if err := s.Blend("Fun", 0.5); err != nil {
				return err
			}
			return s.BlendApply()
		}, func(f *vmc.Frame) bool { v, ok := f.Blend("fun"); return ok && v == 0.5 }},
		{"Blends", func() error { return s.Blends([]vmc.Blend{{Name: "A", Value: 1}, {Name: "I", Value: 0.5}}) },
			func(f *vmc.Frame) bool { v, _ := f.Blend("I"); return v == 0.5 }},
		{"Camera", func() error { return s.Camera(vmc.Camera{Name: "Cam", Transform: tr, FOV: 40}) },
			func(f *vmc.Frame) bool { return f.Camera.FOV == 40 && f.Camera.Name == "Cam" }},
		{"Light", func() error { return s.Light(vmc.Light{Name: "L", Transform: tr, Color: vmc.Color{R: 1, A: 1}}) },
			func(f *vmc.Frame) bool { return f.Light.Color == vmc.Color{R: 1, A: 1} }},
		{"Background", func() error { return s.Background(vmc.Color{B: 1, A: 1}) },
			func(f *vmc.Frame) bool { return f.Background.Color == vmc.Color{B: 1, A: 1} }},
		{"Window", func() error { return s.Window(vmc.Window{Transparent: true}) },
			func(f *vmc.Frame) bool { return f.Window.Transparent && !f.Window.TopMost }},
		{"VRM", func() error { return s.VRM(vmc.VRMInfo{Path: "p", Title: "t"}) },
			func(f *vmc.Frame) bool { return f.VRM.Path == "p" && !f.VRM.HasHash }},
		{"Remote", func() error { return s.Remote(vmc.RemoteInfo{Service: "dmmvrconnect", JSON: "{}"}) },
			func(f *vmc.Frame) bool { return f.Remote.Service == "dmmvrconnect" }},
		{"Option", func() error { return s.Option("o") }, func(f *vmc.Frame) bool { return f.Option == "o" }},
		{"Config", func() error { return s.Config("c") }, func(f *vmc.Frame) bool { return f.Config == "c" }},
		{"Receive", func() error { return s.Receive(vmc.ReceiveInfo{Enable: true, Port: 1234}) },
			func(f *vmc.Frame) bool { return f.Receive.Port == 1234 && !f.Receive.HasIP }},
		{"Device", func() error {
			return s.Device(vmc.Device{Kind: vmc.DeviceController, Local: true, Serial: "S", Transform: tr})
		},
			func(f *vmc.Frame) bool {
				return len(f.Devices) == 1 && f.Devices[0] == vmc.Device{Kind: vmc.DeviceController, Local: true, Serial: "S", Transform: tr}
			}},
	}
	for _, tc := range state {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.send(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, r.Scene(), tc.name, tc.ok)
		})
	}
	drain(sub)
	events := []struct {
		name string
		send func() error
		want vmc.EventKind
	}{
		{"Key", func() error { return s.Key(vmc.KeyInput{Active: 1, Name: "A", KeyCode: 65}) }, vmc.EventKey},
		{"Controller", func() error { return s.Controller(vmc.ControllerInput{Active: 1, Name: "B"}) }, vmc.EventController},
		{"MidiNote", func() error { return s.MidiNote(vmc.MidiNote{Active: 1, Note: 60}) }, vmc.EventMidiNote},
		{"MidiCCValue", func() error { return s.MidiCCValue(1, 0.5) }, vmc.EventMidiCCValue},
		{"MidiCCBit", func() error { return s.MidiCCBit(1, 1) }, vmc.EventMidiCCBit},
		{"Thru", func() error { return s.Thru("/VMC/Thru/test", "v", int32(1)) }, vmc.EventThru},
		{"Send", func() error { return s.Send("/VMC/Thru/send", "v", 3) }, vmc.EventThru},
	}
	for _, tc := range events {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.send(); err != nil {
				t.Fatal(err)
			}
			select {
			case ev := <-sub.C:
				if ev.Kind != tc.want {
					t.Errorf("event %v, want %v", ev.Kind, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no event")
			}
		})
	}
	if err := s.Thru("/VMC/Ext/T", "x"); err == nil {
		t.Error("Thru accepted a non-Thru address")
	}
	if err := s.Send("/x", struct{}{}); err == nil {
		t.Error("Send accepted an argument with no OSC type")
	}
}

// TestSenderPerformerBound checks the Set/… messages byte for byte as a
// Performer would decode them.
func TestSenderPerformerBound(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	s, err := Dial(context.Background(), pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tests := []struct {
		send func() error
		want string
	}{
		{func() error { return s.SetPeriod(Period{1, 2, 3, 4, 5, 6}) }, "/VMC/Ext/Set/Period ,iiiiii 1 2 3 4 5 6"},
		{func() error { return s.SetEye(true, vmc.Vec3{Y: 0.1, Z: 1}) }, "/VMC/Ext/Set/Eye ,ifff 1 0 0.1 1"},
		{s.SetReq, "/VMC/Ext/Set/Req ,"},
		{func() error { return s.SetRes("ok") }, "/VMC/Ext/Set/Res ,s ok"},
		{s.SetCalibReady, "/VMC/Ext/Set/Calib/Ready ,"},
		{func() error { return s.SetCalibExec(vmc.CalibrationMRFloorFix) }, "/VMC/Ext/Set/Calib/Exec ,i 2"},
		{func() error { return s.SetConfig("/a.json") }, "/VMC/Ext/Set/Config ,s /a.json"},
	}
	buf := make([]byte, 1500)
	for _, tc := range tests {
		if err := tc.send(); err != nil {
			t.Fatal(err)
		}
		pc.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		p, err := goosc.ParsePacket(string(buf[:n]))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.(*goosc.Message).String(); got != tc.want {
			t.Errorf("sent %q, want %q", got, tc.want)
		}
	}
}
