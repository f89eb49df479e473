package vrm

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// lookState is the lookAt result of the last frame.
type lookState struct {
	yaw, pitch float32 // degrees, lookAt space
	active     bool
}

// Map applies the range map to an angle's magnitude (lookAt.md "RangeMap"):
// OutputScale · min(|in|, InputMaxValue) / InputMaxValue.
func (r RangeMap) Map(in float32) float32 {
	if !(r.InputMaxValue > 0) {
		return 0
	}
	a := float32(math.Abs(float64(in)))
	if !(a < r.InputMaxValue) { // also NaN
		a = r.InputMaxValue
	}
	return r.OutputScale * a / r.InputMaxValue
}

// lookAtSpace returns the lookAt space's world origin and its rotation (the
// head's current world rotation times the inverse of its rest world
// rotation), from the current NodeWorld. ok is false without a head.
func (rg *Rig) lookAtSpace() (origin mgl32.Vec3, rot mgl32.Mat3, ok bool) {
	h := rg.rd.bones[humanoid.Head].node
	if h < 0 {
		return origin, rot, false
	}
	w := &rg.frame.NodeWorld[h]
	origin = transformPoint(w, rg.m.LookAt.OffsetFromHeadBone)
	c0 := mgl32.Vec3{w[0], w[1], w[2]}.Normalize()
	c1 := mgl32.Vec3{w[4], w[5], w[6]}.Normalize()
	c2 := mgl32.Vec3{w[8], w[9], w[10]}.Normalize()
	head := mgl32.Mat3FromCols(c0, c1, c2)
	rest := rg.rd.restRot[h].Mat4().Mat3()
	return origin, head.Mul3(rest.Transpose()), true
}

// YawPitch returns the yaw and pitch in degrees (lookAt.md "Yaw and Pitch in
// lookAt space": yaw = atan2(x, z), pitch = atan2(−y, √(x²+z²)); yaw > 0
// left, pitch > 0 down) at which the avatar, as the Rig last posed it (at
// rest before the first Pose), would look at the world position target.
func (rg *Rig) YawPitch(target mgl32.Vec3) (yaw, pitch float32, ok bool) {
	if !rg.posed {
		rg.Pose(nil)
	}
	origin, rot, ok := rg.lookAtSpace()
	if !ok {
		return 0, 0, false
	}
	yaw, pitch = yawPitch(rot.Transpose().Mul3x1(target.Sub(origin)))
	return yaw, pitch, true
}

func yawPitch(d mgl32.Vec3) (yaw, pitch float32) {
	const deg = 180 / math.Pi
	yaw = float32(math.Atan2(float64(d[0]), float64(d[2])) * deg)
	pitch = float32(math.Atan2(float64(-d[1]), math.Hypot(float64(d[0]), float64(d[2]))) * deg)
	return yaw, pitch
}

// eyeRotation is lookAt.md's Quaternion.from_YXZEuler(yaw, pitch, 0) for
// degrees: rotate about X by pitch, then about Y by yaw.
func eyeRotation(yaw, pitch float32) mgl32.Quat {
	y := mgl32.QuatRotate(mgl32.DegToRad(yaw), mgl32.Vec3{0, 1, 0})
	x := mgl32.QuatRotate(mgl32.DegToRad(pitch), mgl32.Vec3{1, 0, 0})
	return qmul(y, x)
}

// applyLookAt aims the eyes when the pose asks for it: bone type rotates
// the normalized leftEye/rightEye bones, expression type sets the lookUp,
// lookDown, lookLeft and lookRight weights (lookAt.md "Apply Yaw and
// Pitch").
func (rg *Rig) applyLookAt(p *Pose) {
	rg.look.active = false
	rg.expr.lookSet = [4]bool{}
	if p == nil || p.LookAt.Mode == LookAtOff {
		return
	}
	yaw, pitch := p.LookAt.Yaw, p.LookAt.Pitch
	if p.LookAt.Mode == LookAtTarget {
		origin, rot, ok := rg.lookAtSpace()
		if !ok || !finiteVec3(p.LookAt.Target) {
			return
		}
		yaw, pitch = yawPitch(rot.Transpose().Mul3x1(p.LookAt.Target.Sub(origin)))
	}
	if !finite32(yaw) || !finite32(pitch) {
		return
	}
	rg.look = lookState{yaw: yaw, pitch: pitch, active: true}
	la := &rg.m.LookAt
	var vert float32
	if pitch > 0 {
		vert = la.VerticalDown.Map(pitch)
	} else {
		vert = -la.VerticalUp.Map(pitch)
	}
	if la.Type == LookAtExpression {
		e := &rg.expr
		e.lookSet = [4]bool{true, true, true, true}
		e.look = [4]float32{} // up, down, left, right
		if yaw > 0 {
			e.look[2] = la.HorizontalOuter.Map(yaw)
		} else {
			e.look[3] = la.HorizontalOuter.Map(yaw)
		}
		if pitch > 0 {
			e.look[1] = la.VerticalDown.Map(pitch)
		} else {
			e.look[0] = la.VerticalUp.Map(pitch)
		}
		return
	}
	for _, eye := range [2]humanoid.Bone{humanoid.LeftEye, humanoid.RightEye} {
		node := rg.rd.bones[eye].node
		if node < 0 {
			continue
		}
		// The left eye turns outward (outer range) looking left, the right
		// eye inward.
		outer, inner := la.HorizontalOuter, la.HorizontalInner
		if eye == humanoid.RightEye {
			outer, inner = inner, outer
		}
		var h float32
		if yaw > 0 {
			h = outer.Map(yaw)
		} else {
			h = -inner.Map(yaw)
		}
		rg.r[node] = rg.rd.normalizedToLocal(eye, eyeRotation(h, vert))
		rg.computeSubtree(node)
	}
}
