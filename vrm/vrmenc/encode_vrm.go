package vrmenc

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/qmuntal/gltf"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

var overrideNames = [...]string{vrm.OverrideNone: "", vrm.OverrideBlock: "block", vrm.OverrideBlend: "blend"}

var colorBindNames = [...]string{
	vrm.ColorBase: "color", vrm.ColorEmission: "emissionColor", vrm.ColorShade: "shadeColor",
	vrm.ColorMatcap: "matcapColor", vrm.ColorRim: "rimColor", vrm.ColorOutline: "outlineColor",
}

var firstPersonNames = [...]string{
	vrm.FirstPersonAuto: "auto", vrm.FirstPersonBoth: "both",
	vrm.FirstPersonThirdPersonOnly: "thirdPersonOnly", vrm.FirstPersonFirstPersonOnly: "firstPersonOnly",
}

// thumbnailImage returns the glTF image index of the thumbnail, or nil.
func (e *encoder) thumbnailImage() *int {
	th := e.av.Meta.Thumbnail
	if th < 0 || th >= len(e.av.Textures) {
		return nil
	}
	im, _ := e.av.TextureImage(th)
	i := e.imageOf[im]
	return &i
}

// annotatedNodes returns the first-person annotation nodes in order.
func (e *encoder) annotatedNodes() []int {
	var nodes []int
	for n := range e.av.FirstPerson.Annotations {
		nodes = append(nodes, n)
	}
	slices.Sort(nodes)
	return nodes
}

