package app

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestFastViewportNotX11: on a window that is not an X11 window (Fyne's
// test driver here, Wayland or another system for real) the viewport stays
// on the raster and the View tab says why; the check box is there, on by
// default.
func TestFastViewportNotX11(t *testing.T) {
	u := newTestUI(t)
	u.fast.update()
	if u.view.direct.Load() {
		t.Error("the viewport left the raster without an X11 window")
	}
	if s, _ := u.fast.status.Get(); s != "Fyne (OpenGL): not an X11 window" {
		t.Errorf("status %q", s)
	}
	u.tabs.SelectIndex(3) // View
	c := findCheck(t, u.win.Content(), "Fast viewport (X11)")
	if !c.Checked {
		t.Error("Fast viewport (X11) is off by default")
	}
	test.Tap(c)
	if on, _ := u.set.fastViewport.Get(); on {
		t.Error("unticking Fast viewport (X11) left the preference on")
	}
	if s, _ := u.fast.status.Get(); s != "Fyne (OpenGL): not an X11 window" {
		t.Errorf("status after unticking %q", s)
	}
}
