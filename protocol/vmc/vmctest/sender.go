// Package vmctest is the Performer side of the VMC protocol for tests and
// test tools: a [Sender] that encodes every Marionette-bound message of the
// VMC spec (and the Performer-bound Set/… messages) with
// github.com/hypebeast/go-osc, a second OSC implementation next to our
// decoder in protocol/osc. It lives apart from protocol/vmc so that the
// shipped binary links no go-osc (issue 12); product code sends raw
// datagrams (kugutsu replay) and never needs it.
package vmctest

import (
	"context"
	"fmt"
	"net"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"

	"github.com/kugutsu/kugutsu/protocol/osc"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Sender sends VMC messages over UDP: the Performer side for a Marionette
// (every message [Scene] decodes) and the Assistant/Marionette side for a
// Performer (the Set/… messages). Packets are encoded with
// github.com/hypebeast/go-osc. Each method sends one datagram; methods are
// safe for concurrent use.
type Sender struct {
	conn net.Conn
}

// Dial returns a Sender to addr ("host:port", e.g. "127.0.0.1:39539" for a
// Marionette, ":39540" for a Performer).
func Dial(ctx context.Context, addr string) (*Sender, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("vmctest: dial: %w", err)
	}
	return &Sender{conn: c}, nil
}

// NewSender returns a Sender writing to conn, a connected datagram socket.
func NewSender(conn net.Conn) *Sender { return &Sender{conn: conn} }

// Close closes the socket.
func (s *Sender) Close() error { return s.conn.Close() }

// LocalAddr returns the socket's local address: the address a receiver sees
// as the sender.
func (s *Sender) LocalAddr() net.Addr { return s.conn.LocalAddr() }

// SendRaw sends b as one datagram, unchecked (tests use it for malformed
// packets).
func (s *Sender) SendRaw(b []byte) error {
	_, err := s.conn.Write(b)
	return err
}

// SendPacket encodes p (a *goosc.Message or *goosc.Bundle) and sends it.
func (s *Sender) SendPacket(p goosc.Packet) error {
	b, err := p.MarshalBinary()
	if err != nil {
		return fmt.Errorf("vmctest: encode: %w", err)
	}
	return s.SendRaw(b)
}

// Send sends one message. Arguments may be int32 (i), float32 (f), string
// (s), []byte (b), int64 (h), float64 (d), bool (T/F), nil (N),
// goosc.Timetag or osc.TimeTag (t), and, for convenience, int (as int32).
func (s *Sender) Send(address string, args ...any) error {
	m, err := newMessage(address, args...)
	if err != nil {
		return err
	}
	return s.SendPacket(m)
}

// newMessage builds a go-osc message, converting the convenience types.
func newMessage(address string, args ...any) (*goosc.Message, error) {
	m := goosc.NewMessage(address)
	for _, a := range args {
		switch v := a.(type) {
		case int:
			a = int32(v)
		case osc.TimeTag:
			a = *goosc.NewTimetagFromTimetag(uint64(v))
		case int32, float32, string, []byte, int64, float64, bool, nil, goosc.Timetag:
		default:
			return nil, fmt.Errorf("vmctest: argument type %T has no OSC type", a)
		}
		m.Append(a)
	}
	return m, nil
}

func msg(address string, args ...any) *goosc.Message { return goosc.NewMessage(address, args...) }

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func poseArgs(name string, t vmc.Transform, more ...any) []any {
	p, q := t.Position, t.Rotation
	return append([]any{name, p.X, p.Y, p.Z, q.X, q.Y, q.Z, q.W}, more...)
}

func msgOK(a vmc.Availability) *goosc.Message {
	m := msg(vmc.AddrOK, b2i(a.Loaded))
	if a.HasCalibration || a.HasTracking {
		m.Append(int32(a.Calibration), int32(a.Mode))
	}
	if a.HasTracking {
		m.Append(b2i(a.TrackingOK))
	}
	return m
}

func msgRoot(r vmc.Root) *goosc.Message {
	m := msg(vmc.AddrRoot, poseArgs("root", r.Transform)...)
	if r.MR {
		m.Append(r.Scale.X, r.Scale.Y, r.Scale.Z, r.Offset.X, r.Offset.Y, r.Offset.Z)
	}
	return m
}

func msgBone(name string, t vmc.Transform) *goosc.Message {
	return msg(vmc.AddrBone, poseArgs(name, t)...)
}

