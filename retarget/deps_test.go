package retarget

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestLayering checks the layering of issue 12 with `go list -deps`:
// retarget (pure posing) links none of the packages that own goroutines,
// windows or the renderer, and render knows nothing of VMC (it takes
// VRM-frame cameras and lights; the conversions are here).
func TestLayering(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("KUGUTSU_REQUIRE_TOOLS") == "1" {
			t.Fatalf("go is required (KUGUTSU_REQUIRE_TOOLS=1): %v", err)
		}
		t.Skip("go not installed")
	}
	const module = "github.com/kugutsu/kugutsu"
	for _, tc := range []struct {
		pkgs   string
		banned []string
	}{
		{module + "/retarget/...", []string{module + "/marionette", module + "/app", module + "/render", module + "/output",
			module + "/cli", module + "/protocol/capture", "fyne.io/fyne"}},
		{module + "/render/...", []string{module + "/protocol", module + "/retarget"}},
	} {
		out, err := exec.Command(goTool, "list", "-deps", tc.pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", tc.pkgs, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range tc.banned {
				if dep == b || strings.HasPrefix(dep, b+"/") {
					t.Errorf("go list -deps %s includes %s", tc.pkgs, dep)
				}
			}
		}
	}
}
