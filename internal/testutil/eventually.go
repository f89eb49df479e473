package testutil

import (
	"testing"
	"time"
)

// WaitLimit is how long Eventually waits before it fails the test. It
// guards against a hang — it is not a speed target — so it is generous
// enough for a loaded two-core machine under the race detector.
const WaitLimit = 30 * time.Second

// pollInterval is how often Eventually asks again.
const pollInterval = 5 * time.Millisecond

// Eventually calls cond at once and then every few milliseconds until it
// returns true, and fails the test with "timed out waiting for what" (what
// is a phrase such as "20 packets received") if that does not happen within
// WaitLimit. cond runs on the test's goroutine; it may call t.Fatal.
//
// Use it for a state another goroutine reaches in its own time (a packet
// received, a file written); a wait on a channel is better where there is
// one, and code with no network I/O can use testing/synctest instead.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	eventually(t, WaitLimit, what, cond)
}

func eventually(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (%v)", what, limit)
		}
		time.Sleep(pollInterval)
	}
}
