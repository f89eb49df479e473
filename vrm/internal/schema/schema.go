package vrm

// JSON shapes of the VRM glTF extensions, used by the loader and the writer.
// VRM 1.0: vrm-specification/specification/VRMC_vrm-1.0, VRMC_springBone-1.0,
// VRMC_materials_mtoon-1.0. VRM 0.x: specification/0.0/schema (the "VRM"
// extension: meta, humanoid, firstPerson, blendShapeMaster,
// secondaryAnimation, materialProperties). Optional values with a default
// other than Go's zero value are pointers.

import "encoding/json"

// ---- VRM 1.0: VRMC_vrm ----

type v1VRM struct {
	SpecVersion string         `json:"specVersion"`
	Meta        v1Meta         `json:"meta"`
	Humanoid    v1Humanoid     `json:"humanoid"`
	FirstPerson *v1FirstPerson `json:"firstPerson,omitempty"`
	LookAt      *v1LookAt      `json:"lookAt,omitempty"`
	Expressions *v1Expressions `json:"expressions,omitempty"`
}

type v1Meta struct {
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

type v1Humanoid struct {
	HumanBones map[string]v1HumanBone `json:"humanBones"`
}

type v1HumanBone struct {
	Node int `json:"node"`
}

type v1FirstPerson struct {
	MeshAnnotations []v1MeshAnnotation `json:"meshAnnotations,omitempty"`
}

type v1MeshAnnotation struct {
	Node int    `json:"node"`
	Type string `json:"type"`
}

type v1LookAt struct {
	OffsetFromHeadBone      *[3]float32 `json:"offsetFromHeadBone,omitempty"`
	Type                    string      `json:"type,omitempty"`
	RangeMapHorizontalInner *v1RangeMap `json:"rangeMapHorizontalInner,omitempty"`
	RangeMapHorizontalOuter *v1RangeMap `json:"rangeMapHorizontalOuter,omitempty"`
	RangeMapVerticalDown    *v1RangeMap `json:"rangeMapVerticalDown,omitempty"`
	RangeMapVerticalUp      *v1RangeMap `json:"rangeMapVerticalUp,omitempty"`
}

type v1RangeMap struct {
	InputMaxValue *float32 `json:"inputMaxValue,omitempty"`
	OutputScale   *float32 `json:"outputScale,omitempty"`
}

type v1Expressions struct {
	Preset map[string]v1Expression `json:"preset,omitempty"`
	Custom map[string]v1Expression `json:"custom,omitempty"`
}

type v1Expression struct {
	MorphTargetBinds      []v1MorphBind   `json:"morphTargetBinds,omitempty"`
	MaterialColorBinds    []v1ColorBind   `json:"materialColorBinds,omitempty"`
	TextureTransformBinds []v1TextureBind `json:"textureTransformBinds,omitempty"`
	IsBinary              bool            `json:"isBinary,omitempty"`
	OverrideBlink         string          `json:"overrideBlink,omitempty"`
	OverrideLookAt        string          `json:"overrideLookAt,omitempty"`
	OverrideMouth         string          `json:"overrideMouth,omitempty"`
}

type v1MorphBind struct {
	Node   int     `json:"node"`
	Index  int     `json:"index"`
	Weight float32 `json:"weight"`
}

type v1ColorBind struct {
	Material    int        `json:"material"`
	Type        string     `json:"type"`
	TargetValue [4]float32 `json:"targetValue"`
}

type v1TextureBind struct {
	Material int         `json:"material"`
	Scale    *[2]float32 `json:"scale,omitempty"`
	Offset   *[2]float32 `json:"offset,omitempty"`
}

// ---- VRM 1.0: VRMC_springBone ----

type v1SpringBone struct {
	SpecVersion    string            `json:"specVersion"`
	Colliders      []v1Collider      `json:"colliders,omitempty"`
	ColliderGroups []v1ColliderGroup `json:"colliderGroups,omitempty"`
	Springs        []v1Spring        `json:"springs,omitempty"`
}

type v1Collider struct {
	Node  int             `json:"node"`
	Shape v1ColliderShape `json:"shape"`
}

type v1ColliderShape struct {
	Sphere  *v1Sphere  `json:"sphere,omitempty"`
	Capsule *v1Capsule `json:"capsule,omitempty"`
}

type v1Sphere struct {
	Offset [3]float32 `json:"offset"`
	Radius float32    `json:"radius"`
}

type v1Capsule struct {
	Offset [3]float32 `json:"offset"`
	Radius float32    `json:"radius"`
	Tail   [3]float32 `json:"tail"`
}

type v1ColliderGroup struct {
	Name      string `json:"name,omitempty"`
	Colliders []int  `json:"colliders"`
}

type v1Spring struct {
	Name           string    `json:"name,omitempty"`
	Joints         []v1Joint `json:"joints"`
	ColliderGroups []int     `json:"colliderGroups,omitempty"`
	Center         *int      `json:"center,omitempty"`
}

type v1Joint struct {
	Node         int         `json:"node"`
	HitRadius    float32     `json:"hitRadius"`
	Stiffness    *float32    `json:"stiffness,omitempty"`
	GravityPower float32     `json:"gravityPower"`
	GravityDir   *[3]float32 `json:"gravityDir,omitempty"`
	DragForce    *float32    `json:"dragForce,omitempty"`
}

// ---- VRM 1.0: VRMC_materials_mtoon ----

type v1TextureInfo struct {
	Index      int                        `json:"index"`
	TexCoord   int                        `json:"texCoord,omitempty"`
	Scale      *float32                   `json:"scale,omitempty"`
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
}

type v1MToon struct {
	SpecVersion                     string         `json:"specVersion"`
	TransparentWithZWrite           bool           `json:"transparentWithZWrite,omitempty"`
	RenderQueueOffsetNumber         int            `json:"renderQueueOffsetNumber,omitempty"`
	ShadeColorFactor                *[3]float32    `json:"shadeColorFactor,omitempty"`
	ShadeMultiplyTexture            *v1TextureInfo `json:"shadeMultiplyTexture,omitempty"`
	ShadingShiftFactor              float32        `json:"shadingShiftFactor"`
	ShadingShiftTexture             *v1TextureInfo `json:"shadingShiftTexture,omitempty"`
	ShadingToonyFactor              *float32       `json:"shadingToonyFactor,omitempty"`
	GIEqualizationFactor            *float32       `json:"giEqualizationFactor,omitempty"`
	MatcapFactor                    *[3]float32    `json:"matcapFactor,omitempty"`
	MatcapTexture                   *v1TextureInfo `json:"matcapTexture,omitempty"`
	ParametricRimColorFactor        *[3]float32    `json:"parametricRimColorFactor,omitempty"`
	RimMultiplyTexture              *v1TextureInfo `json:"rimMultiplyTexture,omitempty"`
	RimLightingMixFactor            *float32       `json:"rimLightingMixFactor,omitempty"`
	ParametricRimFresnelPowerFactor *float32       `json:"parametricRimFresnelPowerFactor,omitempty"`
	ParametricRimLiftFactor         float32        `json:"parametricRimLiftFactor"`
	OutlineWidthMode                string         `json:"outlineWidthMode,omitempty"`
	OutlineWidthFactor              float32        `json:"outlineWidthFactor"`
	OutlineWidthMultiplyTexture     *v1TextureInfo `json:"outlineWidthMultiplyTexture,omitempty"`
	OutlineColorFactor              *[3]float32    `json:"outlineColorFactor,omitempty"`
	OutlineLightingMixFactor        *float32       `json:"outlineLightingMixFactor,omitempty"`
	UVAnimationMaskTexture          *v1TextureInfo `json:"uvAnimationMaskTexture,omitempty"`
	UVAnimationScrollXSpeedFactor   float32        `json:"uvAnimationScrollXSpeedFactor"`
	UVAnimationScrollYSpeedFactor   float32        `json:"uvAnimationScrollYSpeedFactor"`
	UVAnimationRotationSpeedFactor  float32        `json:"uvAnimationRotationSpeedFactor"`
}

// ---- VRM 0.x: the "VRM" extension ----

type v0VRM struct {
	ExporterVersion    string         `json:"exporterVersion,omitempty"`
	SpecVersion        string         `json:"specVersion,omitempty"`
	Meta               v0Meta         `json:"meta"`
	Humanoid           v0Humanoid     `json:"humanoid"`
	FirstPerson        *v0FirstPerson `json:"firstPerson,omitempty"`
	BlendShapeMaster   *v0BlendShapes `json:"blendShapeMaster,omitempty"`
	SecondaryAnimation *v0Secondary   `json:"secondaryAnimation,omitempty"`
	MaterialProperties []v0Material   `json:"materialProperties,omitempty"`
}

type v0Meta struct {
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

type v0Humanoid struct {
	HumanBones []v0HumanBone `json:"humanBones"`
}

type v0HumanBone struct {
	Bone             string `json:"bone"`
	Node             int    `json:"node"`
	UseDefaultValues bool   `json:"useDefaultValues"`
}

// v0Vec3 is VRM 0.x's {"x", "y", "z"} vector, in Unity coordinates.
type v0Vec3 struct {
	X float32 `json:"x"`
	Y float32 `json:"y"`
	Z float32 `json:"z"`
}

type v0FirstPerson struct {
	FirstPersonBone       *int               `json:"firstPersonBone,omitempty"`
	FirstPersonBoneOffset *v0Vec3            `json:"firstPersonBoneOffset,omitempty"`
	MeshAnnotations       []v0MeshAnnotation `json:"meshAnnotations,omitempty"`
	LookAtTypeName        string             `json:"lookAtTypeName,omitempty"`
	LookAtHorizontalInner *v0DegreeMap       `json:"lookAtHorizontalInner,omitempty"`
	LookAtHorizontalOuter *v0DegreeMap       `json:"lookAtHorizontalOuter,omitempty"`
	LookAtVerticalDown    *v0DegreeMap       `json:"lookAtVerticalDown,omitempty"`
	LookAtVerticalUp      *v0DegreeMap       `json:"lookAtVerticalUp,omitempty"`
}

type v0MeshAnnotation struct {
	Mesh            int    `json:"mesh"`
	FirstPersonFlag string `json:"firstPersonFlag"`
}

type v0DegreeMap struct {
	Curve  []float32 `json:"curve,omitempty"`
	XRange *float32  `json:"xRange,omitempty"`
	YRange *float32  `json:"yRange,omitempty"`
}

type v0BlendShapes struct {
	BlendShapeGroups []v0BlendShapeGroup `json:"blendShapeGroups"`
}

type v0BlendShapeGroup struct {
	Name           string            `json:"name"`
	PresetName     string            `json:"presetName"`
	Binds          []v0Bind          `json:"binds"`
	MaterialValues []v0MaterialValue `json:"materialValues"`
	IsBinary       bool              `json:"isBinary"`
}

type v0Bind struct {
	Mesh   int     `json:"mesh"`
	Index  int     `json:"index"`
	Weight float32 `json:"weight"` // 0–100
}

type v0MaterialValue struct {
	MaterialName string    `json:"materialName"`
	PropertyName string    `json:"propertyName"`
	TargetValue  []float32 `json:"targetValue"`
}

type v0Secondary struct {
	BoneGroups     []v0BoneGroup     `json:"boneGroups"`
	ColliderGroups []v0ColliderGroup `json:"colliderGroups"`
}

type v0BoneGroup struct {
	Comment        string   `json:"comment,omitempty"`
	Stiffiness     *float32 `json:"stiffiness,omitempty"` // sic
	GravityPower   float32  `json:"gravityPower"`
	GravityDir     *v0Vec3  `json:"gravityDir,omitempty"`
	DragForce      *float32 `json:"dragForce,omitempty"`
	Center         *int     `json:"center,omitempty"`
	HitRadius      *float32 `json:"hitRadius,omitempty"`
	Bones          []int    `json:"bones"`
	ColliderGroups []int    `json:"colliderGroups"`
}

type v0ColliderGroup struct {
	Node      int          `json:"node"`
	Colliders []v0Collider `json:"colliders"`
}

type v0Collider struct {
	Offset v0Vec3  `json:"offset"`
	Radius float32 `json:"radius"`
}

type v0Material struct {
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

type v1NodeConstraint struct {
	SpecVersion string        `json:"specVersion"`
	Constraint  *v1Constraint `json:"constraint"`
}

type v1Constraint struct {
	Roll     *v1RollConstraint     `json:"roll,omitempty"`
	Aim      *v1AimConstraint      `json:"aim,omitempty"`
	Rotation *v1RotationConstraint `json:"rotation,omitempty"`
}

type v1RollConstraint struct {
	Source   *int     `json:"source"`
	RollAxis string   `json:"rollAxis"`
	Weight   *float32 `json:"weight,omitempty"`
}

type v1AimConstraint struct {
	Source  *int     `json:"source"`
	AimAxis string   `json:"aimAxis"`
	Weight  *float32 `json:"weight,omitempty"`
}

type v1RotationConstraint struct {
	Source *int     `json:"source"`
	Weight *float32 `json:"weight,omitempty"`
}
