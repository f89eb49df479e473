// Package vrma writes VRM Animation files (.vrma): glTF 2.0 binaries with
// the VRMC_vrm_animation 1.0 extension (vrm-specification,
// specification/VRMC_vrm_animation-1.0), as three-vrm-animation and UniVRM
// read them.
//
// The file holds a humanoid skeleton in the VRM T-pose whose nodes have no
// rotation (the normalized rig: a bone's animated rotation is its
// normalized-bone rotation, VRM 1.0 frame, as in vrm.Pose), one node per
// expression whose translation's X is the expression's weight 0–1, and a
// lookAt node whose rotation is the gaze (yaw about +Y then pitch about +X,
// three-vrm's Euler order YXZ: yaw > 0 toward the avatar's left, pitch > 0
// down). The eyes (leftEye, rightEye) and the lookUp/Down/Left/Right
// expressions are not animated directly: the spec gives them to lookAt.
// Spring bones are not baked.
package vrma

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// ExtensionName is the glTF extension this package writes.
const ExtensionName = "VRMC_vrm_animation"

// MaxKeys bounds the keyframes of one clip (about 9 hours at 30 fps).
const MaxKeys = 1 << 20

// Builder collects keyframes of an avatar's poses and writes them as a VRM
// Animation. The skeleton is the avatar's rest pose.
type Builder struct {
	av      *vrm.Model
	present humanoid.Set // animated bones: the avatar's, less the eyes
	rest    [humanoid.Count]mgl32.Vec3
	head    mgl32.Vec3 // lookAt origin at rest, model space

	times []float32
	rot   [humanoid.Count][]mgl32.Quat
	hips  []mgl32.Vec3
	exprs []exprTrack
	look  []mgl32.Quat
	eyes  bool // some key had eye rotations
}

type exprTrack struct {
	name    string
	preset  bool
	weights []float32
}

// NewBuilder returns a Builder for av's skeleton (its rest pose, model
// space, VRM 1.0 frame) and expressions.
func NewBuilder(av *vrm.Model) *Builder {
	b := &Builder{av: av}
	f := vrm.NewRig(av).Pose(nil)
	for bone := humanoid.Bone(0); bone < humanoid.Count; bone++ {
		n := av.Humanoid.Node(bone)
		if n < 0 || bone == humanoid.LeftEye || bone == humanoid.RightEye {
			continue
		}
		b.present = b.present.With(bone)
		b.rest[bone] = f.NodeWorld[n].Col(3).Vec3()
	}
	if p, ok := av.LookAtOrigin(f); ok {
		b.head = p
	} else {
		b.head = b.rest[humanoid.Head]
	}
	return b
}

// Keys returns the number of keyframes added.
func (b *Builder) Keys() int { return len(b.times) }

