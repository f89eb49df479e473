package vrm

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

// loadModel loads one of the sample models in ../shared/models, or skips
// the test when the folder is missing (testutil.SharedModel).
func loadModel(t testing.TB, name string) *Model {
	t.Helper()
	av, err := LoadFile(testutil.SharedModel(t, name))
	if err != nil {
		t.Fatalf("LoadFile(%s): %v", name, err)
	}
	return av
}

func triangles(av *Model) int {
	n := 0
	for _, m := range av.Meshes {
		for _, p := range m.Primitives {
			n += len(p.Indices) / 3
		}
	}
	return n
}

func morphTargets(av *Model) int {
	n := 0
	for _, m := range av.Meshes {
		n += len(m.TargetNames)
	}
	return n
}

// TestModelsLoad checks facts read off each sample file's JSON by hand.
func TestModelsLoad(t *testing.T) {
	tests := []struct {
		file                       string
		version                    Version
		tris, bones, skins, morphs int
		expressions, springs, texs int
		name                       string
		joints0                    int // joints of skin 0
	}{
		{"Godette.vrm", Version0, 3439, 45, 1, 15, 17, 8, 5, "Low-Poly Godette", 68},
		{"sphere_vrm0.vrm", Version0, 960, 22, 1, 0, 0, 0, 0, "sphere", -1},
		{"debug_robot_vrm1.vrm", Version1, 36, 53, 0, 0, 18, 0, 3, "VRM Animation Debug Robot", -1},
		{"isBinary_Overrides_vrm1.vrm", Version1, 8, 22, 0, 0, 2, 0, 3, "isBinary overrides", -1},
		{"isBinary_Overridden_vrm1.vrm", Version1, 8, 22, 0, 0, 2, 0, 3, "isBinary overridden", -1},
		{"mtoon_uv_animation_vrm1.vrm", Version1, 6, 53, 0, 0, 0, 0, 3, "VRMC_materials_mtoon UV Animation Test", -1},
	}
	modelsDir := testutil.SharedModels(t)
	files, err := filepath.Glob(filepath.Join(modelsDir, "*.vrm"))
	if err != nil || len(files) != len(tests) {
		t.Fatalf("%d models in %s, the table has %d (%v)", len(files), modelsDir, len(tests), err)
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			av := loadModel(t, tt.file)
			if av.Version != tt.version {
				t.Errorf("version %v, want %v", av.Version, tt.version)
			}
			if got := triangles(av); got != tt.tris {
				t.Errorf("%d triangles, want %d", got, tt.tris)
			}
			if got := av.Humanoid.Present.Len(); got != tt.bones {
				t.Errorf("%d humanoid bones, want %d", got, tt.bones)
			}
			if len(av.Skins) != tt.skins {
				t.Errorf("%d skins, want %d", len(av.Skins), tt.skins)
			}
			if tt.joints0 >= 0 && len(av.Skins[0].Joints) != tt.joints0 {
				t.Errorf("skin 0 has %d joints, want %d", len(av.Skins[0].Joints), tt.joints0)
			}
			if got := morphTargets(av); got != tt.morphs {
				t.Errorf("%d morph targets, want %d", got, tt.morphs)
			}
			if len(av.Expressions) != tt.expressions {
				t.Errorf("%d expressions, want %d", len(av.Expressions), tt.expressions)
			}
			if len(av.SpringBone.Springs) != tt.springs {
				t.Errorf("%d spring chains, want %d", len(av.SpringBone.Springs), tt.springs)
			}
			if len(av.Textures) != tt.texs {
				t.Errorf("%d textures, want %d", len(av.Textures), tt.texs)
			}
			if av.Meta.Name != tt.name {
				t.Errorf("meta name %q, want %q", av.Meta.Name, tt.name)
			}
			for _, w := range av.Warnings {
				t.Logf("warning: %s", w)
			}
			// Every avatar faces +Z after loading: the left hand is on +X.
			f := NewRig(av).Pose(nil)
			lh, rh := av.Humanoid.Node(humanoid.LeftHand), av.Humanoid.Node(humanoid.RightHand)
			if x := f.NodeWorld[lh][12]; x <= 0 {
				t.Errorf("left hand at x = %v, want > 0 (facing +Z)", x)
			}
			if x := f.NodeWorld[rh][12]; x >= 0 {
				t.Errorf("right hand at x = %v, want < 0", x)
			}
		})
	}
}

