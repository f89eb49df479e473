package testutil

import (
	"slices"
	"testing"
)

func TestDeps(t *testing.T) {
	deps := Deps(t, "", ".")
	if !deps["github.com/kugutsu/kugutsu/internal/testutil"] || !deps["os/exec"] {
		t.Fatalf("go list -deps of testutil lacks itself or os/exec: %v", deps)
	}
	if got := Within(deps, "os", "net/http"); !slices.Contains(got, "os") || !slices.Contains(got, "os/exec") || slices.Contains(got, "bufio") {
		t.Errorf("Within(deps, os, net/http) = %v: want os and os/exec, not bufio", got)
	}
	if got := Within(map[string]bool{"fyne.io/fyne/v2": true, "fyne.iox": true}, "fyne.io"); !slices.Equal(got, []string{"fyne.io/fyne/v2"}) {
		t.Errorf("Within: %v, want only the path below the root", got)
	}
}
