package retarget

import (
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// fullBodyFrame is a VirtualMotionCapture-like frame: root, all 55 bones,
// 17 blends.
func fullBodyFrame() *vmc.Frame {
	f := &vmc.Frame{Seq: 1}
	f.Root = vmc.Root{Transform: vmc.Transform{Position: vmc.Vec3{X: 0.1, Y: 0, Z: 0.2}, Rotation: unityAxisAngle(10, 0, 1, 0)}, Scale: vmc.Vec3{X: 1, Y: 1, Z: 1}, Received: true}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		f.Bones[b] = vmc.Transform{Position: vmc.Vec3{X: 0.01, Y: 0.1, Z: 0.01}, Rotation: unityAxisAngle(float64(b), 1, 0, 0)}
		f.BonesReceived = f.BonesReceived.With(b)
	}
	for _, n := range []string{"Neutral", "A", "I", "U", "E", "O", "Blink", "Joy", "Angry", "Sorrow", "Fun", "LookUp", "LookDown", "LookLeft", "LookRight", "Blink_L", "Blink_R"} {
		f.Blends = append(f.Blends, vmc.Blend{Name: n, Value: 0.3})
	}
	return f
}

// BenchmarkPoserUpdate is one frame's scene → pose conversion with
// smoothing and mirror on (no rendering).
func BenchmarkPoserUpdate(b *testing.B) {
	p := NewPoser(loadGodette(b))
	f := fullBodyFrame()
	o := DefaultOptions()
	o.BoneSmoothing, o.BlendSmoothing, o.Mirror = 50*time.Millisecond, 50*time.Millisecond, true
	p.Update(f, o, nil, VMCOnly(), 0)
	b.ReportAllocs()
	for b.Loop() {
		p.Update(f, o, nil, VMCOnly(), 1.0/60)
	}
}
