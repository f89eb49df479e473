package face

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// fixture is one real frame: its file name and text.
type fixture struct{ name, frame string }

// loadFixtures reads every real iFacialMocap frame in
// ../shared/fixtures/ifacialmocap beside the repository (skipping the test
// when it is missing, unless KUGUTSU_REQUIRE_MODELS=1).
func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	fixtureDir := testutil.SharedFixtures(t, "ifacialmocap")
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no fixtures in %s (the shared directory must sit beside the repository)", fixtureDir)
	}
	var fs []fixture
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, fixture{filepath.Base(p), strings.TrimSuffix(string(b), "\n")})
	}
	return fs
}
