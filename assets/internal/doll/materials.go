package doll

import (
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
)

// srgbToLinear converts one sRGB component (0–1) to linear light.
func srgbToLinear(c float64) float64 {
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

func (c rgb) linear() mgl32.Vec3 {
	return mgl32.Vec3{float32(srgbToLinear(c[0])), float32(srgbToLinear(c[1])), float32(srgbToLinear(c[2]))}
}

func texRef(t int) vrm.TextureRef {
	return vrm.TextureRef{Texture: t, Scale: mgl32.Vec2{1, 1}}
}

var noTex = vrm.TextureRef{Texture: -1, Scale: mgl32.Vec2{1, 1}}

// toon returns an MToon material over texture tex: a two-tone toon ramp
// whose shade multiplies the texture by shade (sRGB), a warm rim, and an
// outline of outline metres (0 for none) in outlineColour.
func toon(name string, tex int, shade rgb, outline float32, outlineColour rgb) vrm.Material {
	mode := vrm.OutlineWorld
	if outline == 0 {
		mode = vrm.OutlineNone
	}
	return vrm.Material{
		Name:             name,
		BaseColor:        mgl32.Vec4{1, 1, 1, 1},
		BaseColorTexture: texRef(tex),
		AlphaMode:        vrm.AlphaOpaque,
		AlphaCutoff:      0.5,
		EmissiveTexture:  noTex,
		NormalTexture:    noTex,
		// The glTF fallback for viewers without MToon: a rough dielectric.
		Roughness:                1,
		MetallicRoughnessTexture: noTex,
		OcclusionTexture:         noTex,
		OcclusionStrength:        1,
		MToon: &vrm.MToon{
			ShadeColor:        shade.linear(),
			ShadeTexture:      texRef(tex),
			ShadingShift:      -0.05,
			ShadingShiftTex:   noTex,
			ShadingToony:      0.92,
			GIEqualization:    0.9,
			RimColor:          rgb{0.16, 0.12, 0.1}.linear(),
			RimFresnelPower:   4,
			RimLift:           0,
			RimLightingMix:    1,
			RimTexture:        noTex,
			MatcapTexture:     noTex,
			OutlineMode:       mode,
			OutlineWidth:      outline,
			OutlineWidthTex:   noTex,
			OutlineColor:      outlineColour.linear(),
			OutlineLightMix:   1,
			UVAnimMaskTexture: noTex,
		},
	}
}

// materials returns the doll's five materials, indexed by the mat*
// constants. Each is MToon with a plain base-colour texture as the glTF
// fallback for viewers without MToon.
func materials() []vrm.Material {
	m := make([]vrm.Material, materialCount)
	m[matWood] = toon("Wood", TexWood, hex(0xc9a89a), 0.0016, hex(0x3b2418))
	m[matKimono] = toon("Kimono", TexKimono, hex(0xb8a0b4), 0.0016, hex(0x2a1416))
	m[matFace] = toon("Face", TexFace, hex(0xe6c8c0), 0.0012, hex(0x4a2c22))
	m[matFaceParts] = toon("FaceParts", TexFace, hex(0xd8c8c8), 0, rgb{})
	m[matFaceParts].DoubleSided = true
	m[matHair] = toon("Hair", TexHair, hex(0x8a86a8), 0.0014, hex(0x0c0b12))
	return m
}
