package vrm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

// glTF component type codes (glTF 2.0 §3.6.2.2).
const (
	glByte   = 5120
	glUbyte  = 5121
	glShort  = 5122
	glUshort = 5123
)

// quantDoc is the synthetic VRM 1.0 avatar's JSON and BIN, to which
// quantized accessors are added.
type quantDoc struct {
	doc map[string]any
	bin []byte
}

// addAccessor appends count elements of comps components (values q, type
// comp) to the BIN in a new buffer view, with a stride padded to 4 bytes,
// and returns the new accessor's index.
func (d *quantDoc) addAccessor(comp, comps int, normalized bool, q []int) int {
	size := map[int]int{glByte: 1, glUbyte: 1, glShort: 2, glUshort: 2}[comp]
	elem := size * comps
	stride := (elem + 3) / 4 * 4
	for len(d.bin)%4 != 0 {
		d.bin = append(d.bin, 0)
	}
	off := len(d.bin)
	count := len(q) / comps
	buf := make([]byte, stride*count)
	for k, v := range q {
		at := k/comps*stride + k%comps*size
		if size == 1 {
			buf[at] = byte(v)
		} else {
			binary.LittleEndian.PutUint16(buf[at:], uint16(v))
		}
	}
	d.bin = append(d.bin, buf...)
	view := map[string]any{"buffer": 0, "byteOffset": off, "byteLength": len(buf)}
	if stride != elem {
		view["byteStride"] = stride
	}
	d.doc["bufferViews"] = append(d.doc["bufferViews"].([]any), view)
	typ := map[int]string{2: "VEC2", 3: "VEC3"}[comps]
	acc := map[string]any{"bufferView": len(d.doc["bufferViews"].([]any)) - 1, "componentType": comp, "count": count, "type": typ}
	if normalized {
		acc["normalized"] = true
	}
	d.doc["accessors"] = append(d.doc["accessors"].([]any), acc)
	return len(d.doc["accessors"].([]any)) - 1
}

// glb writes the document with buffer 0 covering the grown BIN.
func (d *quantDoc) glb(t *testing.T) []byte {
	t.Helper()
	obj(d.doc, "buffers", 0).(map[string]any)["byteLength"] = len(d.bin)
	return makeGLB(t, d.doc, d.bin)
}

func newQuantDoc(t *testing.T) *quantDoc {
	doc, bin := glbParts(t, encode(t, synthAvatar(true), Version1))
	return &quantDoc{doc: doc, bin: bytes.Clone(bin)}
}

// dequant is the glTF 2.0 §3.11 conversion, written out per type.
func dequant(comp int, normalized bool, q int) float32 {
	if !normalized {
		return float32(q)
	}
	switch comp {
	case glByte:
		return float32(math.Max(float64(float32(q)/127), -1))
	case glUbyte:
		return float32(q) / 255
	case glShort:
		return float32(math.Max(float64(float32(q)/32767), -1))
	}
	return float32(q) / 65535
}

// quantValues returns n deterministic values in comp's range.
func quantValues(comp, n int) []int {
	q := make([]int, n)
	for k := range q {
		switch comp {
		case glByte:
			q[k] = (k*37)%256 - 128
		case glUbyte:
			q[k] = (k * 37) % 256
		case glShort:
			q[k] = (k*7919)%65536 - 32768
		default:
			q[k] = (k * 7919) % 65536
		}
	}
	return q
}

