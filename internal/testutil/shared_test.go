package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSharedMissing runs TestSharedHelper in a fresh clone's layout (a
// repository root with go.mod and no ../shared): it skips naming the folder,
// and fails under KUGUTSU_REQUIRE_MODELS=1. With the folder present it
// returns the absolute path.
func TestSharedMissing(t *testing.T) {
	parent := t.TempDir()
	repo := filepath.Join(parent, "kugutsu")
	pkg := filepath.Join(repo, "some", "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(require string) (string, error) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestSharedHelper$", "-test.v")
		cmd.Dir = pkg
		cmd.Env = append(os.Environ(), "KUGUTSU_SHARED_HELPER=1", RequireModelsEnv+"="+require)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run("")
	if err != nil || !strings.Contains(out, "--- SKIP") || !strings.Contains(out, "needs ../shared/models/Godette.vrm beside the repository") {
		t.Errorf("without ../shared: %v, want a skip naming the folder:\n%s", err, out)
	}
	out, err = run("1")
	if err == nil || !strings.Contains(out, "--- FAIL") || !strings.Contains(out, "../shared/models/Godette.vrm beside the repository is needed") {
		t.Errorf("without ../shared, %s=1: %v, want a failure naming the folder:\n%s", RequireModelsEnv, err, out)
	}

	models := filepath.Join(parent, "shared", "models")
	if err := os.MkdirAll(models, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(models, "Godette.vrm"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = run("1")
	if err != nil || !strings.Contains(out, "--- PASS") || !strings.Contains(out, "path "+filepath.Join(models, "Godette.vrm")) {
		t.Errorf("with ../shared: %v, want a pass giving the absolute path:\n%s", err, out)
	}
}

// TestSharedHelper is the test TestSharedMissing runs in a child process.
func TestSharedHelper(t *testing.T) {
	if os.Getenv("KUGUTSU_SHARED_HELPER") != "1" {
		t.Skip("run by TestSharedMissing")
	}
	t.Logf("path %s", SharedModel(t, "Godette.vrm"))
}
