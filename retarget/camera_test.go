package retarget_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/retarget"
)

func near3(a, b mgl32.Vec3, eps float32) bool {
	return a.Sub(b).Len() <= eps
}

// cameraFromVMC is what the engine draws a VMC camera with.
func cameraFromVMC(t retarget.UnityTransform, fovDeg float32) render.Camera {
	c := retarget.CameraFromUnity(t, fovDeg)
	return render.CameraAt(c.Position, c.Rotation, c.FOV)
}

// unityCameraSpace maps a Unity world point into a Unity camera's local
// space (left-handed: x right, y up, z forward), the reference the
// converted Camera must agree with.
func unityCameraSpace(camPos mgl32.Vec3, camRot mgl32.Quat, p mgl32.Vec3) mgl32.Vec3 {
	return camRot.Inverse().Rotate(p.Sub(camPos))
}

// unity packs a Unity position and rotation as VMC sends them.
func unity(p mgl32.Vec3, q mgl32.Quat) retarget.UnityTransform {
	return retarget.UnityTransform{Position: p, Rotation: [4]float32{q.V[0], q.V[1], q.V[2], q.W}}
}

func randQuat(rng *rand.Rand) mgl32.Quat {
	q := mgl32.Quat{W: rng.Float32()*2 - 1, V: mgl32.Vec3{rng.Float32()*2 - 1, rng.Float32()*2 - 1, rng.Float32()*2 - 1}}
	return q.Normalize()
}

// TestCameraFromVMCMatchesUnityView converts random Unity camera poses and
// points with field notes §3 (ReverseX, then R180y on the right) and checks
// that every point lands where the Unity camera sees it: same right, same up,
// Unity's forward (+z) becoming −z of our view space.
func TestCameraFromVMCMatchesUnityView(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200; i++ {
		pos := mgl32.Vec3{rng.Float32()*4 - 2, rng.Float32() * 2, rng.Float32()*4 - 2}
		rot := randQuat(rng)
		cam := cameraFromVMC(unity(pos, rot), 40)
		for j := 0; j < 5; j++ {
			pu := mgl32.Vec3{rng.Float32()*4 - 2, rng.Float32() * 2, rng.Float32()*4 - 2}
			want := unityCameraSpace(pos, rot, pu)
			want[2] = -want[2]
			pv := retarget.FromUnityPosition(pu)
			got := cam.View.Mul4x1(pv.Vec4(1)).Vec3()
			if !near3(got, want, 1e-4) {
				t.Fatalf("pose %v %v, point %v: view %v, want %v", pos, rot, pu, got, want)
			}
		}
		if got := cam.Position(); !near3(got, retarget.FromUnityPosition(pos), 1e-4) {
			t.Fatalf("camera position %v, want %v", got, mgl32.Vec3{-pos[0], pos[1], pos[2]})
		}
	}
}

// TestCameraFromVMCFrontView: a Unity camera in front of the avatar (at
// +Z, turned 180° to look back at the origin) sees the avatar's face, its
// left hand (+X in both frames) on the right of the picture.
func TestCameraFromVMCFrontView(t *testing.T) {
	turn := mgl32.QuatRotate(math.Pi, mgl32.Vec3{0, 1, 0})
	cam := cameraFromVMC(unity(mgl32.Vec3{0, 1.4, 2}, turn), 30)
	head := cam.View.Mul4x1(mgl32.Vec4{0, 1.4, 0, 1})
	if !near3(head.Vec3(), mgl32.Vec3{0, 0, -2}, 1e-5) {
		t.Fatalf("head at %v in view space, want straight ahead 2 m away", head)
	}
	left := cam.View.Mul4x1(mgl32.Vec4{0.5, 1.4, 0, 1})
	if !(left[0] > 0.4) {
		t.Fatalf("the avatar's left hand at view x %v, want on the right", left[0])
	}
	if cam.FOV != 30 {
		t.Fatalf("FOV %v", cam.FOV)
	}
}

func TestLightFromUnity(t *testing.T) {
	// A Unity light pitched 90° about X shines straight down.
	l := retarget.LightFromUnity(unity(mgl32.Vec3{5, 5, 5}, mgl32.QuatRotate(math.Pi/2, mgl32.Vec3{1, 0, 0})), 1, 1, 1)
	if !near3(l.Direction, mgl32.Vec3{0, -1, 0}, 1e-5) {
		t.Fatalf("direction %v, want down", l.Direction)
	}
	if l.Color != (mgl32.Vec3{1, 1, 1}) {
		t.Fatalf("white light colour %v", l.Color)
	}
	// Turned 90° about Unity +Y, it shines toward Unity +X, our −X.
	l = retarget.LightFromUnity(unity(mgl32.Vec3{}, mgl32.QuatRotate(math.Pi/2, mgl32.Vec3{0, 1, 0})), 0.5, 0, 1)
	if !near3(l.Direction, mgl32.Vec3{-1, 0, 0}, 1e-5) {
		t.Fatalf("direction %v, want −X", l.Direction)
	}
	if g := l.Color[0]; math.Abs(float64(g)-0.214) > 0.001 {
		t.Fatalf("sRGB 0.5 decoded to %v, want 0.214", g)
	}
}

// TestVMCCameraAndLight: the /VMC/Ext/Cam and /VMC/Ext/Light values as the
// scene holds them convert like their Unity transforms; a light colour out
// of 0–1 is clamped before decoding.
func TestVMCCameraAndLight(t *testing.T) {
	cam := vmc.Camera{Transform: vmc.Transform{Position: vmc.Vec3{X: 0.5, Y: 1.4, Z: -2}, Rotation: vmc.Identity}, FOV: 25, Received: true}
	c := retarget.CameraFromVMC(&cam)
	if c.Position != (mgl32.Vec3{-0.5, 1.4, -2}) || c.FOV != 25 {
		t.Errorf("camera at %v, FOV %v", c.Position, c.FOV)
	}
	if look := c.Rotation.Rotate(mgl32.Vec3{0, 0, -1}); !near3(look, mgl32.Vec3{0, 0, 1}, 1e-6) {
		t.Errorf("camera looks along %v, want +Z", look)
	}
	l := retarget.LightFromVMC(&vmc.Light{Transform: vmc.Transform{Rotation: vmc.Identity}, Color: vmc.Color{R: 2, G: -1, B: 0.5, A: 0.3}})
	if !near3(l.Direction, mgl32.Vec3{0, 0, 1}, 1e-6) {
		t.Errorf("light travels along %v, want +Z", l.Direction)
	}
	if l.Color[0] != 1 || l.Color[1] != 0 || math.Abs(float64(l.Color[2])-0.214) > 0.001 {
		t.Errorf("light colour %v, want (1, 0, 0.214)", l.Color)
	}
}
