package retarget

import (
	"math"
	"strings"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Thresholds under which a smoothed value counts as having reached its
// target (the smoothing then snaps and the engine stops redrawing).
const (
	settleAngle  = 1e-4 // radians
	settleMetres = 1e-5
	settleWeight = 1e-4
)

// maxCoordinate bounds a received position, metres: anything farther is
// garbage (or hostile) and is ignored, so that world matrices stay finite.
const maxCoordinate = 1e4

// Bounds of the MR model scale (1/s, field notes §1).
const minRootScale, maxRootScale = 1e-3, 1e3

// maxUnmatched bounds the remembered blend keys the avatar has no
// expression for (shown to the user, so they can fix a naming mismatch).
const maxUnmatched = 32

// Poser turns VMC scene frames (Unity coordinates, field notes §1) into
// vrm.Poses of one avatar (normalized-bone rotations in the VRM 1.0 frame,
// field notes §3) with the Marionette options: root, MR scale, bone
// position mode, cuts, mirror, time-based smoothing, and a face source's
// mix. It is pure: no goroutines, no clock (Update is given the time step),
// no allocation per frame once the blend keys have been seen. It is not
// safe for concurrent use; the engine's render goroutine owns one, and
// offline tools (export, render of a recording) run their own on a
// recorded clock. The zero Poser has no avatar and poses nothing.
type Poser struct {
	av   *vrm.Model
	pose vrm.Pose

	// Targets of the current frame, VRM 1.0 frame, after mirror and cuts.
	tRot             [humanoid.Count]mgl32.Quat
	tPos             [humanoid.Count]mgl32.Vec3
	tRotSet, tPosSet humanoid.Set
	tRootPos         mgl32.Vec3
	tRootRot         mgl32.Quat
	tRootScale       float32

	// Smoothed values.
	rot            [humanoid.Count]mgl32.Quat
	pos            [humanoid.Count]mgl32.Vec3
	rotSet, posSet humanoid.Set
	rootPos        mgl32.Vec3
	rootRot        mgl32.Quat
	rootScale      float32
	rootSet        bool

	// Expressions, indexed like av.Expressions.
	eTarget, eCur []float32
	eOrder        []uint64  // vmc.Blend.Order of the key setting eTarget this frame
	fVal          []float32 // the face's weight this frame
	fSet          []bool    // the face drives this expression this frame
	eHave         []bool    // eCur has been set (the first value is not smoothed in)
	eSmooth       []bool    // smoothed (false for the blinks)
	eMirror       []int32   // index of the mirrored expression (itself when none)
	slots         []blendSlot
	unmatched     []string
}

// blendSlot caches the expression index of a Frame.Blends entry: a key
// keeps its index until a full table evicts a key before it
// (vmc.Frame.Blends), so the name is checked too.
type blendSlot struct {
	name string
	expr int32 // -1: the avatar has no such expression
}

// NewPoser returns a Poser for av (nil for none).
func NewPoser(av *vrm.Model) *Poser {
	p := new(Poser)
	p.Reset(av)
	return p
}

// Reset prepares p for av (nil for none), forgetting all state: the next
// Update jumps to its targets. It allocates tables sized by av's
// expressions.
func (p *Poser) Reset(av *vrm.Model) {
	*p = Poser{av: av, pose: vrm.Pose{Expressions: p.pose.Expressions[:0]}}
	if av == nil {
		return
	}
	n := len(av.Expressions)
	p.eTarget = make([]float32, n)
	p.eOrder = make([]uint64, n)
	p.eCur = make([]float32, n)
	p.fVal = make([]float32, n)
	p.fSet = make([]bool, n)
	p.eHave = make([]bool, n)
	p.eSmooth = make([]bool, n)
	p.eMirror = make([]int32, n)
	for i := range av.Expressions {
		x := &av.Expressions[i]
		p.eSmooth[i] = !IsBlink(x)
		p.eMirror[i] = int32(i)
		if m, ok := mirrorName(x.Name); ok {
			if j, ok := av.ExpressionIndex(m); ok {
				p.eMirror[i] = int32(j)
			}
		}
	}
}

// Avatar returns the avatar p poses (nil for none).
func (p *Poser) Avatar() *vrm.Model { return p.av }

// IsBlink reports whether x closes the eyes: the blink presets (VRM 1.0
// blink, blinkLeft, blinkRight; VRM 0.x Blink, Blink_L, Blink_R as the
// loader maps them) and the Perfect Sync eyeBlink shapes (ARKit
// eyeBlinkLeft/Right, any case). Blinks are never smoothed: a 100–150 ms
// blink would be flattened.
func IsBlink(x *vrm.Expression) bool {
	switch x.Preset {
	case vrm.PresetBlink, vrm.PresetBlinkLeft, vrm.PresetBlinkRight:
		return true
	}
	return len(x.Name) >= 8 && strings.EqualFold(x.Name[:8], "eyeblink")
}

// mirrorName returns the name of the expression on the other side: a
// trailing _L/_R swapped (VRM 0.x Blink_L), else the last Left/Right
// (blinkLeft, eyeLookInLeft, mouthLeft), keeping the case of its first
// letter. ok is false for names with no side.
func mirrorName(name string) (string, bool) {
	if n := len(name); n >= 2 && name[n-2] == '_' {
		switch name[n-1] {
		case 'L':
			return name[:n-1] + "R", true
		case 'l':
			return name[:n-1] + "r", true
		case 'R':
			return name[:n-1] + "L", true
		case 'r':
			return name[:n-1] + "l", true
		}
	}
	low := mathx.LowerASCII(name) // byte for byte, so indices match name's
	l, r := strings.LastIndex(low, "left"), strings.LastIndex(low, "right")
	switch {
	case l < 0 && r < 0:
		return "", false
	case l > r:
		return name[:l] + caseLike(name[l], "Right") + name[l+4:], true
	default:
		return name[:r] + caseLike(name[r], "Left") + name[r+5:], true
	}
}

// caseLike returns word with its first letter in the case of c.
func caseLike(c byte, word string) string {
	if 'a' <= c && c <= 'z' {
		return strings.ToLower(word[:1]) + word[1:]
	}
	return word
}

// Unmatched returns the blend keys of the stream the avatar has no
// expression for, in first-seen order (at most 32): what a user needs to
// fix a naming mismatch. The slice belongs to p.
func (p *Poser) Unmatched() []string { return p.unmatched }

// smoothing returns the fraction of the way to its target a smoothed value
// moves in dt seconds with time constant tau: 1 − exp(−dt/tau), 1 when
// smoothing is off.
func smoothing(dt, tau float64) float32 {
	if tau <= 0 {
		return 1
	}
	if dt <= 0 {
		return 0
	}
	return float32(1 - math.Exp(-dt/tau))
}

// Update computes the pose for frame f (nil: nothing received) with
// options o and the face (nil: none) mixed by mix, dt seconds after the
// previous Update (smoothing is time-based; dt ≤ 0 does not move smoothed
// values). The result is Pose. It reports whether smoothed values are still
// moving toward their targets (the caller should update again soon).
// Received values that are not finite or farther than 10 km are ignored.
func (p *Poser) Update(f *vmc.Frame, o Options, face *Face, mix FaceMix, dt float64) (moving bool) {
	if p.av == nil {
		return false
	}
	p.targets(f, o)
	moving = p.smoothBones(smoothing(dt, o.BoneSmoothing.Seconds()))
	if p.expressions(f, o, face, mix, smoothing(dt, o.BlendSmoothing.Seconds())) {
		moving = true
	}
	p.build(o, face, mix)
	return moving
}

// targets converts f's root and bones into this frame's targets.
func (p *Poser) targets(f *vmc.Frame, o Options) {
	p.tRootPos, p.tRootRot, p.tRootScale = mgl32.Vec3{}, mgl32.QuatIdent(), 1
	p.tRotSet, p.tPosSet = 0, 0
	if f == nil {
		return
	}
	if r := &f.Root; r.Received {
		pos := r.Position.Array()
		if o.MRScaleOffset && r.MR {
			s := r.Scale.Array()
			var mean float32
			for c := range 3 {
				if !(math.Abs(float64(s[c])) > 1e-6) || !finite(s[c]) {
					s[c] = 1
				}
				pos[c] = (pos[c] - r.Offset.Array()[c]) / s[c]
				mean += s[c] / 3
			}
			if mean > 1e-6 && finite(1/mean) {
				p.tRootScale = min(max(1/mean, minRootScale), maxRootScale)
			}
		}
		if o.RootPosition && sane3(pos) {
			p.tRootPos = FromUnityPosition(pos)
		}
		if o.RootRotation {
			p.tRootRot = FromUnityRotation(r.Rotation.Array())
		}
		if o.Mirror {
			p.tRootPos, p.tRootRot = mirrorPos(p.tRootPos), mirrorRot(p.tRootRot)
		}
	}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		if !f.BonesReceived.Has(b) || o.Cut.Has(b) {
			continue
		}
		t := &f.Bones[b]
		rot := FromUnityRotation(t.Rotation.Array())
		dst := b
		if o.Mirror {
			dst, rot = b.Mirror(), mirrorRot(rot)
		}
		p.tRot[dst] = rot
		p.tRotSet = p.tRotSet.With(dst)
		raw := t.Position.Array()
		usePos := o.Positions == PositionsAll || (o.Positions == PositionsHips && b == humanoid.Hips)
		// All-zero positions mean "not sent" (field notes §1).
		if !usePos || raw == ([3]float32{}) || !sane3(raw) {
			continue
		}
		pos := FromUnityPosition(raw)
		if o.Mirror {
			pos = mirrorPos(pos)
		}
		p.tPos[dst] = pos
		p.tPosSet = p.tPosSet.With(dst)
	}
}

