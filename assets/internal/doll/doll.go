// Package doll builds Kugutsu, the project's default avatar: a stylized
// wooden marionette doll in a lacquered kimono bodice, made entirely by this
// code from smooth primitives (lathed profiles, ellipsoids, rounded boxes,
// swept tubes) with procedurally painted textures.
//
// [Build] returns the doll as an in-memory [vrm.Model] in the VRM 1.0 frame
// (metres, +Y up, facing +Z, its left hand on +X; vrm/model.go): all 55
// humanoid bones in the T-pose with identity rest rotations, one skin with
// smooth weights across every joint, MToon materials with outlines, the 18
// VRM 1.0 preset expressions and the 52 ARKit Perfect Sync expressions as
// morph targets of a parametric face, bone lookAt, two spring-bone tassels
// with head and shoulder colliders, and CC0 metadata. The output depends on
// nothing but this code: Build is deterministic.
package doll

import (
	"fmt"
	"image"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Identity of the avatar (VRM 1.0 meta).
const (
	Name            = "Kugutsu"
	Author          = "the Kugutsu project"
	Version         = "1.0"
	LicenseURL      = "https://vrm.dev/licenses/1.0/"
	OtherLicenseURL = "https://creativecommons.org/publicdomain/zero/1.0/"
)

// Texture indices in the built avatar.
const (
	TexWood = iota
	TexKimono
	TexFace
	TexHair
	TexThumbnail
)

// builder holds what the parts share while the doll is assembled.
type builder struct {
	rig *rig
}

// Options adjust Build.
type Options struct {
	// Thumbnail makes the meta thumbnail from the finished avatar (for
	// example by rendering it); nil paints the 256×256 Portrait. It is called
	// once, with a Model of its own (identical to the doll, the thumbnail
	// texture a 1×1 placeholder), so that the Model Build returns has never
	// been used when its thumbnail is set (a vrm.Model is not edited once
	// used).
	Thumbnail func(a *vrm.Model) (image.Image, error)
}

// Build makes the doll. The Model is new on every call.
func Build(o Options) (*vrm.Model, error) {
	a, err := build()
	if err != nil {
		return nil, err
	}
	var thumb image.Image = Portrait(256)
	if o.Thumbnail != nil {
		sitter, err := build()
		if err != nil {
			return nil, err
		}
		if thumb, err = o.Thumbnail(sitter); err != nil {
			return nil, fmt.Errorf("doll: thumbnail: %w", err)
		}
	}
	a.Textures[TexThumbnail].Image = toNRGBA(thumb)
	return a, nil
}

// build makes the doll with a 1×1 placeholder thumbnail.
func build() (*vrm.Model, error) {
	b := &builder{rig: newRig()}
	r := b.rig
	a := &vrm.Model{Version: vrm.Version1}

	// Nodes: 0 the root, then the skeleton joints in rig order, then one node
	// per mesh. Skinned mesh nodes sit at the root with identity transforms.
	a.Nodes = append(a.Nodes, vrm.Node{Name: "Kugutsu", Parent: -1, Mesh: -1, Skin: -1, Rotation: mgl32.QuatIdent(), Scale: mgl32.Vec3{1, 1, 1}})
	a.Scene = []int{0}
	jointNode := func(j int) int { return 1 + j }
	for j, jt := range r.joints {
		parent := 0
		local := jt.world.Sub(v3(0, ground, 0))
		if jt.parent >= 0 {
			parent = jointNode(jt.parent)
			local = jt.world.Sub(r.joints[jt.parent].world)
		}
		a.Nodes = append(a.Nodes, vrm.Node{
			Name: jt.name, Parent: parent, Translation: vec32(local),
			Rotation: mgl32.QuatIdent(), Scale: mgl32.Vec3{1, 1, 1}, Mesh: -1, Skin: -1,
		})
		a.Nodes[parent].Children = append(a.Nodes[parent].Children, jointNode(j))
	}
	skin := vrm.Skin{Name: "Armature", Skeleton: jointNode(r.j(humanoid.Hips))}
	for j, jt := range r.joints {
		skin.Joints = append(skin.Joints, jointNode(j))
		w := outPos(jt.world)
		skin.InverseBindMatrices = append(skin.InverseBindMatrices, mgl32.Translate3D(-w[0], -w[1], -w[2]))
	}
	a.Skins = []vrm.Skin{skin}

	addMesh := func(m vrm.Mesh) int {
		a.Meshes = append(a.Meshes, m)
		node := len(a.Nodes)
		a.Nodes = append(a.Nodes, vrm.Node{
			Name: m.Name, Parent: 0, Mesh: len(a.Meshes) - 1, Skin: 0,
			Rotation: mgl32.QuatIdent(), Scale: mgl32.Vec3{1, 1, 1},
		})
		if len(m.TargetNames) > 0 {
			a.Nodes[node].Weights = make([]float32, len(m.TargetNames))
		}
		a.Nodes[0].Children = append(a.Nodes[0].Children, node)
		return node
	}
	bodyNode := addMesh(b.buildBody())
	headNode := addMesh(b.buildHead())

	face, err := b.buildFace()
	if err != nil {
		return nil, err
	}
	targets := map[string][]vrm.MorphBind{} // shape name → binds on face nodes
	var faceNodes []int
	for _, fm := range face {
		node := addMesh(fm)
		faceNodes = append(faceNodes, node)
		for i, n := range fm.TargetNames {
			targets[n] = append(targets[n], vrm.MorphBind{Node: node, Index: i, Weight: 1})
		}
	}

	// Humanoid.
	for bn := humanoid.Bone(0); bn < humanoid.Count; bn++ {
		a.Humanoid.Nodes[bn] = jointNode(r.j(bn))
		a.Humanoid.Present = a.Humanoid.Present.With(bn)
	}

	// Expressions.
	for _, d := range expressionDefs() {
		e := vrm.Expression{Name: d.name, Preset: d.preset, OverrideBlink: d.blink, OverrideLookAt: d.lookAt, OverrideMouth: d.mouth}
		for _, bd := range d.binds {
			mb, ok := targets[bd.shape]
			if !ok {
				return nil, fmt.Errorf("doll: expression %q: shape %q moves nothing", d.name, bd.shape)
			}
			for _, x := range mb {
				x.Weight = bd.weight
				e.MorphBinds = append(e.MorphBinds, x)
			}
		}
		a.Expressions = append(a.Expressions, e)
	}

	// LookAt: the eye bones turn; the eyes sit 9.6 cm above and 9.25 cm in
	// front of the head bone. Doll eyes are big, so the gaze turns them
	// further than a human's (VRoid uses 10° over 90°): an inner turn
	// reaches 14°, an outer 18°, at a target 30° off axis.
	eyeMid := r.pos(humanoid.LeftEye).Add(r.pos(humanoid.RightEye)).Mul(0.5)
	a.LookAt = vrm.LookAt{
		Type:               vrm.LookAtBone,
		OffsetFromHeadBone: vec32(eyeMid.Sub(r.pos(humanoid.Head))),
		HorizontalInner:    vrm.RangeMap{InputMaxValue: 30, OutputScale: 14},
		HorizontalOuter:    vrm.RangeMap{InputMaxValue: 30, OutputScale: 18},
		VerticalDown:       vrm.RangeMap{InputMaxValue: 30, OutputScale: 12},
		VerticalUp:         vrm.RangeMap{InputMaxValue: 30, OutputScale: 12},
	}

	// First person: the head's meshes are hidden in the wearer's own view.
	a.FirstPerson.Annotations = map[int]vrm.FirstPersonType{bodyNode: vrm.FirstPersonBoth, headNode: vrm.FirstPersonThirdPersonOnly}
	for _, n := range faceNodes {
		a.FirstPerson.Annotations[n] = vrm.FirstPersonThirdPersonOnly
	}

	a.SpringBone = b.springs(jointNode)

	// Textures and materials; the thumbnail is set by Build.
	a.Textures = []vrm.Texture{
		{Name: "Wood", MIMEType: "image/png", Image: woodTexture(), Sampler: vrm.Sampler{WrapS: vrm.WrapRepeat, WrapT: vrm.WrapRepeat}},
		{Name: "Kimono", MIMEType: "image/png", Image: kimonoTexture(), Sampler: vrm.Sampler{WrapS: vrm.WrapClamp, WrapT: vrm.WrapClamp}},
		{Name: "Face", MIMEType: "image/png", Image: faceTexture(), Sampler: vrm.Sampler{WrapS: vrm.WrapClamp, WrapT: vrm.WrapClamp}},
		{Name: "Hair", MIMEType: "image/png", Image: hairTexture(), Sampler: vrm.Sampler{WrapS: vrm.WrapRepeat, WrapT: vrm.WrapClamp}},
		{Name: "Thumbnail", MIMEType: "image/png", Image: image.NewNRGBA(image.Rect(0, 0, 1, 1)), Sampler: vrm.Sampler{WrapS: vrm.WrapClamp, WrapT: vrm.WrapClamp}},
	}
	a.Materials = materials()
	a.Meta = meta()
	return a, nil
}

// toNRGBA copies any image into a tightly packed NRGBA at the origin.
func toNRGBA(img image.Image) *image.NRGBA {
	bnd := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, bnd.Dx(), bnd.Dy()))
	for y := range bnd.Dy() {
		for x := range bnd.Dx() {
			out.Set(x, y, img.At(bnd.Min.X+x, bnd.Min.Y+y))
		}
	}
	return out
}

