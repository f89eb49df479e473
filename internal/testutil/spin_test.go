package testutil

import "testing"

func TestSpin(t *testing.T) {
	calls := 0
	Spin(make(chan struct{}), func() bool { calls++; return calls < 5 })
	if calls != 5 {
		t.Errorf("f false at the fifth call: %d calls, want 5", calls)
	}
	stop := make(chan struct{})
	close(stop)
	calls = 0
	Spin(stop, func() bool { calls++; return true })
	if calls != 0 {
		t.Errorf("stop closed before: %d calls, want 0", calls)
	}
	stop = make(chan struct{})
	calls = 0
	Spin(stop, func() bool {
		if calls++; calls == 3 {
			close(stop)
		}
		return true
	})
	if calls != 3 {
		t.Errorf("stop closed at the third call: %d calls, want 3", calls)
	}
}
