package vrm

import (
	"github.com/go-gl/mathgl/mgl32"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

// The VRM 0.x turn (field notes §3, three-vrm rotateVRM0) is described and
// implemented in vrm/internal/schema (schema.TurnVec, TurnQuat, TurnMat),
// which the writer, vrm/vrmenc, applies again to write VRM 0.x.

func turnVecs(v []mgl32.Vec3) {
	for i := range v {
		v[i] = schema.TurnVec(v[i])
	}
}

// turnVRM0 converts a loaded VRM 0.x avatar's nodes, meshes and skins from
// the file's frame to the VRM 1.0 frame. Spring-bone and lookAt vectors,
// which VRM 0.x stores in Unity coordinates, are converted where they are
// read.
func turnVRM0(av *Model) {
	for i := range av.Nodes {
		n := &av.Nodes[i]
		n.Translation = schema.TurnVec(n.Translation)
		n.Rotation = schema.TurnQuat(n.Rotation)
	}
	for mi := range av.Meshes {
		for pi := range av.Meshes[mi].Primitives {
			p := &av.Meshes[mi].Primitives[pi]
			turnVecs(p.Positions)
			turnVecs(p.Normals)
			for k, t := range p.Tangents { // a rotation: w (handedness) stays
				p.Tangents[k] = schema.TurnVec(t.Vec3()).Vec4(t[3])
			}
			for ti := range p.Targets {
				turnVecs(p.Targets[ti].Positions)
				turnVecs(p.Targets[ti].Normals)
			}
		}
	}
	for si := range av.Skins {
		for k, m := range av.Skins[si].InverseBindMatrices {
			av.Skins[si].InverseBindMatrices[k] = schema.TurnMat(m)
		}
	}
}
