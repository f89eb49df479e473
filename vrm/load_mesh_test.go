package vrm

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/go-gl/mathgl/mgl32"
)

// TestSparseMorphTarget rewrites the synthetic avatar's first morph target
// as a sparse accessor (no buffer view; three displaced vertices) and
// checks the loaded deltas.
func TestSparseMorphTarget(t *testing.T) {
	doc, bin := glbParts(t, encode(t, synthAvatar(true), Version1))
	prim := obj(doc, "meshes", 0, "primitives", 0).(map[string]any)
	target := obj(prim, "targets", 0).(map[string]any)
	acc := obj(doc, "accessors", int(target["POSITION"].(float64))).(map[string]any)
	// Sparse data: indices 4, 10, 60 (uint16), then three VEC3 floats.
	idx := []uint16{4, 10, 60}
	vals := []mgl32.Vec3{{0.1, 0, 0}, {0, -0.2, 0}, {0, 0, 0.3}}
	for len(bin)%4 != 0 {
		bin = append(bin, 0)
	}
	views := doc["bufferViews"].([]any)
	idxView := len(views)
	views = append(views, map[string]any{"buffer": 0.0, "byteOffset": float64(len(bin)), "byteLength": 6.0})
	for _, i := range idx {
		bin = binary.LittleEndian.AppendUint16(bin, i)
	}
	bin = append(bin, 0, 0) // align
	valView := len(views)
	views = append(views, map[string]any{"buffer": 0.0, "byteOffset": float64(len(bin)), "byteLength": 36.0})
	for _, v := range vals {
		for _, c := range v {
			bin = binary.LittleEndian.AppendUint32(bin, math.Float32bits(c))
		}
	}
	doc["bufferViews"] = views
	obj(doc, "buffers", 0).(map[string]any)["byteLength"] = float64(len(bin))
	delete(acc, "bufferView")
	delete(acc, "byteOffset")
	acc["sparse"] = map[string]any{
		"count":   3.0,
		"indices": map[string]any{"bufferView": float64(idxView), "componentType": 5123.0},
		"values":  map[string]any{"bufferView": float64(valView)},
	}
	av, err := Load(bytes.NewReader(makeGLB(t, doc, bin)))
	if err != nil {
		t.Fatal(err)
	}
	got := av.Meshes[0].Primitives[0].Targets[0].Positions
	for v, d := range got {
		want := mgl32.Vec3{}
		if k := slices.Index(idx, uint16(v)); k >= 0 {
			want = vals[k]
		}
		if d != want {
			t.Errorf("vertex %d: delta %v, want %v", v, d, want)
		}
	}
	// Sparse indices must stay in range.
	binary.LittleEndian.PutUint16(bin[len(bin)-36-8:], 500)
	if _, err := Load(bytes.NewReader(makeGLB(t, doc, bin))); err == nil || !strings.Contains(err.Error(), "accessor") {
		t.Errorf("sparse index out of range: %v", err)
	}
}

// TestGeneratedNormals: a primitive without NORMAL gets smooth normals and
// a warning.
func TestGeneratedNormals(t *testing.T) {
	doc, bin := glbParts(t, encode(t, synthAvatar(false), Version1))
	delete(obj(doc, "meshes", 0, "primitives", 0, "attributes").(map[string]any), "NORMAL")
	av, err := Load(bytes.NewReader(makeGLB(t, doc, bin)))
	if err != nil {
		t.Fatal(err)
	}
	p := av.Meshes[0].Primitives[0]
	// Each synthetic triangle is (p+x, p+y, p+z)·1 cm: its normal is (1,1,1)/√3.
	want := mgl32.Vec3{1, 1, 1}.Normalize()
	for v, n := range p.Normals {
		if !near(n, want, 1e-5) {
			t.Fatalf("vertex %d: normal %v, want %v", v, n, want)
		}
	}
	if !slices.ContainsFunc(av.Warnings, func(w string) bool { return strings.Contains(w, "generated smooth normals") }) {
		t.Errorf("no warning about generated normals: %v", av.Warnings)
	}
}