// TestGodetteDetails checks the VRM 0.x conversions on Godette against its
// JSON: licence, textures, preset mapping, spring groups, lookAt.
func TestGodetteDetails(t *testing.T) {
	av := loadModel(t, "Godette.vrm")
	m := av.Meta
	if m.VRM0.LicenseName != "CC_BY" || !m.AllowRedistribution || m.CreditNotation != "required" ||
		m.AvatarPermission != "everyone" || m.CommercialUsage != "personalProfit" ||
		len(m.Authors) != 1 || m.Authors[0] != "SirRichard94" || m.Thumbnail != 4 {
		t.Errorf("meta = %+v", m)
	}
	mimes := map[string]int{}
	for i, tx := range av.Textures {
		mimes[tx.MIMEType]++
		img, err := av.TextureImage(i)
		if err != nil || img == nil || img.Bounds().Dx() == 0 {
			t.Errorf("texture %q not decoded: %v", tx.Name, err)
		}
		// Material textures are decoded by Load (fabric too, the
		// backpack's metallic-roughness texture); the thumbnail on demand.
		if lazy := tx.Image == nil; lazy != (i == 4) {
			t.Errorf("texture %d %q: Image nil = %v", i, tx.Name, lazy)
		}
	}
	if th := av.Thumbnail(); th == nil || th.Bounds().Dx() != 1024 {
		t.Errorf("thumbnail %v", th)
	}
	if mimes["image/png"] != 3 || mimes["image/jpeg"] != 2 {
		t.Errorf("texture formats %v, want 3 PNG and 2 JPEG", mimes)
	}
	if b := av.Textures[0].Image.Bounds(); b.Dx() != 1024 || b.Dy() != 1024 {
		t.Errorf("BasePaletteTexture is %v, want 1024×1024", b)
	}
	// 17 presets, VRM 0.x names mapped to VRM 1.0.
	var names []string
	for _, x := range av.Expressions {
		if x.Preset == PresetCustom {
			t.Errorf("expression %q is custom, Godette has only presets", x.Name)
		}
		names = append(names, x.Name)
	}
	sort.Strings(names)
	want := []string{"aa", "angry", "blink", "blinkLeft", "blinkRight", "ee", "happy", "ih", "lookDown", "lookLeft", "lookRight", "lookUp", "neutral", "oh", "ou", "relaxed", "sad"}
	if len(names) != len(want) {
		t.Fatalf("expressions %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("expressions %v, want %v", names, want)
		}
	}
	// Joy binds morphs 9 (50) and 10 (25) of mesh 0, used by node 68.
	i, ok := av.ExpressionIndex("Joy")
	if !ok || av.Expressions[i].Name != "happy" {
		t.Fatalf(`ExpressionIndex("Joy") = %d, %v`, i, ok)
	}
	joy := av.Expressions[i]
	if len(joy.MorphBinds) != 2 || joy.MorphBinds[0] != (MorphBind{Node: 68, Index: 9, Weight: 0.5}) || joy.MorphBinds[1] != (MorphBind{Node: 68, Index: 10, Weight: 0.25}) {
		t.Errorf("joy binds %+v", joy.MorphBinds)
	}
	if i, _ := av.ExpressionIndex("blink_l"); !av.Expressions[i].IsBinary {
		t.Errorf("Blink_L should be binary")
	}
	// Three bone groups (stiffness 2.5, 2, 4), expanded into chains.
	stiff := map[float32]int{}
	for _, s := range av.SpringBone.Springs {
		if s.VirtualTail != VirtualTailVRM0 {
			t.Errorf("spring %q virtual tail %v", s.Name, s.VirtualTail)
		}
		stiff[s.Joints[0].Stiffness]++
	}
	if len(stiff) != 3 || stiff[2.5] == 0 || stiff[2] == 0 || stiff[4] == 0 {
		t.Errorf("spring stiffness groups %v, want 2.5, 2 and 4", stiff)
	}
	if len(av.SpringBone.ColliderGroups) != 2 || len(av.SpringBone.Colliders) != 4 {
		t.Errorf("%d collider groups, %d colliders; want 2 and 4", len(av.SpringBone.ColliderGroups), len(av.SpringBone.Colliders))
	}
	// Collider offset (0, 0.06, −0.04) in Unity → (0, 0.06, −0.04) here (x negated).
	if c := av.SpringBone.Colliders[0]; !near(c.Offset, mgl32.Vec3{0, 0.06, -0.04}, 1e-6) || c.Radius != 0.1 || c.Node != 3 {
		t.Errorf("collider 0 = %+v", c)
	}
	la := av.LookAt
	if la.Type != LookAtExpression || la.HorizontalOuter != (RangeMap{90, 7.1}) || la.VerticalUp != (RangeMap{90, 2.9}) {
		t.Errorf("lookAt = %+v", la)
	}
	if !near(la.OffsetFromHeadBone, mgl32.Vec3{0, 0.146, 0.122}, 1e-5) {
		t.Errorf("lookAt offset %v, want (0, 0.146, 0.122) (eyes in front of the head, +Z)", la.OffsetFromHeadBone)
	}
	face := av.Materials[0]
	if face.MToon == nil || face.Unlit {
		t.Fatalf("material Face should be MToon, got %+v", face)
	}
	// _ShadeToony 0.8, _ShadeShift −0.45 → migrated (UniVRM MToon10Migrator).
	toony, shift := schema.MigrateShading(0.8, -0.45)
	if face.MToon.ShadingToony != toony || face.MToon.ShadingShift != shift {
		t.Errorf("shading %v/%v, want %v/%v", face.MToon.ShadingToony, face.MToon.ShadingShift, toony, shift)
	}
	// _OutlineWidthMode 2 (screen), width 0.25 → 0.25·0.01·0.5.
	if face.MToon.OutlineMode != OutlineScreen || face.MToon.OutlineWidth != 0.25*0.01*0.5 {
		t.Errorf("outline %v %v", face.MToon.OutlineMode, face.MToon.OutlineWidth)
	}
	if a, ok := av.FirstPerson.Annotations[68]; !ok || a != FirstPersonAuto {
		t.Errorf("node 68 (Face) annotation %v %v, want auto", a, ok)
	}
}

