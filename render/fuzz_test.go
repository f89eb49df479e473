package render

import (
	"encoding/binary"
	"image"
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
)

// fuzzReader hands out values from fuzz input, zeros once it runs out.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) u32() uint32 {
	if len(r.b) < 4 {
		r.b = nil
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

// f32 returns either a raw float32 (any bit pattern: NaN, Inf, huge,
// denormal) or a small well-behaved value, as the next byte says.
func (r *fuzzReader) f32() float32 {
	if r.byte()&1 == 0 {
		return math.Float32frombits(r.u32())
	}
	return float32(int8(r.byte())) / 32
}

func (r *fuzzReader) vec3() mgl32.Vec3 { return mgl32.Vec3{r.f32(), r.f32(), r.f32()} }

// fuzzScene builds a one-mesh avatar and camera from fuzz input: arbitrary
// positions, normals, UVs, indices, skin weights and joints, a morph target,
// material flags and camera.
func fuzzScene(data []byte) Scene {
	r := &fuzzReader{b: data}
	a := newAvatar()
	tex := addTexture(a, quadrantTexture(), vrm.Sampler{WrapS: vrm.Wrap(r.byte() % 4), WrapT: vrm.Wrap(r.byte() % 4), Mag: vrm.Filter(r.byte() % 2)})
	flags := r.byte()
	m := vrm.Material{
		BaseColor: mgl32.Vec4{r.f32(), r.f32(), r.f32(), r.f32()}, BaseColorTexture: texRef(tex),
		AlphaMode: vrm.AlphaMode(flags % 4), AlphaCutoff: r.f32(), DoubleSided: flags&4 != 0, Unlit: flags&8 != 0,
	}
	m.BaseColorTexture.Rotation = r.f32()
	if flags&16 != 0 {
		m.MToon = &vrm.MToon{
			ShadeColor: r.vec3(), ShadingShift: r.f32(), ShadingToony: r.f32(), RimColor: r.vec3(), RimFresnelPower: r.f32(),
			RimLift: r.f32(), OutlineMode: vrm.OutlineMode(r.byte() % 4), OutlineWidth: r.f32(), UVAnimScrollX: r.f32(), UVAnimRotation: r.f32(),
			ShadeTexture: texRef(tex), ShadingShiftTex: texRef(tex), RimTexture: texRef(tex), MatcapTexture: texRef(tex),
			OutlineWidthTex: texRef(tex), UVAnimMaskTexture: texRef(tex),
		}
	}
	mat := addMaterial(a, m)
	nv := int(r.byte()%24) + 1
	var p vrm.Primitive
	p.Material = mat
	t := vrm.MorphTarget{}
	for i := 0; i < nv; i++ {
		p.Positions = append(p.Positions, r.vec3())
		p.Normals = append(p.Normals, r.vec3())
		p.UV0 = append(p.UV0, mgl32.Vec2{r.f32(), r.f32()})
		p.Joints = append(p.Joints, [4]uint16{uint16(r.byte() % 4), uint16(r.byte()), 0, 1})
		p.Weights = append(p.Weights, [4]float32{r.f32(), r.f32(), 0, 0})
		t.Positions = append(t.Positions, r.vec3())
		t.Normals = append(t.Normals, r.vec3())
	}
	p.Targets = []vrm.MorphTarget{t}
	for n := int(r.byte()); n > 0; n-- {
		v := r.u32()
		if r.byte()&1 == 0 {
			v %= uint32(nv + 2)
		}
		p.Indices = append(p.Indices, v)
	}
	root := addNode(a, "root", -1, r.vec3(), mgl32.QuatIdent())
	child := addNode(a, "child", root, r.vec3(), mgl32.Quat{W: r.f32(), V: r.vec3()})
	mesh := addMeshNode(a, "mesh", p)
	a.Nodes[mesh].Skin = 0
	a.Skins = []vrm.Skin{{Joints: []int{root, child}, InverseBindMatrices: []mgl32.Mat4{mgl32.Ident4(), mgl32.Ident4()}, Skeleton: root}}
	f := poseFrame(a, nil, map[int][]float32{mesh: {r.f32()}})
	if flags&32 != 0 {
		f.Materials[0].BindWeight = r.f32()
		f.Materials[0].BindScale = mgl32.Vec2{r.f32(), r.f32()}
		f.Materials[0].BindOffset = mgl32.Vec2{r.f32(), r.f32()}
	}
	cam := Orbit{Target: r.vec3(), Yaw: r.f32(), Pitch: r.f32(), Distance: r.f32(), FOV: r.f32()}.Camera()
	cam.Near, cam.Far = r.f32(), r.f32()
	s := DefaultScene(a, f, cam)
	s.AA = AA(r.byte() % 2)
	s.Time = r.f32()
	s.Light.Direction = r.vec3()
	return s
}

// FuzzRender renders arbitrary geometry, materials and cameras: nothing may
// panic, and the output must not depend on the worker count.
func FuzzRender(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x00\x00\x10\x01\x20\x01\x20\x01\x20\x01\x20\x05\x01\x10\x01\x00\x01\x10"))
	big := make([]byte, 600)
	for i := range big {
		big[i] = byte(i*7 + 3)
	}
	f.Add(big)
	r1 := New(Options{Workers: 1})
	r2 := New(Options{Workers: 2})
	f.Cleanup(func() { r1.Close(); r2.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		s := fuzzScene(data)
		a := image.NewRGBA(image.Rect(0, 0, 37, 29))
		b := image.NewRGBA(a.Rect)
		r1.Render(a, s)
		r2.Render(b, s)
		if string(a.Pix) != string(b.Pix) {
			t.Fatal("1 and 2 workers rendered different images")
		}
		r1.Forget(s.Avatar)
		r2.Forget(s.Avatar)
	})
}
