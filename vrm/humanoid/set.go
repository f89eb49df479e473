package humanoid

// Set is a set of humanoid bones (a bit set; the zero value is empty).
type Set uint64

// Has reports whether b is in s.
func (s Set) Has(b Bone) bool { return b.Valid() && s&(1<<b) != 0 }

// With returns s with b added (invalid bones are ignored).
func (s Set) With(b Bone) Set {
	if !b.Valid() {
		return s
	}
	return s | 1<<b
}

// Len returns the number of bones in s.
func (s Set) Len() int {
	n := 0
	for ; s != 0; s &= s - 1 {
		n++
	}
	return n
}

// Bones returns the bones of s in HumanBodyBones order.
func (s Set) Bones() []Bone {
	out := make([]Bone, 0, s.Len())
	for b := Bone(0); b < Count; b++ {
		if s.Has(b) {
			out = append(out, b)
		}
	}
	return out
}

// All is the set of all 55 bones.
const All Set = 1<<Count - 1

// Required returns the bones a model of the given VRM version must map:
// 15 for VRM 1.0 (humanoid.md "required"), those plus chest and neck for VRM
// 0.x (where both were still required).
func Required(vrm0 bool) Set {
	var s Set
	for b := Bone(0); b < Count; b++ {
		if infos[b].RequiredVRM1 || (vrm0 && infos[b].RequiredVRM0) {
			s = s.With(b)
		}
	}
	return s
}

// ParentIn returns b's nearest ancestor that is in present (the parent used
// when a model lacks optional bones such as UpperChest or Neck), or None.
func (b Bone) ParentIn(present Set) Bone {
	for p := b.Parent(); p != None; p = p.Parent() {
		if present.Has(p) {
			return p
		}
	}
	return None
}

// Order returns the bones of present sorted so that every bone comes after its
// nearest present ancestor (hierarchy order, Hips first).
func Order(present Set) []Bone {
	out := make([]Bone, 0, present.Len())
	var placed Set
	for len(out) < present.Len() {
		progressed := false
		for b := Bone(0); b < Count; b++ {
			if !present.Has(b) || placed.Has(b) {
				continue
			}
			if p := b.ParentIn(present); p == None || placed.Has(p) {
				out = append(out, b)
				placed = placed.With(b)
				progressed = true
			}
		}
		if !progressed {
			break // unreachable: the table's parent links form a tree
		}
	}
	return out
}
