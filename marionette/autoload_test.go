package marionette

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/vmc"
)

func TestCheckAutoLoadPath(t *testing.T) {
	dir := t.TempDir()
	godette := realGodette(t)
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
	ae := &autoLoadEngine{requests: make(chan string, 512), refused: make(chan string, 512)}
	ae.testEngine = newTestEngine(t)
	ae.cfg.OnVRMRequest = func(p string) { ae.requests <- p }
	ae.cfg.OnAutoLoadRefused = func(p string, err error) { ae.refused <- p }
	return ae
}

func (ae *autoLoadEngine) setAskEvery(d time.Duration) {
	ae.mu.Lock()
	ae.ask.every = d
	ae.mu.Unlock()
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

// realGodette returns Godette's absolute path with symbolic links resolved
// (worktrees reach ../shared through one), as CheckAutoLoadPath gives it.
func realGodette(t *testing.T) string {
	t.Helper()
	p, err := filepath.EvalSymlinks(testavatar.GodettePath(t))
	if err == nil {
		p, err = filepath.Abs(p)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAutoLoadOffByDefault(t *testing.T) {
	ae := newAutoLoadEngine(t)
	godette := realGodette(t)
	ae.announce(t, godette)
	expectNone(t, "request with auto-load off", ae.requests)
	if av, _ := ae.Avatar(); av != nil {
		t.Error("an announced file was loaded with auto-load off")
	}
}

func TestAutoLoadAsksOnceThenLoads(t *testing.T) {
	ae := newAutoLoadEngine(t)
	ae.setAskEvery(time.Hour) // one question, then none: the sphere waits
	godette := realGodette(t)
	sphere, _ := filepath.EvalSymlinks(testutil.SharedModel(t, "sphere_vrm0.vrm"))
	sphere, _ = filepath.Abs(sphere)

	// Announced before auto-load is on: asked about when it is turned on.
	ae.announce(t, godette)
	testutil.Eventually(t, "the announcement received", func() bool { return ae.Scene().Seq() != 0 })
	ae.SetAutoLoad(true)
	if got := expect(t, "request", ae.requests); got != godette {
		t.Fatalf("request %q, want %q", got, godette)
	}
	// Asked once: announcing it again (the Performer repeats it) asks
	// nothing, and nothing else is asked while the question pends.
	ae.announce(t, sphere) // (a change, so the scene reports VRM again)
	ae.announce(t, godette)
	expectNone(t, "second request", ae.requests)
	if av, _ := ae.Avatar(); av != nil {
		t.Fatal("loaded before approval")
	}

	ae.ApproveVRM(godette)
	if ev := ae.waitLoad(t); ev.Stage != LoadDone || !ev.Source.Performer || ev.Source.Path != godette {
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

// vrmFiles makes n small .vrm files (CheckAutoLoadPath reads no content).
func vrmFiles(t *testing.T, n int) []string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("avatar%02d.vrm", i))
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestAutoLoadOneQuestionAtATime: a LAN sender announcing 20 files gets one
// question on screen, not 20 stacked dialogs; when the user answers, the
// latest file announced meanwhile is asked about, and nothing else.
func TestAutoLoadOneQuestionAtATime(t *testing.T) {
	ae := newAutoLoadEngine(t)
	ae.setAskEvery(0)
	ae.SetAutoLoad(true)
	files := vrmFiles(t, 20)
	for _, p := range files {
		ae.announced(p)
	}
	if got := expect(t, "request", ae.requests); got != files[0] {
		t.Fatalf("request %q, want %q", got, files[0])
	}
	expectNone(t, "a second question while one pends", ae.requests)
	ae.RejectVRM(files[0])
	if got := expect(t, "request after the answer", ae.requests); got != files[19] {
		t.Fatalf("request %q, want the latest announced, %q", got, files[19])
	}
	ae.RejectVRM(files[19])
	expectNone(t, "request with nothing held back", ae.requests)
	// Rejected: never asked again.
	ae.announced(files[0])
	expectNone(t, "request for a rejected file", ae.requests)
}

// TestAutoLoadSpellingsOfOnePath: ok.vrm, ./ok.vrm, a/../ok.vrm and a link
// to it are one path: one question, one refusal.
func TestAutoLoadSpellingsOfOnePath(t *testing.T) {
	ae := newAutoLoadEngine(t)
	ae.setAskEvery(0)
	ae.SetAutoLoad(true)
	ok := vrmFiles(t, 1)[0]
	dir, name := filepath.Split(ok)
	link := filepath.Join(t.TempDir(), "link.vrm")
	if err := os.Symlink(ok, link); err != nil {
		t.Skipf("symlinks: %v", err)
	}
	spellings := []string{ok, dir + "./" + name, dir + "sub/../" + name, dir + "/" + name, link}
	for range 4 {
		for _, p := range spellings {
			ae.announced(p)
		}
	}
	if got := expect(t, "request", ae.requests); got != ok {
		t.Fatalf("request %q, want %q", got, ok)
	}
	ae.RejectVRM(ok)
	expectNone(t, "another request for the same file", ae.requests)

	for range 10 {
		ae.announced("ok.vrm")
		ae.announced("./ok.vrm")
	}
	if got := expect(t, "refusal", ae.refused); got != "ok.vrm" {
		t.Errorf("refused %q", got)
	}
	expectNone(t, "a second refusal of the same path", ae.refused)
}

// TestAutoLoadMemoryKeepsRecording: past maxAsked distinct paths the
// memory forgets the oldest and keeps recording (it used to stop, and then
// every announcement was reported again).
func TestAutoLoadMemoryKeepsRecording(t *testing.T) {
	ae := newAutoLoadEngine(t)
	ae.setAskEvery(0)
	ae.SetAutoLoad(true)
	n := maxAsked + 44
	for i := range n {
		ae.announced(fmt.Sprintf("relative/m%d.vrm", i))
	}
	for i := range n {
		if got, want := expect(t, "refusal", ae.refused), fmt.Sprintf("relative/m%d.vrm", i); got != want {
			t.Fatalf("refusal %q, want %q", got, want)
		}
	}
	last := fmt.Sprintf("relative/m%d.vrm", n-1)
	ae.announced(last)
	ae.announced("./" + last)
	expectNone(t, "a refusal repeated past maxAsked paths", ae.refused)
	ae.mu.Lock()
	kept := len(ae.ask.seen)
	ae.mu.Unlock()
	if kept != maxAsked {
		t.Errorf("remembers %d paths, want %d", kept, maxAsked)
	}
}

// TestAutoLoadRateLimit: questions and refusals come at most once per
// interval; a file announced too soon is asked about when it has passed.
func TestAutoLoadRateLimit(t *testing.T) {
	ae := newAutoLoadEngine(t)
	ae.setAskEvery(time.Hour)
	ae.SetAutoLoad(true)
	files := vrmFiles(t, 2)
	ae.announced("relative/a.vrm")
	expect(t, "refusal", ae.refused)
	ae.announced("relative/b.vrm")
	expectNone(t, "a refusal within the interval", ae.refused)

	ae.announced(files[0])
	expect(t, "request", ae.requests)
	ae.RejectVRM(files[0])
	ae.announced(files[1])
	expectNone(t, "a question within the interval", ae.requests)

	// Held back, not forgotten: asked once the interval has passed.
	ae.mu.Lock()
	held := ae.ask.deferred
	ae.ask.every = time.Millisecond
	ae.ask.stopTimer()
	ae.ask.timer = time.AfterFunc(time.Millisecond, ae.askDeferred)
	ae.mu.Unlock()
	if held != files[1] {
		t.Fatalf("held back %q, want %q", held, files[1])
	}
	if got := expect(t, "the held-back request", ae.requests); got != files[1] {
		t.Errorf("request %q, want %q", got, files[1])
	}
}
