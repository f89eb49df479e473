package app

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/data/binding"

	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/retarget/face"
)

// Preference keys of the iFacialMocap panel.
const (
	prefIFMPhone        = "ifm.phone"
	prefIFMTransport    = "ifm.transport"
	prefIFMFormat       = "ifm.format"
	prefIFMConnected    = "ifm.connected" // reconnect at the next start
	prefIFMListenUDP    = "ifm.listenUDP"
	prefIFMListenTCP    = "ifm.listenTCP"
	prefIFMListenBake   = "ifm.listenBake"
	prefIFMMode         = "ifm.mode" // a mappingChoices id
	prefIFMEmotions     = "ifm.emotions"
	prefIFMSmoothing    = "ifm.smoothingMs"
	prefIFMMirror       = "ifm.mirror"
	prefIFMInvert       = "ifm.invert." // + the axis key of invertAxes
	prefIFMChestFollow  = "ifm.chestFollow"
	prefIFMHeadPosition = "ifm.headPosition"
	prefIFMFaceWeight   = "ifm.faceWeightPercent"
	prefIFMVMCWeight    = "ifm.vmcWeightPercent"
	prefIFMHead         = "ifm.head"
	prefIFMEyes         = "ifm.eyes"
	prefIFMCalibration  = "ifm.calibration" // 12 numbers, see calibrationList
)

// chestFollowShare is the share of the head rotation the chest takes when
// "the chest follows the head" is on (face.Settings.ChestShare).
const chestFollowShare = 0.15

// Choices of the iFacialMocap panel's selectors, in display order.
var (
	transportChoices = []string{"UDP", "TCP"}
	formatChoices    = []string{"v1", "v2"}
	// mappingChoices and mappingModes: face.Settings.Mode, saved by
	// id (bindChoice).
	mappingChoices = []choice{{"auto", "Automatic"}, {"perfectSync", "Perfect Sync (52 ARKit expressions)"}, {"presets", "VRM presets"}}
	mappingModes   = map[string]face.MappingMode{
		"auto": face.MappingAuto, "perfectSync": face.MappingPerfectSync, "presets": face.MappingPresets,
	}
)

// invertAxes are the per-axis invert switches: preference key, label, and
// the field of face.Invert.
var invertAxes = []struct {
	key, label string
	field      func(*face.Invert) *bool
}{
	{"headPitch", "Head pitch", func(i *face.Invert) *bool { return &i.HeadPitch }},
	{"headYaw", "Head yaw", func(i *face.Invert) *bool { return &i.HeadYaw }},
	{"headRoll", "Head roll", func(i *face.Invert) *bool { return &i.HeadRoll }},
	{"eyePitch", "Eye pitch", func(i *face.Invert) *bool { return &i.EyePitch }},
	{"eyeYaw", "Eye yaw", func(i *face.Invert) *bool { return &i.EyeYaw }},
	{"positionX", "Position X", func(i *face.Invert) *bool { return &i.PositionX }},
	{"positionY", "Position Y", func(i *face.Invert) *bool { return &i.PositionY }},
	{"positionZ", "Position Z", func(i *face.Invert) *bool { return &i.PositionZ }},
}

// ifmSettings are the iFacialMocap panel's choices as bindings backed by
// the app's Preferences, like settings.
type ifmSettings struct {
	prefs fyne.Preferences

	phone                           binding.String
	transport                       binding.String // one of transportChoices
	format                          binding.String // one of formatChoices
	connected                       binding.Bool
	listenUDP, listenTCP, listenBak binding.String // "" for the standard ports

	mode                      binding.String // label of mappingChoices
	emotions                  binding.Bool
	smoothing                 binding.Float // milliseconds
	mirror                    binding.Bool
	invert                    []binding.Bool // as invertAxes
	chestFollow, headPosition binding.Bool

	faceWeight, vmcWeight binding.Float // percent
	head, eyes            binding.Bool
}

// newIFMSettings binds every setting to p, writing the defaults of
// settings never saved (face.DefaultSettings,
// retarget.DefaultFaceMix).
func newIFMSettings(p fyne.Preferences) *ifmSettings {
	d, mix := face.DefaultSettings(), retarget.DefaultFaceMix()
	b, f, s := preferenceBinders(p)
	is := &ifmSettings{
		prefs:     p,
		phone:     s(prefIFMPhone, ""),
		transport: s(prefIFMTransport, transportChoices[0]),
		format:    s(prefIFMFormat, formatChoices[0]),
		connected: b(prefIFMConnected, false),
		listenUDP: s(prefIFMListenUDP, ""), listenTCP: s(prefIFMListenTCP, ""), listenBak: s(prefIFMListenBake, ""),

		mode:         bindChoice(p, prefIFMMode, mappingChoices, "auto"),
		emotions:     b(prefIFMEmotions, d.Emotions),
		smoothing:    f(prefIFMSmoothing, float64(d.Smoothing*1000)),
		mirror:       b(prefIFMMirror, d.Mirror),
		chestFollow:  b(prefIFMChestFollow, d.ChestShare > 0),
		headPosition: b(prefIFMHeadPosition, d.HeadPositionScale > 0),

		faceWeight: f(prefIFMFaceWeight, float64(mix.FaceWeight*100)),
		vmcWeight:  f(prefIFMVMCWeight, float64(mix.VMCWeight*100)),
		head:       b(prefIFMHead, mix.Head),
		eyes:       b(prefIFMEyes, mix.Eyes),
	}
	for _, a := range invertAxes {
		is.invert = append(is.invert, b(prefIFMInvert+a.key, *a.field(&d.Invert)))
	}
	return is
}

