package marionette

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/retarget/face"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

// FuzzCheckAutoLoadPath: whatever path a Performer announces, an accepted
// one is an existing regular .vrm file within the size cap.
func FuzzCheckAutoLoadPath(f *testing.F) {
	for _, s := range []string{"", "/", "/etc/passwd", "/dev/null", "/proc/self/mem.vrm", "../../shared/models/Godette.vrm",
		"/tmp/../etc/shadow.vrm", "C:\\Users\\a.vrm", "/x/\x00.vrm", "//server/share/a.VRM", "/tmp/a.vrm/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		real, err := CheckAutoLoadPath(path)
		if err != nil {
			return
		}
		fi, serr := os.Stat(real)
		if serr != nil || !fi.Mode().IsRegular() || fi.Size() > MaxAutoLoadSize || !strings.EqualFold(real[len(real)-4:], ".vrm") {
			t.Fatalf("accepted %q → %q (%v)", path, real, serr)
		}
	})
}

// FuzzIFacialMocapFace: whatever a phone sends that the parser accepts
// (any finite float32: huge angles and positions, any blendshape value in
// 0–1) with any settings and calibration, the face the glue makes gives
// weights in 0–1, unit rotations, and finite node matrices on the default
// avatar.
func FuzzIFacialMocapFace(f *testing.F) {
	av := testavatar.Default(f)
	seed := func(name string) {
		fr := parse(f, fixture(f, name))
		h, p, l, r := fr.HeadRotation, fr.HeadPosition, fr.LeftEye, fr.RightEye
		f.Add(h[0], h[1], h[2], p[0], p[1], p[2], l[0], l[1], r[0], r[1], fr.Blendshapes[arkit.JawOpen], uint16(0), float32(0.06))
	}
	for _, name := range []string{"v1_hapihapi.txt", "v1_official_sample.txt", "v1_trackingstatus_hapihapi.txt"} {
		seed(name)
	}
	f.Add(float32(3e38), float32(-3e38), float32(1e30), float32(1e30), float32(-1e30), float32(3e38),
		float32(1e9), float32(-1e9), float32(180), float32(-720), float32(1), uint16(0xffff), float32(1e-9))
	base := parse(f, fixture(f, "v1_trackingstatus_hapihapi.txt"))
	f.Fuzz(func(t *testing.T, hx, hy, hz, px, py, pz, lx, ly, rx, ry, blend float32, flags uint16, smoothing float32) {
		for _, x := range []float32{hx, hy, hz, px, py, pz, lx, ly, rx, ry, blend, smoothing} {
			if !finite(x) {
				return // Parse never gives a non-finite number
			}
		}
		fr := *base
		fr.HeadRotation, fr.HeadPosition = mgl32.Vec3{hx, hy, hz}, mgl32.Vec3{px, py, pz}
		fr.LeftEye, fr.RightEye = mgl32.Vec3{lx, ly, 0}, mgl32.Vec3{rx, ry, 0}
		for s := range fr.Blendshapes {
			fr.Blendshapes[s] = mathx.Clamp01(blend * float32(s%7) / 6)
		}
		st := face.DefaultSettings()
		st.Mode = face.MappingMode(flags % 3)
		st.Mirror, st.Emotions = flags&4 != 0, flags&8 != 0
		st.Invert.HeadYaw, st.Invert.EyePitch = flags&16 != 0, flags&32 != 0
		st.Smoothing = smoothing
		if flags&64 != 0 {
			st.ChestShare = 0.3
		}
		if flags&128 != 0 {
			st.HeadPositionScale = 1
		}
		var cal face.Calibration
		if flags&256 != 0 {
			cal = face.Calibrate(base)
		}
		src := NewIFacialMocap(st)
		p := retarget.NewPoser(av)
		var fc retarget.Face
		now := time.Unix(1000, 0)
		for range 3 {
			src.mapFace(av, &fr, st, cal, now, &fc)
			p.Update(nil, retarget.DefaultOptions(), &fc, retarget.DefaultFaceMix(), 1.0/60)
			now = now.Add(time.Second / 60)
		}
		for _, s := range append(fc.Slots, fc.Gaze...) {
			if !(s.Weight >= 0 && s.Weight <= 1) || int(s.Index) >= len(av.Expressions) {
				t.Fatalf("slot %+v", s)
			}
		}
		for _, b := range fc.Bones {
			q := b.Rotation
			if l := q.Len(); !(math.Abs(float64(l)-1) < 1e-3) {
				t.Fatalf("%v rotation %v (length %v)", b.Bone, q, l)
			}
		}
		for _, w := range p.Weights(nil) {
			if !(w >= 0 && w <= 1) {
				t.Fatalf("expression weight %v", w)
			}
		}
		for i, m := range vrm.NewRig(av).Pose(p.Pose()).NodeWorld {
			for _, x := range m {
				if !finite(x) {
					t.Fatalf("node %d world matrix not finite: %v", i, m)
				}
			}
		}
	})
}