// TestMeshQuantization: vertex attributes and morph targets stored as the
// integer types KHR_mesh_quantization allows load as their glTF 2.0 §3.11
// float values; other combinations are refused naming the attribute.
func TestMeshQuantization(t *testing.T) {
	const n = 69 // vertices of the synthetic mesh
	prim := func(d *quantDoc) map[string]any { return obj(d.doc, "meshes", 0, "primitives", 0).(map[string]any) }
	type tc struct {
		name       string
		comp       int
		normalized bool
		set        func(d *quantDoc, acc int) // puts the accessor in place
		get        func(av *Model) []float32  // the loaded values
		comps      int
		wantErr    string
	}
	attr := func(name string) func(d *quantDoc, acc int) {
		return func(d *quantDoc, acc int) { prim(d)["attributes"].(map[string]any)[name] = acc }
	}
	target := func(ti int) func(d *quantDoc, acc int) {
		return func(d *quantDoc, acc int) { obj(prim(d), "targets", ti).(map[string]any)["POSITION"] = acc }
	}
	positions := func(av *Model) []float32 { return flat3Vec(av.Meshes[0].Primitives[0].Positions) }
	uvs := func(av *Model) []float32 {
		var out []float32
		for _, v := range av.Meshes[0].Primitives[0].UV0 {
			out = append(out, v[0], v[1])
		}
		return out
	}
	morph := func(av *Model) []float32 { return flat3Vec(av.Meshes[0].Primitives[0].Targets[1].Positions) }
	var tests []tc
	for _, comp := range []int{glByte, glUbyte, glShort, glUshort} {
		for _, norm := range []bool{false, true} {
			tests = append(tests,
				tc{name: "POSITION", comp: comp, normalized: norm, set: attr("POSITION"), get: positions, comps: 3},
				tc{name: "TEXCOORD_0", comp: comp, normalized: norm, set: attr("TEXCOORD_0"), get: uvs, comps: 2})
		}
	}
	for _, comp := range []int{glByte, glShort} {
		for _, norm := range []bool{false, true} {
			tests = append(tests, tc{name: "morph POSITION", comp: comp, normalized: norm, set: target(1), get: morph, comps: 3})
		}
	}
	tests = append(tests,
		tc{name: "NORMAL", comp: glUbyte, normalized: true, set: attr("NORMAL"), comps: 3, wantErr: "normalized UNSIGNED_BYTE components not allowed for NORMAL"},
		tc{name: "NORMAL", comp: glShort, normalized: false, set: attr("NORMAL"), comps: 3, wantErr: ": SHORT components not allowed for NORMAL"},
		tc{name: "morph POSITION", comp: glUshort, normalized: false, set: target(0), comps: 3, wantErr: "UNSIGNED_SHORT components not allowed for morph target POSITION"},
	)
	for _, tt := range tests {
		name := tt.name + " " + map[int]string{glByte: "byte", glUbyte: "ubyte", glShort: "short", glUshort: "ushort"}[tt.comp]
		if tt.normalized {
			name += " normalized"
		}
		t.Run(name, func(t *testing.T) {
			d := newQuantDoc(t)
			d.doc["extensionsUsed"] = append(d.doc["extensionsUsed"].([]any), "KHR_mesh_quantization")
			d.doc["extensionsRequired"] = []any{"KHR_mesh_quantization"}
			q := quantValues(tt.comp, n*tt.comps)
			tt.set(d, d.addAccessor(tt.comp, tt.comps, tt.normalized, q))
			av, err := Load(bytes.NewReader(d.glb(t)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := tt.get(av)
			if len(got) != len(q) {
				t.Fatalf("%d values, want %d", len(got), len(q))
			}
			for k := range q {
				if want := dequant(tt.comp, tt.normalized, q[k]); got[k] != want {
					t.Fatalf("value %d: %v, want %v (stored %d)", k, got[k], want, q[k])
				}
			}
		})
	}
}

// TestQuantizedNormalsAndSparseTarget: byte-normalized normals come back as
// unit vectors, and a sparse morph target with short-normalized values
// applies them at its indices only.
func TestQuantizedNormalsAndSparseTarget(t *testing.T) {
	const n = 69
	d := newQuantDoc(t)
	p := obj(d.doc, "meshes", 0, "primitives", 0).(map[string]any)
	// Normals (0, 0, 1) as normalized bytes (0, 0, 127).
	q := make([]int, 3*n)
	for k := 0; k < n; k++ {
		q[3*k+2] = 127
	}
	p["attributes"].(map[string]any)["NORMAL"] = d.addAccessor(glByte, 3, true, q)
	// A sparse target: zeros but vertices 3 and 10.
	vals := d.addAccessor(glShort, 3, true, []int{32767, 0, 0, 0, -32768, 16384})
	valView := obj(d.doc, "accessors", vals, "bufferView")
	d.bin = append(d.bin, 3, 10, 0, 0)
	d.doc["bufferViews"] = append(d.doc["bufferViews"].([]any), map[string]any{"buffer": 0, "byteOffset": len(d.bin) - 4, "byteLength": 2})
	idxView := len(d.doc["bufferViews"].([]any)) - 1
	d.doc["accessors"] = append(d.doc["accessors"].([]any), map[string]any{
		"componentType": glShort, "normalized": true, "count": n, "type": "VEC3",
		"sparse": map[string]any{"count": 2,
			"indices": map[string]any{"bufferView": idxView, "componentType": glUbyte},
			"values":  map[string]any{"bufferView": valView}},
	})
	obj(p, "targets", 0).(map[string]any)["POSITION"] = len(d.doc["accessors"].([]any)) - 1
	av, err := Load(bytes.NewReader(d.glb(t)))
	if err != nil {
		t.Fatal(err)
	}
	pr := av.Meshes[0].Primitives[0]
	for k, v := range pr.Normals {
		if v[0] != 0 || v[1] != 0 || v[2] != 1 {
			t.Fatalf("normal %d: %v, want (0, 0, 1)", k, v)
		}
	}
	for k, v := range pr.Targets[0].Positions {
		want := [3]float32{}
		switch k {
		case 3:
			want = [3]float32{1, 0, 0}
		case 10:
			want = [3]float32{0, -1, 16384.0 / 32767}
		}
		if [3]float32(v) != want {
			t.Fatalf("target vertex %d: %v, want %v", k, v, want)
		}
	}
}

// TestUnsupportedRequiredExtension: a file requiring a compression
// extension we do not read is refused with the extension's name and what it
// is.
func TestUnsupportedRequiredExtension(t *testing.T) {
	for ext, what := range map[string]string{
		"KHR_draco_mesh_compression": "Draco mesh compression",
		"EXT_meshopt_compression":    "meshoptimizer buffer compression",
		"EXT_future_thing":           "an extension Kugutsu does not read",
	} {
		data := edit(t, func(d map[string]any) { d["extensionsRequired"] = []any{"KHR_mesh_quantization", ext} })
		_, err := Load(bytes.NewReader(data))
		want := "extensionsRequired: " + ext + " is not supported (" + what + ")"
		if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want ErrUnsupported containing %q", ext, err, want)
		}
	}
}

func flat3Vec[V ~[3]float32](v []V) []float32 {
	out := make([]float32, 0, 3*len(v))
	for _, x := range v {
		out = append(out, x[0], x[1], x[2])
	}
	return out
}
