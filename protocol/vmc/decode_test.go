package vmc

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"

	"github.com/kugutsu/kugutsu/protocol/osc"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// pose is the argument list of a pose message.
func pose(name string, px, py, pz, qx, qy, qz, qw float32, more ...any) []any {
	return append([]any{name, px, py, pz, qx, qy, qz, qw}, more...)
}

var (
	tPose = Transform{Vec3{1, 2, 3}, Quat{0.1, 0.2, 0.3, 0.9}}
	pArgs = func(name string, more ...any) []any { return pose(name, 1, 2, 3, 0.1, 0.2, 0.3, 0.9, more...) }
)

// comparable strips what differs between runs (Seq, arrival) and
// normalises empty slices.
func comparable(f *Frame) Frame {
	c := *f
	c.Seq, c.Received, c.From = 0, time.Time{}, testSender
	if len(c.Blends) == 0 {
		c.Blends = nil
	} else {
		// Order counts Vals; tests state the values.
		c.Blends = append([]Blend(nil), c.Blends...)
		for i := range c.Blends {
			c.Blends[i].Order = 0
		}
	}
	if len(c.Devices) == 0 {
		c.Devices = nil
	}
	return c
}

// frameDiff describes the fields where got and want differ, ignoring Seq
// and arrival, or returns "".
func frameDiff(got, want *Frame) string {
	g, w := comparable(got), comparable(want)
	gv, wv := reflect.ValueOf(g), reflect.ValueOf(w)
	var out []string
	for i := range gv.NumField() {
		name := gv.Type().Field(i).Name
		if name == "Bones" {
			for b := range humanoid.Count {
				if g.Bones[b] != w.Bones[b] {
					out = append(out, fmt.Sprintf("Bones[%v]: got %+v, want %+v", humanoid.Bone(b), g.Bones[b], w.Bones[b]))
				}
			}
			continue
		}
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			out = append(out, fmt.Sprintf("%s: got %+v, want %+v", name, gv.Field(i).Interface(), wv.Field(i).Interface()))
		}
	}
	return strings.Join(out, "; ")
}