// Add appends a keyframe at t seconds (t must increase from key to key)
// from pose p: the root transform is folded into the hips (VRM Animation
// has no root), bones p does not rotate are at rest, expressions p does
// not list are 0, and the eyes' mean gaze becomes the lookAt rotation.
func (b *Builder) Add(t float32, p *vrm.Pose) error {
	if len(b.times) >= MaxKeys {
		return fmt.Errorf("vrma: more than %d keyframes", MaxKeys)
	}
	if n := len(b.times); !(t >= 0) || (n > 0 && !(t > b.times[n-1])) || math.IsInf(float64(t), 0) {
		return fmt.Errorf("vrma: key time %v does not follow %v", t, b.times[max(n-1, 0):])
	}
	k := len(b.times)
	b.times = append(b.times, t)
	rootRot := unit(p.RootRotation)
	scale := p.RootScale
	if !(scale > 0) || math.IsInf(float64(scale), 0) {
		scale = 1
	}
	for bone := humanoid.Bone(0); bone < humanoid.Count; bone++ {
		if !b.present.Has(bone) {
			continue
		}
		q := mgl32.QuatIdent()
		if p.Rotated.Has(bone) {
			q = unit(p.Rotations[bone])
		}
		if bone == humanoid.Hips {
			q = unit(rootRot.Mul(q))
		}
		b.rot[bone] = append(b.rot[bone], q)
	}
	hips := b.rest[humanoid.Hips]
	if p.Positioned.Has(humanoid.Hips) && finite3(p.Positions[humanoid.Hips]) {
		hips = p.Positions[humanoid.Hips]
	}
	hips = rootRot.Rotate(hips.Mul(scale))
	if finite3(p.RootPosition) {
		hips = hips.Add(p.RootPosition)
	}
	b.hips = append(b.hips, hips)

	for i := range b.exprs {
		b.exprs[i].weights = append(b.exprs[i].weights, 0)
	}
	for _, e := range p.Expressions {
		i, ok := b.av.ExpressionIndex(e.Name)
		if !ok || isLookExpression(b.av.Expressions[i].Preset) {
			continue
		}
		x := &b.av.Expressions[i]
		j := b.expr(x.Name, x.Preset != vrm.PresetCustom, k)
		if e.Weight > 0 { // false for NaN
			b.exprs[j].weights[k] = min(e.Weight, 1)
		}
	}

	look := mgl32.QuatIdent()
	var dir mgl32.Vec3
	for _, eye := range []humanoid.Bone{humanoid.LeftEye, humanoid.RightEye} {
		if p.Rotated.Has(eye) {
			dir = dir.Add(unit(p.Rotations[eye]).Rotate(mgl32.Vec3{0, 0, 1}))
		}
	}
	if dir.Len() > 1e-6 {
		b.eyes = true
		yaw := math.Atan2(float64(dir[0]), float64(dir[2]))
		pitch := math.Atan2(-float64(dir[1]), math.Hypot(float64(dir[0]), float64(dir[2])))
		look = mgl32.QuatRotate(float32(yaw), mgl32.Vec3{0, 1, 0}).Mul(mgl32.QuatRotate(float32(pitch), mgl32.Vec3{1, 0, 0}))
	}
	b.look = append(b.look, look)
	return nil
}

// expr returns the track index of expression name, adding a track of k
// zero weights plus the current key when it is new.
func (b *Builder) expr(name string, preset bool, k int) int {
	for i := range b.exprs {
		if b.exprs[i].name == name {
			return i
		}
	}
	b.exprs = append(b.exprs, exprTrack{name: name, preset: preset, weights: make([]float32, k+1)})
	return len(b.exprs) - 1
}

func isLookExpression(p vrm.Preset) bool {
	switch p {
	case vrm.PresetLookUp, vrm.PresetLookDown, vrm.PresetLookLeft, vrm.PresetLookRight:
		return true
	}
	return false
}

// ErrEmpty is returned by Encode for a builder without keyframes.
var ErrEmpty = errors.New("vrma: no keyframes")

// extension is the VRMC_vrm_animation object.
type extension struct {
	SpecVersion string `json:"specVersion"`
	Humanoid    struct {
		HumanBones map[string]nodeRef `json:"humanBones"`
	} `json:"humanoid"`
	Expressions *expressions `json:"expressions,omitempty"`
	LookAt      *nodeRef     `json:"lookAt,omitempty"`
}

type expressions struct {
	Preset map[string]nodeRef `json:"preset,omitempty"`
	Custom map[string]nodeRef `json:"custom,omitempty"`
}

type nodeRef struct {
	Node int `json:"node"`
}

