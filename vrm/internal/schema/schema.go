// Package schema holds what the VRM loader (package vrm) and the writer
// (vrm/vrmenc) both know of the file format, so neither duplicates it: the
// JSON shapes of the VRM glTF extensions, the VRM 0.x turn (turn.go), the
// MToon 0.x ↔ 1.0 shading migration (mtoon.go) and a few names and
// constants.
//
// JSON shapes: VRM 1.0: vrm-specification/specification/VRMC_vrm-1.0,
// VRMC_springBone-1.0, VRMC_materials_mtoon-1.0, VRMC_node_constraint-1.0.
// VRM 0.x: specification/0.0/schema (the "VRM" extension: meta, humanoid,
// firstPerson, blendShapeMaster, secondaryAnimation, materialProperties).
// Optional values with a default other than Go's zero value are pointers.
// Field meanings are the specification's; the types carry only the JSON
// tags.
package schema

import "encoding/json"

// ---- VRM 1.0: VRMC_vrm ----

type V1VRM struct {
	SpecVersion string         `json:"specVersion"`
	Meta        V1Meta         `json:"meta"`
	Humanoid    V1Humanoid     `json:"humanoid"`
	FirstPerson *V1FirstPerson `json:"firstPerson,omitempty"`
	LookAt      *V1LookAt      `json:"lookAt,omitempty"`
	Expressions *V1Expressions `json:"expressions,omitempty"`
}

// V1Meta is VRMC_vrm.meta: the avatar's name, authors and licence.
type V1Meta struct {
	Name                           string   `json:"name"`
	Version                        string   `json:"version,omitempty"`
	Authors                        []string `json:"authors"`
	CopyrightInformation           string   `json:"copyrightInformation,omitempty"`
	ContactInformation             string   `json:"contactInformation,omitempty"`
	References                     []string `json:"references,omitempty"`
	ThirdPartyLicenses             string   `json:"thirdPartyLicenses,omitempty"`
	ThumbnailImage                 *int     `json:"thumbnailImage,omitempty"`
	LicenseURL                     string   `json:"licenseUrl"`
	AvatarPermission               string   `json:"avatarPermission,omitempty"`
	AllowExcessivelyViolentUsage   bool     `json:"allowExcessivelyViolentUsage"`
	AllowExcessivelySexualUsage    bool     `json:"allowExcessivelySexualUsage"`
	CommercialUsage                string   `json:"commercialUsage,omitempty"`
	AllowPoliticalOrReligiousUsage bool     `json:"allowPoliticalOrReligiousUsage"`
	AllowAntisocialOrHateUsage     bool     `json:"allowAntisocialOrHateUsage"`
	CreditNotation                 string   `json:"creditNotation,omitempty"`
	AllowRedistribution            bool     `json:"allowRedistribution"`
	Modification                   string   `json:"modification,omitempty"`
	OtherLicenseURL                string   `json:"otherLicenseUrl,omitempty"`
}

// V1Humanoid is VRMC_vrm.humanoid: humanBones keyed by VRM 1.0 bone name.
type V1Humanoid struct {
	HumanBones map[string]V1HumanBone `json:"humanBones"`
}

// V1HumanBone is one humanBones entry: the glTF node of a humanoid bone.
type V1HumanBone struct {
	Node int `json:"node"`
}

// V1FirstPerson is VRMC_vrm.firstPerson.
type V1FirstPerson struct {
	MeshAnnotations []V1MeshAnnotation `json:"meshAnnotations,omitempty"`
}

// V1MeshAnnotation is one firstPerson.meshAnnotations entry (type "auto",
// "both", "thirdPersonOnly" or "firstPersonOnly").
type V1MeshAnnotation struct {
	Node int    `json:"node"`
	Type string `json:"type"`
}

// V1LookAt is VRMC_vrm.lookAt (type "bone" or "expression"; offset in metres
// from the head bone).
type V1LookAt struct {
	OffsetFromHeadBone      *[3]float32 `json:"offsetFromHeadBone,omitempty"`
	Type                    string      `json:"type,omitempty"`
	RangeMapHorizontalInner *V1RangeMap `json:"rangeMapHorizontalInner,omitempty"`
	RangeMapHorizontalOuter *V1RangeMap `json:"rangeMapHorizontalOuter,omitempty"`
	RangeMapVerticalDown    *V1RangeMap `json:"rangeMapVerticalDown,omitempty"`
	RangeMapVerticalUp      *V1RangeMap `json:"rangeMapVerticalUp,omitempty"`
}