func msgCamera(c vmc.Camera) *goosc.Message {
	return msg(vmc.AddrCamera, poseArgs(c.Name, c.Transform, c.FOV)...)
}

func msgDevice(d vmc.Device) *goosc.Message {
	addr := [2][3]string{
		{vmc.AddrHMDPos, vmc.AddrControllerPos, vmc.AddrTrackerPos},
		{vmc.AddrHMDPosLocal, vmc.AddrControllerPosLocal, vmc.AddrTrackerPosLocal},
	}[b2i(d.Local)][d.Kind%3]
	return msg(addr, poseArgs(d.Serial, d.Transform)...)
}

func msgLight(l vmc.Light) *goosc.Message {
	c := l.Color
	return msg(vmc.AddrLight, poseArgs(l.Name, l.Transform, c.R, c.G, c.B, c.A)...)
}

func msgBackground(c vmc.Color) *goosc.Message { return msg(vmc.AddrBackground, c.R, c.G, c.B, c.A) }

func msgWindow(w vmc.Window) *goosc.Message {
	return msg(vmc.AddrWindow, b2i(w.TopMost), b2i(w.Transparent), b2i(w.ClickThrough), b2i(w.HideBorder))
}

func msgVRM(v vmc.VRMInfo) *goosc.Message {
	m := msg(vmc.AddrVRM, v.Path, v.Title)
	if v.HasHash {
		m.Append(v.Hash)
	}
	return m
}

func msgReceive(r vmc.ReceiveInfo) *goosc.Message {
	m := msg(vmc.AddrReceive, b2i(r.Enable), r.Port)
	if r.HasIP {
		m.Append(r.IP)
	}
	return m
}

// OK sends /VMC/Ext/OK: 1 argument, 3 with a.HasCalibration (v2.5), 4 with
// a.HasTracking (v2.7).
func (s *Sender) OK(a vmc.Availability) error { return s.SendPacket(msgOK(a)) }

// Time sends /VMC/Ext/T, the sender's relative time in seconds.
func (s *Sender) Time(t float32) error { return s.SendPacket(msg(vmc.AddrTime, t)) }

// Root sends /VMC/Ext/Root/Pos named "root": 8 arguments (v2.0), or 14 with
// the MR scale and offset when r.MR (v2.1). Unity coordinates, metres.
func (s *Sender) Root(r vmc.Root) error { return s.SendPacket(msgRoot(r)) }

// Bone sends /VMC/Ext/Bone/Pos for humanoid bone b, named in the given
// convention (humanoid.NamingUnity: "LeftThumbProximal"; NamingVRM1:
// "leftThumbMetacarpal"). t is the bone's local pose in Unity coordinates.
func (s *Sender) Bone(b humanoid.Bone, n humanoid.Naming, t vmc.Transform) error {
	return s.SendPacket(msgBone(b.Name(n), t))
}

// BoneName sends /VMC/Ext/Bone/Pos with any name.
func (s *Sender) BoneName(name string, t vmc.Transform) error {
	return s.SendPacket(msgBone(name, t))
}

// Blend sends one /VMC/Ext/Blend/Val (staged by the receiver until Apply).
func (s *Sender) Blend(name string, value float32) error {
	return s.SendPacket(msg(vmc.AddrBlendVal, name, value))
}

// BlendApply sends /VMC/Ext/Blend/Apply.
func (s *Sender) BlendApply() error { return s.SendPacket(msg(vmc.AddrBlendApply)) }

// Blends sends one bundle of a Val per blend followed by Apply, as
// VirtualMotionCapture does (field notes §1).
func (s *Sender) Blends(blends []vmc.Blend) error { return s.SendPacket(BlendBundle(blends)) }

// BlendBundle builds the bundle VirtualMotionCapture sends for blendshapes
// (field notes §1): a /VMC/Ext/Blend/Val per blend, in order, then
// /VMC/Ext/Blend/Apply.
func BlendBundle(blends []vmc.Blend) *goosc.Bundle {
	b := goosc.NewBundle(time.Time{})
	for _, v := range blends {
		b.Append(msg(vmc.AddrBlendVal, v.Name, v.Value))
	}
	b.Append(msg(vmc.AddrBlendApply))
	return b
}

// Camera sends /VMC/Ext/Cam (v2.1): pose and vertical FOV in degrees.
func (s *Sender) Camera(c vmc.Camera) error { return s.SendPacket(msgCamera(c)) }

// Light sends /VMC/Ext/Light (v2.4).
func (s *Sender) Light(l vmc.Light) error { return s.SendPacket(msgLight(l)) }

