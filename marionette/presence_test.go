package marionette

import (
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

const step60 = 1.0 / 60

// none: no part has a source.
var none = [PartCount]float64{-1, -1, -1, -1, -1, -1, -1, -1}

// angleDeg returns the angle between rotations a and b, degrees.
func angleDeg(a, b mgl32.Quat) float64 {
	d := math.Min(1, math.Abs(float64(a.Dot(b))))
	return 2 * math.Acos(d) * 180 / math.Pi
}

func TestPresenceArmsRestDownWhenUndriven(t *testing.T) {
	var s presence
	s.reset(7)
	o := DefaultPresence()
	for range 30 { // 0.5 s: past the 0.3 s blend
		s.step(step60, &none, false, o)
	}
	if w := s.Weight(PartArms); w != 1 {
		t.Fatalf("arms idle weight %v after 0.5 s undriven, want 1", w)
	}
	var ps vrm.Pose
	ps.Reset()
	s.apply(&ps, o, "", -1)
	for _, c := range []struct {
		b    humanoid.Bone
		side float32
	}{{humanoid.LeftUpperArm, 1}, {humanoid.RightUpperArm, -1}} {
		if !ps.Rotated.Has(c.b) {
			t.Fatalf("%v not rotated", c.b)
		}
		// The T-pose arm points along side·X (VRM 1.0 frame); at rest it
		// hangs: mostly down, still to its own side, a little forward.
		d := ps.Rotations[c.b].Rotate(mgl32.Vec3{c.side, 0, 0})
		if d[1] > -0.85 || d[0]*c.side < 0.2 || d[2] < 0 {
			t.Errorf("%v rests along %v, want down, outward and a little forward", c.b, d)
		}
	}
}

func TestPresenceBreathes(t *testing.T) {
	var s presence
	s.reset(7)
	o := DefaultPresence()
	lo, hi := math.Inf(1), math.Inf(-1)
	for range 60 * 8 { // two breaths
		s.step(step60, &none, false, o)
		var ps vrm.Pose
		ps.Reset()
		s.apply(&ps, o, "", -1)
		a := angleDeg(ps.Rotations[humanoid.Chest], mgl32.QuatIdent())
		lo, hi = math.Min(lo, a), math.Max(hi, a)
	}
	if hi-lo < 0.8 || hi > 3 {
		t.Errorf("chest turns %.2f°–%.2f°, want a breath of about 1° (at most 3°)", lo, hi)
	}
	o.Breathing.On = false
	for range 60 {
		s.step(step60, &none, false, o)
	}
	if w := s.Weight(PartTorso); w != 0 {
		t.Errorf("torso idle weight %v with breathing off", w)
	}
}

func TestPresenceBlinks(t *testing.T) {
	var s presence
	s.reset(3)
	o := DefaultPresence()
	var starts []float64
	closed := false
	for i := range 60 * 30 {
		s.step(step60, &none, false, o)
		b := s.Blink()
		if b < 0 || b > 1 {
			t.Fatalf("blink weight %v", b)
		}
		if b >= 1 && !closed {
			starts = append(starts, float64(i)*step60)
		}
		closed = b >= 1
	}
	if len(starts) < 5 {
		t.Fatalf("%d closed-eye blinks in 30 s, want at least 5 (every 2–6 s)", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		if g := starts[i] - starts[i-1]; g < blinkMinGap-0.05 || g > blinkMaxGap+0.05 {
			t.Errorf("blinks %.2f s apart, want 2–6 s", g)
		}
	}
	// Never while a source sends blinks.
	for range 60 * 20 {
		s.step(step60, &none, true, o)
		if s.Blink() != 0 {
			t.Fatal("automatic blink while the source sends blinks")
		}
	}
}

// TestPresenceBlinksAtLowFrameRates: steps longer than a blink (a slow
// machine, a window behind others) still show every blink at least half
// closed in one step, never skip it.
func TestPresenceBlinksAtLowFrameRates(t *testing.T) {
	for _, fps := range []float64{2, 4, 5, 7, 10, 15, 60} {
		var s presence
		s.reset(3)
		o := DefaultPresence()
		dt := 1 / fps
		var blinks []bool // per blink started: shown at least half closed
		for range int(60 * fps) {
			before := s.next
			s.step(dt, &none, false, o)
			if s.next != before {
				blinks = append(blinks, false)
			}
			if b := s.Blink(); b >= 0.5 && len(blinks) > 0 {
				blinks[len(blinks)-1] = true
			}
		}
		shown := 0
		for _, ok := range blinks {
			if ok {
				shown++
			}
		}
		if len(blinks) < 9 || shown != len(blinks) {
			t.Errorf("%g fps: %d of %d blinks shown at least half closed in 60 s", fps, shown, len(blinks))
		}
	}
}

func TestPresenceSameSeedSameMotion(t *testing.T) {
	var a, b presence
	a.reset(11)
	b.reset(11)
	o := DefaultPresence()
	for range 600 {
		a.step(step60, &none, false, o)
		b.step(step60, &none, false, o)
		qa, _ := a.idleRotation(humanoid.Head, o)
		qb, _ := b.idleRotation(humanoid.Head, o)
		if qa != qb || a.Blink() != b.Blink() {
			t.Fatal("same seed, different motion")
		}
	}
}

// TestPresenceHandOver checks the 0.5 s silence rule and the linear 0.3 s
// blend both ways.
func TestPresenceHandOver(t *testing.T) {
	var s presence
	s.reset(5)
	o := DefaultPresence()
	arms := none
	arms[PartArms] = 0
	for range 60 {
		s.step(step60, &arms, false, o)
	}
	if w := s.Weight(PartArms); w != 0 {
		t.Fatalf("idle weight %v while driven", w)
	}
	// Silence: nothing for 0.5 s, then a 0.3 s blend.
	var ws []float32
	for range 60 {
		s.step(step60, &none, false, o)
		ws = append(ws, s.Weight(PartArms))
	}
	for i, w := range ws {
		at := float64(i+1) * step60
		if at <= PresenceSilence-1e-9 && w != 0 {
			t.Fatalf("idle weight %v %.3f s into the silence, want 0", w, at)
		}
		if at >= PresenceSilence+PresenceBlend+2*step60 && w != 1 {
			t.Fatalf("idle weight %v %.3f s into the silence, want 1", w, at)
		}
		if i > 0 && ws[i]-ws[i-1] > float32(step60/PresenceBlend)+1e-6 {
			t.Fatalf("idle weight jumps %v in one step", ws[i]-ws[i-1])
		}
	}
	// Resume: the source takes over in 0.3 s, no faster.
	prev := s.Weight(PartArms)
	for i := range 30 {
		s.step(step60, &arms, false, o)
		w := s.Weight(PartArms)
		if prev-w > float32(step60/PresenceBlend)+1e-6 {
			t.Fatalf("idle weight drops %v in one step", prev-w)
		}
		if i == 0 && w == 0 {
			t.Fatal("source took over in one step")
		}
		prev = w
	}
	if prev != 0 {
		t.Fatalf("idle weight %v 0.5 s after resuming", prev)
	}
	// A layer switched off never moves its part.
	o.Arms.On = false
	for range 120 {
		s.step(step60, &none, false, o)
	}
	if w := s.Weight(PartArms); w != 0 {
		t.Fatalf("idle weight %v with the arms layer off", w)
	}
}

func TestPartOf(t *testing.T) {
	for b, want := range map[humanoid.Bone]Part{
		humanoid.Hips: PartTorso, humanoid.Chest: PartTorso, humanoid.Head: PartHead, humanoid.LeftEye: PartEyes,
		humanoid.LeftHand: PartArms, humanoid.LeftIndexProximal: PartHands, humanoid.RightToes: PartLegs,
	} {
		if got := PartOf(b); got != want {
			t.Errorf("PartOf(%v) = %v, want %v", b, got, want)
		}
	}
}
