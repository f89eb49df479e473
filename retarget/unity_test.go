package retarget

import (
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// unityAngleAxis is Unity's Quaternion.AngleAxis for a unit axis, as the
// [x, y, z, w] array VMC carries. In Unity's left-handed frame
// AngleAxis(90, forward) turns right into up.
func unityAngleAxis(deg float64, axis [3]float32) [4]float32 {
	s, c := math.Sincos(deg * math.Pi / 360)
	return [4]float32{axis[0] * float32(s), axis[1] * float32(s), axis[2] * float32(s), float32(c)}
}

func TestPoseFromUnity(t *testing.T) {
	var bones [humanoid.Count]UnityTransform
	for b := range bones {
		bones[b].Rotation = [4]float32{0, 0, 0, 1}
	}
	// A Unity avatar faces +Z with its left arm along −X; AngleAxis(90, +Z)
	// turns −X into −Y: the arm hangs down.
	bones[humanoid.LeftUpperArm].Rotation = unityAngleAxis(90, [3]float32{0, 0, 1})
	bones[humanoid.Hips].Position = [3]float32{0.1, 0.9, 0.2}
	received := humanoid.Set(0).With(humanoid.Hips).With(humanoid.LeftUpperArm).With(humanoid.Head)
	// Turning the root 90° about Unity's up makes the avatar face Unity +X,
	// its own right.
	root := UnityTransform{Position: [3]float32{1, 0, 2}, Rotation: unityAngleAxis(90, [3]float32{0, 1, 0})}

	var p vrm.Pose
	p.Expressions = []vrm.ExpressionWeight{{Name: "happy", Weight: 1}}
	PoseFromUnity(&p, root, &bones, received)
	if p.Rotated != received || p.Positioned != humanoid.Set(0).With(humanoid.Hips) {
		t.Fatalf("rotated %v, positioned %v", p.Rotated.Bones(), p.Positioned.Bones())
	}
	if len(p.Expressions) != 1 {
		t.Errorf("expressions were touched")
	}
	if p.RootPosition != (mgl32.Vec3{-1, 0, 2}) || p.Positions[humanoid.Hips] != (mgl32.Vec3{-0.1, 0.9, 0.2}) {
		t.Errorf("root %v, hips %v", p.RootPosition, p.Positions[humanoid.Hips])
	}
	// Facing its right means facing −X in the VRM 1.0 frame.
	if fwd := p.RootRotation.Rotate(mgl32.Vec3{0, 0, 1}); !testavatar.VecNear(fwd, mgl32.Vec3{-1, 0, 0}, 1e-6) {
		t.Errorf("root forward %v, want (−1, 0, 0)", fwd)
	}
	// On a real avatar (T-pose at rest, the arms along ±X) the left hand
	// then hangs straight under the shoulder.
	av := testavatar.Default(t)
	rest := vrm.NewRig(av).Pose(nil)
	shoulder, _ := av.BonePosition(rest, humanoid.LeftUpperArm)
	hand, _ := av.BonePosition(rest, humanoid.LeftHand)
	length := hand.Sub(shoulder).Len()
	var q vrm.Pose
	PoseFromUnity(&q, UnityTransform{Rotation: [4]float32{0, 0, 0, 1}}, &bones, humanoid.Set(0).With(humanoid.LeftUpperArm))
	f := vrm.NewRig(av).Pose(&q)
	if got, _ := av.BonePosition(f, humanoid.LeftHand); !testavatar.VecNear(got, shoulder.Sub(mgl32.Vec3{0, length, 0}), 1e-3) {
		t.Errorf("left hand at %v, want %v (arm down from the shoulder at %v)", got, shoulder.Sub(mgl32.Vec3{0, length, 0}), shoulder)
	}
	// All-zero hips positions are not positions.
	bones[humanoid.Hips].Position = [3]float32{}
	PoseFromUnity(&p, root, &bones, received)
	if p.Positioned.Has(humanoid.Hips) {
		t.Errorf("zero hips position taken as a position")
	}
	// Identity rotations and zero quaternions are identity.
	if q := FromUnityRotation([4]float32{}); q != mgl32.QuatIdent() {
		t.Errorf("zero quaternion → %v", q)
	}
}

func TestFromUnityCamera(t *testing.T) {
	// A Unity camera 2 m in front of the avatar's back, looking along +Z,
	// looks along +Z here too: its glTF −Z axis maps to +Z.
	pos, rot := FromUnityCamera(UnityTransform{Position: [3]float32{0.5, 1.4, -2}, Rotation: [4]float32{0, 0, 0, 1}})
	if pos != (mgl32.Vec3{-0.5, 1.4, -2}) {
		t.Errorf("position %v", pos)
	}
	if look := rot.Rotate(mgl32.Vec3{0, 0, -1}); !testavatar.VecNear(look, mgl32.Vec3{0, 0, 1}, 1e-6) {
		t.Errorf("camera looks along %v, want +Z", look)
	}
	// Turned 90° about Unity up, it looks along Unity +X: −X here.
	_, rot = FromUnityCamera(UnityTransform{Rotation: unityAngleAxis(90, [3]float32{0, 1, 0})})
	if look := rot.Rotate(mgl32.Vec3{0, 0, -1}); !testavatar.VecNear(look, mgl32.Vec3{-1, 0, 0}, 1e-6) {
		t.Errorf("turned camera looks along %v, want −X", look)
	}
}