// TestDecodeMessages checks every Marionette-bound address and version
// variant (spec "Marionette") against the frame it must produce.
func TestDecodeMessages(t *testing.T) {
	bone := func(b humanoid.Bone, t Transform) func(*Frame) {
		return func(f *Frame) {
			f.Bones[b] = t
			f.BonesReceived = f.BonesReceived.With(b)
		}
	}
	tests := []struct {
		name string
		pkts []goosc.Packet
		want func(f *Frame)
	}{
		{"OK v1 loaded", []goosc.Packet{msg(AddrOK, int32(1))}, func(f *Frame) {
			f.Available = Availability{Loaded: true, Received: true}
		}},
		{"OK v1 not loaded", []goosc.Packet{msg(AddrOK, int32(0))}, func(f *Frame) {
			f.Available = Availability{Received: true}
		}},
		{"OK v2.5", []goosc.Packet{msg(AddrOK, int32(1), int32(3), int32(1))}, func(f *Frame) {
			f.Available = Availability{Loaded: true, Calibration: Calibrated, Mode: CalibrationMRNormal,
				HasCalibration: true, Received: true}
		}},
		{"OK v2.7", []goosc.Packet{msg(AddrOK, int32(1), int32(2), int32(2), int32(1))}, func(f *Frame) {
			f.Available = Availability{Loaded: true, Calibration: Calibrating, Mode: CalibrationMRFloorFix,
				TrackingOK: true, HasCalibration: true, HasTracking: true, Received: true}
		}},
		{"OK v2.7 tracking bad", []goosc.Packet{msg(AddrOK, int32(1), int32(3), int32(0), int32(0))}, func(f *Frame) {
			f.Available = Availability{Loaded: true, Calibration: Calibrated, HasCalibration: true,
				HasTracking: true, Received: true}
		}},
		{"OK with 2 ints is v1 plus an extra", []goosc.Packet{msg(AddrOK, int32(1), int32(3))}, func(f *Frame) {
			f.Available = Availability{Loaded: true, Received: true}
		}},
		{"OK v2.5 plus a float extra", []goosc.Packet{msg(AddrOK, int32(1), int32(3), int32(0), float32(1))}, func(f *Frame) {
			f.Available = Availability{Loaded: true, Calibration: Calibrated, HasCalibration: true, Received: true}
		}},
		{"OK v2.7 then v1 forgets calibration", []goosc.Packet{
			msg(AddrOK, int32(1), int32(3), int32(0), int32(1)), msg(AddrOK, int32(0))}, func(f *Frame) {
			f.Available = Availability{Received: true}
		}},
		{"T", []goosc.Packet{msg(AddrTime, float32(12.5))}, func(f *Frame) {
			f.Time, f.TimeReceived = 12.5, true
		}},
		{"T zero", []goosc.Packet{msg(AddrTime, float32(0))}, func(f *Frame) { f.TimeReceived = true }},
		{"Root v2.0", []goosc.Packet{msg(AddrRoot, pArgs("root")...)}, func(f *Frame) {
			f.Root = Root{Transform: tPose, Scale: Vec3{1, 1, 1}, Received: true}
		}},
		{"Root v2.1", []goosc.Packet{msg(AddrRoot, pArgs("root", float32(2), float32(3), float32(4),
			float32(-1), float32(-2), float32(-3))...)}, func(f *Frame) {
			f.Root = Root{Transform: tPose, Scale: Vec3{2, 3, 4}, Offset: Vec3{-1, -2, -3}, MR: true, Received: true}
		}},
		{"Root v2.1 then v2.0 resets MR", []goosc.Packet{
			msg(AddrRoot, pArgs("root", float32(2), float32(3), float32(4), float32(-1), float32(-2), float32(-3))...),
			msg(AddrRoot, pArgs("root")...)}, func(f *Frame) {
			f.Root = Root{Transform: tPose, Scale: Vec3{1, 1, 1}, Received: true}
		}},
		{"Root with a short MR tail is v2.0", []goosc.Packet{msg(AddrRoot, pArgs("root", float32(2), float32(3))...)}, func(f *Frame) {
			f.Root = Root{Transform: tPose, Scale: Vec3{1, 1, 1}, Received: true}
		}},
		{"Root any name", []goosc.Packet{msg(AddrRoot, pArgs("")...)}, func(f *Frame) {
			f.Root = Root{Transform: tPose, Scale: Vec3{1, 1, 1}, Received: true}
		}},
		{"Bone Unity name", []goosc.Packet{msg(AddrBone, pArgs("LeftUpperArm")...)}, bone(humanoid.LeftUpperArm, tPose)},
		{"Bone VRM0 lowerCamel", []goosc.Packet{msg(AddrBone, pArgs("leftUpperArm")...)}, bone(humanoid.LeftUpperArm, tPose)},
		{"Bone any case", []goosc.Packet{msg(AddrBone, pArgs("HIPS")...)}, bone(humanoid.Hips, tPose)},
		{"Bone UpperChest (54)", []goosc.Packet{msg(AddrBone, pArgs("UpperChest")...)}, bone(humanoid.UpperChest, tPose)},
		{"Bone zero position (iFacialMocap, ROMP)", []goosc.Packet{msg(AddrBone, pose("Head", 0, 0, 0, 0, 0, 0, 1)...)},
			bone(humanoid.Head, Transform{Rotation: Identity})},
		{"Bone LastBone ignored", []goosc.Packet{msg(AddrBone, pArgs("LastBone")...)}, func(*Frame) {}},
		{"Bone unknown name ignored", []goosc.Packet{msg(AddrBone, pArgs(strings.Repeat("x", 100))...)}, func(*Frame) {}},
		{"Bone Unity thumbs", []goosc.Packet{
			msg(AddrBone, pArgs("LeftThumbProximal")...),
			msg(AddrBone, pose("LeftThumbIntermediate", 4, 5, 6, 0, 0, 0, 1)...)},
			func(f *Frame) {
				bone(humanoid.LeftThumbMetacarpal, tPose)(f)
				bone(humanoid.LeftThumbProximal, Transform{Vec3{4, 5, 6}, Identity})(f)
			}},
		{"Bone Unity thumb alone", []goosc.Packet{msg(AddrBone, pArgs("RightThumbProximal")...)},
			bone(humanoid.RightThumbMetacarpal, tPose)},
		{"Bone VRM1 thumbs, proximal first", []goosc.Packet{goosc.NewBundle(time.Time{})}, nil}, // filled below
		{"Blend Val without Apply", []goosc.Packet{msg(AddrBlendVal, "A", float32(0.5))}, func(*Frame) {}},
		{"Blend Val then Apply", []goosc.Packet{msg(AddrBlendVal, "A", float32(0.5)),
			msg(AddrBlendVal, "Blink_L", float32(1)), msg(AddrBlendApply)}, func(f *Frame) {
			f.Blends = []Blend{{Name: "A", Value: 0.5}, {Name: "Blink_L", Value: 1}}
		}},
		{"Blend Val twice before Apply: the last wins", []goosc.Packet{msg(AddrBlendVal, "A", float32(0.5)),
			msg(AddrBlendVal, "A", float32(0.25)), msg(AddrBlendApply)}, func(f *Frame) {
			f.Blends = []Blend{{Name: "A", Value: 0.25}}
		}},
		{"Blend case-insensitive, first spelling kept", []goosc.Packet{
			msg(AddrBlendVal, "Joy", float32(0.5)), msg(AddrBlendApply),
			msg(AddrBlendVal, "JOY", float32(0.75)), msg(AddrBlendApply)}, func(f *Frame) {
			f.Blends = []Blend{{Name: "Joy", Value: 0.75}}
		}},
		{"Blend keys not resent keep their value", []goosc.Packet{
			msg(AddrBlendVal, "A", float32(0.5)), msg(AddrBlendVal, "E", float32(0.5)), msg(AddrBlendApply),
			msg(AddrBlendVal, "E", float32(0)), msg(AddrBlendApply)}, func(f *Frame) {
			f.Blends = []Blend{{Name: "A", Value: 0.5}, {Name: "E", Value: 0}}
		}},
		{"Blend Val after Apply waits for the next Apply", []goosc.Packet{
			msg(AddrBlendVal, "A", float32(0.5)), msg(AddrBlendApply), msg(AddrBlendVal, "A", float32(1))}, func(f *Frame) {
			f.Blends = []Blend{{Name: "A", Value: 0.5}}
		}},
		{"Blend Japanese name", []goosc.Packet{msg(AddrBlendVal, "まばたき", float32(1)), msg(AddrBlendApply)}, func(f *Frame) {
			f.Blends = []Blend{{Name: "まばたき", Value: 1}}
		}},
		{"Apply with nothing staged", []goosc.Packet{msg(AddrBlendApply)}, func(*Frame) {}},
		{"Cam", []goosc.Packet{msg(AddrCamera, pArgs("Camera", float32(35))...)}, func(f *Frame) {
			f.Camera = Camera{Name: "Camera", Transform: tPose, FOV: 35, Received: true}
		}},
		{"Light", []goosc.Packet{msg(AddrLight, pArgs("Light", float32(1), float32(0.9), float32(0.8), float32(1))...)}, func(f *Frame) {
			f.Light = Light{Name: "Light", Transform: tPose, Color: Color{1, 0.9, 0.8, 1}, Received: true}
		}},
		{"Setting/Color", []goosc.Packet{msg(AddrBackground, float32(0), float32(1), float32(0), float32(1))}, func(f *Frame) {
			f.Background = Background{Color{0, 1, 0, 1}, true}
		}},
		{"Setting/Win", []goosc.Packet{msg(AddrWindow, int32(1), int32(0), int32(1), int32(0))}, func(f *Frame) {
			f.Window = Window{TopMost: true, ClickThrough: true, Received: true}
		}},
		{"VRM v2.4", []goosc.Packet{msg(AddrVRM, `C:\avatars\a.vrm`, "あ")}, func(f *Frame) {
			f.VRM = VRMInfo{Path: `C:\avatars\a.vrm`, Title: "あ", Received: true}
		}},
		{"VRM v2.7", []goosc.Packet{msg(AddrVRM, "/a.vrm", "A", "abc123")}, func(f *Frame) {
			f.VRM = VRMInfo{Path: "/a.vrm", Title: "A", Hash: "abc123", HasHash: true, Received: true}
		}},
		{"Remote", []goosc.Packet{msg(AddrRemote, "vroidhub", `{"characterModelId":"1"}`)}, func(f *Frame) {
			f.Remote = RemoteInfo{Service: "vroidhub", JSON: `{"characterModelId":"1"}`, Received: true}
		}},
		{"Opt", []goosc.Packet{msg(AddrOption, "mode=1")}, func(f *Frame) { f.Option = "mode=1" }},
		{"Config", []goosc.Packet{msg(AddrConfig, `C:\vmc\default.json`)}, func(f *Frame) { f.Config = `C:\vmc\default.json` }},
		{"Rcv v2.4", []goosc.Packet{msg(AddrReceive, int32(1), int32(39540))}, func(f *Frame) {
			f.Receive = ReceiveInfo{Enable: true, Port: 39540, Received: true}
		}},
		{"Rcv v2.7", []goosc.Packet{msg(AddrReceive, int32(0), int32(39540), "192.168.1.2")}, func(f *Frame) {
			f.Receive = ReceiveInfo{Port: 39540, IP: "192.168.1.2", HasIP: true, Received: true}
		}},
		{"Devices", []goosc.Packet{
			msg(AddrHMDPos, pArgs("HMD1")...), msg(AddrControllerPos, pArgs("C1")...),
			msg(AddrTrackerPos, pArgs("T1")...), msg(AddrHMDPosLocal, pArgs("HMD1")...),
			msg(AddrControllerPosLocal, pArgs("C1")...), msg(AddrTrackerPosLocal, pArgs("T1")...),
			msg(AddrTrackerPos, pose("T1", 9, 9, 9, 0, 0, 0, 1)...)}, func(f *Frame) {
			f.Devices = []Device{
				{DeviceHMD, false, "HMD1", tPose}, {DeviceController, false, "C1", tPose},
				{DeviceTracker, false, "T1", Transform{Vec3{9, 9, 9}, Identity}},
				{DeviceHMD, true, "HMD1", tPose}, {DeviceController, true, "C1", tPose},
				{DeviceTracker, true, "T1", tPose},
			}
		}},
		{"events leave the frame alone", []goosc.Packet{
			msg(AddrKey, int32(1), "A", int32(65)),
			msg(AddrController, int32(1), "Trigger", int32(1), int32(0), int32(0), float32(0), float32(0), float32(0)),
			msg(AddrMidiNote, int32(1), int32(0), int32(60), float32(1)),
			msg(AddrMidiCCValue, int32(1), float32(0.5)), msg(AddrMidiCCBit, int32(1), int32(1)),
			msg("/VMC/Thru/x/y", "a", int32(1))}, func(*Frame) {}},
	}
	// VRM 1.0 naming: the ambiguous "leftThumbProximal" arrives before the
	// "leftThumbMetacarpal" that reveals the naming, in one bundle.
	vrm1 := goosc.NewBundle(time.Time{})
	vrm1.Append(msg(AddrBone, pArgs("leftThumbProximal")...))
	vrm1.Append(msg(AddrBone, pose("leftThumbMetacarpal", 7, 7, 7, 0, 0, 0, 1)...))
	for i := range tests {
		if tests[i].want == nil {
			tests[i].pkts = []goosc.Packet{vrm1}
			tests[i].want = func(f *Frame) {
				bone(humanoid.LeftThumbProximal, tPose)(f)
				bone(humanoid.LeftThumbMetacarpal, Transform{Vec3{7, 7, 7}, Identity})(f)
				f.Naming = humanoid.NamingVRM1
			}
		}
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewScene()
			feed(t, s, tc.pkts...)
			var want Frame
			tc.want(&want)
			got := snapshot(s)
			if d := frameDiff(got, &want); d != "" {
				t.Errorf("frame differs: %s", d)
			}
			st := s.Status()
			if st.Malformed+st.Rejected != 0 {
				t.Errorf("errors counted: %+v", st)
			}
			if got.Seq == 0 && !reflect.DeepEqual(comparable(got), comparable(&Frame{})) {
				t.Error("frame changed without a publication")
			}
		})
	}
}

