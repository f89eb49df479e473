package vmc

import (
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

type boneSlot struct {
	name string // exactly as received; "" for an empty slot
	bone humanoid.Bone
	vrm1 bool // a VRM 1.0-only name (…ThumbMetacarpal)
}

// bone applies a Bone/Pos. Names are Unity HumanBodyBones or VRM names in
// any case; which convention the sender uses is learnt from the names only
// one of them has (field notes §2): "…ThumbMetacarpal" is VRM 1.0,
// "…ThumbIntermediate" is Unity. "…ThumbProximal", the one name both use for
// different bones, waits for the end of the packet so that evidence later in
// the same packet counts.
func (s *Scene) bone(name []byte, t Transform) {
	b, vrm1, ok := s.lookupBone(name)
	if !ok {
		return // e.g. "LastBone", which some senders include
	}
	switch {
	case vrm1: // "…ThumbMetacarpal"
		s.snd.naming = humanoid.NamingVRM1
	case b == humanoid.LeftThumbMetacarpal || b == humanoid.RightThumbMetacarpal: // "…ThumbProximal"
		side := 0
		if b == humanoid.RightThumbMetacarpal {
			side = 1
		}
		s.thumbs[side].set, s.thumbs[side].t = true, t
		s.bones = true
		return
	case b == humanoid.LeftThumbProximal || b == humanoid.RightThumbProximal: // "…ThumbIntermediate"
		s.snd.naming = humanoid.NamingUnity
	}
	s.setBone(b, t)
}

// lookupBone resolves a bone name: Unity/VRM 0.x names first (vrm1 false),
// then the VRM 1.0-only names (vrm1 true). It tries the packet-order cache
// first.
func (s *Scene) lookupBone(name []byte) (b humanoid.Bone, vrm1, ok bool) {
	ord := s.boneOrd
	s.boneOrd++
	if ord < len(s.boneCache) {
		if c := &s.boneCache[ord]; c.name != "" && string(name) == c.name {
			return c.bone, c.vrm1, true
		}
	}
	if len(name) > 32 { // longer than any bone name; do not convert
		return humanoid.None, false, false
	}
	if b, ok = humanoid.ParseUnity(string(name)); !ok {
		if b, ok = humanoid.ParseVRM1(string(name)); !ok {
			return humanoid.None, false, false
		}
		vrm1 = true
	}
	if ord < len(s.boneCache) {
		// Cache the name if it is one of the table's spellings (no allocation).
		for _, sp := range [...]string{b.UnityName(), b.VRM0Name(), b.VRM1Name()} {
			if string(name) == sp {
				s.boneCache[ord] = boneSlot{name: sp, bone: b, vrm1: vrm1}
				break
			}
		}
	}
	return b, vrm1, true
}

func (s *Scene) setBone(b humanoid.Bone, t Transform) {
	s.bones = true
	if s.work.BonesReceived.Has(b) && s.work.Bones[b] == t {
		return
	}
	s.work.Bones[b] = t
	s.work.BonesReceived = s.work.BonesReceived.With(b)
	s.dirty = true
}

// resolveThumbs applies the packet's "…ThumbProximal" poses with the naming
// the sender is now known to use.
func (s *Scene) resolveThumbs() {
	for side := range s.thumbs {
		p := &s.thumbs[side]
		if !p.set {
			continue
		}
		p.set = false
		b := humanoid.LeftThumbMetacarpal // Unity LeftThumbProximal
		if s.snd.naming == humanoid.NamingVRM1 {
			b = humanoid.LeftThumbProximal // VRM 1.0 leftThumbProximal
		}
		if side == 1 {
			b = b.Mirror()
		}
		s.setBone(b, p.t)
	}
}

// decodeBone applies /VMC/Ext/Bone/Pos: a humanoid bone's local pose.
func (s *Scene) decodeBone(addrID) fault {
	a := s.msg.Args()
	name, t, err := readPose(&a)
	if err != nil {
		return faultOf(err)
	}
	s.bone(name, t)
	return faultNone
}