// vrm1 writes VRMC_vrm and VRMC_springBone.
func (e *encoder) vrm1() error {
	a := e.av
	m := &a.Meta
	x := schema.V1VRM{SpecVersion: "1.0"}
	x.Meta = schema.V1Meta{
		Name: m.Name, Version: m.Version, Authors: m.Authors,
		CopyrightInformation: m.CopyrightInformation, ContactInformation: m.ContactInformation,
		References: m.References, ThirdPartyLicenses: m.ThirdPartyLicenses,
		ThumbnailImage: e.thumbnailImage(), LicenseURL: m.LicenseURL,
		AvatarPermission:               m.AvatarPermission,
		AllowExcessivelyViolentUsage:   m.AllowExcessivelyViolentUsage,
		AllowExcessivelySexualUsage:    m.AllowExcessivelySexualUsage,
		CommercialUsage:                m.CommercialUsage,
		AllowPoliticalOrReligiousUsage: m.AllowPoliticalOrReligiousUsage,
		AllowAntisocialOrHateUsage:     m.AllowAntisocialOrHateUsage,
		CreditNotation:                 m.CreditNotation,
		AllowRedistribution:            m.AllowRedistribution,
		Modification:                   m.Modification,
		OtherLicenseURL:                m.OtherLicenseURL,
	}
	if x.Meta.Authors == nil {
		x.Meta.Authors = []string{}
	}
	x.Humanoid.HumanBones = map[string]schema.V1HumanBone{}
	for _, b := range a.Humanoid.Present.Bones() {
		x.Humanoid.HumanBones[b.VRM1Name()] = schema.V1HumanBone{Node: a.Humanoid.Nodes[b]}
	}
	if nodes := e.annotatedNodes(); len(nodes) > 0 {
		x.FirstPerson = &schema.V1FirstPerson{}
		for _, n := range nodes {
			x.FirstPerson.MeshAnnotations = append(x.FirstPerson.MeshAnnotations,
				schema.V1MeshAnnotation{Node: n, Type: firstPersonNames[min(int(a.FirstPerson.Annotations[n]), 3)]})
		}
	}
	la := &a.LookAt
	rm := func(r vrm.RangeMap) *schema.V1RangeMap {
		return &schema.V1RangeMap{InputMaxValue: &r.InputMaxValue, OutputScale: &r.OutputScale}
	}
	off := [3]float32(la.OffsetFromHeadBone)
	x.LookAt = &schema.V1LookAt{
		OffsetFromHeadBone:      &off,
		Type:                    "bone",
		RangeMapHorizontalInner: rm(la.HorizontalInner),
		RangeMapHorizontalOuter: rm(la.HorizontalOuter),
		RangeMapVerticalDown:    rm(la.VerticalDown),
		RangeMapVerticalUp:      rm(la.VerticalUp),
	}
	if la.Type == vrm.LookAtExpression {
		x.LookAt.Type = "expression"
	}
	if len(a.Expressions) > 0 {
		x.Expressions = &schema.V1Expressions{}
		for i := range a.Expressions {
			ex := &a.Expressions[i]
			j := schema.V1Expression{
				IsBinary:       ex.IsBinary,
				OverrideBlink:  overrideNames[min(int(ex.OverrideBlink), 2)],
				OverrideLookAt: overrideNames[min(int(ex.OverrideLookAt), 2)],
				OverrideMouth:  overrideNames[min(int(ex.OverrideMouth), 2)],
			}
			for _, b := range ex.MorphBinds {
				j.MorphTargetBinds = append(j.MorphTargetBinds, schema.V1MorphBind(b))
			}
			for _, b := range ex.ColorBinds {
				j.MaterialColorBinds = append(j.MaterialColorBinds, schema.V1ColorBind{Material: b.Material, Type: colorBindNames[min(int(b.Type), 5)], TargetValue: b.Target})
			}
			for _, b := range ex.TextureBinds {
				sc, of := [2]float32(b.Scale), [2]float32(b.Offset)
				j.TextureTransformBinds = append(j.TextureTransformBinds, schema.V1TextureBind{Material: b.Material, Scale: &sc, Offset: &of})
			}
			if ex.Preset == vrm.PresetCustom {
				if x.Expressions.Custom == nil {
					x.Expressions.Custom = map[string]schema.V1Expression{}
				}
				x.Expressions.Custom[ex.Name] = j
			} else {
				if x.Expressions.Preset == nil {
					x.Expressions.Preset = map[string]schema.V1Expression{}
				}
				x.Expressions.Preset[ex.Preset.String()] = j
			}
		}
	}
	e.doc.Extensions["VRMC_vrm"] = x
	e.use("VRMC_vrm")

	sb := &a.SpringBone
	if len(sb.Springs) == 0 && len(sb.Colliders) == 0 {
		return nil
	}
	s := schema.V1SpringBone{SpecVersion: "1.0"}
	for _, c := range sb.Colliders {
		col := schema.V1Collider{Node: c.Node}
		if c.Shape == vrm.ColliderCapsule {
			col.Shape.Capsule = &schema.V1Capsule{Offset: c.Offset, Radius: c.Radius, Tail: c.Tail}
		} else {
			col.Shape.Sphere = &schema.V1Sphere{Offset: c.Offset, Radius: c.Radius}
		}
		s.Colliders = append(s.Colliders, col)
	}
	for _, g := range sb.ColliderGroups {
		s.ColliderGroups = append(s.ColliderGroups, schema.V1ColliderGroup{Name: g.Name, Colliders: nonNil(g.Colliders)})
	}
	for _, sp := range sb.Springs {
		out := schema.V1Spring{Name: sp.Name, ColliderGroups: slices.Clone(sp.ColliderGroups)}
		if sp.Center >= 0 {
			out.Center = &sp.Center
		}
		for _, j := range sp.Joints {
			st, dr, gd := j.Stiffness, j.DragForce, [3]float32(j.GravityDir)
			out.Joints = append(out.Joints, schema.V1Joint{Node: j.Node, HitRadius: j.HitRadius, Stiffness: &st, GravityPower: j.GravityPower, GravityDir: &gd, DragForce: &dr})
		}
		s.Springs = append(s.Springs, out)
	}
	e.doc.Extensions["VRMC_springBone"] = s
	e.use("VRMC_springBone")
	return nil
}

func nonNil(s []int) []int {
	if s == nil {
		return []int{}
	}
	return slices.Clone(s)
}

// toUnity converts a VRM 1.0-frame vector to VRM 0.x's Unity coordinates
// (ReverseX, its own inverse).
func toUnity(v mgl32.Vec3) schema.V0Vec3 { return schema.V0Vec3{X: -v[0], Y: v[1], Z: v[2]} }

