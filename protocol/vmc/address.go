package vmc

// OSC addresses of the VMC Protocol (../shared/spec, VMC EN; field notes
// §1), with their argument types and the version that added each form.
// Marionette-bound messages (spec "Marionette") are decoded by [Scene] (the
// handlers table in decode.go holds their signatures); Performer-bound ones
// (spec "Performer") are never decoded here, only sent by the test
// Performer/Assistant in package vmctest.
const (
	AddrOK                 = "/VMC/Ext/OK"            // i loaded [ii calibration state, mode (v2.5) [i tracking (v2.7)]]
	AddrTime               = "/VMC/Ext/T"             // f Performer time, seconds
	AddrRoot               = "/VMC/Ext/Root/Pos"      // s name, fff position, ffff rotation [fff scale, fff offset (v2.1)]
	AddrBone               = "/VMC/Ext/Bone/Pos"      // s bone name, fff position, ffff rotation (local, Unity)
	AddrBlendVal           = "/VMC/Ext/Blend/Val"     // s blend key, f value
	AddrBlendApply         = "/VMC/Ext/Blend/Apply"   // no arguments: commit the staged values
	AddrCamera             = "/VMC/Ext/Cam"           // s name, fff position, ffff rotation, f FOV degrees (v2.1)
	AddrController         = "/VMC/Ext/Con"           // i active, s name, iii left/touch/axis, fff axis (v2.1)
	AddrKey                = "/VMC/Ext/Key"           // i active, s name, i key code (v2.1)
	AddrMidiNote           = "/VMC/Ext/Midi/Note"     // i active, i channel, i note, f velocity (v2.2)
	AddrMidiCCValue        = "/VMC/Ext/Midi/CC/Val"   // i knob, f value (v2.2)
	AddrMidiCCBit          = "/VMC/Ext/Midi/CC/Bit"   // i knob, i active (v2.2)
	AddrHMDPos             = "/VMC/Ext/Hmd/Pos"       // s serial, fff position, ffff rotation (v2.2)
	AddrControllerPos      = "/VMC/Ext/Con/Pos"       // as AddrHMDPos (v2.2)
	AddrTrackerPos         = "/VMC/Ext/Tra/Pos"       // as AddrHMDPos (v2.2)
	AddrHMDPosLocal        = "/VMC/Ext/Hmd/Pos/Local" // as AddrHMDPos, the device's raw scale (v2.3)
	AddrControllerPosLocal = "/VMC/Ext/Con/Pos/Local" // as AddrHMDPosLocal (v2.3)
	AddrTrackerPosLocal    = "/VMC/Ext/Tra/Pos/Local" // as AddrHMDPosLocal (v2.3)
	AddrReceive            = "/VMC/Ext/Rcv"           // i enable, i port (v2.4) [s IP (v2.7)]
	AddrLight              = "/VMC/Ext/Light"         // s name, fff position, ffff rotation, ffff colour (v2.4)
	AddrVRM                = "/VMC/Ext/VRM"           // s path, s title (v2.4) [s hash (v2.7)]
	AddrRemote             = "/VMC/Ext/Remote"        // s service, s JSON (v3.0)
	AddrOption             = "/VMC/Ext/Opt"           // s option string (v2.4)
	AddrBackground         = "/VMC/Ext/Setting/Color" // ffff background colour (v2.4)
	AddrWindow             = "/VMC/Ext/Setting/Win"   // iiii top-most, transparent, click-through, hide border (v2.4)
	AddrConfig             = "/VMC/Ext/Config"        // s configuration file path (v2.5)
	// AddrThruPrefix starts every /VMC/Thru/… address (v2.6): vendor
	// messages an Assistant sends through the Performer.
	AddrThruPrefix = "/VMC/Thru/"

	// Performer-bound.
	AddrSetPeriod      = "/VMC/Ext/Set/Period"      // iiiiii send intervals in frames (v2.3; vmctest.Period)
	AddrSetEye         = "/VMC/Ext/Set/Eye"         // i enable, fff eye target (v2.3; head-relative from v2.8)
	AddrSetReq         = "/VMC/Ext/Set/Req"         // no arguments: request immediate transmission (v2.4)
	AddrSetRes         = "/VMC/Ext/Set/Res"         // s response (v2.4)
	AddrSetCalibReady  = "/VMC/Ext/Set/Calib/Ready" // no arguments: prepare calibration (v2.5)
	AddrSetCalibExec   = "/VMC/Ext/Set/Calib/Exec"  // i calibration mode (v2.5)
	AddrSetConfig      = "/VMC/Ext/Set/Config"      // s configuration file path (v2.5)
	addrThruStatistics = "/VMC/Thru/*"              // the name Thru messages are counted under
)

// addrID numbers the Marionette-bound addresses: the index of the handlers
// table (decode.go) and of the per-address counters.
type addrID uint8

const (
	idOK addrID = iota
	idTime
	idRoot
	idBone
	idBlendVal
	idBlendApply
	idCamera
	idController
	idKey
	idMidiNote
	idMidiCCValue
	idMidiCCBit
	idHMD
	idCon
	idTracker
	idHMDLocal
	idConLocal
	idTrackerLocal
	idReceive
	idLight
	idVRM
	idRemote
	idOption
	idBackground
	idWindow
	idConfig
	idThru
	numAddrs
)
