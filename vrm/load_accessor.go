package vrm

import (
	"context"
	"unsafe"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// loader holds the state of one Load call.
type loader struct {
	ctx      context.Context
	doc      *gltf.Document
	limits   Limits
	decoded  int64 // bytes charged against Limits.MaxDecodedBytes
	warnings []string
	av       *Model
	vrm0     bool
	thumb    int // VRM 1.0 thumbnail image, -1 for none
	images   *imageJobs
	// exprNames holds the expressions' names (foldName); morphBinds counts
	// their morph binds.
	exprNames  map[string]bool
	morphBinds int
	byMesh     map[int][]int // see meshNodes
}

func (l *loader) warnf(format string, args ...any) {
	if len(l.warnings) < 1000 {
		l.warnings = append(l.warnings, sprintf(format, args...))
	}
}

// charge accounts n bytes of decoded data against the limit.
func (l *loader) charge(element string, n int64) error {
	return l.chargeFor(func() string { return element }, n)
}

// chargeFor is charge naming the element by el, called only when the
// limit is exceeded.
func (l *loader) chargeFor(el func() string, n int64) error {
	if n < 0 || l.decoded+n > l.limits.MaxDecodedBytes {
		return limitf(el(), "needs %d more bytes of decoded data, over the %d-byte limit", n, l.limits.MaxDecodedBytes)
	}
	l.decoded += n
	return nil
}

// bufferViewBytes returns buffer view i's bytes, checked against its buffer.
func (l *loader) bufferViewBytes(i int) (*gltf.BufferView, []byte, error) {
	el := func() string { return "buffer view " + itoa(i) }
	if i < 0 || i >= len(l.doc.BufferViews) || l.doc.BufferViews[i] == nil {
		return nil, nil, errorf(el(), "does not exist (%d buffer views)", len(l.doc.BufferViews))
	}
	bv := l.doc.BufferViews[i]
	if bv.Buffer < 0 || bv.Buffer >= len(l.doc.Buffers) {
		return nil, nil, errorf(el(), "buffer %d does not exist", bv.Buffer)
	}
	data := l.doc.Buffers[bv.Buffer].Data
	if bv.ByteOffset < 0 || bv.ByteLength < 0 || bv.ByteOffset > len(data) || bv.ByteLength > len(data)-bv.ByteOffset {
		return nil, nil, errorf(el(), "bytes %d+%d exceed buffer %d (%d bytes)", bv.ByteOffset, bv.ByteLength, bv.Buffer, len(data))
	}
	return bv, data[bv.ByteOffset : bv.ByteOffset+bv.ByteLength], nil
}

// checkRange checks that count elements of elemSize bytes, stride apart,
// starting at offset, fit in a buffer view of n bytes.
func checkRange(el func() string, bvIndex, offset, count, elemSize, stride, n int) error {
	if offset < 0 {
		return errorf(el(), "negative byteOffset %d", offset)
	}
	if stride == 0 {
		stride = elemSize
	}
	if stride < elemSize {
		return errorf(el(), "byteStride %d of buffer view %d is smaller than its %d-byte elements", stride, bvIndex, elemSize)
	}
	// offset + stride*(count-1) + elemSize <= n, without overflow.
	if count <= 0 || offset > n || elemSize > n-offset || (count-1) > (n-offset-elemSize)/stride {
		return errorf(el(), "count %d exceeds buffer view %d (%d bytes)", count, bvIndex, n)
	}
	return nil
}

// accessor validates accessor i for use as the given types and charges its
// decoded size (outSize bytes per element) before anything is read.
func (l *loader) accessor(i int, outSize int, types []gltf.AccessorType, comps []gltf.ComponentType) (*gltf.Accessor, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	el := func() string { return "accessor " + itoa(i) }
	if i < 0 || i >= len(l.doc.Accessors) || l.doc.Accessors[i] == nil {
		return nil, errorf(el(), "does not exist (%d accessors)", len(l.doc.Accessors))
	}
	a := l.doc.Accessors[i]
	if !contains(types, a.Type) {
		return nil, errorf(el(), "type %v not allowed here", a.Type)
	}
	if !contains(comps, a.ComponentType) {
		return nil, errorf(el(), "component type %v not allowed here", a.ComponentType)
	}
	if a.Count <= 0 {
		return nil, errorf(el(), "count %d", a.Count)
	}
	elem := gltf.SizeOfElement(a.ComponentType, a.Type)
	if a.BufferView != nil {
		bv, b, err := l.bufferViewBytes(*a.BufferView)
		if err != nil {
			return nil, err
		}
		if err := checkRange(el, *a.BufferView, a.ByteOffset, a.Count, elem, bv.ByteStride, len(b)); err != nil {
			return nil, err
		}
		if bv.ByteStride != 0 && (bv.ByteStride < 4 || bv.ByteStride > 252 || bv.ByteStride%4 != 0) {
			return nil, errorf(el(), "buffer view %d byteStride %d not allowed", *a.BufferView, bv.ByteStride)
		}
	}
	if s := a.Sparse; s != nil {
		if s.Count <= 0 || s.Count > a.Count {
			return nil, errorf(el(), "sparse count %d not in 1…%d", s.Count, a.Count)
		}
		_, ib, err := l.bufferViewBytes(s.Indices.BufferView)
		if err != nil {
			return nil, err
		}
		isz := s.Indices.ComponentType.ByteSize()
		switch s.Indices.ComponentType {
		case gltf.ComponentUbyte, gltf.ComponentUshort, gltf.ComponentUint:
		default:
			return nil, errorf(el(), "sparse indices component type %v", s.Indices.ComponentType)
		}
		if err := checkRange(func() string { return el() + " sparse indices" }, s.Indices.BufferView, s.Indices.ByteOffset, s.Count, isz, 0, len(ib)); err != nil {
			return nil, err
		}
		_, vb, err := l.bufferViewBytes(s.Values.BufferView)
		if err != nil {
			return nil, err
		}
		if err := checkRange(func() string { return el() + " sparse values" }, s.Values.BufferView, s.Values.ByteOffset, s.Count, elem, 0, len(vb)); err != nil {
			return nil, err
		}
		if err := l.chargeFor(el, int64(s.Count)*int64(elem+4)); err != nil {
			return nil, err
		}
	}
	// The raw copy modeler makes plus our converted output.
	if err := l.chargeFor(el, int64(a.Count)*int64(elem+outSize)); err != nil {
		return nil, err
	}
	return a, nil
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

var (
	floatOnly  = []gltf.ComponentType{gltf.ComponentFloat}
	scalarOnly = []gltf.AccessorType{gltf.AccessorScalar}
	vec2Only   = []gltf.AccessorType{gltf.AccessorVec2}
	vec3Only   = []gltf.AccessorType{gltf.AccessorVec3}
	vec4Only   = []gltf.AccessorType{gltf.AccessorVec4}
	vec34      = []gltf.AccessorType{gltf.AccessorVec3, gltf.AccessorVec4}
	mat4Only   = []gltf.AccessorType{gltf.AccessorMat4}
	indexComps = []gltf.ComponentType{gltf.ComponentUbyte, gltf.ComponentUshort, gltf.ComponentUint}
	normComps  = []gltf.ComponentType{gltf.ComponentUbyte, gltf.ComponentUshort, gltf.ComponentFloat}
	jointComps = []gltf.ComponentType{gltf.ComponentUbyte, gltf.ComponentUshort}
)

func wrapAccessor(i int, err error) error {
	if _, ok := err.(*FormatError); ok {
		return err
	}
	return &FormatError{Element: "accessor " + itoa(i), Msg: err.Error()}
}

// vertexAttr names a vertex attribute whose accessor may be quantized.
type vertexAttr uint8

const (
	attrPosition      vertexAttr = iota // POSITION
	attrNormal                          // NORMAL
	attrTexcoord                        // TEXCOORD_n
	attrMorphPosition                   // a morph target's POSITION
	attrMorphNormal                     // a morph target's NORMAL
)

func (a vertexAttr) String() string {
	return [...]string{"POSITION", "NORMAL", "TEXCOORD", "morph target POSITION", "morph target NORMAL"}[a]
}

// readTangent reads a TANGENT accessor (float VEC4, glTF 2.0 §3.7.2.1).
func (l *loader) readTangent(i int) ([]mgl32.Vec4, error) {
	a, err := l.accessor(i, 16, vec4Only, floatOnly)
	if err != nil {
		return nil, err
	}
	v, err := modeler.ReadTangent(l.doc, a, nil)
	if err != nil {
		return nil, wrapAccessor(i, err)
	}
	out := make([]mgl32.Vec4, len(v))
	for k, t := range v {
		out[k] = mgl32.Vec4(t)
	}
	return out, nil
}

// attrComps are the component types any vertex attribute may have;
// attrAllowed then checks the combination.
var attrComps = []gltf.ComponentType{gltf.ComponentByte, gltf.ComponentUbyte, gltf.ComponentShort, gltf.ComponentUshort, gltf.ComponentFloat}

// attrAllowed reports whether attribute a may be stored with component
// type c (normalized or not): float always; the integer forms glTF 2.0
// §3.7.2.1 allows (TEXCOORD as normalized unsigned byte or short) and those
// KHR_mesh_quantization adds (its "Extending Mesh Attributes" and "Extending
// Morph Target Attributes" tables). Like three.js, we accept them whether
// or not the file lists the extension.
func attrAllowed(a vertexAttr, c gltf.ComponentType, normalized bool) bool {
	if c == gltf.ComponentFloat {
		return !normalized
	}
	switch a {
	case attrPosition, attrTexcoord:
		return true // byte, ubyte, short, ushort; normalized or not
	case attrNormal, attrMorphNormal:
		return normalized && (c == gltf.ComponentByte || c == gltf.ComponentShort)
	case attrMorphPosition:
		return c == gltf.ComponentByte || c == gltf.ComponentShort
	}
	return false
}

// dequantize converts integer components to float32: normalized ones as
// glTF 2.0 §3.11 says (c/127 clamped to -1 for signed bytes, c/255,
// c/32767 clamped to -1, c/65535), the others by value.
func dequantize[T int8 | uint8 | int16 | uint16](src []T, dst []float32, normalized bool) {
	if !normalized {
		for k, v := range src {
			dst[k] = float32(v)
		}
		return
	}
	var d float32
	switch any(src).(type) {
	case []int8:
		d = 127
	case []uint8:
		d = 255
	case []int16:
		d = 32767
	case []uint16:
		d = 65535
	}
	for k, v := range src {
		dst[k] = max(float32(v)/d, -1)
	}
}

// flat3 and flat2 view the elements of a [][n]T as one []T.
func flat3[T any](v [][3]T) []T {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice(&v[0][0], 3*len(v))
}

func flat2[T any](v [][2]T) []T {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice(&v[0][0], 2*len(v))
}

// readFloats reads accessor i, of type typ, for attribute a: float or
// quantized integers (attrAllowed), sparse or not, into n×components
// float32 values.
func (l *loader) readFloats(i int, a vertexAttr, typ []gltf.AccessorType, outSize int) ([]float32, error) {
	acc, err := l.accessor(i, outSize, typ, attrComps)
	if err != nil {
		return nil, err
	}
	if !attrAllowed(a, acc.ComponentType, acc.Normalized) {
		norm := ""
		if acc.Normalized {
			norm = "normalized "
		}
		return nil, errorf("accessor "+itoa(i), "%s%v components not allowed for %v (glTF 2.0 §3.7.2.1, KHR_mesh_quantization)", norm, acc.ComponentType, a)
	}
	data, err := modeler.ReadAccessor(l.doc, acc, nil)
	if err != nil {
		return nil, wrapAccessor(i, err)
	}
	switch d := data.(type) {
	case [][3]float32:
		return flat3(d), nil
	case [][2]float32:
		return flat2(d), nil
	}
	out := make([]float32, acc.Count*acc.Type.Components())
	switch d := data.(type) {
	case [][3]int8:
		dequantize(flat3(d), out, acc.Normalized)
	case [][2]int8:
		dequantize(flat2(d), out, acc.Normalized)
	case [][3]uint8:
		dequantize(flat3(d), out, acc.Normalized)
	case [][2]uint8:
		dequantize(flat2(d), out, acc.Normalized)
	case [][3]int16:
		dequantize(flat3(d), out, acc.Normalized)
	case [][2]int16:
		dequantize(flat2(d), out, acc.Normalized)
	case [][3]uint16:
		dequantize(flat3(d), out, acc.Normalized)
	case [][2]uint16:
		dequantize(flat2(d), out, acc.Normalized)
	default:
		return nil, errorf("accessor "+itoa(i), "unexpected data %T", data)
	}
	return out, nil
}

// readVec3 reads a VEC3 vertex attribute (positions, normals, morph
// deltas), float or quantized (attrAllowed).
func (l *loader) readVec3(i int, a vertexAttr) ([]mgl32.Vec3, error) {
	f, err := l.readFloats(i, a, vec3Only, 12)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*mgl32.Vec3)(unsafe.Pointer(unsafe.SliceData(f))), len(f)/3), nil
}

