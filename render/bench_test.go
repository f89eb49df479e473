package render

import (
	"image"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
)

// reportFrameMetrics adds triangles and pixels per second to a benchmark
// that renders one w×h frame of tris triangles per iteration.
func reportFrameMetrics(b *testing.B, tris, w, h int) {
	s := b.Elapsed().Seconds()
	if s <= 0 {
		return
	}
	b.ReportMetric(float64(tris)*float64(b.N)/s/1e6, "Mtriangles/s")
	b.ReportMetric(float64(w*h)*float64(b.N)/s/1e6, "Mpixels/s")
	b.ReportMetric(s*1e3/float64(b.N), "ms/frame")
}

func triangles(a *vrm.Model) int {
	n := 0
	for _, m := range a.Meshes {
		for _, p := range m.Primitives {
			n += len(p.Indices) / 3
		}
	}
	return n
}

// BenchmarkRenderHeavy720p draws a synthetic 100 000-triangle textured,
// skinned MToon mesh at 1280×720 (4× AA), its upper bone moving every
// frame. Run with GOMAXPROCS=2 for the target setting (≤ 16 ms/frame).
func BenchmarkRenderHeavy720p(b *testing.B) {
	a, c := heavyMesh(100000)
	benchHeavy(b, a, c, AA4x)
}

// BenchmarkRenderHeavy720pAAOff is BenchmarkRenderHeavy720p with one sample
// per pixel.
func BenchmarkRenderHeavy720pAAOff(b *testing.B) {
	a, c := heavyMesh(100000)
	benchHeavy(b, a, c, AAOff)
}

func benchHeavy(b *testing.B, a *vrm.Model, c Camera, aa AA) {
	f := poseFrame(a, nil, nil)
	s := DefaultScene(a, f, c)
	s.AA = aa
	r := New(Options{})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	r.Render(img, s)
	ibm := a.Skins[0].InverseBindMatrices[1]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		// Pose: bend the upper bone a little differently each frame.
		q := mgl32.QuatRotate(0.3+0.2*float32(i%16)/16, mgl32.Vec3{0, 0, 1})
		f.JointPalettes[0][1] = mgl32.Translate3D(0, 0.8, 0).Mul4(q.Mat4()).Mul4(ibm)
		r.Render(img, s)
	}
	reportFrameMetrics(b, triangles(a), 1280, 720)
}
