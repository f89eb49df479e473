// Package quat holds the quaternion helpers several layers share, over
// mathgl's mgl32.Quat (W scalar, V vector part). It is apart from mathx so
// that packages without mathgl (the protocols) can use mathx.
package quat

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"
)

// Slerp interpolates between unit quaternions a (t ≤ 0) and b (t ≥ 1, or
// a == b) with mgl32.QuatSlerp, which takes the short way round and blends
// linearly (then normalises) when the two are within acos(0.9995).
func Slerp(a, b mgl32.Quat, t float32) mgl32.Quat {
	if t >= 1 || a == b {
		return b
	}
	if t <= 0 {
		return a
	}
	return mgl32.QuatSlerp(a, b, t)
}

// Normalize returns q scaled to unit length, q itself when it is within
// 1e-6 of unit length already, or the identity when q is zero (squared
// length ≤ 1e-12) or not finite: bad input (a hostile VMC packet, a broken
// glTF rotation) never makes a NaN pose.
func Normalize(q mgl32.Quat) mgl32.Quat {
	l := q.W*q.W + q.V.Dot(q.V)
	if !(l > 1e-12) || math.IsInf(float64(l), 0) {
		return mgl32.QuatIdent()
	}
	if math.Abs(float64(l)-1) < 1e-6 {
		return q
	}
	inv := float32(1 / math.Sqrt(float64(l)))
	return mgl32.Quat{W: q.W * inv, V: q.V.Mul(inv)}
}