// specSignatures are the minimum argument types of every Marionette-bound
// message with arguments, as the spec lists them (spec "Marionette"),
// written out independently of the handlers table.
var specSignatures = map[string]string{
	AddrOK: "i", AddrTime: "f", AddrRoot: sigPose, AddrBone: sigPose, AddrBlendVal: "sf",
	AddrCamera: sigPose + "f", AddrController: "isiiifff", AddrKey: "isi", AddrMidiNote: "iiif",
	AddrMidiCCValue: "if", AddrMidiCCBit: "ii", AddrHMDPos: sigPose, AddrControllerPos: sigPose,
	AddrTrackerPos: sigPose, AddrHMDPosLocal: sigPose, AddrControllerPosLocal: sigPose,
	AddrTrackerPosLocal: sigPose, AddrReceive: "ii", AddrLight: sigPose + sigColor, AddrVRM: "ss",
	AddrRemote: "ss", AddrOption: "s", AddrBackground: sigColor, AddrWindow: "iiii", AddrConfig: "s",
}

// signatures returns the signature of every handler that has one (all but
// Blend/Apply and Thru), by address: the table the tests below derive their
// messages from.
func signatures() map[string]string {
	out := make(map[string]string)
	for _, h := range handlers {
		if h.sig != "" {
			out[h.addr] = h.sig
		}
	}
	return out
}

