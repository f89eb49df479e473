package render

import (
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
)

func near3(a, b mgl32.Vec3, eps float32) bool {
	return a.Sub(b).Len() <= eps
}

// TestCameraAt: a camera at +Z turned 180° about Y looks back at the
// origin along its local −Z, the avatar's left (+X) on the right of the
// picture. (retarget's tests check VMC cameras through CameraAt.)
func TestCameraAt(t *testing.T) {
	cam := CameraAt(mgl32.Vec3{0, 1.4, 2}, mgl32.QuatIdent(), 30)
	if head := cam.View.Mul4x1(mgl32.Vec4{0, 1.4, 0, 1}); !near3(head.Vec3(), mgl32.Vec3{0, 0, -2}, 1e-5) {
		t.Fatalf("head at %v in view space, want straight ahead 2 m away", head)
	}
	if !near3(cam.Position(), mgl32.Vec3{0, 1.4, 2}, 1e-5) || cam.FOV != 30 {
		t.Fatalf("camera at %v, FOV %v", cam.Position(), cam.FOV)
	}
	turned := CameraAt(mgl32.Vec3{0, 1.4, -2}, mgl32.QuatRotate(math.Pi, mgl32.Vec3{0, 1, 0}), 30)
	if left := turned.View.Mul4x1(mgl32.Vec4{0.5, 1.4, 0, 1}); !(left[0] < -0.4) || !near3(turned.View.Mul4x1(mgl32.Vec4{0, 1.4, 0, 1}).Vec3(), mgl32.Vec3{0, 0, -2}, 1e-5) {
		t.Fatalf("from behind, the avatar's left hand at view x %v, want on the left", left[0])
	}
}

func TestOrbitControls(t *testing.T) {
	o := Orbit{Target: mgl32.Vec3{0, 1, 0}, Distance: 2, FOV: 30}
	if !near3(o.Eye(), mgl32.Vec3{0, 1, 2}, 1e-6) {
		t.Fatalf("eye %v, want in front of the avatar", o.Eye())
	}
	o.Rotate(math.Pi/2, 0)
	if !near3(o.Eye(), mgl32.Vec3{2, 1, 0}, 1e-5) {
		t.Fatalf("after yaw +90°: eye %v, want on the avatar's left (+X)", o.Eye())
	}
	o.Rotate(0, 10)
	if o.Pitch > maxPitch+1e-6 {
		t.Fatalf("pitch %v not clamped", o.Pitch)
	}
	o = Orbit{Target: mgl32.Vec3{0, 1, 0}, Distance: 2, FOV: 30}
	o.Zoom(0.5)
	if o.Distance != 1 {
		t.Fatalf("zoom: distance %v", o.Distance)
	}
	o.Zoom(1e-9)
	if o.Distance != minDistance {
		t.Fatalf("zoom in: distance %v, want the minimum", o.Distance)
	}
	o.Zoom(float32(math.NaN()))
	o.Zoom(-1)
	if o.Distance != minDistance {
		t.Fatal("bad zoom factors changed the distance")
	}
	// Pan right by a tenth of the view height: the target moves along +X
	// (the camera's right when it faces the avatar) by that many metres.
	o = Orbit{Target: mgl32.Vec3{0, 1, 0}, Distance: 2, FOV: 30}
	h := 2 * 2 * float32(math.Tan(15*math.Pi/180))
	o.Pan(0.1, 0.2)
	if !near3(o.Target, mgl32.Vec3{0.1 * h, 1 + 0.2*h, 0}, 1e-5) {
		t.Fatalf("pan: target %v", o.Target)
	}
	// The view is unaffected by the pan apart from the shift.
	c := o.Camera()
	if p := c.View.Mul4x1(o.Target.Vec4(1)); !near3(p.Vec3(), mgl32.Vec3{0, 0, -2}, 1e-5) {
		t.Fatalf("target in view space %v", p)
	}
	// Looking straight down still has a right vector.
	o.Pitch = math.Pi / 2
	o.Pan(0.1, 0)
	if !finite(o.Target[0]) {
		t.Fatal("pan at the pole gave NaN")
	}
}

func TestBoundsAndFrameAvatar(t *testing.T) {
	a, _ := heavyMesh(2000)
	f := poseFrame(a, nil, nil)
	lo, hi, ok := a.Bounds(f)
	if !ok || !near3(lo, mgl32.Vec3{-0.25, 0, -0.25}, 0.01) || !near3(hi, mgl32.Vec3{0.25, 1.6, 0.25}, 0.01) {
		t.Fatalf("bounds %v %v %v", lo, hi, ok)
	}
	for _, aspect := range []float32{16.0 / 9, 1, 0.3} {
		o := FrameAvatar(a, f, 30, aspect, FrameFullBody)
		c := o.Camera()
		proj := mgl32.Perspective(mgl32.DegToRad(c.FOV), aspect, 0.01, 100)
		for i := 0; i < 8; i++ {
			p := mgl32.Vec3{lo[0], lo[1], lo[2]}
			if i&1 != 0 {
				p[0] = hi[0]
			}
			if i&2 != 0 {
				p[1] = hi[1]
			}
			if i&4 != 0 {
				p[2] = hi[2]
			}
			q := proj.Mul4(c.View).Mul4x1(p.Vec4(1))
			x, y := q[0]/q[3], q[1]/q[3]
			if q[3] <= 0 || x < -1 || x > 1 || y < -1 || y > 1 {
				t.Fatalf("aspect %v: corner %v outside the view (%v, %v)", aspect, p, x, y)
			}
		}
		if o.Yaw != 0 || o.Eye()[2] <= 0 {
			t.Fatalf("framing camera at %v, want in front (+Z)", o.Eye())
		}
	}
	// No drawable vertices: a default orbit.
	empty := newAvatar()
	for _, f := range []*vrm.Frame{{}, nil} {
		if o := FrameAvatar(empty, f, 0, 0, FrameBust); o.Distance <= 0 || o.FOV != DefaultFOV {
			t.Fatalf("empty framing %+v", o)
		}
	}
	if o := FrameAvatar(nil, nil, 20, 1, FrameFullBody); o.FOV != 20 {
		t.Fatalf("nil framing %+v", o)
	}
}
