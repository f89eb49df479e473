package doll

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

var (
	dollOnce sync.Once
	dollA    *vrm.Model
	dollErr  error
)

// doll returns one shared build (tests must not modify it).
func doll(t *testing.T) *vrm.Model {
	t.Helper()
	dollOnce.Do(func() { dollA, dollErr = Build(Options{}) })
	if dollErr != nil {
		t.Fatal(dollErr)
	}
	return dollA
}

func TestBuildIsDeterministic(t *testing.T) {
	a := doll(t)
	b, err := Build(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two builds differ")
	}
}

func TestTriangleBudget(t *testing.T) {
	a := doll(t)
	tris := 0
	for _, m := range a.Meshes {
		for _, p := range m.Primitives {
			tris += len(p.Indices) / 3
		}
	}
	if tris < 10000 || tris > 30000 {
		t.Errorf("%d triangles, want 10k–30k", tris)
	}
}

func TestPrimitivesAreWellFormed(t *testing.T) {
	a := doll(t)
	joints := len(a.Skins[0].Joints)
	for _, n := range a.Nodes {
		if n.Mesh < 0 {
			continue
		}
		if n.Skin != 0 {
			t.Errorf("mesh node %s: skin %d", n.Name, n.Skin)
		}
		m := &a.Meshes[n.Mesh]
		for pi, p := range m.Primitives {
			name := fmt.Sprintf("%s/%d", m.Name, pi)
			nv := len(p.Positions)
			if len(p.Normals) != nv || len(p.UV0) != nv || len(p.Joints) != nv || len(p.Weights) != nv {
				t.Fatalf("%s: attribute lengths differ", name)
			}
			if len(p.Indices)%3 != 0 {
				t.Fatalf("%s: %d indices", name, len(p.Indices))
			}
			for _, i := range p.Indices {
				if int(i) >= nv {
					t.Fatalf("%s: index %d ≥ %d vertices", name, i, nv)
				}
			}
			for i := range nv {
				var sum float32
				for k := range 4 {
					w := p.Weights[i][k]
					if w < 0 || (w > 0 && int(p.Joints[i][k]) >= joints) {
						t.Fatalf("%s: vertex %d: bad influence %d/%g", name, i, p.Joints[i][k], w)
					}
					sum += w
				}
				if math.Abs(float64(sum-1)) > 1e-6 {
					t.Fatalf("%s: vertex %d: weights sum to %g", name, i, sum)
				}
				if l := p.Normals[i].Len(); math.Abs(float64(l-1)) > 1e-4 {
					t.Fatalf("%s: vertex %d: normal length %g", name, i, l)
				}
				uv := p.UV0[i]
				tex := a.Materials[p.Material].BaseColorTexture.Texture
				if a.Textures[tex].Sampler.WrapS == vrm.WrapClamp && (uv[0] < 0 || uv[0] > 1 || uv[1] < 0 || uv[1] > 1) {
					t.Fatalf("%s: vertex %d: UV %v outside a clamped texture", name, i, uv)
				}
			}
			if len(p.Targets) != len(m.TargetNames) {
				t.Fatalf("%s: %d targets, %d names", name, len(p.Targets), len(m.TargetNames))
			}
			for ti, tg := range p.Targets {
				if len(tg.Positions) != nv {
					t.Fatalf("%s: target %d has %d positions", name, ti, len(tg.Positions))
				}
			}
		}
	}
}

