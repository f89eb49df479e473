package app

import (
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/data/binding"

	"github.com/kugutsu/kugutsu/app/view"
	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/output"
	"github.com/kugutsu/kugutsu/render"
)

// Output-window preference keys. Choices are saved as stable identifiers
// (the *ID values below), never as the labels shown.
const (
	prefOutOpen        = "output.open"
	prefOutSize        = "output.size"   // an outputSizes id
	prefOutWidth       = "output.width"  // custom size
	prefOutHeight      = "output.height" // custom size
	prefOutCamera      = "output.camera" // "viewport" or "own"
	prefOutOrbit       = "output.orbit"  // the own camera preset, JSON
	prefOutBackground  = "output.background"
	prefOutColor       = "output.color" // #rrggbb for "colour"
	prefOutTop         = "output.alwaysOnTop"
	prefOutClick       = "output.clickThrough"
	prefOutSkipTaskbar = "output.skipTaskbar"
	prefOutPerformer   = "output.performerWindow"
	prefOutX           = "output.x"
	prefOutY           = "output.y"
	prefOutPlaced      = "output.placed"
)

// choice is a select widget's option: a stable id saved in preferences and
// the label shown.
type choice struct{ id, label string }

func labels(cs []choice) []string {
	l := make([]string, len(cs))
	for i, c := range cs {
		l[i] = c.label
	}
	return l
}

func idOf(cs []choice, label string) string {
	for _, c := range cs {
		if c.label == label {
			return c.id
		}
	}
	return cs[0].id
}

func labelOf(cs []choice, id string) string {
	for _, c := range cs {
		if c.id == id {
			return c.label
		}
	}
	return cs[0].label
}

var (
	outputSizes = []choice{
		{"1280x720", "1280 × 720 (HD)"}, {"1920x1080", "1920 × 1080 (Full HD)"},
		{"1080x1920", "1080 × 1920 (portrait)"}, {"1080x1080", "1080 × 1080 (square)"},
		{"720x720", "720 × 720 (square)"}, {"custom", "Custom"},
	}
	outputCameras = []choice{{"viewport", "The viewport's camera"}, {"own", "Its own camera preset"}}
	// outputBackgrounds: transparent is real per-pixel alpha; the key
	// colours are the usual chroma keys for capture programs without alpha.
	outputBackgrounds = []choice{
		{"transparent", "Transparent (alpha)"}, {"green", "Key green #00ff00"},
		{"blue", "Key blue #0000ff"}, {"magenta", "Key magenta #ff00ff"}, {"colour", "A colour…"},
	}
	keyColours = map[string]color.NRGBA{
		"green": {0, 0xff, 0, 0xff}, "blue": {0, 0, 0xff, 0xff}, "magenta": {0xff, 0, 0xff, 0xff},
	}
)

// outputSettings are the output window's choices, bound to preferences.
type outputSettings struct {
	prefs                        fyne.Preferences
	open                         binding.Bool
	size                         binding.String // label of outputSizes
	width, height                binding.Int    // custom size
	camera                       binding.String // label of outputCameras
	background                   binding.String // label of outputBackgrounds
	colour                       binding.String // #rrggbb
	alwaysOnTop, clickThrough    binding.Bool
	skipTaskbar, performerWindow binding.Bool
}

// bindChoice binds a select's label to a preference that stores the id
// (def when never saved; an unknown id reads as the first choice). A label
// saved before preferences held ids (savedLabels) is rewritten as its id.
func bindChoice(p fyne.Preferences, key string, cs []choice, def string) binding.String {
	b := binding.NewString()
	saved := p.StringWithFallback(key, def)
	if id, ok := savedLabels[key][saved]; ok {
		saved = id
		p.SetString(key, id)
	}
	b.Set(labelOf(cs, saved))
	b.AddListener(binding.NewDataListener(func() {
		l, _ := b.Get()
		p.SetString(key, idOf(cs, l))
	}))
	return b
}

func newOutputSettings(p fyne.Preferences) *outputSettings {
	b, _, s := preferenceBinders(p)
	p.SetInt(prefOutWidth, p.IntWithFallback(prefOutWidth, 1280))
	p.SetInt(prefOutHeight, p.IntWithFallback(prefOutHeight, 720))
	return &outputSettings{
		prefs:           p,
		open:            b(prefOutOpen, false),
		size:            bindChoice(p, prefOutSize, outputSizes, "1280x720"),
		width:           binding.BindPreferenceInt(prefOutWidth, p),
		height:          binding.BindPreferenceInt(prefOutHeight, p),
		camera:          bindChoice(p, prefOutCamera, outputCameras, "viewport"),
		background:      bindChoice(p, prefOutBackground, outputBackgrounds, "transparent"),
		colour:          s(prefOutColor, "#ffffff"),
		alwaysOnTop:     b(prefOutTop, false),
		clickThrough:    b(prefOutClick, false),
		skipTaskbar:     b(prefOutSkipTaskbar, true),
		performerWindow: b(prefOutPerformer, false),
	}
}

