// Package triple holds a generic triple buffer, the hand-off between one
// goroutine that produces values (decoded VMC frames, rendered images) and
// the readers that want only the newest one: the writer never waits for a
// reader, a reader never waits for the writer, and neither ever touches a
// value the other is using. protocol/vmc's Scene passes its frames through
// one and marionette its images (the viewport's and the output view's).
// It depends on the standard library only, so the wire-only protocol
// packages may use it.
package triple

import "sync/atomic"

// Buffer is a triple buffer of values of type T: three slots, one the
// writer's (back), one the readers' (front) and one between them (middle),
// which holds the newest published value until a reader takes it.
//
// The writer fills the back slot (Back) and publishes it (Publish): the
// back and middle slots trade places in one atomic swap, and the middle
// slot is marked unread. A reader takes the newest value (Take): if the
// middle slot is unread, the front and middle slots trade places, again in
// one atomic swap. So a reader always gets the newest complete value, a
// value is never written while a reader holds it, and neither side ever
// waits, spins or allocates. Values the readers never took are overwritten:
// the writer reuses their slot, keeping whatever the slot held (a slice's
// capacity, an image), which lets T carry buffers that are filled in place.
//
// Who may call what:
//   - Back, Publish and PublishMerge: the writer, one goroutine at a time
//     (or calls serialised by the caller, as vmc.Scene's Feed is).
//   - Take: the readers, one call at a time. A value taken stays the
//     reader's until the next Take, so several readers must hold their own
//     lock across Take and their use of the value (vmc.Scene.Snapshot does);
//     readers must not write to a taken value (PublishMerge may still be
//     reading it).
//   - Unread: any goroutine.
//
// The zero Buffer is ready to use: three zero values, nothing published
// (Take returns a zero value, not fresh). A Buffer must not be copied once
// used.
type Buffer[T any] struct {
	slots [3]T
	// mid is the middle slot's index XOR 1, with unread set when it holds
	// a value no reader has taken; back and front are the writer's and the
	// readers' slot indices, front XOR 2. The XORs make the zero Buffer
	// start as back 0, middle 1, front 2.
	mid   atomic.Uint32
	back  uint8 // the writer's
	front uint8 // the readers'
}

// unread marks Buffer.mid holding a value no reader has taken.
const unread = 4

// midWord is slot i as Buffer.mid holds it (without unread); midSlot the
// slot in w.
func midWord(i uint8) uint32 { return uint32(i ^ 1) }
func midSlot(w uint32) uint8 { return uint8(w&3) ^ 1 }

// Back returns the writer's slot, to fill before Publish. Its contents are
// what the slot last held (a value published two or more publications ago,
// or one the readers have let go of), never a value a reader holds. Writer
// only.
func (b *Buffer[T]) Back() *T { return &b.slots[b.back] }

// Publish makes the back slot's value the newest and reports whether it
// replaced a value no reader took (which is then lost: its slot becomes the
// next back slot). Writer only.
func (b *Buffer[T]) Publish() (replaced bool) {
	w := b.mid.Swap(midWord(b.back) | unread)
	b.back = midSlot(w)
	return w&unread != 0
}

// PublishMerge is Publish for values that must not be lost unnoticed:
// when the value about to be replaced has not been taken, merge(next,
// old) is called first, next being the back slot's value and old the
// untaken one, so that next can carry over what old held (marionette's
// images hand on their packet's arrival time). If a reader takes old after
// all, before next is published, next is restored to its value before the
// call (a copy of T kept meanwhile: T should be cheap to copy and hold no
// lock) and published as it was: merge must change only *next. merge must
// not retain next or old, and it runs on the writer's goroutine. Writer
// only.
func (b *Buffer[T]) PublishMerge(merge func(next, old *T)) (replaced bool) {
	next := &b.slots[b.back]
	for {
		w := b.mid.Load()
		if w&unread == 0 {
			// Readers only change an unread middle slot: it stays ours to
			// replace.
			b.mid.Store(midWord(b.back) | unread)
			b.back = midSlot(w)
			return false
		}
		saved := *next
		merge(next, &b.slots[midSlot(w)])
		if b.mid.CompareAndSwap(w, midWord(b.back)|unread) {
			b.back = midSlot(w)
			return true
		}
		// A reader took old meanwhile; the middle slot is now read, so the
		// next round publishes next as it was.
		*next = saved
	}
}

// Take returns the newest published value and whether it was published
// since the previous Take (false also before the first publication, when
// the value is T's zero value). The value stays valid and unchanged until
// the next Take. Readers only, one call at a time.
func (b *Buffer[T]) Take() (v *T, fresh bool) {
	if b.mid.Load()&unread != 0 {
		w := b.mid.Swap(midWord(b.front ^ 2))
		b.front = midSlot(w) ^ 2
		fresh = true
	}
	return &b.slots[b.front^2], fresh
}

// Unread reports whether a value has been published that no reader has
// taken yet. Any goroutine.
func (b *Buffer[T]) Unread() bool { return b.mid.Load()&unread != 0 }
