package vmc

import "time"

// devSlot is the table state of one entry of Frame.Devices.
type devSlot struct {
	key  string    // the key in Scene.devIdx
	last time.Time // arrival of the latest pose
}

// device applies a tracked device pose.
func (s *Scene) device(kind DeviceKind, local bool, serial []byte, t Transform) fault {
	if len(serial) > MaxSerialLen {
		s.totals.DevicesRejected++
		return faultLimit
	}
	key := append(s.scratch[:0], byte(kind)<<1)
	if local {
		key[0] |= 1
	}
	key = append(key, serial...)
	s.scratch = key
	i, ok := s.devIdx[string(key)]
	if !ok {
		if len(s.work.Devices) >= MaxDevices && !s.evictDevice() {
			s.totals.DevicesRejected++
			return faultLimit
		}
		i = int32(len(s.work.Devices))
		k := string(key)
		s.devIdx[k] = i
		s.devs = append(s.devs, devSlot{key: k, last: s.at})
		s.work.Devices = append(s.work.Devices, Device{Kind: kind, Local: local, Serial: string(serial), Transform: t})
		s.dirty = true
		return faultNone
	}
	s.devs[i].last = s.at
	if d := &s.work.Devices[i]; d.Transform != t {
		d.Transform = t
		s.dirty = true
	}
	return faultNone
}

// evictDevice removes the device heard from least recently from
// Frame.Devices (the ones after it move up one), if that was EvictAfter or
// more before the current packet, and reports whether it did.
func (s *Scene) evictDevice() bool {
	if s.at.Before(s.devEvictAt) {
		return false
	}
	old := 0
	for i := range s.devs {
		if s.devs[i].last.Before(s.devs[old].last) {
			old = i
		}
	}
	if last := s.devs[old].last; s.at.Sub(last) < EvictAfter {
		s.devEvictAt = last.Add(EvictAfter)
		return false
	}
	delete(s.devIdx, s.devs[old].key)
	s.devs = append(s.devs[:old], s.devs[old+1:]...)
	s.work.Devices = append(s.work.Devices[:old], s.work.Devices[old+1:]...)
	for j := old; j < len(s.devs); j++ {
		s.devIdx[s.devs[j].key] = int32(j)
	}
	s.dirty = true
	s.totals.DevicesEvicted++
	return true
}

// decodeDevice applies /VMC/Ext/{Hmd,Con,Tra}/Pos[/Local] (v2.2, Local v2.3):
// a tracked device's serial and pose. The id gives the kind and whether the
// pose is in the device's raw scale (Local).
func (s *Scene) decodeDevice(id addrID) fault {
	a := s.msg.Args()
	serial, t, err := readPose(&a)
	if err != nil {
		return faultOf(err)
	}
	return s.device(DeviceKind((id-idHMD)%3), id >= idHMDLocal, serial, t)
}
