package app

import (
	"log/slog"
	"os"
	"time"
)

// quitGrace is how long Fyne may take to return from ShowAndRun after the
// user quits before quitWatch ends the process itself.
const quitGrace = 5 * time.Second

// windowLayout is what the window remembers between sessions of its own
// geometry: the canvas size (Fyne units) and the split position while the
// side panel shows.
type windowLayout struct {
	w, h  float32
	split float64
	panel bool
}

// layoutNow reads the window's layout (UI goroutine).
func (u *ui) layoutNow() windowLayout {
	s := u.win.Canvas().Size()
	l := windowLayout{w: s.Width, h: s.Height, panel: u.panelShown}
	if u.split != nil {
		l.split = u.split.Offset
	}
	return l
}

// keepLayout saves the window size and split position once they have held
// for one status poll (the user has stopped dragging), so they are on disk
// before any quit: Fyne 2.8 writes preferences at most every 100 ms and
// leaves the last write to its stopped hook at exit, which a shutdown race
// can skip (quitWatch). Called by the status poller on the UI goroutine.
func (u *ui) keepLayout() {
	l := u.layoutNow()
	if l != u.layoutSeen {
		u.layoutSeen = l
		return
	}
	if l != u.layoutSaved {
		u.saveWindowSize()
		u.layoutSaved = l
	}
}

// quitWatch makes sure the process ends once the user has quit (menu,
// Ctrl+Q or the window's close button): if Fyne has not returned from
// ShowAndRun within quitGrace, it stops the engine (the VMC port and the
// phone are let go) and exits. fyne 2.8.1 can hang there: the stopped hook
// it queues as its main loop ends may reach the loop's function queue after
// the loop has drained it, and ShowAndRun then waits for it for ever
// (internal/driver/glfw/loop.go and driver.go) — the window is gone but
// the process, and its UDP port, stay. Seen under load in the window tests.
func (u *ui) quitWatch() {
	u.quitOnce.Do(func() {
		go watchQuit(u.ran, quitGrace, u.stop, os.Exit)
	})
}

// watchQuit waits until ran closes (ShowAndRun returned: the normal exit
// path takes over) or grace passes; then it calls stop, waiting for it at
// most another grace, and exit(0).
func watchQuit(ran <-chan struct{}, grace time.Duration, stop func(), exit func(int)) {
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-ran:
		return
	case <-t.C:
	}
	slog.Error("the window did not finish closing (a Fyne shutdown hang); stopping and exiting", "after", grace)
	done := make(chan struct{})
	go func() {
		stop()
		close(done)
	}()
	t.Reset(grace)
	select {
	case <-done:
	case <-t.C:
		slog.Error("stopping the engine did not finish either; exiting", "after", grace)
	}
	exit(0)
}
