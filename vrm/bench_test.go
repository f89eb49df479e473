package vrm

import (
	"bytes"
	"os"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// BenchmarkLoadGodette: parse, check and decode everything, textures
// included (target ≤ 30 ms).
func BenchmarkLoadGodette(b *testing.B) {
	data, err := os.ReadFile(testutil.SharedModel(b, "Godette.vrm"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPoseGodette: every humanoid bone rotated, every expression set
// by name, lookAt at a target, joint palette; spring bones off (target
// ≤ 20 µs, 0 allocs).
func BenchmarkPoseGodette(b *testing.B) {
	av := loadModel(b, "Godette.vrm")
	rg := NewRig(av)
	rg.SetSpringBones(false)
	p := fullPose(av)
	rg.Pose(p)
	b.ReportAllocs()
	for b.Loop() {
		rg.Pose(p)
	}
}

// BenchmarkUpdateGodette is one whole 60 Hz frame: the pose above plus one
// spring-bone step.
func BenchmarkUpdateGodette(b *testing.B) {
	av := loadModel(b, "Godette.vrm")
	rg := NewRig(av)
	p := fullPose(av)
	rg.Update(p, SpringStep)
	b.ReportAllocs()
	for b.Loop() {
		rg.Update(p, SpringStep)
	}
}

// BenchmarkSpringStepGodette: one 60 Hz spring-bone step of Godette's 8
// chains with their colliders (target ≤ 20 µs).
func BenchmarkSpringStepGodette(b *testing.B) {
	av := loadModel(b, "Godette.vrm")
	rg := NewRig(av)
	p := fullPose(av)
	rg.Update(p, SpringStep)
	b.ReportAllocs()
	for b.Loop() {
		rg.spring.update(rg, SpringStep)
	}
}
