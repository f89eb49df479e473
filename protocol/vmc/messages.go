package vmc

import "github.com/kugutsu/kugutsu/protocol/osc"

// The decode functions of the handlers table for the scene-state and event
// messages (bones: bones.go, blends: blends.go, devices: devices.go). Each
// reads every argument first, returns the reader's fault if a read failed,
// and only then changes the scene, so that a dropped message changes
// nothing. Sources: ../shared/spec (VMC EN, "Marionette"), field notes §1.

// decodeOK applies /VMC/Ext/OK: loaded (v1), calibration state and mode
// (v2.5), tracking status (v2.7).
func (s *Scene) decodeOK(addrID) fault {
	r, tags := s.argReader(), s.msg.Tags
	av := Availability{Loaded: r.flag(), Received: true}
	if has(tags, 1, "ii") {
		av.Calibration, av.Mode, av.HasCalibration = CalibrationState(r.i32()), CalibrationMode(r.i32()), true
		if has(tags, 3, "i") {
			av.TrackingOK, av.HasTracking = r.i32() == 1, true
		}
	}
	if f := r.fault(); f != faultNone {
		return f
	}
	if av != s.work.Available {
		s.work.Available = av
		s.dirty = true
	}
	return faultNone
}

// decodeTime applies /VMC/Ext/T: the Performer's time in seconds.
func (s *Scene) decodeTime(addrID) fault {
	r := s.argReader()
	v := r.f32()
	if f := r.fault(); f != faultNone {
		return f
	}
	if !s.work.TimeReceived || v != s.work.Time {
		s.work.Time, s.work.TimeReceived = v, true
		s.dirty = true
	}
	return faultNone
}

// decodeRoot applies /VMC/Ext/Root/Pos: the root pose (v2.0), with scale and
// offset (v2.1, MR).
func (s *Scene) decodeRoot(addrID) fault {
	r := s.argReader()
	_, t := r.pose()
	root := Root{Transform: t, Scale: Vec3{1, 1, 1}, Received: true}
	if has(s.msg.Tags, len(sigPose), sigMR) {
		root.Scale, root.Offset = r.vec3(), r.vec3()
		root.MR = true
	}
	if f := r.fault(); f != faultNone {
		return f
	}
	if root != s.work.Root {
		s.work.Root = root
		s.dirty = true
	}
	return faultNone
}

// decodeCamera applies /VMC/Ext/Cam (v2.1): name, pose, field of view in
// degrees.
func (s *Scene) decodeCamera(addrID) fault {
	r := s.argReader()
	name, t := r.pose()
	fov := r.f32()
	if f := r.fault(); f != faultNone {
		return f
	}
	c := &s.work.Camera
	if !c.Received || t != c.Transform || fov != c.FOV || string(name) != c.Name {
		setString(&c.Name, name)
		c.Transform, c.FOV, c.Received = t, fov, true
		s.dirty = true
	}
	return faultNone
}

// decodeLight applies /VMC/Ext/Light (v2.4): name, pose, colour.
func (s *Scene) decodeLight(addrID) fault {
	r := s.argReader()
	name, t := r.pose()
	col := r.color()
	if f := r.fault(); f != faultNone {
		return f
	}
	l := &s.work.Light
	if !l.Received || t != l.Transform || col != l.Color || string(name) != l.Name {
		setString(&l.Name, name)
		l.Transform, l.Color, l.Received = t, col, true
		s.dirty = true
	}
	return faultNone
}

// decodeReceive applies /VMC/Ext/Rcv (v2.4): enable, port, IP (v2.7); an
// EventReceive when it changes.
func (s *Scene) decodeReceive(addrID) fault {
	r := s.argReader()
	enable, port := r.flag(), r.i32()
	var ip []byte
	hasIP := has(s.msg.Tags, 2, "s")
	if hasIP {
		ip = r.str()
	}
	if f := r.fault(); f != faultNone {
		return f
	}
	rcv := &s.work.Receive
	if !rcv.Received || rcv.Enable != enable || rcv.Port != port || rcv.HasIP != hasIP || string(ip) != rcv.IP {
		rcv.Enable, rcv.Port, rcv.HasIP, rcv.Received = enable, port, hasIP, true
		setString(&rcv.IP, ip)
		s.dirty = true
		if ev := s.newEvent(EventReceive); ev != nil {
			ev.Receive = *rcv
		}
	}
	return faultNone
}