// mapping returns the mapping settings the bindings hold.
func (s *ifmSettings) mapping() face.Settings {
	get := func(b binding.Bool) bool { v, _ := b.Get(); return v }
	st := face.DefaultSettings()
	m, _ := s.mode.Get()
	st.Mode = mappingModes[idOf(mappingChoices, m)]
	st.Emotions, st.Mirror = get(s.emotions), get(s.mirror)
	ms, _ := s.smoothing.Get()
	st.Smoothing = float32(max(ms, 0) / 1000)
	for i, a := range invertAxes {
		*a.field(&st.Invert) = get(s.invert[i])
	}
	st.ChestShare, st.HeadPositionScale = 0, 0
	if get(s.chestFollow) {
		st.ChestShare = chestFollowShare
	}
	if get(s.headPosition) {
		st.HeadPositionScale = 1
	}
	return st
}

// mix returns how the face mixes with VMC.
func (s *ifmSettings) mix() retarget.FaceMix {
	fw, _ := s.faceWeight.Get()
	vw, _ := s.vmcWeight.Get()
	h, _ := s.head.Get()
	e, _ := s.eyes.Get()
	return retarget.FaceMix{FaceWeight: float32(fw / 100), VMCWeight: float32(vw / 100), Head: h, Eyes: e}
}

// options returns the client options: transport, format and the local
// ports ("" keeps the standard ones, which a real phone needs).
func (s *ifmSettings) options() ifacialmocap.Options {
	var o ifacialmocap.Options
	if t, _ := s.transport.Get(); t == transportChoices[1] {
		o.Mode = ifacialmocap.ModeTCP
	}
	f, _ := s.format.Get()
	o.V2 = f == formatChoices[1]
	o.ListenUDP, _ = s.listenUDP.Get()
	o.ListenTCP, _ = s.listenTCP.Get()
	o.ListenBake, _ = s.listenBak.Get()
	o.ListenUDP, o.ListenTCP, o.ListenBake = strings.TrimSpace(o.ListenUDP), strings.TrimSpace(o.ListenTCP), strings.TrimSpace(o.ListenBake)
	return o
}

// onMappingChanged calls f after any mapping setting changes, and once now.
func (s *ifmSettings) onMappingChanged(f func()) {
	items := []binding.DataItem{s.mode, s.emotions, s.smoothing, s.mirror, s.chestFollow, s.headPosition}
	for _, b := range s.invert {
		items = append(items, b)
	}
	for _, it := range items {
		it.AddListener(binding.NewDataListener(f))
	}
}

// onMixChanged calls f after the mix changes, and once now.
func (s *ifmSettings) onMixChanged(f func()) {
	for _, it := range []binding.DataItem{s.faceWeight, s.vmcWeight, s.head, s.eyes} {
		it.AddListener(binding.NewDataListener(f))
	}
}

// calibration returns the saved calibration (Valid false for none or a
// malformed entry).
func (s *ifmSettings) calibration() face.Calibration {
	l := s.prefs.StringList(prefIFMCalibration)
	if len(l) != 12 {
		return face.Calibration{}
	}
	var v [12]float32
	for i, x := range l {
		f, err := strconv.ParseFloat(x, 32)
		if err != nil {
			return face.Calibration{}
		}
		v[i] = float32(f)
	}
	c := face.Calibration{Valid: true}
	copy(c.HeadRotation[:], v[0:3])
	copy(c.HeadPosition[:], v[3:6])
	copy(c.RightEye[:], v[6:9])
	copy(c.LeftEye[:], v[9:12])
	return c
}

// saveCalibration keeps c (the zero value removes the saved one).
func (s *ifmSettings) saveCalibration(c face.Calibration) {
	if !c.Valid {
		s.prefs.RemoveValue(prefIFMCalibration)
		return
	}
	var l []string
	for _, v := range [][3]float32{c.HeadRotation, c.HeadPosition, c.RightEye, c.LeftEye} {
		for _, x := range v {
			l = append(l, strconv.FormatFloat(float64(x), 'g', -1, 32))
		}
	}
	s.prefs.SetStringList(prefIFMCalibration, l)
}