// V1RangeMap is a lookAt range map: input in degrees, output in degrees
// (bone) or weight (expression).
type V1RangeMap struct {
	InputMaxValue *float32 `json:"inputMaxValue,omitempty"`
	OutputScale   *float32 `json:"outputScale,omitempty"`
}

// V1Expressions is VRMC_vrm.expressions: preset and custom expressions by
// name.
type V1Expressions struct {
	Preset map[string]V1Expression `json:"preset,omitempty"`
	Custom map[string]V1Expression `json:"custom,omitempty"`
}

// V1Expression is one expression: its binds, isBinary and overrides.
type V1Expression struct {
	MorphTargetBinds      []V1MorphBind   `json:"morphTargetBinds,omitempty"`
	MaterialColorBinds    []V1ColorBind   `json:"materialColorBinds,omitempty"`
	TextureTransformBinds []V1TextureBind `json:"textureTransformBinds,omitempty"`
	IsBinary              bool            `json:"isBinary,omitempty"`
	OverrideBlink         string          `json:"overrideBlink,omitempty"`
	OverrideLookAt        string          `json:"overrideLookAt,omitempty"`
	OverrideMouth         string          `json:"overrideMouth,omitempty"`
}

// V1MorphBind is an expression's morphTargetBind (node, morph target index,
// weight 0–1).
type V1MorphBind struct {
	Node   int     `json:"node"`
	Index  int     `json:"index"`
	Weight float32 `json:"weight"`
}

// V1ColorBind is an expression's materialColorBind (linear RGBA target).
type V1ColorBind struct {
	Material    int        `json:"material"`
	Type        string     `json:"type"`
	TargetValue [4]float32 `json:"targetValue"`
}

// V1TextureBind is an expression's textureTransformBind.
type V1TextureBind struct {
	Material int         `json:"material"`
	Scale    *[2]float32 `json:"scale,omitempty"`
	Offset   *[2]float32 `json:"offset,omitempty"`
}

// ---- VRM 1.0: VRMC_springBone ----

type V1SpringBone struct {
	SpecVersion    string            `json:"specVersion"`
	Colliders      []V1Collider      `json:"colliders,omitempty"`
	ColliderGroups []V1ColliderGroup `json:"colliderGroups,omitempty"`
	Springs        []V1Spring        `json:"springs,omitempty"`
}

// V1Collider is one springBone collider: a node and its shape.
type V1Collider struct {
	Node  int             `json:"node"`
	Shape V1ColliderShape `json:"shape"`
}

// V1ColliderShape is a collider shape: exactly one of sphere or capsule.
type V1ColliderShape struct {
	Sphere  *V1Sphere  `json:"sphere,omitempty"`
	Capsule *V1Capsule `json:"capsule,omitempty"`
}

// V1Sphere is a sphere collider shape (offset and radius in the node's frame,
// metres).
type V1Sphere struct {
	Offset [3]float32 `json:"offset"`
	Radius float32    `json:"radius"`
}

// V1Capsule is a capsule collider shape (offset, tail and radius in the
// node's frame, metres).
type V1Capsule struct {
	Offset [3]float32 `json:"offset"`
	Radius float32    `json:"radius"`
	Tail   [3]float32 `json:"tail"`
}

// V1ColliderGroup is one springBone colliderGroup: indices into colliders.
type V1ColliderGroup struct {
	Name      string `json:"name,omitempty"`
	Colliders []int  `json:"colliders"`
}

// V1Spring is one springBone spring: a joint chain and its collider groups.
type V1Spring struct {
	Name           string    `json:"name,omitempty"`
	Joints         []V1Joint `json:"joints"`
	ColliderGroups []int     `json:"colliderGroups,omitempty"`
	Center         *int      `json:"center,omitempty"`
}

