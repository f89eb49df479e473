package vmc

import "time"

// LastPacket returns the arrival time of the newest packet fed to the
// scene (zero before the first), whether or not it changed the scene: a
// Performer that repeats an unchanged pose publishes no new Frame but is
// still sending (issue 15's idle layer tells the two apart with it).
func (s *Scene) LastPacket() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.at
}

// SetOnPublish sets f (nil: none) to be called with every frame the scene
// publishes, on the feeding goroutine with the scene locked, so that a
// consumer that must see every frame (a jitter buffer) misses none that a
// slower reader of Snapshot would coalesce. f must return quickly, must
// not retain the frame (copy it with Frame.CopyFrom) and must not call
// back into the scene.
func (s *Scene) SetOnPublish(f func(*Frame)) {
	s.mu.Lock()
	s.onPublish = f
	s.mu.Unlock()
}
