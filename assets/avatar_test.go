package assets_test

import (
	"bytes"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// These tests read the embedded file with the project's own loader and pose
// it with the project's own runtime (vrm.Rig), as the app will.

var (
	loadOnce sync.Once
	loaded   *vrm.Model
	loadErr  error
)

// defaultAvatar loads the embedded default avatar once; tests pose it with
// Rigs of their own.
func defaultAvatar(t testing.TB) *vrm.Model {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = vrm.Load(bytes.NewReader(assets.DefaultVRM())) })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

func TestDefaultVRMLoadsCleanly(t *testing.T) {
	if n := len(assets.DefaultVRM()); n > 2_000_000 {
		t.Errorf("default.vrm is %d bytes, want ≤ 2 MB", n)
	}
	a := defaultAvatar(t)
	for _, w := range a.Warnings {
		t.Errorf("loader warning: %s", w)
	}
	if a.Version != vrm.Version1 {
		t.Errorf("version %v, want 1.0", a.Version)
	}
	m := a.Meta
	if m.Name != "Kugutsu" || len(m.Authors) != 1 || m.Authors[0] != "the Kugutsu project" {
		t.Errorf("meta name/authors %q %q", m.Name, m.Authors)
	}
	if m.LicenseURL != "https://vrm.dev/licenses/1.0/" || m.OtherLicenseURL != "https://creativecommons.org/publicdomain/zero/1.0/" {
		t.Errorf("licence %q / %q", m.LicenseURL, m.OtherLicenseURL)
	}
	if m.AvatarPermission != "everyone" || m.CommercialUsage != "corporation" || !m.AllowRedistribution ||
		m.Modification != "allowModificationRedistribution" || m.CreditNotation != "unnecessary" {
		t.Errorf("usage not permissive: %+v", m)
	}
	if img := a.Thumbnail(); img == nil || img.Bounds().Dx() < 128 || img.Bounds().Dx() != img.Bounds().Dy() {
		t.Error("no square thumbnail of at least 128 pixels")
	}
	if got := a.Humanoid.Present.Len(); got != humanoid.Count {
		t.Errorf("%d humanoid bones, want all %d", got, humanoid.Count)
	}
	outlined := 0
	for _, mat := range a.Materials {
		if mat.MToon != nil && mat.MToon.OutlineMode == vrm.OutlineWorld && mat.MToon.OutlineWidth > 0 {
			outlined++
		}
	}
	if outlined == 0 {
		t.Error("no MToon outlines survived the round trip")
	}
	tris := 0
	for _, me := range a.Meshes {
		for _, p := range me.Primitives {
			tris += len(p.Indices) / 3
		}
	}
	if tris < 10000 || tris > 30000 {
		t.Errorf("%d triangles, want 10k–30k", tris)
	}
}

// skin returns the positions of every mesh node's primitives under frame f
// (morphs, then linear blend skinning with f's joint palettes), by node.
func skin(a *vrm.Model, f *vrm.Frame) map[int][][]mgl32.Vec3 {
	out := map[int][][]mgl32.Vec3{}
	for ni, n := range a.Nodes {
		if n.Mesh < 0 {
			continue
		}
		for _, p := range a.Meshes[n.Mesh].Primitives {
			pos := make([]mgl32.Vec3, len(p.Positions))
			for i, v := range p.Positions {
				if w := f.MorphWeights[ni]; w != nil {
					for t, tg := range p.Targets {
						if w[t] != 0 && tg.Positions != nil {
							v = v.Add(tg.Positions[i].Mul(w[t]))
						}
					}
				}
				if n.Skin < 0 {
					pos[i] = f.NodeWorld[ni].Mul4x1(v.Vec4(1)).Vec3()
					continue
				}
				var m mgl32.Mat4
				for k := range 4 {
					if wt := p.Weights[i][k]; wt != 0 {
						m = m.Add(f.JointPalettes[n.Skin][p.Joints[i][k]].Mul(wt))
					}
				}
				pos[i] = m.Mul4x1(v.Vec4(1)).Vec3()
			}
			out[ni] = append(out[ni], pos)
		}
	}
	return out
}

// maxMove is the largest distance any vertex moved between two skinnings.
func maxMove(a, b map[int][][]mgl32.Vec3) float64 {
	m := 0.0
	for n, prims := range a {
		for pi, pos := range prims {
			for i := range pos {
				m = max(m, float64(pos[i].Sub(b[n][pi][i]).Len()))
			}
		}
	}
	return m
}

func TestDefaultVRMExpressionsMoveTheFace(t *testing.T) {
	a := defaultAvatar(t)
	names := []string{"happy", "angry", "sad", "relaxed", "surprised", "aa", "ih", "ou", "ee", "oh",
		"blink", "blinkLeft", "blinkRight", "lookUp", "lookDown", "lookLeft", "lookRight", "neutral"}
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		names = append(names, s.String())
	}
	rg := vrm.NewRig(a)
	rest := skin(a, rg.Pose(&vrm.Pose{}))
	for _, n := range names {
		i, ok := a.ExpressionIndex(n)
		if !ok || a.Expressions[i].Name != n {
			t.Errorf("expression %q missing", n)
			continue
		}
		moved := maxMove(skin(a, rg.Pose(&vrm.Pose{Expressions: []vrm.ExpressionWeight{{Name: n, Weight: 1}}})), rest)
		if moved < 0.001 {
			t.Errorf("expression %q moves the face %.2f mm at most", n, moved*1000)
		}
	}
	if want := 18 + arkit.Count; len(a.Expressions) != want {
		t.Errorf("%d expressions, want %d", len(a.Expressions), want)
	}
}