// V1Joint is one spring joint with its settings (hitRadius, stiffness,
// gravity, dragForce).
type V1Joint struct {
	Node         int         `json:"node"`
	HitRadius    float32     `json:"hitRadius"`
	Stiffness    *float32    `json:"stiffness,omitempty"`
	GravityPower float32     `json:"gravityPower"`
	GravityDir   *[3]float32 `json:"gravityDir,omitempty"`
	DragForce    *float32    `json:"dragForce,omitempty"`
}

// ---- VRM 1.0: VRMC_materials_mtoon ----

type V1TextureInfo struct {
	Index      int                        `json:"index"`
	TexCoord   int                        `json:"texCoord,omitempty"`
	Scale      *float32                   `json:"scale,omitempty"`
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
}

// V1MToon is the VRMC_materials_mtoon extension object of a material
// (VRMC_materials_mtoon-1.0).
type V1MToon struct {
	SpecVersion                     string         `json:"specVersion"`
	TransparentWithZWrite           bool           `json:"transparentWithZWrite,omitempty"`
	RenderQueueOffsetNumber         int            `json:"renderQueueOffsetNumber,omitempty"`
	ShadeColorFactor                *[3]float32    `json:"shadeColorFactor,omitempty"`
	ShadeMultiplyTexture            *V1TextureInfo `json:"shadeMultiplyTexture,omitempty"`
	ShadingShiftFactor              float32        `json:"shadingShiftFactor"`
	ShadingShiftTexture             *V1TextureInfo `json:"shadingShiftTexture,omitempty"`
	ShadingToonyFactor              *float32       `json:"shadingToonyFactor,omitempty"`
	GIEqualizationFactor            *float32       `json:"giEqualizationFactor,omitempty"`
	MatcapFactor                    *[3]float32    `json:"matcapFactor,omitempty"`
	MatcapTexture                   *V1TextureInfo `json:"matcapTexture,omitempty"`
	ParametricRimColorFactor        *[3]float32    `json:"parametricRimColorFactor,omitempty"`
	RimMultiplyTexture              *V1TextureInfo `json:"rimMultiplyTexture,omitempty"`
	RimLightingMixFactor            *float32       `json:"rimLightingMixFactor,omitempty"`
	ParametricRimFresnelPowerFactor *float32       `json:"parametricRimFresnelPowerFactor,omitempty"`
	ParametricRimLiftFactor         float32        `json:"parametricRimLiftFactor"`
	OutlineWidthMode                string         `json:"outlineWidthMode,omitempty"`
	OutlineWidthFactor              float32        `json:"outlineWidthFactor"`
	OutlineWidthMultiplyTexture     *V1TextureInfo `json:"outlineWidthMultiplyTexture,omitempty"`
	OutlineColorFactor              *[3]float32    `json:"outlineColorFactor,omitempty"`
	OutlineLightingMixFactor        *float32       `json:"outlineLightingMixFactor,omitempty"`
	UVAnimationMaskTexture          *V1TextureInfo `json:"uvAnimationMaskTexture,omitempty"`
	UVAnimationScrollXSpeedFactor   float32        `json:"uvAnimationScrollXSpeedFactor"`
	UVAnimationScrollYSpeedFactor   float32        `json:"uvAnimationScrollYSpeedFactor"`
	UVAnimationRotationSpeedFactor  float32        `json:"uvAnimationRotationSpeedFactor"`
}

// ---- VRM 0.x: the "VRM" extension ----

type V0VRM struct {
	ExporterVersion    string         `json:"exporterVersion,omitempty"`
	SpecVersion        string         `json:"specVersion,omitempty"`
	Meta               V0Meta         `json:"meta"`
	Humanoid           V0Humanoid     `json:"humanoid"`
	FirstPerson        *V0FirstPerson `json:"firstPerson,omitempty"`
	BlendShapeMaster   *V0BlendShapes `json:"blendShapeMaster,omitempty"`
	SecondaryAnimation *V0Secondary   `json:"secondaryAnimation,omitempty"`
	MaterialProperties []V0Material   `json:"materialProperties,omitempty"`
}

