package marionette

import (
	"slices"
	"sync"
	"time"
)

// statSamples is how many recent samples the latency and render-time
// statistics keep.
const statSamples = 1024

// Stats are the engine's timing statistics, over the last statSamples
// frames.
type Stats struct {
	// FPS is the rate at which new images reached the screen (were taken
	// by Latest) over about the last second.
	FPS float64
	// Frames counts the images taken by Latest since the start.
	Frames uint64
	// Latency is packet arrival (the UDP read) → the first image showing
	// it handed to the UI (Latest), for images made by a new packet.
	Latency Percentiles
	// RenderTime is posing plus rendering one image.
	RenderTime Percentiles
	// Shown describes the latest image taken by Latest.
	Shown FrameInfo
}

// Percentiles summarise a set of durations.
type Percentiles struct {
	N             int // samples
	P50, P99, Max time.Duration
}

// ring is a fixed-size ring of duration samples.
type ring struct {
	v [statSamples]time.Duration
	n int // total added
}

func (r *ring) add(d time.Duration) {
	r.v[r.n%statSamples] = d
	r.n++
}

func (r *ring) percentiles() Percentiles {
	n := min(r.n, statSamples)
	if n == 0 {
		return Percentiles{}
	}
	s := slices.Clone(r.v[:n])
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(n-1, int(q*float64(n)))] }
	return Percentiles{N: n, P50: at(0.50), P99: at(0.99), Max: s[n-1]}
}

// stats collects Stats; safe for concurrent use.
type stats struct {
	mu         sync.Mutex
	latency    ring
	render     ring
	frames     uint64
	winStart   time.Time
	winFrames  uint64
	fps        float64
	lastHanded time.Time
	shown      FrameInfo
}

// rendered records the time one image took to make.
func (s *stats) rendered(d time.Duration) {
	s.mu.Lock()
	s.render.add(d)
	s.mu.Unlock()
}

// handed records an image handed to the UI at now.
func (s *stats) handed(info FrameInfo, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !info.Received.IsZero() {
		s.latency.add(now.Sub(info.Received))
	}
	s.frames++
	s.lastHanded = now
	s.shown = info
	if s.winStart.IsZero() {
		s.winStart = now
	}
	if el := now.Sub(s.winStart); el >= time.Second {
		s.fps = float64(s.frames-s.winFrames) / el.Seconds()
		s.winStart, s.winFrames = now, s.frames
	}
}

func (s *stats) snapshot(now time.Time) Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{FPS: s.fps, Frames: s.frames, Latency: s.latency.percentiles(), RenderTime: s.render.percentiles(), Shown: s.shown}
	// With no frame for a second the rate is 0 (not a slow decay: the
	// status bar must stay still when nothing happens).
	if now.Sub(s.lastHanded) >= time.Second {
		st.FPS = 0
	}
	return st
}
