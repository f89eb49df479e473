package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TextFixture is one text fixture file: its base name and its text without
// the final newline.
type TextFixture struct{ Name, Text string }

// TextFixtures reads every *.txt file in dir (one fixture each, its final
// newline not part of it), in name order; it fails the test when there is
// none.
func TextFixtures(tb testing.TB, dir string) []TextFixture {
	tb.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(paths) == 0 {
		tb.Fatalf("no fixtures in %s (the shared directory must sit beside the repository)", dir)
	}
	fs := make([]TextFixture, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		fs = append(fs, TextFixture{filepath.Base(p), strings.TrimSuffix(string(b), "\n")})
	}
	return fs
}
