package vrm

import (
	"encoding/json"
	"image/color"
	"strings"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
	"github.com/qmuntal/gltf"
)

func nrgbaModelConvert(c color.Color) color.NRGBA {
	return color.NRGBAModel.Convert(c).(color.NRGBA)
}

// extJSON returns the JSON of extension name in ext, whether qmuntal/gltf
// kept it raw or decoded it with a registered extension package.
func extJSON(ext gltf.Extensions, name string) (json.RawMessage, bool) {
	v, ok := ext[name]
	if !ok {
		return nil, false
	}
	if r, ok := v.(json.RawMessage); ok {
		return r, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return b, true
}

// noTexture is the TextureRef of an absent texture.
var noTexture = TextureRef{Texture: -1, Scale: mgl32.Vec2{1, 1}}

// textureRef builds a TextureRef from a textureInfo's parts.
func (l *loader) textureRef(el func() string, part string, index, texCoord int, khr json.RawMessage) (TextureRef, error) {
	name := func() string { return el() + part }
	if index < 0 || index >= len(l.doc.Textures) {
		return noTexture, errorf(name(), "texture %d does not exist (%d textures)", index, len(l.doc.Textures))
	}
	r := TextureRef{Texture: index, TexCoord: texCoord, Scale: mgl32.Vec2{1, 1}}
	if khr != nil {
		var t schema.KHRTextureTransform
		if err := json.Unmarshal(khr, &t); err != nil {
			l.warnf("%s: KHR_texture_transform ignored: %v", name(), err)
		} else {
			if t.Offset != nil {
				r.Offset = mgl32.Vec2{t.Offset[0], t.Offset[1]}
			}
			if t.Scale != nil {
				r.Scale = mgl32.Vec2{t.Scale[0], t.Scale[1]}
			}
			r.Rotation = t.Rotation
			if t.TexCoord != nil {
				r.TexCoord = *t.TexCoord
			}
		}
	}
	if r.TexCoord != 0 && r.TexCoord != 1 {
		l.warnf("%s: TEXCOORD_%d not supported; using TEXCOORD_0", name(), r.TexCoord)
		r.TexCoord = 0
	}
	return r, nil
}

func (l *loader) gltfTextureRef(el func() string, part string, ti *gltf.TextureInfo) (TextureRef, error) {
	if ti == nil {
		return noTexture, nil
	}
	khr, _ := extJSON(ti.Extensions, "KHR_texture_transform")
	return l.textureRef(el, part, ti.Index, ti.TexCoord, khr)
}

func (l *loader) jsonTextureRef(el func() string, part string, ti *schema.V1TextureInfo) (TextureRef, error) {
	if ti == nil {
		return noTexture, nil
	}
	return l.textureRef(el, part, ti.Index, ti.TexCoord, ti.Extensions["KHR_texture_transform"])
}

// loadMaterials reads glTF materials with KHR_materials_unlit,
// KHR_texture_transform and VRMC_materials_mtoon (VRM 1.0). VRM 0.x
// materialProperties are applied afterwards by loadMaterialsVRM0.
func (l *loader) loadMaterials() error {
	doc, av := l.doc, l.av
	av.Materials = make([]Material, len(doc.Materials))
	for i, gm := range doc.Materials {
		el := func() string { return "material " + itoa(i) }
		if gm == nil {
			return errorf(el(), "null")
		}
		m := &av.Materials[i]
		m.Name = gm.Name
		m.BaseColor = mgl32.Vec4{1, 1, 1, 1}
		m.BaseColorTexture, m.EmissiveTexture, m.NormalTexture = noTexture, noTexture, noTexture
		m.MetallicRoughnessTexture, m.OcclusionTexture = noTexture, noTexture
		m.NormalScale, m.Metallic, m.Roughness, m.OcclusionStrength = 1, 1, 1, 1
		var err error
		if pbr := gm.PBRMetallicRoughness; pbr != nil {
			f := pbr.BaseColorFactorOrDefault()
			m.BaseColor = mgl32.Vec4{float32(f[0]), float32(f[1]), float32(f[2]), float32(f[3])}
			if m.BaseColorTexture, err = l.gltfTextureRef(el, " baseColorTexture", pbr.BaseColorTexture); err != nil {
				return err
			}
			m.Metallic = float32(pbr.MetallicFactorOrDefault())
			m.Roughness = float32(pbr.RoughnessFactorOrDefault())
			if m.MetallicRoughnessTexture, err = l.gltfTextureRef(el, " metallicRoughnessTexture", pbr.MetallicRoughnessTexture); err != nil {
				return err
			}
		}
		if ot := gm.OcclusionTexture; ot != nil && ot.Index != nil {
			khr, _ := extJSON(ot.Extensions, "KHR_texture_transform")
			if m.OcclusionTexture, err = l.textureRef(el, " occlusionTexture", *ot.Index, ot.TexCoord, khr); err != nil {
				return err
			}
			m.OcclusionStrength = float32(ot.StrengthOrDefault())
		}
		if m.EmissiveTexture, err = l.gltfTextureRef(el, " emissiveTexture", gm.EmissiveTexture); err != nil {
			return err
		}
		if nt := gm.NormalTexture; nt != nil && nt.Index != nil {
			khr, _ := extJSON(nt.Extensions, "KHR_texture_transform")
			if m.NormalTexture, err = l.textureRef(el, " normalTexture", *nt.Index, nt.TexCoord, khr); err != nil {
				return err
			}
			m.NormalScale = float32(nt.ScaleOrDefault())
		}
		m.Emissive = mgl32.Vec3{float32(gm.EmissiveFactor[0]), float32(gm.EmissiveFactor[1]), float32(gm.EmissiveFactor[2])}
		switch gm.AlphaMode {
		case gltf.AlphaMask:
			m.AlphaMode = AlphaMask
		case gltf.AlphaBlend:
			m.AlphaMode = AlphaBlend
		}
		m.AlphaCutoff = float32(gm.AlphaCutoffOrDefault())
		m.DoubleSided = gm.DoubleSided
		if _, ok := gm.Extensions["KHR_materials_unlit"]; ok {
			m.Unlit = true
		}
		if !l.vrm0 {
			if raw, ok := extJSON(gm.Extensions, "VRMC_materials_mtoon"); ok {
				if err := l.loadMToon1(el, m, raw); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// loadMToon1 reads VRMC_materials_mtoon (defaults from its schema).
func (l *loader) loadMToon1(el func() string, m *Material, raw json.RawMessage) error {
	var x schema.V1MToon
	if err := json.Unmarshal(raw, &x); err != nil {
		return errorf(el()+" VRMC_materials_mtoon", "%v", err)
	}
	t := &MToon{
		ShadeColor:           mgl32.Vec3{1, 1, 1},
		ShadingShift:         x.ShadingShiftFactor,
		ShadingToony:         0.9,
		GIEqualization:       0.9,
		RimFresnelPower:      1,
		RimLift:              x.ParametricRimLiftFactor,
		OutlineWidth:         x.OutlineWidthFactor,
		OutlineLightMix:      1,
		UVAnimScrollX:        x.UVAnimationScrollXSpeedFactor,
		UVAnimScrollY:        x.UVAnimationScrollYSpeedFactor,
		UVAnimRotation:       x.UVAnimationRotationSpeedFactor,
		TransparentZWrite:    x.TransparentWithZWrite,
		ShadingShiftTexScale: 1,
	}
	vec3 := func(p *[3]float32, dst *mgl32.Vec3) {
		if p != nil {
			*dst = mgl32.Vec3{p[0], p[1], p[2]}
		}
	}
	f32 := func(p *float32, dst *float32) {
		if p != nil {
			*dst = *p
		}
	}
	vec3(x.ShadeColorFactor, &t.ShadeColor)
	vec3(x.MatcapFactor, &t.MatcapColor)
	vec3(x.ParametricRimColorFactor, &t.RimColor)
	vec3(x.OutlineColorFactor, &t.OutlineColor)
	f32(x.ShadingToonyFactor, &t.ShadingToony)
	f32(x.GIEqualizationFactor, &t.GIEqualization)
	f32(x.RimLightingMixFactor, &t.RimLightingMix)
	f32(x.ParametricRimFresnelPowerFactor, &t.RimFresnelPower)
	f32(x.OutlineLightingMixFactor, &t.OutlineLightMix)
	switch x.OutlineWidthMode {
	case "worldCoordinates":
		t.OutlineMode = OutlineWorld
	case "screenCoordinates":
		t.OutlineMode = OutlineScreen
	case "", "none":
	default:
		l.warnf("%s: outlineWidthMode %q unknown; no outline", el(), x.OutlineWidthMode)
	}
	var err error
	mtoonEl := func() string { return el() + " VRMC_materials_mtoon." }
	for _, tx := range []struct {
		name string
		src  *schema.V1TextureInfo
		dst  *TextureRef
	}{
		{"shadeMultiplyTexture", x.ShadeMultiplyTexture, &t.ShadeTexture},
		{"shadingShiftTexture", x.ShadingShiftTexture, &t.ShadingShiftTex},
		{"matcapTexture", x.MatcapTexture, &t.MatcapTexture},
		{"rimMultiplyTexture", x.RimMultiplyTexture, &t.RimTexture},
		{"outlineWidthMultiplyTexture", x.OutlineWidthMultiplyTexture, &t.OutlineWidthTex},
		{"uvAnimationMaskTexture", x.UVAnimationMaskTexture, &t.UVAnimMaskTexture},
	} {
		if *tx.dst, err = l.jsonTextureRef(mtoonEl, tx.name, tx.src); err != nil {
			return err
		}
	}
	if x.ShadingShiftTexture != nil && x.ShadingShiftTexture.Scale != nil {
		t.ShadingShiftTexScale = *x.ShadingShiftTexture.Scale
	}
	m.RenderQueue = x.RenderQueueOffsetNumber
	m.MToon = t
	return nil
}

// loadMaterialsVRM0 applies VRM 0.x materialProperties: MToon materials are
// rebuilt from them (UniVRM MToon10Migrator: colours gamma → linear except
// emission, shade toony/shift migrated, outline cm → m, scroll Y flipped with
// V); VRM/Unlit* shaders mark the material unlit. materialProperties[i]
// belongs to materials[i].
func (l *loader) loadMaterialsVRM0(props []schema.V0Material) error {
	av := l.av
	for i := range props {
		if i >= len(av.Materials) {
			l.warnf("VRM.materialProperties[%d]: no glTF material %d; ignored", i, i)
			continue
		}
		p := &props[i]
		m := &av.Materials[i]
		el := func() string { return "VRM.materialProperties[" + itoa(i) + "]" }
		switch {
		case p.Shader == "VRM/MToon":
			if err := l.loadMToon0(el, m, p); err != nil {
				return err
			}
		case strings.HasPrefix(p.Shader, "VRM/Unlit"):
			m.Unlit = true
		}
	}
	return nil
}

func (l *loader) loadMToon0(el func() string, m *Material, p *schema.V0Material) error {
	fl := func(name string, def float32) float32 {
		if v, ok := p.FloatProperties[name]; ok && finite32(v) {
			return v
		}
		return def
	}
	vec := func(name string, def [4]float32) [4]float32 {
		v, ok := p.VectorProperties[name]
		if !ok || len(v) < 3 {
			return def
		}
		out := def
		copy(out[:], v)
		return out
	}
	gamma3 := func(v [4]float32) mgl32.Vec3 {
		return mgl32.Vec3{mathx.SRGBToLinear(v[0]), mathx.SRGBToLinear(v[1]), mathx.SRGBToLinear(v[2])}
	}
	// The main texture's ST (offset x, y, scale x, y; Unity's bottom-left
	// origin) applies to every MToon texture (three-vrm v0 compat).
	st := vec("_MainTex", [4]float32{0, 0, 1, 1})
	scale := mgl32.Vec2{st[2], st[3]}
	offset := mgl32.Vec2{st[0], 1 - st[1] - st[3]}
	tex := func(name string) (TextureRef, error) {
		idx, ok := p.TextureProperties[name]
		if !ok {
			return noTexture, nil
		}
		r, err := l.textureRef(func() string { return el() + " textureProperties." }, name, idx, 0, nil)
		if err != nil {
			return noTexture, err
		}
		r.Scale, r.Offset = scale, offset
		return r, nil
	}
	var err error
	color := vec("_Color", [4]float32{1, 1, 1, 1})
	m.BaseColor = gamma3(color).Vec4(color[3])
	if m.BaseColorTexture, err = tex("_MainTex"); err != nil {
		return err
	}
	m.Emissive = vec3of(vec("_EmissionColor", [4]float32{0, 0, 0, 1})) // linear in 0.x already
	if m.EmissiveTexture, err = tex("_EmissionMap"); err != nil {
		return err
	}
	if m.NormalTexture, err = tex("_BumpMap"); err != nil {
		return err
	}
	m.NormalScale = fl("_BumpScale", 1)
	blend := int(fl("_BlendMode", -1))
	if blend < 0 { // older files: keywords
		switch {
		case p.KeywordMap["_ALPHABLEND_ON"]:
			blend = schema.V0BlendTransparent
			if fl("_ZWrite", 0) == 1 {
				blend = schema.V0BlendTransparentWithZWrite
			}
		case p.KeywordMap["_ALPHATEST_ON"]:
			blend = schema.V0BlendCutout
		default:
			blend = schema.V0BlendOpaque
		}
	}
	base := 2000
	m.AlphaMode = AlphaOpaque
	switch blend {
	case schema.V0BlendCutout:
		m.AlphaMode, base = AlphaMask, 2450
	case schema.V0BlendTransparent, schema.V0BlendTransparentWithZWrite:
		m.AlphaMode, base = AlphaBlend, 3000
	}
	m.AlphaCutoff = fl("_Cutoff", 0.5)
	m.DoubleSided = fl("_CullMode", 2) == 0
	m.Unlit = false
	m.RenderQueue = 0
	if p.RenderQueue > 0 {
		m.RenderQueue = p.RenderQueue - base
	}

	t := &MToon{ShadingShiftTexScale: 1, ShadingShiftTex: noTexture}
	t.ShadeColor = gamma3(vec("_ShadeColor", [4]float32{0.97, 0.81, 0.86, 1}))
	if t.ShadeTexture, err = tex("_ShadeTexture"); err != nil {
		return err
	}
	t.ShadingToony, t.ShadingShift = schema.MigrateShading(fl("_ShadeToony", 0.9), fl("_ShadeShift", 0))
	t.GIEqualization = mathx.Clamp(1-fl("_IndirectLightIntensity", 0.1), 0, 1)
	if t.MatcapTexture, err = tex("_SphereAdd"); err != nil {
		return err
	}
	if t.MatcapTexture.Valid() {
		t.MatcapColor = mgl32.Vec3{1, 1, 1}
	}
	t.RimColor = gamma3(vec("_RimColor", [4]float32{0, 0, 0, 1}))
	if t.RimTexture, err = tex("_RimTexture"); err != nil {
		return err
	}
	t.RimLightingMix = fl("_RimLightingMix", 0)
	t.RimFresnelPower = fl("_RimFresnelPower", 1)
	t.RimLift = fl("_RimLift", 0)
	switch int(fl("_OutlineWidthMode", 0)) {
	case 1:
		t.OutlineMode = OutlineWorld
		t.OutlineWidth = fl("_OutlineWidth", 0) * 0.01 // centimetres
	case 2:
		t.OutlineMode = OutlineScreen
		t.OutlineWidth = fl("_OutlineWidth", 0) * 0.01 * 0.5
	}
	if t.OutlineWidthTex, err = tex("_OutlineWidthTexture"); err != nil {
		return err
	}
	t.OutlineColor = gamma3(vec("_OutlineColor", [4]float32{0, 0, 0, 1}))
	if int(fl("_OutlineColorMode", 0)) == 1 {
		t.OutlineLightMix = fl("_OutlineLightingMix", 1)
	}
	if t.UVAnimMaskTexture, err = tex("_UvAnimMaskTexture"); err != nil {
		return err
	}
	t.UVAnimScrollX = fl("_UvAnimScrollX", 0)
	t.UVAnimScrollY = -fl("_UvAnimScrollY", 0) // V points down in glTF
	t.UVAnimRotation = fl("_UvAnimRotation", 0)
	t.TransparentZWrite = blend == schema.V0BlendTransparentWithZWrite
	m.MToon = t
	return nil
}

func vec3of(v [4]float32) mgl32.Vec3 { return mgl32.Vec3{v[0], v[1], v[2]} }
