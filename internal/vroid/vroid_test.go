package vroid

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"testing"

	"github.com/kugutsu/kugutsu/vrm"
)

// TestBuildLayout checks the in-memory avatar is laid out as VRoid Studio
// lays out its meshes: per mesh one vertex buffer shared by every
// primitive, one primitive per material, each using a part of it.
func TestBuildLayout(t *testing.T) {
	a, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Meshes) != Meshes {
		t.Fatalf("%d meshes, want %d", len(a.Meshes), Meshes)
	}
	mats := map[int]bool{}
	for _, m := range a.Meshes {
		p0 := &m.Primitives[0]
		for pi, p := range m.Primitives {
			if &p.Positions[0] != &p0.Positions[0] || &p.Joints[0] != &p0.Joints[0] || len(p.Targets) != len(p0.Targets) {
				t.Errorf("mesh %s primitive %d has its own vertex buffer", m.Name, pi)
			}
			if mats[p.Material] {
				t.Errorf("material %d used by two primitives", p.Material)
			}
			mats[p.Material] = true
			lo, hi := uint32(len(p.Positions)), uint32(0)
			for _, i := range p.Indices {
				lo, hi = min(lo, i), max(hi, i)
			}
			if len(m.Primitives) > 1 && hi-lo+1 >= uint32(len(p.Positions)) {
				t.Errorf("mesh %s primitive %d uses the whole buffer", m.Name, pi)
			}
		}
	}
	if len(mats) != MaterialCount {
		t.Errorf("%d materials drawn, want %d", len(mats), MaterialCount)
	}
	face := a.Meshes[MeshFace]
	if len(face.TargetNames) != FaceTargets || face.TargetNames[3] != "Fcl_ALL_Joy" {
		t.Errorf("face targets %d (%v…), want %d starting Fcl_ALL_", len(face.TargetNames), face.TargetNames[:4], FaceTargets)
	}
	if m := a.Materials[MatHairStrand]; m.AlphaMode != vrm.AlphaBlend || !m.MToon.TransparentZWrite {
		t.Error("hair strands are not BLEND with ZWrite")
	}
	if m := a.Materials[MatEyelash]; m.AlphaMode != vrm.AlphaBlend {
		t.Error("eyelashes are not BLEND")
	}
	if m := a.Materials[MatBody].MToon; m.OutlineMode != vrm.OutlineWorld || !m.OutlineWidthTex.Valid() {
		t.Error("the body has no outline with a width texture")
	}
	for _, i := range []int{TexFace, TexBody, TexCloth, TexHair, TexHairStrand} {
		if r := a.Textures[i].Image.Rect; r != image.Rect(0, 0, TextureSize, TextureSize) {
			t.Errorf("texture %s is %v", a.Textures[i].Name, r)
		}
	}
	if len(a.SpringBone.Springs) != Springs {
		t.Errorf("%d spring chains, want %d", len(a.SpringBone.Springs), Springs)
	}
}

