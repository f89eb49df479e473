package vrm

import (
	"fmt"
	"math"
	"strconv"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx/quat"
)

func itoa(i int) string                      { return strconv.Itoa(i) }
func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// finite32 reports whether x is neither NaN nor infinite.
func finite32(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

func finiteVec3(v mgl32.Vec3) bool { return finite32(v[0]) && finite32(v[1]) && finite32(v[2]) }

// quatXYZW builds a quaternion from glTF's [x, y, z, w] order.
func quatXYZW(x, y, z, w float32) mgl32.Quat { return mgl32.Quat{W: w, V: mgl32.Vec3{x, y, z}} }

// qmul is the Hamilton product a·b (rotate by b, then by a).
func qmul(a, b mgl32.Quat) mgl32.Quat {
	return mgl32.Quat{
		W: a.W*b.W - a.V[0]*b.V[0] - a.V[1]*b.V[1] - a.V[2]*b.V[2],
		V: mgl32.Vec3{
			a.W*b.V[0] + a.V[0]*b.W + a.V[1]*b.V[2] - a.V[2]*b.V[1],
			a.W*b.V[1] - a.V[0]*b.V[2] + a.V[1]*b.W + a.V[2]*b.V[0],
			a.W*b.V[2] + a.V[0]*b.V[1] - a.V[1]*b.V[0] + a.V[2]*b.W,
		},
	}
}

// qconj is the inverse of a unit quaternion.
func qconj(q mgl32.Quat) mgl32.Quat {
	return mgl32.Quat{W: q.W, V: mgl32.Vec3{-q.V[0], -q.V[1], -q.V[2]}}
}

// composeTRS returns T·R·S as a column-major matrix.
func composeTRS(t mgl32.Vec3, q mgl32.Quat, s mgl32.Vec3) mgl32.Mat4 {
	x, y, z, w := q.V[0], q.V[1], q.V[2], q.W
	x2, y2, z2 := x+x, y+y, z+z
	xx, xy, xz := x*x2, x*y2, x*z2
	yy, yz, zz := y*y2, y*z2, z*z2
	wx, wy, wz := w*x2, w*y2, w*z2
	return mgl32.Mat4{
		(1 - (yy + zz)) * s[0], (xy + wz) * s[0], (xz - wy) * s[0], 0,
		(xy - wz) * s[1], (1 - (xx + zz)) * s[1], (yz + wx) * s[1], 0,
		(xz + wy) * s[2], (yz - wx) * s[2], (1 - (xx + yy)) * s[2], 0,
		t[0], t[1], t[2], 1,
	}
}

// mulAffine returns a·b for affine matrices (last rows (0,0,0,1)).
func mulAffine(a, b *mgl32.Mat4) mgl32.Mat4 {
	a0, a1, a2, a4, a5, a6, a8, a9, a10 := a[0], a[1], a[2], a[4], a[5], a[6], a[8], a[9], a[10]
	return mgl32.Mat4{
		a0*b[0] + a4*b[1] + a8*b[2], a1*b[0] + a5*b[1] + a9*b[2], a2*b[0] + a6*b[1] + a10*b[2], 0,
		a0*b[4] + a4*b[5] + a8*b[6], a1*b[4] + a5*b[5] + a9*b[6], a2*b[4] + a6*b[5] + a10*b[6], 0,
		a0*b[8] + a4*b[9] + a8*b[10], a1*b[8] + a5*b[9] + a9*b[10], a2*b[8] + a6*b[9] + a10*b[10], 0,
		a0*b[12] + a4*b[13] + a8*b[14] + a[12], a1*b[12] + a5*b[13] + a9*b[14] + a[13], a2*b[12] + a6*b[13] + a10*b[14] + a[14], 1,
	}
}

// transformPoint returns m·(p, 1) for an affine m.
func transformPoint(m *mgl32.Mat4, p mgl32.Vec3) mgl32.Vec3 {
	return mgl32.Vec3{
		m[0]*p[0] + m[4]*p[1] + m[8]*p[2] + m[12],
		m[1]*p[0] + m[5]*p[1] + m[9]*p[2] + m[13],
		m[2]*p[0] + m[6]*p[1] + m[10]*p[2] + m[14],
	}
}

// transformDir returns the upper 3×3 of m times d.
func transformDir(m *mgl32.Mat4, d mgl32.Vec3) mgl32.Vec3 {
	return mgl32.Vec3{
		m[0]*d[0] + m[4]*d[1] + m[8]*d[2],
		m[1]*d[0] + m[5]*d[1] + m[9]*d[2],
		m[2]*d[0] + m[6]*d[1] + m[10]*d[2],
	}
}

// decomposeTRS splits an affine matrix into translation, rotation and scale.
// ok is false when the matrix has shear or a zero scale (the result is then
// the nearest TRS, orthonormalised).
func decomposeTRS(m mgl32.Mat4) (t mgl32.Vec3, q mgl32.Quat, s mgl32.Vec3, ok bool) {
	t = mgl32.Vec3{m[12], m[13], m[14]}
	c0 := mgl32.Vec3{m[0], m[1], m[2]}
	c1 := mgl32.Vec3{m[4], m[5], m[6]}
	c2 := mgl32.Vec3{m[8], m[9], m[10]}
	s = mgl32.Vec3{c0.Len(), c1.Len(), c2.Len()}
	if s[0] < 1e-12 || s[1] < 1e-12 || s[2] < 1e-12 {
		return t, mgl32.QuatIdent(), mgl32.Vec3{1, 1, 1}, false
	}
	if c0.Cross(c1).Dot(c2) < 0 {
		s[0] = -s[0]
	}
	c0, c1, c2 = c0.Mul(1/s[0]), c1.Mul(1/s[1]), c2.Mul(1/s[2])
	ok = math.Abs(float64(c0.Dot(c1))) < 1e-3 && math.Abs(float64(c0.Dot(c2))) < 1e-3 && math.Abs(float64(c1.Dot(c2))) < 1e-3
	rot := mgl32.Mat3{c0[0], c0[1], c0[2], c1[0], c1[1], c1[2], c2[0], c2[1], c2[2]}
	q = quat.Normalize(mgl32.Mat4ToQuat(rot.Mat4()))
	return t, q, s, ok
}
