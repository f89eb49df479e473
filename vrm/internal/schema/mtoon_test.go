package schema

import (
	"math"
	"testing"
)

// TestMigrateShading: MigrateShading matches UniVRM MToon10Migrator and
// UnmigrateShading undoes it.
func TestMigrateShading(t *testing.T) {
	// UniVRM MToon10Migrator's own test values.
	for _, c := range []struct{ toony0, shift0, toony1, shift1 float32 }{
		{0.9, 0, 0.95, -0.05}, {0, 0, 0.5, -0.5}, {0, -1, 0, 0}, {0.7, -0.4, 0.79, 0.19},
	} {
		toony, shift := MigrateShading(c.toony0, c.shift0)
		if math.Abs(float64(toony-c.toony1)) > 1e-3 || math.Abs(float64(shift-c.shift1)) > 1e-3 {
			t.Errorf("migrate(%v, %v) = %v, %v; want %v, %v", c.toony0, c.shift0, toony, shift, c.toony1, c.shift1)
		}
		t0, s0 := UnmigrateShading(toony, shift)
		if math.Abs(float64(s0-c.shift0)) > 1e-5 || (c.shift0 != 1 && math.Abs(float64(t0-c.toony0)) > 1e-5) {
			t.Errorf("unmigrate(%v, %v) = %v, %v; want %v, %v", toony, shift, t0, s0, c.toony0, c.shift0)
		}
	}
}
