package app

import (
	"testing"
	"testing/synctest"
	"time"

	"fyne.io/fyne/v2"
)

// TestWatchQuit: when ShowAndRun returns in time the watch does nothing;
// when it hangs, the engine is stopped and the process exits after the
// grace period; a stop that hangs too does not keep the process alive.
func TestWatchQuit(t *testing.T) {
	for _, tc := range []struct {
		name      string
		returns   bool // ShowAndRun returns within the grace
		stopHangs bool
		wantStop  bool
		wantExit  time.Duration // after the quit; 0: no exit
	}{
		{name: "returns", returns: true},
		{name: "hangs", wantStop: true, wantExit: quitGrace},
		{name: "hangs, stop hangs too", stopHangs: true, wantStop: true, wantExit: 2 * quitGrace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ran := make(chan struct{})
				block := make(chan struct{})
				defer close(block)
				stopped, exited := false, time.Duration(0)
				start := time.Now()
				stop := func() {
					stopped = true
					if tc.stopHangs {
						<-block
					}
				}
				exit := func(code int) {
					if code != 0 {
						t.Errorf("exit code %d, want 0", code)
					}
					exited = time.Since(start)
				}
				done := make(chan struct{})
				go func() {
					watchQuit(ran, quitGrace, stop, exit)
					close(done)
				}()
				if tc.returns {
					time.Sleep(quitGrace / 2)
					close(ran)
				}
				<-done
				if stopped != tc.wantStop || exited != tc.wantExit {
					t.Errorf("stopped %v, exited after %v; want %v, %v", stopped, exited, tc.wantStop, tc.wantExit)
				}
			})
		})
	}
}

// TestKeepLayout: the window size is saved once it has held for one poll,
// not while it changes, and only again after a change.
func TestKeepLayout(t *testing.T) {
	u := newTestUI(t)
	p := u.set.prefs
	u.keepLayout() // first sight
	if p.Float(prefWindowWidth) != 0 {
		t.Fatal("saved at first sight")
	}
	u.keepLayout() // held for a poll
	if w, h := p.Float(prefWindowWidth), p.Float(prefWindowHeight); w != 1280 || h != 720 {
		t.Fatalf("saved %v×%v, want 1280×720", w, h)
	}
	u.win.Resize(fyne.NewSize(1000, 700))
	u.keepLayout()
	if w := p.Float(prefWindowWidth); w != 1280 {
		t.Errorf("saved width %v while the size changed, want 1280 kept", w)
	}
	u.keepLayout()
	if w, h := p.Float(prefWindowWidth), p.Float(prefWindowHeight); w != 1000 || h != 700 {
		t.Errorf("saved %v×%v, want 1000×700", w, h)
	}
}