// TestHandlerSignatures checks the handlers table against the spec: every
// Marionette-bound message has a handler with the spec's signature, and no
// handler has an address or a signature the spec does not.
func TestHandlerSignatures(t *testing.T) {
	got := signatures()
	if !reflect.DeepEqual(got, specSignatures) {
		t.Errorf("handler signatures %v\nspec %v", got, specSignatures)
	}
	for id, h := range handlers {
		if h.decode == nil || h.addr == "" {
			t.Errorf("handler %d has no address or decode function", id)
		}
		if got, ok := lookupAddr([]byte(h.addr)); addrID(id) != idThru && (!ok || got != addrID(id)) {
			t.Errorf("lookupAddr(%q) = %d, %v; want %d", h.addr, got, ok, id)
		}
	}
	if id, ok := lookupAddr([]byte("/VMC/Thru/x")); !ok || id != idThru {
		t.Errorf("lookupAddr(/VMC/Thru/x) = %d, %v", id, ok)
	}
	for _, a := range []string{"/VMC/Thru/", "/VMC/Thru", "/VMC/Ext/Set/Req", "/VMC/Ext/Bone/Pos/"} {
		if id, ok := lookupAddr([]byte(a)); ok {
			t.Errorf("lookupAddr(%q) = %d, want unknown", a, id)
		}
	}
}

// argsFor returns valid arguments for a signature ("Hips" for strings, so
// that Bone/Pos is applied).
func argsFor(sig string) []any {
	var out []any
	for _, c := range sig {
		switch c {
		case 's':
			out = append(out, "Hips")
		case 'f':
			out = append(out, float32(0.5))
		case 'i':
			out = append(out, int32(1))
		}
	}
	return out
}

// wrongFor returns an argument of another type than tag.
func wrongFor(tag byte) []any {
	switch tag {
	case 's':
		return []any{int32(1), float32(1), []byte{1}, true, nil}
	case 'f':
		return []any{int32(1), "1", float64(1), int64(1)}
	default: // 'i'
		return []any{float32(1), "1", int64(1), false}
	}
}

