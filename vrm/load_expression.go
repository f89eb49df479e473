package vrm

import (
	"slices"
	"strings"

	"github.com/go-gl/mathgl/mgl32"
)

func parseOverride(s string) (Override, bool) {
	switch s {
	case "", "none":
		return OverrideNone, true
	case "block":
		return OverrideBlock, true
	case "blend":
		return OverrideBlend, true
	}
	return OverrideNone, false
}

var colorBindTypes = map[string]ColorBindType{
	"color":         ColorBase,
	"emissionColor": ColorEmission,
	"shadeColor":    ColorShade,
	"matcapColor":   ColorMatcap,
	"rimColor":      ColorRim,
	"outlineColor":  ColorOutline,
}

// loadExpressions1 reads VRMC_vrm.expressions: presets in preset order, then
// custom expressions sorted by name. Binds naming missing nodes, morph
// targets or materials are dropped with a warning.
func (l *loader) loadExpressions1(x *v1Expressions) error {
	if x == nil {
		return nil
	}
	presetKeys := make([]string, 0, len(x.Preset))
	for name := range x.Preset {
		presetKeys = append(presetKeys, name)
	}
	slices.Sort(presetKeys)
	var byPreset [presetCount]string
	for _, name := range presetKeys {
		p, ok := ParsePreset(name)
		switch {
		case !ok:
			l.warnf("VRMC_vrm.expressions.preset: unknown preset %q ignored", name)
		case byPreset[p] != "":
			l.warnf("VRMC_vrm.expressions.preset: %q repeats %q; ignored", name, byPreset[p])
		default:
			byPreset[p] = name
		}
	}
	for p := PresetHappy; int(p) < presetCount; p++ {
		if byPreset[p] == "" {
			continue
		}
		e := x.Preset[byPreset[p]]
		l.addExpression1("VRMC_vrm.expressions.preset."+byPreset[p], p.String(), p, &e)
	}
	customs := make([]string, 0, len(x.Custom))
	for name := range x.Custom {
		customs = append(customs, name)
	}
	slices.Sort(customs)
	for _, name := range customs {
		if _, ok := l.av.exprIndexExact(name); ok {
			l.warnf("VRMC_vrm.expressions.custom.%s: name already used; ignored", name)
			continue
		}
		e := x.Custom[name]
		l.addExpression1("VRMC_vrm.expressions.custom."+name, name, PresetCustom, &e)
	}
	return nil
}

func (l *loader) addExpression1(el, name string, p Preset, e *v1Expression) {
	av := l.av
	x := Expression{Name: name, Preset: p, IsBinary: e.IsBinary}
	var ok bool
	for _, o := range []struct {
		s   string
		dst *Override
		key string
	}{{e.OverrideBlink, &x.OverrideBlink, "overrideBlink"}, {e.OverrideLookAt, &x.OverrideLookAt, "overrideLookAt"}, {e.OverrideMouth, &x.OverrideMouth, "overrideMouth"}} {
		if *o.dst, ok = parseOverride(o.s); !ok {
			l.warnf("%s.%s: %q unknown; using none", el, o.key, o.s)
		}
	}
	for i, b := range e.MorphTargetBinds {
		if !l.validMorph(sprintf("%s.morphTargetBinds[%d]", el, i), b.Node, b.Index) {
			continue
		}
		x.MorphBinds = append(x.MorphBinds, MorphBind{Node: b.Node, Index: b.Index, Weight: clamp32(b.Weight, 0, 1)})
	}
	for i, b := range e.MaterialColorBinds {
		bel := sprintf("%s.materialColorBinds[%d]", el, i)
		if b.Material < 0 || b.Material >= len(av.Materials) {
			l.warnf("%s: material %d does not exist; ignored", bel, b.Material)
			continue
		}
		t, ok := colorBindTypes[b.Type]
		if !ok {
			l.warnf("%s: type %q unknown; ignored", bel, b.Type)
			continue
		}
		x.ColorBinds = append(x.ColorBinds, ColorBind{Material: b.Material, Type: t, Target: mgl32.Vec4(b.TargetValue)})
	}
	for i, b := range e.TextureTransformBinds {
		bel := sprintf("%s.textureTransformBinds[%d]", el, i)
		if b.Material < 0 || b.Material >= len(av.Materials) {
			l.warnf("%s: material %d does not exist; ignored", bel, b.Material)
			continue
		}
		tb := TextureTransformBind{Material: b.Material, Scale: mgl32.Vec2{1, 1}}
		if b.Scale != nil {
			tb.Scale = mgl32.Vec2(*b.Scale)
		}
		if b.Offset != nil {
			tb.Offset = mgl32.Vec2(*b.Offset)
		}
		x.TextureBinds = append(x.TextureBinds, tb)
	}
	av.Expressions = append(av.Expressions, x)
}

