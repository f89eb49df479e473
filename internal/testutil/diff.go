package testutil

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"reflect"
)

// DiffValues compares two values deeply, floats within tol (absolute, or
// relative for large magnitudes), and returns up to 20 differences as
// "path: a != b" lines; *image.NRGBA values compare by pixels. It is the
// round-trip comparison of vrm models (vrm.Load(vrmenc.Encode(m)) against
// m), so it skips unexported fields and the fields named Warnings (the
// loader's notes) and MIMEType (every texture is written as PNG).
func DiffValues(a, b any, tol float64) []string {
	var out []string
	var walk func(path string, x, y reflect.Value)
	walk = func(path string, x, y reflect.Value) {
		if len(out) >= 20 {
			return
		}
		if x.Kind() != y.Kind() {
			out = append(out, fmt.Sprintf("%s: kind %v != %v", path, x.Kind(), y.Kind()))
			return
		}
		switch x.Kind() {
		case reflect.Float32, reflect.Float64:
			fx, fy := x.Float(), y.Float()
			d := math.Abs(fx - fy)
			if d > tol && d > tol*math.Max(math.Abs(fx), math.Abs(fy)) || math.IsNaN(fx) != math.IsNaN(fy) {
				out = append(out, fmt.Sprintf("%s: %v != %v", path, fx, fy))
			}
		case reflect.Struct:
			t := x.Type()
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if !f.IsExported() || f.Name == "Warnings" || f.Name == "MIMEType" {
					continue
				}
				walk(path+"."+f.Name, x.Field(i), y.Field(i))
			}
		case reflect.Slice, reflect.Array:
			if x.Kind() == reflect.Slice && (x.IsNil() != y.IsNil()) && (x.Len() != 0 || y.Len() != 0) {
				out = append(out, fmt.Sprintf("%s: nil %v != nil %v", path, x.IsNil(), y.IsNil()))
				return
			}
			if x.Len() != y.Len() {
				out = append(out, fmt.Sprintf("%s: len %d != %d", path, x.Len(), y.Len()))
				return
			}
			if x.Type().Elem().Kind() == reflect.Uint8 {
				if !bytes.Equal(x.Bytes(), y.Bytes()) {
					out = append(out, path+": bytes differ")
				}
				return
			}
			for i := 0; i < x.Len(); i++ {
				walk(fmt.Sprintf("%s[%d]", path, i), x.Index(i), y.Index(i))
			}
		case reflect.Map:
			if x.Len() != y.Len() {
				out = append(out, fmt.Sprintf("%s: len %d != %d", path, x.Len(), y.Len()))
				return
			}
			for _, k := range x.MapKeys() {
				walk(fmt.Sprintf("%s[%v]", path, k), x.MapIndex(k), y.MapIndex(k))
			}
		case reflect.Pointer:
			if x.IsNil() || y.IsNil() {
				if x.IsNil() != y.IsNil() {
					out = append(out, fmt.Sprintf("%s: nil %v != nil %v", path, x.IsNil(), y.IsNil()))
				}
				return
			}
			if x.Type() == reflect.TypeOf((*image.NRGBA)(nil)) {
				ix, iy := x.Interface().(*image.NRGBA), y.Interface().(*image.NRGBA)
				if ix.Rect != iy.Rect || !bytes.Equal(ix.Pix, iy.Pix) {
					out = append(out, path+": pixels differ")
				}
				return
			}
			walk(path, x.Elem(), y.Elem())
		default:
			if x.Interface() != y.Interface() {
				out = append(out, fmt.Sprintf("%s: %v != %v", path, x.Interface(), y.Interface()))
			}
		}
	}
	walk("", reflect.ValueOf(a), reflect.ValueOf(b))
	return out
}