// TestMalformedArguments sends every address with each argument missing
// (too few) and with each argument of every wrong type: each message must be
// dropped whole, counted under its address, and leave the scene and the
// event stream untouched.
func TestMalformedArguments(t *testing.T) {
	for addr, sig := range signatures() {
		valid := argsFor(sig)
		var cases []struct {
			name  string
			args  []any
			short bool
		}
		for n := range len(sig) {
			cases = append(cases, struct {
				name  string
				args  []any
				short bool
			}{fmt.Sprintf("%d of %d args", n, len(sig)), valid[:n], true})
		}
		for i := range len(sig) {
			for _, w := range wrongFor(sig[i]) {
				args := append([]any{}, valid...)
				args[i] = w
				cases = append(cases, struct {
					name  string
					args  []any
					short bool
				}{fmt.Sprintf("arg %d as %T", i, w), args, false})
			}
		}
		for _, tc := range cases {
			t.Run(addr+"/"+tc.name, func(t *testing.T) {
				s := NewScene()
				sub := s.Subscribe(8)
				defer sub.Close()
				feed(t, s, msg(addr, tc.args...))
				if f := snapshot(s); f.Seq != 0 {
					t.Errorf("scene changed: %+v", f)
				}
				select {
				case ev := <-sub.C:
					t.Errorf("event %v from a malformed message", ev.Kind)
				default:
				}
				st := s.Status()
				if st.Rejected != 1 || st.Messages != 1 || len(st.Addresses) != 1 {
					t.Fatalf("status %+v", st)
				}
				a := st.Addresses[0]
				if a.Address != addr || (tc.short && a.ShortArgs != 1) || (!tc.short && a.WrongType != 1) {
					t.Errorf("counted %+v", a)
				}
			})
		}
	}
}

// TestExtraArgumentsIgnored: every message with extra arguments of any type
// decodes exactly like the message without them (spec: "too many arguments
// should be ignored").
func TestExtraArgumentsIgnored(t *testing.T) {
	for addr, sig := range signatures() {
		t.Run(addr, func(t *testing.T) {
			plain, extra := NewScene(), NewScene()
			evPlain, evExtra := plain.Subscribe(4), extra.Subscribe(4)
			args := argsFor(sig)
			feed(t, plain, msg(addr, args...), msg(AddrBlendApply))
			// Extras that do not form a later version of the message (an int first).
			feed(t, extra, msg(addr, append(args, int32(7), "extra", []byte{1}, nil, true)...), msg(AddrBlendApply))
			if d := frameDiff(snapshot(extra), snapshot(plain)); d != "" {
				t.Errorf("with extras vs without: %s", d)
			}
			if st := extra.Status(); st.Rejected != 0 {
				t.Errorf("rejected: %+v", st.Addresses)
			}
			evPlain.Close()
			evExtra.Close()
			var a, b []Event
			for ev := range evPlain.C {
				a = append(a, ev)
			}
			for ev := range evExtra.C {
				b = append(b, ev)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("events with extras %+v\nwithout %+v", b, a)
			}
		})
	}
}

func TestMalformedElementDropsOnlyItself(t *testing.T) {
	f := fullFrame(1, 3)
	frame := frameBundle(f)
	good := marshal(t, frame)
	// Append a broken element (a message with an unknown type tag) and a
	// bundle element whose size overruns: the real frame must survive.
	bad := append([]byte{}, good...)
	broken := []byte("/VMC/Ext/T\x00\x00,q\x00\x00\x00\x00\x00\x01")
	bad = append(bad, 0, 0, 0, byte(len(broken)))
	bad = append(bad, broken...)
	bad = append(bad, 0, 0, 1, 0) // size 256, beyond the packet
	s := NewScene()
	s.Feed(bad, testSender, testTime)
	got := snapshot(s)
	if got.BonesReceived != humanoid.All || got.Bones != f.Bones || got.Root != f.Root || got.Time != f.Time {
		t.Errorf("frame lost data: bones %d", got.BonesReceived.Len())
	}
	st := s.Status()
	if st.Malformed != 2 || st.Senders[0].Malformed != 2 {
		t.Errorf("malformed %d, want 2", st.Malformed)
	}
	// A datagram that is not OSC at all is one malformed element.
	s.Feed([]byte("hello"), testSender, testTime)
	s.Feed(nil, testSender, testTime)
	if st := s.Status(); st.Malformed != 4 || st.Packets != 3 {
		t.Errorf("status %+v", st)
	}
	// Counted by cause, most frequent first.
	causes := map[string]uint64{}
	for _, c := range s.Status().MalformedCauses {
		causes[c.Cause] = c.Count
	}
	want := map[string]uint64{
		"unknown type tag": 1, "bundle element size negative or beyond the bundle": 1,
		"element is neither a message (/…) nor a bundle (#bundle)": 1, "empty packet": 1,
	}
	if !reflect.DeepEqual(causes, want) {
		t.Errorf("causes %v, want %v", causes, want)
	}
}

func TestUnknownAddresses(t *testing.T) {
	s := NewScene()
	feed(t, s, msg("/VMC/Ext/Nope", int32(1)), msg("/VMC/Ext/Nope"), msg("/other"),
		msg(AddrSetReq), // Performer-bound: not ours to decode
		msg("/VMC/Thru"))
	st := s.Status()
	want := []UnknownAddress{{"/VMC/Ext/Nope", 2}, {"/VMC/Ext/Set/Req", 1}, {"/VMC/Thru", 1}, {"/other", 1}}
	if st.Unknown != 5 || !reflect.DeepEqual(st.UnknownAddresses, want) || st.Rejected != 0 {
		t.Errorf("unknown %d %v", st.Unknown, st.UnknownAddresses)
	}
	if snapshot(s).Seq != 0 {
		t.Error("unknown addresses changed the scene")
	}
}

