package app

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/data/binding"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/retarget"
)

// Preference keys. Everything the user sets persists in fyne Preferences
// (per app ID, ~/.config/fyne/io.github.kugutsu/preferences.json on Linux).
const (
	prefListenHost = "vmc.host"
	prefListenPort = "vmc.port"
	prefListening  = "vmc.listening"

	prefRootPosition  = "opt.rootPosition"
	prefRootRotation  = "opt.rootRotation"
	prefMRScale       = "opt.mrScaleOffset"
	prefPositions     = "opt.bonePositions" // a positionChoices id
	prefBoneSmooth    = "opt.boneSmoothingMs"
	prefBlendSmooth   = "opt.blendSmoothingMs"
	prefMirror        = "opt.mirror"
	prefCutHead       = "opt.cutHead"
	prefCutArms       = "opt.cutArms"
	prefCutFingers    = "opt.cutFingers"
	prefCutLegs       = "opt.cutLegs"
	prefCutEyes       = "opt.cutEyes"
	prefHideUncalib   = "opt.hideUncalibrated"
	prefPerfLight     = "opt.performerLight"
	prefPerfBG        = "opt.performerBackground"
	prefPerfCamera    = "opt.performerCamera"
	prefAutoLoad      = "opt.autoLoadVRM"
	prefBackground    = "view.background"
	prefTransparent   = "view.transparent"
	prefLightYaw      = "view.lightYaw"
	prefLightPitch    = "view.lightPitch"
	prefLightColor    = "view.lightColor"
	prefQuality       = "view.quality"    // a qualityChoices id
	prefResolution    = "view.resolution" // a resolutionChoices id
	prefMaxPixels     = "view.maxPixels"  // a maxPixelChoices id
	prefOutlines      = "view.outlines"
	prefSpringBones   = "view.springBones"
	prefShowFPS       = "view.showFPS"
	prefFastViewport  = "view.fastViewport" // draw the viewport in an X11 child window (viewx11.go)
	prefTextureSize   = "view.textureSize"  // a textureChoices id
	prefLastVRM       = "avatar.last"
	prefRecent        = "avatar.recent"
	prefWindowWidth   = "window.width"
	prefWindowHeight  = "window.height"
	prefSplit         = "window.split"       // the split position while the panel shows, 0.2–0.9
	prefPanelHidden   = "window.panelHidden" // the side panel is collapsed
	defaultListenHost = "0.0.0.0"
	defaultListenPort = 39539
)

// maxRecent is how many recently opened files File → Open Recent lists.
const maxRecent = 8

// Choices of the select widgets, in display order. Preferences hold the
// ids, which never change; a label may be reworded freely (bindChoice).
var (
	// positionChoices: Options.Positions, ids as BonePositionMode.String.
	positionChoices = []choice{{"hips", "Hips only"}, {"all", "All bones (same model as sender)"}, {"none", "None"}}
	positionModes   = map[string]retarget.BonePositionMode{
		"hips": retarget.PositionsHips, "all": retarget.PositionsAll, "none": retarget.PositionsNone,
	}
	// qualityChoices: adaptive (View.AdaptiveQuality, the default) or a
	// pinned anti-aliasing (View.AA) at the chosen resolution.
	qualityChoices = []choice{{"adaptive", "Adaptive (keeps the frame rate)"}, {"aa4x", "Anti-aliased (4×)"},
		{"fast", "Fast (no anti-aliasing)"}}
	qualityAA = map[string]render.AA{"adaptive": render.AA4x, "aa4x": render.AA4x, "fast": render.AAOff}
	// resolutionChoices and resolutionScales: View.RenderScale, used with a
	// pinned quality.
	resolutionChoices = []choice{{"full", "Full"}, {"3/4", "3/4 (faster)"}, {"1/2", "1/2 (fastest)"}}
	resolutionScales  = map[string]float64{"full": 1, "3/4": 0.75, "1/2": 0.5}
	// maxPixelChoices: View.MaxPixels.
	maxPixelChoices = []choice{{"720p", "1280 × 720 (recommended)"}, {"1080p", "1920 × 1080"}, {"none", "No limit (slow on HiDPI)"}}
	maxPixelValues  = map[string]int{"720p": 1280 * 720, "1080p": 1920 * 1080, "none": 0}
	// textureChoices and textureSizes: marionette Engine.SetTextureSize
	// (vrm.Limits.PreviewTextureSize; -1 keeps full size).
	textureChoices = []choice{{"1024", "Up to 1024 px (least memory)"}, {"2048", "Up to 2048 px"}, {"4096", "Up to 4096 px"},
		{"full", "Full size (most memory)"}}
	textureSizes = map[string]int{"1024": 1024, "2048": 2048, "4096": 4096, "full": -1}
)

