package schema

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
// own inverse: the loader (vrm/vrm0.go) applies it to read VRM 0.x, the
// writer (vrm/vrmenc) applies it again to write VRM 0.x.

// TurnVec turns a point or vector: (x, y, z) → (−x, y, −z).
func TurnVec(v mgl32.Vec3) mgl32.Vec3 { return mgl32.Vec3{-v[0], v[1], -v[2]} }

// TurnQuat turns a rotation: (qx, qy, qz, qw) → (−qx, qy, −qz, qw).
func TurnQuat(q mgl32.Quat) mgl32.Quat {
	return mgl32.Quat{W: q.W, V: mgl32.Vec3{-q.V[0], q.V[1], -q.V[2]}}
}

// TurnMat turns a transform matrix: R·m·R.
func TurnMat(m mgl32.Mat4) mgl32.Mat4 {
	s := [4]float32{-1, 1, -1, 1}
	for c := 0; c < 4; c++ {
		for r := 0; r < 4; r++ {
			m[c*4+r] *= s[r] * s[c]
		}
	}
	return m
}
