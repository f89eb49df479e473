// Package vmc is the Marionette side of the VMC Protocol (OSC 1.0 over UDP):
// a [Receiver] that decodes every Performer→Marionette message of the spec
// into a [Scene], the live state a renderer reads one consistent [Frame] at
// a time, plus [Event]s for the messages that are happenings rather than
// state (keys, controllers, MIDI, /VMC/Thru, avatar changes); and a [Sender]
// for the Performer/Assistant side, used by tools and tests.
//
// Spec: ../shared/spec/vmc-protocol-en.md and vmc-protocol-marionette-ja.md
// ("Marionette" section for what is received, "Performer" for what is sent).
// Facts and pitfalls: field notes §1 (wire, bundling, EVMC4U behaviour) and §2
// (bone names).
//
// Every value is stored exactly as received, in Unity's coordinate frame
// (left-handed, +X right, +Y up, +Z forward; positions in metres, quaternions
// x, y, z, w). Converting to the VRM frame is package retarget's job (field notes §3).
//
// Robustness rules (spec "Communication format", field notes §1): unknown
// addresses and extra arguments are ignored; a message with too few or
// wrong-typed arguments is dropped and counted per address; a malformed OSC
// element drops only itself; nothing a sender does can grow memory without
// bound (blend keys, devices, senders and unknown addresses are capped).
package vmc

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Vec3 is a vector in Unity coordinates (left-handed: +X right, +Y up, +Z
// forward); positions are in metres.
type Vec3 struct{ X, Y, Z float32 }

// Quat is a rotation quaternion in Unity coordinates, components in the wire
// order x, y, z, w, as sent (not renormalised).
type Quat struct{ X, Y, Z, W float32 }

// Array returns v as [x, y, z] (the layout of retarget.UnityTransform.Position).
func (v Vec3) Array() [3]float32 { return [3]float32{v.X, v.Y, v.Z} }

// Array returns q as [x, y, z, w] (the layout of retarget.UnityTransform.Rotation
// and of glTF; mathgl's mgl32.Quat puts W first).
func (q Quat) Array() [4]float32 { return [4]float32{q.X, q.Y, q.Z, q.W} }

// Identity is the identity rotation.
var Identity = Quat{W: 1}

// Transform is a pose in Unity coordinates: position in metres, rotation.
type Transform struct {
	Position Vec3
	Rotation Quat
}

// Color is an RGBA colour, components as sent (Unity Color, nominally 0–1).
type Color struct{ R, G, B, A float32 }

// Root is the model root from /VMC/Ext/Root/Pos (spec "Root Transform"): the
// absolute pose of the avatar's root object, which the spec recommends
// applying as the root's local pose.
type Root struct {
	Transform
	// Scale and Offset are the v2.1 MR-compositing scale and offset, raw. A
	// v2.0 message (8 arguments) sets Scale to (1, 1, 1) and Offset to zero.
	// EVMC4U applies them as model scale 1/s, position ⊙ 1/s − offset ⊙ 1/s
	// (field notes §1); that is the consumer's choice.
	Scale, Offset Vec3
	MR            bool // the latest Root/Pos carried Scale and Offset (v2.1, 14 arguments)
	Received      bool // a Root/Pos has been received
}

// CalibrationState is the calibration state of /VMC/Ext/OK (v2.5).
type CalibrationState int32

// Calibration states (spec "Available").
const (
	Uncalibrated          CalibrationState = 0
	WaitingForCalibrating CalibrationState = 1
	Calibrating           CalibrationState = 2
	Calibrated            CalibrationState = 3
)

// String returns "uncalibrated", "waiting for calibration", "calibrating",
// "calibrated", or "calibration state N" for a value the spec does not define.
func (c CalibrationState) String() string {
	switch c {
	case Uncalibrated:
		return "uncalibrated"
	case WaitingForCalibrating:
		return "waiting for calibration"
	case Calibrating:
		return "calibrating"
	case Calibrated:
		return "calibrated"
	}
	return "calibration state " + itoa(int64(c))
}

// CalibrationMode is the calibration mode of /VMC/Ext/OK (v2.5) and
// /VMC/Ext/Set/Calib/Exec.
type CalibrationMode int32

// Calibration modes (spec "Available"; EVMC4U adds 3 for T-pose).
const (
	CalibrationNormal     CalibrationMode = 0
	CalibrationMRNormal   CalibrationMode = 1
	CalibrationMRFloorFix CalibrationMode = 2
)

// String returns "normal", "MR normal", "MR floor fix", or "calibration
// mode N" for a value the spec does not define.
func (m CalibrationMode) String() string {
	switch m {
	case CalibrationNormal:
		return "normal"
	case CalibrationMRNormal:
		return "MR normal"
	case CalibrationMRFloorFix:
		return "MR floor fix"
	}
	return "calibration mode " + itoa(int64(m))
}

// Availability is /VMC/Ext/OK (spec "Available"): 1 argument up to v2.4,
// 3 from v2.5, 4 from v2.7.
type Availability struct {
	Loaded         bool             // loaded = 1: an avatar is loaded and bones are sent
	Calibration    CalibrationState // valid if HasCalibration
	Mode           CalibrationMode  // valid if HasCalibration
	TrackingOK     bool             // tracking status = 1; valid if HasTracking
	HasCalibration bool             // the latest OK carried the v2.5 calibration state and mode
	HasTracking    bool             // the latest OK carried the v2.7 tracking status
	Received       bool             // an OK has been received
}

// Camera is /VMC/Ext/Cam (v2.1): the Performer's current camera.
type Camera struct {
	Name string
	Transform
	FOV      float32 // Unity's vertical field of view, degrees
	Received bool
}

// Light is /VMC/Ext/Light (v2.4): the Performer's directional light. A Unity
// light shines along its local +Z.
type Light struct {
	Name string
	Transform
	Color    Color // RGBA; VMC sends no intensity (field notes §1)
	Received bool
}

// Background is /VMC/Ext/Setting/Color (v2.4).
type Background struct {
	Color    Color
	Received bool
}

// Window is /VMC/Ext/Setting/Win (v2.4): the Performer's window attributes.
type Window struct {
	TopMost, Transparent, ClickThrough, HideBorder bool
	Received                                       bool
}

// VRMInfo is /VMC/Ext/VRM (v2.4, hash from v2.7): the local VRM file the
// Performer has loaded. Path is the Performer's own path, possibly from
// another OS: never open it without the user's say (spec "Local VRM
// information").
type VRMInfo struct {
	Path, Title string
	Hash        string // SHA-256 of the loaded VRM data; valid if HasHash
	HasHash     bool
	Received    bool
}

// RemoteInfo is /VMC/Ext/Remote (v3.0): an avatar loaded from an online
// service ("vroidhub", "dmmvrconnect"…) and its service-defined JSON.
type RemoteInfo struct {
	Service, JSON string
	Received      bool
}

// ReceiveInfo is /VMC/Ext/Rcv (v2.4, IP from v2.7): whether the Performer's
// own receiver (for Assistants) is enabled, and where.
type ReceiveInfo struct {
	Enable   bool
	Port     int32  // undefined when !Enable (spec)
	IP       string // valid if HasIP
	HasIP    bool
	Received bool
}

// DeviceKind is the kind of a tracked device.
type DeviceKind uint8

// Device kinds: /VMC/Ext/Hmd, /VMC/Ext/Con, /VMC/Ext/Tra.
const (
	DeviceHMD DeviceKind = iota
	DeviceController
	DeviceTracker
)

// String returns the kind as it appears in the address ("Hmd", "Con",
// "Tra"), or "device kind N" for a value this package does not define.
func (k DeviceKind) String() string {
	switch k {
	case DeviceHMD:
		return "Hmd"
	case DeviceController:
		return "Con"
	case DeviceTracker:
		return "Tra"
	}
	return "device kind " + itoa(int64(k))
}

// Device is one /VMC/Ext/{Hmd,Con,Tra}/Pos[/Local] pose (v2.2, Local v2.3).
type Device struct {
	Kind   DeviceKind
	Local  bool   // from …/Pos/Local: the device's raw scale; else scaled to the avatar
	Serial string // OpenVR serial number
	Transform
}

// Blend is one applied /VMC/Ext/Blend/Val value (a VRM 0.x BlendShapeProxy
// or VRM 1.0 expression name, as the sender spells it, and its weight 0–1).
type Blend struct {
	Name  string
	Value float32
	// Order is when Value was received, as a count of the scene's
	// Blend/Val messages: of two keys, the one with the larger Order was
	// received later. A consumer mapping two keys to one expression (VRM
	// 0.x "Joy" and VRM 1.0 "happy") uses the later one, so that a
	// Performer that stopped sending one of them leaves no stale weight.
	Order uint64
}

// Frame is one consistent view of the scene, as published after a packet.
// Get one with [Scene.Snapshot]. All poses are raw, in Unity coordinates.
type Frame struct {
	// Seq is the publication number: 0 before anything was received, then
	// +1 for every packet that changed the scene.
	Seq uint64
	// Received is the local arrival time of the packet that made this frame,
	// From its sender.
	Received time.Time
	From     netip.AddrPort

	Available Availability // /VMC/Ext/OK
	// Time is the sender's relative time from /VMC/Ext/T, seconds; valid if
	// TimeReceived. XR Animator never sends it (field notes §1).
	Time         float32
	TimeReceived bool

	Root Root
	// Bones are the humanoid bones' local poses from /VMC/Ext/Bone/Pos,
	// indexed by humanoid.Bone, valid where BonesReceived has the bone.
	// Bone names are resolved with the sending Performer's naming (Naming).
	Bones         [humanoid.Count]Transform
	BonesReceived humanoid.Set
	// Naming is the bone naming of the latest sender of bones: VRM 1.0 when
	// it names a bone ThumbMetacarpal (field notes §2), else Unity.
	Naming humanoid.Naming

	// Blends are the applied blend values: a key appears at the first
	// /VMC/Ext/Blend/Apply after its first Val and keeps its last applied
	// value from then on (keys not resent keep their value, as in EVMC4U).
	// Keys keep their order; a key evicted from a full table (MaxBlendKeys,
	// EvictAfter) leaves the slice and the keys after it move up one, so
	// match entries by Name, not by index alone. Keys match
	// case-insensitively (ASCII); Name is the first spelling seen. At most
	// [MaxBlendKeys] keys.
	Blends []Blend

	Camera     Camera
	Light      Light
	Background Background
	Window     Window
	VRM        VRMInfo
	Remote     RemoteInfo
	Receive    ReceiveInfo
	Option     string // /VMC/Ext/Opt (v2.4), the latest option string
	Config     string // /VMC/Ext/Config (v2.5), the Performer's settings path
	// Devices are the tracked devices in first-seen order, one per
	// (kind, local, serial), at most [MaxDevices] (a full table evicts
	// the one heard from least recently once it is EvictAfter old).
	Devices []Device
}

// Blend returns the applied value of the blend key name (ASCII
// case-insensitive) and whether the key exists.
func (f *Frame) Blend(name string) (float32, bool) {
	for _, b := range f.Blends {
		if mathx.EqualFoldASCII(b.Name, name) {
			return b.Value, true
		}
	}
	return 0, false
}

// Bone returns the local pose of bone b and whether it has been received.
func (f *Frame) Bone(b humanoid.Bone) (Transform, bool) {
	if !f.BonesReceived.Has(b) {
		return Transform{Rotation: Identity}, false
	}
	return f.Bones[b], true
}

// CopyFrom makes f a deep copy of src, reusing f's slices: no allocation once
// they are large enough. f must not share slices with src.
func (f *Frame) CopyFrom(src *Frame) {
	blends := append(f.Blends[:0], src.Blends...)
	devices := append(f.Devices[:0], src.Devices...)
	*f = *src
	f.Blends = blends
	f.Devices = devices
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
