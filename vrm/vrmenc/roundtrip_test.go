package vrmenc

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func encode(t testing.TB, av *vrm.Model, v vrm.Version) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, av, v); err != nil {
		t.Fatalf("vrmenc.Encode(%v): %v", v, err)
	}
	return buf.Bytes()
}

func reload(t testing.TB, data []byte) *vrm.Model {
	t.Helper()
	av, err := vrm.Load(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Load(vrmenc.Encode(...)): %v", err)
	}
	return av
}

// TestRoundTripModels: Load(vrmenc.Encode(a)) == a for every sample model written
// in its own version, and Encode is deterministic.
func TestRoundTripModels(t *testing.T) {
	for _, name := range []string{"Godette.vrm", "sphere_vrm0.vrm", "debug_robot_vrm1.vrm", "isBinary_Overrides_vrm1.vrm", "isBinary_Overridden_vrm1.vrm", "mtoon_uv_animation_vrm1.vrm"} {
		t.Run(name, func(t *testing.T) {
			a := loadModel(t, name)
			data := encode(t, a, a.Version)
			if again := encode(t, a, a.Version); !bytes.Equal(data, again) {
				t.Fatal("Encode is not deterministic")
			}
			b := reload(t, data)
			for _, d := range testutil.DiffValues(a, b, 1e-5) {
				t.Error(d)
			}
			for i := range a.Textures {
				ia, _ := a.TextureImage(i)
				ib, _ := b.TextureImage(i)
				if ia.Rect != ib.Rect || !bytes.Equal(ia.Pix, ib.Pix) {
					t.Errorf("texture %d: pixels differ", i)
				}
			}
			for _, w := range b.Warnings {
				t.Logf("reload warning: %s", w)
			}
		})
	}
}

// TestDiffValuesDetects keeps the round-trip comparison (testutil.DiffValues)
// honest.
func TestDiffValuesDetects(t *testing.T) {
	a := loadModel(t, "Godette.vrm")
	b := reload(t, encode(t, a, a.Version))
	b.Meshes[0].Primitives[0].Positions[5][1] += 0.001
	b.Expressions[3].MorphBinds[0].Weight = 0.3
	b.Textures[1].Image.Pix[100]++ // 512-icon, a material texture
	b.Meta.VRM0.LicenseName = "CC0"
	if d := testutil.DiffValues(a, b, 1e-5); len(d) != 4 {
		t.Errorf("diffValues found %d differences, want 4: %v", len(d), d)
	}
}

// TestCrossVersion writes each real model in the other VRM version: the
// humanoid lands in the same places, rested and posed, and the
// expressions keep their names.
func TestCrossVersion(t *testing.T) {
	for _, name := range []string{"Godette.vrm", "debug_robot_vrm1.vrm", "sphere_vrm0.vrm"} {
		a := loadModel(t, name)
		other := vrm.Version1
		if a.Version == vrm.Version1 {
			other = vrm.Version0
		}
		b := reload(t, encode(t, a, other))
		if b.Version != other || b.Humanoid.Present != a.Humanoid.Present || len(b.Expressions) != len(a.Expressions) {
			t.Fatalf("%s as %v: version %v, %d bones, %d expressions", name, other, b.Version, b.Humanoid.Present.Len(), len(b.Expressions))
		}
		for _, x := range a.Expressions {
			j, ok := b.ExpressionIndex(x.Name)
			want := x.Preset
			if want == vrm.PresetSurprised && other == vrm.Version0 {
				want = vrm.PresetCustom // VRM 0.x has no surprised preset
			}
			if !ok || b.Expressions[j].Preset != want || len(b.Expressions[j].MorphBinds) != len(x.MorphBinds) {
				t.Errorf("%s as %v: expression %q lost (%v)", name, other, x.Name, ok)
			}
		}
		var p vrm.Pose
		for i, bone := range a.Humanoid.Present.Bones() {
			p.SetRotation(bone, rotY(float32(i%7)*5))
		}
		ra, rb := vrm.NewRig(a), vrm.NewRig(b)
		ra.SetSpringBones(false)
		rb.SetSpringBones(false)
		for _, pose := range []*vrm.Pose{nil, &p} {
			fa, fb := ra.Pose(pose), rb.Pose(pose)
			for _, bone := range a.Humanoid.Present.Bones() {
				if pa, pb := bonePos(a, fa, bone), bonePos(b, fb, bone); !near(pa, pb, 1e-5) {
					t.Errorf("%s as %v: %s at %v, was %v", name, other, bone, pb, pa)
				}
			}
		}
	}
}

// TestSparseMorphTargets: morph targets that move few vertices are written
// as sparse accessors (and an all-zero target as an accessor with neither a
// buffer view nor sparse data), they read back exactly, and Godette's file
// gets smaller than with dense targets.
func TestSparseMorphTargets(t *testing.T) {
	a := loadModel(t, "Godette.vrm")
	p := &a.Meshes[0].Primitives[0]
	if len(p.Targets) < 2 {
		t.Fatalf("Godette's first primitive has %d targets", len(p.Targets))
	}
	// Target 0 moves nothing; target 1 moves exactly one vertex.
	p.Targets[0].Positions = make([]mgl32.Vec3, len(p.Positions))
	p.Targets[0].Normals = nil
	one := make([]mgl32.Vec3, len(p.Positions))
	one[len(one)-1] = mgl32.Vec3{0.01, -0.02, 0.03}
	p.Targets[1].Positions, p.Targets[1].Normals = one, nil
	for _, v := range []vrm.Version{vrm.Version0, vrm.Version1} {
		data := encode(t, a, v)
		doc := string(data)
		if !strings.Contains(doc, `"sparse"`) {
			t.Errorf("%v: no sparse accessor written", v)
		}
		b := reload(t, data)
		q := &b.Meshes[0].Primitives[0]
		for i, d := range q.Targets[0].Positions {
			if d != (mgl32.Vec3{}) {
				t.Fatalf("%v: all-zero target reads %v at vertex %d", v, d, i)
			}
		}
		for i, d := range q.Targets[1].Positions {
			if d != one[i] {
				t.Fatalf("%v: one-vertex target reads %v at vertex %d, want %v", v, d, i, one[i])
			}
		}
	}
}

func loadModel(t testing.TB, name string) *vrm.Model {
	t.Helper()
	av, err := vrm.LoadFile(testutil.SharedModel(t, name))
	if err != nil {
		t.Fatalf("LoadFile(%s): %v", name, err)
	}
	return av
}

func near(a, b mgl32.Vec3, tol float32) bool {
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol || d != d {
			return false
		}
	}
	return true
}

func rotY(deg float32) mgl32.Quat {
	return mgl32.QuatRotate(mgl32.DegToRad(deg), mgl32.Vec3{0, 1, 0})
}

func bonePos(av *vrm.Model, f *vrm.Frame, b humanoid.Bone) mgl32.Vec3 {
	return f.NodeWorld[av.Humanoid.Node(b)].Col(3).Vec3()
}

// BenchmarkEncodeGodette writes Godette back as VRM 0.x.
func BenchmarkEncodeGodette(b *testing.B) {
	av := loadModel(b, "Godette.vrm")
	b.ReportAllocs()
	for b.Loop() {
		if err := Encode(io.Discard, av, vrm.Version0); err != nil {
			b.Fatal(err)
		}
	}
}
