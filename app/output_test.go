package app

import (
	"image/color"
	"strings"
	"testing"
)

// TestOutputFallback: without an X server the output window is a Fyne
// window on the key colour (no alpha to keep), and closing it stops the
// engine's output view.
func TestOutputFallback(t *testing.T) {
	t.Setenv("DISPLAY", "")
	u := newTestUI(t)
	u.outSet.background.Set(labelOf(outputBackgrounds, "transparent"))
	u.outSet.open.Set(true)
	u.outputOpenChanged() // (start registers it as the setting's listener)
	if !u.output.isOpen() {
		t.Fatal("the output window did not open")
	}
	if s := u.output.status(); !strings.Contains(s, "plain window on the key colour") || !strings.Contains(s, "no X11 display") {
		t.Errorf("status %q", s)
	}
	o, ok := u.engine.Output()
	if !ok || o.Background != (color.NRGBA{0, 0xff, 0, 0xff}) || o.Width != 1280 || o.Height != 720 {
		t.Errorf("engine output %+v %v, want 1280×720 on key green", o, ok)
	}
	found := false
	for _, w := range u.app.Driver().AllWindows() {
		if w.Title() == "Kugutsu output" {
			found = true
		}
	}
	if !found {
		t.Error("no Fyne window titled Kugutsu output")
	}
	u.outSet.open.Set(false)
	u.outputOpenChanged()
	if _, ok := u.engine.Output(); ok || u.output.isOpen() {
		t.Error("the output view is still on after closing")
	}
}
