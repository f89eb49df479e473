// Package app is Kugutsu's Fyne user interface: the Marionette window with the
// live avatar viewport, the VMC / iFacialMocap / Avatar / View panels and the
// status bar. It holds no protocol or rendering logic of its own; it wires
// protocol/vmc, vrm and render together.
package app

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// AppID is the application identifier (FyneApp.toml, preferences storage).
const AppID = "io.github.kugutsu"

// Options configure the window at start-up.
type Options struct {
	Version string // shown in Help → About
	VRMPath string // VRM to open instead of the default avatar; "" for none
	Listen  string // VMC listen address "ADDR:PORT"; "" for the saved or default one
}

// Run opens the main window and blocks until it is closed.
func Run(o Options) error {
	a := fyneapp.NewWithID(AppID)
	w := a.NewWindow("Kugutsu")
	w.SetContent(container.NewCenter(widget.NewLabel("Kugutsu " + o.Version + " — VMC Marionette")))
	w.Resize(fyne.NewSize(1280, 720))
	w.ShowAndRun()
	return nil
}