// outputSize returns the chosen size in pixels, each side 16…4096.
func (s *outputSettings) outputSize() (int, int) {
	l, _ := s.size.Get()
	id := idOf(outputSizes, l)
	if id == "custom" {
		w, _ := s.width.Get()
		h, _ := s.height.Get()
		return max(16, min(w, 4096)), max(16, min(h, 4096))
	}
	ws, hs, _ := strings.Cut(id, "x")
	w, _ := strconv.Atoi(ws)
	h, _ := strconv.Atoi(hs)
	return w, h
}

// backgroundColour returns the output's background: alpha 0 for
// transparent.
func (s *outputSettings) backgroundColour() color.NRGBA {
	l, _ := s.background.Get()
	switch id := idOf(outputBackgrounds, l); id {
	case "transparent":
		return color.NRGBA{}
	case "colour":
		str, _ := s.colour.Get()
		if c, err := parseHexColor(str); err == nil {
			return c
		}
		return color.NRGBA{0xff, 0xff, 0xff, 0xff}
	default:
		return keyColours[id]
	}
}

// ownOrbit returns the saved camera preset, or ok false.
func (s *outputSettings) ownOrbit() (render.Orbit, bool) {
	var o render.Orbit
	str := s.prefs.String(prefOutOrbit)
	if str == "" || json.Unmarshal([]byte(str), &o) != nil || !(o.Distance > 0) || !(o.FOV > 0) {
		return o, false
	}
	return o, true
}

func (s *outputSettings) saveOrbit(o render.Orbit) {
	if b, err := json.Marshal(o); err == nil {
		s.prefs.SetString(prefOutOrbit, string(b))
	}
}

// flags returns the window-manager flags chosen.
func (s *outputSettings) flags() output.Flags {
	get := func(b binding.Bool) bool { v, _ := b.Get(); return v }
	return output.Flags{AlwaysOnTop: get(s.alwaysOnTop), ClickThrough: get(s.clickThrough), SkipTaskbar: get(s.skipTaskbar)}
}

// onChanged calls f after any output setting changes, and once now.
func (s *outputSettings) onChanged(f func()) {
	for _, it := range []binding.DataItem{s.size, s.width, s.height, s.camera, s.background, s.colour,
		s.alwaysOnTop, s.clickThrough, s.skipTaskbar, s.performerWindow} {
		it.AddListener(binding.NewDataListener(f))
	}
}

// outputWindow runs the output window: an X11 ARGB window (package output)
// fed by the engine's output view, or, without X11, a Fyne window showing
// the avatar on the key colour.
type outputWindow struct {
	app    fyne.App
	engine *marionette.Engine
	set    *outputSettings

	mu       sync.Mutex
	x11      *output.Window
	fallback fyne.Window
	image    *canvas.Image // the fallback's picture
	stop     chan struct{}
	done     chan struct{}
	w, h     int
	shown    int // images shown since open, for the frame rate
	rate     float64
	rateAt   time.Time
	err      error
	perfWin  bool // the Performer's /VMC/Ext/Setting/Win is driving the flags
	lastFlag output.Flags
}

func newOutputWindow(a fyne.App, e *marionette.Engine, s *outputSettings) *outputWindow {
	return &outputWindow{app: a, engine: e, set: s}
}

// isOpen reports whether the output window is open.
func (o *outputWindow) isOpen() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stop != nil
}

// open opens the output window with the current settings (on the UI
// goroutine). An X11 failure falls back to a Fyne window and is returned
// for the status line.
func (o *outputWindow) open() error {
	o.close()
	w, h := o.set.outputSize()
	bg := o.set.backgroundColour()
	x, y := o.set.prefs.Int(prefOutX), o.set.prefs.Int(prefOutY)
	placed := o.set.prefs.Bool(prefOutPlaced)
	win, err := output.Open(output.Options{
		Title: "Kugutsu output", Width: w, Height: h, X: x, Y: y, Place: placed, Flags: o.set.flags(),
		OnClose: func() { fyne.Do(func() { o.set.open.Set(false) }) },
		OnMove: func(x, y int) {
			o.set.prefs.SetInt(prefOutX, x)
			o.set.prefs.SetInt(prefOutY, y)
			o.set.prefs.SetBool(prefOutPlaced, true)
		},
	})
	o.mu.Lock()
	o.w, o.h, o.err = w, h, err
	o.stop, o.done = make(chan struct{}), make(chan struct{})
	o.shown, o.rate, o.rateAt = 0, 0, time.Now()
	o.lastFlag = o.set.flags()
	if err == nil {
		o.x11 = win
	} else {
		slog.Warn("output window: falling back to a Fyne window with the key colour", "err", err)
		if bg.A == 0 {
			bg = keyColours["green"] // no alpha without X11's ARGB visual
		}
		o.fallback = o.app.NewWindow("Kugutsu output")
		o.image = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, w, h)))
		o.image.FillMode = canvas.ImageFillContain
		o.image.ScaleMode = canvas.ImageScaleFastest
		o.fallback.SetContent(o.image)
		o.fallback.SetPadded(false)
		o.fallback.Resize(fyne.NewSize(float32(w), float32(h)))
		o.fallback.SetOnClosed(func() { o.set.open.Set(false) })
		o.fallback.Show()
	}
	stop, done := o.stop, o.done
	o.mu.Unlock()
	o.engine.SetOutput(o.view(w, h, bg))
	go o.pump(stop, done)
	return err
}

