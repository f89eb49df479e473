package vrm

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

// loadConstraints reads the VRMC_node_constraint extension of every node
// (VRMC_node_constraint-1.0 README), in VRM 1.0 and VRM 0.x files alike, as
// three-vrm does. Tolerant as three-vrm's VRMNodeConstraintLoaderPlugin where
// it loads a file, stricter where it would break: a specVersion other than
// "1.0" or "1.0-beta", a missing or out-of-range source, a source equal to
// the node, an unknown axis name or JSON that does not parse drops that
// constraint with a warning; a missing (required) rollAxis or aimAxis takes
// three-vrm's default "X" / "PositiveX"; a weight outside 0–1 is clamped.
// When a node has more than one of roll, aim and rotation, roll wins, then
// aim. Constraints that form a circular dependency (see constraintPlan) are
// dropped with a warning naming their nodes, where three-vrm would throw on
// every update. Files that use the extension without listing it in
// extensionsUsed are read too, with a warning (three-vrm ignores their
// constraints).
func (l *loader) loadConstraints() {
	av := l.av
	declared := slices.Contains(l.doc.ExtensionsUsed, schema.ExtNodeConstraint)
	warnedUndeclared := false
	for i, gn := range l.doc.Nodes {
		if gn == nil {
			continue
		}
		raw, ok := extJSON(gn.Extensions, schema.ExtNodeConstraint)
		if !ok {
			continue
		}
		if !declared && !warnedUndeclared {
			l.warnf("%s is used but not listed in extensionsUsed; read anyway", schema.ExtNodeConstraint)
			warnedUndeclared = true
		}
		if c, ok := l.constraint(i, raw); ok {
			av.Constraints = append(av.Constraints, c)
		}
	}
	if len(av.Constraints) == 0 {
		av.Constraints = nil
		return
	}
	order, _, _ := av.preorder()
	_, cyclic := constraintPlan(av, order)
	if len(cyclic) == 0 {
		return
	}
	drop := make(map[int]bool, len(cyclic))
	names := make([]string, 0, min(len(cyclic), 8))
	for _, k := range cyclic {
		drop[int(k)] = true
		if len(names) < cap(names) {
			names = append(names, "node "+itoa(av.Constraints[k].Node))
		}
	}
	more := ""
	if len(cyclic) > len(names) {
		more = sprintf(" and %d more", len(cyclic)-len(names))
	}
	l.warnf("%s: the constraints on %s%s depend on each other in a circle (a source at or below its own node, or a loop of sources); ignored",
		schema.ExtNodeConstraint, strings.Join(names, ", "), more)
	kept := av.Constraints[:0]
	for k, c := range av.Constraints {
		if !drop[k] {
			kept = append(kept, c)
		}
	}
	av.Constraints = kept
}

// constraint decodes node i's extension; ok is false (with a warning) when
// it is dropped.
func (l *loader) constraint(i int, raw json.RawMessage) (c NodeConstraint, ok bool) {
	el := "node " + itoa(i) + " " + schema.ExtNodeConstraint
	var x schema.V1NodeConstraint
	if err := json.Unmarshal(raw, &x); err != nil {
		l.warnf("%s: %v; ignored", el, err)
		return c, false
	}
	if x.SpecVersion != "1.0" && x.SpecVersion != "1.0-beta" {
		l.warnf("%s: specVersion %q, want 1.0; ignored", el, x.SpecVersion)
		return c, false
	}
	if x.Constraint == nil {
		l.warnf("%s: no constraint; ignored", el)
		return c, false
	}
	c = NodeConstraint{Node: i, Weight: 1}
	var source *int
	var weight *float32
	switch k := x.Constraint; {
	case k.Roll != nil:
		el += ".constraint.roll"
		c.Type, source, weight = ConstraintRoll, k.Roll.Source, k.Roll.Weight
		switch k.Roll.RollAxis {
		case "X", "":
			c.Axis = AxisPositiveX
		case "Y":
			c.Axis = AxisPositiveY
		case "Z":
			c.Axis = AxisPositiveZ
		default:
			l.warnf("%s: rollAxis %q is not X, Y or Z; ignored", el, k.Roll.RollAxis)
			return c, false
		}
		if k.Roll.RollAxis == "" {
			l.warnf("%s: no rollAxis; using X", el)
		}
	case k.Aim != nil:
		el += ".constraint.aim"
		c.Type, source, weight = ConstraintAim, k.Aim.Source, k.Aim.Weight
		a := slices.Index(axisNames[:], k.Aim.AimAxis)
		switch {
		case k.Aim.AimAxis == "":
			l.warnf("%s: no aimAxis; using PositiveX", el)
			a = int(AxisPositiveX)
		case a < 0:
			l.warnf("%s: aimAxis %q is not one of %s; ignored", el, k.Aim.AimAxis, strings.Join(axisNames[:], ", "))
			return c, false
		}
		c.Axis = Axis(a)
		if l.vrm0 {
			c.Axis = c.Axis.turned()
		}
	case k.Rotation != nil:
		el += ".constraint.rotation"
		c.Type, source, weight = ConstraintRotation, k.Rotation.Source, k.Rotation.Weight
	default:
		l.warnf("%s: constraint has none of roll, aim, rotation; ignored", el)
		return c, false
	}
	switch {
	case source == nil:
		l.warnf("%s: no source; ignored", el)
		return c, false
	case *source < 0 || *source >= len(l.av.Nodes):
		l.warnf("%s: source node %d does not exist; ignored", el, *source)
		return c, false
	case *source == i:
		l.warnf("%s: the source is the node itself; ignored", el)
		return c, false
	}
	c.Source = *source
	if weight != nil {
		w := *weight
		if !finite32(w) {
			l.warnf("%s: weight is not finite; ignored", el)
			return c, false
		}
		if w < 0 || w > 1 {
			l.warnf("%s: weight %g outside 0–1; clamped", el, w)
			w = mathx.Clamp(w, 0, 1)
		}
		c.Weight = w
	}
	return c, true
}
