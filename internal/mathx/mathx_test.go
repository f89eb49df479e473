package mathx

import (
	"math"
	"testing"
)

func TestSRGBDecode(t *testing.T) {
	for i := range 256 {
		got, want := SRGB8ToLinear(uint8(i)), SRGBToLinear(float32(i)/255)
		if d := math.Abs(float64(got - want)); d > 1e-6 {
			t.Errorf("SRGB8ToLinear(%d) = %v, SRGBToLinear = %v", i, got, want)
		}
	}
	// IEC 61966-2-1: the linear segment below 0.04045, and the curve's ends.
	for _, c := range []struct{ in, want float32 }{{0, 0}, {0.04045, 0.04045 / 12.92}, {0.5, 0.21404114}, {1, 1}} {
		if got := SRGBToLinear(c.in); math.Abs(float64(got-c.want)) > 1e-6 {
			t.Errorf("SRGBToLinear(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if SRGB8Table()[128] != SRGB8ToLinear(128) {
		t.Error("SRGB8Table differs from SRGB8ToLinear")
	}
}

func TestClamp(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct{ x, lo, hi, want float32 }{
		{-1, 0, 2, 0}, {3, 0, 2, 2}, {1.5, 0, 2, 1.5}, {nan, -1, 1, -1},
		{float32(math.Inf(1)), 0, 2, 2}, {float32(math.Inf(-1)), 0, 2, 0},
	} {
		if got := Clamp(c.x, c.lo, c.hi); got != c.want {
			t.Errorf("Clamp(%v, %v, %v) = %v, want %v", c.x, c.lo, c.hi, got, c.want)
		}
	}
	negZero := float32(math.Copysign(0, -1))
	for _, c := range []struct{ x, want float32 }{{-0.5, 0}, {0.25, 0.25}, {7, 1}, {nan, 0}, {negZero, 0}} {
		if got := Clamp01(c.x); got != c.want || math.Signbit(float64(got)) {
			t.Errorf("Clamp01(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

func TestASCIIFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"LeftUpperArm", "leftupperarm", true}, {"Joy", "joY", true}, {"Joy", "Joy ", false},
		{"Ä", "ä", false}, {"@[", "`{", false}, {"", "", true},
	} {
		if got := EqualFoldASCII(c.a, c.b); got != c.want {
			t.Errorf("EqualFoldASCII(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if got := LowerASCII("HeadÄZ@["); got != "headÄz@[" {
		t.Errorf("LowerASCII = %q", got)
	}
	var buf [16]byte
	if got := string(AppendLowerASCII(buf[:0], []byte("BlinkLeft"))); got != "blinkleft" {
		t.Errorf("AppendLowerASCII = %q", got)
	}
	m := map[string]int{"eyeblinkleft": 1}
	allocs := testing.AllocsPerRun(100, func() {
		var buf [32]byte
		if m[string(AppendLowerASCII(buf[:0], "EyeBlinkLeft"))] != 1 {
			t.Fatal("lookup failed")
		}
	})
	if allocs != 0 {
		t.Errorf("case-insensitive lookup allocates %v times", allocs)
	}
}