// V0Meta is VRM 0.x meta: title, author and licence fields.
type V0Meta struct {
	Title                string `json:"title,omitempty"`
	Version              string `json:"version,omitempty"`
	Author               string `json:"author,omitempty"`
	ContactInformation   string `json:"contactInformation,omitempty"`
	Reference            string `json:"reference,omitempty"`
	Texture              *int   `json:"texture,omitempty"`
	AllowedUserName      string `json:"allowedUserName,omitempty"`
	ViolentUssageName    string `json:"violentUssageName,omitempty"`
	SexualUssageName     string `json:"sexualUssageName,omitempty"`
	CommercialUssageName string `json:"commercialUssageName,omitempty"`
	OtherPermissionURL   string `json:"otherPermissionUrl,omitempty"`
	LicenseName          string `json:"licenseName,omitempty"`
	OtherLicenseURL      string `json:"otherLicenseUrl,omitempty"`
}

// V0Humanoid is VRM 0.x humanoid: humanBones as a list.
type V0Humanoid struct {
	HumanBones []V0HumanBone `json:"humanBones"`
}

// V0HumanBone is one VRM 0.x humanBones entry (bone name and node).
type V0HumanBone struct {
	Bone             string `json:"bone"`
	Node             int    `json:"node"`
	UseDefaultValues bool   `json:"useDefaultValues"`
}

// V0Vec3 is VRM 0.x's {"x", "y", "z"} vector, in Unity coordinates.
type V0Vec3 struct {
	X float32 `json:"x"`
	Y float32 `json:"y"`
	Z float32 `json:"z"`
}

// V0FirstPerson is VRM 0.x firstPerson, which also holds the lookAt settings.
type V0FirstPerson struct {
	FirstPersonBone       *int               `json:"firstPersonBone,omitempty"`
	FirstPersonBoneOffset *V0Vec3            `json:"firstPersonBoneOffset,omitempty"`
	MeshAnnotations       []V0MeshAnnotation `json:"meshAnnotations,omitempty"`
	LookAtTypeName        string             `json:"lookAtTypeName,omitempty"`
	LookAtHorizontalInner *V0DegreeMap       `json:"lookAtHorizontalInner,omitempty"`
	LookAtHorizontalOuter *V0DegreeMap       `json:"lookAtHorizontalOuter,omitempty"`
	LookAtVerticalDown    *V0DegreeMap       `json:"lookAtVerticalDown,omitempty"`
	LookAtVerticalUp      *V0DegreeMap       `json:"lookAtVerticalUp,omitempty"`
}

// V0MeshAnnotation is one VRM 0.x firstPerson meshAnnotations entry (mesh
// index and firstPersonFlag).
type V0MeshAnnotation struct {
	Mesh            int    `json:"mesh"`
	FirstPersonFlag string `json:"firstPersonFlag"`
}

// V0DegreeMap is a VRM 0.x lookAt degree map (curve, xRange, yRange).
type V0DegreeMap struct {
	Curve  []float32 `json:"curve,omitempty"`
	XRange *float32  `json:"xRange,omitempty"`
	YRange *float32  `json:"yRange,omitempty"`
}

// V0BlendShapes is VRM 0.x blendShapeMaster.
type V0BlendShapes struct {
	BlendShapeGroups []V0BlendShapeGroup `json:"blendShapeGroups"`
}

// V0BlendShapeGroup is one VRM 0.x blendShapeGroup: an expression.
type V0BlendShapeGroup struct {
	Name           string            `json:"name"`
	PresetName     string            `json:"presetName"`
	Binds          []V0Bind          `json:"binds"`
	MaterialValues []V0MaterialValue `json:"materialValues"`
	IsBinary       bool              `json:"isBinary"`
}

// V0Bind is a VRM 0.x blendShapeGroup bind (mesh, morph target index, weight
// 0–100).
type V0Bind struct {
	Mesh   int     `json:"mesh"`
	Index  int     `json:"index"`
	Weight float32 `json:"weight"` // 0–100
}

// V0MaterialValue is a VRM 0.x blendShapeGroup materialValue (material name,
// property, target value).
type V0MaterialValue struct {
	MaterialName string    `json:"materialName"`
	PropertyName string    `json:"propertyName"`
	TargetValue  []float32 `json:"targetValue"`
}

// V0Secondary is VRM 0.x secondaryAnimation: spring bones.
type V0Secondary struct {
	BoneGroups     []V0BoneGroup     `json:"boneGroups"`
	ColliderGroups []V0ColliderGroup `json:"colliderGroups"`
}

