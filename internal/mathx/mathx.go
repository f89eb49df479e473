// Package mathx holds the small scalar helpers several layers share: the
// sRGB transfer function's decoding half, clamping, and ASCII case folding
// for names matched case-insensitively on the wire and in glTF. It depends
// on the standard library only, so the wire-only protocol packages may use
// it; quaternion helpers, which need mathgl, live in mathx/quat.
//
// Every function but LowerASCII is allocation-free, and all but
// SRGBToLinear (a load-time conversion) are small enough to be inlined.
package mathx

import "math"

// srgb8 maps an 8-bit sRGB-encoded value to linear light, 0–1.
var srgb8 [256]float32

func init() {
	for i := range srgb8 {
		c := float64(i) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		srgb8[i] = float32(c)
	}
}

// SRGBToLinear decodes one sRGB-encoded channel c in 0–1 to linear light
// (IEC 61966-2-1 §5.2, the glTF and VRM convention for colour factors given
// in sRGB). Values outside 0–1 follow the same formula.
func SRGBToLinear(c float32) float32 {
	if c <= 0.04045 {
		return c / 12.92
	}
	return float32(math.Pow((float64(c)+0.055)/1.055, 2.4))
}

// SRGB8ToLinear decodes an 8-bit sRGB-encoded channel to linear light, 0–1,
// by table (IEC 61966-2-1 §5.2, computed in float64).
func SRGB8ToLinear(c uint8) float32 { return srgb8[c] }

// SRGB8Table returns the table behind SRGB8ToLinear, indexed by the 8-bit
// sRGB value, for loops that hoist it. Callers must not write to it.
func SRGB8Table() *[256]float32 { return &srgb8 }

// Clamp limits x to [lo, hi]; NaN gives lo.
func Clamp(x, lo, hi float32) float32 {
	if !(x >= lo) {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

// Clamp01 limits x to [0, 1]; NaN and −0 give 0.
func Clamp01(x float32) float32 {
	if !(x > 0) {
		return 0
	}
	return min(x, 1)
}

// LowerByte lower-cases an ASCII letter and returns other bytes as they are.
func LowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// EqualFoldASCII reports whether a and b are equal when ASCII letters are
// compared without case (other bytes, UTF-8 included, must match exactly,
// unlike strings.EqualFold).
func EqualFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if LowerByte(a[i]) != LowerByte(b[i]) {
			return false
		}
	}
	return true
}

// AppendLowerASCII appends s to dst with its ASCII letters lower-cased
// (other bytes, and the length, unchanged). With a dst of enough capacity,
// such as buf[:0] of a caller's array, it does not allocate, so a map keyed
// by lower-case names can be searched case-insensitively for free.
func AppendLowerASCII[S ~string | ~[]byte](dst []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, LowerByte(s[i]))
	}
	return dst
}

// LowerASCII returns s with its ASCII letters lower-cased (other bytes, and
// the length, unchanged). It allocates a new string.
func LowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = LowerByte(c)
	}
	return string(b)
}