// readVec2 reads a TEXCOORD accessor, float or quantized (attrAllowed).
func (l *loader) readVec2(i int) ([]mgl32.Vec2, error) {
	f, err := l.readFloats(i, attrTexcoord, vec2Only, 8)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*mgl32.Vec2)(unsafe.Pointer(unsafe.SliceData(f))), len(f)/2), nil
}

// readColor reads COLOR_0 as linear RGBA floats.
func (l *loader) readColor(i int) ([]mgl32.Vec4, error) {
	a, err := l.accessor(i, 16+8, vec34, normComps)
	if err != nil {
		return nil, err
	}
	v, err := modeler.ReadColor64(l.doc, a, nil)
	if err != nil {
		return nil, wrapAccessor(i, err)
	}
	out := make([]mgl32.Vec4, len(v))
	for k, c := range v {
		out[k] = mgl32.Vec4{float32(c[0]) / 65535, float32(c[1]) / 65535, float32(c[2]) / 65535, float32(c[3]) / 65535}
	}
	return out, nil
}

// readWeights reads WEIGHTS_0.
func (l *loader) readWeights(i int) ([][4]float32, error) {
	a, err := l.accessor(i, 16, vec4Only, normComps)
	if err != nil {
		return nil, err
	}
	v, err := modeler.ReadWeights(l.doc, a, nil)
	if err != nil {
		return nil, wrapAccessor(i, err)
	}
	return v, nil
}