// Background sends /VMC/Ext/Setting/Color (v2.4).
func (s *Sender) Background(c vmc.Color) error { return s.SendPacket(msgBackground(c)) }

// Window sends /VMC/Ext/Setting/Win (v2.4).
func (s *Sender) Window(w vmc.Window) error { return s.SendPacket(msgWindow(w)) }

// VRM sends /VMC/Ext/VRM: path and title (v2.4), plus the hash when
// v.HasHash (v2.7).
func (s *Sender) VRM(v vmc.VRMInfo) error { return s.SendPacket(msgVRM(v)) }

// Remote sends /VMC/Ext/Remote (v3.0).
func (s *Sender) Remote(r vmc.RemoteInfo) error {
	return s.SendPacket(msg(vmc.AddrRemote, r.Service, r.JSON))
}

// Option sends /VMC/Ext/Opt (v2.4).
func (s *Sender) Option(opt string) error { return s.SendPacket(msg(vmc.AddrOption, opt)) }

// Config sends /VMC/Ext/Config (v2.5), the loaded settings path.
func (s *Sender) Config(path string) error { return s.SendPacket(msg(vmc.AddrConfig, path)) }

// Receive sends /VMC/Ext/Rcv: enable and port (v2.4), plus the IP when
// r.HasIP (v2.7).
func (s *Sender) Receive(r vmc.ReceiveInfo) error { return s.SendPacket(msgReceive(r)) }

// Device sends /VMC/Ext/{Hmd,Con,Tra}/Pos, or …/Pos/Local when d.Local.
func (s *Sender) Device(d vmc.Device) error { return s.SendPacket(msgDevice(d)) }

// Key sends /VMC/Ext/Key (v2.1).
func (s *Sender) Key(k vmc.KeyInput) error {
	return s.SendPacket(msg(vmc.AddrKey, k.Active, k.Name, k.KeyCode))
}

// Controller sends /VMC/Ext/Con (v2.1).
func (s *Sender) Controller(c vmc.ControllerInput) error {
	return s.SendPacket(msg(vmc.AddrController, c.Active, c.Name, b2i(c.IsLeft), b2i(c.IsTouch),
		b2i(c.IsAxis), c.Axis.X, c.Axis.Y, c.Axis.Z))
}

// MidiNote sends /VMC/Ext/Midi/Note (v2.2).
func (s *Sender) MidiNote(n vmc.MidiNote) error {
	return s.SendPacket(msg(vmc.AddrMidiNote, n.Active, n.Channel, n.Note, n.Velocity))
}

// MidiCCValue sends /VMC/Ext/Midi/CC/Val (v2.2; to a Performer, v2.3).
func (s *Sender) MidiCCValue(knob int32, value float32) error {
	return s.SendPacket(msg(vmc.AddrMidiCCValue, knob, value))
}

// MidiCCBit sends /VMC/Ext/Midi/CC/Bit (v2.2).
func (s *Sender) MidiCCBit(knob, active int32) error {
	return s.SendPacket(msg(vmc.AddrMidiCCBit, knob, active))
}

// Thru sends a /VMC/Thru/… message (v2.6); address must start with
// AddrThruPrefix. Argument types as for Send; the spec's shapes are
// (string), (string, float32) and (string, int32).
func (s *Sender) Thru(address string, args ...any) error {
	if len(address) <= len(vmc.AddrThruPrefix) || address[:len(vmc.AddrThruPrefix)] != vmc.AddrThruPrefix {
		return fmt.Errorf("vmctest: Thru address %q does not start with %s", address, vmc.AddrThruPrefix)
	}
	return s.Send(address, args...)
}

// Period is /VMC/Ext/Set/Period (v2.3): the Performer sends each kind of
// data every N frames.
type Period struct {
	Status, Root, Bone, BlendShape, Camera, Devices int32
}

// SetPeriod sends /VMC/Ext/Set/Period to a Performer.
func (s *Sender) SetPeriod(p Period) error {
	return s.SendPacket(msg(vmc.AddrSetPeriod, p.Status, p.Root, p.Bone, p.BlendShape, p.Camera, p.Devices))
}

// SetEye sends /VMC/Ext/Set/Eye to a Performer: the eye-tracking target,
// relative to the head from v2.8 (absolute before).
func (s *Sender) SetEye(enable bool, target vmc.Vec3) error {
	return s.SendPacket(msg(vmc.AddrSetEye, b2i(enable), target.X, target.Y, target.Z))
}

