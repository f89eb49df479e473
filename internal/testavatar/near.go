package testavatar

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"
)

// The comparisons live here, not in internal/testutil, because
// protocol/ifacialmocap/ifmtest links testutil and the protocol packages
// must not pull in mathgl (protocol/vmc/vmctest's TestLayering).

// QuatNear reports whether a and b are the same rotation within eps:
// ||a·b| - 1| < eps, so q and -q count as equal.
func QuatNear(a, b mgl32.Quat, eps float32) bool {
	return math.Abs(math.Abs(float64(a.Dot(b)))-1) < float64(eps)
}

// VecNear reports whether a and b are at most tol apart (Euclidean).
func VecNear(a, b mgl32.Vec3, tol float32) bool { return a.Sub(b).Len() <= tol }
