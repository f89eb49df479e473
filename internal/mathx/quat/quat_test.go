package quat

import (
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"
)

func TestSlerp(t *testing.T) {
	a := mgl32.QuatIdent()
	b := mgl32.QuatRotate(math.Pi/2, mgl32.Vec3{0, 1, 0})
	if got := Slerp(a, b, -1); got != a {
		t.Errorf("t < 0: %v, want a", got)
	}
	if got := Slerp(a, b, 2); got != b {
		t.Errorf("t > 1: %v, want b", got)
	}
	if got := Slerp(b, b, 0.5); got != b {
		t.Errorf("a == b: %v, want b exactly", got)
	}
	want := mgl32.QuatRotate(math.Pi/4, mgl32.Vec3{0, 1, 0})
	if got := Slerp(a, b, 0.5); !got.ApproxEqualThreshold(want, 1e-6) {
		t.Errorf("halfway: %v, want %v", got, want)
	}
	// The short way round: −b is the same rotation as b.
	nb := mgl32.Quat{W: -b.W, V: b.V.Mul(-1)}
	if got := Slerp(a, nb, 0.5); !got.ApproxEqualThreshold(want, 1e-6) && !got.ApproxEqualThreshold(mgl32.Quat{W: -want.W, V: want.V.Mul(-1)}, 1e-6) {
		t.Errorf("halfway to −b: %v, want ±%v", got, want)
	}
}

func TestNormalize(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, tc := range []struct {
		name string
		q    mgl32.Quat
		want mgl32.Quat
	}{
		{"unit", mgl32.Quat{W: 0.6, V: mgl32.Vec3{0.8, 0, 0}}, mgl32.Quat{W: 0.6, V: mgl32.Vec3{0.8, 0, 0}}},
		{"scaled", mgl32.Quat{W: 0, V: mgl32.Vec3{0, 3, 4}}, mgl32.Quat{W: 0, V: mgl32.Vec3{0, 0.6, 0.8}}},
		{"zero", mgl32.Quat{}, mgl32.QuatIdent()},
		{"tiny", mgl32.Quat{W: 1e-7}, mgl32.QuatIdent()},
		{"infinite", mgl32.Quat{W: inf}, mgl32.QuatIdent()},
		{"NaN", mgl32.Quat{W: 1, V: mgl32.Vec3{nan, 0, 0}}, mgl32.QuatIdent()},
	} {
		if got := Normalize(tc.q); !got.ApproxEqualThreshold(tc.want, 1e-6) {
			t.Errorf("%s: Normalize(%v) = %v, want %v", tc.name, tc.q, got, tc.want)
		}
	}
}
