package face

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// The preset expressions an iFacialMocap face drives, in Binding.preset
// order. The emotions (happy, surprised) come last: they are driven only in
// preset mode with Settings.Emotions, so that otherwise the Performer's
// (hotkeys…) stay.
var facePresets = [...]vrm.Preset{
	vrm.PresetBlink, vrm.PresetBlinkLeft, vrm.PresetBlinkRight,
	vrm.PresetAa, vrm.PresetIh, vrm.PresetOu, vrm.PresetEe, vrm.PresetOh,
	vrm.PresetHappy, vrm.PresetSurprised,
}

const (
	firstEmotion = 8 // index of PresetHappy in facePresets
	presetEe     = 6
	presetOh     = 7
)

// lookPresets are the lookAt expressions, in Binding.look order.
var lookPresets = [4]vrm.Preset{vrm.PresetLookUp, vrm.PresetLookDown, vrm.PresetLookLeft, vrm.PresetLookRight}

// maxLean bounds the torso lean made from the head position, radians (25°).
const maxLean = 25 * math.Pi / 180

// Binding is what a mapped face (Face, from Mapper) needs to know about one
// avatar to drive it: which of its expressions the 52 ARKit shapes and the
// face presets are, its lookAt type and range maps, its humanoid bones, and
// how high its head is above its spine. It is built once per avatar
// (allocating) and then fills a retarget.Face every frame without
// allocating. It is not safe for concurrent use.
type Binding struct {
	av          *vrm.Model
	arkit       [arkit.Count]int32 // expression index per ARKit shape, −1 when absent
	found       int                // ARKit shapes found
	perfectSync bool               // HasPerfectSync of the names
	preset      [len(facePresets)]int32
	look        [4]int32
	fiveVowels  bool // the avatar has ee and oh (else VowelsAIU)
	present     humanoid.Set
	lookAt      vrm.LookAt
	leanHeight  float32 // rest distance from the spine bone up to the head bone, metres
}

// NewBinding builds the tables for av (not nil). Perfect Sync expressions
// are found by name, any case, camelCase or PascalCase (MatchPerfectSync,
// field notes §6); presets by their VRM preset (VRM 0.x names were mapped
// by the loader, field notes §4). An expression that is both is driven as
// the ARKit shape.
func NewBinding(av *vrm.Model) *Binding {
	r := &Binding{av: av, present: av.Humanoid.Present, lookAt: av.LookAt}
	names := make([]string, len(av.Expressions))
	for i := range av.Expressions {
		names[i] = av.Expressions[i].Name
	}
	m, found := MatchPerfectSync(names)
	r.found, r.perfectSync = found, HasPerfectSync(names)
	isShape := make([]bool, len(names))
	for s, x := range m {
		r.arkit[s] = int32(x)
		if x >= 0 {
			isShape[x] = true
		}
	}
	find := func(p vrm.Preset) int32 {
		for i := range av.Expressions {
			if av.Expressions[i].Preset == p && !isShape[i] {
				return int32(i)
			}
		}
		return -1
	}
	for k, p := range facePresets {
		r.preset[k] = find(p)
	}
	for k, p := range lookPresets {
		r.look[k] = find(p)
	}
	r.fiveVowels = r.preset[presetEe] >= 0 && r.preset[presetOh] >= 0
	spine, okS := restBonePosition(av, humanoid.Spine)
	head, okH := restBonePosition(av, humanoid.Head)
	if okS && okH {
		r.leanHeight = head.Sub(spine).Len()
	}
	return r
}

