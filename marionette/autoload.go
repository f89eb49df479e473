package marionette

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
// path.
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

// announced handles a path from /VMC/Ext/VRM.
func (e *Engine) announced(path string) {
	real, err := CheckAutoLoadPath(path)
	e.mu.Lock()
	if !e.autoLoad {
		e.mu.Unlock()
		return
	}
	key := path
	if err == nil {
		key = real
	}
	if err == nil && e.source.Path == real {
		e.mu.Unlock()
		return // already shown
	}
	approved, asked := e.approved[key], e.asked[key]
	if !asked && len(e.asked) < maxAsked {
		e.asked[key] = true
	}
	e.mu.Unlock()
	switch {
	case err != nil:
		if !asked && e.cfg.OnAutoLoadRefused != nil {
			e.cfg.OnAutoLoadRefused(path, err)
		}
	case approved:
		e.loadAnnounced(real)
	case !asked && e.cfg.OnVRMRequest != nil:
		e.cfg.OnVRMRequest(real)
	}
}

// maxAsked bounds the remembered announced paths (a Performer could
// announce endless names).
const maxAsked = 256

// ApproveVRM records the user's approval of an announced path (as given to
// OnVRMRequest) and loads it. Later announcements of the same path load
// without asking.
func (e *Engine) ApproveVRM(path string) {
	e.mu.Lock()
	e.approved[path], e.asked[path] = true, true
	e.mu.Unlock()
	e.loadAnnounced(path)
}

// RejectVRM records that the user declined an announced path: it is not
// asked about again in this session.
func (e *Engine) RejectVRM(path string) {
	e.mu.Lock()
	e.asked[path] = true
	e.mu.Unlock()
}
