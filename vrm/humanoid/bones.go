// Package humanoid is the shared humanoid-bone vocabulary of Kugutsu: the 55
// bones of Unity's HumanBodyBones, their names in Unity / VRM 0.x / VRM 1.0,
// their parents and which of them a model must have.
//
// A [Bone]'s numeric value is its Unity HumanBodyBones index (Hips = 0 …
// UpperChest = 54), so VMC messages, which name bones by HumanBodyBones, map
// onto it directly. It is a leaf package: no glTF, no maths, no allocation on
// lookups.
//
// Naming (field notes §2; VRM 1.0 spec VRMC_vrm-1.0/humanoid.md):
//   - Unity and VRM 0.x use the same names, UpperCamel and lowerCamel
//     ("LeftUpperArm", "leftUpperArm").
//   - VRM 1.0 uses lowerCamel too, except for thumbs, which shift by one joint:
//     Unity/VRM 0.x LeftThumbProximal is VRM 1.0 leftThumbMetacarpal,
//     LeftThumbIntermediate is leftThumbProximal, LeftThumbDistal stays
//     leftThumbDistal (same on the right).
package humanoid

import "github.com/kugutsu/kugutsu/internal/mathx"

// Bone is one humanoid bone; its value is the Unity HumanBodyBones index.
type Bone uint8

// Count is the number of humanoid bones (Unity HumanBodyBones.LastBone).
const Count = 55

// The humanoid bones, in Unity HumanBodyBones order. Thumb constants use the
// VRM 1.0 names: ThumbMetacarpal is Unity's ThumbProximal, ThumbProximal is
// Unity's ThumbIntermediate.
const (
	Hips Bone = iota
	LeftUpperLeg
	RightUpperLeg
	LeftLowerLeg
	RightLowerLeg
	LeftFoot
	RightFoot
	Spine
	Chest
	Neck
	Head
	LeftShoulder
	RightShoulder
	LeftUpperArm
	RightUpperArm
	LeftLowerArm
	RightLowerArm
	LeftHand
	RightHand
	LeftToes
	RightToes
	LeftEye
	RightEye
	Jaw
	LeftThumbMetacarpal // Unity LeftThumbProximal
	LeftThumbProximal   // Unity LeftThumbIntermediate
	LeftThumbDistal
	LeftIndexProximal
	LeftIndexIntermediate
	LeftIndexDistal
	LeftMiddleProximal
	LeftMiddleIntermediate
	LeftMiddleDistal
	LeftRingProximal
	LeftRingIntermediate
	LeftRingDistal
	LeftLittleProximal
	LeftLittleIntermediate
	LeftLittleDistal
	RightThumbMetacarpal // Unity RightThumbProximal
	RightThumbProximal   // Unity RightThumbIntermediate
	RightThumbDistal
	RightIndexProximal
	RightIndexIntermediate
	RightIndexDistal
	RightMiddleProximal
	RightMiddleIntermediate
	RightMiddleDistal
	RightRingProximal
	RightRingIntermediate
	RightRingDistal
	RightLittleProximal
	RightLittleIntermediate
	RightLittleDistal
	UpperChest

	// None is "no bone": the parent of Hips, and what failed lookups return.
	None Bone = 255
)

// Group is a coarse body region, used for per-group options such as EVMC4U's
// "cut" flags (field notes §1).
type Group uint8

// Body regions.
const (
	GroupTorso   Group = iota // hips, spine, chest, upper chest
	GroupHead                 // neck, head, jaw
	GroupEyes                 // left and right eye
	GroupArms                 // shoulders, upper and lower arms, hands
	GroupFingers              // the 30 finger bones
	GroupLegs                 // upper and lower legs, feet, toes
)

// Info describes one bone. Parent is the nearest ancestor in the full
// 55-bone hierarchy (VRM 1.0 humanoid.md); when a model lacks it, use
// [Bone.ParentIn] to find the nearest present one.
type Info struct {
	Unity        string // Unity HumanBodyBones name, e.g. "LeftThumbProximal"
	VRM0         string // VRM 0.x humanBones[].bone name, e.g. "leftThumbProximal"
	VRM1         string // VRM 1.0 humanBones key, e.g. "leftThumbMetacarpal"
	Parent       Bone   // None for Hips
	RequiredVRM0 bool   // VRM 0.x requires it (the VRM 1.0 set plus chest and neck)
	RequiredVRM1 bool   // VRM 1.0 requires it (15 bones)
	Group        Group
	Side         int8 // -1 left, +1 right, 0 centre (the avatar's own left/right)
}

