package vrm

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// glbParts splits a GLB into its JSON document (as a generic map) and BIN.
func glbParts(t testing.TB, data []byte) (map[string]any, []byte) {
	t.Helper()
	j, bin, err := splitGLB(data)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatal(err)
	}
	return doc, bin
}

// makeGLB assembles a GLB from a JSON document and a BIN chunk.
func makeGLB(t testing.TB, doc any, bin []byte) []byte {
	t.Helper()
	j, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for len(j)%4 != 0 {
		j = append(j, ' ')
	}
	var out bytes.Buffer
	total := 12 + 8 + len(j)
	if bin != nil {
		total += 8 + len(bin)
	}
	le := binary.LittleEndian
	out.Write(le.AppendUint32(nil, glbMagic))
	out.Write(le.AppendUint32(nil, 2))
	out.Write(le.AppendUint32(nil, uint32(total)))
	out.Write(le.AppendUint32(nil, uint32(len(j))))
	out.Write(le.AppendUint32(nil, glbChunkJSON))
	out.Write(j)
	if bin != nil {
		out.Write(le.AppendUint32(nil, uint32(len(bin))))
		out.Write(le.AppendUint32(nil, glbChunkBIN))
		out.Write(bin)
	}
	return out.Bytes()
}

// edit rewrites the synthetic VRM 1.0 file's JSON with fn.
func edit(t testing.TB, fn func(doc map[string]any)) []byte {
	t.Helper()
	doc, bin := glbParts(t, encode(t, synthAvatar(true), Version1))
	fn(doc)
	return makeGLB(t, doc, bin)
}

