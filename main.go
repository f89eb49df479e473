// Command kugutsu is a VMC Protocol Marionette: it receives a Performer's motion
// over OSC/UDP and shows the VRM avatar moving in a window.
//
// With no subcommand it opens the window:
//
//	kugutsu [--vrm FILE] [--listen ADDR:PORT]
//
// Subcommands run the headless tools; `kugutsu help` lists them.
package main

import (
	"os"

	"github.com/kugutsu/kugutsu/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Version: version,
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		GUI:     runGUI,
	}))
}