// facePart is one mesh of the parametric face.
type facePart struct {
	name     string
	material int
	build    func(P *faceParams) *part
	weights  func(b *builder) weightFunc
}

func faceParts() []facePart {
	head := func(b *builder) weightFunc { return rigid(b.rig.j(humanoid.Head)) }
	parts := []facePart{
		{"Face", matFace, buildFaceMask, func(b *builder) weightFunc { return b.faceWeights }},
		{"Mouth", matFaceParts, buildMouth, func(b *builder) weightFunc { return b.faceWeights }},
		{"Tongue", matFaceParts, buildTongue, func(b *builder) weightFunc { return rigid(b.rig.j(humanoid.Jaw)) }},
	}
	// Paired parts are one mesh per side, so a one-sided shape (most ARKit
	// ones) only stores the vertices it can move.
	for i, sfx := range []string{".L", ".R"} {
		eye := humanoid.LeftEye
		if i == 1 {
			eye = humanoid.RightEye
		}
		parts = append(parts,
			facePart{"Eyelids" + sfx, matFace, func(P *faceParams) *part { return buildLids(P, i) }, head},
			facePart{"Eye" + sfx, matFaceParts, func(P *faceParams) *part { return buildEye(P, i) },
				func(b *builder) weightFunc { return rigid(b.rig.j(eye)) }},
			facePart{"Brow" + sfx, matFaceParts, func(P *faceParams) *part { return buildBrow(P, i) }, head},
		)
	}
	return parts
}