// SetReq sends /VMC/Ext/Set/Req: ask the Performer to send everything now.
func (s *Sender) SetReq() error { return s.SendPacket(msg(vmc.AddrSetReq)) }

// SetRes sends /VMC/Ext/Set/Res, a free-form response string.
func (s *Sender) SetRes(response string) error { return s.SendPacket(msg(vmc.AddrSetRes, response)) }

// SetCalibReady sends /VMC/Ext/Set/Calib/Ready. Leave the user time between
// Ready and Exec (spec).
func (s *Sender) SetCalibReady() error { return s.SendPacket(msg(vmc.AddrSetCalibReady)) }

// SetCalibExec sends /VMC/Ext/Set/Calib/Exec with the calibration mode.
func (s *Sender) SetCalibExec(mode vmc.CalibrationMode) error {
	return s.SendPacket(msg(vmc.AddrSetCalibExec, int32(mode)))
}

// SetConfig sends /VMC/Ext/Set/Config: ask the Performer to load a settings
// file.
func (s *Sender) SetConfig(path string) error { return s.SendPacket(msg(vmc.AddrSetConfig, path)) }

// bonesPerBundle is how many bones VirtualMotionCapture puts in each
// sub-bundle (field notes §1).
const bonesPerBundle = 13

// FrameBundle builds the bundle VirtualMotionCapture sends every frame
// (field notes §1), from f: Root/Pos (14 arguments when f.Root.MR), the
// received bones (named by f.Naming) in sub-bundles of 13 with the remainder
// directly in the frame bundle, the camera and devices if received, OK and T
// if received. go-osc writes a bundle's messages before its sub-bundles.
func FrameBundle(f *vmc.Frame) *goosc.Bundle {
	frame := goosc.NewBundle(time.Time{})
	if f.Root.Received {
		frame.Append(msgRoot(f.Root))
	}
	var sub *goosc.Bundle
	n := 0
	bones := f.BonesReceived.Bones()
	full := len(bones) - len(bones)%bonesPerBundle
	for i, b := range bones {
		m := msgBone(b.Name(f.Naming), f.Bones[b])
		if i >= full {
			frame.Append(m)
			continue
		}
		if sub == nil {
			sub = goosc.NewBundle(time.Time{})
		}
		sub.Append(m)
		if n++; n == bonesPerBundle {
			frame.Append(sub)
			sub, n = nil, 0
		}
	}
	if f.Camera.Received {
		frame.Append(msgCamera(f.Camera))
	}
	for _, d := range f.Devices {
		frame.Append(msgDevice(d))
	}
	if f.Available.Received {
		frame.Append(msgOK(f.Available))
	}
	if f.TimeReceived {
		frame.Append(msg(vmc.AddrTime, f.Time))
	}
	return frame
}

// SendFrame sends f the way VirtualMotionCapture sends a frame: the frame
// bundle (see [FrameBundle]), then, if f has blends, a second bundle of a
// Val per blend and Apply.
func (s *Sender) SendFrame(f *vmc.Frame) error {
	if err := s.SendPacket(FrameBundle(f)); err != nil {
		return err
	}
	if len(f.Blends) == 0 {
		return nil
	}
	return s.SendPacket(BlendBundle(f.Blends))
}

// SendLowFrequency sends f's low-rate state the way VirtualMotionCapture
// does (field notes §1): one bundle with Rcv, Light, Setting/Color and
// Setting/Win (those received), then VRM, Remote, Config and Opt each alone
// (those set).
func (s *Sender) SendLowFrequency(f *vmc.Frame) error {
	b := goosc.NewBundle(time.Time{})
	if f.Receive.Received {
		b.Append(msgReceive(f.Receive))
	}
	if f.Light.Received {
		b.Append(msgLight(f.Light))
	}
	if f.Background.Received {
		b.Append(msgBackground(f.Background.Color))
	}
	if f.Window.Received {
		b.Append(msgWindow(f.Window))
	}
	if len(b.Messages) > 0 {
		if err := s.SendPacket(b); err != nil {
			return err
		}
	}
	if f.VRM.Received {
		if err := s.VRM(f.VRM); err != nil {
			return err
		}
	}
	if f.Remote.Received {
		if err := s.Remote(f.Remote); err != nil {
			return err
		}
	}
	if f.Config != "" {
		if err := s.Config(f.Config); err != nil {
			return err
		}
	}
	if f.Option != "" {
		return s.Option(f.Option)
	}
	return nil
}