// Encode writes the animation as a .vrma (binary glTF) to w: the skeleton,
// expression and lookAt nodes, and one animation of LINEAR samplers sharing
// one time accessor (seconds from 0).
func (b *Builder) Encode(w io.Writer) error {
	if len(b.times) == 0 {
		return ErrEmpty
	}
	doc := &gltf.Document{Asset: gltf.Asset{Version: "2.0", Generator: "Kugutsu"}}
	doc.Scenes = []*gltf.Scene{{Name: "VRMA"}}
	doc.Scene = gltf.Index(0)
	ext := extension{SpecVersion: "1.0"}
	ext.Humanoid.HumanBones = map[string]nodeRef{}
	var nodeOf [humanoid.Count]int
	for _, bone := range humanoid.Order(b.present) {
		parent := bone.ParentIn(b.present)
		t := b.rest[bone]
		if parent != humanoid.None {
			t = t.Sub(b.rest[parent])
		}
		i := len(doc.Nodes)
		nodeOf[bone] = i
		doc.Nodes = append(doc.Nodes, &gltf.Node{Name: bone.VRM1Name(), Translation: [3]float64(vec64(t)), Rotation: [4]float64{0, 0, 0, 1}, Scale: [3]float64{1, 1, 1}})
		if parent == humanoid.None {
			doc.Scenes[0].Nodes = append(doc.Scenes[0].Nodes, i)
		} else {
			p := doc.Nodes[nodeOf[parent]]
			p.Children = append(p.Children, i)
		}
		ext.Humanoid.HumanBones[bone.VRM1Name()] = nodeRef{i}
	}
	anim := &gltf.Animation{Name: "take"}
	times := modeler.WriteAccessor(doc, gltf.TargetNone, b.times)
	doc.Accessors[times].Min = []float64{float64(b.times[0])}
	doc.Accessors[times].Max = []float64{float64(b.times[len(b.times)-1])}
	channel := func(node int, path gltf.TRSProperty, data any) {
		out := modeler.WriteAccessor(doc, gltf.TargetNone, data)
		anim.Samplers = append(anim.Samplers, &gltf.AnimationSampler{Input: times, Output: out, Interpolation: gltf.InterpolationLinear})
		anim.Channels = append(anim.Channels, &gltf.AnimationChannel{
			Sampler: len(anim.Samplers) - 1,
			Target:  gltf.AnimationChannelTarget{Node: gltf.Index(node), Path: path},
		})
	}
	for _, bone := range humanoid.Order(b.present) {
		if bone == humanoid.Hips {
			channel(nodeOf[bone], gltf.TRSTranslation, vec3s(b.hips))
		}
		channel(nodeOf[bone], gltf.TRSRotation, quats(b.rot[bone]))
	}
	if len(b.exprs) > 0 {
		ex := &expressions{}
		for _, e := range b.exprs {
			i := len(doc.Nodes)
			doc.Nodes = append(doc.Nodes, &gltf.Node{Name: "Expression_" + e.name, Rotation: [4]float64{0, 0, 0, 1}, Scale: [3]float64{1, 1, 1}})
			doc.Scenes[0].Nodes = append(doc.Scenes[0].Nodes, i)
			m := &ex.Custom
			if e.preset {
				m = &ex.Preset
			}
			if *m == nil {
				*m = map[string]nodeRef{}
			}
			(*m)[e.name] = nodeRef{i}
			v := make([][3]float32, len(e.weights))
			for k, wt := range e.weights {
				v[k][0] = wt
			}
			channel(i, gltf.TRSTranslation, v)
		}
		ext.Expressions = ex
	}
	if b.eyes {
		i := len(doc.Nodes)
		doc.Nodes = append(doc.Nodes, &gltf.Node{Name: "LookAt", Translation: [3]float64(vec64(b.head)), Rotation: [4]float64{0, 0, 0, 1}, Scale: [3]float64{1, 1, 1}})
		doc.Scenes[0].Nodes = append(doc.Scenes[0].Nodes, i)
		ext.LookAt = &nodeRef{i}
		channel(i, gltf.TRSRotation, quats(b.look))
	}
	doc.Animations = []*gltf.Animation{anim}
	doc.ExtensionsUsed = []string{ExtensionName}
	doc.Extensions = gltf.Extensions{ExtensionName: ext}
	enc := gltf.NewEncoder(w)
	enc.AsBinary = true
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("vrma: %w", err)
	}
	return nil
}

// unit returns q normalized, or the identity for a quaternion that is not
// finite or too short to have a direction.
func unit(q mgl32.Quat) mgl32.Quat {
	l := q.Len()
	if !(l > 1e-6) || math.IsInf(float64(l), 0) {
		return mgl32.QuatIdent()
	}
	return q.Scale(1 / l)
}

func finite3(v mgl32.Vec3) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

func vec64(v mgl32.Vec3) [3]float64 {
	return [3]float64{float64(v[0]), float64(v[1]), float64(v[2])}
}

func vec3s(v []mgl32.Vec3) [][3]float32 {
	out := make([][3]float32, len(v))
	for i, x := range v {
		out[i] = [3]float32(x)
	}
	return out
}

// quats converts to glTF's [x, y, z, w] order, keeping successive keys in
// the same hemisphere so LINEAR (slerp) interpolation takes the short way.
func quats(q []mgl32.Quat) [][4]float32 {
	out := make([][4]float32, len(q))
	for i, x := range q {
		if i > 0 && x.Dot(q[i-1]) < 0 {
			x = mgl32.Quat{W: -x.W, V: x.V.Mul(-1)}
		}
		q[i] = x
		out[i] = [4]float32{x.V[0], x.V[1], x.V[2], x.W}
	}
	return out
}
