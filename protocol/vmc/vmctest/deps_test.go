package vmctest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestLayering checks the dependency rules of issue 12 with `go list -deps`:
// the shipped binary (the module's main package, built with the Makefile's
// -tags no_emoji,gles) links neither go-osc nor this package nor the VRM
// writer vrm/vrmenc (used by the asset generators and tests only), and the
// protocol packages (wire formats only) do not pull in mathgl.
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
		pkgs   []string
		banned []string
	}{
		{[]string{"-tags", "no_emoji,gles", module}, []string{"github.com/hypebeast/go-osc", module + "/protocol/vmc/vmctest", module + "/vrm/vrmenc"}},
		{[]string{module + "/protocol/..."}, []string{"github.com/go-gl/mathgl"}},
	} {
		out, err := exec.Command(goTool, append([]string{"list", "-deps"}, tc.pkgs...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %v: %v\n%s", tc.pkgs, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, b := range tc.banned {
				if dep == b || strings.HasPrefix(dep, b+"/") {
					t.Errorf("go list -deps %v includes %s", tc.pkgs, dep)
				}
			}
		}
	}
}