// V0BoneGroup is one VRM 0.x secondaryAnimation boneGroup: spring roots
// sharing settings.
type V0BoneGroup struct {
	Comment        string   `json:"comment,omitempty"`
	Stiffiness     *float32 `json:"stiffiness,omitempty"` // sic
	GravityPower   float32  `json:"gravityPower"`
	GravityDir     *V0Vec3  `json:"gravityDir,omitempty"`
	DragForce      *float32 `json:"dragForce,omitempty"`
	Center         *int     `json:"center,omitempty"`
	HitRadius      *float32 `json:"hitRadius,omitempty"`
	Bones          []int    `json:"bones"`
	ColliderGroups []int    `json:"colliderGroups"`
}

// V0ColliderGroup is one VRM 0.x secondaryAnimation colliderGroup: sphere
// colliders on a node.
type V0ColliderGroup struct {
	Node      int          `json:"node"`
	Colliders []V0Collider `json:"colliders"`
}

// V0Collider is one VRM 0.x sphere collider (offset in Unity coordinates,
// radius in metres).
type V0Collider struct {
	Offset V0Vec3  `json:"offset"`
	Radius float32 `json:"radius"`
}

// V0Material is one VRM 0.x materialProperties entry (a Unity material:
// shader, float, vector, texture properties).
type V0Material struct {
	Name              string               `json:"name"`
	Shader            string               `json:"shader"`
	RenderQueue       int                  `json:"renderQueue"`
	FloatProperties   map[string]float32   `json:"floatProperties"`
	VectorProperties  map[string][]float32 `json:"vectorProperties"`
	TextureProperties map[string]int       `json:"textureProperties"`
	KeywordMap        map[string]bool      `json:"keywordMap"`
	TagMap            map[string]string    `json:"tagMap"`
}

// ---- VRM 1.0: VRMC_node_constraint (a node extension) ----

type V1NodeConstraint struct {
	SpecVersion string        `json:"specVersion"`
	Constraint  *V1Constraint `json:"constraint"`
}

// V1Constraint is a node constraint: exactly one of roll, aim or rotation.
type V1Constraint struct {
	Roll     *V1RollConstraint     `json:"roll,omitempty"`
	Aim      *V1AimConstraint      `json:"aim,omitempty"`
	Rotation *V1RotationConstraint `json:"rotation,omitempty"`
}

// V1RollConstraint is a roll constraint (source node, rollAxis "X", "Y" or
// "Z", weight).
type V1RollConstraint struct {
	Source   *int     `json:"source"`
	RollAxis string   `json:"rollAxis"`
	Weight   *float32 `json:"weight,omitempty"`
}

// V1AimConstraint is an aim constraint (source node, aimAxis "PositiveX" …,
// weight).
type V1AimConstraint struct {
	Source  *int     `json:"source"`
	AimAxis string   `json:"aimAxis"`
	Weight  *float32 `json:"weight,omitempty"`
}

// V1RotationConstraint is a rotation constraint (source node, weight).
type V1RotationConstraint struct {
	Source *int     `json:"source"`
	Weight *float32 `json:"weight,omitempty"`
}

// ExtNodeConstraint is the glTF extension name of VRMC_node_constraint-1.0,
// a node's extension in both VRM 0.x and 1.0 files.
const ExtNodeConstraint = "VRMC_node_constraint"

// KHRTextureTransform is KHR_texture_transform's JSON (a textureInfo's
// extension): UV offset, rotation in radians, scale, and texCoord override.
type KHRTextureTransform struct {
	Offset   *[2]float32 `json:"offset,omitempty"`
	Rotation float32     `json:"rotation,omitempty"`
	Scale    *[2]float32 `json:"scale,omitempty"`
	TexCoord *int        `json:"texCoord,omitempty"`
}

// VRM 0.x MToon _BlendMode values (UniVRM MToon 0.x RenderMode), the
// floatProperties "_BlendMode" of a V0Material.
const (
	V0BlendOpaque = iota
	V0BlendCutout
	V0BlendTransparent
	V0BlendTransparentWithZWrite
)