// decodeVRM applies /VMC/Ext/VRM (v2.4): path, title, hash (v2.7); an
// EventVRM when it changes.
func (s *Scene) decodeVRM(addrID) fault {
	r := s.argReader()
	path, title := r.str(), r.str()
	var hash []byte
	hasHash := has(s.msg.Tags, 2, "s")
	if hasHash {
		hash = r.str()
	}
	if f := r.fault(); f != faultNone {
		return f
	}
	v := &s.work.VRM
	if !v.Received || string(path) != v.Path || string(title) != v.Title || hasHash != v.HasHash || string(hash) != v.Hash {
		setString(&v.Path, path)
		setString(&v.Title, title)
		setString(&v.Hash, hash)
		v.HasHash, v.Received = hasHash, true
		s.dirty = true
		if ev := s.newEvent(EventVRM); ev != nil {
			ev.VRM = *v
		}
	}
	return faultNone
}

// decodeRemote applies /VMC/Ext/Remote (v3.0): service, JSON; an
// EventRemote when it changes.
func (s *Scene) decodeRemote(addrID) fault {
	r := s.argReader()
	service, json := r.str(), r.str()
	if f := r.fault(); f != faultNone {
		return f
	}
	rem := &s.work.Remote
	if !rem.Received || string(service) != rem.Service || string(json) != rem.JSON {
		setString(&rem.Service, service)
		setString(&rem.JSON, json)
		rem.Received = true
		s.dirty = true
		if ev := s.newEvent(EventRemote); ev != nil {
			ev.Remote = *rem
		}
	}
	return faultNone
}

// decodeOption applies /VMC/Ext/Opt (v2.4); an EventOption every time.
func (s *Scene) decodeOption(addrID) fault {
	r := s.argReader()
	opt := r.str()
	if f := r.fault(); f != faultNone {
		return f
	}
	if setString(&s.work.Option, opt) {
		s.dirty = true
	}
	if ev := s.newEvent(EventOption); ev != nil {
		ev.Option = s.work.Option
	}
	return faultNone
}

// decodeConfig applies /VMC/Ext/Config (v2.5); an EventConfig when it
// changes.
func (s *Scene) decodeConfig(addrID) fault {
	r := s.argReader()
	path := r.str()
	if f := r.fault(); f != faultNone {
		return f
	}
	if setString(&s.work.Config, path) {
		s.dirty = true
		if ev := s.newEvent(EventConfig); ev != nil {
			ev.Config = s.work.Config
		}
	}
	return faultNone
}

// decodeBackground applies /VMC/Ext/Setting/Color (v2.4); an
// EventBackground when it changes.
func (s *Scene) decodeBackground(addrID) fault {
	r := s.argReader()
	bg := Background{Color: r.color(), Received: true}
	if f := r.fault(); f != faultNone {
		return f
	}
	if bg != s.work.Background {
		s.work.Background = bg
		s.dirty = true
		if ev := s.newEvent(EventBackground); ev != nil {
			ev.Background = bg.Color
		}
	}
	return faultNone
}

// decodeWindow applies /VMC/Ext/Setting/Win (v2.4): four flags; an
// EventWindow when it changes.
func (s *Scene) decodeWindow(addrID) fault {
	r := s.argReader()
	w := Window{Received: true}
	w.TopMost = r.flag()
	w.Transparent = r.flag()
	w.ClickThrough = r.flag()
	w.HideBorder = r.flag()
	if f := r.fault(); f != faultNone {
		return f
	}
	if w != s.work.Window {
		s.work.Window = w
		s.dirty = true
		if ev := s.newEvent(EventWindow); ev != nil {
			ev.Window = w
		}
	}
	return faultNone
}