// restBonePosition returns bone b's rest position in model space, metres,
// from the nodes' rest transforms.
func restBonePosition(av *vrm.Model, b humanoid.Bone) (mgl32.Vec3, bool) {
	n := av.Humanoid.Node(b)
	if n < 0 || n >= len(av.Nodes) {
		return mgl32.Vec3{}, false
	}
	p := mgl32.Vec3{}
	// Walk up to the root, bounded by the node count (a cycle is a broken
	// file the loader rejects, but stay safe).
	for i := 0; n >= 0 && n < len(av.Nodes) && i <= len(av.Nodes); i++ {
		nd := &av.Nodes[n]
		s := nd.Scale
		if s == (mgl32.Vec3{}) {
			s = mgl32.Vec3{1, 1, 1}
		}
		q := nd.Rotation
		if q.Len() < 0.5 {
			q = mgl32.QuatIdent()
		}
		p = q.Rotate(mgl32.Vec3{p[0] * s[0], p[1] * s[1], p[2] * s[2]}).Add(nd.Translation)
		n = nd.Parent
	}
	return p, true
}

// Avatar returns the avatar r was built for.
func (r *Binding) Avatar() *vrm.Model { return r.av }

// Settings returns s adapted to this avatar, for Mapper.Settings: whether
// it has Perfect Sync (for MappingAuto), and the three-vowel formula when
// it lacks ee or oh.
func (r *Binding) Settings(s Settings) Settings {
	s.ModelHasPerfectSync = r.perfectSync
	if !r.fiveVowels {
		s.Vowels = VowelsAIU
	}
	return s
}

// Fill writes the mapped face mf (made with settings s, as returned by
// Settings) into out for this avatar, reusing out's slices; out.Received is
// left as it is:
//
//   - Slots: in Perfect Sync mode every ARKit expression the avatar has gets
//     its shape's weight and the blink and mouth presets get 0; in preset
//     mode the reverse, plus happy and surprised when s.Emotions. (The face
//     owns both sets either way, so a Performer's own blinks and visemes do
//     not double the face's.)
//   - Gaze, for a lookAt of type expression: lookUp/Down/Left/Right from
//     mf.Gaze through the avatar's range maps (lookAt.md, as
//     vrm.LookAtAngles does) in preset mode; 0 in Perfect Sync mode, where
//     the eyeLook shapes move the eyes.
//   - Bones: chest (or spine), neck and head from mf, folded onto the bones
//     the avatar has (Face.BoneRotations); for a lookAt of type
//     bone, both eyes turned by mf.Gaze through the range maps; with a head
//     offset, a lean of the spine that moves the head by it (see lean).
func (r *Binding) Fill(mf *Face, s *Settings, out *retarget.Face) {
	out.Slots, out.Gaze, out.Bones = out.Slots[:0], out.Gaze[:0], out.Bones[:0]
	out.Expressions = out.Expressions[:0]
	ps := mf.Mode == MappingPerfectSync
	for sh, x := range r.arkit {
		if x < 0 {
			continue
		}
		var w float32
		if ps {
			w = mf.ARKit[sh]
		}
		out.Slots = append(out.Slots, retarget.ExpressionSlot{Index: x, Weight: w})
	}
	p := &mf.Presets
	weights := [len(facePresets)]float32{p.Blink, p.BlinkLeft, p.BlinkRight, p.Aa, p.Ih, p.Ou, p.Ee, p.Oh, p.Happy, p.Surprised}
	for k, x := range r.preset {
		if x < 0 || (k >= firstEmotion && (ps || !s.Emotions)) {
			continue
		}
		var w float32
		if !ps {
			w = weights[k]
		}
		out.Slots = append(out.Slots, retarget.ExpressionSlot{Index: x, Weight: w})
	}

	la := &r.lookAt
	yaw, pitch := mf.Gaze.Yaw, mf.Gaze.Pitch
	if !finite(yaw) || !finite(pitch) {
		yaw, pitch = 0, 0
	}
	vert := la.VerticalDown.Map(pitch)
	if pitch < 0 {
		vert = -la.VerticalUp.Map(pitch)
	}
	if la.Type == vrm.LookAtExpression {
		var lw [4]float32 // up, down, left, right
		if !ps {
			if yaw > 0 {
				lw[2] = la.HorizontalOuter.Map(yaw)
			} else {
				lw[3] = la.HorizontalOuter.Map(yaw)
			}
			if pitch > 0 {
				lw[1] = la.VerticalDown.Map(pitch)
			} else {
				lw[0] = la.VerticalUp.Map(pitch)
			}
		}
		for k, x := range r.look {
			if x >= 0 {
				out.Gaze = append(out.Gaze, retarget.ExpressionSlot{Index: x, Weight: mathx.Clamp01(lw[k])})
			}
		}
	}

	bones, n := mf.BoneRotations(r.present, false)
	for _, b := range bones[:n] {
		out.Bones = append(out.Bones, retarget.BoneRotation{Bone: b.Bone, Rotation: b.Rotation})
	}
	r.lean(mf.HeadOffset, out)
	if la.Type == vrm.LookAtBone {
		for _, eye := range [2]humanoid.Bone{humanoid.LeftEye, humanoid.RightEye} {
			if !r.present.Has(eye) {
				continue
			}
			// Looking left, the left eye turns outward, the right one inward.
			outer, inner := la.HorizontalOuter, la.HorizontalInner
			if eye == humanoid.RightEye {
				outer, inner = inner, outer
			}
			h := outer.Map(yaw)
			if yaw < 0 {
				h = -inner.Map(yaw)
			}
			out.Bones = append(out.Bones, retarget.BoneRotation{Bone: eye, Rotation: EyeRotation(vert, h)})
		}
	}
}

