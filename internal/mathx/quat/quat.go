// Package quat holds the quaternion helpers several layers share, over
// mathgl's mgl32.Quat (W scalar, V vector part). It is apart from mathx so
// that packages without mathgl (the protocols) can use mathx.
package quat

import "github.com/go-gl/mathgl/mgl32"

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