func TestNamingPerSender(t *testing.T) {
	s := NewScene()
	xr := testSender
	vmc := netipAddrPort("192.0.2.2:39540")
	// XR Animator-like sender: VRM 1.0 names, one bone per packet.
	s.Feed(marshal(t, msg(AddrBone, pose("leftThumbMetacarpal", 1, 0, 0, 0, 0, 0, 1)...)), xr, testTime)
	s.Feed(marshal(t, msg(AddrBone, pose("leftThumbProximal", 2, 0, 0, 0, 0, 0, 1)...)), xr, testTime)
	f := snapshot(s)
	if f.Naming != humanoid.NamingVRM1 || f.Bones[humanoid.LeftThumbMetacarpal].Position.X != 1 ||
		f.Bones[humanoid.LeftThumbProximal].Position.X != 2 {
		t.Errorf("VRM1 sender: naming %v bones %v %v", f.Naming, f.Bones[humanoid.LeftThumbMetacarpal],
			f.Bones[humanoid.LeftThumbProximal])
	}
	// A Unity-naming sender at the same time: its LeftThumbProximal is the metacarpal.
	s.Feed(marshal(t, msg(AddrBone, pose("LeftThumbProximal", 3, 0, 0, 0, 0, 0, 1)...)), vmc, testTime)
	f = snapshot(s)
	if f.Naming != humanoid.NamingUnity || f.Bones[humanoid.LeftThumbMetacarpal].Position.X != 3 ||
		f.Bones[humanoid.LeftThumbProximal].Position.X != 2 {
		t.Errorf("Unity sender: naming %v", f.Naming)
	}
	// The VRM1 sender is still known as such.
	s.Feed(marshal(t, msg(AddrBone, pose("LeftThumbProximal", 4, 0, 0, 0, 0, 0, 1)...)), xr, testTime)
	if f = snapshot(s); f.Bones[humanoid.LeftThumbProximal].Position.X != 4 || f.Naming != humanoid.NamingVRM1 {
		t.Errorf("VRM1 sender forgot its naming: %v", f.Bones[humanoid.LeftThumbProximal])
	}
	// It switches back to Unity names (a VRM 0.x model): ThumbIntermediate says so.
	b := goosc.NewBundle(time.Time{})
	b.Append(msg(AddrBone, pose("LeftThumbProximal", 5, 0, 0, 0, 0, 0, 1)...))
	b.Append(msg(AddrBone, pose("LeftThumbIntermediate", 6, 0, 0, 0, 0, 0, 1)...))
	s.Feed(marshal(t, b), xr, testTime)
	f = snapshot(s)
	if f.Naming != humanoid.NamingUnity || f.Bones[humanoid.LeftThumbMetacarpal].Position.X != 5 ||
		f.Bones[humanoid.LeftThumbProximal].Position.X != 6 {
		t.Errorf("switch to Unity: naming %v", f.Naming)
	}
	st := s.Status()
	for _, snd := range st.Senders {
		if snd.Addr == xr && snd.Naming != humanoid.NamingUnity || snd.Addr == vmc && snd.Naming != humanoid.NamingUnity {
			t.Errorf("sender %v naming %v", snd.Addr, snd.Naming)
		}
	}
}

func TestAllBonesBothNamings(t *testing.T) {
	for _, n := range []humanoid.Naming{humanoid.NamingUnity, humanoid.NamingVRM1} {
		f := fullFrame(3, 0)
		f.Naming = n
		s := NewScene()
		s.Feed(marshal(t, frameBundle(f)), testSender, testTime)
		got := snapshot(s)
		if got.Bones != f.Bones || got.BonesReceived != humanoid.All || got.Naming != n {
			t.Errorf("%v: bones differ (received %d)", n, got.BonesReceived.Len())
		}
	}
}

func TestChangeDetectionAndSeq(t *testing.T) {
	s := NewScene()
	if s.Seq() != 0 || snapshot(s).Seq != 0 {
		t.Fatal("a new scene has frames")
	}
	pkts := framePackets(t, fullFrame(0, 5))
	for _, p := range pkts {
		s.Feed(p, testSender, testTime)
	}
	if s.Seq() != 2 {
		t.Fatalf("seq %d after 2 changing packets", s.Seq())
	}
	// Coalescing: two publications, one signal waiting, none after it.
	select {
	case <-s.Changed():
	default:
		t.Fatal("no change signal")
	}
	select {
	case <-s.Changed():
		t.Fatal("change signals not coalesced")
	default:
	}
	// The same packets again change nothing: no publication, no signal.
	for _, p := range pkts {
		s.Feed(p, testSender, testTime.Add(time.Second))
	}
	if s.Seq() != 2 || len(s.Changed()) != 0 {
		t.Errorf("seq %d, signal %d after identical packets", s.Seq(), len(s.Changed()))
	}
	s.Feed(marshal(t, msg(AddrTime, float32(99))), testSender, testTime.Add(2*time.Second))
	f := snapshot(s)
	if f.Seq != 3 || f.Time != 99 || !f.Received.Equal(testTime.Add(2*time.Second)) || f.From != testSender {
		t.Errorf("frame %d T %v at %v from %v", f.Seq, f.Time, f.Received, f.From)
	}
}

