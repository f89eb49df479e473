package humanoid

import "github.com/kugutsu/kugutsu/internal/mathx"

// Naming selects a bone-naming convention.
type Naming uint8

// Naming conventions (field notes §2).
const (
	// NamingUnity is Unity HumanBodyBones and VRM 0.x: "LeftThumbProximal" is
	// the first thumb joint. VMC senders use it by default.
	NamingUnity Naming = iota
	// NamingVRM1 is VRM 1.0: "leftThumbMetacarpal" is the first thumb joint and
	// "leftThumbProximal" the second. XR Animator sends it for VRM 1.0 models.
	NamingVRM1
)

// String returns "unity" or "vrm1".
func (n Naming) String() string {
	if n == NamingVRM1 {
		return "vrm1"
	}
	return "unity"
}

// Valid reports whether b is one of the 55 humanoid bones.
func (b Bone) Valid() bool { return b < Count }

// Info returns the table entry of a valid bone; it panics on an invalid one.
func (b Bone) Info() Info { return infos[b] }

// String returns the VRM 1.0 name ("leftThumbMetacarpal"), or "none".
func (b Bone) String() string {
	if !b.Valid() {
		return "none"
	}
	return infos[b].VRM1
}

// UnityName returns the Unity HumanBodyBones name ("LeftThumbProximal" for
// [LeftThumbMetacarpal]), the name VMC's /VMC/Ext/Bone/Pos uses.
func (b Bone) UnityName() string {
	if !b.Valid() {
		return ""
	}
	return infos[b].Unity
}

// VRM0Name returns the VRM 0.x humanBones name ("leftThumbProximal" for
// [LeftThumbMetacarpal]).
func (b Bone) VRM0Name() string {
	if !b.Valid() {
		return ""
	}
	return infos[b].VRM0
}

// VRM1Name returns the VRM 1.0 humanBones key ("leftThumbMetacarpal").
func (b Bone) VRM1Name() string {
	if !b.Valid() {
		return ""
	}
	return infos[b].VRM1
}

// Name returns b's name in the given convention: Unity's UpperCamel name for
// [NamingUnity], the VRM 1.0 key for [NamingVRM1].
func (b Bone) Name(n Naming) string {
	if n == NamingVRM1 {
		return b.VRM1Name()
	}
	return b.UnityName()
}

// Parent returns b's parent in the full hierarchy (None for Hips and for
// invalid bones).
func (b Bone) Parent() Bone {
	if !b.Valid() {
		return None
	}
	return infos[b].Parent
}

// Group returns b's body region.
func (b Bone) Group() Group {
	if !b.Valid() {
		return GroupTorso
	}
	return infos[b].Group
}

// Mirror returns the bone on the other side (LeftHand ↔ RightHand); centre
// bones return themselves.
func (b Bone) Mirror() Bone {
	if !b.Valid() || infos[b].Side == 0 {
		return b
	}
	return mirror[b]
}

var mirror [Count]Bone

func init() {
	for i := range infos {
		if infos[i].Side == 0 {
			mirror[i] = Bone(i)
			continue
		}
		name := infos[i].Unity
		var other string
		if name[:4] == "Left" {
			other = "Right" + name[4:]
		} else {
			other = "Left" + name[5:]
		}
		mirror[i] = byUnity[mathx.LowerASCII(other)]
	}
}

// maxNameLen bounds the names looked up; longer names are never bones.
const maxNameLen = 32

// lookup finds name case-insensitively in m without allocating.
func lookup(m map[string]Bone, name string) (Bone, bool) {
	if len(name) == 0 || len(name) > maxNameLen {
		return None, false
	}
	var buf [maxNameLen]byte
	b, ok := m[string(mathx.AppendLowerASCII(buf[:0], name))]
	if !ok {
		return None, false
	}
	return b, true
}

// ParseUnity looks up a Unity HumanBodyBones or VRM 0.x name, ignoring case
// ("LeftUpperArm", "leftUpperArm", "LEFTUPPERARM"). It does not allocate.
// "LastBone" and unknown names give (None, false).
func ParseUnity(name string) (Bone, bool) { return lookup(byUnity, name) }

// ParseVRM1 looks up a VRM 1.0 humanBones key, ignoring case. It does not
// allocate.
func ParseVRM1(name string) (Bone, bool) { return lookup(byVRM1, name) }