// smoothBones moves the smoothed root and bones toward the targets by a
// (fingers and eyes jump there) and reports whether any is still short.
func (p *Poser) smoothBones(a float32) (moving bool) {
	if !p.rootSet {
		p.rootPos, p.rootRot, p.rootScale, p.rootSet = p.tRootPos, p.tRootRot, p.tRootScale, true
	} else {
		p.rootPos = lerp3(p.rootPos, p.tRootPos, a)
		p.rootRot = quat.Slerp(p.rootRot, p.tRootRot, a)
		p.rootScale += (p.tRootScale - p.rootScale) * a
		if far3(p.rootPos, p.tRootPos) || farRot(p.rootRot, p.tRootRot) || abs32(p.rootScale-p.tRootScale) > settleWeight {
			moving = true
		} else {
			p.rootPos, p.rootRot, p.rootScale = p.tRootPos, p.tRootRot, p.tRootScale
		}
	}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		raw := b.Group() == humanoid.GroupFingers || b.Group() == humanoid.GroupEyes
		if p.tRotSet.Has(b) {
			if raw || !p.rotSet.Has(b) {
				p.rot[b] = p.tRot[b]
			} else if p.rot[b] = quat.Slerp(p.rot[b], p.tRot[b], a); farRot(p.rot[b], p.tRot[b]) {
				moving = true
			} else {
				p.rot[b] = p.tRot[b]
			}
		}
		if p.tPosSet.Has(b) {
			if raw || !p.posSet.Has(b) {
				p.pos[b] = p.tPos[b]
			} else if p.pos[b] = lerp3(p.pos[b], p.tPos[b], a); far3(p.pos[b], p.tPos[b]) {
				moving = true
			} else {
				p.pos[b] = p.tPos[b]
			}
		}
	}
	// Bones no longer sent (or just cut) return to rest at once.
	p.rotSet, p.posSet = p.tRotSet, p.tPosSet
	return moving
}

