package vrm

import (
	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// UnityTransform is a position and rotation as the VMC protocol sends them,
// in Unity's frame: left-handed, +X right, +Y up, +Z forward (the avatar
// faces +Z), metres.
type UnityTransform struct {
	Position [3]float32 // metres
	Rotation [4]float32 // unit quaternion x, y, z, w
}

// FromUnityPosition converts a Unity position to the VRM 1.0 frame
// (ReverseX, field notes §3): (x, y, z) → (−x, y, z).
func FromUnityPosition(p [3]float32) mgl32.Vec3 { return mgl32.Vec3{-p[0], p[1], p[2]} }

// FromUnityRotation converts a Unity rotation (x, y, z, w) to the VRM 1.0
// frame (ReverseX, field notes §3): (qx, qy, qz, qw) → (qx, −qy, −qz, qw).
// A zero quaternion gives identity.
func FromUnityRotation(q [4]float32) mgl32.Quat {
	return normQuat(quatXYZW(q[0], -q[1], -q[2], q[3]))
}

// FromUnityCamera converts a Unity camera or light transform (which looks
// along its local +Z) to a VRM 1.0-frame position and a rotation that
// looks along local −Z as glTF cameras do: ReverseX, then a 180° turn about
// Y on the right (field notes §3).
func FromUnityCamera(t UnityTransform) (mgl32.Vec3, mgl32.Quat) {
	q := qmul(FromUnityRotation(t.Rotation), mgl32.Quat{W: 0, V: mgl32.Vec3{0, 1, 0}})
	return FromUnityPosition(t.Position), q
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
// exactly Pose's normalized rotations. bones is indexed by humanoid.Bone,
// whose values are Unity's HumanBodyBones, as VMC names them. A position
// of exactly (0, 0, 0) is treated as absent: some senders (iFacialMocap
// desktop, ROMP) send all-zero positions (field notes §1).
//
// Rotated and Positioned are replaced; the scale, expressions, lookAt and
// options of dst are left as they are. It does not allocate.
func PoseFromUnity(dst *Pose, root UnityTransform, bones *[humanoid.Count]UnityTransform, received humanoid.Set) {
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
