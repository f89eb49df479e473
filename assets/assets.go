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

//go:embed default.vrm
var defaultVRM []byte

// Icon returns the app icon: a 512×512 PNG of the Kugutsu doll's face. The
// slice is shared; callers must not modify it.
func Icon() []byte { return icon }

// DefaultVRM returns the default avatar, Kugutsu, a VRM 1.0 file (binary
// glTF) of a wooden marionette doll with all 55 humanoid bones, the 18 VRM
// preset and 52 ARKit Perfect Sync expressions, spring-bone tassels and a
// CC0 licence. The slice is shared; callers must not modify it.
func DefaultVRM() []byte { return defaultVRM }
