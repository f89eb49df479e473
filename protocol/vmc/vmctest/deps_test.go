package vmctest

import (
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// TestLayering checks the dependency rules of issue 12 with `go list -deps`:
// the shipped binary (the module's main package, built with the Makefile's
// -tags no_emoji,gles) links neither go-osc nor this package nor the VRM
// writer vrm/vrmenc (used by the asset generators and tests only), and the
// protocol packages (wire formats only) do not pull in mathgl.
func TestLayering(t *testing.T) {
	const module = "github.com/kugutsu/kugutsu"
	for _, tc := range []struct {
		tags   string
		pkgs   string
		banned []string
	}{
		{"no_emoji,gles", module, []string{"github.com/hypebeast/go-osc", module + "/protocol/vmc/vmctest", module + "/vrm/vrmenc"}},
		{"", module + "/protocol/...", []string{"github.com/go-gl/mathgl"}},
	} {
		for _, dep := range testutil.Within(testutil.Deps(t, tc.tags, tc.pkgs), tc.banned...) {
			t.Errorf("go list -deps -tags %q %s includes %s", tc.tags, tc.pkgs, dep)
		}
	}
}