func TestLimits(t *testing.T) {
	s := NewScene()
	b := goosc.NewBundle(time.Time{})
	for i := range MaxBlendKeys + 88 {
		b.Append(msg(AddrBlendVal, fmt.Sprintf("key%d", i), float32(i)))
	}
	b.Append(msg(AddrBlendVal, strings.Repeat("k", MaxBlendNameLen+1), float32(1)))
	b.Append(msg(AddrBlendApply))
	for i := range MaxDevices + 10 {
		b.Append(msg(AddrTrackerPos, pArgs(fmt.Sprintf("T%d", i))...))
	}
	b.Append(msg(AddrTrackerPos, pArgs(strings.Repeat("s", MaxSerialLen+1))...))
	for i := range MaxUnknownAddresses + 10 {
		b.Append(msg(fmt.Sprintf("/unknown/%d", i)))
	}
	b.Append(msg("/" + strings.Repeat("u", 1000)))
	s.Feed(marshal(t, b), testSender, testTime)
	f := snapshot(s)
	if len(f.Blends) != MaxBlendKeys || len(f.Devices) != MaxDevices {
		t.Errorf("%d blends, %d devices", len(f.Blends), len(f.Devices))
	}
	st := s.Status()
	if st.BlendKeysRejected != 89 || st.DevicesRejected != 11 || st.Unknown != MaxUnknownAddresses+11 ||
		len(st.UnknownAddresses) != MaxUnknownAddresses {
		t.Errorf("rejected blends %d devices %d unknown %d (%d kept)", st.BlendKeysRejected, st.DevicesRejected,
			st.Unknown, len(st.UnknownAddresses))
	}
	for _, a := range st.Addresses {
		if a.Address == AddrBlendVal && a.Limited != 89 || a.Address == AddrTrackerPos && a.Limited != 11 {
			t.Errorf("%+v", a)
		}
	}
	// Existing keys still update once the table is full.
	feed(t, s, msg(AddrBlendVal, "KEY0", float32(-1)), msg(AddrBlendApply))
	if v, ok := snapshot(s).Blend("key0"); !ok || v != -1 {
		t.Errorf("key0 = %v %v", v, ok)
	}
	// Senders: the least recently heard is forgotten.
	for i := range MaxSenders + 5 {
		from := netipAddrPort(fmt.Sprintf("198.51.100.%d:1000", i))
		s.Feed(marshal(t, msg(AddrTime, float32(i))), from, testTime.Add(time.Duration(i)*time.Millisecond))
	}
	st = s.Status()
	if len(st.Senders) != MaxSenders || st.Senders[0].Addr != netipAddrPort(fmt.Sprintf("198.51.100.%d:1000", MaxSenders+4)) {
		t.Errorf("%d senders, newest %v", len(st.Senders), st.Senders[0].Addr)
	}
}

func TestStatusRates(t *testing.T) {
	s := NewScene()
	pkt := marshal(t, msg(AddrTime, float32(1)))
	at := testTime
	for range 121 { // 60 packets/s for 2 s
		s.Feed(pkt, testSender, at)
		at = at.Add(time.Second / 60)
	}
	last := at.Add(-time.Second / 60)
	st := s.statusAt(last.Add(10 * time.Millisecond))
	snd := st.Senders[0]
	if math.Abs(snd.PacketRate-60) > 1 || math.Abs(snd.MessageRate-60) > 1 || !snd.Connected || snd.Packets != 121 {
		t.Errorf("rates %v %v connected %v packets %d", snd.PacketRate, snd.MessageRate, snd.Connected, snd.Packets)
	}
	if !snd.LastPacket.Equal(last) {
		t.Errorf("last packet %v, want %v", snd.LastPacket, last)
	}
	// In a sender's first second the rate comes from the open window.
	s2 := NewScene()
	for i := range 30 {
		s2.Feed(pkt, testSender, testTime.Add(time.Duration(i)*time.Second/60))
	}
	if r := s2.statusAt(testTime.Add(500 * time.Millisecond)).Senders[0].PacketRate; r != 60 {
		t.Errorf("first-second rate %v, want 60", r)
	}
	if r := s2.statusAt(testTime.Add(100 * time.Millisecond)).Senders[0].PacketRate; r != 0 {
		t.Errorf("rate %v after 0.1 s, want 0 (too early to tell)", r)
	}
	st = s.statusAt(last.Add(ConnectedTimeout + time.Millisecond))
	if st.Senders[0].Connected {
		t.Error("connected after the timeout")
	}
	st = s.statusAt(last.Add(10 * time.Second))
	if r := st.Senders[0].PacketRate; r > 10 {
		t.Errorf("rate %v 10 s after the sender stopped", r)
	}
}

