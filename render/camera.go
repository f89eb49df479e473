package render

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// CameraAt returns the Camera at position p with rotation q, VRM 1.0
// frame, metres, with vertical field of view fovDeg degrees. The camera
// looks along its local −Z with +Y up, as glTF cameras do (a VMC camera
// gets there through retarget.CameraFromVMC, field notes §3); its world
// matrix is T(p)·R(q) and View is its inverse.
func CameraAt(p mgl32.Vec3, q mgl32.Quat, fovDeg float32) Camera {
	world := mgl32.Translate3D(p[0], p[1], p[2]).Mul4(q.Normalize().Mat4())
	return Camera{View: rigidInverse(world), FOV: fovDeg, Near: DefaultNear, Far: DefaultFar}
}

// rigidInverse inverts a rotation + translation matrix.
func rigidInverse(m mgl32.Mat4) mgl32.Mat4 {
	r := m.Mat3().Transpose()
	t := r.Mul3x1(mgl32.Vec3{m[12], m[13], m[14]}).Mul(-1)
	out := r.Mat4()
	out[12], out[13], out[14] = t[0], t[1], t[2]
	return out
}

// Orbit is an orbit camera: it looks at Target from Distance metres away, in
// the direction given by Yaw and Pitch. It maps onto mouse controls: drag to
// Rotate, wheel to Zoom, drag with a modifier to Pan.
type Orbit struct {
	Target   mgl32.Vec3 // point looked at, VRM 1.0 frame, metres
	Yaw      float32    // radians about +Y; 0 puts the camera on +Z, in front of the avatar
	Pitch    float32    // radians; positive puts the camera above the target, looking down
	Distance float32    // metres from the target
	FOV      float32    // vertical field of view, degrees
}

// Pitch and distance limits of an Orbit.
const (
	maxPitch    = 89 * math.Pi / 180
	minDistance = 0.05
	maxDistance = 1000
)

// Camera returns the orbit's camera.
func (o Orbit) Camera() Camera {
	return Camera{View: mgl32.LookAtV(o.Eye(), o.Target, mgl32.Vec3{0, 1, 0}), FOV: o.FOV, Near: DefaultNear, Far: DefaultFar}
}

// Eye returns the camera position, world frame, metres.
func (o Orbit) Eye() mgl32.Vec3 {
	sy, cy := math.Sincos(float64(o.Yaw))
	sp, cp := math.Sincos(float64(mathx.Clamp(o.Pitch, -maxPitch, maxPitch)))
	dir := mgl32.Vec3{float32(sy * cp), float32(sp), float32(cy * cp)}
	return o.Target.Add(dir.Mul(o.Distance))
}

// Rotate turns the camera about the target: dYaw radians about +Y (positive
// moves the camera toward the avatar's left, +X) and dPitch radians up;
// the pitch stays within ±89°.
func (o *Orbit) Rotate(dYaw, dPitch float32) {
	o.Yaw = float32(math.Remainder(float64(o.Yaw+dYaw), 2*math.Pi))
	o.Pitch = mathx.Clamp(o.Pitch+dPitch, -maxPitch, maxPitch)
}

// Zoom multiplies the distance by factor (< 1 moves closer), within
// 5 cm … 1 km.
func (o *Orbit) Zoom(factor float32) {
	if !(factor > 0) || !finite(factor) {
		return
	}
	o.Distance = mathx.Clamp(o.Distance*factor, minDistance, maxDistance)
}

// Pan moves the target in the view plane by dx, dy fractions of the view
// height at the target's distance (positive dx moves the view right, dy up),
// so a mouse drag of n pixels in a viewport h pixels high maps to n/h.
func (o *Orbit) Pan(dx, dy float32) {
	if !finite(dx) || !finite(dy) {
		return
	}
	h := 2 * o.Distance * float32(math.Tan(float64(o.fov())*math.Pi/360))
	fwd := o.Target.Sub(o.Eye()).Normalize()
	right := fwd.Cross(mgl32.Vec3{0, 1, 0})
	if right.Len() < 1e-6 {
		right = mgl32.Vec3{-1, 0, 0}
	}
	right = right.Normalize()
	up := right.Cross(fwd)
	o.Target = o.Target.Add(right.Mul(dx * h)).Add(up.Mul(dy * h))
}

func (o Orbit) fov() float32 {
	if !(o.FOV > 0 && o.FOV < 180) {
		return DefaultFOV
	}
	return o.FOV
}

// Framing is which part of the avatar FrameAvatar fits in view.
type Framing uint8

// Framings.
const (
	FrameFullBody Framing = iota // the whole avatar, head to toe
	FrameBust                    // head and chest
)

// FrameAvatar returns an Orbit in front of the avatar (Yaw 0: looking at its
// face, along −Z) that fits the chosen part of its posed bounds
// (vrm.Model.Bounds) in a viewport of the given aspect ratio (width/height)
// with a small margin. The full body is centred on its bounding box; the
// bust shows from the chest (upper chest, else chest bone) to the top of
// the bounds.
// fovDeg ≤ 0 uses DefaultFOV. It walks every vertex: call it when framing,
// not per frame.
func FrameAvatar(a *vrm.Model, f *vrm.Frame, fovDeg, aspect float32, part Framing) Orbit {
	o := Orbit{FOV: fovDeg, Distance: 3, Target: mgl32.Vec3{0, 1, 0}}
	o.FOV = o.fov()
	if !(aspect > 0) || !finite(aspect) {
		aspect = 1
	}
	if a == nil || f == nil {
		return o
	}
	lo, hi, ok := a.Bounds(f)
	if !ok || !finite(lo.Len()) || !finite(hi.Len()) {
		return o
	}
	centre := lo.Add(hi).Mul(0.5)
	height := hi[1] - lo[1]
	width := max(hi[0]-lo[0], 1e-3)
	depth := hi[2] - lo[2]
	if part == FrameBust {
		chest, ok := bone(a, f, humanoid.UpperChest, humanoid.Chest)
		if !ok {
			chest = mgl32.Vec3{centre[0], lo[1] + 0.7*height, centre[2]}
		}
		top := hi[1] // the top of the head (or of raised hands)
		o.Target = mgl32.Vec3{chest[0], (chest[1] + top) / 2, chest[2]}
		height = max((top-chest[1])*1.35, 0.2)
		width = min(width, height*1.2)
		depth = min(depth, 0.4)
	} else {
		o.Target = centre
	}
	t := float32(math.Tan(float64(o.FOV) * math.Pi / 360))
	need := max(height/2, width/2/aspect) * 1.1
	o.Distance = mathx.Clamp(need/t+depth/2, minDistance, maxDistance)
	return o
}

// bone returns the world position of bone b, or of alt when b is missing.
func bone(a *vrm.Model, f *vrm.Frame, b, alt humanoid.Bone) (mgl32.Vec3, bool) {
	if p, ok := a.BonePosition(f, b); ok {
		return p, true
	}
	return a.BonePosition(f, alt)
}