// expressions computes the expression targets from the stream's blends and
// the face, mixed by mix (see FaceMix), and smooths them by a. Expressions
// the face alone drives are not smoothed here: the face source smooths its
// own.
func (p *Poser) expressions(f *vmc.Frame, o Options, face *Face, mix FaceMix, a float32) (moving bool) {
	clear(p.eTarget)
	clear(p.eOrder)
	clear(p.fSet)
	vmcW, faceW := mathx.Clamp01(mix.VMCWeight), mathx.Clamp01(mix.FaceWeight)
	if f != nil {
		for i := range f.Blends {
			bl := &f.Blends[i]
			x := p.blendExpression(i, bl.Name)
			if x < 0 {
				continue
			}
			if o.Mirror {
				x = p.eMirror[x]
			}
			// Two keys for one expression (VRM 0.x Joy, VRM 1.0 happy):
			// the value received last wins.
			if bl.Order >= p.eOrder[x] {
				p.eTarget[x], p.eOrder[x] = bl.Value*vmcW, bl.Order
			}
		}
	}
	if face != nil {
		p.faceSlots(face.Slots)
		if mix.Eyes {
			p.faceSlots(face.Gaze)
		}
		for _, e := range face.Expressions {
			if x, ok := p.av.ExpressionIndex(e.Name); ok {
				p.fVal[x], p.fSet[x] = e.Weight, true
			}
		}
	}
	for i, t := range p.eTarget {
		own := p.fSet[i]
		if own {
			t = t*(1-faceW) + p.fVal[i]*faceW
		}
		if !(t > 0) { // also NaN
			t = 0
		}
		t = min(t, 1)
		p.eTarget[i] = t
		switch {
		case !p.eHave[i] || !p.eSmooth[i] || (own && faceW >= 1):
			p.eCur[i], p.eHave[i] = t, true
		default:
			c := p.eCur[i] + (t-p.eCur[i])*a
			if abs32(c-t) > settleWeight {
				moving = true
			} else {
				c = t
			}
			p.eCur[i] = c
		}
	}
	return moving
}

// faceSlots records the face's weights by expression index.
func (p *Poser) faceSlots(slots []ExpressionSlot) {
	for _, s := range slots {
		if s.Index >= 0 && int(s.Index) < len(p.fVal) {
			p.fVal[s.Index], p.fSet[s.Index] = s.Weight, true
		}
	}
}

