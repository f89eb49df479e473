package marionette

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
)

func TestCheckAutoLoadPath(t *testing.T) {
	dir := t.TempDir()
	godette, err := filepath.Abs(godettePath)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Skipf("symlinks: %v", err)
		}
		return p
	}
	secret := write("secret.txt", "password")
	upper := write("UPPER.VRM", "x")
	empty := write("empty.vrm", "")
	huge := filepath.Join(dir, "huge.vrm")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, MaxAutoLoadSize+1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.vrm"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, want, err string // want "" with err
	}{
		{godette, godette, ""},
		{upper, upper, ""},
		{link("good.vrm", godette), godette, ""},
		{"", "", "empty"},
		{"relative/model.vrm", "", "not an absolute path"},
		{`C:\Users\vtuber\model.vrm`, "", "not an absolute path"},
		{secret, "", "does not end in .vrm"},
		{"/etc/passwd", "", "does not end in .vrm"},
		{link("evil.vrm", secret), "", "links to"},
		{filepath.Join(dir, "missing.vrm"), "", "no such file"},
		{filepath.Join(dir, "folder.vrm"), "", "not a regular file"},
		{empty, "", "empty"},
		{huge, "", "MiB allowed"},
		{"/dev/null.vrm", "", "no such file"},
		{"/x/" + strings.Repeat("a", 5000) + ".vrm", "", "not a usable path"},
		{"/x/a\x00.vrm", "", "not a usable path"},
	}
	for _, tc := range tests {
		got, err := CheckAutoLoadPath(tc.path)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("CheckAutoLoadPath(%.60q) = %q, %v; want %q", tc.path, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("CheckAutoLoadPath(%.60q) = %q, %v; want an error containing %q", tc.path, got, err, tc.err)
		}
	}
}

// autoLoadEngine is a test engine recording auto-load requests.
type autoLoadEngine struct {
	*testEngine
	requests chan string
	refused  chan string
}

func newAutoLoadEngine(t *testing.T) *autoLoadEngine {
	t.Helper()
	ae := &autoLoadEngine{requests: make(chan string, 16), refused: make(chan string, 16)}
	ae.testEngine = newTestEngine(t)
	ae.cfg.OnVRMRequest = func(p string) { ae.requests <- p }
	ae.cfg.OnAutoLoadRefused = func(p string, err error) { ae.refused <- p }
	return ae
}

func (ae *autoLoadEngine) announce(t *testing.T, path string) {
	t.Helper()
	if err := ae.sender.VRM(vmc.VRMInfo{Path: path, Title: "test"}); err != nil {
		t.Fatal(err)
	}
}

func expectNone(t *testing.T, what string, c chan string) {
	t.Helper()
	select {
	case p := <-c:
		t.Errorf("unexpected %s: %q", what, p)
	case <-time.After(200 * time.Millisecond):
	}
}

func expect(t *testing.T, what string, c chan string) string {
	t.Helper()
	select {
	case p := <-c:
		return p
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", what)
	}
	return ""
}

func TestAutoLoadOffByDefault(t *testing.T) {
	ae := newAutoLoadEngine(t)
	godette, _ := filepath.Abs(godettePath)
	ae.announce(t, godette)
	expectNone(t, "request with auto-load off", ae.requests)
	if av, _ := ae.Avatar(); av != nil {
		t.Error("an announced file was loaded with auto-load off")
	}
}

func TestAutoLoadAsksOnceThenLoads(t *testing.T) {
	ae := newAutoLoadEngine(t)
	godette, _ := filepath.Abs(godettePath)
	sphere, _ := filepath.Abs("../../shared/models/sphere_vrm0.vrm")

	// Announced before auto-load is on: asked about when it is turned on.
	ae.announce(t, godette)
	for ae.Scene().Seq() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ae.SetAutoLoad(true)
	if got := expect(t, "request", ae.requests); got != godette {
		t.Fatalf("request %q, want %q", got, godette)
	}
	// Asked once: announcing it again (the Performer repeats it) asks nothing.
	ae.announce(t, sphere) // (a change, so the scene reports VRM again)
	expect(t, "request for the second file", ae.requests)
	ae.announce(t, godette)
	expectNone(t, "second request", ae.requests)
	if av, _ := ae.Avatar(); av != nil {
		t.Fatal("loaded before approval")
	}

	ae.ApproveVRM(godette)
	if ev := expectLoad(t, ae.testEngine); ev.Stage != LoadDone || !ev.Source.Performer || ev.Source.Path != godette {
		t.Fatalf("load %+v", ev)
	}
	// Approved: a later announcement of it loads without asking.
	ae.announce(t, sphere)
	ae.announce(t, godette)
	expectNone(t, "request for an approved file", ae.requests)

	// Refused paths are reported once and never loaded.
	ae.announce(t, "/etc/passwd")
	if got := expect(t, "refusal", ae.refused); got != "/etc/passwd" {
		t.Errorf("refused %q", got)
	}
	ae.SetAutoLoad(false)
	if ae.AutoLoad() {
		t.Error("auto-load still on")
	}
}

func expectLoad(t *testing.T, te *testEngine) LoadEvent {
	t.Helper()
	select {
	case ev := <-te.loads:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no load")
	}
	return LoadEvent{}
}

func TestAutoLoadRechecksOpenedFile(t *testing.T) {
	// A path approved while it was a VRM, then replaced by a folder, is not read.
	dir := t.TempDir()
	p := filepath.Join(dir, "swap.vrm")
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openAutoLoad(p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("openAutoLoad(folder) = %v, want not a regular file", err)
	}
}