// savedLabels maps, per preference key, the display labels that Kugutsu
// saved before its preferences held ids to those ids: bindChoice rewrites
// such a value once. Frozen: rewording a label today needs no entry here.
var savedLabels = map[string]map[string]string{
	prefPositions: {"Hips only": "hips", "All bones (same model as sender)": "all", "None": "none"},
	prefQuality: {"Adaptive (keeps the frame rate)": "adaptive", "Anti-aliased (4×)": "aa4x",
		"Fast (no anti-aliasing)": "fast"},
	prefResolution: {"Full": "full", "3/4 (faster)": "3/4", "1/2 (fastest)": "1/2"},
	prefTextureSize: {"Up to 1024 px (least memory)": "1024", "Up to 2048 px": "2048", "Up to 4096 px": "4096",
		"Full size (most memory)": "full"},
	prefIFMMode: {"Automatic": "auto", "Perfect Sync (52 ARKit expressions)": "perfectSync", "VRM presets": "presets"},
}

// settings are the user's choices as data bindings backed by the app's
// Preferences: widgets bind to them, and every change flows to the engine.
type settings struct {
	prefs fyne.Preferences

	host      binding.String
	port      binding.Int
	listening binding.Bool

	rootPosition, rootRotation, mrScale binding.Bool
	positions                           binding.String // label of positionChoices
	boneSmooth, blendSmooth             binding.Float  // milliseconds
	mirror                              binding.Bool
	cutHead, cutArms, cutFingers        binding.Bool
	cutLegs, cutEyes                    binding.Bool
	hideUncalibrated                    binding.Bool
	perfLight, perfBackground           binding.Bool
	perfCamera                          binding.Bool
	autoLoad                            binding.Bool

	background           binding.String // #rrggbb
	transparent          binding.Bool
	lightYaw, lightPitch binding.Float  // degrees
	lightColor           binding.String // #rrggbb
	quality              binding.String // label of qualityChoices
	resolution           binding.String // label of resolutionChoices
	maxPixels            binding.String // label of maxPixelChoices
	outlines             binding.Bool
	springBones          binding.Bool
	showFPS              binding.Bool
	fastViewport         binding.Bool
	textureSize          binding.String // label of textureChoices; applies to the next load

	ifm   *ifmSettings   // the iFacialMocap panel's
	alive *aliveSettings // idle layer and jitter buffer
}

// preferenceBinders returns functions that bind a bool, float or string
// preference key of p, first writing def under key when it was never saved
// (so the bound value starts at the default).
func preferenceBinders(p fyne.Preferences) (
	func(key string, def bool) binding.Bool,
	func(key string, def float64) binding.Float,
	func(key string, def string) binding.String,
) {
	return func(key string, def bool) binding.Bool {
			p.SetBool(key, p.BoolWithFallback(key, def))
			return binding.BindPreferenceBool(key, p)
		}, func(key string, def float64) binding.Float {
			p.SetFloat(key, p.FloatWithFallback(key, def))
			return binding.BindPreferenceFloat(key, p)
		}, func(key string, def string) binding.String {
			p.SetString(key, p.StringWithFallback(key, def))
			return binding.BindPreferenceString(key, p)
		}
}