// morphEpsilon is the smallest displacement (metres) that counts as moving a
// vertex; a shape that moves no vertex of a part by more gets no target there.
const morphEpsilon = 2e-5

// buildFace builds the face meshes with their morph targets.
func (b *builder) buildFace() ([]vrm.Mesh, error) {
	shapes := append(arkitShapes(), presetShapes()...)
	var out []vrm.Mesh
	for _, fp := range faceParts() {
		rest := restFace
		base := fp.build(&rest)
		base.skin(fp.weights(b))
		prim := base.primitive(fp.material)
		mesh := vrm.Mesh{Name: fp.name}
		for _, s := range shapes {
			P := restFace
			s.apply(&P)
			moved := fp.build(&P)
			if len(moved.pos) != len(base.pos) || len(moved.idx) != len(base.idx) {
				return nil, fmt.Errorf("doll: shape %s changes the topology of %s", s.name, fp.name)
			}
			delta := make([]mgl32.Vec3, len(base.pos))
			maxd := 0.0
			for i := range delta {
				d := moved.pos[i].Sub(base.pos[i])
				maxd = max(maxd, d.Len())
				delta[i] = vec32(d)
			}
			if maxd < morphEpsilon {
				continue
			}
			prim.Targets = append(prim.Targets, vrm.MorphTarget{Positions: delta})
			mesh.TargetNames = append(mesh.TargetNames, s.name)
		}
		mesh.Primitives = []vrm.Primitive{prim}
		out = append(out, mesh)
	}
	return out, nil
}

// springs sets up the two tassels: stiff near the knot, looser toward the
// tip, pulled down by gravity, kept off the head and the left shoulder.
func (b *builder) springs(jointNode func(int) int) vrm.SpringBone {
	r := b.rig
	var sb vrm.SpringBone
	headOff := headCentre.Sub(r.pos(humanoid.Head))
	sb.Colliders = []vrm.Collider{
		{Node: jointNode(r.j(humanoid.Head)), Shape: vrm.ColliderSphere, Offset: vec32(headOff), Radius: 0.138},
		{Node: jointNode(r.j(humanoid.LeftUpperArm)), Shape: vrm.ColliderCapsule, Offset: mgl32.Vec3{0, 0, 0}, Tail: mgl32.Vec3{0.2, 0, 0}, Radius: 0.036},
		{Node: jointNode(r.j(humanoid.UpperChest)), Shape: vrm.ColliderSphere, Offset: mgl32.Vec3{0.06, 0.03, 0}, Radius: 0.07},
	}
	sb.ColliderGroups = []vrm.ColliderGroup{
		{Name: "Head", Colliders: []int{0}},
		{Name: "LeftShoulder", Colliders: []int{1, 2}},
	}
	for i, chain := range r.tassel {
		s := vrm.Spring{Name: tassels[i].name, ColliderGroups: []int{0, 1}, Center: -1}
		for k, j := range chain {
			t := float32(k) / float32(len(chain)-1)
			s.Joints = append(s.Joints, vrm.SpringJoint{
				Node: jointNode(j), HitRadius: 0.008,
				Stiffness: 0.5 - 0.35*t, GravityPower: 1, GravityDir: mgl32.Vec3{0, -1, 0}, DragForce: 0.3,
			})
		}
		sb.Springs = append(sb.Springs, s)
	}
	return sb
}

// meta is CC0 with every usage allowed: the VRM fields must not claim
// restrictions CC0 does not impose.
func meta() vrm.Meta {
	return vrm.Meta{
		Name:                           Name,
		Version:                        Version,
		Authors:                        []string{Author},
		CopyrightInformation:           "CC0 1.0 Universal: dedicated to the public domain by " + Author,
		Thumbnail:                      TexThumbnail,
		LicenseURL:                     LicenseURL,
		AvatarPermission:               "everyone",
		AllowExcessivelyViolentUsage:   true,
		AllowExcessivelySexualUsage:    true,
		CommercialUsage:                "corporation",
		AllowPoliticalOrReligiousUsage: true,
		AllowAntisocialOrHateUsage:     true,
		CreditNotation:                 "unnecessary",
		AllowRedistribution:            true,
		Modification:                   "allowModificationRedistribution",
		OtherLicenseURL:                OtherLicenseURL,
	}
}
