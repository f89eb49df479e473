package vmctest

import (
	"math"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// UnityAxisAngle returns the Unity-frame (left-handed, as on the wire)
// rotation of deg degrees about the unit axis (x, y, z).
func UnityAxisAngle(deg float64, x, y, z float32) vmc.Quat {
	s, c := math.Sincos(deg * math.Pi / 360)
	return vmc.Quat{X: x * float32(s), Y: y * float32(s), Z: z * float32(s), W: float32(c)}
}

// RaisedLeftArm is the Unity rotation that lifts a T-pose avatar's left
// upper arm 80° above its rest direction (-80° about Unity Z).
var RaisedLeftArm = UnityAxisAngle(-80, 0, 0, 1)

// Rot returns a bone transform with rotation q and no translation.
func Rot(q vmc.Quat) vmc.Transform { return vmc.Transform{Rotation: q} }

// FrameWith returns a scene frame (Seq 1) with the given bones set and
// marked received.
func FrameWith(bones map[humanoid.Bone]vmc.Transform) *vmc.Frame {
	f := &vmc.Frame{Seq: 1}
	for b, t := range bones {
		f.Bones[b] = t
		f.BonesReceived = f.BonesReceived.With(b)
	}
	return f
}

// FullBodyFrame is a VirtualMotionCapture-like frame for benchmarks: the
// root, all 55 bones (each turned a different angle) and 17 blends at 0.3.
func FullBodyFrame() *vmc.Frame {
	f := &vmc.Frame{Seq: 1}
	f.Root = vmc.Root{Transform: vmc.Transform{Position: vmc.Vec3{X: 0.1, Y: 0, Z: 0.2}, Rotation: UnityAxisAngle(10, 0, 1, 0)}, Scale: vmc.Vec3{X: 1, Y: 1, Z: 1}, Received: true}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		f.Bones[b] = vmc.Transform{Position: vmc.Vec3{X: 0.01, Y: 0.1, Z: 0.01}, Rotation: UnityAxisAngle(float64(b), 1, 0, 0)}
		f.BonesReceived = f.BonesReceived.With(b)
	}
	for _, n := range []string{"Neutral", "A", "I", "U", "E", "O", "Blink", "Joy", "Angry", "Sorrow", "Fun", "LookUp", "LookDown", "LookLeft", "LookRight", "Blink_L", "Blink_R"} {
		f.Blends = append(f.Blends, vmc.Blend{Name: n, Value: 0.3})
	}
	return f
}
