package app

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestTextureSizeSetting: the saved texture size reaches the engine before
// the first load, and the View tab's choice changes it for the next load.
func TestTextureSizeSetting(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefTextureSize, "1024")
	u := newUI(a, Options{})
	t.Cleanup(u.stop)
	if got := u.engine.TextureSize(); got != 1024 {
		t.Errorf("saved texture size: engine has %d, want 1024", got)
	}
	findSelect(t, tab(t, u, "View"), labels(textureChoices)).SetSelected(textureChoices[3].label)
	if got := u.engine.TextureSize(); got >= 0 {
		t.Errorf("Full size chosen: engine has %d, want negative (full size)", got)
	}
	test.Tap(findButton(t, tab(t, u, "View"), "Reset view settings"))
	if got := u.engine.TextureSize(); got != 2048 {
		t.Errorf("after reset: engine has %d, want 2048", got)
	}
}