// infos is indexed by Bone.
var infos = [Count]Info{
	Hips:                    {Unity: "Hips", VRM1: "hips", Parent: None, RequiredVRM1: true, Group: GroupTorso},
	LeftUpperLeg:            {Unity: "LeftUpperLeg", VRM1: "leftUpperLeg", Parent: Hips, RequiredVRM1: true, Group: GroupLegs, Side: -1},
	RightUpperLeg:           {Unity: "RightUpperLeg", VRM1: "rightUpperLeg", Parent: Hips, RequiredVRM1: true, Group: GroupLegs, Side: 1},
	LeftLowerLeg:            {Unity: "LeftLowerLeg", VRM1: "leftLowerLeg", Parent: LeftUpperLeg, RequiredVRM1: true, Group: GroupLegs, Side: -1},
	RightLowerLeg:           {Unity: "RightLowerLeg", VRM1: "rightLowerLeg", Parent: RightUpperLeg, RequiredVRM1: true, Group: GroupLegs, Side: 1},
	LeftFoot:                {Unity: "LeftFoot", VRM1: "leftFoot", Parent: LeftLowerLeg, RequiredVRM1: true, Group: GroupLegs, Side: -1},
	RightFoot:               {Unity: "RightFoot", VRM1: "rightFoot", Parent: RightLowerLeg, RequiredVRM1: true, Group: GroupLegs, Side: 1},
	Spine:                   {Unity: "Spine", VRM1: "spine", Parent: Hips, RequiredVRM1: true, Group: GroupTorso},
	Chest:                   {Unity: "Chest", VRM1: "chest", Parent: Spine, RequiredVRM0: true, Group: GroupTorso},
	Neck:                    {Unity: "Neck", VRM1: "neck", Parent: UpperChest, RequiredVRM0: true, Group: GroupHead},
	Head:                    {Unity: "Head", VRM1: "head", Parent: Neck, RequiredVRM1: true, Group: GroupHead},
	LeftShoulder:            {Unity: "LeftShoulder", VRM1: "leftShoulder", Parent: UpperChest, Group: GroupArms, Side: -1},
	RightShoulder:           {Unity: "RightShoulder", VRM1: "rightShoulder", Parent: UpperChest, Group: GroupArms, Side: 1},
	LeftUpperArm:            {Unity: "LeftUpperArm", VRM1: "leftUpperArm", Parent: LeftShoulder, RequiredVRM1: true, Group: GroupArms, Side: -1},
	RightUpperArm:           {Unity: "RightUpperArm", VRM1: "rightUpperArm", Parent: RightShoulder, RequiredVRM1: true, Group: GroupArms, Side: 1},
	LeftLowerArm:            {Unity: "LeftLowerArm", VRM1: "leftLowerArm", Parent: LeftUpperArm, RequiredVRM1: true, Group: GroupArms, Side: -1},
	RightLowerArm:           {Unity: "RightLowerArm", VRM1: "rightLowerArm", Parent: RightUpperArm, RequiredVRM1: true, Group: GroupArms, Side: 1},
	LeftHand:                {Unity: "LeftHand", VRM1: "leftHand", Parent: LeftLowerArm, RequiredVRM1: true, Group: GroupArms, Side: -1},
	RightHand:               {Unity: "RightHand", VRM1: "rightHand", Parent: RightLowerArm, RequiredVRM1: true, Group: GroupArms, Side: 1},
	LeftToes:                {Unity: "LeftToes", VRM1: "leftToes", Parent: LeftFoot, Group: GroupLegs, Side: -1},
	RightToes:               {Unity: "RightToes", VRM1: "rightToes", Parent: RightFoot, Group: GroupLegs, Side: 1},
	LeftEye:                 {Unity: "LeftEye", VRM1: "leftEye", Parent: Head, Group: GroupEyes, Side: -1},
	RightEye:                {Unity: "RightEye", VRM1: "rightEye", Parent: Head, Group: GroupEyes, Side: 1},
	Jaw:                     {Unity: "Jaw", VRM1: "jaw", Parent: Head, Group: GroupHead},
	LeftThumbMetacarpal:     {Unity: "LeftThumbProximal", VRM1: "leftThumbMetacarpal", Parent: LeftHand, Group: GroupFingers, Side: -1},
	LeftThumbProximal:       {Unity: "LeftThumbIntermediate", VRM1: "leftThumbProximal", Parent: LeftThumbMetacarpal, Group: GroupFingers, Side: -1},
	LeftThumbDistal:         {Unity: "LeftThumbDistal", VRM1: "leftThumbDistal", Parent: LeftThumbProximal, Group: GroupFingers, Side: -1},
	LeftIndexProximal:       {Unity: "LeftIndexProximal", VRM1: "leftIndexProximal", Parent: LeftHand, Group: GroupFingers, Side: -1},
	LeftIndexIntermediate:   {Unity: "LeftIndexIntermediate", VRM1: "leftIndexIntermediate", Parent: LeftIndexProximal, Group: GroupFingers, Side: -1},
	LeftIndexDistal:         {Unity: "LeftIndexDistal", VRM1: "leftIndexDistal", Parent: LeftIndexIntermediate, Group: GroupFingers, Side: -1},
	LeftMiddleProximal:      {Unity: "LeftMiddleProximal", VRM1: "leftMiddleProximal", Parent: LeftHand, Group: GroupFingers, Side: -1},
	LeftMiddleIntermediate:  {Unity: "LeftMiddleIntermediate", VRM1: "leftMiddleIntermediate", Parent: LeftMiddleProximal, Group: GroupFingers, Side: -1},
	LeftMiddleDistal:        {Unity: "LeftMiddleDistal", VRM1: "leftMiddleDistal", Parent: LeftMiddleIntermediate, Group: GroupFingers, Side: -1},
	LeftRingProximal:        {Unity: "LeftRingProximal", VRM1: "leftRingProximal", Parent: LeftHand, Group: GroupFingers, Side: -1},
	LeftRingIntermediate:    {Unity: "LeftRingIntermediate", VRM1: "leftRingIntermediate", Parent: LeftRingProximal, Group: GroupFingers, Side: -1},
	LeftRingDistal:          {Unity: "LeftRingDistal", VRM1: "leftRingDistal", Parent: LeftRingIntermediate, Group: GroupFingers, Side: -1},
	LeftLittleProximal:      {Unity: "LeftLittleProximal", VRM1: "leftLittleProximal", Parent: LeftHand, Group: GroupFingers, Side: -1},
	LeftLittleIntermediate:  {Unity: "LeftLittleIntermediate", VRM1: "leftLittleIntermediate", Parent: LeftLittleProximal, Group: GroupFingers, Side: -1},
	LeftLittleDistal:        {Unity: "LeftLittleDistal", VRM1: "leftLittleDistal", Parent: LeftLittleIntermediate, Group: GroupFingers, Side: -1},
	RightThumbMetacarpal:    {Unity: "RightThumbProximal", VRM1: "rightThumbMetacarpal", Parent: RightHand, Group: GroupFingers, Side: 1},
	RightThumbProximal:      {Unity: "RightThumbIntermediate", VRM1: "rightThumbProximal", Parent: RightThumbMetacarpal, Group: GroupFingers, Side: 1},
	RightThumbDistal:        {Unity: "RightThumbDistal", VRM1: "rightThumbDistal", Parent: RightThumbProximal, Group: GroupFingers, Side: 1},
	RightIndexProximal:      {Unity: "RightIndexProximal", VRM1: "rightIndexProximal", Parent: RightHand, Group: GroupFingers, Side: 1},
	RightIndexIntermediate:  {Unity: "RightIndexIntermediate", VRM1: "rightIndexIntermediate", Parent: RightIndexProximal, Group: GroupFingers, Side: 1},
	RightIndexDistal:        {Unity: "RightIndexDistal", VRM1: "rightIndexDistal", Parent: RightIndexIntermediate, Group: GroupFingers, Side: 1},
	RightMiddleProximal:     {Unity: "RightMiddleProximal", VRM1: "rightMiddleProximal", Parent: RightHand, Group: GroupFingers, Side: 1},
	RightMiddleIntermediate: {Unity: "RightMiddleIntermediate", VRM1: "rightMiddleIntermediate", Parent: RightMiddleProximal, Group: GroupFingers, Side: 1},
	RightMiddleDistal:       {Unity: "RightMiddleDistal", VRM1: "rightMiddleDistal", Parent: RightMiddleIntermediate, Group: GroupFingers, Side: 1},
	RightRingProximal:       {Unity: "RightRingProximal", VRM1: "rightRingProximal", Parent: RightHand, Group: GroupFingers, Side: 1},
	RightRingIntermediate:   {Unity: "RightRingIntermediate", VRM1: "rightRingIntermediate", Parent: RightRingProximal, Group: GroupFingers, Side: 1},
	RightRingDistal:         {Unity: "RightRingDistal", VRM1: "rightRingDistal", Parent: RightRingIntermediate, Group: GroupFingers, Side: 1},
	RightLittleProximal:     {Unity: "RightLittleProximal", VRM1: "rightLittleProximal", Parent: RightHand, Group: GroupFingers, Side: 1},
	RightLittleIntermediate: {Unity: "RightLittleIntermediate", VRM1: "rightLittleIntermediate", Parent: RightLittleProximal, Group: GroupFingers, Side: 1},
	RightLittleDistal:       {Unity: "RightLittleDistal", VRM1: "rightLittleDistal", Parent: RightLittleIntermediate, Group: GroupFingers, Side: 1},
	UpperChest:              {Unity: "UpperChest", VRM1: "upperChest", Parent: Chest, Group: GroupTorso},
}

// Lookup tables keyed by lower-cased name, built once at start-up.
var (
	byUnity = map[string]Bone{} // Unity / VRM 0.x names
	byVRM1  = map[string]Bone{} // VRM 1.0 names
)

func init() {
	for i := range infos {
		in := &infos[i]
		in.VRM0 = lowerFirst(in.Unity)
		if in.VRM1 == "" || in.Unity == "" {
			panic("humanoid: incomplete table entry")
		}
		in.RequiredVRM0 = in.RequiredVRM0 || in.RequiredVRM1
		byUnity[mathx.LowerASCII(in.Unity)] = Bone(i)
		byVRM1[mathx.LowerASCII(in.VRM1)] = Bone(i)
	}
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
