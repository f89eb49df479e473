package vrm

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-gl/mathgl/mgl32"
)

// Hostile files from the campaign of issue #11, built here: each is small
// on disk and asks the loader for far more work or memory than its size.

// jsonGLB wraps a raw JSON document (no BIN chunk) in a GLB container.
func jsonGLB(j []byte) []byte {
	for len(j)%4 != 0 {
		j = append(j, ' ')
	}
	var out bytes.Buffer
	le := func(v uint32) { out.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}) }
	le(glbMagic)
	le(2)
	le(uint32(12 + 8 + len(j)))
	le(uint32(len(j)))
	le(glbChunkJSON)
	out.Write(j)
	return out.Bytes()
}

// nodeBomb is a VRM 1.0 GLB whose JSON holds n copies of node (e.g. "{}").
func nodeBomb(n int, node string) []byte {
	var b bytes.Buffer
	b.Grow(n * (len(node) + 1))
	b.WriteString(`{"asset":{"version":"2.0"},"extensionsUsed":["VRMC_vrm"],"extensions":{"VRMC_vrm":{"specVersion":"1.0"}},"nodes":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(node)
	}
	b.WriteString("]}")
	return jsonGLB(b.Bytes())
}

// dataURIBomb is a JSON glTF whose one buffer is a data URI of n zero bytes.
func dataURIBomb(n int) []byte {
	var b bytes.Buffer
	enc := base64.StdEncoding.EncodedLen(n)
	b.Grow(enc + 200)
	b.WriteString(`{"asset":{"version":"2.0"},"extensions":{"VRMC_vrm":{"specVersion":"1.0"}},"buffers":[{"byteLength":` + strconv.Itoa(n) + `,"uri":"data:application/octet-stream;base64,`)
	for range enc {
		b.WriteByte('A')
	}
	b.WriteString(`"}]}`)
	return b.Bytes()
}

// primitiveBomb is the synthetic VRM 1.0 avatar with its mesh holding n
// one-triangle primitives, all reading the first primitive's accessors.
func primitiveBomb(t testing.TB, n int) []byte {
	t.Helper()
	doc, bin := glbParts(t, encode(t, synthAvatar(false), Version1))
	m := obj(doc, "meshes", 0).(map[string]any)
	p0 := obj(m, "primitives", 0).(map[string]any)
	prims := make([]any, n)
	for i := range prims {
		p := map[string]any{"attributes": p0["attributes"], "material": p0["material"]}
		prims[i] = p
	}
	m["primitives"] = prims
	return makeGLB(t, doc, bin)
}

// customExpressionBomb is the synthetic VRM 1.0 avatar with n custom
// expressions, each binding one morph target.
func customExpressionBomb(t testing.TB, n int) []byte {
	t.Helper()
	doc, bin := glbParts(t, encode(t, synthAvatar(false), Version1))
	ex := obj(doc, "extensions", "VRMC_vrm", "expressions").(map[string]any)
	var b bytes.Buffer
	b.WriteByte('{')
	bind := `":{"morphTargetBinds":[{"node":` + strconv.Itoa(len(synthSkeleton)) + `,"index":0,"weight":1}]}`
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"x` + strconv.Itoa(i) + bind)
	}
	b.WriteByte('}')
	ex["custom"] = json.RawMessage(b.Bytes())
	return makeGLB(t, doc, bin)
}

// bindBomb is the synthetic VRM 0.x avatar with n extra nodes all using the
// mesh, and one blendshape group with n binds to it.
func bindBomb(t testing.TB, n int) []byte {
	t.Helper()
	doc, bin := glbParts(t, encode(t, synthAvatar(false), Version0))
	nodes := doc["nodes"].([]any)
	mesh := 0.0
	for range n {
		nodes = append(nodes, map[string]any{"mesh": mesh})
	}
	doc["nodes"] = nodes
	binds := make([]any, n)
	for i := range binds {
		binds[i] = map[string]any{"mesh": mesh, "index": 0, "weight": 100}
	}
	bsm := obj(doc, "extensions", "VRM", "blendShapeMaster").(map[string]any)
	bsm["blendShapeGroups"] = append(bsm["blendShapeGroups"].([]any), map[string]any{"name": "bomb", "presetName": "unknown", "binds": binds})
	return makeGLB(t, doc, bin)
}

// loadAlloc loads data with lim and returns the error and the bytes the
// load allocated (goruntime.MemStats.TotalAlloc), the input excluded.
func loadAlloc(data []byte, lim Limits) (uint64, error) {
	goruntime.GC()
	var a, b goruntime.MemStats
	goruntime.ReadMemStats(&a)
	_, err := LoadLimited(bytes.NewReader(data), lim)
	goruntime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc, err
}

// TestHostileJSONRefusedBeforeDecoding: files whose JSON asks for millions
// of elements are refused from the counts of a scan, before the document
// is decoded, so the load allocates about the file's size (issue #11: 2e6
// empty nodes allocated 2 GB, 1e6 named nodes 1.1 GB, before "over the
// limit").
func TestHostileJSONRefusedBeforeDecoding(t *testing.T) {
	values := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"asset":{"version":"2.0"},"extensions":{"VRMC_vrm":{"specVersion":"1.0"}},"extras":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("{}")
		}
		b.WriteString("]}")
		return jsonGLB(b.Bytes())
	}
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want string
	}{
		{"2e6 empty nodes", nodeBomb(2000000, "{}"), Limits{}, "nodes: 2000000 nodes, over the limit of 65536"},
		{"1e6 named nodes", nodeBomb(1000000, `{"name":"node12345"}`), Limits{}, "nodes: 1000000 nodes, over the limit of 65536"},
		{"escaped and upper-case key", jsonGLB([]byte(`{"asset":{"version":"2.0"},"NOD\u0045s":[{},{},{}]}`)), Limits{MaxNodes: 2}, "3 nodes, over the limit of 2"},
		{"accessors", jsonGLB([]byte(`{"asset":{"version":"2.0"},"accessors":[{},{},{}]}`)), Limits{MaxElements: 2}, "accessors: 3 elements, over the limit of 2"},
		{"16000 primitives", primitiveBomb(t, 16000), Limits{}, "16000 primitives in all, over the limit of 4096"},
		{"200000 custom expressions", customExpressionBomb(t, 200000), Limits{}, "200003 expressions, over the limit of 4096"},
		{"1e6 extras values", values(1000000), Limits{}, "1000007 JSON values, over the limit of 524288"},
		{"JSON chunk size", nodeBomb(1000, "{}"), Limits{MaxJSONBytes: 1000}, "JSON chunk: 3115 bytes, over the limit of 1000"},
		{"8 MB data URI", dataURIBomb(8 << 20), Limits{MaxJSONBytes: 4 << 20}, "over the limit of 4194304"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alloc, err := loadAlloc(tt.data, tt.lim)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if !errors.Is(err, ErrLimit) {
				t.Errorf("error %v is not ErrLimit", err)
			}
			// Reading the file is the one allocation of its size.
			if bound := 2*uint64(len(tt.data)) + 1<<20; alloc > bound {
				t.Errorf("refusing a %d-byte file allocated %d bytes, want ≤ %d", len(tt.data), alloc, bound)
			}
			t.Logf("%d-byte file: %d bytes allocated", len(tt.data), alloc)
		})
	}
}

