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

// addrID numbers the Marionette-bound addresses for per-address counters.
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

var addrNames = [numAddrs]string{
	idOK: AddrOK, idTime: AddrTime, idRoot: AddrRoot, idBone: AddrBone,
	idBlendVal: AddrBlendVal, idBlendApply: AddrBlendApply, idCamera: AddrCamera,
	idController: AddrController, idKey: AddrKey, idMidiNote: AddrMidiNote,
	idMidiCCValue: AddrMidiCCValue, idMidiCCBit: AddrMidiCCBit,
	idHMD: AddrHMDPos, idCon: AddrControllerPos, idTracker: AddrTrackerPos,
	idHMDLocal: AddrHMDPosLocal, idConLocal: AddrControllerPosLocal, idTrackerLocal: AddrTrackerPosLocal,
	idReceive: AddrReceive, idLight: AddrLight, idVRM: AddrVRM, idRemote: AddrRemote,
	idOption: AddrOption, idBackground: AddrBackground, idWindow: AddrWindow,
	idConfig: AddrConfig, idThru: addrThruStatistics,
}

// lookupAddr maps a Marionette-bound address to its id.
func lookupAddr(a []byte) (addrID, bool) {
	switch string(a) {
	case AddrBone:
		return idBone, true
	case AddrBlendVal:
		return idBlendVal, true
	case AddrBlendApply:
		return idBlendApply, true
	case AddrRoot:
		return idRoot, true
	case AddrOK:
		return idOK, true
	case AddrTime:
		return idTime, true
	case AddrCamera:
		return idCamera, true
	case AddrController:
		return idController, true
	case AddrKey:
		return idKey, true
	case AddrMidiNote:
		return idMidiNote, true
	case AddrMidiCCValue:
		return idMidiCCValue, true
	case AddrMidiCCBit:
		return idMidiCCBit, true
	case AddrHMDPos:
		return idHMD, true
	case AddrControllerPos:
		return idCon, true
	case AddrTrackerPos:
		return idTracker, true
	case AddrHMDPosLocal:
		return idHMDLocal, true
	case AddrControllerPosLocal:
		return idConLocal, true
	case AddrTrackerPosLocal:
		return idTrackerLocal, true
	case AddrReceive:
		return idReceive, true
	case AddrLight:
		return idLight, true
	case AddrVRM:
		return idVRM, true
	case AddrRemote:
		return idRemote, true
	case AddrOption:
		return idOption, true
	case AddrBackground:
		return idBackground, true
	case AddrWindow:
		return idWindow, true
	case AddrConfig:
		return idConfig, true
	}
	if len(a) > len(AddrThruPrefix) && string(a[:len(AddrThruPrefix)]) == AddrThruPrefix {
		return idThru, true
	}
	return 0, false
}