// validMorph checks a morph bind's node and target, warning when invalid.
func (l *loader) validMorph(el string, node, index int) bool {
	av := l.av
	if node < 0 || node >= len(av.Nodes) || av.Nodes[node].Mesh < 0 {
		l.warnf("%s: node %d has no mesh; ignored", el, node)
		return false
	}
	if n := len(av.Meshes[av.Nodes[node].Mesh].TargetNames); index < 0 || index >= n {
		l.warnf("%s: morph target %d does not exist (node %d has %d); ignored", el, index, node, n)
		return false
	}
	return true
}

// loadExpressions0 reads VRM.blendShapeMaster.blendShapeGroups: presets are
// mapped to VRM 1.0 presets (field notes §4), others become custom
// expressions named after the group; mesh binds expand to every node using
// the mesh; weights 0–100 become 0–1; materialValues _Color, _ShadeColor,
// _EmissionColor, _RimColor, _OutlineColor become colour binds (gamma →
// linear but emission) and _MainTex_ST texture-transform binds (V flipped).
func (l *loader) loadExpressions0(bs *v0BlendShapes) error {
	if bs == nil {
		return nil
	}
	av := l.av
	for gi, g := range bs.BlendShapeGroups {
		el := "VRM.blendShapeMaster.blendShapeGroups[" + itoa(gi) + "]"
		x := Expression{Name: g.Name, IsBinary: g.IsBinary}
		if p, ok := ParseVRM0Preset(g.PresetName); ok {
			x.Preset, x.Name = p, p.String()
		} else if !strings.EqualFold(g.PresetName, "unknown") && g.PresetName != "" {
			l.warnf("%s: presetName %q unknown; kept as custom %q", el, g.PresetName, g.Name)
		}
		if x.Name == "" {
			l.warnf("%s: no name; ignored", el)
			continue
		}
		if _, dup := av.exprIndexExact(x.Name); dup {
			l.warnf("%s: %q defined twice; keeping the first", el, x.Name)
			continue
		}
		for bi, b := range g.Binds {
			bel := sprintf("%s.binds[%d]", el, bi)
			found := false
			for ni, n := range av.Nodes {
				if n.Mesh == b.Mesh && b.Mesh >= 0 {
					found = true
					if l.validMorph(bel, ni, b.Index) {
						x.MorphBinds = append(x.MorphBinds, MorphBind{Node: ni, Index: b.Index, Weight: clamp32(b.Weight/100, 0, 1)})
					}
				}
			}
			if !found {
				l.warnf("%s: no node uses mesh %d; ignored", bel, b.Mesh)
			}
		}
		for vi, mv := range g.MaterialValues {
			vel := sprintf("%s.materialValues[%d]", el, vi)
			mat := -1
			for mi := range av.Materials {
				if av.Materials[mi].Name == mv.MaterialName {
					mat = mi
					break
				}
			}
			if mat < 0 {
				l.warnf("%s: material %q not found; ignored", vel, mv.MaterialName)
				continue
			}
			v := mv.TargetValue
			if len(v) < 4 {
				l.warnf("%s: targetValue has %d values, want 4; ignored", vel, len(v))
				continue
			}
			gamma := mgl32.Vec4{srgbToLinear(v[0]), srgbToLinear(v[1]), srgbToLinear(v[2]), v[3]}
			switch mv.PropertyName {
			case "_Color":
				x.ColorBinds = append(x.ColorBinds, ColorBind{Material: mat, Type: ColorBase, Target: gamma})
			case "_ShadeColor":
				x.ColorBinds = append(x.ColorBinds, ColorBind{Material: mat, Type: ColorShade, Target: gamma})
			case "_RimColor":
				x.ColorBinds = append(x.ColorBinds, ColorBind{Material: mat, Type: ColorRim, Target: gamma})
			case "_OutlineColor":
				x.ColorBinds = append(x.ColorBinds, ColorBind{Material: mat, Type: ColorOutline, Target: gamma})
			case "_EmissionColor":
				x.ColorBinds = append(x.ColorBinds, ColorBind{Material: mat, Type: ColorEmission, Target: mgl32.Vec4{v[0], v[1], v[2], v[3]}})
			case "_MainTex_ST":
				// Unity ST is (scale x, scale y, offset x, offset y) with a
				// bottom-left origin.
				x.TextureBinds = append(x.TextureBinds, TextureTransformBind{
					Material: mat,
					Scale:    mgl32.Vec2{v[0], v[1]},
					Offset:   mgl32.Vec2{v[2], 1 - v[1] - v[3]},
				})
			default:
				l.warnf("%s: property %q not supported; ignored", vel, mv.PropertyName)
			}
		}
		// 0.x has no overrides; UniVRM's migration leaves them none.
		av.Expressions = append(av.Expressions, x)
	}
	return nil
}