// near reports whether a and b are within tol of each other (max norm).
func near(a, b mgl32.Vec3, tol float32) bool {
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol || d != d {
			return false
		}
	}
	return true
}

// TestVRM0MToonHasNoPhantomTextures guards the VRM 0.x MToon migration: a
// texture the file does not set must stay "none", not texture 0.
func TestVRM0MToonHasNoPhantomTextures(t *testing.T) {
	av := loadModel(t, "Godette.vrm")
	n := 0
	for i, m := range av.Materials {
		if m.MToon == nil {
			continue
		}
		n++
		for name, r := range map[string]TextureRef{
			"shading shift": m.MToon.ShadingShiftTex, "outline width": m.MToon.OutlineWidthTex,
			"UV animation mask": m.MToon.UVAnimMaskTexture, "matcap": m.MToon.MatcapTexture,
		} {
			if r.Valid() {
				t.Errorf("material %d (%s): %s texture %d, want none", i, m.Name, name, r.Texture)
			}
		}
	}
	if n == 0 {
		t.Fatal("Godette has no MToon material")
	}
}

// TestThumbnailImageScalesWithoutKeeping: Godette's 1024² JPEG thumbnail
// comes back scaled to fit, and the full decode is not kept in the avatar.
func TestThumbnailImageScalesWithoutKeeping(t *testing.T) {
	av := loadModel(t, "Godette.vrm")
	img := av.ThumbnailImage(256)
	if img == nil || img.Rect.Dx() != 256 || img.Rect.Dy() != 256 {
		t.Fatalf("thumbnail %v, want 256×256", img)
	}
	var sum int
	for _, p := range img.Pix {
		sum += int(p)
	}
	if sum == 0 || sum == 255*len(img.Pix) {
		t.Error("the scaled thumbnail is blank")
	}
	th := &av.Textures[av.Meta.Thumbnail]
	if th.Image != nil || th.lazy == nil || th.lazy.done {
		t.Error("the full-size thumbnail was kept")
	}
	if full := av.Thumbnail(); full == nil || full.Rect.Dx() != 1024 {
		t.Fatalf("Thumbnail() = %v, want the 1024² original", full)
	}
	// Small images are copied at their own size.
	if got := av.ThumbnailImage(4096); got == nil || got.Rect.Dx() != 1024 {
		t.Errorf("ThumbnailImage(4096) = %v, want 1024 wide", got)
	}
}
