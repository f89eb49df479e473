package doll

import (
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// A test-only posing and linear-blend-skinning evaluator, independent of the
// vrm package's runtime: it is what the doll's own tests check the rig with.

// pose is a set of local rotations applied on top of the rest pose, by node.
type pose map[int]mgl32.Quat

// worldMatrices returns every node's world matrix under p.
func worldMatrices(a *vrm.Model, p pose) []mgl32.Mat4 {
	out := make([]mgl32.Mat4, len(a.Nodes))
	done := make([]bool, len(a.Nodes))
	var visit func(i int) mgl32.Mat4
	visit = func(i int) mgl32.Mat4 {
		if done[i] {
			return out[i]
		}
		n := &a.Nodes[i]
		rot := n.Rotation
		if q, ok := p[i]; ok {
			rot = rot.Mul(q)
		}
		local := mgl32.Translate3D(n.Translation[0], n.Translation[1], n.Translation[2]).
			Mul4(rot.Mat4()).Mul4(mgl32.Scale3D(n.Scale[0], n.Scale[1], n.Scale[2]))
		if n.Parent >= 0 {
			local = visit(n.Parent).Mul4(local)
		}
		out[i], done[i] = local, true
		return local
	}
	for i := range a.Nodes {
		visit(i)
	}
	return out
}

// skinned returns the positions of primitive prim of mesh node node under
// pose p with morph weights w (by target index; nil for none).
func skinned(a *vrm.Model, node int, prim *vrm.Primitive, world []mgl32.Mat4, w []float32) []mgl32.Vec3 {
	sk := &a.Skins[a.Nodes[node].Skin]
	palette := make([]mgl32.Mat4, len(sk.Joints))
	for j, n := range sk.Joints {
		palette[j] = world[n].Mul4(sk.InverseBindMatrices[j])
	}
	out := make([]mgl32.Vec3, len(prim.Positions))
	for i, p := range prim.Positions {
		for t, wt := range w {
			if wt != 0 && t < len(prim.Targets) {
				p = p.Add(prim.Targets[t].Positions[i].Mul(wt))
			}
		}
		var m mgl32.Mat4
		for k := range 4 {
			if prim.Weights[i][k] != 0 {
				m = m.Add(palette[prim.Joints[i][k]].Mul(prim.Weights[i][k]))
			}
		}
		out[i] = m.Mul4x1(p.Vec4(1)).Vec3()
	}
	return out
}

// boneNode returns the node of a humanoid bone.
func boneNode(t *testing.T, a *vrm.Model, b humanoid.Bone) int {
	t.Helper()
	n := a.Humanoid.Node(b)
	if n < 0 {
		t.Fatalf("bone %s missing", b)
	}
	return n
}