// TestDrawLimit: primitives drawn once per node using their mesh are
// bounded too: 100 nodes each drawing a 50-primitive mesh are 5,000 draws.
func TestDrawLimit(t *testing.T) {
	doc, bin := glbParts(t, primitiveBomb(t, 50))
	nodes := doc["nodes"].([]any)
	for range 100 {
		nodes = append(nodes, map[string]any{"mesh": 0})
	}
	doc["nodes"] = nodes
	_, err := Load(bytes.NewReader(makeGLB(t, doc, bin)))
	if err == nil || !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "more than 4096 primitives drawn") {
		t.Errorf("error %v, want the draw limit", err)
	}
	// 50 primitives drawn by one node load.
	if _, err := Load(bytes.NewReader(primitiveBomb(t, 50))); err != nil {
		t.Error(err)
	}
}

// TestDataURIDecodedOnce: a data-URI buffer is decoded once, and only as
// far as its byteLength.
func TestDataURIDecodedOnce(t *testing.T) {
	doc, bin := glbParts(t, encode(t, synthAvatar(true), Version1))
	full := len(bin)
	// 4 MB of data after the real buffer, beyond byteLength.
	padded := append(bytes.Clone(bin), make([]byte, 4<<20)...)
	obj(doc, "buffers", 0).(map[string]any)["uri"] = "data:application/octet-stream;base64," + base64Std(padded)
	obj(doc, "buffers", 0).(map[string]any)["byteLength"] = full
	j, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	alloc, err := loadAlloc(j, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// The file is read once and its URI string copied once by the JSON
	// decoder; the 3 MB of unused base64 are never decoded.
	if bound := 2*uint64(len(j)) + 4<<20; alloc > bound {
		t.Errorf("loading a %d-byte file allocated %d bytes, want ≤ %d", len(j), alloc, bound)
	}
	t.Logf("%d-byte file: %d bytes allocated", len(j), alloc)
	// Base64 broken into MIME lines (which Go's decoder skips) still loads.
	enc := base64Std(bin)
	var lines strings.Builder
	for len(enc) > 76 {
		lines.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	lines.WriteString(enc)
	obj(doc, "buffers", 0).(map[string]any)["uri"] = "data:application/octet-stream;base64," + lines.String()
	if j, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bytes.NewReader(j)); err != nil {
		t.Errorf("base64 in lines: %v", err)
	}
}

// TestScanJSON: the counts match what encoding/json would decode: member
// names are unescaped and matched case-insensitively for struct fields,
// exactly for extension names; brackets in strings do not count.
func TestScanJSON(t *testing.T) {
	doc := `{"asset":{"version":"2.0","generator":"[{\"nodes\":[1,2]}]"},
		"nodes":[{"name":"a]"},{"children":[0]}],"Meshes":[{"primitives":[{"targets":[{},{}]},{}]},{"prim\u0069tives":[{}]}],
		"extensions":{"VRMC_vrm":{"expressions":{"preset":{"happy":{}},"custom":{"a":{},"b":{}}}},"vrm":{"blendShapeMaster":{"blendShapeGroups":[{}]}},
		"VRM":{"BlendShapeMaster":{"blendShapeGroups":[{},{}]}}}}`
	c, ok := scanJSON([]byte(doc))
	if !ok {
		t.Fatal("scan failed")
	}
	if c.Top[topNodes] != 2 || c.Primitives != 3 || c.Targets != 2 || c.Expressions != 5 {
		t.Errorf("nodes %d primitives %d targets %d expressions %d, want 2 3 2 5", c.Top[topNodes], c.Primitives, c.Targets, c.Expressions)
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	var count func(any) int
	count = func(v any) int {
		n := 1
		switch v := v.(type) {
		case map[string]any:
			for _, x := range v {
				n += count(x)
			}
		case []any:
			for _, x := range v {
				n += count(x)
			}
		}
		return n
	}
	if want := count(v); c.Values != want {
		t.Errorf("%d values, want %d", c.Values, want)
	}
	if _, ok := scanJSON(bytes.Repeat([]byte("["), maxScanDepth+1)); ok {
		t.Error("nesting beyond maxScanDepth accepted")
	}
}

// TestBindBomb: VRM 0.x mesh binds expand to every node using the mesh; a
// file making that product huge (6000 nodes × 6000 binds: 36 million binds
// and 12 GB before) is refused at the limit.
func TestBindBomb(t *testing.T) {
	data := bindBomb(t, 6000)
	// 6000 nodes drawing the mesh are over the draw limit too: raise it to
	// reach the binds.
	alloc, err := loadAlloc(data, Limits{MaxPrimitives: 1 << 20})
	if err == nil || !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "morph binds") {
		t.Fatalf("error %v, want the morph-bind limit", err)
	}
	t.Logf("%d-byte file: %d bytes allocated", len(data), alloc)
	// Below the limit, every bind is kept.
	av, err := Load(bytes.NewReader(bindBomb(t, 200)))
	if err != nil {
		t.Fatal(err)
	}
	i, ok := av.ExpressionIndex("bomb")
	if !ok || len(av.Expressions[i].MorphBinds) != 201*200 {
		t.Errorf("bomb expression: found %v, %d morph binds, want 201×200", ok, len(av.Expressions[i].MorphBinds))
	}
}

// TestManyCustomExpressions: custom expressions up to the limit load, each
// name checked against the others through an index (this was quadratic: 630 s
// for 200,000 expressions). BenchmarkLoadCustomExpressions measures it.
func TestManyCustomExpressions(t *testing.T) {
	av, err := Load(bytes.NewReader(customExpressionBomb(t, 4000)))
	if err != nil {
		t.Fatal(err)
	}
	if len(av.Expressions) != 4003 { // and the 3 presets
		t.Errorf("%d expressions, want 4003", len(av.Expressions))
	}
	if _, ok := av.ExpressionIndex("X3999"); !ok {
		t.Error("custom expression x3999 not found")
	}
}

func BenchmarkLoadCustomExpressions(b *testing.B) {
	data := customExpressionBomb(b, 4000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestShortBufferByteLength: a GLB whose buffers[0].byteLength is smaller
// than its BIN chunk, with buffer views beyond byteLength (a real file:
// byteLength 577152, chunk 682752), loads as three.js loads it — from the
// whole chunk — with a warning.
func TestShortBufferByteLength(t *testing.T) {
	orig := synthAvatar(true)
	doc, bin := glbParts(t, encode(t, orig, Version1))
	byteLength := len(bin)
	// Move the inverse bind matrices to the end of the chunk, past
	// byteLength.
	ibmView := int(obj(doc, "accessors", int(obj(doc, "skins", 0, "inverseBindMatrices").(float64)), "bufferView").(float64))
	v := obj(doc, "bufferViews", ibmView).(map[string]any)
	off, n := int(v["byteOffset"].(float64)), int(v["byteLength"].(float64))
	moved := bytes.Clone(bin[off : off+n])
	clear(bin[off : off+n])
	v["byteOffset"] = len(bin)
	bin = append(bin, moved...)
	data := makeGLB(t, doc, bin)
	av, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := "buffer 0: byteLength " + strconv.Itoa(byteLength) + " is smaller than the " + strconv.Itoa(len(bin)) + "-byte BIN chunk"
	found := false
	for _, w := range av.Warnings {
		found = found || strings.Contains(w, want)
	}
	if !found {
		t.Errorf("warnings %q, want one containing %q", av.Warnings, want)
	}
	for k, m := range av.Skins[0].InverseBindMatrices {
		if !m.ApproxEqualThreshold(orig.Skins[0].InverseBindMatrices[k], 1e-6) {
			t.Fatalf("inverse bind matrix %d: %v, want %v", k, m, orig.Skins[0].InverseBindMatrices[k])
		}
	}
	// Padding of up to 3 bytes (glTF 2.0 §4.4.3.3) is normal: no warning.
	doc, bin = glbParts(t, encode(t, orig, Version1))
	bin = append(bin, 0, 0, 0)
	av, err = Load(bytes.NewReader(makeGLB(t, doc, bin)))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range av.Warnings {
		if strings.Contains(w, "byteLength") {
			t.Errorf("warning %q for 3 bytes of padding", w)
		}
	}
}

// TestNotAModel: files users end up with instead of their model get an
// error saying what they are and what to do.
func TestNotAModel(t *testing.T) {
	plain := edit(t, func(d map[string]any) {
		delete(d, "extensions")
		delete(d, "extensionsUsed")
	})
	tests := []struct {
		name string
		data []byte
		is   error
		want string
	}{
		{"Git LFS pointer", []byte("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 682752\n"),
			ErrNotGLTF, "this is a Git LFS pointer, not the model: download the file itself"},
		{"HTML page", []byte("\n<!DOCTYPE html>\n<html lang=\"en\"><head><title>Avatar.vrm</title></head><body>…</body></html>"),
			ErrNotGLTF, "this is a web page (HTML), not a VRM model"},
		{"lower-case HTML", []byte("<html><body>404</body></html>"), ErrNotGLTF, "web page"},
		{"plain GLB", plain, ErrNotVRM, "this is a plain glTF model; convert it to VRM first"},
		{"plain glTF JSON", []byte(`{"asset":{"version":"2.0"}}`), ErrNotVRM, "plain glTF model"},
		{"empty", nil, ErrNotGLTF, "the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(bytes.NewReader(tt.data))
			if err == nil || !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %v containing %q", err, tt.is, tt.want)
			}
		})
	}
}

// slowAvatar is a file that takes long to load for its size: a 20,000-vertex
// primitive whose morph targets all read the same accessor (targets×20,000
// vertices to decode).
func slowAvatar(t testing.TB, targets int) []byte {
	t.Helper()
	av := synthAvatar(false)
	p := &av.Meshes[0].Primitives[0]
	const n = 20000
	for len(p.Positions) < n {
		k := len(p.Positions) % 69
		p.Positions = append(p.Positions, p.Positions[k].Add(mgl32.Vec3{0, 0, float32(len(p.Positions)) * 1e-5}))
		p.Normals = append(p.Normals, p.Normals[k])
		p.UV0 = append(p.UV0, p.UV0[k])
		p.Joints = append(p.Joints, p.Joints[k])
		p.Weights = append(p.Weights, p.Weights[k])
		for ti := range p.Targets {
			p.Targets[ti].Positions = append(p.Targets[ti].Positions, p.Targets[ti].Positions[k])
		}
	}
	doc, bin := glbParts(t, encode(t, av, Version1))
	prim := obj(doc, "meshes", 0, "primitives", 0).(map[string]any)
	t0 := obj(prim, "targets", 0)
	ts := make([]any, targets)
	names := make([]any, targets)
	for i := range ts {
		ts[i], names[i] = t0, "t"+strconv.Itoa(i)
	}
	prim["targets"] = ts
	obj(doc, "meshes", 0).(map[string]any)["extras"] = map[string]any{"targetNames": names}
	return makeGLB(t, doc, bin)
}

// TestLoadContextCancel: a cancelled load stops at its next check and
// returns context.Canceled; a load cancelled before it starts reads
// nothing.
func TestLoadContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadContext(ctx, bytes.NewReader(encode(t, synthAvatar(true), Version1)), Limits{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("pre-cancelled load: %v, want context.Canceled", err)
	}
	data := slowAvatar(t, 800)
	for _, after := range []time.Duration{0, 20 * time.Millisecond, 100 * time.Millisecond} {
		ctx, cancel := context.WithCancel(context.Background())
		var cancelled time.Time
		// Cancel once the file is read (the reader hits EOF), plus after.
		r := &eofHook{r: bytes.NewReader(data), at: func() {
			time.AfterFunc(after, func() { cancelled = time.Now(); cancel() })
		}}
		start := time.Now()
		av, err := LoadContext(ctx, r, Limits{})
		end := time.Now()
		cancel()
		if err == nil {
			// The load beat the cancel; nothing to measure.
			t.Logf("cancel after %v: the load finished first in %v (%d expressions)", after, end.Sub(start), len(av.Expressions))
			continue
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel after %v: %v, want context.Canceled", after, err)
		}
		// A generous bound: the full load takes seconds on a shared machine.
		if lat := end.Sub(cancelled); lat > time.Second {
			t.Errorf("cancel after %v: returned %v after the cancel, want < 1 s", after, lat)
		} else {
			t.Logf("cancel after %v: returned %v after the cancel", after, lat)
		}
	}
}

// eofHook calls at once, when r first returns io.EOF.
type eofHook struct {
	r    *bytes.Reader
	at   func()
	done bool
}

func (h *eofHook) Read(b []byte) (int, error) {
	n, err := h.r.Read(b)
	if err != nil && !h.done {
		h.done = true
		h.at()
	}
	return n, err
}

// BenchmarkLoadSlowAvatar: the file TestLoadContextCancel cancels, loaded
// whole (its full load time, for comparison with the cancel latency).
func BenchmarkLoadSlowAvatar(b *testing.B) {
	data := slowAvatar(b, 800)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

var _ = binary.LittleEndian

// TestValidateNamesNonFinite: Validate names a non-finite value by its path
// (built only on error: issue #12 counted ~2,500 allocations per load for
// paths of values that were fine).
func TestValidateNamesNonFinite(t *testing.T) {
	av := synthAvatar(true)
	av.Materials[0].MToon.ShadeColor[2] = float32(math.NaN())
	err := av.Validate()
	if want := "materials[0].MToon.ShadeColor[2]: value is not finite"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	av = synthAvatar(true)
	av.SpringBone.Springs[0].Joints[1].Stiffness = float32(math.Inf(1))
	if want := "springBone.Springs[0].Joints[1].Stiffness: value is not finite"; av.Validate() == nil || !strings.Contains(av.Validate().Error(), want) {
		t.Errorf("error %v, want %q", av.Validate(), want)
	}
	// A few dozen allocations that do not grow with the number of values
	// (building the path of every value cost 912 here).
	if n := testing.AllocsPerRun(5, func() { _ = synthAvatarValid.Validate() }); n > 50 {
		t.Errorf("Validate of a valid avatar: %v allocations, want ≤ 50", n)
	}
}

var synthAvatarValid = synthAvatar(true)

// springChainBomb is the synthetic VRM 1.0 avatar with a chain of n extra
// nodes and springs springs, each joining the chain's two ends: checking
// that each joint is below the previous one walked the whole chain per
// spring.
func springChainBomb(t testing.TB, n, springs int) []byte {
	t.Helper()
	doc, bin := glbParts(t, encode(t, synthAvatar(true), Version1))
	nodes := doc["nodes"].([]any)
	first := len(nodes)
	for k := range n {
		nd := map[string]any{"name": "c" + strconv.Itoa(k)}
		if k < n-1 {
			nd["children"] = []any{first + k + 1}
		}
		nodes = append(nodes, nd)
	}
	doc["nodes"] = nodes
	sb := obj(doc, "extensions", "VRMC_springBone").(map[string]any)
	sp := sb["springs"].([]any)
	for range springs {
		sp = append(sp, map[string]any{"joints": []any{map[string]any{"node": first}, map[string]any{"node": first + n - 1}}})
	}
	sb["springs"] = sp
	return makeGLB(t, doc, bin)
}

// TestSpringChains: spring joints are checked against the hierarchy in
// constant time each (nodeIntervals), the same answers as walking up.
func TestSpringChains(t *testing.T) {
	av, err := Load(bytes.NewReader(springChainBomb(t, 300, 50)))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(av.SpringBone.Springs); got != 51 {
		t.Errorf("%d springs, want 51", got)
	}
	iv := av.nodeIntervals()
	for a := range av.Nodes {
		for n := range av.Nodes {
			if iv.isAncestor(a, n) != av.isAncestor(a, n) {
				t.Fatalf("isAncestor(%d, %d): intervals say %v, the parent walk %v", a, n, iv.isAncestor(a, n), av.isAncestor(a, n))
			}
		}
	}
}

// TestSpringChainBomb: 20,000 springs across a 60,000-node chain made
// loading walk 1.2 billion parents (validate and the joint checks) and the
// simulation keep 1.2 billion path nodes; the nodes springs span are
// bounded now.
func TestSpringChainBomb(t *testing.T) {
	data := springChainBomb(t, 60000, 20000)
	alloc, err := loadAlloc(data, Limits{})
	if err == nil || !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "springs span more than 65536 nodes") {
		t.Fatalf("error %v, want the spring span limit", err)
	}
	t.Logf("%d-byte file: %d bytes allocated", len(data), alloc)
}

// BenchmarkSpringChain: one spring across a 60,000-node chain, loaded,
// posed and stepped (linear in the chain: a parent walk per node to check
// for cycles was quadratic).
func BenchmarkSpringChain(b *testing.B) {
	data := springChainBomb(b, 60000, 1)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		av, err := Load(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		NewRig(av).Update(fullPose(av), 1.0/30)
	}
}

// TestValidateCycle: Validate finds a parent cycle with consistent links
// (nodes 20 → 21 → 22 → 20) in one pass over the nodes.
func TestValidateCycle(t *testing.T) {
	av := synthAvatar(true)
	// Hair1 (20) hangs from Head (5); make it a child of Hair3 (22).
	av.Nodes[5].Children = slices.DeleteFunc(av.Nodes[5].Children, func(c int) bool { return c == 20 })
	av.Nodes[20].Parent = 22
	av.Nodes[22].Children = append(av.Nodes[22].Children, 20)
	if err := av.Validate(); err == nil || !strings.Contains(err.Error(), "is part of a cycle") {
		t.Errorf("error %v, want a cycle", err)
	}
}

// TestFirstPersonAnnotationBomb: VRM 0.x annotations name a mesh and apply
// to every node using it; 6000 annotations of a mesh 6000 nodes use were
// 36 million map writes. Each mesh's last annotation is applied once.
func TestFirstPersonAnnotationBomb(t *testing.T) {
	doc, bin := glbParts(t, encode(t, synthAvatar(false), Version0))
	nodes := doc["nodes"].([]any)
	for range 6000 {
		nodes = append(nodes, map[string]any{"mesh": 0})
	}
	doc["nodes"] = nodes
	fp := obj(doc, "extensions", "VRM", "firstPerson").(map[string]any)
	ann := make([]any, 6000)
	for i := range ann {
		flag := "ThirdPersonOnly"
		if i == len(ann)-1 {
			flag = "FirstPersonOnly"
		}
		ann[i] = map[string]any{"mesh": 0, "firstPersonFlag": flag}
	}
	fp["meshAnnotations"] = ann
	av, err := LoadLimited(bytes.NewReader(makeGLB(t, doc, bin)), Limits{MaxPrimitives: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for ni, nd := range av.Nodes {
		if nd.Mesh == 0 {
			n++
			if av.FirstPerson.Annotations[ni] != FirstPersonFirstPersonOnly {
				t.Fatalf("node %d: %v, want the last annotation (first-person only)", ni, av.FirstPerson.Annotations[ni])
			}
		}
	}
	if n != 6001 {
		t.Errorf("%d nodes use the mesh, want 6001", n)
	}
}

// BenchmarkScanJSON: the pre-scan of every load, on the 21 MB JSON of a
// million named nodes (one 64-byte allocation, whatever the size).
func BenchmarkScanJSON(b *testing.B) {
	j, _, err := splitGLB(nodeBomb(1000000, `{"name":"node12345"}`))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(j)))
	b.ReportAllocs()
	for b.Loop() {
		if c, _ := scanJSON(j); c.Top[topNodes] != 1000000 {
			b.Fatal(c.Top[topNodes])
		}
	}
}
