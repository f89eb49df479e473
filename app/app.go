// Package app is Kugutsu's Fyne user interface: the Marionette window with the
// live avatar viewport, the VMC / Avatar / View panels, the menus and the
// status bar. It holds no protocol or rendering logic of its own: the
// engine (package marionette) receives, poses and renders; the UI shows its
// images and status and hands the user's choices to it.
//
// Threading (field notes §7): widgets are touched on the UI goroutine only.
// The engine's hooks and the status poller run elsewhere and reach the UI
// through fyne.Do, coalesced with atomic "pending" flags so the queue never
// grows.
package app

import (
	"fmt"

	fyneapp "fyne.io/fyne/v2/app"
)

// AppID is the application identifier (FyneApp.toml, preferences storage).
const AppID = "io.github.kugutsu"

// Options configure the window at start-up.
type Options struct {
	Version string // shown in Help → About
	VRMPath string // VRM to open instead of the default avatar; "" for none
	Listen  string // VMC listen address "ADDR:PORT"; "" for the saved or default one
	Output  bool   // open the output window (for capture) at start
}

// Run opens the main window and blocks until it is closed. A malformed
// Listen is an error before any window opens.
func Run(o Options) error {
	if o.Listen != "" {
		if _, _, err := splitListen(o.Listen); err != nil {
			return fmt.Errorf("--listen %q: %w", o.Listen, err)
		}
	}
	tuneGC()
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(appIcon())
	u := newUI(a, o)
	u.start()
	a.Lifecycle().SetOnStarted(u.fitScreen)
	u.win.ShowAndRun()
	close(u.ran)
	u.stop()
	return nil
}
