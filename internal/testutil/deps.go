package testutil

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Deps returns the import paths of pkgs and everything they link, as
// `go list -deps` lists them (non-test imports only), built with the given
// build tags ("" for none; e.g. "no_emoji,gles" as the Makefile builds the
// app). pkgs are package patterns ("./...", a module path); relative ones
// are resolved from the test's package directory. It needs the go command
// (see RequireTool) and fails the test if go list fails. The layering tests
// of issue 12 (retarget, protocol/vmc/vmctest, app/view) check its result.
func Deps(t testing.TB, tags string, pkgs ...string) map[string]bool {
	t.Helper()
	args := []string{"list", "-deps"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	args = append(args, pkgs...)
	out, err := exec.Command(RequireTool(t, "go"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	deps := make(map[string]bool)
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	return deps
}

// Within returns, sorted, the paths in deps that are one of roots or lie
// below one (root + "/…"): the banned packages a layering test found.
func Within(deps map[string]bool, roots ...string) []string {
	var found []string
	for p := range deps {
		for _, r := range roots {
			if p == r || strings.HasPrefix(p, r+"/") {
				found = append(found, p)
				break
			}
		}
	}
	slices.Sort(found)
	return found
}
