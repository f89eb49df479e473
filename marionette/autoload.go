package marionette

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
)

// MaxAutoLoadSize caps the size of a VRM file the Performer may make us
// load through /VMC/Ext/VRM, bytes. Hand-opened files have the loader's own
// limit (vrm.DefaultLimits).
const MaxAutoLoadSize = 256 << 20

// maxPathLen bounds an announced path's length, bytes.
const maxPathLen = 4096

// CheckAutoLoadPath decides whether a path announced by a Performer in
// /VMC/Ext/VRM (spec "Local VRM information"; a path on the Performer's
// machine, perhaps another OS) may be loaded, and returns the file it names
// with symbolic links resolved. Nothing from the network may make Kugutsu
// read an arbitrary file, so the path must be absolute, name an existing
// regular file ending in ".vrm" (any case) both as given and once links
// are resolved, and the file must be at most MaxAutoLoadSize bytes. The
// caller must still have the user approve the returned path once before
// loading it, and re-checks the opened file (see openAutoLoad).
func CheckAutoLoadPath(path string) (string, error) {
	if path == "" {
		return "", errors.New("empty path")
	}
	if len(path) > maxPathLen || strings.ContainsRune(path, 0) {
		return "", errors.New("not a usable path")
	}
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("%q is not an absolute path on this machine", path)
	}
	if !hasVRMExt(path) {
		return "", fmt.Errorf("%q does not end in .vrm", path)
	}
	real, err := filepath.EvalSymlinks(filepath.Clean(path))
	if err != nil {
		return "", fmt.Errorf("%q: %w", path, unwrapPathError(err))
	}
	if !hasVRMExt(real) {
		return "", fmt.Errorf("%q links to %q, which does not end in .vrm", path, real)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("%q: %w", real, unwrapPathError(err))
	}
	if err := checkRegular(real, fi); err != nil {
		return "", err
	}
	return real, nil
}

// openAutoLoad opens an approved path and checks again, on the open file,
// that it is a regular file within the size cap (the file may have been
// replaced since CheckAutoLoadPath).
func openAutoLoad(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkRegular(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

func checkRegular(path string, fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%q is not a regular file", path)
	}
	if fi.Size() > MaxAutoLoadSize {
		return fmt.Errorf("%q is %d MiB, more than the %d MiB allowed for files a Performer announces", path, fi.Size()>>20, MaxAutoLoadSize>>20)
	}
	if fi.Size() == 0 {
		return fmt.Errorf("%q is empty", path)
	}
	return nil
}

func hasVRMExt(p string) bool { return strings.EqualFold(filepath.Ext(p), ".vrm") }

// unwrapPathError drops the *PathError wrapper (whose message repeats the
// path) and keeps its cause.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// SetAutoLoad turns auto-loading of the Performer's announced VRM
// (/VMC/Ext/VRM) on or off; it is off by default. When on, an announced
// path that passes CheckAutoLoadPath and that the user approved before is
// loaded at once; one not yet approved goes to Config.OnVRMRequest, once;
// one that fails the checks goes to Config.OnAutoLoadRefused, once per
// path. Paths are told apart once cleaned and resolved through symbolic
// links ("ok.vrm" and "./ok.vrm" are one path). A Performer cannot stack
// questions: at most one awaits the user's answer, questions and refusals
// come at most once per AutoLoadAskEvery, and the latest path announced
// meanwhile is asked about when both allow (see announced).
func (e *Engine) SetAutoLoad(on bool) {
	e.mu.Lock()
	if on == e.autoLoad {
		e.mu.Unlock()
		return
	}
	e.autoLoad = on
	old := e.sub
	e.sub = nil
	var sub *vmc.Subscription
	if on {
		sub = e.scene.Subscribe(16)
		e.sub = sub
	} else {
		e.ask.stopTimer()
		e.ask.deferred = ""
	}
	e.mu.Unlock()
	if old != nil {
		old.Close()
	}
	if sub == nil {
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		// A file announced before auto-load was turned on counts too.
		var f vmc.Frame
		e.scene.Snapshot(&f)
		if f.VRM.Received {
			e.announced(f.VRM.Path)
		}
		for ev := range sub.C {
			if ev.Kind == vmc.EventVRM {
				e.announced(ev.VRM.Path)
			}
		}
	}()
}

// AutoLoad reports whether auto-load is on.
func (e *Engine) AutoLoad() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.autoLoad
}

// AutoLoadAskEvery is the least time between two auto-load questions
// (Config.OnVRMRequest), and between two refusals (Config.OnAutoLoadRefused).
const AutoLoadAskEvery = 3 * time.Second

