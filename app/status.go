package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/app/view"
	"github.com/kugutsu/kugutsu/marionette"
)

// Colours of the status lights.
var (
	lightOn  = color.NRGBA{R: 0x2e, G: 0xcc, B: 0x40, A: 0xff}
	lightOff = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	lightBad = color.NRGBA{R: 0xe0, G: 0x40, B: 0x30, A: 0xff}
)

// lightColor is the colour of a light in state l.
func lightColor(l view.Light) color.NRGBA {
	switch l {
	case view.LightOn:
		return lightOn
	case view.LightBad:
		return lightBad
	}
	return lightOff
}

// liveStatus holds the live values the panels show, as bindings set on the
// UI goroutine from engine.Status (see ui.poll) through view.ReceiverOf.
type liveStatus struct {
	receiving  binding.String // "Receiving" / "No data"
	listen     binding.String
	sendTo     binding.String // where a Performer sends: this machine's addresses and the port
	firewall   binding.String // how to open the port
	sendFirst  string         // the best of sendTo, for the copy button (UI goroutine)
	button     binding.String // the receiver button: "Stop" while bound, else "Start"
	sender     binding.String
	packetRate binding.String
	errors     binding.String
	ok         binding.String // /VMC/Ext/OK
	senderTime binding.String // /VMC/Ext/T
	fps        binding.String
	overlay    binding.String // the viewport's FPS overlay
	credit     binding.String // the shown avatar's credit line
	autoLoad   binding.String // auto-load messages
	unmatched  binding.String // blend keys the avatar lacks
	hidden     binding.String
	quality    binding.String // the rendering quality in force

	lights    []*canvas.Circle
	light     view.Light
	listening bool
	last      marionette.Status // the status shown
}

func newLiveStatus() *liveStatus {
	s := binding.NewString
	ls := &liveStatus{
		receiving: s(), listen: s(), sendTo: s(), firewall: s(), button: s(), sender: s(), packetRate: s(), errors: s(), ok: s(), senderTime: s(),
		fps: s(), overlay: s(), credit: s(), autoLoad: s(), unmatched: s(), hidden: s(), quality: s(),
	}
	ls.update(&marionette.Status{})
	return ls
}

// newLight returns a receiving light that update keeps in step.
func (ls *liveStatus) newLight() fyne.CanvasObject {
	c := canvas.NewCircle(lightColor(ls.light))
	c.StrokeWidth = 0
	ls.lights = append(ls.lights, c)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(12, 12), c))
}

// setListen shows the receiver's state: text (where it listens, or why
// not) and whether it is bound.
func (ls *liveStatus) setListen(text string, listening bool) {
	ls.listen.Set(text)
	ls.listening = listening
	ls.show(view.ReceiverOf(&ls.last, listening))
}

// update shows st. Bindings only notify when a value changes, so an idle
// stream causes no redraw.
func (ls *liveStatus) update(st *marionette.Status) {
	ls.last = *st
	ls.show(view.ReceiverOf(st, ls.listening))
}

func (ls *liveStatus) show(v view.Receiver) {
	ls.light = v.Light
	c := lightColor(v.Light)
	for _, l := range ls.lights {
		if l.FillColor != c {
			l.FillColor = c
			l.Refresh()
		}
	}
	ls.button.Set(v.Button)
	ls.receiving.Set(v.Receiving)
	ls.sender.Set(v.Sender)
	ls.packetRate.Set(v.PacketRate)
	ls.errors.Set(v.Errors)
	ls.ok.Set(v.Available)
	ls.senderTime.Set(v.SenderTime)
	ls.fps.Set(v.FPS)
	ls.overlay.Set(v.Overlay)
	ls.quality.Set(v.Quality)
	ls.hidden.Set(v.Hidden)
}

// makeStatusBar returns the bar under the window: receiving light, state,
// sender, fps, packets/s, and the avatar's credit.
func makeStatusBar(ls *liveStatus) fyne.CanvasObject {
	// The credit takes the room left and is cut with an ellipsis, so the
	// status bar never makes the window wider (it fits 640 px).
	credit := widget.NewLabelWithData(ls.credit)
	credit.Truncation = fyne.TextTruncateEllipsis
	credit.Alignment = fyne.TextAlignTrailing
	return container.NewBorder(nil, nil, container.NewHBox(
		ls.newLight(),
		widget.NewLabelWithData(ls.receiving),
		widget.NewSeparator(),
		widget.NewLabelWithData(ls.sender),
		widget.NewSeparator(),
		widget.NewLabelWithData(ls.packetRate),
		widget.NewSeparator(),
		widget.NewLabelWithData(ls.fps),
	), nil, credit)
}