// newSettings binds every setting to p, writing the defaults of settings
// never saved.
func newSettings(p fyne.Preferences) *settings {
	o, v := marionette.DefaultOptions(), marionette.DefaultView()
	b, f, s := preferenceBinders(p)
	p.SetInt(prefListenPort, p.IntWithFallback(prefListenPort, defaultListenPort))
	return &settings{
		prefs:     p,
		host:      s(prefListenHost, defaultListenHost),
		port:      binding.BindPreferenceInt(prefListenPort, p),
		listening: b(prefListening, true),

		rootPosition: b(prefRootPosition, o.RootPosition), rootRotation: b(prefRootRotation, o.RootRotation),
		mrScale:     b(prefMRScale, o.MRScaleOffset),
		positions:   bindChoice(p, prefPositions, positionChoices, o.Positions.String()),
		boneSmooth:  f(prefBoneSmooth, float64(o.BoneSmoothing.Milliseconds())),
		blendSmooth: f(prefBlendSmooth, float64(o.BlendSmoothing.Milliseconds())),
		mirror:      b(prefMirror, o.Mirror),
		cutHead:     b(prefCutHead, false), cutArms: b(prefCutArms, false), cutFingers: b(prefCutFingers, false),
		cutLegs: b(prefCutLegs, false), cutEyes: b(prefCutEyes, false),
		hideUncalibrated: b(prefHideUncalib, o.HideUncalibrated),
		perfLight:        b(prefPerfLight, o.PerformerLight), perfBackground: b(prefPerfBG, o.PerformerBackground),
		perfCamera: b(prefPerfCamera, o.PerformerCamera),
		autoLoad:   b(prefAutoLoad, false),

		background:  s(prefBackground, hexColor(v.Background)),
		transparent: b(prefTransparent, false),
		lightYaw:    f(prefLightYaw, v.LightYaw), lightPitch: f(prefLightPitch, v.LightPitch),
		lightColor:   s(prefLightColor, hexColor(v.LightColor)),
		quality:      bindChoice(p, prefQuality, qualityChoices, "adaptive"),
		resolution:   bindChoice(p, prefResolution, resolutionChoices, "full"),
		maxPixels:    bindChoice(p, prefMaxPixels, maxPixelChoices, "720p"),
		outlines:     b(prefOutlines, v.Outlines),
		springBones:  b(prefSpringBones, v.SpringBones),
		showFPS:      b(prefShowFPS, false),
		fastViewport: b(prefFastViewport, true),
		textureSize:  bindChoice(p, prefTextureSize, textureChoices, "2048"),

		ifm:   newIFMSettings(p),
		alive: newAliveSettings(p),
	}
}

// options returns the Marionette options the bindings hold.
func (s *settings) options() marionette.Options {
	get := func(b binding.Bool) bool { v, _ := b.Get(); return v }
	ms := func(f binding.Float) time.Duration {
		v, _ := f.Get()
		return time.Duration(max(v, 0) * float64(time.Millisecond))
	}
	o := marionette.Options{
		Options: retarget.Options{
			RootPosition: get(s.rootPosition), RootRotation: get(s.rootRotation), MRScaleOffset: get(s.mrScale),
			BoneSmoothing: ms(s.boneSmooth), BlendSmoothing: ms(s.blendSmooth), Mirror: get(s.mirror),
		},
		HideUncalibrated: get(s.hideUncalibrated),
		PerformerLight:   get(s.perfLight), PerformerBackground: get(s.perfBackground), PerformerCamera: get(s.perfCamera),
	}
	s.alive.apply(&o)
	pos, _ := s.positions.Get()
	o.Positions = positionModes[idOf(positionChoices, pos)]
	for _, c := range []struct {
		b   binding.Bool
		cut retarget.Cut
	}{{s.cutHead, retarget.CutHead}, {s.cutArms, retarget.CutArms}, {s.cutFingers, retarget.CutFingers},
		{s.cutLegs, retarget.CutLegs}, {s.cutEyes, retarget.CutEyes}} {
		if get(c.b) {
			o.Cut |= c.cut
		}
	}
	return o
}

