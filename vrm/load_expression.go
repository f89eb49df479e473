package vrm

import (
	"slices"
	"strings"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
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
func (l *loader) loadExpressions1(x *schema.V1Expressions) error {
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
		if err := l.addExpression1("VRMC_vrm.expressions.preset."+byPreset[p], p.String(), p, &e); err != nil {
			return err
		}
	}
	customs := make([]string, 0, len(x.Custom))
	for name := range x.Custom {
		customs = append(customs, name)
	}
	slices.Sort(customs)
	for _, name := range customs {
		if err := l.check(); err != nil {
			return err
		}
		if l.exprNames[foldName(name)] {
			l.warnf("VRMC_vrm.expressions.custom.%s: name already used; ignored", name)
			continue
		}
		e := x.Custom[name]
		if err := l.addExpression1("VRMC_vrm.expressions.custom."+name, name, PresetCustom, &e); err != nil {
			return err
		}
	}
	return nil
}

// meshNodes returns the nodes using each mesh (VRM 0.x binds and
// annotations name meshes and apply to every node using them), built once.
func (l *loader) meshNodes() map[int][]int {
	if l.byMesh == nil {
		l.byMesh = make(map[int][]int)
		for ni, n := range l.av.Nodes {
			if n.Mesh >= 0 {
				l.byMesh[n.Mesh] = append(l.byMesh[n.Mesh], ni)
			}
		}
	}
	return l.byMesh
}

// foldName is the key under which loaders index expression names:
// Model.ExpressionIndex matches names case-insensitively.
func foldName(s string) string { return strings.ToLower(s) }

// addedExpression records an expression's name and checks the morph binds
// of all expressions together against Limits.MaxElements.
func (l *loader) addedExpression(x *Expression) error {
	if l.exprNames == nil {
		l.exprNames = map[string]bool{}
	}
	l.exprNames[foldName(x.Name)] = true
	l.morphBinds += len(x.MorphBinds)
	if l.morphBinds > l.limits.MaxElements {
		return limitf("expressions", "more than %d morph binds in all expressions", l.limits.MaxElements)
	}
	l.av.Expressions = append(l.av.Expressions, *x)
	return nil
}