// TestDefaultVRMBendsWithoutFolding turns each major joint of the loaded
// file 120° through the runtime's normalized rig and checks the signed
// area of every skinned triangle against the orientation its mean skin
// matrix gives its rest normal: none may flip.
func TestDefaultVRMBendsWithoutFolding(t *testing.T) {
	a := defaultAvatar(t)
	bends := []struct {
		bone humanoid.Bone
		axis mgl32.Vec3
		deg  float32
	}{
		{humanoid.LeftLowerArm, mgl32.Vec3{0, 1, 0}, -120}, {humanoid.RightLowerArm, mgl32.Vec3{0, 1, 0}, 120},
		{humanoid.LeftLowerLeg, mgl32.Vec3{1, 0, 0}, 120}, {humanoid.RightLowerLeg, mgl32.Vec3{1, 0, 0}, 120},
		{humanoid.LeftUpperArm, mgl32.Vec3{0, 0, 1}, 120}, {humanoid.RightUpperArm, mgl32.Vec3{0, 0, 1}, -120},
		{humanoid.LeftUpperLeg, mgl32.Vec3{1, 0, 0}, -120}, {humanoid.RightUpperLeg, mgl32.Vec3{1, 0, 0}, -120},
		{humanoid.LeftHand, mgl32.Vec3{0, 0, 1}, -120}, {humanoid.RightHand, mgl32.Vec3{0, 0, 1}, 120},
		{humanoid.Neck, mgl32.Vec3{1, 0, 0}, 120}, {humanoid.Neck, mgl32.Vec3{0, 0, 1}, 120},
	}
	rg := vrm.NewRig(a)
	rest := rg.Pose(&vrm.Pose{})
	restPos := skin(a, rest)
	// Rest normals, kept before the next Pose call reuses the frame.
	for _, bd := range bends {
		name := fmt.Sprintf("%s %+g° about %v", bd.bone, bd.deg, bd.axis)
		var p vrm.Pose
		p.Rotations[bd.bone] = mgl32.QuatRotate(mgl32.DegToRad(bd.deg), bd.axis)
		p.Rotated = p.Rotated.With(bd.bone)
		f := rg.Pose(&p)
		posed := skin(a, f)
		inverted, worst := 0, math.Inf(1)
		for ni, prims := range posed {
			n := a.Nodes[ni]
			for pi, pos := range prims {
				prim := &a.Meshes[n.Mesh].Primitives[pi]
				for i := 0; i < len(prim.Indices); i += 3 {
					idx := prim.Indices[i : i+3]
					r0 := restPos[ni][pi][idx[1]].Sub(restPos[ni][pi][idx[0]]).Cross(restPos[ni][pi][idx[2]].Sub(restPos[ni][pi][idx[0]]))
					if r0.Len() < 1e-9 {
						continue
					}
					var mean mgl32.Mat3
					for _, v := range idx {
						for k := range 4 {
							if w := prim.Weights[v][k]; w != 0 {
								mean = mean.Add(f.JointPalettes[n.Skin][prim.Joints[v][k]].Mat3().Mul(w / 3))
							}
						}
					}
					want := mean.Inv().Transpose().Mul3x1(r0).Normalize()
					r1 := pos[idx[1]].Sub(pos[idx[0]]).Cross(pos[idx[2]].Sub(pos[idx[0]]))
					ratio := float64(r1.Dot(want) / r0.Len())
					worst = min(worst, ratio)
					if ratio <= 0 {
						inverted++
					}
				}
			}
		}
		if inverted > 0 {
			t.Errorf("%s: %d triangles fold over (worst signed area %.3f of rest)", name, inverted, worst)
		}
	}
}

func TestDefaultVRMLooksAndSprings(t *testing.T) {
	a := defaultAvatar(t)
	eyeL := a.Humanoid.Node(humanoid.LeftEye)
	rg := vrm.NewRig(a)
	rest := rg.Pose(&vrm.Pose{}).NodeWorld[eyeL]
	f := rg.Pose(&vrm.Pose{LookAt: vrm.LookAtInput{Mode: vrm.LookAtAngles, Yaw: 30, Pitch: 0}})
	if f.NodeWorld[eyeL].Mat3().ApproxEqualThreshold(rest.Mat3(), 1e-3) {
		t.Error("looking 30° aside does not turn the left eye")
	}
	// Spring bones: turn the head sharply; in the head's own frame the
	// tassel must swing away from where it hung.
	if len(a.SpringBone.Springs) == 0 {
		t.Fatal("no spring bones")
	}
	joints := a.SpringBone.Springs[0].Joints
	tip := joints[len(joints)-1].Node
	head := a.Humanoid.Node(humanoid.Head)
	inHead := func(f *vrm.Frame) mgl32.Vec3 {
		return f.NodeWorld[head].Inv().Mul4x1(f.NodeWorld[tip].Col(3)).Vec3()
	}
	var hang mgl32.Vec3
	for range 30 {
		hang = inHead(rg.Update(&vrm.Pose{}, 1.0/60))
	}
	var p vrm.Pose
	p.SetRotation(humanoid.Neck, mgl32.QuatRotate(mgl32.DegToRad(50), mgl32.Vec3{0, 0, 1}))
	swing := 0.0
	for range 20 {
		swing = max(swing, float64(inHead(rg.Update(&p, 1.0/60)).Sub(hang).Len()))
	}
	if swing < 0.005 {
		t.Errorf("the tassel swings %.1f mm when the head tilts 50°, want it to move", swing*1000)
	}
}

func BenchmarkLoadDefaultVRM(b *testing.B) {
	data := assets.DefaultVRM()
	for b.Loop() {
		if _, err := vrm.Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
