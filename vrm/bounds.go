package vrm

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// BonePosition returns bone b's world position in frame f (metres, VRM 1.0
// frame), or false when the avatar lacks the bone.
func (av *Model) BonePosition(f *Frame, b humanoid.Bone) (mgl32.Vec3, bool) {
	n := av.Humanoid.Node(b)
	if n < 0 || f == nil || n >= len(f.NodeWorld) {
		return mgl32.Vec3{}, false
	}
	return f.NodeWorld[n].Col(3).Vec3(), true
}

// NodeTransform returns node i's world position (metres) and world
// rotation (unit quaternion, scale removed as three.js Matrix4.decompose
// does) in frame f, VRM 1.0 frame with the pose's root transform; ok is
// false for a node that does not exist. The rotation carries the node's
// axes as the file defines them: for a VRM 0.x file, whose local frames
// are turned with everything else at load (vrm0.go), it is the turned
// frame's rotation times the turn (180° about Y) — what three-vrm reports
// after VRMUtils.rotateVRM0.
func (av *Model) NodeTransform(f *Frame, i int) (pos mgl32.Vec3, rot mgl32.Quat, ok bool) {
	if f == nil || i < 0 || i >= len(f.NodeWorld) || i >= len(av.Nodes) {
		return mgl32.Vec3{}, mgl32.QuatIdent(), false
	}
	m := &f.NodeWorld[i]
	rot = matRotation(m)
	if av.Version == Version0 {
		rot = qmul(rot, mgl32.Quat{V: mgl32.Vec3{0, 1, 0}})
	}
	return m.Col(3).Vec3(), rot, true
}

// LookAtOrigin returns the world position of the avatar's lookAt origin in
// frame f: the head bone plus LookAt.OffsetFromHeadBone, roughly between the
// eyes (lookAt.md) — where a face close-up camera should aim.
func (av *Model) LookAtOrigin(f *Frame) (mgl32.Vec3, bool) {
	n := av.Humanoid.Node(humanoid.Head)
	if n < 0 || f == nil || n >= len(f.NodeWorld) {
		return mgl32.Vec3{}, false
	}
	return transformPoint(&f.NodeWorld[n], av.LookAt.OffsetFromHeadBone), true
}

// HipsHeight returns the hips bone's rest height above the model origin,
// metres (the Pose.SourceHipsHeight of this avatar as a sender).
func (av *Model) HipsHeight() float32 { return av.restData().hipsHeight }

// Bounds returns the world-space axis-aligned box around every vertex the
// third-person view draws in frame f (scene nodes with meshes, skinned with
// the frame's joint palettes and morphed by its weights; firstPersonOnly
// meshes left out). ok is false when nothing is drawn. It costs one pass
// over the vertices and does not allocate.
func (av *Model) Bounds(f *Frame) (lo, hi mgl32.Vec3, ok bool) {
	inf := float32(math.Inf(1))
	lo, hi = mgl32.Vec3{inf, inf, inf}, mgl32.Vec3{-inf, -inf, -inf}
	if f == nil || len(f.NodeWorld) != len(av.Nodes) {
		return lo, hi, false
	}
	rd := av.restData()
	for _, r := range av.Scene {
		k := rd.pos[r]
		for _, ni := range rd.order[k:rd.end[k]] {
			nd := &av.Nodes[ni]
			if nd.Mesh < 0 || !av.ThirdPersonVisible(int(ni)) {
				continue
			}
			var pal []mgl32.Mat4
			// A hand-made Frame may be short: a palette that does not match
			// its skin is ignored, missing weights count as zero.
			if nd.Skin >= 0 && nd.Skin < len(f.JointPalettes) && len(f.JointPalettes[nd.Skin]) == len(av.Skins[nd.Skin].Joints) {
				pal = f.JointPalettes[nd.Skin]
			}
			var weights []float32
			if int(ni) < len(f.MorphWeights) {
				weights = f.MorphWeights[ni]
			}
			for pi := range av.Meshes[nd.Mesh].Primitives {
				p := &av.Meshes[nd.Mesh].Primitives[pi]
				for v, pos := range p.Positions {
					for t, w := range weights {
						if w != 0 && t < len(p.Targets) && p.Targets[t].Positions != nil {
							pos = pos.Add(p.Targets[t].Positions[v].Mul(w))
						}
					}
					var wp mgl32.Vec3
					if pal != nil && p.Joints != nil {
						for c := 0; c < 4; c++ {
							if w := p.Weights[v][c]; w != 0 {
								wp = wp.Add(transformPoint(&pal[p.Joints[v][c]], pos).Mul(w))
							}
						}
					} else {
						wp = transformPoint(&f.NodeWorld[ni], pos)
					}
					for c := 0; c < 3; c++ {
						lo[c] = min(lo[c], wp[c])
						hi[c] = max(hi[c], wp[c])
					}
					ok = true
				}
			}
		}
	}
	return lo, hi, ok
}

// ThirdPersonVisible reports whether node's mesh is drawn in a third-person
// view, which is Kugutsu's: every mesh but those annotated firstPersonOnly
// (VRMC_vrm-1.0 firstPerson.md; VRM 0.x firstPersonFlag FirstPersonOnly).
func (av *Model) ThirdPersonVisible(node int) bool {
	return av.FirstPerson.Annotations[node] != FirstPersonFirstPersonOnly
}
