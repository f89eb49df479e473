package marionette

import (
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// aliveState is the render goroutine's idle layer and jitter buffer, put
// around the poser: input chooses the frame to pose (the newest, or the
// jitter buffer's playout), finish lays the idle motion and automatic
// blinks over the posed result.
type aliveState struct {
	pres     presence
	played   vmc.Frame          // the jitter buffer's output
	playout  PlayoutStatus      // the jitter buffer's status at the latest sample
	seq      uint64             // scene seq last seen
	ages     [PartCount]float64 // see input
	hand     []string           // expressions on by hand
	blinkKey bool               // the newest frame carries a blink blend key
	lastKey  float64
	av       *vrm.Model
	blink    int // index of the blink expression; -1: none
}

// reset starts over for av with the idle motion seeded by seed.
func (a *aliveState) reset(av *vrm.Model, seed uint64) {
	a.pres.reset(seed)
	a.seq, a.blinkKey, a.lastKey, a.av, a.blink = 0, false, presenceNever, av, -1
	if av != nil {
		for i := range av.Expressions {
			if av.Expressions[i].Preset == vrm.PresetBlink {
				a.blink = i
				break
			}
		}
	}
}

// input takes the frame fr to show (nil: nothing received yet) at now and
// ages, per part, the seconds since a source last sent data for it
// (negative: none has), and returns the frame to pose. A Performer
// repeating an unchanged pose still drives its parts: ages count packets,
// not changes.
func (a *aliveState) input(fr *vmc.Frame, ages *[PartCount]float64) *vmc.Frame {
	a.ages = *ages
	if fr != nil && fr.Seq != a.seq {
		a.seq = fr.Seq
		a.blinkKey = len(fr.Blends) > 0 && a.sendsBlink(fr)
	}
	return fr
}

// framedParts returns the parts frame f carries data for under options o
// (cut regions and a root that is not applied carry none).
func framedParts(f *vmc.Frame, o Options) Parts {
	var s Parts
	if f.Root.Received && (o.RootPosition || o.RootRotation) {
		s = s.With(PartRoot)
	}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		if f.BonesReceived.Has(b) && !o.Cut.Has(b) {
			s = s.With(PartOf(b))
		}
	}
	if len(f.Blends) > 0 {
		s = s.With(PartFace)
	}
	return s
}

// sendsBlink reports whether f has a blend key for one of the avatar's
// blink expressions.
func (a *aliveState) sendsBlink(f *vmc.Frame) bool {
	if a.av == nil {
		return false
	}
	for _, bl := range f.Blends {
		if x, ok := a.av.ExpressionIndex(bl.Name); ok && retarget.IsBlink(&a.av.Expressions[x]) {
			return true
		}
	}
	return false
}

// finish advances the idle layer by dt seconds and lays it over the
// poser's pose. The face source's frame fc (nil: none) mixed by mix
// drives the parts of the bones it turns (head; torso with its follow)
// and the face, like a receiver. It reports whether the idle layer is
// animating (the engine should keep redrawing).
func (a *aliveState) finish(p *retarget.Poser, o Options, dt float64, fc *retarget.Face, mix retarget.FaceMix) bool {
	av := p.Avatar()
	if av == nil {
		return false
	}
	if fc != nil {
		for _, fb := range fc.Bones {
			if fb.Bone.Valid() && mix.Overrides(fb.Bone) {
				a.ages[PartOf(fb.Bone)] = 0
			}
		}
		if len(fc.Slots)+len(fc.Expressions) > 0 {
			a.ages[PartFace] = 0
		}
	}
	faceBlink := p.FaceBlinks()
	if f := a.ages[PartFace]; a.blinkKey && f >= 0 {
		a.lastKey = max(a.lastKey, a.pres.t+dt-f)
	}
	blinkDriven := faceBlink || a.pres.t+dt-a.lastKey <= PresenceSilence
	a.pres.step(dt, &a.ages, blinkDriven, o.Presence)
	name, recv := "", float32(-1)
	if a.blink >= 0 {
		name, recv = av.Expressions[a.blink].Name, p.Weight(a.blink)
	}
	pose := p.Pose()
	a.pres.apply(pose, o.Presence, name, recv)
	for _, n := range a.hand {
		pose.Expressions = append(pose.Expressions, vrm.ExpressionWeight{Name: n, Weight: 1})
	}
	return o.Presence.Active()
}

// SetHandExpressions sets the expressions on by hand (names as in
// Avatar.Expressions; HandExpressions.Active): each is given weight 1 over
// whatever is received, the automatic blink included. The avatar's own
// override rules (VRM overrideBlink / overrideMouth / overrideLookAt: an
// emotion that blocks blinking keeps the eyes open) apply after, in
// vrm.Rig.
func (e *Engine) SetHandExpressions(names []string) {
	e.mu.Lock()
	e.extra.hand = append(e.extra.hand[:0:0], names...)
	e.mu.Unlock()
	e.poke()
}

// Playout returns the jitter buffer's status as of the latest render.
func (e *Engine) Playout() PlayoutStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.playout
}

// Pose copies into dst the pose given to the shown avatar at the latest
// render (received motion, smoothing, face and idle layer applied; VRM 1.0
// frame, see vrm.Pose), reusing dst's expression slice, and returns the
// render's time.
func (e *Engine) Pose(dst *vrm.Pose) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	x := append(dst.Expressions[:0], e.pose.Expressions...)
	*dst = e.pose
	dst.Expressions = x
	return e.poseAt
}

// copyPose returns a copy of p whose expressions are x (a copy of
// p.Expressions the caller made).
func copyPose(p *vrm.Pose, x []vrm.ExpressionWeight) vrm.Pose {
	c := *p
	c.Expressions = x
	return c
}
