package marionette

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// armAt is the Performer's left upper arm at sender time s seconds: a
// swing of ±40° at 0.5 Hz about Unity's Z.
func armAt(s float64) vmc.Quat { return vmctest.UnityAxisAngle(-40*math.Sin(2*math.Pi*0.5*s), 0, 0, 1) }

// jitterRun streams armAt at 60 fps for 10 s, each packet delayed by
// 15 ms ± 15 ms (uniform, in order as over one Wi-Fi path), and samples
// what a 60 Hz screen shows (phase unrelated to the sender's) with the
// jitter buffer j (j.On false: the newest frame, as without a buffer).
// It returns the RMS second difference of the shown arm angle, degrees
// per frame², and the buffer's status at the end.
func jitterRun(t *testing.T, j Jitter, seed uint64) (float64, PlayoutStatus) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	base := time.Unix(1000, 0)
	const (
		period = time.Second / 60
		frames = 600
	)
	type packet struct {
		at time.Time
		s  float64
	}
	var packets []packet
	last := base
	for i := range frames {
		send := base.Add(time.Duration(i) * period)
		at := send.Add(time.Duration(rng.Float64() * float64(30*time.Millisecond)))
		if at.Before(last) {
			at = last
		}
		last = at
		packets = append(packets, packet{at, float64(i) / 60})
	}
	var (
		jb     playout
		cur    vmc.Frame
		shown  vmc.Frame
		angles []float64
		next   int
	)
	for r := 0; ; r++ {
		now := base.Add(200*time.Millisecond + time.Duration(r)*period + 7*time.Millisecond)
		if now.After(last) {
			break
		}
		for next < len(packets) && !packets[next].at.After(now) {
			p := packets[next]
			cur.Seq++
			cur.Received = p.at
			cur.Bones[humanoid.LeftUpperArm] = vmctest.Rot(armAt(p.s))
			cur.BonesReceived = cur.BonesReceived.With(humanoid.LeftUpperArm)
			if j.On {
				jb.push(&cur, p.at)
			}
			next++
		}
		f := &cur
		if j.On {
			if ok, _ := jb.sample(&shown, now, j); ok {
				f = &shown
			}
		}
		q := retarget.FromUnityRotation(f.Bones[humanoid.LeftUpperArm].Rotation.Array())
		// Signed angle about Z (the swing axis).
		angles = append(angles, 2*math.Atan2(float64(q.V[2]), float64(q.W))*180/math.Pi)
	}
	var sum float64
	n := 0
	for i := 30; i+1 < len(angles); i++ { // after the buffer has filled
		d := angles[i+1] - 2*angles[i] + angles[i-1]
		sum += d * d
		n++
	}
	return math.Sqrt(sum / float64(n)), jb.status(j.On)
}

// TestJitterBufferSmoothsDelivery is issue 15's measure: against no
// buffer, the shown rotation's second difference (jerk) drops at least
// 5× at no more than 40 ms of added delay.
func TestJitterBufferSmoothsDelivery(t *testing.T) {
	raw, _ := jitterRun(t, Jitter{}, 1)
	// The ideal: the swing sampled at 60 Hz without any jitter.
	ideal := 40 * math.Pow(2*math.Pi*0.5/60, 2) / math.Sqrt2
	for _, c := range []struct {
		name string
		j    Jitter
	}{
		{"auto", Jitter{On: true, Auto: true}},
		{"40ms", Jitter{On: true, Delay: 40 * time.Millisecond}},
	} {
		got, st := jitterRun(t, c.j, 1)
		t.Logf("%s: jerk RMS %.4f°/frame² (no buffer %.4f, ideal %.4f): %.1f× lower; jitter %v, delay %v, interval %v, underruns %d",
			c.name, got, raw, ideal, raw/got, st.Jitter.Round(100*time.Microsecond), st.Delay.Round(100*time.Microsecond),
			st.Interval.Round(100*time.Microsecond), st.Underruns)
		if raw < 5*got {
			t.Errorf("%s: jerk %.4f against %.4f without a buffer: less than 5× lower", c.name, got, raw)
		}
		if st.Delay > 40*time.Millisecond {
			t.Errorf("%s: delay %v, want at most 40 ms", c.name, st.Delay)
		}
		if st.Jitter < 3*time.Millisecond || st.Jitter > 15*time.Millisecond {
			t.Errorf("%s: measured jitter %v for ±15 ms uniform delivery", c.name, st.Jitter)
		}
	}
}