// readJoints reads JOINTS_0.
func (l *loader) readJoints(i int) ([][4]uint16, error) {
	a, err := l.accessor(i, 8, vec4Only, jointComps)
	if err != nil {
		return nil, err
	}
	v, err := modeler.ReadJoints(l.doc, a, nil)
	if err != nil {
		return nil, wrapAccessor(i, err)
	}
	return v, nil
}

// readIndices reads a SCALAR index accessor.
func (l *loader) readIndices(i int) ([]uint32, error) {
	a, err := l.accessor(i, 4, scalarOnly, indexComps)
	if err != nil {
		return nil, err
	}
	v, err := modeler.ReadIndices(l.doc, a, nil)
	if err != nil {
		return nil, wrapAccessor(i, err)
	}
	return v, nil
}

// readMat4 reads a float MAT4 accessor (inverse bind matrices).
func (l *loader) readMat4(i int) ([]mgl32.Mat4, error) {
	a, err := l.accessor(i, 64, mat4Only, floatOnly)
	if err != nil {
		return nil, err
	}
	v, err := modeler.ReadInverseBindMatrices(l.doc, a, nil)
	if err != nil {
		return nil, wrapAccessor(i, err)
	}
	out := make([]mgl32.Mat4, len(v))
	for k, m := range v {
		// modeler returns [row][column]; mgl32 is column-major.
		for c := 0; c < 4; c++ {
			for r := 0; r < 4; r++ {
				out[k][c*4+r] = m[r][c]
			}
		}
	}
	return out, nil
}
