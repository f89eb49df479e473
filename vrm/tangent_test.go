package vrm

import (
	"testing"

	"github.com/go-gl/mathgl/mgl32"
)

// TestTangentsRoundTrip writes TANGENT in both VRM versions and reads it
// back unchanged: VRM 0.x's turn about +Y turns the tangent's xyz and keeps
// its handedness w.
func TestTangentsRoundTrip(t *testing.T) {
	for _, v := range []Version{Version0, Version1} {
		a := synthAvatar(v == Version1)
		p := &a.Meshes[0].Primitives[0]
		p.Tangents = make([]mgl32.Vec4, len(p.Positions))
		for i := range p.Tangents {
			w := float32(1)
			if i%2 == 1 {
				w = -1
			}
			p.Tangents[i] = mgl32.Vec4{0.6, 0, -0.8, w}
		}
		b := reload(t, encode(t, a, v))
		q := b.Meshes[0].Primitives[0].Tangents
		if len(q) != len(p.Tangents) {
			t.Fatalf("version %v: %d tangents read back, want %d", v, len(q), len(p.Tangents))
		}
		for i := range q {
			if !q[i].ApproxEqualThreshold(p.Tangents[i], 1e-6) {
				t.Errorf("version %v: tangent %d = %v, want %v", v, i, q[i], p.Tangents[i])
			}
		}
	}
}
