package vrm

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"testing"
)

// Run the fuzz targets with a short minimization time (each execution loads,
// poses and encodes, so minimizing a 35 KB input for the default 60 s stalls
// the run):
//
//	go test -run '^$' -fuzz FuzzLoadFields -fuzztime 60s -fuzzminimizetime 3s ./vrm

// FuzzLoad feeds the loader arbitrary bytes. Anything it accepts must pose
// (rest, full pose with springs), validate, encode in both versions, and
// load again from its own encoding.
func FuzzLoad(f *testing.F) {
	for _, v := range []Version{Version0, Version1} {
		data := encode(f, synthAvatar(v == Version1), v)
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte("glTF\x02\x00\x00\x00\x14\x00\x00\x00\x00\x00\x00\x00JSON"))
	f.Add([]byte(`{"asset":{"version":"2.0"},"extensions":{"VRM":{}}}`))
	lim := Limits{MaxFileSize: 4 << 20, MaxTextureSize: 256, MaxDecodedBytes: 32 << 20, MaxNodes: 1024}
	f.Fuzz(func(t *testing.T, data []byte) {
		av, err := LoadLimited(bytes.NewReader(data), lim)
		if err != nil {
			return
		}
		if err := av.Validate(); err != nil {
			t.Fatalf("loaded avatar does not validate: %v", err)
		}
		rg := NewRig(av)
		rg.Pose(nil)
		rg.Update(fullPose(av), 1.0/30)
		if !lazyImagesDecode(av) {
			return // a broken image no material uses: vrmenc.Encode reports it
		}
		for _, v := range []Version{Version0, Version1} {
			var buf bytes.Buffer
			if err := EncodeForTest(&buf, av, v); err != nil {
				t.Fatalf("vrmenc.Encode(%v) of a loaded avatar: %v", v, err)
			}
			b, err := LoadLimited(bytes.NewReader(buf.Bytes()), Limits{MaxTextureSize: 256, MaxDecodedBytes: 256 << 20})
			if err != nil {
				t.Fatalf("Load(vrmenc.Encode(%v)) of a loaded avatar: %v", v, err)
			}
			NewRig(b).Update(fullPose(b), 1.0/30)
			_ = EncodeForTest(io.Discard, b, v)
		}
	})
}

// numericLeaves lists the paths of every number in a decoded JSON value,
// in a fixed order.
func numericLeaves(v any, path []any, out *[][]any) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			numericLeaves(v[k], append(append([]any(nil), path...), k), out)
		}
	case []any:
		for i, x := range v {
			numericLeaves(x, append(append([]any(nil), path...), i), out)
		}
	case float64:
		*out = append(*out, path)
	}
}

func setPath(doc any, path []any, val any) {
	for i, k := range path {
		last := i == len(path)-1
		switch k := k.(type) {
		case string:
			m := doc.(map[string]any)
			if last {
				m[k] = val
				return
			}
			doc = m[k]
		case int:
			a := doc.([]any)
			if last {
				a[k] = val
				return
			}
			doc = a[k]
		}
	}
}

// FuzzLoadFields is structured fuzzing of the loader's semantic checks: it
// sets one or two numbers anywhere in the JSON of a valid synthetic VRM
// (accessor counts and offsets, node and texture indices, spring and
// expression references…) and loads the result, which must never panic;
// whatever loads must pose and round-trip as in FuzzLoad.
func FuzzLoadFields(f *testing.F) {
	type seed struct {
		doc map[string]any
		bin []byte
	}
	var seeds []seed
	for _, v := range []Version{Version0, Version1} {
		doc, bin := glbParts(f, encode(f, synthAvatar(v == Version1), v))
		seeds = append(seeds, seed{doc, bin})
	}
	f.Add(uint8(0), uint16(0), int64(-1), uint16(7), 1e9)
	f.Add(uint8(1), uint16(40), int64(1<<31), uint16(300), -0.5)
	f.Add(uint8(1), uint16(1234), int64(3), uint16(999), 1e-30)
	f.Fuzz(func(t *testing.T, which uint8, p1 uint16, v1 int64, p2 uint16, v2 float64) {
		s := seeds[int(which)%len(seeds)]
		raw, _ := json.Marshal(s.doc)
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		var leaves [][]any
		numericLeaves(doc, nil, &leaves)
		setPath(doc, leaves[int(p1)%len(leaves)], v1)
		setPath(doc, leaves[int(p2)%len(leaves)], v2)
		data := makeGLB(t, doc, s.bin)
		av, err := LoadLimited(bytes.NewReader(data), Limits{MaxTextureSize: 256, MaxDecodedBytes: 32 << 20, MaxNodes: 1024})
		if err != nil {
			return
		}
		NewRig(av).Update(fullPose(av), 1.0/30)
		if !lazyImagesDecode(av) {
			return
		}
		for _, v := range []Version{Version0, Version1} {
			var buf bytes.Buffer
			if err := EncodeForTest(&buf, av, v); err != nil {
				t.Fatalf("vrmenc.Encode(%v) of a loaded avatar: %v", v, err)
			}
			if _, err := Load(bytes.NewReader(buf.Bytes())); err != nil {
				t.Fatalf("Load(vrmenc.Encode(%v)) of a loaded avatar: %v", v, err)
			}
		}
	})
}

// lazyImagesDecode reports whether every texture's image decodes (images no
// material uses are only decoded on demand, so a broken one loads).
func lazyImagesDecode(av *Model) bool {
	for i := range av.Textures {
		if _, err := av.TextureImage(i); err != nil {
			return false
		}
	}
	return true
}

// FuzzScanJSON: on valid JSON, scanJSON counts exactly the values
// encoding/json sees; on anything else it returns without panicking.
func FuzzScanJSON(f *testing.F) {
	f.Add([]byte(`{"asset":{"version":"2.0"},"nodes":[{},{"name":"a\"]"}],"n\u006fdes":[1e3,true,null]}`))
	f.Add([]byte(`[[[]],{"a":{"b":[1,2,{"c":"}"}]}}]`))
	f.Add([]byte(`{"meshes":[{"primitives":[{"targets":[{},{}]}]}],"extensions":{"VRM":{"blendShapeMaster":{"blendShapeGroups":[{}]}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, ok := scanJSON(data)
		if !ok || !json.Valid(data) {
			return
		}
		want, err := countJSONValues(data)
		if err != nil {
			t.Fatal(err)
		}
		if c.Values != want {
			t.Fatalf("scanJSON counted %d values, encoding/json %d", c.Values, want)
		}
	})
}

// countJSONValues counts the values of valid JSON with encoding/json's
// tokenizer: every scalar and container that is not an object member name.
func countJSONValues(data []byte) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct{ object, key bool }
	var stack []frame
	n := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
		} else if len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].key {
			stack[len(stack)-1].key = false // a member name
			continue
		} else {
			n++
			if d, ok := tok.(json.Delim); ok {
				stack = append(stack, frame{object: d == '{', key: d == '{'})
				continue
			}
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true
		}
	}
}
