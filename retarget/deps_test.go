package retarget

import (
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// TestLayering checks the layering of issue 12 with `go list -deps`:
// retarget (pure posing) links none of the packages that own goroutines,
// windows or the renderer, and render knows nothing of VMC (it takes
// VRM-frame cameras and lights; the conversions are here).
func TestLayering(t *testing.T) {
	const module = "github.com/kugutsu/kugutsu"
	for _, tc := range []struct {
		pkgs   string
		banned []string
	}{
		{module + "/retarget/...", []string{module + "/marionette", module + "/app", module + "/render", module + "/output",
			module + "/cli", module + "/protocol/capture", "fyne.io/fyne"}},
		{module + "/render/...", []string{module + "/protocol", module + "/retarget"}},
	} {
		for _, dep := range testutil.Within(testutil.Deps(t, "", tc.pkgs), tc.banned...) {
			t.Errorf("go list -deps %s includes %s", tc.pkgs, dep)
		}
	}
}
