package app

import "fyne.io/fyne/v2"

// appIcon returns the window icon, nil until the embedded icon exists.
func appIcon() fyne.Resource { return nil }

// defaultAvatar returns the embedded default avatar (a VRM file) and its
// name, or nil when this build has none.
func defaultAvatar() ([]byte, string) { return nil, "" }
