package vrm

import (
	"strings"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/kugutsu/kugutsu/internal/mathx"
)

// maxKeyLen bounds names looked up through the index map; longer names are
// matched by a scan.
const maxKeyLen = 64

// lowerKey lower-cases ASCII name into buf; ok is false when it does not fit.
func lowerKey(buf *[maxKeyLen]byte, name string) ([]byte, bool) {
	if len(name) > maxKeyLen {
		return nil, false
	}
	return mathx.AppendLowerASCII(buf[:0], name), true
}

// exprIndexExact finds an expression by name, ignoring case, by scanning.
func (av *Model) exprIndexExact(name string) (int, bool) {
	for i := range av.Expressions {
		if strings.EqualFold(av.Expressions[i].Name, name) {
			return i, true
		}
	}
	return -1, false
}

// ExpressionIndex finds an expression by name, as EVMC4U does (field notes
// §1, §4): the name is matched case-insensitively against expression names
// (VRM 1.0 preset names such as "happy", custom names); failing that, a VRM
// 0.x preset name ("Joy", "A", "Blink_L") finds its VRM 1.0 preset, and a
// VRM 1.0 preset name finds the preset however the model named it. It does
// not allocate (the Model's name table is built on its first use, see
// Model).
func (av *Model) ExpressionIndex(name string) (int, bool) {
	return av.restData().expr.lookup(av, name)
}

// lookupExpression is ExpressionIndex without the index map.
func lookupExpression(av *Model, name string) (int, bool) {
	if i, ok := av.exprIndexExact(name); ok {
		return i, true
	}
	p, ok := ParseVRM0Preset(name)
	if !ok {
		p, ok = ParsePreset(name)
	}
	if ok {
		for i := range av.Expressions {
			if av.Expressions[i].Preset == p {
				return i, true
			}
		}
	}
	return -1, false
}

// exprRest is the expression set-up a Model's Rigs share: the name table
// and what binds touch.
type exprRest struct {
	index   map[string]int // lower-cased name → expression
	bound   []morphSlot    // morph targets some bind drives (reset to 0 each frame)
	presets [presetCount]int32
}

// exprState is a Rig's expression state: input weights, preallocated.
type exprState struct {
	weight  []float32 // input weight per expression, 0–1
	lookSet [4]bool   // lookUp/Down/Left/Right weights set by lookAt this frame
	look    [4]float32
}

type morphSlot struct{ node, index int32 }

func (e *exprState) init(av *Model) {
	e.weight = make([]float32, len(av.Expressions))
}

func (e *exprRest) init(av *Model) {
	e.index = make(map[string]int, 2*len(av.Expressions))
	for i := range e.presets {
		e.presets[i] = -1
	}
	for i := len(av.Expressions) - 1; i >= 0; i-- { // first definition wins
		x := &av.Expressions[i]
		e.index[mathx.LowerASCII(x.Name)] = i
		if x.Preset != PresetCustom && int(x.Preset) < presetCount {
			e.presets[x.Preset] = int32(i)
		}
	}
	seen := map[morphSlot]bool{}
	for i := range av.Expressions {
		for _, b := range av.Expressions[i].MorphBinds {
			s := morphSlot{int32(b.Node), int32(b.Index)}
			if !seen[s] {
				seen[s] = true
				e.bound = append(e.bound, s)
			}
		}
	}
}

func (e *exprRest) lookup(av *Model, name string) (int, bool) {
	var buf [maxKeyLen]byte
	key, ok := lowerKey(&buf, name)
	if !ok {
		return lookupExpression(av, name)
	}
	if i, ok := e.index[string(key)]; ok {
		return i, true
	}
	p, ok := ParseVRM0Preset(name)
	if !ok {
		p, ok = ParsePreset(name)
	}
	if ok && e.presets[p] >= 0 {
		return int(e.presets[p]), true
	}
	return -1, false
}

// outputWeight is an expression's weight after isBinary (three-vrm
// VRMExpression.outputWeight: > 0.5 → 1, else 0).
func outputWeight(x *Expression, w float32) float32 {
	if x.IsBinary {
		if w > 0.5 {
			return 1
		}
		return 0
	}
	return w
}

