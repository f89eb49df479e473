package testutil

// Spin calls f again and again, with no pause, until stop is closed or f
// returns false: the reader (or writer) a concurrency test runs on its own
// goroutine against the code under test, usually with -race.
func Spin(stop <-chan struct{}, f func() bool) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		if !f() {
			return
		}
	}
}