func TestStripsAndFans(t *testing.T) {
	if got := stripToList([]uint32{0, 1, 2, 3, 4}); !slices.Equal(got, []uint32{0, 1, 2, 2, 1, 3, 2, 3, 4}) {
		t.Errorf("strip: %v", got)
	}
	if got := fanToList([]uint32{0, 1, 2, 3}); !slices.Equal(got, []uint32{0, 1, 2, 0, 2, 3}) {
		t.Errorf("fan: %v", got)
	}
	if stripToList([]uint32{0, 1}) != nil || fanToList(nil) != nil {
		t.Errorf("degenerate strips and fans should give no triangles")
	}
}

func TestNormalizeWeights(t *testing.T) {
	j := [][4]uint16{{1, 2, 3, 4}, {5, 6, 0, 0}, {7, 0, 0, 0}}
	w := [][4]float32{{1, 1, 2, 0}, {0, 0, 0, 0}, {float32(math.NaN()), -1, 0, 0}}
	normalizeWeights(j, w)
	if w[0] != [4]float32{0.25, 0.25, 0.5, 0} || j[0] != [4]uint16{1, 2, 3, 0} {
		t.Errorf("vertex 0: %v %v", j[0], w[0])
	}
	if w[1] != [4]float32{1, 0, 0, 0} || w[2] != [4]float32{1, 0, 0, 0} || j[2] != [4]uint16{} {
		t.Errorf("weightless vertices: %v %v / %v %v", j[1], w[1], j[2], w[2])
	}
}

// TestLazyImage: an image no material uses (here a thumbnail) is decoded
// on demand; a broken one loads, then reports its error on use.
func TestLazyImage(t *testing.T) {
	doc, bin := glbParts(t, encode(t, synthAvatar(true), Version1))
	view := obj(doc, "bufferViews", int(obj(doc, "images", 0, "bufferView").(float64))).(map[string]any)
	off, _ := view["byteOffset"].(float64) // absent when 0
	n := int(view["byteLength"].(float64))
	png := bytes.Clone(bin[int(off) : int(off)+n])
	for len(bin)%4 != 0 {
		bin = append(bin, 0)
	}
	add := func(data []byte) int {
		views := doc["bufferViews"].([]any)
		views = append(views, map[string]any{"buffer": 0.0, "byteOffset": float64(len(bin)), "byteLength": float64(len(data))})
		doc["bufferViews"] = views
		bin = append(bin, data...)
		for len(bin)%4 != 0 {
			bin = append(bin, 0)
		}
		images := doc["images"].([]any)
		doc["images"] = append(images, map[string]any{"bufferView": float64(len(views) - 1), "mimeType": "image/png", "name": "thumb"})
		obj(doc, "buffers", 0).(map[string]any)["byteLength"] = float64(len(bin))
		return len(images)
	}
	meta := obj(doc, "extensions", "VRMC_vrm", "meta").(map[string]any)
	meta["thumbnailImage"] = float64(add(png))
	av, err := Load(bytes.NewReader(makeGLB(t, doc, bin)))
	if err != nil {
		t.Fatal(err)
	}
	th := av.Meta.Thumbnail
	if th != 1 || av.Textures[th].Image != nil {
		t.Fatalf("thumbnail texture %d, decoded %v: want a new texture 1, not decoded yet", th, av.Textures[th].Image != nil)
	}
	if img := av.Thumbnail(); img == nil || img.Bounds().Dx() != 4 {
		t.Errorf("thumbnail %v", img)
	}
	broken := bytes.Clone(png)
	for i := 40; i < len(broken)-12; i++ { // after IHDR: the compressed pixels
		broken[i] ^= 0x5a
	}
	meta["thumbnailImage"] = float64(add(broken))
	av, err = Load(bytes.NewReader(makeGLB(t, doc, bin)))
	if err != nil {
		t.Fatalf("a broken image no material uses should load: %v", err)
	}
	if _, err := av.TextureImage(av.Meta.Thumbnail); err == nil {
		t.Errorf("broken thumbnail decoded without error")
	}
	if av.Thumbnail() != nil {
		t.Errorf("Thumbnail of a broken image should be nil")
	}
	if err := EncodeForTest(io.Discard, av, Version1); err == nil {
		t.Errorf("vrmenc.Encode wrote a broken image without error")
	}
}