// evaluate turns the pose's expression weights into morph weights and
// material states (VRMC_vrm-1.0 expressions.md "Expression update
// algorithm"): reset, compute the blink/lookAt/mouth multipliers from every
// expression's overrides, then add each expression's binds at its final
// weight (finalWeight).
func (e *exprState) evaluate(rg *Rig, p *Pose) {
	av, rest := rg.m, &rg.rd.expr
	f := &rg.frame
	for i := range e.weight {
		e.weight[i] = 0
	}
	if p != nil {
		for _, ew := range p.Expressions {
			if i, ok := rest.lookup(av, ew.Name); ok {
				e.weight[i] = mathx.Clamp(ew.Weight, 0, 1)
			}
		}
	}
	lookPresets := [4]Preset{PresetLookUp, PresetLookDown, PresetLookLeft, PresetLookRight}
	for k, lp := range lookPresets {
		if e.lookSet[k] {
			if i := rest.presets[lp]; i >= 0 {
				e.weight[i] = mathx.Clamp(e.look[k], 0, 1)
			}
		}
	}
	// Reset morph weights to the nodes' defaults, bound targets to 0.
	for i := range av.Nodes {
		mw := f.MorphWeights[i]
		if mw == nil {
			continue
		}
		def := av.Nodes[i].Weights
		for k := range mw {
			if k < len(def) {
				mw[k] = def[k]
			} else {
				mw[k] = 0
			}
		}
	}
	for _, s := range rest.bound {
		f.MorphWeights[s.node][s.index] = 0
	}
	for i := range av.Materials {
		f.Materials[i] = baseMaterialState(&av.Materials[i])
	}
	mult := e.multipliers(av)
	for i := range av.Expressions {
		x := &av.Expressions[i]
		w := finalWeight(x, e.weight[i], &mult)
		if w <= 0 {
			continue
		}
		for _, b := range x.MorphBinds {
			f.MorphWeights[b.Node][b.Index] += w * b.Weight
		}
		for _, b := range x.ColorBinds {
			applyColorBind(&f.Materials[b.Material], &av.Materials[b.Material], b, w)
		}
		for _, b := range x.TextureBinds {
			ms := &f.Materials[b.Material]
			ms.BindWeight += w
			ms.BindScale = ms.BindScale.Add(b.Scale.Mul(w))
			ms.BindOffset = ms.BindOffset.Add(b.Offset.Mul(w))
		}
	}
	// Expressions binding one target add up; keep the result a weight.
	for _, s := range rest.bound {
		mw := f.MorphWeights[s.node]
		mw[s.index] = mathx.Clamp(mw[s.index], 0, 1)
	}
}

// multipliers returns the blink, lookAt and mouth weight multipliers
// (indexed by overrideGroup) the current weights' overrides give
// (expressions.md "Procedural override"): 0 when an expression with output
// weight > 0 blocks the group, else 1 − saturate(Σ output weights of the
// expressions blending it). An expression's override of its own group is
// invalid and ignored.
func (e *exprState) multipliers(av *Model) [4]float32 {
	var blend [4]float32
	var blocked [4]bool
	for i := range av.Expressions {
		x := &av.Expressions[i]
		w := outputWeight(x, e.weight[i])
		if w <= 0 {
			continue
		}
		own := x.Preset.group()
		for _, o := range [3]struct {
			g overrideGroup
			o Override
		}{{groupBlink, x.OverrideBlink}, {groupLookAt, x.OverrideLookAt}, {groupMouth, x.OverrideMouth}} {
			if o.g == own {
				continue
			}
			switch o.o {
			case OverrideBlock:
				blocked[o.g] = true
			case OverrideBlend:
				blend[o.g] += w
			}
		}
	}
	var mult [4]float32
	for g := groupBlink; g <= groupMouth; g++ {
		if !blocked[g] {
			mult[g] = 1 - mathx.Clamp(blend[g], 0, 1)
		}
	}
	return mult
}

// finalWeight is an expression's weight after isBinary and overrides: an
// isBinary expression that is overridden at all is suppressed entirely
// (expressions.md "Interaction between override and isBinary").
func finalWeight(x *Expression, in float32, mult *[4]float32) float32 {
	w := outputWeight(x, in)
	if g := x.Preset.group(); g != groupNone {
		if x.IsBinary && mult[g] < 1 {
			return 0
		}
		w *= mult[g]
	}
	return w
}

// baseMaterialState is a material's state with no expression applied.
func baseMaterialState(m *Material) MaterialState {
	s := MaterialState{BaseColor: m.BaseColor, Emissive: m.Emissive}
	if t := m.MToon; t != nil {
		s.ShadeColor, s.RimColor, s.MatcapColor, s.OutlineColor = t.ShadeColor, t.RimColor, t.MatcapColor, t.OutlineColor
	}
	return s
}

// applyColorBind moves one colour toward the bind's target by w (three-vrm
// VRMExpressionMaterialColorBind: value += (target − initial) · w).
func applyColorBind(s *MaterialState, m *Material, b ColorBind, w float32) {
	base := baseMaterialState(m)
	add3 := func(dst *mgl32.Vec3, init mgl32.Vec3) {
		*dst = dst.Add(b.Target.Vec3().Sub(init).Mul(w))
	}
	switch b.Type {
	case ColorBase:
		s.BaseColor = s.BaseColor.Add(b.Target.Sub(base.BaseColor).Mul(w))
	case ColorEmission:
		add3(&s.Emissive, base.Emissive)
	case ColorShade:
		add3(&s.ShadeColor, base.ShadeColor)
	case ColorMatcap:
		add3(&s.MatcapColor, base.MatcapColor)
	case ColorRim:
		add3(&s.RimColor, base.RimColor)
	case ColorOutline:
		add3(&s.OutlineColor, base.OutlineColor)
	}
}

// ExpressionWeights returns the weights the Rig's last Pose or Update gave
// each expression (indexed like Model.Expressions) after isBinary and
// overrides, for display; nil before the first Pose. It does not allocate
// when dst has room.
func (rg *Rig) ExpressionWeights(dst []float32) []float32 {
	if !rg.posed {
		return nil
	}
	av, e := rg.m, &rg.expr
	mult := e.multipliers(av)
	dst = dst[:0]
	for i := range av.Expressions {
		dst = append(dst, finalWeight(&av.Expressions[i], e.weight[i], &mult))
	}
	return dst
}
