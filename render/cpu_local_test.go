package render

import (
	"image"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/go-gl/mathgl/mgl32"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCPULocal(t *testing.T) {
	if os.Getenv("CPULOCAL") == "" {
		t.Skip()
	}
	a, c := heavyMesh(100000)
	f := poseFrame(a, nil, nil)
	for _, aa := range []AA{AA4x, AAOff} {
		s := DefaultScene(a, f, c)
		s.AA = aa
		r := New(Options{})
		img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
		r.Render(img, s)
		ibm := a.Skins[0].InverseBindMatrices[1]
		best, bestWall := time.Hour, time.Hour
		for rep := 0; rep < 5; rep++ {
			t0, w0 := cpuTime(), time.Now()
			for i := 0; i < 20; i++ {
				q := mgl32.QuatRotate(0.3+0.2*float32(i%16)/16, mgl32.Vec3{0, 0, 1})
				f.JointPalettes[0][1] = mgl32.Translate3D(0, 0.8, 0).Mul4(q.Mat4()).Mul4(ibm)
				r.Render(img, s)
			}
			best = min(best, (cpuTime()-t0)/20)
			bestWall = min(bestWall, time.Since(w0)/20)
		}
		r.Close()
		t.Logf("%v: %.2f ms CPU/frame, %.2f ms wall/frame (best of 5×20)", aa, float64(best)/1e6, float64(bestWall)/1e6)
	}
}