// blendExpression returns the expression index of blend slot i named name,
// or -1, through the slot cache.
func (p *Poser) blendExpression(i int, name string) int32 {
	if i < len(p.slots) && p.slots[i].name == name {
		return p.slots[i].expr
	}
	x, ok := p.av.ExpressionIndex(name)
	s := blendSlot{name: name, expr: int32(x)}
	if !ok {
		s.expr = -1
		if len(p.unmatched) < maxUnmatched && !containsFold(p.unmatched, name) {
			p.unmatched = append(p.unmatched, name)
		}
	}
	if i < vmc.MaxBlendKeys {
		for len(p.slots) <= i {
			p.slots = append(p.slots, blendSlot{expr: -1})
		}
		p.slots[i] = s
	}
	return s.expr
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// build writes the smoothed state and the face's bones into p.pose.
func (p *Poser) build(o Options, face *Face, mix FaceMix) {
	ps := &p.pose
	ps.Reset()
	ps.RootPosition, ps.RootRotation, ps.RootScale = p.rootPos, p.rootRot, p.rootScale
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		if p.rotSet.Has(b) {
			ps.SetRotation(b, p.rot[b])
		}
		if p.posSet.Has(b) {
			ps.SetPosition(b, p.pos[b])
		}
	}
	ps.SameModel = o.Positions == PositionsAll
	if face != nil {
		w := mathx.Clamp01(mix.FaceWeight)
		for _, fb := range face.Bones {
			q := fb.Rotation
			if !fb.Bone.Valid() || !mix.Overrides(fb.Bone) || !finite(q.W+q.V[0]+q.V[1]+q.V[2]) || q.Len() < 0.5 {
				continue
			}
			q = q.Normalize()
			base := mgl32.QuatIdent()
			if ps.Rotated.Has(fb.Bone) {
				base = ps.Rotations[fb.Bone]
			}
			if composes(fb.Bone) {
				ps.SetRotation(fb.Bone, base.Mul(quat.Slerp(mgl32.QuatIdent(), q, w)).Normalize())
			} else {
				ps.SetRotation(fb.Bone, quat.Slerp(base, q, w))
			}
		}
	}
	for i, w := range p.eCur {
		if w > 0 {
			ps.Expressions = append(ps.Expressions, vrm.ExpressionWeight{Name: p.av.Expressions[i].Name, Weight: w})
		}
	}
}

// Pose returns the pose the latest Update computed: normalized-bone
// rotations and positions in the VRM 1.0 frame, the root (metres, unit
// quaternion, uniform scale), and expression weights 0–1 by name. It
// belongs to p: a caller may lay more over it (an idle layer, expressions
// by hand) until the next Update overwrites it.
func (p *Poser) Pose() *vrm.Pose { return &p.pose }

// Weights copies the expression weights given to the avatar (0–1, indexed
// like Model.Expressions, before the avatar's overrides) into dst.
func (p *Poser) Weights(dst []float32) []float32 { return append(dst[:0], p.eCur...) }

// Weight returns the weight given to expression i (indexed like
// Model.Expressions, 0–1), 0 when out of range.
func (p *Poser) Weight(i int) float32 {
	if i < 0 || i >= len(p.eCur) {
		return 0
	}
	return p.eCur[i]
}

// FaceBlinks reports whether the face of the latest Update drives one of
// the avatar's blink expressions (IsBlink): an idle layer's automatic
// blink then stays away.
func (p *Poser) FaceBlinks() bool {
	for i, set := range p.fSet {
		if set && IsBlink(&p.av.Expressions[i]) {
			return true
		}
	}
	return false
}

// mirrorPos reflects a VRM-frame position across the avatar's YZ plane.
func mirrorPos(v mgl32.Vec3) mgl32.Vec3 { return mgl32.Vec3{-v[0], v[1], v[2]} }

// mirrorRot reflects a VRM-frame rotation across the YZ plane: the
// reflection keeps the X component of the axis and negates Y and Z.
func mirrorRot(q mgl32.Quat) mgl32.Quat {
	return mgl32.Quat{W: q.W, V: mgl32.Vec3{q.V[0], -q.V[1], -q.V[2]}}
}

func lerp3(a, b mgl32.Vec3, t float32) mgl32.Vec3 { return a.Add(b.Sub(a).Mul(t)) }

// farRot reports whether a and b differ by more than settleAngle.
func farRot(a, b mgl32.Quat) bool {
	d := abs32(a.Dot(b))
	// 1 − |cos(θ/2)| ≈ θ²/8 for small θ.
	return 1-d > settleAngle*settleAngle/8
}

func far3(a, b mgl32.Vec3) bool { return a.Sub(b).Len() > settleMetres }

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }

func finite(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

// sane3 reports whether every component of a position is finite and
// within maxCoordinate metres.
func sane3(v [3]float32) bool {
	for _, x := range v {
		if !(x >= -maxCoordinate && x <= maxCoordinate) { // false for NaN
			return false
		}
	}
	return true
}
