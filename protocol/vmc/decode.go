package vmc

import (
	"github.com/kugutsu/kugutsu/protocol/osc"
)

// Decoding, in three steps for every well-formed OSC message of a packet
// ([Scene.Feed] walks the packet with osc.Reader):
//
//  1. handle finds the address's entry in the handlers table (the previous
//     message's address first: Performers send runs of one address);
//  2. the one validation layer, check, compares the message's type tags with
//     the entry's signature: a mismatch drops the message whole and is
//     counted under its address (AddressStatus.ShortArgs, WrongType);
//  3. the entry's decode function reads the arguments, which cannot fail on
//     a message that passed check (an argReader, whose first failure sticks;
//     on the per-frame path — Bone/Pos, Blend/Val, device poses — osc.Args
//     directly, each error returned), and only then applies them to the
//     scene (or queues an event).
//
// Extra arguments beyond the signature are ignored (spec: "too many arguments
// should be ignored"), except where a later version of the message adds them
// (Root/Pos v2.1, OK v2.5/v2.7, Rcv v2.7, VRM v2.7), which decode functions
// test with has.

// fault is why a well-formed message was dropped.
type fault uint8

const (
	faultNone  fault = iota
	faultShort       // too few arguments
	faultType        // an argument of the wrong type
	faultLimit       // a limit (key count, name length) was reached
)

// Signatures shared by several messages (spec "Marionette").
const (
	sigPose  = "sfffffff" // name/serial, position x y z, rotation x y z w
	sigMR    = "ffffff"   // Root/Pos v2.1 tail: scale, offset
	sigColor = "ffff"     // r g b a
)

// handler is how one Marionette-bound address is decoded.
type handler struct {
	// addr is the OSC address ("/VMC/Thru/*" for every /VMC/Thru/… address,
	// matched by prefix).
	addr string
	// sig is the type tags every version of the message starts with (spec
	// "Marionette"); check drops a message that does not start with them.
	sig string
	// decode applies the message in Scene.msg, whose tags start with sig.
	// It reports faultLimit when a table is full, or the fault of a failed
	// argument read; nothing is applied then.
	decode func(s *Scene, id addrID) fault
}

// handlers is the decoding table, indexed by addrID. The spec's Marionette
// messages and their versions: ../shared/spec (VMC EN), field notes §1.
var handlers = [numAddrs]handler{
	idOK:           {AddrOK, "i", (*Scene).decodeOK},
	idTime:         {AddrTime, "f", (*Scene).decodeTime},
	idRoot:         {AddrRoot, sigPose, (*Scene).decodeRoot},
	idBone:         {AddrBone, sigPose, (*Scene).decodeBone},
	idBlendVal:     {AddrBlendVal, "sf", (*Scene).decodeBlendVal},
	idBlendApply:   {AddrBlendApply, "", (*Scene).decodeBlendApply},
	idCamera:       {AddrCamera, sigPose + "f", (*Scene).decodeCamera},
	idController:   {AddrController, "isiiifff", (*Scene).decodeController},
	idKey:          {AddrKey, "isi", (*Scene).decodeKey},
	idMidiNote:     {AddrMidiNote, "iiif", (*Scene).decodeMidiNote},
	idMidiCCValue:  {AddrMidiCCValue, "if", (*Scene).decodeMidiCCValue},
	idMidiCCBit:    {AddrMidiCCBit, "ii", (*Scene).decodeMidiCCBit},
	idHMD:          {AddrHMDPos, sigPose, (*Scene).decodeDevice},
	idCon:          {AddrControllerPos, sigPose, (*Scene).decodeDevice},
	idTracker:      {AddrTrackerPos, sigPose, (*Scene).decodeDevice},
	idHMDLocal:     {AddrHMDPosLocal, sigPose, (*Scene).decodeDevice},
	idConLocal:     {AddrControllerPosLocal, sigPose, (*Scene).decodeDevice},
	idTrackerLocal: {AddrTrackerPosLocal, sigPose, (*Scene).decodeDevice},
	idReceive:      {AddrReceive, "ii", (*Scene).decodeReceive},
	idLight:        {AddrLight, sigPose + sigColor, (*Scene).decodeLight},
	idVRM:          {AddrVRM, "ss", (*Scene).decodeVRM},
	idRemote:       {AddrRemote, "ss", (*Scene).decodeRemote},
	idOption:       {AddrOption, "s", (*Scene).decodeOption},
	idBackground:   {AddrBackground, sigColor, (*Scene).decodeBackground},
	idWindow:       {AddrWindow, "iiii", (*Scene).decodeWindow},
	idConfig:       {AddrConfig, "s", (*Scene).decodeConfig},
	idThru:         {addrThruStatistics, "", (*Scene).decodeThru},
}

// lookupAddr maps a Marionette-bound address to its id: the handlers entry
// of that address, or idThru for any /VMC/Thru/… address. A scan comparing
// lengths first costs about what a map lookup's hashing does, for 27
// entries, and it runs only when the address differs from the previous
// message's.
func lookupAddr(a []byte) (addrID, bool) {
	for id := range idThru {
		if h := &handlers[id]; len(h.addr) == len(a) && h.addr == string(a) {
			return id, true
		}
	}
	if len(a) > len(AddrThruPrefix) && string(a[:len(AddrThruPrefix)]) == AddrThruPrefix {
		return idThru, true
	}
	return 0, false
}

