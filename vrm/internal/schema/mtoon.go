package schema

import (
	"math"

	"github.com/kugutsu/kugutsu/internal/mathx"
)

// MigrateShading converts VRM 0.x _ShadeToony/_ShadeShift to VRM 1.0
// shadingToonyFactor/shadingShiftFactor (UniVRM MToon10Migrator): the 0.x
// lit range is [shift, lerp(1, shift, toony)]; 1.0 toony is its margin and
// 1.0 shift its negated centre.
func MigrateShading(toony0, shift0 float32) (toony1, shift1 float32) {
	lo := shift0
	hi := 1 + (shift0-1)*toony0
	toony1 = mathx.Clamp((2-(hi-lo))*0.5, 0, 1)
	shift1 = mathx.Clamp(-(hi+lo)*0.5, -1, 1)
	return toony1, shift1
}

// UnmigrateShading is MigrateShading's inverse, exact when MigrateShading
// did not clamp: from the 1.0 margin and centre back to 0.x's lit range.
func UnmigrateShading(toony1, shift1 float32) (toony0, shift0 float32) {
	d := 2 * (1 - toony1) // hi − lo
	c := -2 * shift1      // hi + lo
	lo, hi := (c-d)/2, (c+d)/2
	shift0 = lo
	if math.Abs(float64(shift0-1)) > 1e-6 {
		toony0 = mathx.Clamp((hi-1)/(shift0-1), 0, 1)
	} else {
		toony0 = 0.9
	}
	return toony0, shift0
}