// vrm0Linear is the identity curve VRM 0.x degree maps carry.
var vrm0Linear = []float32{0, 0, 0, 1, 1, 1, 1, 0}

// vrm0 writes the VRM extension.
func (e *encoder) vrm0() error {
	a := e.av
	x := schema.V0VRM{ExporterVersion: "Kugutsu", SpecVersion: "0.0"}
	e.meta0(&x.Meta)
	for _, b := range a.Humanoid.Present.Bones() {
		x.Humanoid.HumanBones = append(x.Humanoid.HumanBones, schema.V0HumanBone{Bone: b.VRM0Name(), Node: a.Humanoid.Nodes[b], UseDefaultValues: true})
	}
	// firstPerson: lookAt origin relative to the head, mesh annotations.
	fp := &schema.V0FirstPerson{LookAtTypeName: "Bone"}
	if h := a.Humanoid.Node(humanoid.Head); h >= 0 {
		fp.FirstPersonBone = &h
	}
	off := toUnity(a.LookAt.OffsetFromHeadBone)
	fp.FirstPersonBoneOffset = &off
	if a.LookAt.Type == vrm.LookAtExpression {
		fp.LookAtTypeName = "BlendShape"
	}
	dm := func(r vrm.RangeMap) *schema.V0DegreeMap {
		return &schema.V0DegreeMap{Curve: vrm0Linear, XRange: &r.InputMaxValue, YRange: &r.OutputScale}
	}
	fp.LookAtHorizontalInner = dm(a.LookAt.HorizontalInner)
	fp.LookAtHorizontalOuter = dm(a.LookAt.HorizontalOuter)
	fp.LookAtVerticalDown = dm(a.LookAt.VerticalDown)
	fp.LookAtVerticalUp = dm(a.LookAt.VerticalUp)
	meshDone := map[int]bool{}
	for _, n := range e.annotatedNodes() {
		mesh := a.Nodes[n].Mesh
		if mesh < 0 || meshDone[mesh] {
			continue
		}
		meshDone[mesh] = true
		name := firstPersonNames[min(int(a.FirstPerson.Annotations[n]), 3)]
		fp.MeshAnnotations = append(fp.MeshAnnotations, schema.V0MeshAnnotation{Mesh: mesh, FirstPersonFlag: strings.ToUpper(name[:1]) + name[1:]})
	}
	slices.SortFunc(fp.MeshAnnotations, func(p, q schema.V0MeshAnnotation) int { return p.Mesh - q.Mesh })
	x.FirstPerson = fp

	x.BlendShapeMaster = &schema.V0BlendShapes{BlendShapeGroups: []schema.V0BlendShapeGroup{}}
	for i := range a.Expressions {
		x.BlendShapeMaster.BlendShapeGroups = append(x.BlendShapeMaster.BlendShapeGroups, e.group0(&a.Expressions[i]))
	}
	x.SecondaryAnimation = e.secondary0()
	for i := range a.Materials {
		x.MaterialProperties = append(x.MaterialProperties, e.materialProps0(&a.Materials[i]))
	}
	e.doc.Extensions["VRM"] = x
	e.use("VRM")
	return nil
}

