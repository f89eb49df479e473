// Package vrm loads VRM 0.x and 1.0 avatars (glTF 2.0 binaries with the VRM or
// VRMC_vrm extensions) into a [Model] the renderer can draw and a [Rig] poses
// (one Model backs any number of Rigs), and writes avatars back out.
//
// Coordinate frame: everything spatial in a Model is in the VRM 1.0 frame —
// metres, +Y up, the avatar faces +Z, the avatar's left hand is on +X (field
// notes §3). VRM 0.x files (whose avatars face −Z) are turned 180° about Y at
// load: positions, normals, node transforms, inverse bind matrices, morph
// deltas and spring-bone vectors are all converted, so that downstream code
// never needs to know which version a file was. The writer turns them back.
//
// Maths types are go-gl/mathgl's mgl32: Vec3 is [3]float32, Mat4 is
// column-major, and mgl32.Quat puts W first while glTF stores [x, y, z, w].
package vrm

import (
	"image"
	"sync"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Version is the VRM specification version a file follows.
type Version uint8

// VRM versions.
const (
	VersionUnknown Version = iota
	Version0               // VRM 0.x: the "VRM" glTF extension
	Version1               // VRM 1.0: the "VRMC_vrm" glTF extension
)

// String returns "0.x", "1.0" or "unknown".
func (v Version) String() string {
	switch v {
	case Version0:
		return "0.x"
	case Version1:
		return "1.0"
	}
	return "unknown"
}

// Model is a loaded VRM model: what the file says, converted to the VRM 1.0
// frame. Its exported fields are read-only once Load returns (or, for a
// Model built in code, once it is first used by NewRig, HipsHeight, Bounds,
// ExpressionIndex or a renderer): derived rest data (node order, rest world
// matrices, the normalized rig, expression tables, the constraint order,
// spring-bone rest data) is computed from them once, on first use, and
// never again. A Model is safe for concurrent use by any number of Rigs
// and renderers on any goroutines. To pose it, make a Rig (NewRig); to
// change it, build a new Model (never edit one that has been used).
type Model struct {
	Version Version
	Meta    Meta

	Nodes     []Node     // glTF nodes, indexed as in the file
	Scene     []int      // root nodes of the displayed scene, in file order
	Meshes    []Mesh     // glTF meshes
	Skins     []Skin     // glTF skins
	Materials []Material // glTF materials (plus VRM 0.x MToon properties)
	Textures  []Texture  // decoded once at load

	Humanoid    Humanoid
	Expressions []Expression
	LookAt      LookAt
	FirstPerson FirstPerson
	SpringBone  SpringBone
	// Constraints are the VRMC_node_constraint constraints, at most one per
	// destination node, in file (node) order.
	Constraints []NodeConstraint

	// Warnings lists what the loader skipped or repaired (unsupported
	// primitive modes, generated normals, clamped values…), one line each.
	Warnings []string

	restOnce sync.Once
	rest     *restData // derived rest data, built once (Model.restData)
}

// Node is a glTF node with its rest (bind-pose) local transform.
type Node struct {
	Name        string
	Parent      int   // index into Model.Nodes, -1 for a root
	Children    []int // indices into Model.Nodes
	Translation mgl32.Vec3
	Rotation    mgl32.Quat // unit quaternion
	Scale       mgl32.Vec3
	Mesh        int       // index into Model.Meshes, -1 for none
	Skin        int       // index into Model.Skins, -1 for none
	Weights     []float32 // default morph target weights (node "weights", else the mesh's), 0–1; nil when all 0
}

// Mesh is a glTF mesh: primitives sharing one set of morph targets.
type Mesh struct {
	Name        string
	Primitives  []Primitive
	TargetNames []string // one per morph target (VRM 0.x: primitive extras.targetNames)
}

// Primitive is one drawable part of a mesh, always a triangle list: strips and
// fans are converted at load, points and lines are skipped with a warning.
// Vertex attribute slices have one entry per vertex, or are nil when absent.
type Primitive struct {
	Positions []mgl32.Vec3 // metres, mesh space
	Normals   []mgl32.Vec3 // unit length; generated at load when the file has none
	// Tangents is TANGENT (glTF 2.0 §3.7.2.1): xyz the tangent (toward
	// increasing u), w = ±1 the sign of the bitangent cross(normal,
	// tangent)·w; nil if absent.
	Tangents []mgl32.Vec4
	UV0      []mgl32.Vec2 // TEXCOORD_0, glTF convention (origin top-left); nil if absent
	UV1      []mgl32.Vec2 // TEXCOORD_1; nil if absent
	Colors   []mgl32.Vec4 // COLOR_0, linear RGBA; nil if absent
	Joints   [][4]uint16  // JOINTS_0: indices into the node's Skin.Joints; nil if unskinned
	Weights  [][4]float32 // WEIGHTS_0, normalised to sum 1; nil if unskinned
	Indices  []uint32     // three per triangle, every value < len(Positions)
	Targets  []MorphTarget
	Material int // index into Model.Materials, -1 for the glTF default material
}

// MorphTarget holds one morph target's per-vertex displacements (same length
// as the primitive's Positions), or nil for an attribute the target lacks.
type MorphTarget struct {
	Positions []mgl32.Vec3 // metres
	Normals   []mgl32.Vec3
}

// Skin is a glTF skin: the joints whose world matrices times the inverse bind
// matrices give the joint palette.
type Skin struct {
	Name                string
	Joints              []int        // node indices
	InverseBindMatrices []mgl32.Mat4 // one per joint (identity when the file has none)
	Skeleton            int          // node index, -1 if unset
}

// AlphaMode is glTF's material.alphaMode.
type AlphaMode uint8

// Alpha modes.
const (
	AlphaOpaque AlphaMode = iota
	AlphaMask             // alpha < AlphaCutoff is discarded
	AlphaBlend            // blended, drawn after opaque and mask, back to front
)

// Material is a glTF PBR metallic-roughness material reduced to what a toon
// renderer needs, plus MToon when the file has it.
type Material struct {
	Name             string
	BaseColor        mgl32.Vec4 // linear RGBA factor
	BaseColorTexture TextureRef
	AlphaMode        AlphaMode
	AlphaCutoff      float32 // used with AlphaMask; glTF default 0.5
	DoubleSided      bool
	Emissive         mgl32.Vec3 // linear RGB factor
	EmissiveTexture  TextureRef
	NormalTexture    TextureRef
	NormalScale      float32 // normalTexture.scale (glTF default 1)
	// glTF 2.0 pbrMetallicRoughness (§3.9.2, appendix B): Metallic and
	// Roughness are the factors, 0–1; glTF's defaults are 1 and 1, also when
	// a material omits pbrMetallicRoughness (fully metallic). The texture's
	// B channel scales metalness and G roughness, stored linear.
	Metallic                 float32
	Roughness                float32
	MetallicRoughnessTexture TextureRef
	// OcclusionTexture's R channel darkens indirect (ambient) light,
	// OcclusionStrength (0–1, glTF default 1) scaling its effect.
	OcclusionTexture  TextureRef
	OcclusionStrength float32
	Unlit             bool   // KHR_materials_unlit, or an unlit VRM 0.x shader
	MToon             *MToon // nil when the material is not MToon
	RenderQueue       int    // relative draw order within its alpha mode (MToon renderQueueOffsetNumber, VRM 0.x renderQueue)
}

// TextureRef points at a texture as a material uses it.
type TextureRef struct {
	Texture  int // index into Model.Textures, -1 for none
	TexCoord int // 0 for UV0, 1 for UV1
	// KHR_texture_transform: uv' = Offset + R(Rotation) · (Scale ⊙ uv).
	Offset   mgl32.Vec2
	Scale    mgl32.Vec2 // (1, 1) when untransformed
	Rotation float32    // radians, counter-clockwise in UV space
}

// Valid reports whether the reference names a texture.
func (r TextureRef) Valid() bool { return r.Texture >= 0 }

// OutlineMode is MToon's outlineWidthMode.
type OutlineMode uint8

// Outline modes.
const (
	OutlineNone   OutlineMode = iota
	OutlineWorld              // width in metres
	OutlineScreen             // width as a fraction of the screen height
)

// MToon holds the MToon parameters the renderer uses (VRMC_materials_mtoon
// 1.0; VRM 0.x materialProperties are converted to the same meaning, colours
// from gamma to linear, outline widths from centimetres to metres).
type MToon struct {
	ShadeColor           mgl32.Vec3 // linear RGB
	ShadeTexture         TextureRef // shadeMultiplyTexture
	ShadingShift         float32    // −1…1
	ShadingShiftTex      TextureRef
	ShadingShiftTexScale float32    // shadingShiftTexture.scale (default 1)
	ShadingToony         float32    // 0…1
	GIEqualization       float32    // 0…1
	RimColor             mgl32.Vec3 // parametricRimColorFactor, linear
	RimFresnelPower      float32
	RimLift              float32
	RimLightingMix       float32
	RimTexture           TextureRef // rimMultiplyTexture
	MatcapColor          mgl32.Vec3
	MatcapTexture        TextureRef
	OutlineMode          OutlineMode
	OutlineWidth         float32    // metres (OutlineWorld) or screen fraction (OutlineScreen)
	OutlineWidthTex      TextureRef // outlineWidthMultiplyTexture (G channel)
	OutlineColor         mgl32.Vec3 // linear RGB
	OutlineLightMix      float32
	UVAnimMaskTexture    TextureRef // B channel
	UVAnimScrollX        float32    // UV units per second
	UVAnimScrollY        float32
	UVAnimRotation       float32 // radians per second
	TransparentZWrite    bool
}

// Wrap is a glTF sampler wrap mode.
type Wrap uint8

// Wrap modes (glTF sampler wrapS/wrapT).
const (
	WrapRepeat Wrap = iota
	WrapClamp
	WrapMirror
)

// Filter is a texture filter.
type Filter uint8

// Filters (glTF sampler magFilter/minFilter within one level; the mipmap
// part of minFilter is Sampler.Mipmap).
const (
	FilterLinear Filter = iota
	FilterNearest
)

// Mipmap is the mipmap part of a glTF minFilter: how the levels around a
// minified footprint's level of detail are used (glTF 2.0 §3.8.4.3 and
// OpenGL ES 3.0 §3.8.10.4, which the glTF filters name).
type Mipmap uint8

// Mipmap modes.
const (
	// MipmapLinear blends the two nearest levels (*_MIPMAP_LINEAR, and
	// what an undefined minFilter gets: three.js's default, trilinear).
	MipmapLinear Mipmap = iota
	// MipmapNearest takes the nearest level (*_MIPMAP_NEAREST; what
	// UniGLTF writes for Unity's Bilinear and Point filter modes).
	MipmapNearest
	// MipmapNone names no mipmap (minFilter LINEAR or NEAREST; package
	// render samples it from the nearest level all the same, see its
	// mipOf).
	MipmapNone
)

// Sampler is how a texture is sampled (glTF 2.0 §5.26 sampler).
type Sampler struct {
	WrapS, WrapT Wrap
	Mag, Min     Filter
	Mipmap       Mipmap
}

// Texture is a decoded image with its sampler. Image holds sRGB-encoded,
// non-premultiplied RGBA; Bounds().Min is (0, 0). Load decodes each glTF
// image once, into the form the renderer samples in place (package render
// reads Image's pixels without copying them; do not modify them once the
// avatar has been rendered): textures sharing a glTF image share one Image.
// An image larger than Limits.PreviewTextureSize is downscaled at load;
// Width and Height keep its size in the file. A texture no material uses
// (typically the meta thumbnail), or every texture with Limits.NoPixels,
// keeps a nil Image until Model.TextureImage decodes it, so loading does
// not pay for pictures that are never drawn.
type Texture struct {
	Name          string
	MIMEType      string // "image/png" or "image/jpeg"
	Image         *image.NRGBA
	Width, Height int // the image's size in the file, pixels (0 for an avatar built in code)
	Sampler       Sampler

	lazy *lazyImage // the encoded image when Image is decoded on demand
}

// Humanoid maps humanoid bones to nodes.
type Humanoid struct {
	Nodes   [humanoid.Count]int // node index per bone, -1 when the model lacks it
	Present humanoid.Set
}

// Node returns the node of bone b, or -1.
func (h *Humanoid) Node(b humanoid.Bone) int {
	if !b.Valid() || !h.Present.Has(b) {
		return -1
	}
	return h.Nodes[b]
}

// Meta is the avatar's metadata and licence, VRM 1.0 vocabulary; VRM 0.x
// fields are mapped onto it and kept verbatim in the VRM0 fields.
type Meta struct {
	Name                 string // VRM 0.x title
	Version              string
	Authors              []string // VRM 0.x author (one entry)
	CopyrightInformation string
	ContactInformation   string
	References           []string // VRM 0.x reference (one entry)
	ThirdPartyLicenses   string
	Thumbnail            int // index into Model.Textures, -1 for none

	LicenseURL                     string // VRM 1.0 licenseUrl, or VRM 0.x otherLicenseUrl / a URL for licenseName
	AvatarPermission               string // onlyAuthor | onlySeparatelyLicensedPerson | everyone (VRM 0.x allowedUserName mapped)
	AllowExcessivelyViolentUsage   bool
	AllowExcessivelySexualUsage    bool
	CommercialUsage                string // personalNonProfit | personalProfit | corporation
	AllowPoliticalOrReligiousUsage bool
	AllowAntisocialOrHateUsage     bool
	CreditNotation                 string // required | unnecessary
	AllowRedistribution            bool
	Modification                   string // prohibited | allowModification | allowModificationRedistribution
	OtherLicenseURL                string

	// VRM 0.x originals, empty for VRM 1.0 files.
	VRM0 struct {
		AllowedUserName      string // OnlyAuthor | ExplicitlyLicensedPerson | Everyone
		ViolentUssageName    string // Disallow | Allow (sic, the 0.x spelling)
		SexualUssageName     string
		CommercialUssageName string
		LicenseName          string // Redistribution_Prohibited | CC0 | CC_BY | … | Other
		OtherPermissionURL   string
	}
}

// Preset is a VRM 1.0 preset expression, or PresetCustom.
type Preset uint8

// Preset expressions (VRMC_vrm-1.0 expressions.md). VRM 0.x blendShapeMaster
// presets are mapped onto them (field notes §4).
const (
	PresetCustom Preset = iota
	PresetHappy
	PresetAngry
	PresetSad
	PresetRelaxed
	PresetSurprised
	PresetAa
	PresetIh
	PresetOu
	PresetEe
	PresetOh
	PresetBlink
	PresetBlinkLeft
	PresetBlinkRight
	PresetLookUp
	PresetLookDown
	PresetLookLeft
	PresetLookRight
	PresetNeutral
)

// Override is how an expression suppresses the blink, lookAt or mouth
// expressions (VRM 1.0 overrideBlink / overrideLookAt / overrideMouth).
type Override uint8

// Override kinds.
const (
	OverrideNone  Override = iota
	OverrideBlock          // the overridden group's weight becomes 0 while this expression is non-zero
	OverrideBlend          // the overridden group's weight is multiplied by 1 − this weight
)

// Expression is one VRM expression (VRM 0.x: a blendShapeMaster group).
type Expression struct {
	Name           string // VRM 1.0 preset name ("happy") or the custom name
	Preset         Preset
	IsBinary       bool // weight rounds to 0 or 1 at 0.5
	OverrideBlink  Override
	OverrideLookAt Override
	OverrideMouth  Override
	MorphBinds     []MorphBind
	ColorBinds     []ColorBind
	TextureBinds   []TextureTransformBind
}

// MorphBind drives one morph target of one node's mesh.
type MorphBind struct {
	Node   int     // node index (VRM 0.x mesh binds expand to every node using the mesh)
	Index  int     // morph target index
	Weight float32 // target weight at expression weight 1, 0–1 (VRM 0.x 0–100 divided by 100)
}

// ColorBindType is which colour a material colour bind changes.
type ColorBindType uint8

// Colour bind types (VRM 1.0 materialColorBinds[].type).
const (
	ColorBase ColorBindType = iota // base colour (VRM 0.x _Color)
	ColorEmission
	ColorShade // VRM 0.x _ShadeColor
	ColorMatcap
	ColorRim
	ColorOutline
)

// ColorBind moves a material colour toward Target as the weight goes to 1.
type ColorBind struct {
	Material int
	Type     ColorBindType
	Target   mgl32.Vec4 // linear RGBA
}

// TextureTransformBind moves a material's UV scale/offset toward the targets.
type TextureTransformBind struct {
	Material int
	Scale    mgl32.Vec2
	Offset   mgl32.Vec2
}

// LookAtType is how the eyes are moved.
type LookAtType uint8

// LookAt types.
const (
	LookAtBone       LookAtType = iota // rotate the leftEye/rightEye bones
	LookAtExpression                   // drive the lookUp/Down/Left/Right expressions
)

// RangeMap maps an input angle to an output: out = OutputScale ·
// clamp(in / InputMaxValue, 0, 1). For bones the output is degrees, for
// expressions a 0–1 weight.
type RangeMap struct {
	InputMaxValue float32 // degrees
	OutputScale   float32
}

// LookAt is the gaze set-up (VRM 1.0 lookAt; VRM 0.x firstPerson lookAt*).
type LookAt struct {
	Type               LookAtType
	OffsetFromHeadBone mgl32.Vec3 // metres, in the head bone's rest frame
	HorizontalInner    RangeMap
	HorizontalOuter    RangeMap
	VerticalDown       RangeMap
	VerticalUp         RangeMap
}

// FirstPersonType says in which views a mesh is drawn.
type FirstPersonType uint8

// First-person annotation types (VRM 1.0 firstPerson.meshAnnotations).
const (
	FirstPersonAuto            FirstPersonType = iota
	FirstPersonBoth                            // drawn in every view
	FirstPersonThirdPersonOnly                 // hidden in the wearer's own view
	FirstPersonFirstPersonOnly                 // hidden in a third-person view (ours)
)

// FirstPerson holds mesh annotations keyed by node.
type FirstPerson struct {
	Annotations map[int]FirstPersonType // node index → type
}

// ColliderShape is a spring-bone collider's shape.
type ColliderShape uint8

// Collider shapes.
const (
	ColliderSphere ColliderShape = iota
	ColliderCapsule
)

// Collider is a sphere or capsule attached to a node; offsets in the node's
// local space, metres.
type Collider struct {
	Node   int
	Shape  ColliderShape
	Offset mgl32.Vec3
	Tail   mgl32.Vec3 // capsule end, local space
	Radius float32
}

// ColliderGroup names a set of colliders.
type ColliderGroup struct {
	Name      string
	Colliders []int // indices into SpringBone.Colliders
}

// SpringJoint is one joint of a spring chain.
type SpringJoint struct {
	Node         int
	HitRadius    float32    // metres
	Stiffness    float32    // ≥ 0
	GravityPower float32    // ≥ 0
	GravityDir   mgl32.Vec3 // unit, world
	DragForce    float32    // 0–1
}

// Spring is one chain of joints, ordered root to tip, each joint a
// descendant of the one before. With VirtualTail 0 (VRM 1.0) every joint but
// the last is simulated and the last is only the tail of the one before.
// With VirtualTail > 0 (VRM 0.x, 0.07 m: UniVRM behaviour) every joint is
// simulated, the last toward a virtual tail VirtualTail metres beyond it
// along its parent → joint direction. VRM 0.x bone groups are loaded as one
// chain per branch of each root bone's subtree.
type Spring struct {
	Name           string
	Joints         []SpringJoint
	ColliderGroups []int   // indices into SpringBone.ColliderGroups
	Center         int     // node index, -1 for world
	VirtualTail    float32 // metres; see above
}

// SpringBone is the secondary-motion set-up (VRM 1.0 VRMC_springBone; VRM 0.x
// secondaryAnimation).
type SpringBone struct {
	Colliders      []Collider
	ColliderGroups []ColliderGroup
	Springs        []Spring
}

// MaterialState is a material's expression-driven values for one frame:
// the material's own values moved by colour and texture-transform binds.
//
// Texture-transform binds set the texture transform a material's textures
// use (VRMC_vrm-1.0 expressions.md; three-vrm
// VRMExpressionTextureTransformBind): at total bind weight W, a texture
// whose own KHR_texture_transform is (offset o, scale s) uses offset
// o·(1−W) + BindOffset and scale s·(1−W) + BindScale, where BindOffset and
// BindScale are the weighted sums of the binds' targets. Use
// TextureTransform to get the TextureRef to sample with.
type MaterialState struct {
	BaseColor    mgl32.Vec4 // linear RGBA
	Emissive     mgl32.Vec3
	ShadeColor   mgl32.Vec3
	RimColor     mgl32.Vec3
	MatcapColor  mgl32.Vec3
	OutlineColor mgl32.Vec3
	BindWeight   float32    // W: sum of the active texture-transform binds' weights, 0 when none
	BindScale    mgl32.Vec2 // Σ weight·scale of those binds
	BindOffset   mgl32.Vec2 // Σ weight·offset of those binds
}

// TextureTransform returns r with this frame's texture-transform binds
// applied to its offset and scale (rotation is kept); r itself when no bind
// is active.
func (s *MaterialState) TextureTransform(r TextureRef) TextureRef {
	if s.BindWeight == 0 {
		return r
	}
	k := 1 - s.BindWeight
	r.Offset = r.Offset.Mul(k).Add(s.BindOffset)
	r.Scale = r.Scale.Mul(k).Add(s.BindScale)
	return r
}

// Frame is the result of posing: everything the renderer draws from. It is
// owned by the Rig that returned it and valid until that Rig's next Pose or
// Update.
type Frame struct {
	NodeWorld     []mgl32.Mat4    // per node: world matrix (VRM 1.0 frame)
	JointPalettes [][]mgl32.Mat4  // per skin, per joint: NodeWorld[joint] · InverseBindMatrix
	MorphWeights  [][]float32     // per node: weight per morph target of its mesh, 0–1; nil without a mesh
	Materials     []MaterialState // per material
}