// TestClosedPartsFaceOutward checks winding: the signed volume of every
// closed primitive is positive (counter-clockwise front faces, outward
// normals), and vertex normals agree with the faces around them.
func TestClosedPartsFaceOutward(t *testing.T) {
	a := doll(t)
	for _, m := range a.Meshes {
		for pi, p := range m.Primitives {
			vol := 0.0
			for i := 0; i < len(p.Indices); i += 3 {
				a, b, c := p.Positions[p.Indices[i]], p.Positions[p.Indices[i+1]], p.Positions[p.Indices[i+2]]
				vol += float64(a.Dot(b.Cross(c))) / 6
			}
			closed := m.Name == "Body" || m.Name == "Head" || m.Name == "Tongue" || m.Name == "Eye.L" || m.Name == "Eye.R" || m.Name == "Brow.L" || m.Name == "Brow.R"
			if closed && vol <= 0 {
				t.Errorf("%s/%d: signed volume %g m³, want > 0", m.Name, pi, vol)
			}
			bad := 0
			for i := 0; i < len(p.Indices); i += 3 {
				i0, i1, i2 := p.Indices[i], p.Indices[i+1], p.Indices[i+2]
				fn := p.Positions[i1].Sub(p.Positions[i0]).Cross(p.Positions[i2].Sub(p.Positions[i0]))
				if fn.Len() < 1e-9 {
					continue
				}
				if fn.Dot(p.Normals[i0].Add(p.Normals[i1]).Add(p.Normals[i2])) < 0 {
					bad++
				}
			}
			transferred := strings.HasPrefix(m.Name, "Eyelids") // shaded with the head's normals on purpose
			if bad > len(p.Indices)/3/100 && !transferred {
				t.Errorf("%s/%d: %d faces disagree with their vertex normals", m.Name, pi, bad)
			}
		}
	}
}

func TestSkeletonIsTheVRMHumanoidInTPose(t *testing.T) {
	a := doll(t)
	if got := a.Humanoid.Present.Len(); got != humanoid.Count {
		t.Fatalf("%d humanoid bones, want %d", got, humanoid.Count)
	}
	world := worldMatrices(a, nil)
	pos := func(b humanoid.Bone) mgl32.Vec3 { return world[boneNode(t, a, b)].Col(3).Vec3() }
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		n := &a.Nodes[boneNode(t, a, b)]
		if n.Name != b.String() {
			t.Errorf("bone %s: node named %q", b, n.Name)
		}
		if n.Rotation != mgl32.QuatIdent() || n.Scale != (mgl32.Vec3{1, 1, 1}) {
			t.Errorf("bone %s: rest rotation %v scale %v, want identity", b, n.Rotation, n.Scale)
		}
		if p := b.Parent(); p != humanoid.None && n.Parent != boneNode(t, a, p) {
			t.Errorf("bone %s: parent node %d, want %s", b, n.Parent, p)
		}
	}
	// T-pose: arms straight out along ±X at shoulder height, left on +X,
	// legs straight down, thumbs forward of the fingers, eyes in front.
	for _, s := range []struct {
		side  float32
		chain []humanoid.Bone
	}{
		{1, []humanoid.Bone{humanoid.LeftShoulder, humanoid.LeftUpperArm, humanoid.LeftLowerArm, humanoid.LeftHand}},
		{-1, []humanoid.Bone{humanoid.RightShoulder, humanoid.RightUpperArm, humanoid.RightLowerArm, humanoid.RightHand}},
		{1, []humanoid.Bone{humanoid.LeftMiddleProximal, humanoid.LeftMiddleIntermediate, humanoid.LeftMiddleDistal}},
		{-1, []humanoid.Bone{humanoid.RightMiddleProximal, humanoid.RightMiddleIntermediate, humanoid.RightMiddleDistal}},
	} {
		for i := 1; i < len(s.chain); i++ {
			d := pos(s.chain[i]).Sub(pos(s.chain[i-1]))
			if d[0]*s.side < 0.02 || math.Abs(float64(d[1])) > 0.011 || math.Abs(float64(d[2])) > 0.002 {
				t.Errorf("%s → %s: %v is not straight out along %gX", s.chain[i-1], s.chain[i], d, s.side)
			}
		}
	}
	for _, chain := range [][]humanoid.Bone{
		{humanoid.LeftUpperLeg, humanoid.LeftLowerLeg, humanoid.LeftFoot},
		{humanoid.RightUpperLeg, humanoid.RightLowerLeg, humanoid.RightFoot},
		{humanoid.Hips, humanoid.Spine, humanoid.Chest, humanoid.UpperChest, humanoid.Neck, humanoid.Head},
	} {
		for i := 1; i < len(chain); i++ {
			d := pos(chain[i]).Sub(pos(chain[i-1]))
			if math.Abs(float64(d[1])) < 0.05 || math.Abs(float64(d[0])) > 0.08 || math.Abs(float64(d[2])) > 0.001 {
				t.Errorf("%s → %s: %v is not vertical", chain[i-1], chain[i], d)
			}
		}
	}
	if pos(humanoid.LeftThumbDistal)[2] <= pos(humanoid.LeftIndexDistal)[2] || pos(humanoid.LeftEye)[0] <= 0 || pos(humanoid.LeftEye)[2] <= pos(humanoid.Head)[2] {
		t.Error("thumbs must point forward (+Z) and the left eye sit on +X in front of the head")
	}
	// The soles rest on y = 0 and nothing is below.
	minY := float32(math.Inf(1))
	for _, m := range a.Meshes {
		for _, p := range m.Primitives {
			for _, v := range p.Positions {
				minY = min(minY, v[1])
			}
		}
	}
	if math.Abs(float64(minY)) > 0.001 {
		t.Errorf("lowest vertex at y = %g m, want 0", minY)
	}
	// Inverse bind matrices invert the rest world matrices.
	for j, n := range a.Skins[0].Joints {
		m := world[n].Mul4(a.Skins[0].InverseBindMatrices[j]).Sub(mgl32.Ident4())
		if m.Abs().Trace() > 1e-5 || m.Col(3).Len() > 1e-5 {
			t.Errorf("joint %s: world · inverse bind = %v", a.Nodes[n].Name, m)
		}
	}
}

