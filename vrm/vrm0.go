package vrm

import "github.com/go-gl/mathgl/mgl32"

// The VRM 0.x turn (field notes §3, three-vrm rotateVRM0). A VRM 0.x scene
// faces −Z; turning it 180° about Y (R = diag(−1, 1, −1)) makes it face +Z
// like VRM 1.0. Rather than adding a turned root, every quantity is
// conjugated by R, so local frames stay as the file has them up to the turn
// and VRM 0.x's identity rest rotations stay identity:
//
//	point, vector:   (x, y, z)         → (−x, y, −z)
//	rotation:        (qx, qy, qz, qw)  → (−qx, qy, −qz, qw)   (R·q·R⁻¹)
//	scale:           unchanged (R permutes no axes)
//	matrix M:        R·M·R              (element (r,c) times s_r·s_c, s = (−1, 1, −1, 1))
//
// R is a proper rotation, so triangle winding is preserved. The map is its
// own inverse; the writer applies it again to write VRM 0.x.

func turnVec(v mgl32.Vec3) mgl32.Vec3 { return mgl32.Vec3{-v[0], v[1], -v[2]} }
func turnQuat(q mgl32.Quat) mgl32.Quat {
	return mgl32.Quat{W: q.W, V: mgl32.Vec3{-q.V[0], q.V[1], -q.V[2]}}
}

func turnMat(m mgl32.Mat4) mgl32.Mat4 {
	s := [4]float32{-1, 1, -1, 1}
	for c := 0; c < 4; c++ {
		for r := 0; r < 4; r++ {
			m[c*4+r] *= s[r] * s[c]
		}
	}
	return m
}

func turnVecs(v []mgl32.Vec3) {
	for i := range v {
		v[i] = turnVec(v[i])
	}
}

// turnVRM0 converts a loaded VRM 0.x avatar's nodes, meshes and skins from
// the file's frame to the VRM 1.0 frame. Spring-bone and lookAt vectors,
// which VRM 0.x stores in Unity coordinates, are converted where they are
// read.
func turnVRM0(av *Model) {
	for i := range av.Nodes {
		n := &av.Nodes[i]
		n.Translation = turnVec(n.Translation)
		n.Rotation = turnQuat(n.Rotation)
	}
	for mi := range av.Meshes {
		for pi := range av.Meshes[mi].Primitives {
			p := &av.Meshes[mi].Primitives[pi]
			turnVecs(p.Positions)
			turnVecs(p.Normals)
			for k, t := range p.Tangents { // a rotation: w (handedness) stays
				p.Tangents[k] = turnVec(t.Vec3()).Vec4(t[3])
			}
			for ti := range p.Targets {
				turnVecs(p.Targets[ti].Positions)
				turnVecs(p.Targets[ti].Normals)
			}
		}
	}
	for si := range av.Skins {
		for k, m := range av.Skins[si].InverseBindMatrices {
			av.Skins[si].InverseBindMatrices[k] = turnMat(m)
		}
	}
}
