package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/app/view"
	"github.com/kugutsu/kugutsu/marionette"
)

// Preference keys of the idle layer (Avatar tab) and the jitter buffer
// (VMC tab), issue 15.
const (
	prefPresence    = "alive." // + presenceLayers key + ".on" / ".strength" (percent)
	prefJitterOn    = "alive.jitter.on"
	prefJitterAuto  = "alive.jitter.auto"
	prefJitterDelay = "alive.jitter.delayMs"
)

// presenceLayers are the idle motions: preference key, label, and the
// field of marionette.Presence.
var presenceLayers = []struct {
	key, label string
	field      func(*marionette.Presence) *marionette.PresenceLayer
}{
	{"breathing", "Breathing", func(p *marionette.Presence) *marionette.PresenceLayer { return &p.Breathing }},
	{"arms", "Arms resting down", func(p *marionette.Presence) *marionette.PresenceLayer { return &p.Arms }},
	{"head", "Head sway", func(p *marionette.Presence) *marionette.PresenceLayer { return &p.Head }},
	{"blink", "Automatic blinking", func(p *marionette.Presence) *marionette.PresenceLayer { return &p.Blink }},
}

// aliveSettings are the idle layer's and the jitter buffer's settings as
// preference bindings, plus the jitter buffer's live status line.
type aliveSettings struct {
	on       []binding.Bool  // by presenceLayers
	strength []binding.Float // percent, 0–200
	jitterOn binding.Bool
	auto     binding.Bool
	delay    binding.Float // milliseconds
	playout  binding.String
	extra    *extraSettings
}

func newAliveSettings(p fyne.Preferences) *aliveSettings {
	b, f, _ := preferenceBinders(p)
	def := marionette.DefaultPresence()
	a := &aliveSettings{
		jitterOn: b(prefJitterOn, false), auto: b(prefJitterAuto, true), delay: f(prefJitterDelay, 30),
		playout: binding.NewString(), extra: newExtraSettings(p),
	}
	for _, l := range presenceLayers {
		d := *l.field(&def)
		a.on = append(a.on, b(prefPresence+l.key+".on", d.On))
		a.strength = append(a.strength, f(prefPresence+l.key+".strength", float64(d.Strength*100)))
	}
	a.showPlayout(marionette.PlayoutStatus{})
	return a
}

// apply writes the settings into o.
func (a *aliveSettings) apply(o *marionette.Options) {
	for i, l := range presenceLayers {
		on, _ := a.on[i].Get()
		s, _ := a.strength[i].Get()
		*l.field(&o.Presence) = marionette.PresenceLayer{On: on, Strength: float32(min(max(s, 0), 200) / 100)}
	}
	o.Jitter.On, _ = a.jitterOn.Get()
	o.Jitter.Auto, _ = a.auto.Get()
	d, _ := a.delay.Get()
	o.Jitter.Delay = time.Duration(min(max(d, 0), float64(marionette.MaxJitterDelay.Milliseconds())) * float64(time.Millisecond))
}

// items returns the bindings whose changes change the options.
func (a *aliveSettings) items() []binding.DataItem {
	items := []binding.DataItem{a.jitterOn, a.auto, a.delay}
	for i := range a.on {
		items = append(items, a.on[i], a.strength[i])
	}
	return items
}

// showPlayout sets the jitter buffer's status line (UI goroutine).
func (a *aliveSettings) showPlayout(st marionette.PlayoutStatus) {
	a.playout.Set(view.PlayoutText(st))
}

// makePresenceCard returns the idle layer's switches and strengths.
func makePresenceCard(a *aliveSettings) fyne.CanvasObject {
	form := widget.NewForm()
	for i, l := range presenceLayers {
		sl := widget.NewSliderWithData(0, 200, a.strength[i])
		sl.Step = 10
		pct := widget.NewLabelWithData(binding.FloatToStringWithFormat(a.strength[i], "%.0f %%"))
		form.Append(l.label, container.NewBorder(nil, nil, widget.NewCheckWithData("", a.on[i]), pct, sl))
	}
	help := widget.NewLabel("Each part of the body falls back to this motion when no source has driven it for half a " +
		"second (the Performer stopped, or sends no arms), and hands back over 0.3 s when data returns. " +
		"No automatic blink while the Performer or the phone sends blinks.")
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	return widget.NewCard("Presence", "Keep the avatar alive between and under the received motion",
		container.NewVBox(form, help))
}

// makeJitterCard returns the jitter buffer's settings and status.
func makeJitterCard(a *aliveSettings) fyne.CanvasObject {
	sl := widget.NewSliderWithData(0, float64(marionette.MaxJitterDelay.Milliseconds()), a.delay)
	sl.Step = 5
	delay := container.NewBorder(nil, nil, nil, widget.NewLabelWithData(binding.FloatToStringWithFormat(a.delay, "%.0f ms")), sl)
	auto := widget.NewCheckWithData("Auto (from the measured jitter)", a.auto)
	sync := func() {
		if on, _ := a.auto.Get(); on {
			sl.Disable()
		} else {
			sl.Enable()
		}
	}
	a.auto.AddListener(binding.NewDataListener(sync))
	status := widget.NewLabelWithData(a.playout)
	status.Wrapping = fyne.TextWrapWord
	help := widget.NewLabel("Plays the Performer's frames a little later on a steady clock, interpolating between " +
		"them, so uneven Wi-Fi delivery shows as smooth motion. Costs the delay in latency.")
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	return widget.NewCard("Jitter buffer", "Steady motion over irregular networks",
		widget.NewForm(
			widget.NewFormItem("Buffer", widget.NewCheckWithData("Play frames through a jitter buffer", a.jitterOn)),
			widget.NewFormItem("Delay", container.NewVBox(auto, delay)),
			widget.NewFormItem("Status", container.NewVBox(status, help)),
		))
}
