package ifacialmocap

import (
	"bytes"
	"math"
	"strconv"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

// Parse parses one frame (a UDP datagram, or a TCP frame without its
// "___iFacialMocap" terminator) into f, which it resets first. It accepts the
// v1 ('-') and v2 ('&') formats, even mixed; keys in any order; unknown keys
// (such as "hapihapi") are skipped without looking at their values; ASCII
// spaces around names and numbers and trailing whitespace after the last '|'
// are tolerated. Grammar: package comment, field notes §6.
//
// A malformed frame returns one of the sentinel errors ([ErrEmpty],
// [ErrNoEquals], [ErrManyEquals], [ErrUnterminated], [ErrEmptyField],
// [ErrNoSeparator], [ErrEmptyName], [ErrBadNumber], [ErrVectorLength]); f's
// contents are then unspecified, so parse into scratch space when the last
// good frame matters. Parse never panics, never retains b and never
// allocates for well-formed input (numbers of more than 19 significant digits
// or exponents beyond ±22 take strconv's slower path).
func Parse(b []byte, f *Frame) error {
	*f = Frame{TrackingOK: true}
	b = trimRightSpace(b)
	if len(b) == 0 {
		return ErrEmpty
	}
	eq := bytes.IndexByte(b, '=')
	if eq < 0 {
		return ErrNoEquals
	}
	if bytes.IndexByte(b[eq+1:], '=') >= 0 {
		return ErrManyEquals
	}
	shapes, pose := b[:eq], b[eq+1:]
	if len(shapes) == 0 && len(pose) == 0 {
		return ErrEmpty
	}
	// Every field ends with '|'; a frame cut short (a truncated datagram, a
	// broken TCP frame) loses it, and its last number may be cut too.
	if (len(shapes) > 0 && shapes[len(shapes)-1] != '|') || (len(pose) > 0 && pose[len(pose)-1] != '|') {
		return ErrUnterminated
	}
	if err := parseFields(shapes, f); err != nil {
		return err
	}
	return parseFields(pose, f)
}

// ParseString is [Parse] for a string (it copies s, so it allocates; use
// Parse on the receive buffer in hot paths).
func ParseString(s string, f *Frame) error { return Parse([]byte(s), f) }

// parseFields parses a run of '|'-terminated fields.
func parseFields(b []byte, f *Frame) error {
	for len(b) > 0 {
		end := bytes.IndexByte(b, '|') // the caller checked that b ends with '|'
		if err := parseField(b[:end], f); err != nil {
			return err
		}
		b = b[end+1:]
	}
	return nil
}

// parseField parses "name-value", "name&value" or "name#v,v,v[,v,v,v]".
// Names never contain '-', '&' or '#', and a vector's values come after the
// '#', so the first of those three bytes is the separator.
func parseField(field []byte, f *Frame) error {
	field = trimSpace(field)
	if len(field) == 0 {
		return ErrEmptyField
	}
	sep := -1
	for i, c := range field {
		if c == '-' || c == '&' || c == '#' {
			sep = i
			break
		}
	}
	if sep < 0 {
		return ErrNoSeparator
	}
	name, value := trimSpace(field[:sep]), field[sep+1:]
	if len(name) == 0 {
		return ErrEmptyName
	}
	if field[sep] == '#' {
		return parseVectorField(name, value, f)
	}
	if field[sep] == '&' {
		f.Format = FormatV2
	} else {
		f.Format = FormatV1
	}
	if s, ok := lookupShape(name); ok {
		v, ok := parseNumber(value)
		if !ok {
			return ErrBadNumber
		}
		f.Blendshapes[s] = mathx.Clamp01(v / 100)
		f.Shapes |= 1 << s
		return nil
	}
	if string(name) == "trackingStatus" {
		v, ok := parseNumber(value)
		if !ok {
			return ErrBadNumber
		}
		f.TrackingOK = v != 0
		f.Present |= PresentTrackingStatus
	}
	return nil // unknown key ("hapihapi"…): ignored
}

// parseVectorField parses the values of head#, rightEye# and leftEye#.
func parseVectorField(name, value []byte, f *Frame) error {
	var want Present
	switch string(name) {
	case "head":
		want = PresentHeadRotation
	case "rightEye":
		want = PresentRightEye
	case "leftEye":
		want = PresentLeftEye
	default:
		return nil // unknown key: ignored
	}
	var v [6]float32
	n := 0
	for {
		comma := bytes.IndexByte(value, ',')
		num := value
		if comma >= 0 {
			num = value[:comma]
		}
		if n == len(v) {
			return ErrVectorLength
		}
		x, ok := parseNumber(num)
		if !ok {
			return ErrBadNumber
		}
		v[n] = x
		n++
		if comma < 0 {
			break
		}
		value = value[comma+1:]
	}
	switch want {
	case PresentHeadRotation:
		if n != 3 && n != 6 {
			return ErrVectorLength
		}
		f.HeadRotation = [3]float32{v[0], v[1], v[2]}
		f.Present |= PresentHeadRotation
		if n == 6 {
			f.HeadPosition = [3]float32{v[3], v[4], v[5]}
			f.Present |= PresentHeadPosition
		}
	case PresentRightEye, PresentLeftEye:
		if n != 3 {
			return ErrVectorLength
		}
		if want == PresentRightEye {
			f.RightEye = [3]float32{v[0], v[1], v[2]}
		} else {
			f.LeftEye = [3]float32{v[0], v[1], v[2]}
		}
		f.Present |= want
	}
	return nil
}

// shapeByName maps the iFacialMocap spellings ("eyeBlink_L") and the ARKit
// camelCase names ("eyeBlinkLeft") to shapes, exactly as spelled; other
// spellings and cases fall back to arkit.Parse through a lower-case copy.
var shapeByName = func() map[string]arkit.Shape {
	m := make(map[string]arkit.Shape, 2*arkit.Count)
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		m[s.IFacialMocapName()] = s
		m[s.String()] = s
	}
	return m
}()

