package vmc

// OSC addresses of the VMC Protocol. Marionette-bound messages (spec
// "Marionette") are decoded by [Scene]; Performer-bound ones (spec
// "Performer") are only sent, by [Sender].
const (
	AddrOK                 = "/VMC/Ext/OK"
	AddrTime               = "/VMC/Ext/T"
	AddrRoot               = "/VMC/Ext/Root/Pos"
	AddrBone               = "/VMC/Ext/Bone/Pos"
	AddrBlendVal           = "/VMC/Ext/Blend/Val"
	AddrBlendApply         = "/VMC/Ext/Blend/Apply"
	AddrCamera             = "/VMC/Ext/Cam"
	AddrController         = "/VMC/Ext/Con"
	AddrKey                = "/VMC/Ext/Key"
	AddrMidiNote           = "/VMC/Ext/Midi/Note"
	AddrMidiCCValue        = "/VMC/Ext/Midi/CC/Val"
	AddrMidiCCBit          = "/VMC/Ext/Midi/CC/Bit"
	AddrHMDPos             = "/VMC/Ext/Hmd/Pos"
	AddrControllerPos      = "/VMC/Ext/Con/Pos"
	AddrTrackerPos         = "/VMC/Ext/Tra/Pos"
	AddrHMDPosLocal        = "/VMC/Ext/Hmd/Pos/Local"
	AddrControllerPosLocal = "/VMC/Ext/Con/Pos/Local"
	AddrTrackerPosLocal    = "/VMC/Ext/Tra/Pos/Local"
	AddrReceive            = "/VMC/Ext/Rcv"
	AddrLight              = "/VMC/Ext/Light"
	AddrVRM                = "/VMC/Ext/VRM"
	AddrRemote             = "/VMC/Ext/Remote"
	AddrOption             = "/VMC/Ext/Opt"
	AddrBackground         = "/VMC/Ext/Setting/Color"
	AddrWindow             = "/VMC/Ext/Setting/Win"
	AddrConfig             = "/VMC/Ext/Config"
	// AddrThruPrefix starts every /VMC/Thru/… address (v2.6): vendor
	// messages an Assistant sends through the Performer.
	AddrThruPrefix = "/VMC/Thru/"

	AddrSetPeriod      = "/VMC/Ext/Set/Period"
	AddrSetEye         = "/VMC/Ext/Set/Eye"
	AddrSetReq         = "/VMC/Ext/Set/Req"
	AddrSetRes         = "/VMC/Ext/Set/Res"
	AddrSetCalibReady  = "/VMC/Ext/Set/Calib/Ready"
	AddrSetCalibExec   = "/VMC/Ext/Set/Calib/Exec"
	AddrSetConfig      = "/VMC/Ext/Set/Config"
	addrThruStatistics = "/VMC/Thru/*" // the name Thru errors are counted under
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
