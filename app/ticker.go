package app

import "time"

// every calls f every d until stop is closed or f returns false. It blocks:
// the UI's pollers run it on goroutines of their own, and f reaches widgets
// through fyne.Do.
func every(d time.Duration, stop <-chan struct{}, f func() bool) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if !f() {
				return
			}
		}
	}
}
