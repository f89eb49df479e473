// Package assets holds the files Kugutsu embeds in its binary: the app icon
// and the default avatar. Both are made by this repository's own code
// (assets/internal/doll, assets/internal/generate); `go generate ./assets`
// rewrites them, and the tests check that the committed files are exactly
// what the generator makes.
package assets

//go:generate go run ./gen

import _ "embed"

//go:embed icon.png
var icon []byte

// Icon returns the app icon: a 512×512 PNG of the Kugutsu doll's face. The
// slice is shared; callers must not modify it.
func Icon() []byte { return icon }