// maxAsked bounds the remembered announced paths (a Performer could
// announce endless names): past it the oldest is forgotten.
const maxAsked = 256

// askMemory is what the engine remembers of announced paths. It belongs
// to Engine.mu.
type askMemory struct {
	every    time.Duration   // AutoLoadAskEvery (tests shorten it)
	seen     map[string]bool // asked about or refused (keys from pathKey)
	order    []string        // seen's keys, oldest first
	rejected map[string]bool // declined by the user (bounded by the user's answers)
	pending  string          // the path whose question awaits an answer
	deferred string          // the latest loadable path held back meanwhile
	lastAsk  time.Time       // the latest question
	lastNo   time.Time       // the latest refusal
	timer    *time.Timer     // brings deferred up when the interval has passed
}

func newAskMemory() askMemory {
	return askMemory{every: AutoLoadAskEvery, seen: make(map[string]bool), rejected: make(map[string]bool)}
}

// remember records key, forgetting the oldest key past maxAsked.
func (m *askMemory) remember(key string) {
	if m.seen[key] {
		return
	}
	m.seen[key] = true
	m.order = append(m.order, key)
	if len(m.order) > maxAsked {
		delete(m.seen, m.order[0])
		m.order = append(m.order[:0], m.order[1:]...)
	}
}

func (m *askMemory) stopTimer() {
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
}

// pathKey is how announced paths are told apart: cleaned, resolved
// through symbolic links when it names an existing file, and cut to
// maxPathLen bytes.
func pathKey(p string) string {
	if len(p) > maxPathLen {
		p = p[:maxPathLen]
	}
	c := filepath.Clean(p)
	if filepath.IsAbs(c) {
		if r, err := filepath.EvalSymlinks(c); err == nil {
			return r
		}
	}
	return c
}

// announced handles a path from /VMC/Ext/VRM.
func (e *Engine) announced(path string) {
	real, err := CheckAutoLoadPath(path)
	key := real
	if err != nil {
		key = pathKey(path)
	}
	now := time.Now()
	e.mu.Lock()
	m := &e.ask
	switch {
	case !e.autoLoad:
		e.mu.Unlock()
	case err == nil && e.source.Path == real:
		e.mu.Unlock() // already shown
	case err == nil && e.approved[real]:
		e.mu.Unlock()
		e.loadAnnounced(real)
	case m.seen[key], m.rejected[key]:
		e.mu.Unlock()
	case err != nil:
		if now.Sub(m.lastNo) < m.every {
			e.mu.Unlock()
			return
		}
		m.remember(key)
		m.lastNo = now
		e.mu.Unlock()
		if e.cfg.OnAutoLoadRefused != nil {
			e.cfg.OnAutoLoadRefused(path, err)
		}
	case e.cfg.OnVRMRequest == nil:
		e.mu.Unlock()
	case m.pending != "" || now.Sub(m.lastAsk) < m.every:
		// Hold it back: asked when the pending question is answered, or
		// when the interval has passed.
		m.deferred = real
		if m.pending == "" && m.timer == nil {
			m.timer = time.AfterFunc(m.lastAsk.Add(m.every).Sub(now), e.askDeferred)
		}
		e.mu.Unlock()
	default:
		m.remember(key)
		m.pending, m.lastAsk = real, now
		e.mu.Unlock()
		e.cfg.OnVRMRequest(real)
	}
}

// askDeferred takes up the path held back while a question was pending or
// too recent.
func (e *Engine) askDeferred() {
	e.mu.Lock()
	e.ask.timer = nil
	p := e.ask.deferred
	e.ask.deferred = ""
	e.mu.Unlock()
	if p != "" {
		e.announced(p)
	}
}

// answered clears the pending question about path and takes up a path
// held back meanwhile. The caller holds e.mu.
func (e *Engine) answered(path string) {
	m := &e.ask
	if m.pending != path {
		return
	}
	m.pending = ""
	if m.deferred != "" && m.timer == nil {
		m.timer = time.AfterFunc(max(0, time.Until(m.lastAsk.Add(m.every))), e.askDeferred)
	}
}

// ApproveVRM records the user's approval of an announced path (as given to
// OnVRMRequest) and loads it. Later announcements of the same path load
// without asking.
func (e *Engine) ApproveVRM(path string) {
	e.mu.Lock()
	e.approved[path] = true
	e.answered(path)
	e.mu.Unlock()
	e.loadAnnounced(path)
}

// RejectVRM records that the user declined an announced path: it is not
// asked about again in this session.
func (e *Engine) RejectVRM(path string) {
	e.mu.Lock()
	e.ask.rejected[path] = true
	e.answered(path)
	e.mu.Unlock()
}