// handle decodes the well-formed message in s.msg and counts it under its
// address, or as unknown.
func (s *Scene) handle() {
	m := &s.msg
	id := s.lastID
	if string(m.Address) != handlers[id].addr || id == idThru {
		var ok bool
		if id, ok = lookupAddr(m.Address); !ok {
			s.countUnknown(m.Address)
			return
		}
		s.lastID = id
	}
	st := &s.addrs[id]
	st.Messages++
	h := &handlers[id]
	f := check(m.Tags, h.sig)
	if f == faultNone {
		f = h.decode(s, id)
	}
	switch f {
	case faultNone:
		return
	case faultShort:
		st.ShortArgs++
	case faultType:
		st.WrongType++
	case faultLimit:
		st.Limited++
	}
	s.snd.rejected++
	s.totals.Rejected++
}

// check compares a message's type tags with the signature a version of its
// address needs: a mismatch in the common prefix is a wrong type, a prefix
// that ends early is too few arguments, extra arguments are fine.
func check(tags []byte, sig string) fault {
	n := min(len(tags), len(sig))
	if string(tags[:n]) != sig[:n] {
		return faultType
	}
	if len(tags) < len(sig) {
		return faultShort
	}
	return faultNone
}

// has reports whether tags continue with sig at offset off: whether the
// message is a later version that appends sig.
func has(tags []byte, off int, sig string) bool {
	return len(tags) >= off+len(sig) && string(tags[off:off+len(sig)]) == sig
}

// argReader reads the arguments of a message that passed check. osc.Reader
// has checked the argument data against the tags and check the tags against
// the signature, so its reads cannot fail; if one did all the same (a
// signature in handlers shorter than what its decode function reads), the
// first failure sticks, later reads return zero values, and decode functions
// return fault() before applying anything. It lives on the decode
// function's stack (Scene.argReader returns it by value): no write to the
// Scene per message.
type argReader struct {
	a osc.Args
	f fault // of the first failed read
}

// argReader returns a reader of the arguments of the message being decoded.
func (s *Scene) argReader() argReader { return argReader{a: s.msg.Args()} }

// fault returns the fault of the first failed read: faultShort for a
// missing argument, faultType for any other, faultNone if none failed.
func (r *argReader) fault() fault { return r.f }

// fail records the first failed read's fault.
func (r *argReader) fail(err error) {
	if err == osc.ErrMissingArg {
		r.f = faultShort
	} else {
		r.f = faultType
	}
}

// str reads an 's' argument: a view into the packet.
func (r *argReader) str() []byte {
	if r.f != faultNone {
		return nil
	}
	b, err := r.a.Str()
	if err != nil {
		r.fail(err)
	}
	return b
}

// i32 reads an 'i' argument.
func (r *argReader) i32() int32 {
	if r.f != faultNone {
		return 0
	}
	v, err := r.a.Int32()
	if err != nil {
		r.fail(err)
	}
	return v
}

// f32 reads an 'f' argument.
func (r *argReader) f32() float32 {
	if r.f != faultNone {
		return 0
	}
	v, err := r.a.Float32()
	if err != nil {
		r.fail(err)
	}
	return v
}

// floats reads len(dst) 'f' arguments into dst.
func (r *argReader) floats(dst []float32) {
	if r.f != faultNone {
		return
	}
	if err := r.a.Float32s(dst); err != nil {
		r.fail(err)
	}
}

// flag reads an int flag, 1 = true (spec: "1=true, 0=false"; any non-zero
// is taken as true).
func (r *argReader) flag() bool { return r.i32() != 0 }

// pose reads the "sfffffff" of a pose message: a name or serial (a view into
// the packet) and a Unity transform.
func (r *argReader) pose() ([]byte, Transform) {
	name := r.str()
	var v [7]float32
	r.floats(v[:])
	return name, Transform{Vec3{v[0], v[1], v[2]}, Quat{v[3], v[4], v[5], v[6]}}
}

// vec3 reads "fff".
func (r *argReader) vec3() Vec3 {
	var v [3]float32
	r.floats(v[:])
	return Vec3{v[0], v[1], v[2]}
}

// color reads "ffff" as r g b a.
func (r *argReader) color() Color {
	var v [4]float32
	r.floats(v[:])
	return Color{v[0], v[1], v[2], v[3]}
}

// setString sets *dst to b, allocating only if it differs, and reports
// whether it did.
func setString(dst *string, b []byte) bool {
	if string(b) == *dst {
		return false
	}
	*dst = string(b)
	return true
}

// faultOf is the fault of a failed osc.Args read: faultShort for a missing
// argument, faultType for any other.
func faultOf(err error) fault {
	if err == osc.ErrMissingArg {
		return faultShort
	}
	return faultType
}

// readPose reads the "sfffffff" of a pose message: a name or serial (a view
// into the packet) and a Unity transform.
func readPose(a *osc.Args) ([]byte, Transform, error) {
	name, err := a.Str()
	if err != nil {
		return nil, Transform{}, err
	}
	var v [7]float32
	if err := a.Float32s(v[:]); err != nil {
		return nil, Transform{}, err
	}
	return name, Transform{Vec3{v[0], v[1], v[2]}, Quat{v[3], v[4], v[5], v[6]}}, nil
}
