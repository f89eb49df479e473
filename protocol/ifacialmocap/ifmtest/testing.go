package ifmtest

import (
	"github.com/kugutsu/kugutsu/internal/testutil"
	"net"
	"testing"
)

// StartT starts a fake phone for the test tb (see Start) and closes it when
// the test ends; it fails the test if the phone cannot start.
func StartT(tb testing.TB, cfg Config) *Phone {
	tb.Helper()
	p, err := Start(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}

// FreeTCPPort returns a TCP port on 127.0.0.1 that was free a moment ago,
// for Config.TCPPort and Config.BakePort, which the phone must know before
// the client under test binds them.
func FreeTCPPort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Fixtures returns the real iFacialMocap frames in dir — the repository's
// ../shared/fixtures/ifacialmocap, as testutil.SharedFixtures(tb,
// "ifacialmocap") gives it (skipping the test when the folder is missing) —
// one per *.txt file in name order, without the trailing newline. It fails
// the test if dir holds none.
func Fixtures(tb testing.TB, dir string) []string {
	tb.Helper()
	named := testutil.TextFixtures(tb, dir)
	frames := make([]string, len(named))
	for i, f := range named {
		frames[i] = f.Text
	}
	return frames
}