func TestFrameHelpers(t *testing.T) {
	f := fullFrame(0, 3)
	if v, ok := f.Blend("BLEND01"); !ok || v != 0.1 {
		t.Errorf("Blend = %v %v", v, ok)
	}
	if _, ok := f.Blend("none"); ok {
		t.Error("missing blend found")
	}
	f.BonesReceived = humanoid.Set(0).With(humanoid.Head)
	if tr, ok := f.Bone(humanoid.Head); !ok || tr != f.Bones[humanoid.Head] {
		t.Error("Bone(Head)")
	}
	if tr, ok := f.Bone(humanoid.Hips); ok || tr.Rotation != Identity {
		t.Error("Bone(Hips) not received should be identity")
	}
	if a := (Vec3{1, 2, 3}).Array(); a != [3]float32{1, 2, 3} {
		t.Errorf("Vec3.Array %v", a)
	}
	if a := (Quat{1, 2, 3, 4}).Array(); a != [4]float32{1, 2, 3, 4} {
		t.Errorf("Quat.Array %v", a)
	}
	var g Frame
	g.CopyFrom(f)
	g.Blends[0].Value = 42
	g.Devices[0].Serial = "changed"
	if f.Blends[0].Value == 42 || f.Devices[0].Serial == "changed" {
		t.Error("CopyFrom shares slices")
	}
	for _, s := range []fmt.Stringer{Calibrated, CalibrationState(9), CalibrationMRNormal, CalibrationMode(7),
		DeviceTracker, DeviceKind(5), EventThru, EventKind(99)} {
		if s.String() == "" {
			t.Errorf("%#v has no name", s)
		}
	}
}

// TestFeedDoesNotAllocate is the zero-allocation guarantee of the hot path:
// a full VirtualMotionCapture frame with changing values, published, with
// the render side taking snapshots.
func TestFeedDoesNotAllocate(t *testing.T) {
	s := NewScene()
	var pkts [][][]byte
	for k := range 4 {
		pkts = append(pkts, framePackets(t, fullFrame(k, 60)))
	}
	var f Frame
	for _, p := range pkts[0] {
		s.Feed(p, testSender, testTime)
	}
	s.Snapshot(&f)
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		for _, p := range pkts[i%len(pkts)] {
			s.Feed(p, testSender, testTime)
		}
		s.Snapshot(&f)
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per frame, want 0", allocs)
	}
	if f.BonesReceived != humanoid.All || len(f.Blends) != 60 {
		t.Errorf("frame incomplete")
	}
}

// TestArgReaderFaults: a read that fails (which check makes impossible for
// the table's own messages) sticks, later reads return zero values, and the
// fault names the first failure.
func TestArgReaderFaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []any
		read func(r *argReader)
		want fault
	}{
		{"all read", []any{int32(7), "x"}, func(r *argReader) { r.i32(); r.str() }, faultNone},
		{"missing", []any{int32(7)}, func(r *argReader) { r.i32(); r.f32() }, faultShort},
		{"wrong type", []any{"x", float32(1)}, func(r *argReader) { r.i32(); r.f32() }, faultType},
		{"missing floats", []any{float32(1)}, func(r *argReader) { r.vec3() }, faultShort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var or osc.Reader
			var m osc.Message
			or.Reset(marshal(t, msg("/a", tc.args...)))
			if err := or.Next(&m); err != nil {
				t.Fatal(err)
			}
			r := argReader{a: m.Args()}
			tc.read(&r)
			if got := r.fault(); got != tc.want {
				t.Errorf("fault %d, want %d", got, tc.want)
			}
			if tc.want != faultNone && (r.i32() != 0 || r.f32() != 0 || r.str() != nil || r.fault() != tc.want) {
				t.Error("a read after a failed one returned a value or changed the fault")
			}
		})
	}
}

// TestDecodeGuardsItsReads: were a handler's signature shorter than what its
// decode function reads, the message is dropped and counted, not applied
// with zero values (through an argReader and through readPose alike).
func TestDecodeGuardsItsReads(t *testing.T) {
	for _, tc := range []struct {
		id   addrID
		sig  string // shorter than what the decode function reads
		args []any
	}{
		{idCamera, sigPose, pArgs("Cam")},
		{idBone, "s", []any{"Hips"}},
		{idBlendVal, "s", []any{"A"}},
		{idHMD, "s", []any{"LHR-1"}},
	} {
		h := &handlers[tc.id]
		t.Run(h.addr, func(t *testing.T) {
			saved := h.sig
			t.Cleanup(func() { h.sig = saved })
			h.sig = tc.sig
			s := NewScene()
			feed(t, s, msg(h.addr, tc.args...), msg(AddrBlendApply))
			if f := snapshot(s); f.Seq != 0 {
				t.Errorf("applied: %+v", f)
			}
			st := s.Status()
			short := uint64(0)
			for _, a := range st.Addresses {
				if a.Address == h.addr {
					short = a.ShortArgs
				}
			}
			if st.Rejected != 1 || short != 1 {
				t.Errorf("status %+v", st)
			}
		})
	}
}
