package marionette

import (
	"slices"
	"sync"
	"time"

	"github.com/kugutsu/kugutsu/render"
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
	// Frames counts the images taken by Latest since the start; Dropped
	// the images replaced by a newer one before the UI took them.
	Frames, Dropped uint64
	// Latency is packet arrival (the UDP read) → the first image showing
	// it handed to the UI (Latest), for images made by a new packet.
	Latency Percentiles
	// RenderTime is posing plus rendering one image.
	RenderTime Percentiles
	// Breakdown says where each image's time went.
	Breakdown Breakdown
	// Quality is the anti-aliasing and render scale in force (the View's,
	// or the adaptive controller's choice when View.AdaptiveQuality is on).
	Quality Quality
	// Shown describes the latest image taken by Latest.
	Shown FrameInfo
}

// Breakdown is where the time of each rendered image went, in the order
// the engine spends it: durations of the work stages and of the waits
// between them (wall-clock time; on a busy machine a stage's time includes
// the time its goroutines waited for a core).
type Breakdown struct {
	// WaitUI is how long the render goroutine waited, before starting an
	// image, for the UI to take the previous one (back-pressure).
	WaitUI Percentiles
	// WaitPacing is how long it then waited to keep to MaxFPS.
	WaitPacing Percentiles
	// Pose is the scene snapshot and the Marionette's pose (options,
	// smoothing, face mix).
	Pose Percentiles
	// Update is vrm.Rig.Update: world matrices, look-at, spring bones,
	// expressions, joint palettes.
	Update Percentiles
	// Render is render.Timings: Setup (materials, instances, draw list, on
	// the render goroutine alone), Vertex, Triangles and Raster (on all
	// the renderer's workers).
	RenderSetup, Vertex, Triangles, Raster Percentiles
	// Waited is from an image published to the UI taking it (Latest): the
	// hand-off to the UI and its wait for its next paint.
	Waited Percentiles
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

// Samples keeps the latest statSamples durations of something and
// summarises them; safe for concurrent use. The zero value is empty.
type Samples struct {
	mu sync.Mutex
	r  ring
}

// Add records one duration.
func (s *Samples) Add(d time.Duration) {
	s.mu.Lock()
	s.r.add(d)
	s.mu.Unlock()
}

// Percentiles summarises the recorded durations.
func (s *Samples) Percentiles() Percentiles {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.percentiles()
}

// frameTimes are the durations of one image's stages (see Breakdown).
type frameTimes struct {
	waitUI, waitPacing, pose, update time.Duration
	render                           render.Timings
}

// stats collects Stats; safe for concurrent use.
type stats struct {
	mu         sync.Mutex
	latency    ring
	render     ring
	stages     [8]ring // Breakdown's engine stages, in frameTimes order
	waited     ring
	quality    Quality
	frames     uint64
	drops      uint64
	winStart   time.Time
	winFrames  uint64
	fps        float64
	lastHanded time.Time
	shown      FrameInfo
}

// rendered records the time one image took to make, its stages and the
// quality it was made at.
func (s *stats) rendered(d time.Duration, ft *frameTimes, q Quality) {
	s.mu.Lock()
	s.render.add(d)
	for i, v := range [8]time.Duration{ft.waitUI, ft.waitPacing, ft.pose, ft.update,
		ft.render.Setup, ft.render.Vertex, ft.render.Triangles, ft.render.Raster} {
		s.stages[i].add(v)
	}
	s.quality = q
	s.mu.Unlock()
}

// dropped counts an image replaced before the UI took it.
func (s *stats) dropped() {
	s.mu.Lock()
	s.drops++
	s.mu.Unlock()
}

// handed records an image handed to the UI at now.
func (s *stats) handed(info FrameInfo, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !info.Received.IsZero() {
		s.latency.add(now.Sub(info.Received))
	}
	if !info.Rendered.IsZero() {
		s.waited.add(now.Sub(info.Rendered))
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
	st := Stats{FPS: s.fps, Frames: s.frames, Dropped: s.drops, Latency: s.latency.percentiles(), RenderTime: s.render.percentiles(),
		Quality: s.quality, Shown: s.shown}
	b := &st.Breakdown
	for i, p := range []*Percentiles{&b.WaitUI, &b.WaitPacing, &b.Pose, &b.Update, &b.RenderSetup, &b.Vertex, &b.Triangles, &b.Raster} {
		*p = s.stages[i].percentiles()
	}
	b.Waited = s.waited.percentiles()
	// With no frame for a second the rate is 0 (not a slow decay: the
	// status bar must stay still when nothing happens).
	if now.Sub(s.lastHanded) >= time.Second {
		st.FPS = 0
	}
	return st
}
