package retarget

import (
	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// UnityTransform is a position and rotation as the VMC protocol sends them,
// in Unity's frame: left-handed, +X right, +Y up, +Z forward (the avatar
// faces +Z), metres. It has the layout of vmc.Vec3.Array and
// vmc.Quat.Array.
type UnityTransform struct {
	Position [3]float32 // metres
	Rotation [4]float32 // unit quaternion x, y, z, w
}

// FromVMC returns t as a UnityTransform (no conversion: both are Unity's
// frame).
func FromVMC(t vmc.Transform) UnityTransform {
	return UnityTransform{Position: t.Position.Array(), Rotation: t.Rotation.Array()}
}

// FromUnityPosition converts a Unity position to the VRM 1.0 frame
// (ReverseX, field notes §3): (x, y, z) → (−x, y, z).
func FromUnityPosition(p [3]float32) mgl32.Vec3 { return mgl32.Vec3{-p[0], p[1], p[2]} }

// FromUnityRotation converts a Unity rotation (x, y, z, w) to the VRM 1.0
// frame (ReverseX, field notes §3): (qx, qy, qz, qw) → (qx, −qy, −qz, qw),
// normalised. A zero or non-finite quaternion gives identity.
func FromUnityRotation(q [4]float32) mgl32.Quat {
	return quat.Normalize(mgl32.Quat{W: q[3], V: mgl32.Vec3{q[0], -q[1], -q[2]}})
}

// FromUnityCamera converts a Unity camera or light transform (which looks
// along its local +Z) to a VRM 1.0-frame position and a rotation that
// looks along local −Z as glTF cameras do: ReverseX, then a 180° turn about
// Y on the right (field notes §3).
func FromUnityCamera(t UnityTransform) (mgl32.Vec3, mgl32.Quat) {
	q := FromUnityRotation(t.Rotation).Mul(mgl32.Quat{W: 0, V: mgl32.Vec3{0, 1, 0}})
	return FromUnityPosition(t.Position), q
}

// Camera is a camera pose in the VRM 1.0 frame, ready for render.CameraAt.
type Camera struct {
	Position mgl32.Vec3 // metres
	Rotation mgl32.Quat // unit; the camera looks along its local −Z with +Y up (glTF)
	FOV      float32    // vertical field of view, degrees
}

// CameraFromUnity converts a Unity camera pose and vertical field of view
// (degrees, as /VMC/Ext/Cam sends it; field notes §1) with FromUnityCamera.
func CameraFromUnity(t UnityTransform, fovDeg float32) Camera {
	p, q := FromUnityCamera(t)
	return Camera{Position: p, Rotation: q, FOV: fovDeg}
}

// CameraFromVMC converts /VMC/Ext/Cam (spec v2.1) with CameraFromUnity.
func CameraFromVMC(c *vmc.Camera) Camera { return CameraFromUnity(FromVMC(c.Transform), c.FOV) }

// Light is a directional light in the VRM 1.0 frame.
type Light struct {
	// Direction is the unit direction the light travels (from the light
	// toward the scene).
	Direction mgl32.Vec3
	// Color is linear RGB, each channel 0–1; VMC sends no intensity (field
	// notes §1), so the renderer scales it.
	Color mgl32.Vec3
}

// LightFromUnity converts a Unity directional light: it shines along its
// local +Z, which FromUnityCamera turns into local −Z (field notes §3). The
// colour, r, g and b as sent (sRGB-encoded, nominally 0–1), is clamped to
// 0–1 and decoded to linear (IEC 61966-2-1, mathx.SRGBToLinear).
func LightFromUnity(t UnityTransform, r, g, b float32) Light {
	_, q := FromUnityCamera(t)
	dec := func(c float32) float32 { return mathx.SRGBToLinear(mathx.Clamp01(c)) }
	return Light{Direction: q.Rotate(mgl32.Vec3{0, 0, -1}), Color: mgl32.Vec3{dec(r), dec(g), dec(b)}}
}

// LightFromVMC converts /VMC/Ext/Light (spec v2.4) with LightFromUnity; the
// colour's alpha is ignored.
func LightFromVMC(l *vmc.Light) Light {
	return LightFromUnity(FromVMC(l.Transform), l.Color.R, l.Color.G, l.Color.B)
}

// PoseFromUnity fills dst's root and bones from a VMC scene, converting
// Unity's frame to the VRM 1.0 frame with ReverseX (field notes §3; UniVRM
// coordinate.md):
//
//	RootPosition  = (−x, y, z)          of root.Position    (/VMC/Ext/Root/Pos)
//	RootRotation  = (qx, −qy, −qz, qw)  of root.Rotation
//	Rotations[b]  = (qx, −qy, −qz, qw)  of bones[b].Rotation for b in received
//	Positions[b]  = (−x, y, z)          of bones[b].Position for b in received
//
// VMC bone rotations are local rotations of the sender's Unity humanoid,
// whose rest rotations are identity (VRM 0.x models are normalized, and
// UniVRM normalizes VRM 1.0 models on import), so after ReverseX they are
// exactly vrm.Pose's normalized rotations. bones is indexed by
// humanoid.Bone, whose values are Unity's HumanBodyBones, as VMC names
// them. A position of exactly (0, 0, 0) is treated as absent: some senders
// (iFacialMocap desktop, ROMP) send all-zero positions (field notes §1).
//
// This is the plain conversion, with none of the Marionette options (see
// Poser). Rotated and Positioned are replaced; the scale, expressions,
// lookAt and options of dst are left as they are. It does not allocate.
func PoseFromUnity(dst *vrm.Pose, root UnityTransform, bones *[humanoid.Count]UnityTransform, received humanoid.Set) {
	dst.RootPosition = FromUnityPosition(root.Position)
	dst.RootRotation = FromUnityRotation(root.Rotation)
	dst.Rotated, dst.Positioned = 0, 0
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		if !received.Has(b) {
			continue
		}
		t := &bones[b]
		dst.Rotations[b] = FromUnityRotation(t.Rotation)
		dst.Rotated = dst.Rotated.With(b)
		if t.Position == ([3]float32{}) {
			continue
		}
		dst.Positions[b] = FromUnityPosition(t.Position)
		dst.Positioned = dst.Positioned.With(b)
	}
}
