package testutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// RequireModelsEnv is the environment variable that turns a missing ../shared
// into a failure instead of a skip. `.ci/run` sets it to 1: CI has the folder.
const RequireModelsEnv = "KUGUTSU_REQUIRE_MODELS"

// RepoRoot returns the absolute path of the repository root: the nearest
// directory at or above the test's working directory (its package
// directory, under go test) that holds go.mod. It fails the test if there is
// none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod at or above the working directory")
		}
		dir = up
	}
}

// Shared returns the absolute path of elem (joined) inside ../shared, the
// folder of real sample inputs that sits beside the repository root (models,
// fixtures, specs; DEVELOPERS.md). A fresh clone has no such folder: when the
// path is missing the test is skipped with a message naming it — unless
// KUGUTSU_REQUIRE_MODELS=1, where it fails.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	rel := filepath.Join(append([]string{"..", "shared"}, elem...)...)
	p := filepath.Join(RepoRoot(t), rel)
	if _, err := os.Stat(p); err != nil {
		why := err.Error()
		if errors.Is(err, os.ErrNotExist) {
			why = "not found"
		}
		if os.Getenv(RequireModelsEnv) == "1" {
			t.Fatalf("%s beside the repository is needed (%s): %v", filepath.ToSlash(rel), p, err)
		}
		t.Skipf("needs %s beside the repository (%s: %s; %s=1 makes this a failure)", filepath.ToSlash(rel), p, why, RequireModelsEnv)
	}
	return p
}

// SharedModel returns the absolute path of the sample model ../shared/models/name
// (e.g. "Godette.vrm"), or skips the test when it is missing (see Shared).
func SharedModel(t testing.TB, name string) string {
	t.Helper()
	return Shared(t, "models", name)
}

// SharedModels returns the absolute path of the sample models folder
// ../shared/models, or skips the test when it is missing (see Shared).
func SharedModels(t testing.TB) string {
	t.Helper()
	return Shared(t, "models")
}

// SharedFixtures returns the absolute path of the fixture folder
// ../shared/fixtures/dir (e.g. "ifacialmocap", real frames), or skips the
// test when it is missing (see Shared).
func SharedFixtures(t testing.TB, dir string) string {
	t.Helper()
	return Shared(t, "fixtures", dir)
}
