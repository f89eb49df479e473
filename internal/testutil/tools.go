// Package testutil holds helpers shared by tests of several packages: outside
// tools that may be missing, a virtual X server, the sample inputs in
// ../shared that a fresh clone lacks, and waiting for a condition.
package testutil

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RequireTool returns the path of an outside program, or skips the test when
// it is missing — unless KUGUTSU_REQUIRE_TOOLS=1 (set by `make test`), where
// a missing tool fails it.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("KUGUTSU_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is needed (make deps installs it): %v", name, err)
		}
		t.Skipf("%s not found: %v", name, err)
	}
	return p
}

// StartXvfb starts a virtual X server (1280×800, depth 24, with the
// Composite extension's 32-bit ARGB visual) on a free display, stops it when
// the test ends, and returns its DISPLAY value.
func StartXvfb(t testing.TB) string {
	t.Helper()
	return StartXvfbScreen(t, 1280, 800)
}

// StartXvfbScreen is StartXvfb with a screen of width×height pixels.
func StartXvfbScreen(t testing.TB, width, height int) string {
	t.Helper()
	xvfb := RequireTool(t, "Xvfb")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(xvfb, "-displayfd", "3", "-screen", "0", strconv.Itoa(width)+"x"+strconv.Itoa(height)+"x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if _, err := strconv.Atoi(n); err != nil {
			t.Fatalf("Xvfb gave display %q", n)
		}
		return ":" + n
	case <-time.After(15 * time.Second):
		t.Fatal("Xvfb did not start")
	}
	return ""
}