func (l *loader) addExpression1(el, name string, p Preset, e *schema.V1Expression) error {
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
	if len(e.MorphTargetBinds) > l.limits.MaxElements {
		return limitf(el, "%d morph target binds, over the limit of %d", len(e.MorphTargetBinds), l.limits.MaxElements)
	}
	for i, b := range e.MorphTargetBinds {
		if why := l.invalidMorph(b.Node, b.Index); why != "" {
			l.warnf("%s.morphTargetBinds[%d]: %s; ignored", el, i, why)
			continue
		}
		x.MorphBinds = append(x.MorphBinds, MorphBind{Node: b.Node, Index: b.Index, Weight: mathx.Clamp(b.Weight, 0, 1)})
	}
	for i, b := range e.MaterialColorBinds {
		if b.Material < 0 || b.Material >= len(av.Materials) {
			l.warnf("%s.materialColorBinds[%d]: material %d does not exist; ignored", el, i, b.Material)
			continue
		}
		t, ok := colorBindTypes[b.Type]
		if !ok {
			l.warnf("%s.materialColorBinds[%d]: type %q unknown; ignored", el, i, b.Type)
			continue
		}
		x.ColorBinds = append(x.ColorBinds, ColorBind{Material: b.Material, Type: t, Target: mgl32.Vec4(b.TargetValue)})
	}
	for i, b := range e.TextureTransformBinds {
		if b.Material < 0 || b.Material >= len(av.Materials) {
			l.warnf("%s.textureTransformBinds[%d]: material %d does not exist; ignored", el, i, b.Material)
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
	return l.addedExpression(&x)
}

// invalidMorph says what is wrong with a morph bind's node and target, or
// "" when both exist.
func (l *loader) invalidMorph(node, index int) string {
	av := l.av
	if node < 0 || node >= len(av.Nodes) || av.Nodes[node].Mesh < 0 {
		return sprintf("node %d has no mesh", node)
	}
	if n := len(av.Meshes[av.Nodes[node].Mesh].TargetNames); index < 0 || index >= n {
		return sprintf("morph target %d does not exist (node %d has %d)", index, node, n)
	}
	return ""
}

// loadExpressions0 reads VRM.blendShapeMaster.blendShapeGroups: presets are
// mapped to VRM 1.0 presets (field notes §4), others become custom
// expressions named after the group; mesh binds expand to every node using
// the mesh; weights 0–100 become 0–1; materialValues _Color, _ShadeColor,
// _EmissionColor, _RimColor, _OutlineColor become colour binds (gamma →
// linear but emission) and _MainTex_ST texture-transform binds (V flipped).
func (l *loader) loadExpressions0(bs *schema.V0BlendShapes) error {
	if bs == nil {
		return nil
	}
	av := l.av
	// The nodes using each mesh, and the materials by name (first wins),
	// so that binds are resolved in constant time.
	meshNodes := l.meshNodes()
	materials := make(map[string]int, len(av.Materials))
	for mi := len(av.Materials) - 1; mi >= 0; mi-- {
		materials[av.Materials[mi].Name] = mi
	}
	for gi, g := range bs.BlendShapeGroups {
		if err := l.check(); err != nil {
			return err
		}
		el := func() string { return "VRM.blendShapeMaster.blendShapeGroups[" + itoa(gi) + "]" }
		x := Expression{Name: g.Name, IsBinary: g.IsBinary}
		if p, ok := ParseVRM0Preset(g.PresetName); ok {
			x.Preset, x.Name = p, p.String()
		} else if !strings.EqualFold(g.PresetName, "unknown") && g.PresetName != "" {
			l.warnf("%s: presetName %q unknown; kept as custom %q", el(), g.PresetName, g.Name)
		}
		if x.Name == "" {
			l.warnf("%s: no name; ignored", el())
			continue
		}
		if l.exprNames[foldName(x.Name)] {
			l.warnf("%s: %q defined twice; keeping the first", el(), x.Name)
			continue
		}
		for bi, b := range g.Binds {
			nodes := meshNodes[b.Mesh]
			if len(nodes) == 0 {
				l.warnf("%s.binds[%d]: no node uses mesh %d; ignored", el(), bi, b.Mesh)
				continue
			}
			// A mesh bind applies to every node using the mesh.
			if l.morphBinds+len(x.MorphBinds)+len(nodes) > l.limits.MaxElements {
				return limitf(el(), "binds[%d]: more than %d morph binds in all expressions (mesh %d is used by %d nodes)", bi, l.limits.MaxElements, b.Mesh, len(nodes))
			}
			for _, ni := range nodes {
				if why := l.invalidMorph(ni, b.Index); why != "" {
					l.warnf("%s.binds[%d]: %s; ignored", el(), bi, why)
					continue
				}
				x.MorphBinds = append(x.MorphBinds, MorphBind{Node: ni, Index: b.Index, Weight: mathx.Clamp(b.Weight/100, 0, 1)})
			}
		}
		for vi, mv := range g.MaterialValues {
			vel := func() string { return el() + ".materialValues[" + itoa(vi) + "]" }
			mat, ok := materials[mv.MaterialName]
			if !ok {
				l.warnf("%s: material %q not found; ignored", vel(), mv.MaterialName)
				continue
			}
			v := mv.TargetValue
			if len(v) < 4 {
				l.warnf("%s: targetValue has %d values, want 4; ignored", vel(), len(v))
				continue
			}
			gamma := mgl32.Vec4{mathx.SRGBToLinear(v[0]), mathx.SRGBToLinear(v[1]), mathx.SRGBToLinear(v[2]), v[3]}
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
				l.warnf("%s: property %q not supported; ignored", vel(), mv.PropertyName)
			}
		}
		// 0.x has no overrides; UniVRM's migration leaves them none.
		if err := l.addedExpression(&x); err != nil {
			return err
		}
	}
	return nil
}
