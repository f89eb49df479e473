package app

import (
	"encoding/json"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm"
)

// prefBindings + the avatar's identity (its path, or its name for an
// avatar without one) holds that avatar's expression bindings, as JSON.
const prefBindings = "expr.bindings."

// maxBindings bounds the bindings loaded from the preferences.
const maxBindings = 256

// modeChoices are the binding modes in marionette.BindingMode order.
var modeChoices = []string{"Toggle", "Hold"}

// handState is the expressions set by hand and their bindings, for the
// shown avatar. UI goroutine only.
type handState struct {
	hand    marionette.HandExpressions
	key     string // preference key of the shown avatar's bindings
	refresh func() // redraws the card (nil before it exists)
}

// avatarKey returns the preference key of av's bindings.
func avatarKey(av *vrm.Model, src marionette.Source) string {
	id := src.Path
	if id == "" {
		id = "name:" + marionette.DisplayName(av, src)
	}
	return prefBindings + id
}

// handAvatarShown loads the bindings of the newly shown avatar and clears
// what was on by hand.
func (u *ui) handAvatarShown(av *vrm.Model, src marionette.Source) {
	h := u.hand
	h.hand = marionette.HandExpressions{}
	h.key = avatarKey(av, src)
	if s := u.set.prefs.String(h.key); s != "" {
		var list []marionette.ExpressionBinding
		if json.Unmarshal([]byte(s), &list) == nil && len(list) <= maxBindings {
			h.hand.Bindings = list
		}
	}
	u.engine.SetHandExpressions(nil)
}

// saveBindings writes the shown avatar's bindings to the preferences.
func (u *ui) saveBindings() {
	h := u.hand
	if h.key == "" {
		return
	}
	b, err := json.Marshal(h.hand.Bindings)
	if err != nil {
		return
	}
	u.set.prefs.SetString(h.key, string(b))
}

// handInput applies a trigger press or release (UI goroutine) and reports
// whether it did anything.
func (u *ui) handInput(t marionette.Trigger, pressed bool) bool {
	h := u.hand
	learning := h.hand.Learning() != ""
	if !h.hand.Input(t, pressed) {
		return false
	}
	if learning {
		u.saveBindings()
	}
	u.engine.SetHandExpressions(h.hand.Active())
	if h.refresh != nil {
		h.refresh()
	}
	return true
}

// startHandEvents feeds the Performers' input events (/VMC/Ext/Key,
// /VMC/Ext/Midi/Note, /VMC/Ext/Midi/CC/Bit, /VMC/Ext/Con; main and extra
// receivers) to the bindings until stop, and window keys (typed; released where the driver reports
// key-up) too.
func (u *ui) startHandEvents() {
	sub := u.engine.Scene().Subscribe(64)
	go func() {
		<-u.stopPoll
		sub.Close()
	}()
	go func() {
		for ev := range sub.C {
			fyne.Do(func() { u.handEvent(&ev) })
		}
	}()
	extra := u.engine.ExtraEvents()
	go func() {
		for {
			select {
			case <-u.stopPoll:
				return
			case ev := <-extra:
				fyne.Do(func() { u.handEvent(&ev) })
			}
		}
	}()
}

// handEvent applies one of the Performer's events to the bindings (UI
// goroutine).
func (u *ui) handEvent(ev *vmc.Event) {
	if t, pressed, ok := marionette.TriggerFromEvent(ev); ok {
		u.handInput(t, pressed)
	}
}

// hookWindowKeys routes keys typed in the window (with no widget focused)
// to the bindings first.
func (u *ui) hookWindowKeys() {
	c := u.win.Canvas()
	next := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if len(u.dialogs) == 0 && u.handInput(marionette.WindowKeyTrigger(string(ev.Name), false, false, false), true) {
			return
		}
		if next != nil {
			next(ev)
		}
	})
	if dc, ok := c.(desktop.Canvas); ok {
		up := dc.OnKeyUp()
		dc.SetOnKeyUp(func(ev *fyne.KeyEvent) {
			u.handInput(marionette.WindowKeyTrigger(string(ev.Name), false, false, false), false)
			if up != nil {
				up(ev)
			}
		})
	}
}

// makeHandCard returns the expressions of av to set by hand: per
// expression an on/off check, its bindings, the mode for the next one
// learnt, and Learn / Clear buttons.
func (u *ui) makeHandCard(av *vrm.Model) fyne.CanvasObject {
	h := u.hand
	form := widget.NewForm()
	var refreshers []func()
	for i := range av.Expressions {
		name := av.Expressions[i].Name
		on := widget.NewCheck("", nil)
		on.OnChanged = func(v bool) {
			if v == h.hand.On(name) {
				return
			}
			h.hand.Set(name, v)
			u.engine.SetHandExpressions(h.hand.Active())
		}
		bound := widget.NewLabel("")
		bound.Truncation = fyne.TextTruncateEllipsis
		mode := widget.NewSelect(modeChoices, nil)
		mode.SetSelectedIndex(0)
		learn := widget.NewButton("Learn", nil)
		learn.OnTapped = func() {
			if h.hand.Learning() == name {
				h.hand.Learn("", 0)
			} else {
				h.hand.Learn(name, marionette.BindingMode(max(mode.SelectedIndex(), 0)))
			}
			h.refresh()
		}
		clr := widget.NewButton("Clear", func() {
			h.hand.Unbind(name)
			u.saveBindings()
			h.refresh()
		})
		refreshers = append(refreshers, func() {
			on.SetChecked(h.hand.On(name))
			var s []string
			for _, b := range h.hand.BindingsOf(name) {
				s = append(s, b.Trigger.String()+" ("+strings.ToLower(modeChoices[min(int(b.Mode), 1)])+")")
			}
			switch {
			case h.hand.Learning() == name:
				bound.SetText("Press a key, MIDI note or controller button…")
				learn.SetText("Cancel")
			case len(s) == 0:
				bound.SetText("—")
				learn.SetText("Learn")
			default:
				bound.SetText(strings.Join(s, ", "))
				learn.SetText("Learn")
			}
		})
		form.Append(name, container.NewBorder(nil, nil, on, container.NewHBox(mode, learn, clr), bound))
	}
	h.refresh = func() {
		for _, f := range refreshers {
			f()
		}
	}
	h.refresh()
	help := widget.NewLabel("A ticked expression overrides what the Performer sends (the avatar's own rules still " +
		"close or keep open the eyes and mouth). Learn binds the next key typed in this window, or the Performer's " +
		"key, MIDI note, MIDI CC switch or controller button (these arrive over the network, so they work under " +
		"Wayland too). Bindings are saved per avatar.")
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	return widget.NewCard("Expressions by hand", "Hold or toggle expressions from the panel, keys or the Performer",
		container.NewVBox(form, help))
}
