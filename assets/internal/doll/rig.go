package doll

import (
	"github.com/go-gl/mathgl/mgl64"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// The doll's proportions, metres in the VRM 1.0 frame (+Y up, facing +Z, its
// left hand on +X), feet on y = 0. About 1.39 m tall with a large head (≈5.4
// heads), standing in the VRM T-pose: arms along ±X, palms down, thumbs
// forward, legs straight down. Every rest rotation is identity, so a joint's
// local translation is the difference of world positions.
//
// Geometry is modelled in a design frame whose ground is at y = ground; the
// output (vertex positions, joints) is shifted down by ground so the doll's
// soles rest on y = 0.
const ground = 0.115

var (
	headCentre = v3(0, 1.205, 0.005)
	headRadii  = v3(0.118, 0.128, 0.115) // x (half width), y (half height), z (half depth)
	eyeRadius  = 0.027
)

// Joint positions of the left side and the centre line; the right side
// mirrors x. Fingers run along +X in the T-pose, the thumb forward and out.
var bonePos = map[humanoid.Bone]mgl64.Vec3{
	humanoid.Hips:       v3(0, 0.700, 0),
	humanoid.Spine:      v3(0, 0.770, 0),
	humanoid.Chest:      v3(0, 0.860, 0),
	humanoid.UpperChest: v3(0, 0.940, 0),
	humanoid.Neck:       v3(0, 1.030, 0),
	humanoid.Head:       v3(0, 1.090, 0),
	humanoid.Jaw:        v3(0, 1.150, 0.035),
	humanoid.LeftEye:    v3(0.043, 1.186, 0.0925),

	humanoid.LeftUpperLeg: v3(0.075, 0.665, 0),
	humanoid.LeftLowerLeg: v3(0.075, 0.435, 0),
	humanoid.LeftFoot:     v3(0.075, 0.190, 0),
	humanoid.LeftToes:     v3(0.075, ground+0.028, 0.080),

	humanoid.LeftShoulder: v3(0.025, 0.990, 0),
	humanoid.LeftUpperArm: v3(0.115, 1.000, 0),
	humanoid.LeftLowerArm: v3(0.310, 1.000, 0),
	humanoid.LeftHand:     v3(0.490, 1.000, 0),

	humanoid.LeftThumbMetacarpal:    v3(0.5050, 0.994, 0.024),
	humanoid.LeftThumbProximal:      v3(0.5280, 0.991, 0.046),
	humanoid.LeftThumbDistal:        v3(0.5460, 0.989, 0.064),
	humanoid.LeftIndexProximal:      v3(0.5730, 1.000, 0.0255),
	humanoid.LeftIndexIntermediate:  v3(0.6050, 1.000, 0.0265),
	humanoid.LeftIndexDistal:        v3(0.6270, 1.000, 0.0270),
	humanoid.LeftMiddleProximal:     v3(0.5750, 1.000, 0.0088),
	humanoid.LeftMiddleIntermediate: v3(0.6100, 1.000, 0.0088),
	humanoid.LeftMiddleDistal:       v3(0.6340, 1.000, 0.0088),
	humanoid.LeftRingProximal:       v3(0.5730, 1.000, -0.0085),
	humanoid.LeftRingIntermediate:   v3(0.6050, 1.000, -0.0090),
	humanoid.LeftRingDistal:         v3(0.6270, 1.000, -0.0093),
	humanoid.LeftLittleProximal:     v3(0.5670, 0.999, -0.0250),
	humanoid.LeftLittleIntermediate: v3(0.5930, 0.999, -0.0265),
	humanoid.LeftLittleDistal:       v3(0.6110, 0.999, -0.0273),
}

// fingerTip is where each finger's last segment ends (left side).
var fingerTip = map[humanoid.Bone]mgl64.Vec3{
	humanoid.LeftThumbDistal:  v3(0.5610, 0.988, 0.079),
	humanoid.LeftIndexDistal:  v3(0.6450, 1.000, 0.0273),
	humanoid.LeftMiddleDistal: v3(0.6540, 1.000, 0.0088),
	humanoid.LeftRingDistal:   v3(0.6450, 1.000, -0.0095),
	humanoid.LeftLittleDistal: v3(0.6260, 0.999, -0.0279),
}

// tassel describes one spring chain: a red cord hanging from the hairpin on the
// doll's left temple, ending in a tassel. Joints run from the knot down.
type tassel struct {
	name   string
	joints []mgl64.Vec3 // world rest positions, the last one the chain's tail
}

var tassels = []tassel{
	{"TasselFront", []mgl64.Vec3{
		v3(0.146, 1.262, 0.030), v3(0.150, 1.227, 0.032), v3(0.152, 1.192, 0.033),
		v3(0.153, 1.157, 0.034), v3(0.153, 1.120, 0.034),
	}},
	{"TasselBack", []mgl64.Vec3{
		v3(0.146, 1.262, 0.010), v3(0.150, 1.232, 0.006), v3(0.152, 1.202, 0.003),
		v3(0.153, 1.172, 0.001),
	}},
}

// joint is one node of the skeleton.
type joint struct {
	name   string
	parent int // joint index, -1 for the root joint (hips)
	world  mgl64.Vec3
	bone   humanoid.Bone // humanoid.None for the tassel joints
}

// rig is the doll's skeleton: the 55 humanoid bones in hierarchy order,
// then the tassel chains. A joint's index is its index in the skin's joint
// list; nodes put them right after the root node.
type rig struct {
	joints []joint
	bone   [humanoid.Count]int // joint index per humanoid bone
	tassel [][]int             // joint indices per tassel chain
}

func newRig() *rig {
	r := &rig{}
	for _, b := range humanoid.Order(humanoid.All) {
		p := bonePosition(b)
		parent := -1
		if pb := b.Parent(); pb != humanoid.None {
			parent = r.bone[pb]
		}
		r.bone[b] = len(r.joints)
		r.joints = append(r.joints, joint{name: b.String(), parent: parent, world: p, bone: b})
	}
	for _, t := range tassels {
		var chain []int
		parent := r.bone[humanoid.Head]
		for i, p := range t.joints {
			chain = append(chain, len(r.joints))
			r.joints = append(r.joints, joint{name: t.name + string(rune('0'+i)), parent: parent, world: p, bone: humanoid.None})
			parent = len(r.joints) - 1
		}
		r.tassel = append(r.tassel, chain)
	}
	return r
}

// bonePosition returns bone b's T-pose world position.
func bonePosition(b humanoid.Bone) mgl64.Vec3 {
	if p, ok := bonePos[b]; ok {
		return p
	}
	if p, ok := bonePos[b.Mirror()]; ok && b.Info().Side == 1 {
		return mirrorX(p)
	}
	panic("doll: no position for bone " + b.String())
}

// tipPosition returns where the distal segment of a finger ends.
func tipPosition(b humanoid.Bone) mgl64.Vec3 {
	if p, ok := fingerTip[b]; ok {
		return p
	}
	return mirrorX(fingerTip[b.Mirror()])
}

func mirrorX(p mgl64.Vec3) mgl64.Vec3 { return v3(-p[0], p[1], p[2]) }

// j returns the joint index of humanoid bone b.
func (r *rig) j(b humanoid.Bone) int { return r.bone[b] }

// pos returns the rest position of humanoid bone b.
func (r *rig) pos(b humanoid.Bone) mgl64.Vec3 { return r.joints[r.bone[b]].world }
