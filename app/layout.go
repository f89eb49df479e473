package app

import (
	"fyne.io/fyne/v2"

	"github.com/kugutsu/kugutsu/output"
)

// fitScreen shrinks the window when its saved size no longer fits the
// screen (a smaller monitor, or FYNE_SCALE raised since): on X11 it reads
// the screen's size; elsewhere it leaves the window as it is.
func (u *ui) fitScreen() {
	w, h, err := output.ScreenSize("")
	if err != nil {
		return
	}
	size := fyne.NewSize(float32(u.set.prefs.FloatWithFallback(prefWindowWidth, 1280)),
		float32(u.set.prefs.FloatWithFallback(prefWindowHeight, 720)))
	if fit := fitWindow(size, w, h, u.win.Canvas().Scale()); fit != size {
		u.win.Resize(fit)
	}
}

// fitWindow returns size (in Fyne units, scale physical pixels each)
// shrunk to fit a screenW×screenH-pixel screen with room for the window
// manager's frame and panels (95 % of the width, 90 % of the height).
func fitWindow(size fyne.Size, screenW, screenH int, scale float32) fyne.Size {
	if !(scale > 0) || screenW <= 0 || screenH <= 0 {
		return size
	}
	maxW, maxH := 0.95*float32(screenW)/scale, 0.9*float32(screenH)/scale
	return fyne.NewSize(min(size.Width, maxW), min(size.Height, maxH))
}