// lean turns a head offset (metres, avatar frame: +X the avatar's left, +Z
// its front) into a lean of the torso at the spine bone that moves the head
// by about that much: atan(dz/h) forward about +X and atan(dx/h) sideways
// about −Z, h the rest spine-to-head distance, each at most maxLean. The
// neck (or the head without one) turns back by the same rotation, so the
// head keeps its tracked orientation. The vertical offset is not applied:
// raising or lowering the body would need the legs to bend.
func (r *Binding) lean(off mgl32.Vec3, out *retarget.Face) {
	if r.leanHeight <= 0 || (off[0] == 0 && off[2] == 0) || !finite(off[0]) || !finite(off[2]) {
		return
	}
	h := float64(r.leanHeight)
	clampLean := func(a float64) float32 { return float32(max(-maxLean, min(maxLean, a))) }
	fwd := clampLean(math.Atan2(float64(off[2]), h))
	side := clampLean(math.Atan2(float64(off[0]), h))
	l := mgl32.QuatRotate(fwd, mgl32.Vec3{1, 0, 0}).Mul(mgl32.QuatRotate(-side, mgl32.Vec3{0, 0, 1}))
	spine, back := -1, -1
	for i, b := range out.Bones {
		switch {
		case b.Bone == humanoid.Spine && spine < 0:
			spine = i
		case (b.Bone == humanoid.Neck || b.Bone == humanoid.Head) && back < 0:
			back = i
		}
	}
	if spine >= 0 {
		out.Bones[spine].Rotation = l.Mul(out.Bones[spine].Rotation)
	} else {
		out.Bones = append(out.Bones, retarget.BoneRotation{Bone: humanoid.Spine, Rotation: l})
	}
	if back >= 0 {
		out.Bones[back].Rotation = l.Conjugate().Mul(out.Bones[back].Rotation)
	}
}

// AvatarMapping returns the mapping mode an iFacialMocap face would use on av
// with mode (MappingAuto resolves to Perfect Sync when the avatar has
// HasPerfectSync expressions, else presets) and how many of
// the 52 ARKit shapes av has expressions for — what a panel shows as "auto
// chose … for this avatar". A nil av has none.
func AvatarMapping(av *vrm.Model, mode MappingMode) (MappingMode, int) {
	if av == nil {
		return ResolveMode(mode, false), 0
	}
	names := make([]string, len(av.Expressions))
	for i := range av.Expressions {
		names[i] = av.Expressions[i].Name
	}
	_, found := MatchPerfectSync(names)
	return ResolveMode(mode, HasPerfectSync(names)), found
}

func finite(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }
