package doll

import (
	"cmp"
	"math"
	"slices"

	"github.com/go-gl/mathgl/mgl64"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Material indices (see materials.go).
const (
	matWood      = iota // limbs, neck, hands: natural wood grain
	matKimono           // torso bodice, obi, cords, shoes: lacquer and swatches
	matFace             // head skin and eyelids: face atlas, outlined
	matFaceParts        // eyes, brows, mouth, tongue: face atlas, no outline
	matHair             // black lacquer hair
	materialCount
)

// Texture scales: wood grain repeats every half metre along a limb.
const woodV = 2.0

// ramp is a smooth hand-over from one joint to the next along an axis:
// below at−half the weight is all on "from", above at+half all on "to".
type ramp struct {
	at, half float64
	to       int
}

// chainWeights returns a weightFunc for a limb lathed along f: the weight
// starts on first and is handed over at each ramp in turn (ramps sorted by
// position, not overlapping) with Perlin's smootherstep, so at most two
// joints share a vertex and the weights are C² along the axis.
func chainWeights(f frame, first int, ramps ...ramp) weightFunc {
	return func(p mgl64.Vec3) []influence {
		d := f.axial(p)
		cur := first
		for _, r := range ramps {
			w := smootherstep(r.at-r.half, r.at+r.half, d)
			if w <= 0 {
				break
			}
			if w < 1 {
				return []influence{{cur, 1 - w}, {r.to, w}}
			}
			cur = r.to
		}
		return []influence{{cur, 1}}
	}
}

// stackedWeights returns a weightFunc for a chain whose hand-overs may
// overlap (the torso's spine joints are closer together than its width):
// ramp i's smootherstep s_i is the share of its joint and every joint
// after it, so joint i's own weight is s_i − s_(i+1). A rotation at joint k
// then moves a vertex by exactly s_k, one smooth ramp of width 2·half_k
// however the ramps overlap. Ramps must start and end in order, so that
// s_i ≥ s_(i+1) everywhere.
func stackedWeights(f frame, first int, ramps ...ramp) weightFunc {
	return func(p mgl64.Vec3) []influence {
		d := f.axial(p)
		out := make([]influence, 0, len(ramps)+1)
		prevJoint, prevShare := first, 1.0
		for _, r := range ramps {
			s := smootherstep(r.at-r.half, r.at+r.half, d)
			out = append(out, influence{prevJoint, prevShare - s})
			prevJoint, prevShare = r.to, s
		}
		return append(out, influence{prevJoint, prevShare})
	}
}

// limbJoint is a ball joint of a limb (left-side bone names).
type limbJoint struct {
	bone       humanoid.Bone
	radius     float64
	blendWidth float64
}

// limb describes a lathed limb: knots along the axis from its root joint.
type limb struct {
	knots  []knot
	rows   int // profile samples
	around int // segments around
}

var (
	// Limbs are ball-jointed: each segment narrows to a thin pin through the
	// joint's pivot, where the weights hand over, and a rigid ball centred
	// on the pivot hides the pin. A sphere turned about its centre is still
	// itself, so the joint looks the same at any angle; the smooth hand-over
	// happens on the thin pin, where linear blend skinning can turn 120°
	// without folding (a tube of radius ρ blended over ±h folds once
	// ρ > 0.5·h at 120°).
	armLimb = limb{rows: 42, around: 16, knots: []knot{
		{0, 0.037, 1}, {0.050, 0.0305, 0.95}, {0.100, 0.031, 0.92}, {0.150, 0.0235, 0.95},
		{0.240, 0.0228, 0.95}, {0.262, 0.0255, 0.88}, {0.330, 0.0185, 0.9}, {0.350, 0.0140, 1},
	}}
	legLimb = limb{rows: 42, around: 18, knots: []knot{
		{0, 0.054, 1}, {0.060, 0.050, 1}, {0.150, 0.041, 1}, {0.185, 0.031, 1},
		{0.274, 0.031, 1}, {0.305, 0.037, 1}, {0.420, 0.0245, 1}, {0.446, 0.0160, 1},
	}}
	// armJoints and legJoints list each limb's balls: the bone whose pivot
	// they sit on, the ball radius and the blend half-width (inside the
	// ball).
	armJoints = []limbJoint{{humanoid.LeftLowerArm, 0.0290, 0.025}, {humanoid.LeftHand, 0.0205, 0.0165}}
	legJoints = []limbJoint{{humanoid.LeftLowerLeg, 0.0400, 0.034}, {humanoid.LeftFoot, 0.0275, 0.0225}}
	// The skirt: a lacquered bell from under the obi to mid-thigh, closed
	// underneath (the legs come out through its base, as on a kokeshi).
	skirtKnots = []knot{
		{0.500, 0.0, 1.38}, {0.503, 0.060, 1.38}, {0.512, 0.098, 1.38}, {0.530, 0.105, 1.38},
		{0.600, 0.101, 1.40}, {0.720, 0.088, 1.42}, {0.805, 0.068, 1.40},
	}
	// Puff sleeves over the shoulder balls, along the arm from its pivot.
	sleeveKnots = []knot{
		{-0.020, 0.047, 1}, {0.028, 0.053, 0.95}, {0.072, 0.047, 0.95}, {0.090, 0.037, 1}, {0.096, 0.0, 1},
	}
	torsoKnots = []knot{ // d = height above the ground; r = half depth (z), aspect = width/depth
		{0.650, 0.068, 1.55}, {0.700, 0.082, 1.45}, {0.800, 0.066, 1.38}, {0.900, 0.078, 1.40},
		{0.972, 0.075, 1.58}, {1.018, 0.050, 1.72}, {1.045, 0.030, 1.10},
	}
	// The neck is a peg (as a kokeshi's head sits on one): thin through the
	// neck pivot inside the collar and through the head pivot inside the
	// head, full only where it shows.
	neckKnots = []knot{{0.995, 0.0080, 1}, {1.030, 0.0080, 1}, {1.058, 0.0215, 1}, {1.075, 0.0225, 1}, {1.098, 0.0085, 1}, {1.125, 0.0080, 1}}
)

// buildBody adds the body mesh: torso, neck, arms, hands, legs, feet.
func (b *builder) buildBody() vrm.Mesh {
	r := b.rig
	var prims []vrm.Primitive

	// Torso and skirt: lacquer lathed around the spine. The kimono texture's
	// u starts at the back, so the collar crossing sits at u = 0.5 (the
	// front); v follows the height (kimonoV).
	{
		f := frame{origin: v3(0, 0, 0), axis: v3(0, 1, 0), e1: v3(0, 0, -1), e2: v3(-1, 0, 0)}
		var m part
		m.lathe(f, sampleProfile(torsoKnots, 34, true, true), 36, 0, 1)
		m.skin(b.torsoWeights)
		var sk part
		sk.lathe(f, sampleProfile(skirtKnots, 18, false, true), 36, 0, 1)
		m.append(sk.skin(b.skirtWeights))
		for i, p := range m.pos {
			m.uv[i][1] = kimonoV(p[1])
		}
		// The sleeves take the sleeve panel of the texture.
		for _, side := range []float64{1, -1} {
			a := v3(side*0.115, 1.0, 0)
			bone := humanoid.LeftUpperArm
			if side < 0 {
				bone = humanoid.RightUpperArm
			}
			sf := newFrame(a, a.Add(v3(side, 0, 0)), v3(0, 0, -side))
			var sl part
			sl.lathe(sf, sampleProfile(sleeveKnots, 14, true, false), 22, 0, 1)
			for i, p := range sl.pos {
				sl.uv[i] = rectUV(sleeveRect, sl.uv[i][0], clamp((sf.axial(p)+0.07)/0.166, 0, 1), 1)
			}
			m.append(sl.skin(rigid(r.j(bone))))
		}
		prims = append(prims, m.primitive(matKimono))
	}

	var wood part

	// Neck.
	{
		f := frame{origin: v3(0, 0, 0), axis: v3(0, 1, 0), e1: v3(0, 0, 1), e2: v3(1, 0, 0)}
		var m part
		m.lathe(f, sampleProfile(neckKnots, 14, true, true), 16, 0, woodV)
		wood.append(m.skin(chainWeights(f, r.j(humanoid.UpperChest),
			ramp{at: r.pos(humanoid.Neck)[1], half: 0.022, to: r.j(humanoid.Neck)},
			ramp{at: r.pos(humanoid.Head)[1] + 0.012, half: 0.018, to: r.j(humanoid.Head)})))
	}

	var shoes part
	for _, side := range []int8{-1, 1} {
		bone := func(left humanoid.Bone) humanoid.Bone {
			if side == 1 {
				return left.Mirror()
			}
			return left
		}
		sx := 1.0
		if side == 1 {
			sx = -1 // the right side is on −X
		}

		// Arm: shoulder ball, upper arm, elbow ball, forearm, wrist ball.
		{
			a := r.pos(bone(humanoid.LeftUpperArm))
			f := newFrame(a, a.Add(v3(sx, 0, 0)), v3(0, 0, 1))
			wood.append(b.limb(f, armLimb, bone(humanoid.LeftUpperArm), armJoints, bone))
		}
		// Leg: hip ball, thigh, knee ball, shin, ankle ball.
		{
			a := r.pos(bone(humanoid.LeftUpperLeg))
			f := newFrame(a, a.Add(v3(0, -1, 0)), v3(0, 0, 1))
			wood.append(b.limb(f, legLimb, bone(humanoid.LeftUpperLeg), legJoints, bone))
		}
		// Hand: a rounded-box palm and five lathed fingers.
		{
			hand := r.pos(bone(humanoid.LeftHand))
			var m part
			m.superellipsoidPoles(hand.Add(v3(sx*0.043, 0, 0)), v3(0.047, 0.0155, 0.037), 0.45, 20, 12, 1, true)
			wood.append(m.skin(rigid(r.j(bone(humanoid.LeftHand)))))
			for _, fg := range fingers {
				wood.append(b.finger(bone, fg))
			}
		}
		// Foot: a black lacquer shoe (pokkuri), its front hinged at the toe bone.
		{
			fp := r.pos(bone(humanoid.LeftFoot))
			var m part
			m.superellipsoid(v3(fp[0], ground+0.034, 0.038), v3(0.038, 0.034, 0.086), 0.5, 20, 12, 1)
			for i := range m.uv {
				m.uv[i] = swatchUV(swatchBlack, m.uv[i])
			}
			f := frame{origin: v3(fp[0], 0, 0), axis: v3(0, 0, 1)}
			shoes.append(m.skin(chainWeights(f, r.j(bone(humanoid.LeftFoot)),
				ramp{at: r.pos(bone(humanoid.LeftToes))[2], half: 0.022, to: r.j(bone(humanoid.LeftToes))})))
		}
	}
	prims = append(prims, wood.primitive(matWood), shoes.primitive(matKimono))
	return vrm.Mesh{Name: "Body", Primitives: prims}
}

// limb lathes a ball-jointed limb along f from its root bone and adds a
// ball at each joint, rigid to the segment above it.
func (b *builder) limb(f frame, l limb, root humanoid.Bone, joints []limbJoint, bone func(humanoid.Bone) humanoid.Bone) *part {
	r := b.rig
	// Add the pin knots: inside the ball at the ends of the blend zone, a
	// fifth of the blend half-width at the pivot.
	ks := append([]knot(nil), l.knots...)
	var ramps []ramp
	parent := r.j(root)
	for i, lj := range joints {
		at := f.axial(r.pos(bone(lj.bone)))
		ramps = append(ramps, ramp{at: at, half: lj.blendWidth, to: r.j(bone(lj.bone))})
		edge := 0.8 * math.Sqrt(sq(lj.radius)-sq(lj.blendWidth))
		pin := 0.2 * lj.blendWidth
		h := lj.blendWidth
		ks = append(ks, knot{at - h, edge, 1}, knot{at - h/2, pin + (edge-pin)*0.3, 1}, knot{at, pin, 1}, knot{at + h/2, pin + (edge-pin)*0.3, 1})
		if i < len(joints)-1 {
			ks = append(ks, knot{at + h, edge, 1})
		} else {
			ks = append(ks, knot{at + h*0.8, pin, 1})
		}
	}
	slices.SortFunc(ks, func(a, b knot) int { return cmp.Compare(a.d, b.d) })
	var m part
	m.lathe(f, sampleProfile(ks, l.rows, true, true), l.around, 0, woodV)
	m.skin(chainWeights(f, parent, ramps...))
	for i, lj := range joints {
		var ball part
		ball.sphere(r.pos(bone(lj.bone)), lj.radius, 14, 8)
		for k := range ball.uv {
			ball.uv[k] = ball.uv[k].Mul(0.5)
		}
		owner := parent
		if i > 0 {
			owner = r.j(bone(joints[i-1].bone))
		}
		m.append(ball.skin(rigid(owner)))
	}
	return &m
}

// fingerDef names a finger's three bones (left side).
type fingerDef struct {
	bones  [3]humanoid.Bone
	radius float64
}

var fingers = []fingerDef{
	{[3]humanoid.Bone{humanoid.LeftThumbMetacarpal, humanoid.LeftThumbProximal, humanoid.LeftThumbDistal}, 0.0098},
	{[3]humanoid.Bone{humanoid.LeftIndexProximal, humanoid.LeftIndexIntermediate, humanoid.LeftIndexDistal}, 0.0086},
	{[3]humanoid.Bone{humanoid.LeftMiddleProximal, humanoid.LeftMiddleIntermediate, humanoid.LeftMiddleDistal}, 0.0088},
	{[3]humanoid.Bone{humanoid.LeftRingProximal, humanoid.LeftRingIntermediate, humanoid.LeftRingDistal}, 0.0084},
	{[3]humanoid.Bone{humanoid.LeftLittleProximal, humanoid.LeftLittleIntermediate, humanoid.LeftLittleDistal}, 0.0074},
}

// finger builds one finger as three rigid segments, like an artist's
// mannequin: each segment starts with a ball centred on its own joint and
// ends in a rounded peg that reaches into the next segment's ball. A ball
// turned about its centre is still itself, so a finger curls without any
// skin to fold; the knuckle balls sit inside the palm's edge.
func (b *builder) finger(bone func(humanoid.Bone) humanoid.Bone, fg fingerDef) *part {
	r := b.rig
	var joints [4]mgl64.Vec3
	for k, fb := range fg.bones {
		joints[k] = r.pos(bone(fb))
	}
	joints[3] = tipPosition(bone(fg.bones[2]))
	hint := v3(0, 1, 0)
	if fg.bones[0] == humanoid.LeftThumbMetacarpal {
		hint = v3(0, 1, 0.3)
	}
	ballR := [4]float64{fg.radius, fg.radius * 0.93, fg.radius * 0.87, 0}
	var m part
	for k := range 3 {
		f := newFrame(joints[k], joints[k+1], hint)
		l := joints[k+1].Sub(joints[k]).Len()
		shaft := ballR[k] * 0.8
		ks := []knot{{0, ballR[k], 0.95}, {ballR[k] * 0.85, shaft * 0.92, 0.88}, {l * 0.55, shaft, 0.85}}
		if k < 2 {
			ks = append(ks, knot{l, ballR[k+1] * 0.62, 0.9})
		} else {
			ks = append(ks, knot{l - shaft*0.9, shaft * 0.95, 0.88})
		}
		var seg part
		seg.lathe(f, sampleProfile(ks, 9, true, true), 8, 0, woodV)
		m.append(seg.skin(rigid(r.j(bone(fg.bones[k])))))
	}
	return &m
}

// skirtWeights binds the skirt like the torso above it (its top, inside
// the bodice, bends with the spine), letting the hem's sides follow the
// thighs by up to skirtLegShare, so a raised knee lifts the skirt's side.
func (b *builder) skirtWeights(p mgl64.Vec3) []influence {
	r := b.rig
	t := smootherstep(0.76, 0.53, p[1]) * smootherstep(0, 0.07, math.Abs(p[0]))
	leg := humanoid.LeftUpperLeg
	if p[0] < 0 {
		leg = humanoid.RightUpperLeg
	}
	out := b.spineWeights(p)
	for i := range out {
		out[i].weight *= 1 - skirtLegShare*t
	}
	return append(out, influence{r.j(leg), skirtLegShare * t})
}

// spineWeights hands the torso over from the hips to the spine, chest and
// upper chest in overlapping ramps 16 cm wide, so that each spine joint
// bends a long stretch of the bodice gently.
func (b *builder) spineWeights(p mgl64.Vec3) []influence {
	r := b.rig
	f := frame{origin: v3(0, 0, 0), axis: v3(0, 1, 0)}
	return stackedWeights(f, r.j(humanoid.Hips),
		ramp{at: r.pos(humanoid.Spine)[1], half: 0.08, to: r.j(humanoid.Spine)},
		ramp{at: r.pos(humanoid.Chest)[1], half: 0.08, to: r.j(humanoid.Chest)},
		ramp{at: r.pos(humanoid.UpperChest)[1], half: 0.08, to: r.j(humanoid.UpperChest)})(p)
}

// torsoWeights blends hips → spine → chest → upper chest up the torso,
// with the shoulder bones taking over the shoulder tops. The neck peg and
// the hip balls are separate, so nothing here follows the neck or legs.
func (b *builder) torsoWeights(p mgl64.Vec3) []influence {
	r := b.rig
	spine := b.spineWeights(p)
	// Shoulder tops follow the shoulder bone.
	ax := math.Abs(p[0])
	ws := 0.8 * smootherstep(0.02, 0.11, ax) * smootherstep(0.90, 0.99, p[1])
	var out []influence
	rest := 1 - ws
	for _, x := range spine {
		out = append(out, influence{x.joint, x.weight * rest})
	}
	if ws > 0 {
		sh := humanoid.LeftShoulder
		if p[0] < 0 {
			sh = humanoid.RightShoulder
		}
		out = append(out, influence{r.j(sh), ws})
	}
	return out
}

// skirtLegShare is the largest share of the skirt's hem a thigh moves.
const skirtLegShare = 0.2
