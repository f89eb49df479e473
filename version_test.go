package main

import (
	"os"
	"regexp"
	"testing"
)

// TestVersionFromFyneApp checks that the binary's version is FyneApp.toml's.
func TestVersionFromFyneApp(t *testing.T) {
	b, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Version = "([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("FyneApp.toml has no Version")
	}
	if version != string(m[1]) {
		t.Errorf("version %q, FyneApp.toml says %q", version, m[1])
	}
}
