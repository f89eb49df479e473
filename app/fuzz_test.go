package app

import (
	"strings"
	"testing"
)

// FuzzParseHexColor: saved colours parse back to what was written.
func FuzzParseHexColor(f *testing.F) {
	for _, s := range []string{"#505864", "#FFFFFF", "#0", "505864", "#zzzzzz", "#-1-1-1", "#+f+f+f", "# 1 2 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseHexColor(s)
		if err != nil {
			return
		}
		if got := hexColor(c); got != strings.ToLower(s) {
			t.Fatalf("parseHexColor(%q) = %v, written back as %q", s, c, got)
		}
	})
}

// FuzzSplitListen: a --listen value gives a port in range or an error.
func FuzzSplitListen(f *testing.F) {
	for _, s := range []string{"0.0.0.0:39539", ":1", "[::1]:5", "a:b:c", "x:-1", "x:65536", "x:+5", "x:0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, port, err := splitListen(s)
		if err != nil {
			return
		}
		if port < 0 || port > 65535 || host == "" {
			t.Fatalf("splitListen(%q) = %q, %d", s, host, port)
		}
	})
}
