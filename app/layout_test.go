package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// TestNarrowWindowAndPanel: the window fits 640 px with the panel shown
// (each panel scrolls); the toolbar sits above the picture, not on it; the
// panel collapses (Ctrl+B) so the viewport fills the window, and the choice
// and the split position are kept for the next start.
func TestNarrowWindowAndPanel(t *testing.T) {
	a := test.NewTempApp(t)
	u := newUI(a, Options{Version: "test"})
	t.Cleanup(u.stop)
	if w := u.win.Content().MinSize().Width; w > 640 {
		t.Errorf("the window needs %.0f px, want ≤ 640", w)
	}
	u.win.Resize(fyne.NewSize(640, 480))
	d := a.Driver()
	vp := d.AbsolutePositionForObject(u.view)
	cam := findCheck(t, u.win.Content(), "Performer's camera")
	cp := d.AbsolutePositionForObject(cam)
	if cp.Y+cam.Size().Height > vp.Y {
		t.Errorf("the Performer's camera check (y %.0f–%.0f) lies over the picture (from y %.0f)", cp.Y, cp.Y+cam.Size().Height, vp.Y)
	}
	if u.view.Size().Width < 100 || u.view.Size().Height < 100 {
		t.Errorf("viewport %v at 640×480", u.view.Size())
	}
	withPanel := u.view.Size().Width

	u.split.Offset = 0.55
	item := u.win.MainMenu().Items[1].Items[0] // View → side panel
	if sc, ok := item.Shortcut.(*desktop.CustomShortcut); !ok || sc.KeyName != fyne.KeyB {
		t.Errorf("the side-panel item's shortcut is %v, want Ctrl+B", item.Shortcut)
	}
	item.Action()
	if u.panelShown {
		t.Fatal("View → side panel did not hide the panel")
	}
	u.win.Content().Refresh()
	u.win.Resize(fyne.NewSize(641, 480))
	if w := u.view.Size().Width; w <= withPanel || w < 600 {
		t.Errorf("viewport %.0f px wide with the panel hidden (was %.0f)", w, withPanel)
	}
	u.stop()

	u2 := newUI(a, Options{Version: "test"})
	t.Cleanup(u2.stop)
	if u2.panelShown {
		t.Error("the hidden panel came back at the next start")
	}
	u2.togglePanel()
	if !u2.panelShown || u2.split.Offset != 0.55 {
		t.Errorf("panel %v, split %.2f after showing it again, want the saved 0.55", u2.panelShown, u2.split.Offset)
	}
}

// TestTransparentBackgroundChoice: the View tab's transparent check reaches
// the engine and shows the checkerboard under the picture.
func TestTransparentBackgroundChoice(t *testing.T) {
	u := newTestUI(t)
	u.tabs.SelectIndex(3)
	check := findCheck(t, tab(t, u, "View"), "Transparent (a checkerboard here; real alpha in the output window)")
	var checker fyne.CanvasObject
	for _, o := range objects(u.viewArea) {
		if r, ok := o.(*canvas.Raster); ok && r != u.view.raster {
			checker = r
		}
	}
	if checker == nil || checker.Visible() {
		t.Fatalf("checkerboard %v: want one, hidden while opaque", checker)
	}
	test.Tap(check)
	if !u.engine.View().Transparent || !checker.Visible() {
		t.Errorf("after the check: engine transparent %v, checkerboard shown %v", u.engine.View().Transparent, checker.Visible())
	}
}
