package vmc

import (
	"time"

	"github.com/kugutsu/kugutsu/internal/mathx"
)

type blendSlot struct {
	name string // exactly as received, equal to keys[key].name
	key  int32
}

type blendKey struct {
	name    string    // first spelling seen
	low     string    // lower-cased name: the key in Scene.blendIdx
	frame   int32     // index in Frame.Blends, -1 until first applied
	staged  bool      // has a Val since the last Apply
	value   float32   // the staged value
	order   uint64    // Scene.vals at the staged value (Blend.Order)
	last    time.Time // arrival of the latest Val
	applied uint64    // Scene.applies when last applied
}

// blendVal stages a Blend/Val until the next Apply.
func (s *Scene) blendVal(name []byte, v float32) fault {
	if len(name) > MaxBlendNameLen {
		s.totals.BlendKeysRejected++
		return faultLimit
	}
	i, ok := s.lookupBlend(name)
	if !ok {
		s.totals.BlendKeysRejected++
		return faultLimit
	}
	k := &s.keys[i]
	s.vals++
	k.value, k.order, k.last = v, s.vals, s.at
	if !k.staged {
		k.staged = true
		s.staged = append(s.staged, i)
	}
	return faultNone
}

// lookupBlend returns the index of blend key name (ASCII case-insensitive),
// adding it if there is room or a stale key to evict. It tries the
// packet-order cache first.
func (s *Scene) lookupBlend(name []byte) (int32, bool) {
	ord := s.blendOrd
	s.blendOrd++
	if ord < len(s.blendCache) {
		if c := &s.blendCache[ord]; c.name != "" && string(name) == c.name {
			return c.key, true
		}
	}
	low := mathx.AppendLowerASCII(s.scratch[:0], name)
	s.scratch = low
	i, ok := s.blendIdx[string(low)]
	if !ok {
		k := blendKey{name: string(name), low: string(low), frame: -1}
		if len(s.keys) < MaxBlendKeys {
			i = int32(len(s.keys))
			s.keys = append(s.keys, k)
		} else if i, ok = s.evictBlendKey(); ok {
			// A staged evicted key stays in s.staged: the new key takes its
			// place there too.
			k.staged = s.keys[i].staged
			s.keys[i] = k
		} else {
			return 0, false
		}
		s.blendIdx[k.low] = i
	}
	if k := s.keys[i].name; ord < len(s.blendCache) && string(name) == k {
		s.blendCache[ord] = blendSlot{name: k, key: i}
	}
	return i, true
}

// evictBlendKey frees the slot of the blend key received least recently,
// if that was EvictAfter or more before the current packet, and returns
// its index. The key leaves Frame.Blends (the keys after it move up one).
func (s *Scene) evictBlendKey() (int32, bool) {
	if s.at.Before(s.blendEvictAt) {
		return 0, false
	}
	old := int32(0)
	for i := range s.keys {
		if s.keys[i].last.Before(s.keys[old].last) {
			old = int32(i)
		}
	}
	k := &s.keys[old]
	if s.at.Sub(k.last) < EvictAfter {
		s.blendEvictAt = k.last.Add(EvictAfter)
		return 0, false
	}
	delete(s.blendIdx, k.low)
	if f := k.frame; f >= 0 {
		s.work.Blends = append(s.work.Blends[:f], s.work.Blends[f+1:]...)
		for j := range s.keys {
			if s.keys[j].frame > f {
				s.keys[j].frame--
			}
		}
		s.dirty = true
	}
	for c := range s.blendCache {
		if s.blendCache[c].key == old {
			s.blendCache[c] = blendSlot{}
		}
	}
	s.totals.BlendKeysEvicted++
	return old, true
}

// blendApply commits the staged values (spec "VRM BlendShapeProxyValue").
// A key's Order changes with every Val; the frame is republished for that
// alone when the key comes back after missing an Apply, so that the frame
// tells which of two keys for one expression was received last.
func (s *Scene) blendApply() {
	s.applies++
	for _, i := range s.staged {
		k := &s.keys[i]
		k.staged = false
		back := k.applied+1 != s.applies
		k.applied = s.applies
		if k.frame < 0 {
			k.frame = int32(len(s.work.Blends))
			s.work.Blends = append(s.work.Blends, Blend{Name: k.name, Value: k.value, Order: k.order})
			s.dirty = true
			continue
		}
		b := &s.work.Blends[k.frame]
		if b.Value != k.value || back {
			s.dirty = true
		}
		b.Value, b.Order = k.value, k.order
	}
	s.staged = s.staged[:0]
}

// decodeBlendVal stages /VMC/Ext/Blend/Val: a blend key and its value
// (nominally 0–1).
func (s *Scene) decodeBlendVal(addrID) fault {
	a := s.msg.Args()
	name, err := a.Str()
	if err != nil {
		return faultOf(err)
	}
	v, err := a.Float32()
	if err != nil {
		return faultOf(err)
	}
	return s.blendVal(name, v)
}

// decodeBlendApply commits the staged values (/VMC/Ext/Blend/Apply).
func (s *Scene) decodeBlendApply(addrID) fault {
	s.blendApply()
	return faultNone
}