// obj and arr index into decoded JSON.
func obj(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

func TestLoadErrors(t *testing.T) {
	good := encode(t, synthAvatar(true), Version1)
	// The mesh's index accessor and the IBM accessor's buffer view.
	doc0, _ := glbParts(t, good)
	idxAcc := int(obj(doc0, "meshes", 0, "primitives", 0, "indices").(float64))
	ibmView := obj(doc0, "accessors", int(obj(doc0, "skins", 0, "inverseBindMatrices").(float64)), "bufferView")

	tests := []struct {
		name string
		data []byte
		lim  Limits
		want string // in the message
		is   error  // errors.Is target, or nil
	}{
		{"empty", nil, Limits{}, "the file is empty", ErrNotGLTF},
		{"wrong magic", append([]byte("glTX"), good[4:]...), Limits{}, `wrong magic "glTX"`, nil},
		{"truncated", good[:len(good)/2], Limits{}, "truncated", nil},
		{"truncated JSON chunk", good[:30], Limits{}, "truncated", nil},
		{"JSON chunk type", func() []byte {
			d := bytes.Clone(good)
			binary.LittleEndian.PutUint32(d[16:], 0x12345678)
			return d
		}(), Limits{}, "GLB chunk 0: type 0x12345678, want JSON", nil},
		{"JSON syntax", func() []byte {
			d := bytes.Clone(good)
			d[20] = '['
			return d
		}(), Limits{}, "JSON chunk", nil},
		{"plain glTF", edit(t, func(d map[string]any) {
			delete(d, "extensions")
			delete(d, "extensionsUsed")
		}), Limits{}, "not a VRM: no VRMC_vrm or VRM extension", ErrNotVRM},
		{"missing hips", edit(t, func(d map[string]any) {
			delete(obj(d, "extensions", "VRMC_vrm", "humanoid", "humanBones").(map[string]any), "hips")
		}), Limits{}, "missing required bones: hips", nil},
		{"missing hips and head", edit(t, func(d map[string]any) {
			hb := obj(d, "extensions", "VRMC_vrm", "humanoid", "humanBones").(map[string]any)
			delete(hb, "hips")
			delete(hb, "head")
		}), Limits{}, "missing required bones: hips, head", nil},
		{"draco required", edit(t, func(d map[string]any) {
			d["extensionsRequired"] = []any{"KHR_draco_mesh_compression"}
		}), Limits{}, "KHR_draco_mesh_compression is not supported", ErrUnsupported},
		{"accessor count", edit(t, func(d map[string]any) {
			obj(d, "accessors", 0).(map[string]any)["count"] = 2000000000
		}), Limits{}, "accessor 0: count 2000000000 exceeds buffer view 1 (", nil},
		{"index out of range", edit(t, func(d map[string]any) {
			a := obj(d, "accessors", idxAcc).(map[string]any)
			a["bufferView"], a["componentType"], a["count"], a["byteOffset"] = ibmView, 5125, 16, 0
		}), Limits{}, "beyond its 69 vertices", nil},
		{"node cycle", edit(t, func(d map[string]any) {
			h := obj(d, "nodes", 1).(map[string]any)
			h["children"] = append(h["children"].([]any), 0.0)
		}), Limits{}, "cycle", nil},
		{"two parents", edit(t, func(d map[string]any) {
			n := obj(d, "nodes", 2).(map[string]any)
			n["children"] = append(n["children"].([]any), 14.0)
		}), Limits{}, "has two parents", nil},
		{"bad skin joint", edit(t, func(d map[string]any) {
			obj(d, "skins", 0).(map[string]any)["joints"].([]any)[3] = 9999
		}), Limits{}, "skin 0: joint 3: node 9999 does not exist", nil},
		{"bad mesh", edit(t, func(d map[string]any) {
			obj(d, "nodes", 23).(map[string]any)["mesh"] = 7
		}), Limits{}, "node 23: mesh 7 does not exist", nil},
		{"bad humanoid node", edit(t, func(d map[string]any) {
			obj(d, "extensions", "VRMC_vrm", "humanoid", "humanBones", "head").(map[string]any)["node"] = -3
		}), Limits{}, "humanBones.head: node -3 does not exist", nil},
		{"external buffer", edit(t, func(d map[string]any) {
			d["buffers"] = append(d["buffers"].([]any), map[string]any{"uri": "../../etc/passwd", "byteLength": 10})
		}), Limits{}, `buffer 1: external URI "../../etc/passwd"`, ErrUnsupported},
		{"texture too large", good, Limits{MaxTextureSize: 2}, "image 0: 4×4 pixels, over the 2×2 limit", ErrLimit},
		{"decoded bytes", good, Limits{MaxDecodedBytes: 1000}, "limit", ErrLimit},
		{"file size", good, Limits{MaxFileSize: 100}, "larger than the 100-byte limit", ErrLimit},
		{"joint beyond skin", edit(t, func(d map[string]any) {
			obj(d, "skins", 0).(map[string]any)["joints"] = []any{0.0, 1.0}
			obj(d, "skins", 0).(map[string]any)["inverseBindMatrices"] = nil
		}), Limits{}, "joint 2 ≥ skin 0's 2 joints", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadLimited(bytes.NewReader(tt.data), tt.lim)
			if err == nil {
				t.Fatalf("loaded without error; want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FormatError", err)
			}
		})
	}
}

// TestLoadTruncations: every prefix of a valid file is an error, never a
// panic.
func TestLoadTruncations(t *testing.T) {
	for _, v := range []Version{Version0, Version1} {
		good := encode(t, synthAvatar(false), v)
		for n := 0; n < len(good); n += 1 + n/64 {
			if _, err := Load(bytes.NewReader(good[:n])); err == nil {
				t.Fatalf("%v: %d-byte prefix of %d loaded", v, n, len(good))
			}
		}
	}
}

// TestLoadJSONGLTF: a JSON glTF with data-URI buffers loads too (tools and
// tests), and the same checks apply.
func TestLoadJSONGLTF(t *testing.T) {
	doc, bin := glbParts(t, encode(t, synthAvatar(true), Version1))
	obj(doc, "buffers", 0).(map[string]any)["uri"] = "data:application/octet-stream;base64," + base64Std(bin)
	j, _ := json.Marshal(doc)
	av, err := Load(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	if triangles(av) != 23 || av.Humanoid.Present.Len() != 19 {
		t.Errorf("JSON glTF: %d triangles, %d bones", triangles(av), av.Humanoid.Present.Len())
	}
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
