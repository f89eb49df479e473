package retarget

import (
	"bytes"
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// defaultAvatar loads the embedded default avatar: VRM 1.0, all 55 bones in
// T-pose, the VRM presets and the 52 ARKit expressions (Perfect Sync),
// lookAt type bone.
func defaultAvatar(t testing.TB) *vrm.Model {
	t.Helper()
	av, err := vrm.Load(bytes.NewReader(assets.DefaultVRM()))
	if err != nil {
		t.Fatal(err)
	}
	return av
}

// godettePath returns the path of ../shared/models/Godette.vrm, or skips
// the test when the sample models are missing (testutil.SharedModel).
func godettePath(t testing.TB) string {
	t.Helper()
	return testutil.SharedModel(t, "Godette.vrm")
}

// loadGodette loads a fresh copy of Godette (VRM 0.x, CC-BY 3.0
// "Low-Poly Godette" by SirRichard94, VRM by Lyuma).
func loadGodette(t testing.TB) *vrm.Model {
	t.Helper()
	av, err := vrm.LoadFile(godettePath(t))
	if err != nil {
		t.Fatalf("load Godette: %v", err)
	}
	return av
}

// unityAxisAngle returns a Unity-frame rotation of deg degrees about axis.
func unityAxisAngle(deg float64, x, y, z float32) vmc.Quat {
	s, c := math.Sincos(deg * math.Pi / 360)
	return vmc.Quat{X: x * float32(s), Y: y * float32(s), Z: z * float32(s), W: float32(c)}
}

// raisedLeftArm is the Unity rotation that lifts Godette's left upper arm
// 80° above its rest (T-pose) direction.
var raisedLeftArm = unityAxisAngle(-80, 0, 0, 1)

// frameWith returns a scene frame with the given bones set.
func frameWith(bones map[humanoid.Bone]vmc.Transform) *vmc.Frame {
	f := &vmc.Frame{Seq: 1}
	for b, t := range bones {
		f.Bones[b] = t
		f.BonesReceived = f.BonesReceived.With(b)
	}
	return f
}

func rot(q vmc.Quat) vmc.Transform { return vmc.Transform{Rotation: q} }

func quatNear(a, b mgl32.Quat, eps float32) bool {
	return abs32(abs32(a.Dot(b))-1) < eps
}

func vecNear(a, b mgl32.Vec3, eps float32) bool { return a.Sub(b).Len() < eps }

func near(a, b mgl32.Vec3, tol float32) bool { return a.Sub(b).Len() <= tol }