// TestFileLayout reads the written file's JSON: a VRM 0.x document whose
// primitives share accessors, whose morph targets are sparse, with MToon
// materialProperties, blendShapeMaster groups and the hair as one bone
// group listing every strand.
func TestFileLayout(t *testing.T) {
	data, err := VRM()
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint32(data[12:])
	var doc struct {
		ExtensionsUsed []string `json:"extensionsUsed"`
		Accessors      []struct {
			BufferView *int `json:"bufferView"`
			Sparse     *struct {
				Count int `json:"count"`
			} `json:"sparse"`
		} `json:"accessors"`
		Meshes []struct {
			Name       string `json:"name"`
			Primitives []struct {
				Attributes map[string]int   `json:"attributes"`
				Indices    int              `json:"indices"`
				Targets    []map[string]int `json:"targets"`
				Extras     struct {
					TargetNames []string `json:"targetNames"`
				} `json:"extras"`
			} `json:"primitives"`
		} `json:"meshes"`
		Extensions struct {
			VRM struct {
				MaterialProperties []struct {
					Shader          string             `json:"shader"`
					RenderQueue     int                `json:"renderQueue"`
					FloatProperties map[string]float32 `json:"floatProperties"`
				} `json:"materialProperties"`
				BlendShapeMaster struct {
					BlendShapeGroups []struct {
						Name  string `json:"name"`
						Binds []struct {
							Mesh, Index int
						} `json:"binds"`
					} `json:"blendShapeGroups"`
				} `json:"blendShapeMaster"`
				SecondaryAnimation struct {
					BoneGroups []struct {
						Comment string `json:"comment"`
						Bones   []int  `json:"bones"`
					} `json:"boneGroups"`
					ColliderGroups []json.RawMessage `json:"colliderGroups"`
				} `json:"secondaryAnimation"`
			} `json:"VRM"`
		} `json:"extensions"`
	}
	if err := json.NewDecoder(bytes.NewReader(data[20 : 20+n])).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.ExtensionsUsed) == 0 || doc.ExtensionsUsed[len(doc.ExtensionsUsed)-1] != "VRM" {
		t.Errorf("extensionsUsed %v, want VRM", doc.ExtensionsUsed)
	}
	sparse := 0
	for _, m := range doc.Meshes {
		p0 := m.Primitives[0]
		for pi, p := range m.Primitives {
			for _, attr := range []string{"POSITION", "NORMAL", "TEXCOORD_0", "JOINTS_0", "WEIGHTS_0"} {
				if p.Attributes[attr] != p0.Attributes[attr] {
					t.Errorf("mesh %s primitive %d: its own %s accessor", m.Name, pi, attr)
				}
			}
			if pi > 0 && p.Indices == p0.Indices {
				t.Errorf("mesh %s primitive %d: the same indices as primitive 0", m.Name, pi)
			}
			if len(p.Targets) > 0 && len(p.Extras.TargetNames) != len(p.Targets) {
				t.Errorf("mesh %s primitive %d: %d targetNames for %d targets (UniVRM puts them on the primitive)", m.Name, pi, len(p.Extras.TargetNames), len(p.Targets))
			}
		}
		for _, tg := range p0.Targets {
			if a := doc.Accessors[tg["POSITION"]]; a.Sparse != nil && a.BufferView == nil {
				sparse++
			}
		}
	}
	if sparse < FaceTargets {
		t.Errorf("%d sparse morph target accessors, want all %d", sparse, FaceTargets)
	}
	x := doc.Extensions.VRM
	queues := map[int]bool{}
	for i, m := range x.MaterialProperties {
		if m.Shader != "VRM/MToon" {
			t.Errorf("material %d: shader %q", i, m.Shader)
		}
		queues[m.RenderQueue] = true
	}
	for _, q := range []int{2000, 2451, 3000, 3001} {
		if !queues[q] {
			t.Errorf("no material in render queue %d (have %v)", q, queues)
		}
	}
	if w := x.MaterialProperties[MatBody].FloatProperties["_OutlineWidth"]; w <= 0 {
		t.Errorf("body _OutlineWidth %v", w)
	}
	if g := x.BlendShapeMaster.BlendShapeGroups; len(g) != 18 || g[7].Name != "Joy" || len(g[7].Binds) != 1 {
		t.Errorf("blendShapeMaster: %d groups, want 18 with Joy bound", len(g))
	}
	bg := x.SecondaryAnimation.BoneGroups
	if len(bg) != 3 || bg[0].Comment != "Hair" || len(bg[0].Bones) != HairStrands {
		t.Errorf("secondaryAnimation: %d bone groups, want the hair (%d bones) and two tassels", len(bg), HairStrands)
	}
	if len(x.SecondaryAnimation.ColliderGroups) != 11 {
		t.Errorf("%d collider groups, want 11", len(x.SecondaryAnimation.ColliderGroups))
	}
}
