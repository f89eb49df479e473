package cli

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// bvhWriter collects the frames of a BVH (Biovision Hierarchy) export: the
// avatar's humanoid bones as joints named by their VRM 1.0 names, OFFSETs
// from the rest pose in metres in the VRM 1.0 frame (Y up, the avatar
// facing +Z, right-handed — BVH's usual axes), no rest rotations (the
// normalized rig, so each joint's rotation is the bone's normalized
// rotation), Hips with Xposition Yposition Zposition (the absolute hips
// position; its OFFSET is 0) and every joint with Zrotation Xrotation
// Yrotation in degrees (R = Rz·Rx·Ry). The root transform is folded into
// the hips, as for VRM Animation.
type bvhWriter struct {
	present humanoid.Set
	rest    [humanoid.Count]mgl32.Vec3
	order   []humanoid.Bone // depth-first, as HIERARCHY lists them
	kids    map[humanoid.Bone][]humanoid.Bone
	fps     float64
	frames  int
	motion  strings.Builder
}

func newBVH(av *vrm.Model, fps float64) *bvhWriter {
	w := &bvhWriter{fps: fps}
	f := vrm.NewRig(av).Pose(nil)
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		if n := av.Humanoid.Node(b); n >= 0 {
			w.present = w.present.With(b)
			w.rest[b] = f.NodeWorld[n].Col(3).Vec3()
		}
	}
	w.kids = map[humanoid.Bone][]humanoid.Bone{}
	for _, b := range humanoid.Order(w.present) {
		if p := b.ParentIn(w.present); p != humanoid.None {
			w.kids[p] = append(w.kids[p], b)
		}
	}
	var walk func(b humanoid.Bone)
	walk = func(b humanoid.Bone) {
		w.order = append(w.order, b)
		for _, c := range w.kids[b] {
			walk(c)
		}
	}
	if w.present.Has(humanoid.Hips) {
		walk(humanoid.Hips)
	}
	return w
}

// add appends the frame of pose p.
func (w *bvhWriter) add(_ float32, p *vrm.Pose) error {
	rootRot := unitQuat(p.RootRotation)
	scale := p.RootScale
	if !(scale > 0) || math.IsInf(float64(scale), 0) {
		scale = 1
	}
	hips := w.rest[humanoid.Hips]
	if p.Positioned.Has(humanoid.Hips) && finiteVec(p.Positions[humanoid.Hips]) {
		hips = p.Positions[humanoid.Hips]
	}
	hips = rootRot.Rotate(hips.Mul(scale))
	if finiteVec(p.RootPosition) {
		hips = hips.Add(p.RootPosition)
	}
	m := &w.motion
	fmt.Fprintf(m, "%.6f %.6f %.6f", hips[0], hips[1], hips[2])
	for _, b := range w.order {
		q := mgl32.QuatIdent()
		if p.Rotated.Has(b) {
			q = unitQuat(p.Rotations[b])
		}
		if b == humanoid.Hips {
			q = unitQuat(rootRot.Mul(q))
		}
		z, x, y := eulerZXY(q)
		fmt.Fprintf(m, " %.6f %.6f %.6f", z, x, y)
	}
	m.WriteByte('\n')
	w.frames++
	return nil
}

// unitQuat returns q normalized, or the identity for a quaternion that is
// not finite or too short to have a direction.
func unitQuat(q mgl32.Quat) mgl32.Quat {
	l := q.Len()
	if !(l > 1e-6) || math.IsInf(float64(l), 0) {
		return mgl32.QuatIdent()
	}
	return q.Scale(1 / l)
}

func finiteVec(v mgl32.Vec3) bool {
	return !math.IsNaN(float64(v[0]+v[1]+v[2])) && !math.IsInf(float64(v[0]+v[1]+v[2]), 0)
}

// eulerZXY returns the angles, degrees, with q = Rz(z)·Rx(x)·Ry(y).
func eulerZXY(q mgl32.Quat) (z, x, y float64) {
	m := q.Mat4() // q is a unit quaternion
	// m.At(row, col); R = Rz·Rx·Ry has R[2][1] = sin x.
	m21, m22 := float64(m.At(2, 1)), float64(m.At(2, 2))
	m20, m01, m11, m10, m00 := float64(m.At(2, 0)), float64(m.At(0, 1)), float64(m.At(1, 1)), float64(m.At(1, 0)), float64(m.At(0, 0))
	x = math.Asin(max(-1, min(1, m21)))
	if math.Abs(m21) < 0.9999999 {
		y = math.Atan2(-m20, m22)
		z = math.Atan2(-m01, m11)
	} else {
		z = math.Atan2(m10, m00)
	}
	const deg = 180 / math.Pi
	return z * deg, x * deg, y * deg
}

func (w *bvhWriter) write(out io.Writer) error {
	bw := bufio.NewWriter(out)
	fmt.Fprintln(bw, "HIERARCHY")
	var joint func(b humanoid.Bone, depth int)
	joint = func(b humanoid.Bone, depth int) {
		ind := strings.Repeat("\t", depth)
		off := mgl32.Vec3{}
		if p := b.ParentIn(w.present); p != humanoid.None {
			off = w.rest[b].Sub(w.rest[p])
		}
		if b == humanoid.Hips {
			fmt.Fprintf(bw, "ROOT %s\n{\n\tOFFSET 0 0 0\n\tCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n", b.VRM1Name())
		} else {
			fmt.Fprintf(bw, "%sJOINT %s\n%s{\n%s\tOFFSET %.6f %.6f %.6f\n%s\tCHANNELS 3 Zrotation Xrotation Yrotation\n",
				ind, b.VRM1Name(), ind, ind, off[0], off[1], off[2], ind)
		}
		kids := w.kids[b]
		if len(kids) == 0 {
			// End Site: a short stub along the bone's direction.
			tip := off.Mul(0.5)
			if tip.Len() < 1e-4 {
				tip = mgl32.Vec3{0, 0.05, 0}
			}
			fmt.Fprintf(bw, "%s\tEnd Site\n%s\t{\n%s\t\tOFFSET %.6f %.6f %.6f\n%s\t}\n", ind, ind, ind, tip[0], tip[1], tip[2], ind)
		}
		for _, c := range kids {
			joint(c, depth+1)
		}
		fmt.Fprintf(bw, "%s}\n", ind)
	}
	if !w.present.Has(humanoid.Hips) {
		return fmt.Errorf("bvh: the avatar has no hips")
	}
	joint(humanoid.Hips, 0) // depth-first: w.order, the MOTION column order
	fmt.Fprintf(bw, "MOTION\nFrames: %d\nFrame Time: %.8f\n", w.frames, 1/w.fps)
	bw.WriteString(w.motion.String())
	return bw.Flush()
}
