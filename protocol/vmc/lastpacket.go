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