// TestSkinCannotTear: vertices at the same rest position (UV seams, the
// boundary between the face and the rest of the head) carry the same skin
// weights, so no pose can pull them apart; and the face's boundary does not
// move under any morph target.
func TestSkinCannotTear(t *testing.T) {
	a := doll(t)
	type vkey [3]int32
	key := func(p mgl32.Vec3) vkey {
		return vkey{int32(math.Round(float64(p[0]) * 1e6)), int32(math.Round(float64(p[1]) * 1e6)), int32(math.Round(float64(p[2]) * 1e6))}
	}
	type skinOf struct {
		where string
		j     [4]uint16
		w     [4]float32
	}
	seen := map[vkey]skinOf{}
	same := func(a, b skinOf) bool {
		for k := range 4 {
			// Compare as a joint→weight map (order may differ on ties).
			found := a.w[k] == 0
			for l := range 4 {
				if a.j[k] == b.j[l] && math.Abs(float64(a.w[k]-b.w[l])) < 1e-6 {
					found = true
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	bad := 0
	for _, m := range a.Meshes {
		if m.Name != "Body" && m.Name != "Head" && m.Name != "Face" {
			continue // separate pieces (eyes, lids, brows, mouth) float on the skin
		}
		for pi, p := range m.Primitives {
			for i, v := range p.Positions {
				s := skinOf{fmt.Sprintf("%s/%d/%d", m.Name, pi, i), p.Joints[i], p.Weights[i]}
				k := key(v)
				if o, ok := seen[k]; ok && !same(o, s) {
					if bad++; bad < 5 {
						t.Errorf("%s and %s share a position but not their weights: %v/%v vs %v/%v", o.where, s.where, o.j, o.w, s.j, s.w)
					}
				}
				seen[k] = s
			}
		}
	}
	// Face boundary: every Face vertex that coincides with a Head vertex
	// stays put under every target.
	head := map[vkey]bool{}
	for _, m := range a.Meshes {
		if m.Name == "Head" {
			for _, v := range m.Primitives[0].Positions {
				head[key(v)] = true
			}
		}
	}
	for _, m := range a.Meshes {
		if m.Name != "Face" {
			continue
		}
		p := m.Primitives[0]
		shared := 0
		for i, v := range p.Positions {
			if !head[key(v)] {
				continue
			}
			shared++
			for ti, tg := range p.Targets {
				if tg.Positions[i].Len() != 0 {
					t.Fatalf("target %s moves the face's boundary vertex %d", m.TargetNames[ti], i)
				}
			}
		}
		if shared < headAround {
			t.Errorf("face and head share %d vertices, want a full ring", shared)
		}
	}
}

// bend is one joint rotated 120° for the skinning tests.
type bend struct {
	name string
	bone humanoid.Bone
	axis mgl32.Vec3
	deg  float32
}

// majorBends are the elbows, knees, shoulders, hips, wrists and neck, each
// turned 120° the way the joint bends (and for shoulders, hips and wrists a
// second direction too).
var majorBends = []bend{
	{"left elbow", humanoid.LeftLowerArm, mgl32.Vec3{0, 1, 0}, -120},
	{"right elbow", humanoid.RightLowerArm, mgl32.Vec3{0, 1, 0}, 120},
	{"left knee", humanoid.LeftLowerLeg, mgl32.Vec3{1, 0, 0}, 120},
	{"right knee", humanoid.RightLowerLeg, mgl32.Vec3{1, 0, 0}, 120},
	{"left shoulder up", humanoid.LeftUpperArm, mgl32.Vec3{0, 0, 1}, 120},
	{"right shoulder up", humanoid.RightUpperArm, mgl32.Vec3{0, 0, 1}, -120},
	{"left shoulder forward", humanoid.LeftUpperArm, mgl32.Vec3{0, 1, 0}, -120},
	{"right shoulder forward", humanoid.RightUpperArm, mgl32.Vec3{0, 1, 0}, 120},
	{"left hip forward", humanoid.LeftUpperLeg, mgl32.Vec3{1, 0, 0}, -120},
	{"right hip forward", humanoid.RightUpperLeg, mgl32.Vec3{1, 0, 0}, -120},
	{"left hip out", humanoid.LeftUpperLeg, mgl32.Vec3{0, 0, 1}, 120},
	{"left wrist down", humanoid.LeftHand, mgl32.Vec3{0, 0, 1}, -120},
	{"right wrist down", humanoid.RightHand, mgl32.Vec3{0, 0, 1}, 120},
	{"left wrist forward", humanoid.LeftHand, mgl32.Vec3{0, 1, 0}, -120},
	{"neck forward", humanoid.Neck, mgl32.Vec3{1, 0, 0}, 120},
	{"neck back", humanoid.Neck, mgl32.Vec3{1, 0, 0}, -120},
	{"neck sideways", humanoid.Neck, mgl32.Vec3{0, 0, 1}, 120},
	{"neck turn", humanoid.Neck, mgl32.Vec3{0, 1, 0}, 120},
	// The torso's own blends: shoulder shrugs and single spine joints
	// (TestTorsoBends turns all three at once).
	{"left shrug", humanoid.LeftShoulder, mgl32.Vec3{0, 0, 1}, 40},
	{"right shrug forward", humanoid.RightShoulder, mgl32.Vec3{0, 1, 0}, -40},
	{"spine forward", humanoid.Spine, mgl32.Vec3{1, 0, 0}, 40},
	{"chest sideways", humanoid.Chest, mgl32.Vec3{0, 0, 1}, 30},
	{"upper chest twist", humanoid.UpperChest, mgl32.Vec3{0, 1, 0}, 60},
}

// TestTorsoBends bends the torso 120° forward, back and round, spread over
// the spine, chest and upper chest (40° each) as a Performer's body is, and
// 75° sideways (the bodice is wide; a human spine bends sideways less).
func TestTorsoBends(t *testing.T) {
	a := doll(t)
	for _, d := range []struct {
		name string
		axis mgl32.Vec3
		deg  float32 // per joint
	}{{"forward", mgl32.Vec3{1, 0, 0}, 40}, {"back", mgl32.Vec3{-1, 0, 0}, 40}, {"sideways", mgl32.Vec3{0, 0, 1}, 25}, {"twist", mgl32.Vec3{0, 1, 0}, 40}} {
		p := pose{}
		for _, b := range []humanoid.Bone{humanoid.Spine, humanoid.Chest, humanoid.UpperChest} {
			p[boneNode(t, a, b)] = mgl32.QuatRotate(mgl32.DegToRad(d.deg), d.axis)
		}
		if inverted, worst, where := signedAreas(a, p); inverted > 0 {
			t.Errorf("%s: %d triangles inverted; worst signed area %.3f of rest at %s", d.name, inverted, worst, where)
		}
	}
}

// signedAreas skins every triangle under pose p and measures its signed
// area against the orientation its skin transform should give it (the rest
// normal under the cofactor of the triangle's mean skin matrix), relative
// to its rest area. A triangle whose signed area is ≤ 0 has folded over:
// the skin collapsed or tore there. It returns how many did, and the
// smallest ratio and where.
func signedAreas(a *vrm.Model, p pose) (inverted int, worst float64, where string) {
	world := worldMatrices(a, p)
	sk := &a.Skins[0]
	palette := make([]mgl32.Mat4, len(sk.Joints))
	for j, n := range sk.Joints {
		palette[j] = world[n].Mul4(sk.InverseBindMatrices[j])
	}
	worst = math.Inf(1)
	for ni, n := range a.Nodes {
		if n.Mesh < 0 {
			continue
		}
		m := &a.Meshes[n.Mesh]
		for pi := range m.Primitives {
			prim := &m.Primitives[pi]
			pos := skinned(a, ni, prim, world, nil)
			for i := 0; i < len(prim.Indices); i += 3 {
				idx := prim.Indices[i : i+3]
				r0 := prim.Positions[idx[1]].Sub(prim.Positions[idx[0]]).Cross(prim.Positions[idx[2]].Sub(prim.Positions[idx[0]]))
				area0 := float64(r0.Len())
				if area0 < 1e-9 { // under 0.5 mm²: degenerate by construction
					continue
				}
				var mean mgl32.Mat3
				for _, v := range idx {
					for k := range 4 {
						if w := prim.Weights[v][k]; w != 0 {
							mean = mean.Add(palette[prim.Joints[v][k]].Mat3().Mul(w / 3))
						}
					}
				}
				want := mean.Inv().Transpose().Mul3x1(r0).Normalize()
				r1 := pos[idx[1]].Sub(pos[idx[0]]).Cross(pos[idx[2]].Sub(pos[idx[0]]))
				ratio := float64(r1.Dot(want)) / area0
				if ratio < worst {
					worst, where = ratio, fmt.Sprintf("%s/%d triangle %d", m.Name, pi, i/3)
				}
				if ratio <= 0 {
					inverted++
				}
			}
		}
	}
	return inverted, worst, where
}

// TestBendsDoNotInvertTriangles bends each major joint to 120° and checks
// the signed area of every skinned triangle.
func TestBendsDoNotInvertTriangles(t *testing.T) {
	a := doll(t)
	for _, bd := range majorBends {
		t.Run(bd.name, func(t *testing.T) {
			p := pose{boneNode(t, a, bd.bone): mgl32.QuatRotate(mgl32.DegToRad(bd.deg), bd.axis.Normalize())}
			inverted, worst, where := signedAreas(a, p)
			if inverted > 0 {
				t.Errorf("%d triangles inverted; worst signed area %.3f of rest at %s", inverted, worst, where)
			}
			t.Logf("smallest signed area %.3f of rest (%s)", worst, where)
		})
	}
}

// TestFingersCurl closes both hands into fists, every finger joint at 110°
// and the thumbs across the palm, with no triangle folding.
func TestFingersCurl(t *testing.T) {
	a := doll(t)
	p := pose{}
	for b := humanoid.LeftIndexProximal; b <= humanoid.RightLittleDistal; b++ {
		if b.Group() != humanoid.GroupFingers || b == humanoid.RightThumbMetacarpal || b == humanoid.RightThumbProximal || b == humanoid.RightThumbDistal {
			continue
		}
		side := float32(-1) // left fingers curl down: −Z rotation
		if b.Info().Side == 1 {
			side = 1
		}
		p[boneNode(t, a, b)] = mgl32.QuatRotate(mgl32.DegToRad(110*side), mgl32.Vec3{0, 0, 1})
	}
	for _, b := range []humanoid.Bone{humanoid.LeftThumbProximal, humanoid.LeftThumbDistal} {
		p[boneNode(t, a, b)] = mgl32.QuatRotate(mgl32.DegToRad(-70), mgl32.Vec3{1, 0, -1}.Normalize())
		p[boneNode(t, a, b.Mirror())] = mgl32.QuatRotate(mgl32.DegToRad(70), mgl32.Vec3{-1, 0, -1}.Normalize())
	}
	if inverted, worst, where := signedAreas(a, p); inverted > 0 {
		t.Errorf("%d triangles inverted; worst signed area %.3f of rest at %s", inverted, worst, where)
	}
}

// TestBendsKeepVolume: at 120° the skin round each elbow, knee and wrist
// keeps at least 40 % of its rest distance from the joint (linear blend
// skinning's "candy wrapper" collapse would pull it toward the bone).
func TestBendsKeepVolume(t *testing.T) {
	a := doll(t)
	body := -1
	for i, n := range a.Nodes {
		if n.Mesh >= 0 && a.Meshes[n.Mesh].Name == "Body" {
			body = i
		}
	}
	for _, bd := range majorBends {
		switch bd.bone {
		case humanoid.LeftLowerArm, humanoid.RightLowerArm, humanoid.LeftLowerLeg, humanoid.RightLowerLeg, humanoid.LeftHand, humanoid.RightHand:
		default:
			continue
		}
		node := boneNode(t, a, bd.bone)
		p := pose{node: mgl32.QuatRotate(mgl32.DegToRad(bd.deg), bd.axis)}
		world := worldMatrices(a, p)
		rest := worldMatrices(a, nil)
		pivot0, pivot1 := rest[node].Col(3).Vec3(), world[node].Col(3).Vec3()
		worst := math.Inf(1)
		prim := &a.Meshes[a.Nodes[body].Mesh].Primitives[1] // the wood
		pos := skinned(a, body, prim, world, nil)
		for i, v := range prim.Positions {
			d0 := float64(v.Sub(pivot0).Len())
			if d0 > 0.03 || d0 < 0.01 {
				continue // only the joint's own skin
			}
			worst = min(worst, float64(pos[i].Sub(pivot1).Len())/d0)
		}
		if worst < 0.4 {
			t.Errorf("%s: skin collapses to %.2f of its distance from the joint", bd.name, worst)
		}
	}
}

func TestEveryExpressionIsPresentAndMovesTheFace(t *testing.T) {
	a := doll(t)
	byName := map[string]*vrm.Expression{}
	for i := range a.Expressions {
		e := &a.Expressions[i]
		if byName[e.Name] != nil {
			t.Errorf("expression %q twice", e.Name)
		}
		byName[e.Name] = e
	}
	presets := map[string]vrm.Preset{
		"happy": vrm.PresetHappy, "angry": vrm.PresetAngry, "sad": vrm.PresetSad, "relaxed": vrm.PresetRelaxed,
		"surprised": vrm.PresetSurprised, "aa": vrm.PresetAa, "ih": vrm.PresetIh, "ou": vrm.PresetOu, "ee": vrm.PresetEe,
		"oh": vrm.PresetOh, "blink": vrm.PresetBlink, "blinkLeft": vrm.PresetBlinkLeft, "blinkRight": vrm.PresetBlinkRight,
		"lookUp": vrm.PresetLookUp, "lookDown": vrm.PresetLookDown, "lookLeft": vrm.PresetLookLeft,
		"lookRight": vrm.PresetLookRight, "neutral": vrm.PresetNeutral,
	}
	want := map[string]bool{}
	for n, p := range presets {
		want[n] = true
		if e := byName[n]; e == nil || e.Preset != p {
			t.Errorf("preset %q missing or mislabelled", n)
		}
	}
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		want[s.String()] = true
		if e := byName[s.String()]; e == nil || e.Preset != vrm.PresetCustom {
			t.Errorf("ARKit expression %q missing", s)
		}
	}
	if len(a.Expressions) != len(want) {
		t.Errorf("%d expressions, want %d", len(a.Expressions), len(want))
	}
	world := worldMatrices(a, nil)
	for _, e := range a.Expressions {
		moved := 0.0
		weights := map[int][]float32{}
		for _, b := range e.MorphBinds {
			n := &a.Nodes[b.Node]
			if n.Mesh < 0 || b.Index >= len(a.Meshes[n.Mesh].TargetNames) {
				t.Fatalf("%s: bind %+v points at no target", e.Name, b)
			}
			if weights[b.Node] == nil {
				weights[b.Node] = make([]float32, len(a.Meshes[n.Mesh].TargetNames))
			}
			weights[b.Node][b.Index] += b.Weight
		}
		for node, w := range weights {
			for pi := range a.Meshes[a.Nodes[node].Mesh].Primitives {
				prim := &a.Meshes[a.Nodes[node].Mesh].Primitives[pi]
				rest := skinned(a, node, prim, world, nil)
				posed := skinned(a, node, prim, world, w)
				for i := range rest {
					moved = max(moved, float64(posed[i].Sub(rest[i]).Len()))
				}
			}
		}
		// A millimetre is a few pixels on a face filling a 720p window.
		if moved < 0.001 {
			t.Errorf("expression %q moves the face by %.2f mm at most", e.Name, moved*1000)
		}
	}
}

// TestLidsStayOutsideTheEyes: through a blink, at every weight, no eyelid
// vertex passes inside its eyeball (the eyeball would poke through).
func TestLidsStayOutsideTheEyes(t *testing.T) {
	a := doll(t)
	world := worldMatrices(a, nil)
	for _, side := range []struct {
		mesh string
		bone humanoid.Bone
	}{{"Eyelids.L", humanoid.LeftEye}, {"Eyelids.R", humanoid.RightEye}} {
		centre := world[boneNode(t, a, side.bone)].Col(3).Vec3()
		for ni, n := range a.Nodes {
			if n.Mesh < 0 || a.Meshes[n.Mesh].Name != side.mesh {
				continue
			}
			m := &a.Meshes[n.Mesh]
			for ti, tn := range m.TargetNames {
				for k := 0; k <= 10; k++ {
					w := make([]float32, len(m.TargetNames))
					w[ti] = float32(k) / 10
					pos := skinned(a, ni, &m.Primitives[0], world, w)
					for i, p := range pos {
						if d := p.Sub(centre).Len(); d < float32(eyeRadius)*1.005 {
							t.Fatalf("%s %s at %.1f: vertex %d at %.2f eye radii", side.mesh, tn, w[ti], i, d/float32(eyeRadius))
						}
					}
				}
			}
		}
	}
}

func TestLookAtTurnsTheEyes(t *testing.T) {
	a := doll(t)
	la := a.LookAt
	if la.Type != vrm.LookAtBone {
		t.Fatalf("lookAt type %v, want bone", la.Type)
	}
	for _, rm := range []vrm.RangeMap{la.HorizontalInner, la.HorizontalOuter, la.VerticalDown, la.VerticalUp} {
		if rm.InputMaxValue <= 0 || rm.InputMaxValue > 90 || rm.OutputScale < 5 || rm.OutputScale > 30 {
			t.Errorf("range map %+v outside sensible limits", rm)
		}
	}
	// The offset lands between the eyes.
	world := worldMatrices(a, nil)
	head := world[boneNode(t, a, humanoid.Head)].Col(3).Vec3()
	mid := world[boneNode(t, a, humanoid.LeftEye)].Col(3).Vec3().Add(world[boneNode(t, a, humanoid.RightEye)].Col(3).Vec3()).Mul(0.5)
	if !head.Add(la.OffsetFromHeadBone).ApproxEqualThreshold(mid, 1e-5) {
		t.Errorf("lookAt offset lands at %v, eyes at %v", head.Add(la.OffsetFromHeadBone), mid)
	}
	// Turning the left eye bone moves the left eyeball and nothing else.
	eye := boneNode(t, a, humanoid.LeftEye)
	turned := worldMatrices(a, pose{eye: mgl32.QuatRotate(mgl32.DegToRad(la.HorizontalOuter.OutputScale), mgl32.Vec3{0, 1, 0})})
	for ni, n := range a.Nodes {
		if n.Mesh < 0 {
			continue
		}
		m := &a.Meshes[n.Mesh]
		moved := 0.0
		for pi := range m.Primitives {
			rest := skinned(a, ni, &m.Primitives[pi], world, nil)
			pos := skinned(a, ni, &m.Primitives[pi], turned, nil)
			for i := range rest {
				moved = max(moved, float64(pos[i].Sub(rest[i]).Len()))
			}
		}
		if (m.Name == "Eye.L") != (moved > 0.002) {
			t.Errorf("turning the left eye moves %s by %.2f mm", m.Name, moved*1000)
		}
	}
}

func TestSpringBones(t *testing.T) {
	a := doll(t)
	sb := a.SpringBone
	if len(sb.Springs) == 0 {
		t.Fatal("no spring chains")
	}
	head := boneNode(t, a, humanoid.Head)
	headCollider := false
	for _, g := range sb.ColliderGroups {
		for _, c := range g.Colliders {
			if sb.Colliders[c].Node == head && sb.Colliders[c].Radius > 0.1 {
				headCollider = true
			}
		}
	}
	if !headCollider {
		t.Error("no collider on the head")
	}
	for _, s := range sb.Springs {
		if len(s.Joints) < 3 {
			t.Errorf("spring %s: %d joints", s.Name, len(s.Joints))
		}
		for i := 1; i < len(s.Joints); i++ {
			if a.Nodes[s.Joints[i].Node].Parent != s.Joints[i-1].Node {
				t.Errorf("spring %s: joint %d is not a child of joint %d", s.Name, i, i-1)
			}
		}
		for _, j := range s.Joints {
			if j.Stiffness < 0 || j.GravityPower < 0 || j.DragForce < 0 || j.DragForce > 1 || j.HitRadius <= 0 {
				t.Errorf("spring %s: bad joint parameters %+v", s.Name, j)
			}
		}
		hasHead := false
		for _, g := range s.ColliderGroups {
			hasHead = hasHead || g == 0
		}
		if !hasHead {
			t.Errorf("spring %s does not collide with the head", s.Name)
		}
		// The cord mesh is skinned to the chain: its tip follows the last
		// moving joint.
		used := false
		for _, m := range a.Meshes {
			for _, p := range m.Primitives {
				for _, js := range p.Joints {
					for _, j := range js {
						if a.Skins[0].Joints[j] == s.Joints[len(s.Joints)-2].Node {
							used = true
						}
					}
				}
			}
		}
		if !used {
			t.Errorf("spring %s: no vertex follows its last joint", s.Name)
		}
	}
}

func TestMeta(t *testing.T) {
	a := doll(t)
	m := a.Meta
	if m.Name != "Kugutsu" || len(m.Authors) != 1 || m.Authors[0] != "the Kugutsu project" {
		t.Errorf("name/authors %q/%q", m.Name, m.Authors)
	}
	if m.LicenseURL != "https://vrm.dev/licenses/1.0/" || m.OtherLicenseURL != "https://creativecommons.org/publicdomain/zero/1.0/" {
		t.Errorf("licence URLs %q, %q", m.LicenseURL, m.OtherLicenseURL)
	}
	if m.AvatarPermission != "everyone" || m.CommercialUsage != "corporation" || m.CreditNotation != "unnecessary" ||
		!m.AllowRedistribution || m.Modification != "allowModificationRedistribution" {
		t.Errorf("usage fields not permissive: %+v", m)
	}
	if m.Thumbnail < 0 || m.Thumbnail >= len(a.Textures) || a.Textures[m.Thumbnail].Image.Bounds().Dx() < 128 {
		t.Errorf("thumbnail %d", m.Thumbnail)
	}
}

func TestMaterialsAreMToonWithOutlines(t *testing.T) {
	a := doll(t)
	outlined := 0
	for _, m := range a.Materials {
		if m.MToon == nil {
			t.Errorf("material %s is not MToon", m.Name)
			continue
		}
		if !m.BaseColorTexture.Valid() || m.BaseColor != (mgl32.Vec4{1, 1, 1, 1}) {
			t.Errorf("material %s: no plain base-colour fallback", m.Name)
		}
		if m.MToon.OutlineMode == vrm.OutlineWorld && m.MToon.OutlineWidth > 0 {
			outlined++
		}
	}
	if outlined < 4 {
		t.Errorf("%d outlined materials", outlined)
	}
}

func BenchmarkBuild(b *testing.B) {
	for b.Loop() {
		if _, err := Build(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
