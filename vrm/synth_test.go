package vrm

import (
	"image"
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// A synthetic humanoid for tests, built as a Model and written with
// vrmenc.Encode (EncodeForTest). Bone rest positions are in model space (VRM 1.0 frame, facing +Z,
// metres); see synthAvatar.
type synthNode struct {
	name   string
	bone   humanoid.Bone // humanoid.None for other nodes
	parent int           // index into synthSkeleton, -1 for the root
	pos    mgl32.Vec3    // rest world position
}

var synthSkeleton = []synthNode{
	{"Armature", humanoid.None, -1, mgl32.Vec3{0, 0, 0}},
	{"Hips", humanoid.Hips, 0, mgl32.Vec3{0, 1.0, 0}},
	{"Spine", humanoid.Spine, 1, mgl32.Vec3{0, 1.1, 0}},
	{"Chest", humanoid.Chest, 2, mgl32.Vec3{0, 1.25, 0}},
	{"Neck", humanoid.Neck, 3, mgl32.Vec3{0, 1.45, 0}},
	{"Head", humanoid.Head, 4, mgl32.Vec3{0, 1.55, 0}},
	{"LeftEye", humanoid.LeftEye, 5, mgl32.Vec3{0.03, 1.6, 0.08}},
	{"RightEye", humanoid.RightEye, 5, mgl32.Vec3{-0.03, 1.6, 0.08}},
	{"LeftUpperArm", humanoid.LeftUpperArm, 3, mgl32.Vec3{0.2, 1.4, 0}},
	{"LeftLowerArm", humanoid.LeftLowerArm, 8, mgl32.Vec3{0.45, 1.4, 0}},
	{"LeftHand", humanoid.LeftHand, 9, mgl32.Vec3{0.7, 1.4, 0}},
	{"RightUpperArm", humanoid.RightUpperArm, 3, mgl32.Vec3{-0.2, 1.4, 0}},
	{"RightLowerArm", humanoid.RightLowerArm, 11, mgl32.Vec3{-0.45, 1.4, 0}},
	{"RightHand", humanoid.RightHand, 12, mgl32.Vec3{-0.7, 1.4, 0}},
	{"LeftUpperLeg", humanoid.LeftUpperLeg, 1, mgl32.Vec3{0.1, 0.95, 0}},
	{"LeftLowerLeg", humanoid.LeftLowerLeg, 14, mgl32.Vec3{0.1, 0.5, 0}},
	{"LeftFoot", humanoid.LeftFoot, 15, mgl32.Vec3{0.1, 0.08, 0}},
	{"RightUpperLeg", humanoid.RightUpperLeg, 1, mgl32.Vec3{-0.1, 0.95, 0}},
	{"RightLowerLeg", humanoid.RightLowerLeg, 17, mgl32.Vec3{-0.1, 0.5, 0}},
	{"RightFoot", humanoid.RightFoot, 18, mgl32.Vec3{-0.1, 0.08, 0}},
	{"Hair1", humanoid.None, 5, mgl32.Vec3{0, 1.6, -0.1}},
	{"Hair2", humanoid.None, 20, mgl32.Vec3{0, 1.5, -0.12}},
	{"Hair3", humanoid.None, 21, mgl32.Vec3{0, 1.4, -0.14}},
}

// synthRestRotation is a fixed, arbitrary world rest rotation for node i.
func synthRestRotation(i int) mgl32.Quat {
	f := float64(i)
	return quat.Normalize(mgl32.Quat{
		W: float32(1.2 + math.Cos(f*0.9)),
		V: mgl32.Vec3{float32(math.Sin(f * 1.3)), float32(math.Cos(f * 0.7)), float32(math.Sin(f*2.1) * 0.8)},
	})
}

// synthAvatar builds the synthetic avatar. With rotated, every node has a
// non-identity world rest rotation (as Blender/VRoid VRM 1.0 exports do);
// without, all rest rotations are identity (as VRM 0.x requires). Both
// have the same rest world positions. The mesh node (last) carries one
// small triangle per skeleton node, skinned wholly to it, and two morph
// targets: "up" (+1 cm y) and "front" (+1 cm z).
func synthAvatar(rotated bool) *Model {
	n := len(synthSkeleton)
	av := &Model{Version: Version1}
	av.Meta = Meta{Name: "synthetic", Version: "1", Authors: []string{"Kugutsu tests"}, Thumbnail: 0,
		LicenseURL: "https://vrm.dev/licenses/1.0/", AvatarPermission: "everyone", CommercialUsage: "personalNonProfit",
		CreditNotation: "unnecessary", AllowRedistribution: true, Modification: "allowModificationRedistribution"}
	world := make([]mgl32.Quat, n)
	for i, s := range synthSkeleton {
		world[i] = mgl32.QuatIdent()
		if rotated {
			world[i] = synthRestRotation(i)
		}
		nd := Node{Name: s.name, Parent: s.parent, Mesh: -1, Skin: -1, Scale: mgl32.Vec3{1, 1, 1}}
		if s.parent < 0 {
			nd.Translation, nd.Rotation = s.pos, world[i]
			av.Scene = append(av.Scene, i)
		} else {
			pinv := qconj(world[s.parent])
			nd.Rotation = quat.Normalize(qmul(pinv, world[i]))
			nd.Translation = pinv.Rotate(s.pos.Sub(synthSkeleton[s.parent].pos))
			av.Nodes[s.parent].Children = append(av.Nodes[s.parent].Children, i)
		}
		av.Nodes = append(av.Nodes, nd)
		if s.bone != humanoid.None {
			av.Humanoid.Nodes[s.bone] = i
			av.Humanoid.Present = av.Humanoid.Present.With(s.bone)
		}
	}
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		if !av.Humanoid.Present.Has(b) {
			av.Humanoid.Nodes[b] = -1
		}
	}
	// Skin: every skeleton node is a joint.
	skin := Skin{Name: "skin", Skeleton: 0}
	for i, s := range synthSkeleton {
		skin.Joints = append(skin.Joints, i)
		w := composeTRS(s.pos, world[i], mgl32.Vec3{1, 1, 1})
		skin.InverseBindMatrices = append(skin.InverseBindMatrices, affineInverse(&w))
	}
	av.Skins = []Skin{skin}
	// Mesh.
	var p Primitive
	p.Material = 0
	up := MorphTarget{}
	front := MorphTarget{}
	for i, s := range synthSkeleton {
		for k, d := range []mgl32.Vec3{{0.01, 0, 0}, {0, 0.01, 0}, {0, 0, 0.01}} {
			p.Positions = append(p.Positions, s.pos.Add(d))
			p.Normals = append(p.Normals, mgl32.Vec3{0, 0, 1})
			p.UV0 = append(p.UV0, mgl32.Vec2{float32(k) / 2, float32(i) / float32(n)})
			p.Joints = append(p.Joints, [4]uint16{uint16(i)})
			p.Weights = append(p.Weights, [4]float32{1})
			p.Indices = append(p.Indices, uint32(len(p.Positions)-1))
			up.Positions = append(up.Positions, mgl32.Vec3{0, 0.01, 0})
			front.Positions = append(front.Positions, mgl32.Vec3{0, 0, 0.01})
		}
	}
	p.Targets = []MorphTarget{up, front}
	av.Meshes = []Mesh{{Name: "body", Primitives: []Primitive{p}, TargetNames: []string{"up", "front"}}}
	meshNode := len(av.Nodes)
	av.Nodes = append(av.Nodes, Node{Name: "Body", Parent: -1, Mesh: 0, Skin: 0, Rotation: mgl32.QuatIdent(), Scale: mgl32.Vec3{1, 1, 1}})
	av.Scene = append(av.Scene, meshNode)
	// Texture and materials.
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for k := range img.Pix {
		img.Pix[k] = uint8(k * 7)
	}
	av.Textures = []Texture{{Name: "checker", MIMEType: "image/png", Image: img, Sampler: Sampler{WrapS: WrapClamp, Mag: FilterNearest}}}
	av.Materials = []Material{
		{
			Name: "skin", BaseColor: mgl32.Vec4{1, 0.9, 0.8, 1}, AlphaCutoff: 0.5, NormalScale: 1,
			BaseColorTexture: TextureRef{Texture: 0, Scale: mgl32.Vec2{0.5, 0.5}, Offset: mgl32.Vec2{0.25, 0}},
			EmissiveTexture:  noTexture, NormalTexture: noTexture,
			Roughness: 1, MetallicRoughnessTexture: noTexture, OcclusionTexture: noTexture, OcclusionStrength: 1,
			MToon: &MToon{
				ShadeColor: mgl32.Vec3{0.6, 0.5, 0.5}, ShadeTexture: TextureRef{Texture: 0, Scale: mgl32.Vec2{0.5, 0.5}, Offset: mgl32.Vec2{0.25, 0}},
				ShadingShift: -0.05, ShadingToony: 0.95, GIEqualization: 0.9, RimFresnelPower: 1,
				ShadingShiftTex: noTexture, RimTexture: noTexture, MatcapTexture: noTexture, OutlineWidthTex: noTexture, UVAnimMaskTexture: noTexture,
				OutlineMode: OutlineWorld, OutlineWidth: 0.002, OutlineColor: mgl32.Vec3{0.1, 0, 0}, OutlineLightMix: 1, ShadingShiftTexScale: 1,
			},
		},
		{Name: "eyes", BaseColor: mgl32.Vec4{1, 1, 1, 1}, AlphaMode: AlphaMask, AlphaCutoff: 0.3, Unlit: true, NormalScale: 1,
			BaseColorTexture: TextureRef{Texture: 0, Scale: mgl32.Vec2{1, 1}}, EmissiveTexture: noTexture, NormalTexture: noTexture,
			Metallic: 0.5, Roughness: 0.25, MetallicRoughnessTexture: TextureRef{Texture: 0, Scale: mgl32.Vec2{1, 1}},
			OcclusionTexture: TextureRef{Texture: 0, TexCoord: 0, Scale: mgl32.Vec2{1, 1}}, OcclusionStrength: 0.75},
	}
	av.Expressions = []Expression{
		{Name: "happy", Preset: PresetHappy, MorphBinds: []MorphBind{{Node: meshNode, Index: 0, Weight: 1}},
			ColorBinds: []ColorBind{{Material: 0, Type: ColorBase, Target: mgl32.Vec4{1, 0, 0, 1}}}},
		{Name: "aa", Preset: PresetAa, MorphBinds: []MorphBind{{Node: meshNode, Index: 1, Weight: 0.5}}},
		{Name: "blink", Preset: PresetBlink, MorphBinds: []MorphBind{{Node: meshNode, Index: 1, Weight: 1}},
			TextureBinds: []TextureTransformBind{{Material: 1, Scale: mgl32.Vec2{1, 1}, Offset: mgl32.Vec2{0, 0.5}}}},
		{Name: "Wink", IsBinary: true, OverrideBlink: OverrideBlock, OverrideMouth: OverrideBlend,
			MorphBinds: []MorphBind{{Node: meshNode, Index: 0, Weight: 0.25}}},
	}
	// The lookAt origin is 6 cm up and 5 cm forward of the head in model
	// axes; the file stores it in the head's local frame.
	av.LookAt = LookAt{Type: LookAtBone, OffsetFromHeadBone: qconj(world[5]).Rotate(mgl32.Vec3{0, 0.06, 0.05}),
		HorizontalInner: RangeMap{90, 10}, HorizontalOuter: RangeMap{90, 12}, VerticalDown: RangeMap{90, 8}, VerticalUp: RangeMap{90, 9}}
	av.FirstPerson.Annotations = map[int]FirstPersonType{meshNode: FirstPersonBoth}
	av.SpringBone = SpringBone{
		// A sphere in the head; a capsule across the back, where the hair
		// hangs at rest (Hair3 is inside it: the first step pushes it out).
		Colliders: []Collider{
			{Node: 5, Shape: ColliderSphere, Offset: qconj(world[5]).Rotate(mgl32.Vec3{0, 0.05, 0}), Radius: 0.09},
			{Node: 3, Shape: ColliderCapsule, Offset: qconj(world[3]).Rotate(mgl32.Vec3{0.05, 0.2, -0.15}), Tail: qconj(world[3]).Rotate(mgl32.Vec3{-0.05, 0.2, -0.15}), Radius: 0.05},
		},
		ColliderGroups: []ColliderGroup{{Name: "head", Colliders: []int{0}}, {Name: "back", Colliders: []int{1}}},
		Springs: []Spring{{Name: "hair", Center: -1, ColliderGroups: []int{0, 1}, Joints: []SpringJoint{
			{Node: 20, HitRadius: 0.02, Stiffness: 1, GravityPower: 0.5, GravityDir: mgl32.Vec3{0, -1, 0}, DragForce: 0.4},
			{Node: 21, HitRadius: 0.02, Stiffness: 1, GravityPower: 0.5, GravityDir: mgl32.Vec3{0, -1, 0}, DragForce: 0.4},
			{Node: 22, HitRadius: 0.02, Stiffness: 1, GravityPower: 0.5, GravityDir: mgl32.Vec3{0, -1, 0}, DragForce: 0.4},
		}}},
	}
	return av
}