// lookupShape finds the blendshape a wire name stands for, without allocating.
func lookupShape(name []byte) (arkit.Shape, bool) {
	if s, ok := shapeByName[string(name)]; ok {
		return s, true
	}
	const maxLen = 32
	if len(name) > maxLen {
		return 0, false
	}
	var buf [maxLen]byte
	s, ok := lowerShapeByName[string(mathx.AppendLowerASCII(buf[:0], name))]
	return s, ok
}

var lowerShapeByName = func() map[string]arkit.Shape {
	m := make(map[string]arkit.Shape, 2*arkit.Count)
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		for _, n := range []string{s.IFacialMocapName(), s.String()} {
			m[string(bytes.ToLower([]byte(n)))] = s
		}
	}
	return m
}()

// maxNumberLen bounds a number's length: iFacialMocap prints float32s
// ("-0.4721467"); anything far longer is garbage.
const maxNumberLen = 64

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber parses a decimal number: [+|-]digits[.digits][(e|E)[+|-]digits]
// (digits on at least one side of the point), with optional spaces around it.
// It rounds to float64 and then to float32, and rejects values a float32
// cannot hold. No "inf", "nan", hex or underscores.
func parseNumber(b []byte) (float32, bool) {
	b = trimSpace(b)
	if len(b) == 0 || len(b) > maxNumberLen {
		return 0, false
	}
	i := 0
	neg := false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i++
	}
	var mant uint64
	digits, exp := 0, 0 // significant digits kept in mant; decimal exponent
	exact := true
	sawDigit := false
	for ; i < len(b) && isDigit(b[i]); i++ {
		sawDigit = true
		if digits < 19 {
			mant = mant*10 + uint64(b[i]-'0')
			if mant != 0 {
				digits++
			}
		} else {
			exp++
			exact = exact && b[i] == '0'
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && isDigit(b[i]); i++ {
			sawDigit = true
			if digits < 19 {
				mant = mant*10 + uint64(b[i]-'0')
				if mant != 0 {
					digits++
				}
				exp--
			} else {
				exact = exact && b[i] == '0'
			}
		}
	}
	if !sawDigit {
		return 0, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		if i == len(b) {
			return 0, false
		}
		e := 0
		for ; i < len(b) && isDigit(b[i]); i++ {
			if e < 10000 {
				e = e*10 + int(b[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != len(b) {
		return 0, false
	}
	var v float64
	switch {
	case mant == 0:
		v = 0
	case exact && mant < 1<<53 && exp >= -22 && exp <= 22:
		// Clinger's fast path: both operands are exact, so one IEEE operation
		// rounds correctly.
		v = float64(mant)
		if exp < 0 {
			v /= pow10[-exp]
		} else {
			v *= pow10[exp]
		}
	default:
		var err error
		v, err = strconv.ParseFloat(string(b[boolInt(b[0] == '+' || b[0] == '-'):]), 64)
		if err != nil {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	r := float32(v)
	if math.IsInf(float64(r), 0) || math.IsNaN(float64(r)) {
		return 0, false
	}
	return r, true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// trimRightSpace drops trailing ASCII whitespace (a newline some tools add).
func trimRightSpace(b []byte) []byte {
	for len(b) > 0 {
		switch b[len(b)-1] {
		case ' ', '\t', '\r', '\n':
			b = b[:len(b)-1]
			continue
		}
		break
	}
	return b
}
