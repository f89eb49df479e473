package triple

import (
	"sync"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// value is a test payload: data derived from seq and a checksum over it, so
// that a value read while it is being written shows up as torn.
type value struct {
	seq  uint64
	n    uint64 // publications this value stands for (PublishMerge tests)
	data [32]uint64
	sum  uint64
}

func (v *value) fill(seq uint64) {
	v.seq, v.n, v.sum = seq, 1, seq
	for i := range v.data {
		v.data[i] = seq*31 + uint64(i)
		v.sum += v.data[i]
	}
}

func (v *value) ok() bool {
	s := v.seq
	for i, d := range v.data {
		if d != v.seq*31+uint64(i) {
			return false
		}
		s += d
	}
	return s == v.sum
}

// TestZeroBuffer: a zero Buffer has nothing to take and three distinct
// slots.
func TestZeroBuffer(t *testing.T) {
	var b Buffer[int]
	if b.Unread() {
		t.Error("a zero Buffer has an unread value")
	}
	v, fresh := b.Take()
	if fresh || *v != 0 {
		t.Errorf("Take on a zero Buffer = %d, %v; want 0, false", *v, fresh)
	}
	if v == b.Back() {
		t.Error("the readers' and the writer's slots are the same")
	}
}

// TestNewest: a reader gets the newest published value, fresh once; values
// published over an untaken one replace it.
func TestNewest(t *testing.T) {
	var b Buffer[int]
	*b.Back() = 1
	if b.Publish() {
		t.Error("the first publication replaced a value")
	}
	if !b.Unread() {
		t.Error("not unread after Publish")
	}
	if v, fresh := b.Take(); *v != 1 || !fresh {
		t.Errorf("Take = %d, %v; want 1, true", *v, fresh)
	}
	if v, fresh := b.Take(); *v != 1 || fresh {
		t.Errorf("second Take = %d, %v; want 1, false", *v, fresh)
	}
	if b.Unread() {
		t.Error("unread after Take")
	}
	*b.Back() = 2
	b.Publish()
	*b.Back() = 3
	if !b.Publish() {
		t.Error("publishing over an untaken value did not report replacing it")
	}
	if v, fresh := b.Take(); *v != 3 || !fresh {
		t.Errorf("Take = %d, %v; want 3, true", *v, fresh)
	}
}

// TestSlotsStayApart: whatever the order of publications and takes, the
// writer's slot is never the value a reader holds, and the back slot keeps
// what it held (buffers are reused, not reset).
func TestSlotsStayApart(t *testing.T) {
	var b Buffer[int]
	held, _ := b.Take()
	for i, step := range []string{"p", "p", "t", "p", "t", "t", "p", "p", "p", "t", "p", "t", "p", "p", "t", "t"} {
		switch step {
		case "p":
			if b.Back() == held {
				t.Fatalf("step %d: the back slot is the value the reader holds", i)
			}
			*b.Back() = i
			b.Publish()
		case "t":
			v, _ := b.Take()
			held = v
		}
		if b.Back() == held {
			t.Fatalf("step %d: the back slot is the value the reader holds", i)
		}
	}
	// A slot the reader gave up comes back to the writer holding what was
	// published there.
	*b.Back() = 100
	b.Publish()
	first, _ := b.Take()
	*b.Back() = 101
	b.Publish()
	b.Take() // gives first up: it is the middle slot, read
	*b.Back() = 102
	b.Publish()
	if b.Back() != first || *b.Back() != 100 {
		t.Errorf("back slot %p = %d, want the slot given up (%p) still holding 100", b.Back(), *b.Back(), first)
	}
}

// carry is a PublishMerge merge: next stands for the untaken value's
// publications too.
func carry(next, old *value) { next.n += old.n }

// TestPublishMerge: merge sees only values no reader took, before the new
// value is published.
func TestPublishMerge(t *testing.T) {
	var b Buffer[value]
	b.Back().fill(1)
	if b.PublishMerge(carry) {
		t.Error("the first publication replaced a value")
	}
	b.Back().fill(2)
	if !b.PublishMerge(carry) {
		t.Error("publishing over an untaken value did not report replacing it")
	}
	if v, _ := b.Take(); v.seq != 2 || v.n != 2 {
		t.Errorf("took value %d standing for %d publications, want 2 for 2", v.seq, v.n)
	}
	b.Back().fill(3)
	if b.PublishMerge(carry) {
		t.Error("publishing after a Take reported replacing a value")
	}
	if v, _ := b.Take(); v.seq != 3 || v.n != 1 {
		t.Errorf("took value %d standing for %d publications, want 3 for 1", v.seq, v.n)
	}
}

// TestPublishMergeTakenMeanwhile: when a reader takes the untaken value
// while merge runs, the new value is published as it was before merge.
func TestPublishMergeTakenMeanwhile(t *testing.T) {
	var b Buffer[value]
	b.Back().fill(1)
	b.Publish()
	b.Back().fill(2)
	calls := 0
	var took *value
	replaced := b.PublishMerge(func(next, old *value) {
		calls++
		next.n += old.n
		next.seq = 99
		if calls == 1 {
			took, _ = b.Take() // a reader, just before the swap
		}
	})
	if calls != 1 || replaced {
		t.Errorf("merge called %d times, replaced %v; want once, false", calls, replaced)
	}
	if took.seq != 1 {
		t.Errorf("the reader took value %d, want 1", took.seq)
	}
	v, fresh := b.Take()
	if !fresh || v.seq != 2 || v.n != 1 || !v.ok() {
		t.Errorf("then took value %d for %d publications (fresh %v, intact %v); want 2 for 1, as filled",
			v.seq, v.n, fresh, v.ok())
	}
}

// TestNoAllocations: publishing and taking allocate nothing.
func TestNoAllocations(t *testing.T) {
	var b Buffer[value]
	n := testing.AllocsPerRun(100, func() {
		b.Back().seq++
		b.Publish()
		b.Back().seq++
		b.PublishMerge(carry)
		b.Take()
		b.Unread()
	})
	if n != 0 {
		t.Errorf("%v allocations per publish/take round, want 0", n)
	}
}

// TestConcurrent hammers a Buffer with a writer and three readers (sharing
// a lock, as the Buffer asks): no reader ever sees a torn value or an older
// value after a newer one, and after the writer stops a reader gets its
// last value. With PublishMerge, every publication is accounted for exactly
// once: taken, or merged into a value taken later. Run with -race.
func TestConcurrent(t *testing.T) {
	for _, merge := range []bool{false, true} {
		name := "Publish"
		if merge {
			name = "PublishMerge"
		}
		t.Run(name, func(t *testing.T) {
			const n = 50000
			var (
				b       Buffer[value]
				readMu  sync.Mutex
				last    uint64 // newest seq taken, under readMu
				counted uint64 // publications accounted for, under readMu
				stop    = make(chan struct{})
				wg      sync.WaitGroup
			)
			take := func() bool {
				readMu.Lock()
				defer readMu.Unlock()
				v, fresh := b.Take()
				if !fresh && last == 0 {
					// Nothing published yet (the readers may start
					// before the writer): the zero value.
					if *v != (value{}) {
						t.Errorf("before the first publication took value %d, want the zero value", v.seq)
						return false
					}
					return true
				}
				if !v.ok() {
					t.Errorf("torn value: seq %d", v.seq)
					return false
				}
				if v.seq < last || (fresh && v.seq == last && last != 0) {
					t.Errorf("took value %d (fresh %v) after %d", v.seq, fresh, last)
					return false
				}
				if fresh {
					last = v.seq
					counted += v.n
				}
				return true
			}
			for range 3 {
				wg.Go(func() { testutil.Spin(stop, take) })
			}
			for seq := uint64(1); seq <= n; seq++ {
				b.Back().fill(seq)
				if merge {
					b.PublishMerge(carry)
				} else {
					b.Publish()
				}
			}
			close(stop)
			wg.Wait()
			take()
			if last != n {
				t.Errorf("after the writer stopped a reader took value %d, want %d", last, n)
			}
			if merge && counted != n {
				t.Errorf("the values taken stand for %d publications, want %d", counted, n)
			}
		})
	}
}

// BenchmarkPublish is the writer's publication alone (nothing taken).
func BenchmarkPublish(b *testing.B) {
	var tb Buffer[value]
	for b.Loop() {
		tb.Back().seq++
		tb.Publish()
	}
}

// BenchmarkPublishMerge is a publication over an untaken value, merged.
func BenchmarkPublishMerge(b *testing.B) {
	var tb Buffer[value]
	for b.Loop() {
		tb.Back().n = 1
		tb.PublishMerge(carry)
	}
}

// BenchmarkPublishTake is one publication and one take, on one goroutine.
func BenchmarkPublishTake(b *testing.B) {
	var tb Buffer[value]
	for b.Loop() {
		tb.Back().seq++
		tb.Publish()
		tb.Take()
	}
}

// BenchmarkTakeConcurrent is a reader's Take while another goroutine
// publishes without pause (the cache line moves between cores).
func BenchmarkTakeConcurrent(b *testing.B) {
	var tb Buffer[value]
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			for range 64 {
				tb.Back().seq++
				tb.Publish()
			}
		}
	}()
	for b.Loop() {
		tb.Take()
	}
	close(stop)
	<-done
}
