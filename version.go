package main

import (
	_ "embed"

	"github.com/BurntSushi/toml"
)

// fyneApp is FyneApp.toml, the one source of the release version: `fyne
// package` reads it for the package, and the binary's `kugutsu version` and
// Help → About read it here.
//
//go:embed FyneApp.toml
var fyneApp []byte

// version is the release version, [Details] Version in FyneApp.toml;
// `go build -ldflags "-X main.version=…"` overrides it.
var version = ""

func init() {
	if version != "" {
		return
	}
	var m struct {
		Details struct{ Version string }
	}
	if _, err := toml.Decode(string(fyneApp), &m); err != nil || m.Details.Version == "" {
		version = "unknown"
		return
	}
	version = m.Details.Version
}
