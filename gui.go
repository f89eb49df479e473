package main

import (
	"github.com/kugutsu/kugutsu/app"
	"github.com/kugutsu/kugutsu/cli"
)

// runGUI opens the Marionette window; it returns when the window is closed.
func runGUI(o cli.GUIOptions) error {
	return app.Run(app.Options{Version: version, VRMPath: o.VRMPath, Listen: o.Listen, Output: o.Output})
}
