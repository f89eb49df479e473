package marionette

import (
	"math"
	"sync"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// MaxJitterDelay bounds the playout delay of the jitter buffer.
const MaxJitterDelay = 100 * time.Millisecond

// Jitter configures the playout (jitter) buffer: frames are timestamped on
// arrival, placed on a steady timeline (the sender's rate, recovered from
// the arrivals), and shown a delay later, interpolated between the two
// frames around the playout time (rotations by slerp, positions and blend
// weights linearly), so irregular Wi-Fi delivery becomes steady motion
// (issue 15). Packets are assumed to arrive in order (UDP over one path).
type Jitter struct {
	On bool
	// Delay is the added playout delay, 0–MaxJitterDelay (clamped).
	Delay time.Duration
	// Auto picks the delay from the measured jitter instead of Delay: one
	// frame interval plus 2.5 times the mean arrival deviation, which
	// covers uniform delivery jitter with room to spare.
	Auto bool
}

// PlayoutStatus is what the UI shows about the jitter buffer.
type PlayoutStatus struct {
	On bool
	// Jitter is the mean absolute deviation of arrivals from the steady
	// timeline; Delay the playout delay in force; Interval the sender's
	// frame interval as measured.
	Jitter, Delay, Interval time.Duration
	// Buffered is the number of frames held.
	Buffered int
	// Underruns counts playouts that found no newer frame to interpolate
	// toward (the delay was too short for the jitter).
	Underruns uint64
}

// Playout tuning.
const (
	playoutFrames  = 32   // frames held (100 ms at up to 300 fps)
	playoutWindow  = 32   // arrivals over which the interval is measured
	playoutGain    = 0.05 // how fast the timeline follows arrivals
	playoutDevGain = 1.0 / 32
	playoutGap     = 0.5 // seconds of silence after which the timeline restarts
	playoutAuto    = 2.5 // auto delay: interval + playoutAuto · deviation
)

// playout is the jitter buffer. It is pure: times are given to it.
type playout struct {
	base    time.Time
	frames  [playoutFrames]playoutEntry
	first   int // index of the oldest frame
	n       int // frames held
	arrival [playoutWindow]float64
	na      int // arrivals recorded (up to playoutWindow)
	ia      int // next arrival slot
	period  float64
	dev     float64
	lastT   float64 // timeline stamp of the newest frame
	lastA   float64 // arrival of the newest frame
	under   uint64
	delay   float64 // delay of the latest sample, seconds
}

type playoutEntry struct {
	t float64 // timeline stamp, seconds since base
	f vmc.Frame
}

// reset empties the buffer and forgets the measured timing.
func (p *playout) reset() {
	for i := range p.frames {
		p.frames[i].f.Seq = 0
	}
	p.first, p.n, p.na, p.ia = 0, 0, 0, 0
	p.period, p.dev, p.under, p.delay = 0, 0, 0, 0
	p.base = time.Time{}
}

// push adds a frame that arrived at at (its Received time, normally).
func (p *playout) push(f *vmc.Frame, at time.Time) {
	if p.base.IsZero() {
		p.base = at
	}
	a := at.Sub(p.base).Seconds()
	var t float64
	if p.n == 0 || a-p.lastA > playoutGap || a < p.lastA {
		// Start (or restart after silence): the timeline begins here.
		p.n, p.na = 0, 0
		t = a
	} else {
		if p.na >= 2 {
			k := min(p.na, playoutWindow)
			oldest := p.arrival[(p.ia-k+playoutWindow)%playoutWindow]
			p.period = (a - oldest) / float64(k)
		} else {
			p.period = a - p.lastA
		}
		pred := p.lastT + p.period
		t = pred + playoutGain*(a-pred)
		t = max(t, p.lastT+1e-6)
		p.dev += (math.Abs(a-t) - p.dev) * playoutDevGain
	}
	p.arrival[p.ia] = a
	p.ia = (p.ia + 1) % playoutWindow
	p.na = min(p.na+1, playoutWindow)
	p.lastT, p.lastA = t, a
	if p.n == playoutFrames {
		p.first = (p.first + 1) % playoutFrames
		p.n--
	}
	e := &p.frames[(p.first+p.n)%playoutFrames]
	e.t = t
	e.f.CopyFrom(f)
	p.n++
}

// delayFor returns the playout delay in seconds for options j.
func (p *playout) delayFor(j Jitter) float64 {
	d := j.Delay.Seconds()
	if j.Auto {
		d = p.period + playoutAuto*p.dev
	}
	return min(max(d, 0), MaxJitterDelay.Seconds())
}

// sample writes into dst the frame to show at now with options j,
// interpolated between the buffered frames around now − delay, and
// reports whether it did (false: nothing buffered) and whether later
// frames are still waiting to be played (the caller should sample again
// soon).
func (p *playout) sample(dst *vmc.Frame, now time.Time, j Jitter) (ok, pending bool) {
	if p.n == 0 {
		return false, false
	}
	p.delay = p.delayFor(j)
	at := now.Sub(p.base).Seconds() - p.delay
	// Drop frames older than the one just before the playout time.
	for p.n >= 2 && p.at(1).t <= at {
		p.first = (p.first + 1) % playoutFrames
		p.n--
	}
	a := p.at(0)
	if p.n == 1 || at <= a.t {
		dst.CopyFrom(&a.f)
		if p.n == 1 && at > a.t && at+p.delay-p.lastA < playoutGap {
			p.under++ // the stream is live but the next frame is late
		}
		return true, p.n > 1 || at < a.t
	}
	b := p.at(1)
	u := float32((at - a.t) / (b.t - a.t))
	interpolateFrame(dst, &a.f, &b.f, u)
	return true, true
}

func (p *playout) at(i int) *playoutEntry { return &p.frames[(p.first+i)%playoutFrames] }

// status reports the buffer's measurements.
func (p *playout) status(on bool) PlayoutStatus {
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	return PlayoutStatus{On: on, Jitter: sec(p.dev), Delay: sec(p.delay), Interval: sec(p.period), Buffered: p.n, Underruns: p.under}
}

// interpolateFrame writes into dst the frame u (0–1) of the way from a to
// b: root and bone rotations by slerp (shortest path), positions, blend
// weights and the MR scale linearly; everything else (devices, camera,
// settings) is taken from the nearer frame. Bones or blend keys present in
// only one frame are taken from it.
func interpolateFrame(dst, a, b *vmc.Frame, u float32) {
	near := a
	if u >= 0.5 {
		near = b
	}
	dst.CopyFrom(near)
	if a.Root.Received && b.Root.Received {
		dst.Root.Position = lerpV(a.Root.Position, b.Root.Position, u)
		dst.Root.Rotation = slerpQ(a.Root.Rotation, b.Root.Rotation, u)
		dst.Root.Scale = lerpV(a.Root.Scale, b.Root.Scale, u)
		dst.Root.Offset = lerpV(a.Root.Offset, b.Root.Offset, u)
	}
	both := a.BonesReceived & b.BonesReceived
	for i := range dst.Bones {
		if !both.Has(humanoid.Bone(i)) {
			continue
		}
		dst.Bones[i].Rotation = slerpQ(a.Bones[i].Rotation, b.Bones[i].Rotation, u)
		dst.Bones[i].Position = lerpV(a.Bones[i].Position, b.Bones[i].Position, u)
	}
	for i := range dst.Blends {
		if i < len(a.Blends) && i < len(b.Blends) && a.Blends[i].Name == b.Blends[i].Name {
			va, vb := a.Blends[i].Value, b.Blends[i].Value
			dst.Blends[i].Value = va + (vb-va)*u
		}
	}
}

func lerpV(a, b vmc.Vec3, u float32) vmc.Vec3 {
	return vmc.Vec3{X: a.X + (b.X-a.X)*u, Y: a.Y + (b.Y-a.Y)*u, Z: a.Z + (b.Z-a.Z)*u}
}

// slerpQ interpolates Unity quaternions (the interpolation commutes with
// the change of frame). A degenerate input is returned as the nearer one.
func slerpQ(a, b vmc.Quat, u float32) vmc.Quat {
	qa := mgl32.Quat{W: a.W, V: mgl32.Vec3{a.X, a.Y, a.Z}}
	qb := mgl32.Quat{W: b.W, V: mgl32.Vec3{b.X, b.Y, b.Z}}
	if !(qa.Len() > 1e-6) || !(qb.Len() > 1e-6) || !finite(qa.Dot(qb)) {
		if u < 0.5 {
			return a
		}
		return b
	}
	q := mgl32.QuatSlerp(qa, qb, u)
	return vmc.Quat{X: q.V[0], Y: q.V[1], Z: q.V[2], W: q.W}
}

// jitterFeed fills the jitter buffer with every frame the main scene
// publishes, on the receiver's goroutine (vmc.Scene.SetOnPublish), so
// that none is lost to the render goroutine coalescing frames; the render
// goroutine samples it.
type jitterFeed struct {
	mu sync.Mutex
	on bool
	pb playout
}

// push adds a published frame while the buffer is on.
func (j *jitterFeed) push(f *vmc.Frame) {
	j.mu.Lock()
	if j.on {
		j.pb.push(f, f.Received)
	}
	j.mu.Unlock()
}

// sample writes the frame to show at now into dst when the buffer is on
// (cfg.On) and holds a frame, and reports whether it did, whether frames
// are still waiting to be played, and the buffer's status. Turning the
// buffer off empties it.
func (j *jitterFeed) sample(dst *vmc.Frame, now time.Time, cfg Jitter) (ok, pending bool, st PlayoutStatus) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !cfg.On {
		if j.on {
			j.on = false
			j.pb.reset()
		}
		return false, false, PlayoutStatus{}
	}
	j.on = true
	ok, pending = j.pb.sample(dst, now, cfg)
	return ok, pending, j.pb.status(true)
}

func finite(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }
