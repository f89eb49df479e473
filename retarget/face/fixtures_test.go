package face

import (
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// fixture is one real frame from ../shared/fixtures/ifacialmocap; each
// file holds one frame and its final newline is not part of it (fixtures
// README).
type fixture = testutil.TextFixture

// loadFixtures reads every real frame (skipping the test when
// ../shared/fixtures/ifacialmocap is missing, unless KUGUTSU_REQUIRE_MODELS=1).
func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	return testutil.TextFixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
}
