package testutil

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// fatalTB records Fatalf and stops the caller as testing.T does (with a
// panic the test recovers instead of runtime.Goexit).
type fatalTB struct {
	testing.TB
	msg string
}

type stopped struct{}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(stopped{})
}

// run calls eventually on a fatalTB and returns its failure message ("" if
// it returned).
func run(limit time.Duration, cond func() bool) (msg string) {
	f := &fatalTB{}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stopped); !ok {
				panic(r)
			}
			msg = f.msg
		}
	}()
	eventually(f, limit, "the condition", cond)
	return ""
}

func TestEventually(t *testing.T) {
	calls := 0
	if msg := run(time.Minute, func() bool { calls++; return calls == 3 }); msg != "" || calls != 3 {
		t.Errorf("a condition true at the third call: %d calls, failure %q; want 3 and none", calls, msg)
	}
	calls = 0
	if msg := run(time.Minute, func() bool { calls++; return true }); msg != "" || calls != 1 {
		t.Errorf("a condition true at once: %d calls, failure %q; want 1 and none", calls, msg)
	}
	msg := run(20*time.Millisecond, func() bool { return false })
	if !strings.Contains(msg, "timed out waiting for the condition") {
		t.Errorf("a condition never true: failure %q, want a time-out naming it", msg)
	}
}