func TestJitterBufferInterpolates(t *testing.T) {
	var jb playout
	base := time.Unix(50, 0)
	var f vmc.Frame
	push := func(i int, deg float64) {
		f.Seq++
		f.Bones[humanoid.Head] = vmctest.Rot(vmctest.UnityAxisAngle(deg, 0, 1, 0))
		f.BonesReceived = f.BonesReceived.With(humanoid.Head)
		f.Blends = append(f.Blends[:0], vmc.Blend{Name: "A", Value: float32(deg / 100)})
		jb.push(&f, base.Add(time.Duration(i)*time.Second/60))
	}
	for i := range 10 {
		push(i, float64(i*10))
	}
	var out vmc.Frame
	j := Jitter{On: true, Delay: 0}
	// Exactly steady arrivals: the timeline is the arrival times, so half
	// a frame after frame 4 shows 45°.
	ok, pending := jb.sample(&out, base.Add(4*time.Second/60+time.Second/120), j)
	if !ok || !pending {
		t.Fatalf("sample: ok %v pending %v", ok, pending)
	}
	q := retarget.FromUnityRotation(out.Bones[humanoid.Head].Rotation.Array())
	if got := 2 * math.Atan2(math.Abs(float64(q.V[1])), float64(q.W)) * 180 / math.Pi; math.Abs(got-45) > 0.1 {
		t.Errorf("head at %.2f°, want 45°", got)
	}
	if v := out.Blends[0].Value; math.Abs(float64(v)-0.45) > 1e-3 {
		t.Errorf("blend %v, want 0.45", v)
	}
	// Past the newest frame: hold it, nothing pending.
	ok, pending = jb.sample(&out, base.Add(time.Second), j)
	q = retarget.FromUnityRotation(out.Bones[humanoid.Head].Rotation.Array())
	if !ok || pending || math.Abs(2*math.Atan2(math.Abs(float64(q.V[1])), float64(q.W))*180/math.Pi-90) > 0.1 {
		t.Errorf("after the stream: ok %v pending %v, head %v", ok, pending, q)
	}
	// A restart after silence begins a new timeline at once.
	push(100, 5)
	if ok, _ = jb.sample(&out, base.Add(100*time.Second/60), j); !ok || out.Seq != f.Seq {
		t.Errorf("after a restart: shows seq %d, want %d", out.Seq, f.Seq)
	}
}

func TestJitterDelayClamped(t *testing.T) {
	var jb playout
	if d := jb.delayFor(Jitter{On: true, Delay: time.Second}); d != MaxJitterDelay.Seconds() {
		t.Errorf("delay %v s, want the 100 ms cap", d)
	}
	if d := jb.delayFor(Jitter{On: true, Delay: -time.Second}); d != 0 {
		t.Errorf("delay %v s, want 0", d)
	}
}

// TestJitterBufferOddTimes: arrivals out of order, repeated, far apart or
// at the zero time, and garbage rotations, never break the buffer: every
// sample is a frame that was pushed or a unit-length interpolation.
func TestJitterBufferOddTimes(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	var jb playout
	var f, out vmc.Frame
	base := time.Unix(10, 0)
	j := Jitter{On: true, Auto: true}
	for i := range 5000 {
		var at time.Time
		switch rng.IntN(6) {
		case 0:
			at = time.Time{}
		case 1:
			at = base.Add(-time.Duration(rng.IntN(1e9)))
		default:
			at = base.Add(time.Duration(i)*time.Millisecond*time.Duration(rng.IntN(40)) + time.Duration(rng.IntN(5))*time.Second)
		}
		f.Seq++
		q := vmctest.UnityAxisAngle(rng.Float64()*360, 0, 1, 0)
		if rng.IntN(20) == 0 {
			q = vmc.Quat{X: float32(math.NaN())}
		}
		f.Bones[humanoid.Head] = vmctest.Rot(q)
		f.BonesReceived = f.BonesReceived.With(humanoid.Head)
		jb.push(&f, at)
		if ok, _ := jb.sample(&out, base.Add(time.Duration(rng.IntN(1e10))), j); !ok {
			t.Fatal("nothing to sample after a push")
		}
		r := out.Bones[humanoid.Head].Rotation
		if n := math.Sqrt(float64(r.X*r.X + r.Y*r.Y + r.Z*r.Z + r.W*r.W)); !math.IsNaN(n) && math.Abs(n-1) > 1e-3 {
			t.Fatalf("sample %d: rotation %v of length %v", i, r, n)
		}
		if d := jb.delayFor(j); d < 0 || d > MaxJitterDelay.Seconds() || math.IsNaN(d) {
			t.Fatalf("delay %v", d)
		}
	}
}