func (e *encoder) meta0(out *schema.V0Meta) {
	m := &e.av.Meta
	*out = schema.V0Meta{
		Title:              m.Name,
		Version:            m.Version,
		Author:             strings.Join(m.Authors, ", "),
		ContactInformation: m.ContactInformation,
		Reference:          strings.Join(m.References, ", "),
		OtherLicenseURL:    m.OtherLicenseURL,
	}
	if th := m.Thumbnail; th >= 0 {
		out.Texture = &th
	}
	if v := m.VRM0; v.AllowedUserName != "" || v.LicenseName != "" {
		out.AllowedUserName, out.ViolentUssageName, out.SexualUssageName = v.AllowedUserName, v.ViolentUssageName, v.SexualUssageName
		out.CommercialUssageName, out.LicenseName, out.OtherPermissionURL = v.CommercialUssageName, v.LicenseName, v.OtherPermissionURL
		return
	}
	// From the VRM 1.0 vocabulary (UniVRM's migration, backwards).
	switch m.AvatarPermission {
	case "everyone":
		out.AllowedUserName = "Everyone"
	case "onlySeparatelyLicensedPerson":
		out.AllowedUserName = "ExplicitlyLicensedPerson"
	default:
		out.AllowedUserName = "OnlyAuthor"
	}
	allow := func(b bool) string {
		if b {
			return "Allow"
		}
		return "Disallow"
	}
	out.ViolentUssageName = allow(m.AllowExcessivelyViolentUsage)
	out.SexualUssageName = allow(m.AllowExcessivelySexualUsage)
	out.CommercialUssageName = allow(m.CommercialUsage != "" && m.CommercialUsage != "personalNonProfit")
	out.LicenseName = "Other"
	if out.OtherLicenseURL == "" {
		out.OtherLicenseURL = m.LicenseURL
	}
}

// vrm0GroupNames is the blendShapeMaster group name UniVRM gives each VRM
// 0.x preset (UniVRM BlendShapePreset), for the presets VRM 0.x has.
var vrm0GroupNames = [...]string{
	vrm.PresetHappy:      "Joy",
	vrm.PresetAngry:      "Angry",
	vrm.PresetSad:        "Sorrow",
	vrm.PresetRelaxed:    "Fun",
	vrm.PresetAa:         "A",
	vrm.PresetIh:         "I",
	vrm.PresetOu:         "U",
	vrm.PresetEe:         "E",
	vrm.PresetOh:         "O",
	vrm.PresetBlink:      "Blink",
	vrm.PresetBlinkLeft:  "Blink_L",
	vrm.PresetBlinkRight: "Blink_R",
	vrm.PresetLookUp:     "LookUp",
	vrm.PresetLookDown:   "LookDown",
	vrm.PresetLookLeft:   "LookLeft",
	vrm.PresetLookRight:  "LookRight",
	vrm.PresetNeutral:    "Neutral",
}

// vrm0GroupName returns p's VRM 0.x group name, or "" when VRM 0.x has none.
func vrm0GroupName(p vrm.Preset) string {
	if int(p) >= len(vrm0GroupNames) {
		return ""
	}
	return vrm0GroupNames[p]
}

// group0 writes an expression as a blendShapeMaster group.
func (e *encoder) group0(ex *vrm.Expression) schema.V0BlendShapeGroup {
	a := e.av
	g := schema.V0BlendShapeGroup{Name: ex.Name, PresetName: "unknown", IsBinary: ex.IsBinary, Binds: []schema.V0Bind{}, MaterialValues: []schema.V0MaterialValue{}}
	if n := ex.Preset.VRM0Name(); n != "" {
		g.PresetName, g.Name = n, vrm0GroupName(ex.Preset)
	}
	type key struct{ mesh, index int }
	done := map[key]bool{}
	for _, b := range ex.MorphBinds {
		k := key{a.Nodes[b.Node].Mesh, b.Index}
		if done[k] {
			continue // 0.x binds by mesh: one bind covers every node using it
		}
		done[k] = true
		g.Binds = append(g.Binds, schema.V0Bind{Mesh: k.mesh, Index: k.index, Weight: b.Weight * 100})
	}
	for _, b := range ex.ColorBinds {
		t := b.Target
		gamma := []float32{linearToSRGB(t[0]), linearToSRGB(t[1]), linearToSRGB(t[2]), t[3]}
		var prop string
		switch b.Type {
		case vrm.ColorBase:
			prop = "_Color"
		case vrm.ColorShade:
			prop = "_ShadeColor"
		case vrm.ColorRim:
			prop = "_RimColor"
		case vrm.ColorOutline:
			prop = "_OutlineColor"
		case vrm.ColorEmission:
			prop, gamma = "_EmissionColor", []float32{t[0], t[1], t[2], t[3]}
		default:
			continue // 0.x has no matcap colour
		}
		g.MaterialValues = append(g.MaterialValues, schema.V0MaterialValue{MaterialName: a.Materials[b.Material].Name, PropertyName: prop, TargetValue: gamma})
	}
	for _, b := range ex.TextureBinds {
		g.MaterialValues = append(g.MaterialValues, schema.V0MaterialValue{
			MaterialName: a.Materials[b.Material].Name, PropertyName: "_MainTex_ST",
			TargetValue: []float32{b.Scale[0], b.Scale[1], b.Offset[0], 1 - b.Scale[1] - b.Offset[1]},
		})
	}
	return g
}

