package retarget

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// FuzzMirrorName: a name with a side gets the other side (a different
// name that itself has a side); nothing panics.
func FuzzMirrorName(f *testing.F) {
	for _, s := range []string{"Blink_L", "blinkLeft", "eyeLookInRight", "leftright", "_r", "Left", "RightLeft_x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		m, ok := mirrorName(name)
		if !ok {
			return
		}
		if m == name || len(m) < len(name)-1 || len(m) > len(name)+1 {
			t.Fatalf("mirrorName(%q) = %q", name, m)
		}
		if _, ok := mirrorName(m); !ok {
			t.Fatalf("mirrorName(%q) = %q, which has no side", name, m)
		}
	})
}

// FuzzPoser: any numbers a Performer sends — NaN, infinities, huge or
// unnormalised quaternions, any options — give a finite pose and finite
// node matrices.
func FuzzPoser(f *testing.F) {
	av, err := vrm.LoadFile(testavatar.GodettePath(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{0}, uint16(0))
	f.Add([]byte{0x7f, 0xc0, 0, 0, 0xff, 0x80, 0, 0}, uint16(0xffff))
	f.Fuzz(func(t *testing.T, data []byte, flags uint16) { fuzzPoser(t, av, data, flags) })
}

func fuzzPoser(t *testing.T, av *vrm.Model, data []byte, flags uint16) {
	{
		next := func() float32 {
			if len(data) < 4 {
				return 1
			}
			v := math.Float32frombits(binary.BigEndian.Uint32(data))
			data = data[4:]
			return v
		}
		fr := &vmc.Frame{Seq: 1}
		fr.Root = vmc.Root{Transform: vmc.Transform{Position: vmc.Vec3{X: next(), Y: next(), Z: next()},
			Rotation: vmc.Quat{X: next(), Y: next(), Z: next(), W: next()}},
			Scale: vmc.Vec3{X: next(), Y: next(), Z: next()}, Offset: vmc.Vec3{X: next(), Y: next(), Z: next()}, MR: true, Received: true}
		for b := humanoid.Bone(0); b < humanoid.Count && len(data) >= 4; b++ {
			fr.Bones[b] = vmc.Transform{Position: vmc.Vec3{X: next(), Y: next(), Z: next()},
				Rotation: vmc.Quat{X: next(), Y: next(), Z: next(), W: next()}}
			fr.BonesReceived = fr.BonesReceived.With(b)
		}
		fr.Blends = []vmc.Blend{{Name: "Blink_L", Value: next()}, {Name: "A", Value: next()}}
		o := Options{
			RootPosition: flags&1 != 0, RootRotation: flags&2 != 0, MRScaleOffset: flags&4 != 0,
			Positions: BonePositionMode(flags >> 3 % 3), Mirror: flags&32 != 0, Cut: Cut(flags >> 6),
			BoneSmoothing: time.Duration(flags>>12) * 20 * time.Millisecond, BlendSmoothing: 50 * time.Millisecond,
		}
		p := NewPoser(av)
		for i := 0; i < 3; i++ {
			p.Update(fr, o, nil, VMCOnly(), float64(next()))
		}
		q := p.pose.RootRotation
		for _, x := range append(p.pose.RootPosition[:], q.W, q.V[0], q.V[1], q.V[2], p.pose.RootScale) {
			if !finite(x) {
				t.Fatalf("root not finite: %+v", p.pose)
			}
		}
		for _, e := range p.pose.Expressions {
			if !(e.Weight >= 0 && e.Weight <= 1) {
				t.Fatalf("expression %s = %v", e.Name, e.Weight)
			}
		}
		vf := vrm.NewRig(av).Pose(&p.pose)
		for i, m := range vf.NodeWorld {
			for _, x := range m {
				if !finite(x) {
					t.Fatalf("node %d not finite with root %+v pose %+v", i, fr.Root, p.pose)
				}
			}
		}
	}
}
