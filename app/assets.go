package app

import (
	"fyne.io/fyne/v2"

	"github.com/kugutsu/kugutsu/assets"
)

// appIcon returns the window icon: the Kugutsu doll's face (assets.Icon).
func appIcon() fyne.Resource { return fyne.NewStaticResource("kugutsu.png", assets.Icon()) }

// defaultAvatarName is what the UI calls the embedded avatar before its
// meta is read.
const defaultAvatarName = "Kugutsu (default avatar)"

// defaultAvatar returns the embedded default avatar, a VRM 1.0 file (CC0,
// made by this project's own code: assets.DefaultVRM), and its name.
func defaultAvatar() ([]byte, string) { return assets.DefaultVRM(), defaultAvatarName }