// secondary0 writes spring bones as VRM 0.x secondaryAnimation: one bone
// group per chain that does not hang from another chain (0.x expands a root
// bone to its whole subtree), collider groups split per node.
func (e *encoder) secondary0() *schema.V0Secondary {
	a := e.av
	sb := &a.SpringBone
	out := &schema.V0Secondary{BoneGroups: []schema.V0BoneGroup{}, ColliderGroups: []schema.V0ColliderGroup{}}
	groupMap := make([][]int, len(sb.ColliderGroups)) // ours → 0.x groups
	for gi, g := range sb.ColliderGroups {
		byNode := map[int]int{} // node → 0.x group
		for _, ci := range g.Colliders {
			c := sb.Colliders[ci]
			k, ok := byNode[c.Node]
			if !ok {
				k = len(out.ColliderGroups)
				byNode[c.Node] = k
				out.ColliderGroups = append(out.ColliderGroups, schema.V0ColliderGroup{Node: c.Node, Colliders: []schema.V0Collider{}})
				groupMap[gi] = append(groupMap[gi], k)
			}
			cg := &out.ColliderGroups[k]
			cg.Colliders = append(cg.Colliders, schema.V0Collider{Offset: toUnity(c.Offset), Radius: c.Radius})
			if c.Shape == vrm.ColliderCapsule {
				cg.Colliders = append(cg.Colliders, schema.V0Collider{Offset: toUnity(c.Tail), Radius: c.Radius})
			}
		}
	}
	jointNode := map[int]bool{}
	for _, sp := range sb.Springs {
		for _, j := range sp.Joints {
			jointNode[j.Node] = true
		}
	}
	type boneGroupKey struct {
		comment            string
		stiffness, gravity float32
		dir                schema.V0Vec3
		drag               float32
		center             int
		hitRadius          float32
		colliderGroups     string
	}
	groupOf := map[boneGroupKey]int{}
	for _, sp := range sb.Springs {
		if len(sp.Joints) == 0 {
			continue
		}
		first := sp.Joints[0]
		if p := a.Nodes[first.Node].Parent; p >= 0 && jointNode[p] {
			continue // a branch: 0.x re-creates it from its root's subtree
		}
		bg := schema.V0BoneGroup{
			Comment:      sp.Name,
			Stiffiness:   ptr(first.Stiffness),
			GravityPower: first.GravityPower,
			GravityDir:   ptr(toUnity(first.GravityDir)),
			DragForce:    ptr(first.DragForce),
			Center:       ptr(sp.Center),
			HitRadius:    ptr(first.HitRadius),
			Bones:        []int{first.Node},
			ColliderGroups: func() []int {
				out := []int{}
				for _, g := range sp.ColliderGroups {
					out = append(out, groupMap[g]...)
				}
				return out
			}(),
		}
		// Chains with the same name and settings share one bone group
		// listing every root, as UniVRM and VRoid Studio write them.
		k := boneGroupKey{bg.Comment, *bg.Stiffiness, bg.GravityPower, *bg.GravityDir, *bg.DragForce, sp.Center, *bg.HitRadius, intsKey(bg.ColliderGroups)}
		if i, ok := groupOf[k]; ok {
			out.BoneGroups[i].Bones = append(out.BoneGroups[i].Bones, first.Node)
			continue
		}
		groupOf[k] = len(out.BoneGroups)
		out.BoneGroups = append(out.BoneGroups, bg)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// intsKey spells a list of ints as a map key.
func intsKey(s []int) string {
	var b strings.Builder
	for _, v := range s {
		b.WriteString(strconv.Itoa(v))
		b.WriteByte(',')
	}
	return b.String()
}

// materialProps0 writes a material's VRM 0.x materialProperties: MToon
// (inverse of loadMToon0), VRM/UnlitTexture for unlit materials, else
// VRM_USE_GLTFSHADER.
func (e *encoder) materialProps0(m *vrm.Material) schema.V0Material {
	out := schema.V0Material{
		Name: m.Name, Shader: "VRM_USE_GLTFSHADER", RenderQueue: -1,
		FloatProperties: map[string]float32{}, VectorProperties: map[string][]float32{},
		TextureProperties: map[string]int{}, KeywordMap: map[string]bool{}, TagMap: map[string]string{},
	}
	base := 2000
	switch m.AlphaMode {
	case vrm.AlphaMask:
		base = 2450
	case vrm.AlphaBlend:
		base = 3000
	}
	if m.MToon == nil {
		if m.Unlit {
			out.Shader = "VRM/UnlitTexture"
			switch m.AlphaMode {
			case vrm.AlphaMask:
				out.Shader = "VRM/UnlitCutout"
			case vrm.AlphaBlend:
				out.Shader = "VRM/UnlitTransparent"
			}
		}
		return out
	}
	t := m.MToon
	out.Shader = "VRM/MToon"
	out.RenderQueue = base + m.RenderQueue
	fl, vec, tex := out.FloatProperties, out.VectorProperties, out.TextureProperties
	gamma := func(v mgl32.Vec3, a float32) []float32 {
		return []float32{linearToSRGB(v[0]), linearToSRGB(v[1]), linearToSRGB(v[2]), a}
	}
	setTex := func(name string, r vrm.TextureRef) {
		if r.Valid() {
			tex[name] = r.Texture
			vec[name] = []float32{r.Offset[0], 1 - r.Offset[1] - r.Scale[1], r.Scale[0], r.Scale[1]}
		}
	}
	vec["_Color"] = gamma(m.BaseColor.Vec3(), m.BaseColor[3])
	vec["_MainTex"] = []float32{0, 0, 1, 1}
	setTex("_MainTex", m.BaseColorTexture)
	vec["_EmissionColor"] = []float32{m.Emissive[0], m.Emissive[1], m.Emissive[2], 1}
	setTex("_EmissionMap", m.EmissiveTexture)
	setTex("_BumpMap", m.NormalTexture)
	fl["_BumpScale"] = m.NormalScale
	blend := schema.V0BlendOpaque
	switch m.AlphaMode {
	case vrm.AlphaMask:
		blend = schema.V0BlendCutout
		out.KeywordMap["_ALPHATEST_ON"] = true
		out.TagMap["RenderType"] = "TransparentCutout"
	case vrm.AlphaBlend:
		blend = schema.V0BlendTransparent
		if t.TransparentZWrite {
			blend = schema.V0BlendTransparentWithZWrite
		}
		out.KeywordMap["_ALPHABLEND_ON"] = true
		out.TagMap["RenderType"] = "Transparent"
	default:
		out.TagMap["RenderType"] = "Opaque"
	}
	fl["_BlendMode"] = float32(blend)
	fl["_Cutoff"] = m.AlphaCutoff
	fl["_CullMode"] = 2
	if m.DoubleSided {
		fl["_CullMode"] = 0
	}
	zw := float32(1)
	if blend == schema.V0BlendTransparent {
		zw = 0
	}
	fl["_ZWrite"] = zw
	vec["_ShadeColor"] = gamma(t.ShadeColor, 1)
	setTex("_ShadeTexture", t.ShadeTexture)
	fl["_ShadeToony"], fl["_ShadeShift"] = schema.UnmigrateShading(t.ShadingToony, t.ShadingShift)
	fl["_IndirectLightIntensity"] = 1 - t.GIEqualization
	setTex("_SphereAdd", t.MatcapTexture)
	vec["_RimColor"] = gamma(t.RimColor, 1)
	setTex("_RimTexture", t.RimTexture)
	fl["_RimLightingMix"] = t.RimLightingMix
	fl["_RimFresnelPower"] = t.RimFresnelPower
	fl["_RimLift"] = t.RimLift
	switch t.OutlineMode {
	case vrm.OutlineWorld:
		fl["_OutlineWidthMode"] = 1
		fl["_OutlineWidth"] = t.OutlineWidth / 0.01
	case vrm.OutlineScreen:
		fl["_OutlineWidthMode"] = 2
		fl["_OutlineWidth"] = t.OutlineWidth / (0.01 * 0.5)
	default:
		fl["_OutlineWidthMode"] = 0
		fl["_OutlineWidth"] = 0
	}
	setTex("_OutlineWidthTexture", t.OutlineWidthTex)
	vec["_OutlineColor"] = gamma(t.OutlineColor, 1)
	fl["_OutlineColorMode"] = 0
	if t.OutlineLightMix > 0 {
		fl["_OutlineColorMode"] = 1
		fl["_OutlineLightingMix"] = t.OutlineLightMix
	}
	setTex("_UvAnimMaskTexture", t.UVAnimMaskTexture)
	fl["_UvAnimScrollX"] = t.UVAnimScrollX
	fl["_UvAnimScrollY"] = -t.UVAnimScrollY
	fl["_UvAnimRotation"] = t.UVAnimRotation
	fl["_MToonVersion"] = 38
	return out
}

// linearToSRGB is mathx.SRGBToLinear's inverse (IEC 61966-2-1).
func linearToSRGB(c float32) float32 {
	if c <= 0.0031308 {
		return c * 12.92
	}
	return float32(1.055*math.Pow(float64(c), 1/2.4) - 0.055)
}

// constraints writes each node constraint as its destination node's
// VRMC_node_constraint extension (aim axes turned back for VRM 0.x; roll
// axes are lines, written as X, Y or Z).
func (e *encoder) constraints() {
	for _, c := range e.av.Constraints {
		src, w := c.Source, c.Weight
		var k schema.V1Constraint
		switch c.Type {
		case vrm.ConstraintRoll:
			k.Roll = &schema.V1RollConstraint{Source: &src, RollAxis: rollAxis(c.Axis), Weight: &w}
		case vrm.ConstraintAim:
			a := c.Axis
			if e.v == vrm.Version0 {
				a = turnAxis(a)
			}
			k.Aim = &schema.V1AimConstraint{Source: &src, AimAxis: a.String(), Weight: &w}
		case vrm.ConstraintRotation:
			k.Rotation = &schema.V1RotationConstraint{Source: &src, Weight: &w}
		}
		gn := e.doc.Nodes[c.Node]
		if gn.Extensions == nil {
			gn.Extensions = gltf.Extensions{}
		}
		gn.Extensions[schema.ExtNodeConstraint] = &schema.V1NodeConstraint{SpecVersion: "1.0", Constraint: &k}
		e.use(schema.ExtNodeConstraint)
	}
}

// rollAxis returns "X", "Y" or "Z": the rollAxis name of a's line
// (VRMC_node_constraint-1.0, rollAxis).
func rollAxis(a vrm.Axis) string {
	switch a {
	case vrm.AxisPositiveY, vrm.AxisNegativeY:
		return "Y"
	case vrm.AxisPositiveZ, vrm.AxisNegativeZ:
		return "Z"
	}
	return "X"
}

// turnAxis returns a as seen after the VRM 0.x turn (R = diag(−1, 1, −1),
// schema.TurnVec): X and Z change sign, Y is kept; vrm.Axis.turned, the
// loader's twin, is unexported.
func turnAxis(a vrm.Axis) vrm.Axis {
	switch a {
	case vrm.AxisPositiveX:
		return vrm.AxisNegativeX
	case vrm.AxisNegativeX:
		return vrm.AxisPositiveX
	case vrm.AxisPositiveZ:
		return vrm.AxisNegativeZ
	case vrm.AxisNegativeZ:
		return vrm.AxisPositiveZ
	}
	return a
}