// view returns the view settings the bindings hold.
func (s *settings) view() marionette.View {
	v := marionette.DefaultView()
	if str, _ := s.background.Get(); str != "" {
		if c, err := parseHexColor(str); err == nil {
			v.Background = c
		}
	}
	if str, _ := s.lightColor.Get(); str != "" {
		if c, err := parseHexColor(str); err == nil {
			v.LightColor = c
		}
	}
	v.Transparent, _ = s.transparent.Get()
	v.LightYaw, _ = s.lightYaw.Get()
	v.LightPitch, _ = s.lightPitch.Get()
	q, _ := s.quality.Get()
	v.AdaptiveQuality = idOf(qualityChoices, q) == "adaptive"
	v.AA = qualityAA[idOf(qualityChoices, q)]
	r, _ := s.resolution.Get()
	v.RenderScale = resolutionScales[idOf(resolutionChoices, r)]
	mp, _ := s.maxPixels.Get()
	v.MaxPixels = maxPixelValues[idOf(maxPixelChoices, mp)]
	v.Outlines, _ = s.outlines.Get()
	v.SpringBones, _ = s.springBones.Get()
	return v
}

// listenAddr returns "host:port" from the bindings.
func (s *settings) listenAddr() string {
	h, _ := s.host.Get()
	p, _ := s.port.Get()
	h = strings.TrimSpace(h)
	if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") { // IPv6 literal
		h = "[" + h + "]"
	}
	return fmt.Sprintf("%s:%d", h, p)
}

// textureSizePx returns the texture size the binding holds, pixels
// (negative: full size), for Engine.SetTextureSize.
func (s *settings) textureSizePx() int {
	v, _ := s.textureSize.Get()
	return textureSizes[idOf(textureChoices, v)]
}

// onOptionsChanged calls f after any Marionette option changes, and once
// now.
func (s *settings) onOptionsChanged(f func()) {
	for _, it := range []binding.DataItem{s.rootPosition, s.rootRotation, s.mrScale, s.positions, s.boneSmooth,
		s.blendSmooth, s.mirror, s.cutHead, s.cutArms, s.cutFingers, s.cutLegs, s.cutEyes, s.hideUncalibrated,
		s.perfLight, s.perfBackground, s.perfCamera} {
		it.AddListener(binding.NewDataListener(f))
	}
	for _, it := range s.alive.items() {
		it.AddListener(binding.NewDataListener(f))
	}
}

// onViewChanged calls f after any view setting changes, and once now.
func (s *settings) onViewChanged(f func()) {
	for _, it := range []binding.DataItem{s.background, s.transparent, s.lightYaw, s.lightPitch, s.lightColor, s.quality,
		s.resolution, s.maxPixels, s.outlines, s.springBones} {
		it.AddListener(binding.NewDataListener(f))
	}
}

// recent returns the recently opened files, newest first.
func (s *settings) recent() []string { return s.prefs.StringList(prefRecent) }

// addRecent puts path first in the recent files and makes it the last VRM.
func (s *settings) addRecent(path string) {
	list := []string{path}
	for _, p := range s.recent() {
		if p != path && len(list) < maxRecent {
			list = append(list, p)
		}
	}
	s.prefs.SetStringList(prefRecent, list)
	s.prefs.SetString(prefLastVRM, path)
}

// hexColor formats c as #rrggbb.
func hexColor(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// parseHexColor parses #rrggbb.
func parseHexColor(s string) (color.NRGBA, error) {
	var c color.NRGBA
	if len(s) != 7 || s[0] != '#' {
		return c, fmt.Errorf("colour %q is not #rrggbb", s)
	}
	var v [6]uint8
	for i := range v {
		switch d := s[1+i]; {
		case '0' <= d && d <= '9':
			v[i] = d - '0'
		case 'a' <= d && d <= 'f':
			v[i] = d - 'a' + 10
		case 'A' <= d && d <= 'F':
			v[i] = d - 'A' + 10
		default:
			return c, fmt.Errorf("colour %q is not #rrggbb", s)
		}
	}
	return color.NRGBA{R: v[0]<<4 | v[1], G: v[2]<<4 | v[3], B: v[4]<<4 | v[5], A: 0xff}, nil
}

// toNRGBA converts any colour to non-premultiplied 8-bit RGBA.
func toNRGBA(c color.Color) color.NRGBA { return color.NRGBAModel.Convert(c).(color.NRGBA) }
