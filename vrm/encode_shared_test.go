package vrm

import (
	"slices"
	"testing"
)

// TestEncodeSharedVertexBuffer writes a mesh laid out as UniVRM and VRoid
// Studio write them — two primitives over one vertex buffer, each using half
// of it — and checks that the file shares the accessors too and that the
// avatar loads back with the same geometry, in both versions.
func TestEncodeSharedVertexBuffer(t *testing.T) {
	for _, v := range []Version{Version0, Version1} {
		av := synthAvatar(false)
		p := av.Meshes[0].Primitives[0]
		half := len(p.Indices) / 6 * 3
		a, b := p, p
		a.Indices, b.Indices = p.Indices[:half], p.Indices[half:]
		av.Meshes[0].Primitives = []Primitive{a, b}
		data := encode(t, av, v)
		doc, _ := glbParts(t, data)
		prims := obj(doc, "meshes", 0, "primitives").([]any)
		for _, attr := range []string{"POSITION", "NORMAL", "JOINTS_0", "WEIGHTS_0"} {
			if x, y := obj(prims[0], "attributes", attr), obj(prims[1], "attributes", attr); x == nil || x != y {
				t.Errorf("%v: %s accessors %v and %v, want one shared", v, attr, x, y)
			}
		}
		if x, y := obj(prims[0], "targets", 0, "POSITION"), obj(prims[1], "targets", 0, "POSITION"); x != y {
			t.Errorf("%v: morph target accessors %v and %v, want one shared", v, x, y)
		}
		if x, y := obj(prims[0], "indices"), obj(prims[1], "indices"); x == y {
			t.Errorf("%v: both primitives use index accessor %v", v, x)
		}
		got := reload(t, data)
		for k, want := range []Primitive{a, b} {
			q := got.Meshes[0].Primitives[k]
			if !slices.Equal(q.Indices, want.Indices) || len(q.Positions) != len(want.Positions) {
				t.Fatalf("%v: primitive %d: %d indices over %d vertices, want %d over %d", v, k, len(q.Indices), len(q.Positions), len(want.Indices), len(want.Positions))
			}
			for i := range q.Positions {
				if q.Positions[i].Sub(want.Positions[i]).Len() > 1e-6 {
					t.Fatalf("%v: primitive %d vertex %d at %v, want %v", v, k, i, q.Positions[i], want.Positions[i])
				}
			}
		}
	}
}
