package retarget

import (
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
)

// BenchmarkPoserUpdate is one frame's scene → pose conversion with
// smoothing and mirror on (no rendering).
func BenchmarkPoserUpdate(b *testing.B) {
	p := NewPoser(testavatar.Godette(b))
	f := vmctest.FullBodyFrame()
	o := DefaultOptions()
	o.BoneSmoothing, o.BlendSmoothing, o.Mirror = 50*time.Millisecond, 50*time.Millisecond, true
	p.Update(f, o, nil, VMCOnly(), 0)
	b.ReportAllocs()
	for b.Loop() {
		p.Update(f, o, nil, VMCOnly(), 1.0/60)
	}
}
