package vrm_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/internal/vroid"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Tests on the VRoid-layout avatar (internal/vroid): a VRM 0.x file laid
// out as VRoid Studio and UniVRM write them, made by our own code.

// vroidFile returns the VRoid-layout file, which vroid.VRM makes once per
// test binary.
func vroidFile(t testing.TB) []byte {
	t.Helper()
	data, err := vroid.VRM()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func loadVRoid(t testing.TB) *vrm.Model {
	t.Helper()
	a, err := vrm.Load(bytes.NewReader(vroidFile(t)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestLoadVRoidLayout checks what the loader makes of the file: three
// meshes whose primitives share one vertex buffer, 57 named morph targets,
// MToon 0.x materials with outlines, BLEND hair and eyelashes, the
// blendShapeMaster groups as expressions bound to the Face targets, 18
// spring chains with 14 colliders, 2048² textures, no warning.
func TestLoadVRoidLayout(t *testing.T) {
	a := loadVRoid(t)
	if a.Version != vrm.Version0 || len(a.Warnings) > 0 {
		t.Fatalf("version %v, warnings %q", a.Version, a.Warnings)
	}
	wantPrims := map[string]int{"Face": 4, "Body": 2, "Hair001": 2}
	if len(a.Meshes) != vroid.Meshes {
		t.Fatalf("%d meshes, want %d", len(a.Meshes), vroid.Meshes)
	}
	verts, tris := 0, 0
	for _, m := range a.Meshes {
		if len(m.Primitives) != wantPrims[m.Name] {
			t.Errorf("mesh %s: %d primitives, want %d", m.Name, len(m.Primitives), wantPrims[m.Name])
		}
		n := len(m.Primitives[0].Positions)
		verts += n
		for pi, p := range m.Primitives {
			tris += len(p.Indices) / 3
			if len(p.Positions) != n {
				t.Errorf("mesh %s primitive %d: %d vertices, the buffer has %d", m.Name, pi, len(p.Positions), n)
			}
			used := map[uint32]bool{}
			for _, i := range p.Indices {
				used[i] = true
			}
			if len(used) >= n {
				t.Errorf("mesh %s primitive %d uses %d of %d vertices, want a part", m.Name, pi, len(used), n)
			}
		}
	}
	face := a.Meshes[vroid.MeshFace]
	if len(face.TargetNames) != vroid.FaceTargets || face.TargetNames[0] != "Fcl_ALL_Neutral" || face.TargetNames[39] != "Fcl_MTH_A" {
		t.Errorf("face targets %d: %v", len(face.TargetNames), face.TargetNames)
	}
	for _, m := range a.Materials {
		if m.MToon == nil {
			t.Errorf("material %s is not MToon", m.Name)
		}
	}
	if m := a.Materials[vroid.MatHairStrand]; m.AlphaMode != vrm.AlphaBlend || !m.MToon.TransparentZWrite || m.RenderQueue != 1 {
		t.Errorf("hair strands: alpha %v, zwrite %v, queue %d", m.AlphaMode, m.MToon.TransparentZWrite, m.RenderQueue)
	}
	if m := a.Materials[vroid.MatEyelash]; m.AlphaMode != vrm.AlphaBlend {
		t.Errorf("eyelashes: alpha %v", m.AlphaMode)
	}
	if m := a.Materials[vroid.MatCloth].MToon; m.OutlineMode != vrm.OutlineWorld || m.OutlineWidth <= 0 || !m.OutlineWidthTex.Valid() {
		t.Errorf("clothes: outline %v %v, width texture %v", m.OutlineMode, m.OutlineWidth, m.OutlineWidthTex)
	}
	if img := a.Textures[vroid.TexFace].Image; img == nil || img.Rect.Dx() != vroid.TextureSize {
		t.Error("the face texture is not 2048²")
	}
	// blendShapeMaster groups → expressions.
	if len(a.Expressions) != 18 {
		t.Errorf("%d expressions, want 18", len(a.Expressions))
	}
	for name, target := range map[string]string{"happy": "Fcl_ALL_Joy", "aa": "Fcl_MTH_A", "blink": "Fcl_EYE_Close", "blinkLeft": "Fcl_EYE_Close_L", "Surprised": "Fcl_ALL_Surprised", "relaxed": "Fcl_ALL_Fun"} {
		i, ok := a.ExpressionIndex(name)
		if !ok {
			t.Errorf("no expression %s", name)
			continue
		}
		b := a.Expressions[i].MorphBinds
		if len(b) != 1 || a.Nodes[b[0].Node].Mesh != vroid.MeshFace || face.TargetNames[b[0].Index] != target || b[0].Weight != 1 {
			t.Errorf("expression %s binds %+v, want %s at 1", name, b, target)
		}
	}
	sb := &a.SpringBone
	if len(sb.Springs) != vroid.Springs || len(sb.Colliders) != 14 || len(sb.ColliderGroups) != 11 {
		t.Errorf("%d springs, %d colliders in %d groups; want %d, 14, 11", len(sb.Springs), len(sb.Colliders), len(sb.ColliderGroups), vroid.Springs)
	}
	hair := 0
	for _, s := range sb.Springs {
		if strings.HasPrefix(a.Nodes[s.Joints[0].Node].Name, "J_Sec_Hair1_") && len(s.Joints) == vroid.StrandJoints {
			hair++
		}
	}
	if hair != vroid.HairStrands {
		t.Errorf("%d hair chains of %d joints, want %d", hair, vroid.StrandJoints, vroid.HairStrands)
	}
	if n := a.Humanoid.Node(humanoid.Hips); a.Nodes[n].Name != "J_Bip_C_Hips" {
		t.Errorf("hips node %q", a.Nodes[n].Name)
	}
	t.Logf("%d bytes: %d nodes, %d vertices, %d triangles, %d morph targets, %d materials, %d textures", len(vroidFile(t)), len(a.Nodes), verts, tris, len(face.TargetNames), len(a.Materials), len(a.Textures))
}

// TestPoseVRoidLayout poses the VRoid-layout avatar: its skeleton is the
// doll's, so under one pose every humanoid bone must land where the doll's
// does (the VRM 0.x file's turn and back are exact to float rounding);
// expressions reach their Face targets; spring bones move the hair when the
// head turns and stay finite.
func TestPoseVRoidLayout(t *testing.T) {
	a := loadVRoid(t)
	doll, err := vrm.Load(bytes.NewReader(assets.DefaultVRM()))
	if err != nil {
		t.Fatal(err)
	}
	var p vrm.Pose
	p.SetRotation(humanoid.LeftUpperArm, mgl32.QuatRotate(1.1, mgl32.Vec3{0, 0, 1}))
	p.SetRotation(humanoid.RightLowerArm, mgl32.QuatRotate(0.7, mgl32.Vec3{0, 1, 0}))
	p.SetRotation(humanoid.Head, mgl32.QuatRotate(0.4, mgl32.Vec3{0, 1, 0}))
	p.SetRotation(humanoid.Spine, mgl32.QuatRotate(0.2, mgl32.Vec3{1, 0, 0}))
	p.Expressions = []vrm.ExpressionWeight{{Name: "Joy", Weight: 0.75}, {Name: "A", Weight: 0.5}}
	ra, rd := vrm.NewRig(a), vrm.NewRig(doll)
	ra.SetSpringBones(false)
	rd.SetSpringBones(false)
	fa, fd := ra.Pose(&p), rd.Pose(&p)
	for _, b := range a.Humanoid.Present.Bones() {
		pa, _ := a.BonePosition(fa, b)
		pd, ok := doll.BonePosition(fd, b)
		if !ok || pa.Sub(pd).Len() > 1e-5 {
			t.Errorf("%v at %v, the doll's at %v", b, pa, pd)
		}
	}
	face := -1
	for i, n := range a.Nodes {
		if n.Mesh == vroid.MeshFace {
			face = i
		}
	}
	names := a.Meshes[vroid.MeshFace].TargetNames
	for k, w := range fa.MorphWeights[face] {
		want := map[string]float32{"Fcl_ALL_Joy": 0.75, "Fcl_MTH_A": 0.5}[names[k]]
		if w != want {
			t.Errorf("morph %s weight %v, want %v", names[k], w, want)
		}
	}
	// Spring bones: turn the head and step; the hair tips swing and settle
	// finite.
	ra.SetSpringBones(true)
	tip := -1
	for i, n := range a.Nodes {
		if n.Name == "J_Sec_Hair4_08" {
			tip = i
		}
	}
	var rest vrm.Pose
	f := ra.Update(&rest, 1.0/60)
	start := f.NodeWorld[tip].Col(3).Vec3()
	turn := vrm.Pose{}
	turn.SetRotation(humanoid.Head, mgl32.QuatRotate(0.8, mgl32.Vec3{0, 1, 0}))
	moved := float32(0)
	for i := 0; i < 120; i++ {
		f = ra.Update(&turn, 1.0/60)
		pos := f.NodeWorld[tip].Col(3).Vec3()
		for c := 0; c < 3; c++ {
			if pos[c] != pos[c] || pos[c] > 1e3 || pos[c] < -1e3 {
				t.Fatalf("step %d: hair tip at %v", i, pos)
			}
		}
		moved = max(moved, pos.Sub(start).Len())
	}
	if moved < 0.02 {
		t.Errorf("the hair tip moved %.3f m when the head turned, want it to swing", moved)
	}
}

// BenchmarkLoadVRoid: parse, check and decode the VRoid-layout avatar,
// five 2048² PNG textures included.
func BenchmarkLoadVRoid(b *testing.B) {
	data := vroidFile(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vrm.Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
