package app

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/app/view"
	"github.com/kugutsu/kugutsu/marionette"
)

// Preference keys of the extra receivers: prefExtra + index + one of the
// suffixes.
const (
	prefExtra      = "vmc.extra."
	prefExtraOn    = ".on"
	prefExtraPort  = ".port"
	prefExtraParts = ".parts" // a marionette.Parts bit set
)

// extraSettings are the extra receivers' settings (issue 15: up to four
// Performers, each driving the parts assigned to it), with their live
// status lines.
type extraSettings struct {
	prefs  fyne.Preferences
	on     []binding.Bool
	port   []binding.Int
	parts  []binding.Int
	status []binding.String
}

func newExtraSettings(p fyne.Preferences) *extraSettings {
	b, _, _ := preferenceBinders(p)
	x := &extraSettings{prefs: p}
	for i := range marionette.MaxExtraReceivers {
		k := prefExtra + strconv.Itoa(i+1)
		p.SetInt(k+prefExtraPort, p.IntWithFallback(k+prefExtraPort, defaultListenPort+1+i))
		p.SetInt(k+prefExtraParts, p.IntWithFallback(k+prefExtraParts, 0))
		x.on = append(x.on, b(k+prefExtraOn, false))
		x.port = append(x.port, binding.BindPreferenceInt(k+prefExtraPort, p))
		x.parts = append(x.parts, binding.BindPreferenceInt(k+prefExtraParts, p))
		x.status = append(x.status, binding.NewString())
	}
	return x
}

// configs returns the receivers switched on, listening on host (the main
// receiver's) at their ports.
func (x *extraSettings) configs(host string) []marionette.ReceiverConfig {
	host = strings.TrimSpace(host)
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	var out []marionette.ReceiverConfig
	for i := range x.on {
		on, _ := x.on[i].Get()
		port, _ := x.port[i].Get()
		parts, _ := x.parts[i].Get()
		if on && port > 0 && port < 65536 {
			out = append(out, marionette.ReceiverConfig{Addr: fmt.Sprintf("%s:%d", host, port), Parts: marionette.Parts(parts) & marionette.AllParts})
		}
	}
	return out
}

// showStatus sets the status lines from the engine's receivers (UI
// goroutine). Receivers switched off show nothing.
func (x *extraSettings) showStatus(list []marionette.ReceiverStatus) {
	for i := range x.status {
		x.status[i].Set("")
	}
	n := 0
	for i := range x.on {
		on, _ := x.on[i].Get()
		port, _ := x.port[i].Get()
		if !on || port <= 0 || port >= 65536 || n >= len(list) {
			continue
		}
		x.status[i].Set(view.ExtraReceiverText(list[n]))
		n++
	}
}

// makeExtraReceiversCard returns the extra receivers: each on/off, its
// port, the parts it drives and its status. apply restarts the receivers
// with the settings.
func makeExtraReceiversCard(x *extraSettings, apply func()) fyne.CanvasObject {
	box := container.NewVBox()
	for i := range x.on {
		port := widget.NewEntryWithData(binding.IntToString(x.port[i]))
		port.Validator = validatePort
		port.OnSubmitted = func(string) { apply() }
		on := widget.NewCheck("", nil)
		v, _ := x.on[i].Get()
		on.SetChecked(v)
		on.OnChanged = func(v bool) {
			x.on[i].Set(v)
			apply()
		}
		parts := container.NewGridWithColumns(4)
		for p := marionette.Part(0); p < marionette.PartCount; p++ {
			cur, _ := x.parts[i].Get()
			c := widget.NewCheck(p.String(), nil)
			c.SetChecked(marionette.Parts(cur).Has(p))
			c.OnChanged = func(v bool) {
				cur, _ := x.parts[i].Get()
				if v {
					cur |= 1 << p
				} else {
					cur &^= 1 << p
				}
				x.parts[i].Set(cur)
				apply()
			}
			parts.Add(c)
		}
		status := widget.NewLabelWithData(x.status[i])
		status.Wrapping = fyne.TextWrapWord
		box.Add(widget.NewForm(
			widget.NewFormItem(fmt.Sprintf("Performer %d", i+2), container.NewBorder(nil, nil, on, nil, port)),
			widget.NewFormItem("Drives", parts),
			widget.NewFormItem("", status),
		))
	}
	help := widget.NewLabel("Each extra receiver listens on its own UDP port (on the address above) and drives only the " +
		"parts ticked for it; the main receiver drives the rest. Press Return in a port to apply it.")
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	return widget.NewCard("More Performers", "Up to three more sources, each driving its own parts",
		container.NewVBox(box, help))
}

// applyReceivers restarts the extra receivers with the settings, on the
// main receiver's address. Errors show in each receiver's status line.
func (u *ui) applyReceivers() {
	host, _ := u.set.host.Get()
	u.engine.SetReceivers(u.set.alive.extra.configs(host))
}