// decodeController queues an EventController (/VMC/Ext/Con, v2.1).
func (s *Scene) decodeController(addrID) fault {
	r := s.argReader()
	var c ControllerInput
	c.Active = r.i32()
	name := r.str()
	c.IsLeft = r.flag()
	c.IsTouch = r.flag()
	c.IsAxis = r.flag()
	c.Axis = r.vec3()
	if f := r.fault(); f != faultNone {
		return f
	}
	if ev := s.newEvent(EventController); ev != nil {
		c.Name = string(name)
		ev.Controller = c
	}
	return faultNone
}

// decodeKey queues an EventKey (/VMC/Ext/Key, v2.1).
func (s *Scene) decodeKey(addrID) fault {
	r := s.argReader()
	var k KeyInput
	k.Active = r.i32()
	name := r.str()
	k.KeyCode = r.i32()
	if f := r.fault(); f != faultNone {
		return f
	}
	if ev := s.newEvent(EventKey); ev != nil {
		k.Name = string(name)
		ev.Key = k
	}
	return faultNone
}

// decodeMidiNote queues an EventMidiNote (/VMC/Ext/Midi/Note, v2.2).
func (s *Scene) decodeMidiNote(addrID) fault {
	r := s.argReader()
	var n MidiNote
	n.Active = r.i32()
	n.Channel = r.i32()
	n.Note = r.i32()
	n.Velocity = r.f32()
	if f := r.fault(); f != faultNone {
		return f
	}
	if ev := s.newEvent(EventMidiNote); ev != nil {
		ev.MidiNote = n
	}
	return faultNone
}

// decodeMidiCCValue queues an EventMidiCCValue (/VMC/Ext/Midi/CC/Val, v2.2).
func (s *Scene) decodeMidiCCValue(addrID) fault {
	r := s.argReader()
	var c MidiCC
	c.Knob = r.i32()
	c.Value = r.f32()
	if f := r.fault(); f != faultNone {
		return f
	}
	if ev := s.newEvent(EventMidiCCValue); ev != nil {
		ev.MidiCC = c
	}
	return faultNone
}

// decodeMidiCCBit queues an EventMidiCCBit (/VMC/Ext/Midi/CC/Bit, v2.2).
func (s *Scene) decodeMidiCCBit(addrID) fault {
	r := s.argReader()
	var c MidiCC
	c.Knob = r.i32()
	c.Active = r.i32()
	if f := r.fault(); f != faultNone {
		return f
	}
	if ev := s.newEvent(EventMidiCCBit); ev != nil {
		ev.MidiCC = c
	}
	return faultNone
}

// decodeThru queues an EventThru (/VMC/Thru/…, v2.6) with any arguments.
func (s *Scene) decodeThru(addrID) fault {
	r := s.argReader()
	if ev := s.newEvent(EventThru); ev != nil {
		ev.Thru.Address = string(s.msg.Address)
		ev.Thru.Args = thruArgs(&r.a)
	}
	return faultNone
}

// thruArgs converts up to MaxThruArgs arguments to Go values (see [Thru]).
func thruArgs(a *osc.Args) []any {
	n := min(a.Len(), MaxThruArgs)
	out := make([]any, 0, n)
	for range n {
		arg, err := a.Next()
		if err != nil {
			break
		}
		switch arg.Type {
		case 'i':
			out = append(out, arg.Int32())
		case 'f':
			out = append(out, arg.Float32())
		case 's', 'S':
			out = append(out, string(arg.Bytes()))
		case 'b':
			out = append(out, append([]byte(nil), arg.Bytes()...))
		case 'h':
			out = append(out, arg.Int64())
		case 'd':
			out = append(out, arg.Float64())
		case 't':
			out = append(out, arg.TimeTag())
		case 'T', 'F':
			out = append(out, arg.Bool())
		default:
			out = append(out, nil)
		}
	}
	return out
}