// view returns the engine's output view for the settings.
func (o *outputWindow) view(w, h int, bg color.NRGBA) *marionette.Output {
	v := &marionette.Output{Width: w, Height: h, Background: bg}
	l, _ := o.set.camera.Get()
	if idOf(outputCameras, l) == "own" {
		if orbit, ok := o.set.ownOrbit(); ok {
			v.Camera, v.Orbit = marionette.OutputOwnCamera, orbit
		}
	}
	return v
}

// apply follows a settings change while the window is open: a new size
// reopens it, the rest changes in place.
func (o *outputWindow) apply() {
	o.mu.Lock()
	open, fallback := o.stop != nil, o.fallback != nil
	ow, oh := o.w, o.h
	o.mu.Unlock()
	if !open {
		return
	}
	if w, h := o.set.outputSize(); w != ow || h != oh {
		o.open()
		return
	}
	bg := o.set.backgroundColour()
	if fallback && bg.A == 0 {
		bg = keyColours["green"]
	}
	o.engine.SetOutput(o.view(ow, oh, bg))
	o.mu.Lock()
	if o.x11 != nil && !o.perfWin {
		o.x11.SetFlags(o.set.flags())
	}
	o.mu.Unlock()
}

// close closes the output window and stops the engine's output view.
func (o *outputWindow) close() {
	o.mu.Lock()
	stop, done := o.stop, o.done
	x11, fb := o.x11, o.fallback
	o.stop, o.done, o.x11, o.fallback, o.image = nil, nil, nil, nil, nil
	o.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	<-done
	o.engine.SetOutput(nil)
	if x11 != nil {
		x11.Close()
	}
	if fb != nil {
		fb.SetOnClosed(nil)
		fb.Close()
	}
}

// pump shows each new output image until stop is closed.
func (o *outputWindow) pump(stop, done chan struct{}) {
	defer close(done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			o.followPerformer()
			continue
		case <-o.engine.OutputReady():
		}
		img, _, fresh := o.engine.LatestOutput()
		if !fresh || img == nil {
			continue
		}
		o.mu.Lock()
		x11, fb := o.x11, o.image
		o.mu.Unlock()
		switch {
		case x11 != nil:
			if err := x11.Show(img); err != nil {
				slog.Warn("output window", "err", err)
			}
		case fb != nil:
			c := image.NewRGBA(img.Rect)
			copy(c.Pix, img.Pix)
			fyne.Do(func() {
				fb.Image = c
				fb.Refresh()
			})
		}
		o.mu.Lock()
		o.shown++
		if d := time.Since(o.rateAt); d >= time.Second {
			o.rate = float64(o.shown) / d.Seconds()
			o.shown, o.rateAt = 0, time.Now()
		}
		o.mu.Unlock()
	}
}

// followPerformer applies the Performer's /VMC/Ext/Setting/Win (top-most,
// transparent, click-through, hide border) when the user allows it.
func (o *outputWindow) followPerformer() {
	allow, _ := o.set.performerWindow.Get()
	pw := o.engine.PerformerWindow()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.x11 == nil {
		return
	}
	want := o.set.flags()
	driving := allow && pw.Received
	if driving {
		want = output.Flags{AlwaysOnTop: pw.TopMost, ClickThrough: pw.ClickThrough, SkipTaskbar: want.SkipTaskbar, Border: !pw.HideBorder}
	}
	if want != o.lastFlag || driving != o.perfWin {
		o.x11.SetFlags(want)
		o.lastFlag, o.perfWin = want, driving
	}
}

// fps returns the rate of images shown over the last second (0 when
// closed).
func (o *outputWindow) fps() float64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stop == nil {
		return 0
	}
	return o.rate
}

// status describes the output window for the Output tab.
func (o *outputWindow) status() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	v := view.OutputWindow{Open: o.stop != nil, X11: o.x11 != nil, NoARGB: errors.Is(o.err, output.ErrNoARGB),
		Width: o.w, Height: o.h, FPS: o.rate, PerformerWindow: o.perfWin}
	if o.x11 != nil {
		v.ID, v.SharedMemory = o.x11.ID(), o.x11.SharedMemory()
	}
	return view.OutputText(v)
}
