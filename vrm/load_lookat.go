package vrm

import (
	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

// defaultLookAtOffset is used when a file gives no lookAt origin: 6 cm above
// the head bone (the spec's example; "fall back to an appropriate value").
var defaultLookAtOffset = mgl32.Vec3{0, 0.06, 0}

// rangeMap builds a lookAt range map from a file's input maximum (degrees)
// and output scale, either of which may be absent: a missing, non-finite or
// non-positive input maximum becomes 90°, a missing or non-finite scale
// defScale. VRM 1.0 names them inputMaxValue/outputScale, VRM 0.x
// xRange/yRange (VRM 1.0 VRMC_vrm lookAt spec; VRM 0.x firstPerson degreeMap).
func rangeMap(inputMax, outputScale *float32, defScale float32) RangeMap {
	out := RangeMap{InputMaxValue: 90, OutputScale: defScale}
	if inputMax != nil && *inputMax > 0 && finite32(*inputMax) {
		out.InputMaxValue = *inputMax
	}
	if outputScale != nil && finite32(*outputScale) {
		out.OutputScale = *outputScale
	}
	return out
}

func rangeMap1(r *schema.V1RangeMap, defScale float32) RangeMap {
	if r == nil {
		return rangeMap(nil, nil, defScale)
	}
	return rangeMap(r.InputMaxValue, r.OutputScale, defScale)
}

// loadLookAt1 reads VRMC_vrm.lookAt (lookAt.md).
func (l *loader) loadLookAt1(x *schema.V1LookAt) error {
	la := &l.av.LookAt
	la.OffsetFromHeadBone = defaultLookAtOffset
	if x == nil {
		x = &schema.V1LookAt{}
	}
	def := float32(10)
	switch x.Type {
	case "", "bone":
		la.Type = LookAtBone
	case "expression":
		la.Type, def = LookAtExpression, 1
	default:
		l.warnf("VRMC_vrm.lookAt.type %q unknown; using bone", x.Type)
	}
	if o := x.OffsetFromHeadBone; o != nil {
		la.OffsetFromHeadBone = mgl32.Vec3(*o)
	}
	la.HorizontalInner = rangeMap1(x.RangeMapHorizontalInner, def)
	la.HorizontalOuter = rangeMap1(x.RangeMapHorizontalOuter, def)
	la.VerticalDown = rangeMap1(x.RangeMapVerticalDown, def)
	la.VerticalUp = rangeMap1(x.RangeMapVerticalUp, def)
	return nil
}

var firstPersonTypes = map[string]FirstPersonType{
	"auto": FirstPersonAuto, "both": FirstPersonBoth,
	"thirdPersonOnly": FirstPersonThirdPersonOnly, "firstPersonOnly": FirstPersonFirstPersonOnly,
}

// loadFirstPerson1 reads VRMC_vrm.firstPerson.meshAnnotations.
func (l *loader) loadFirstPerson1(x *schema.V1FirstPerson) error {
	if x == nil {
		return nil
	}
	for i, a := range x.MeshAnnotations {
		el := "VRMC_vrm.firstPerson.meshAnnotations[" + itoa(i) + "]"
		if a.Node < 0 || a.Node >= len(l.av.Nodes) {
			l.warnf("%s: node %d does not exist; ignored", el, a.Node)
			continue
		}
		t, ok := firstPersonTypes[a.Type]
		if !ok {
			l.warnf("%s: type %q unknown; using auto", el, a.Type)
		}
		l.annotate(a.Node, t)
	}
	return nil
}

func (l *loader) annotate(node int, t FirstPersonType) {
	fp := &l.av.FirstPerson
	if fp.Annotations == nil {
		fp.Annotations = map[int]FirstPersonType{}
	}
	fp.Annotations[node] = t
}

// loadFirstPerson0 reads VRM.firstPerson's mesh annotations (by mesh, so
// they apply to every node using the mesh) and lookAt type and degree maps.
// Its lookAt origin is finished by finishLookAt0 once nodes are turned.
func (l *loader) loadFirstPerson0(x *schema.V0FirstPerson) error {
	la := &l.av.LookAt
	la.OffsetFromHeadBone = defaultLookAtOffset
	if x == nil {
		x = &schema.V0FirstPerson{}
	}
	last := map[int]FirstPersonType{}
	var meshes []int // in order of first annotation
	for i, a := range x.MeshAnnotations {
		el := "VRM.firstPerson.meshAnnotations[" + itoa(i) + "]"
		t, ok := firstPersonTypes[lowerFirstASCII(a.FirstPersonFlag)]
		if !ok {
			l.warnf("%s: firstPersonFlag %q unknown; using auto", el, a.FirstPersonFlag)
		}
		if len(l.meshNodes()[a.Mesh]) == 0 {
			l.warnf("%s: no node uses mesh %d; ignored", el, a.Mesh)
			continue
		}
		// A later annotation of the same mesh wins: apply each mesh's
		// last one once (annotations × nodes was quadratic).
		if _, ok := last[a.Mesh]; !ok {
			meshes = append(meshes, a.Mesh)
		}
		last[a.Mesh] = t
	}
	for _, m := range meshes {
		for _, ni := range l.meshNodes()[m] {
			l.annotate(ni, last[m])
		}
	}
	def := float32(10)
	switch x.LookAtTypeName {
	case "", "Bone":
		la.Type = LookAtBone
	case "BlendShape":
		la.Type, def = LookAtExpression, 1
	default:
		l.warnf("VRM.firstPerson.lookAtTypeName %q unknown; using Bone", x.LookAtTypeName)
	}
	// The curve is not used: its linear part is what every runtime applies.
	rm := func(d *schema.V0DegreeMap) RangeMap {
		if d == nil {
			return rangeMap(nil, nil, def)
		}
		return rangeMap(d.XRange, d.YRange, def)
	}
	la.HorizontalInner = rm(x.LookAtHorizontalInner)
	la.HorizontalOuter = rm(x.LookAtHorizontalOuter)
	la.VerticalDown = rm(x.LookAtVerticalDown)
	la.VerticalUp = rm(x.LookAtVerticalUp)
	return nil
}

// finishLookAt0 turns VRM 0.x's firstPersonBoneOffset (Unity coordinates,
// in firstPersonBone's local space) into an offset from the head bone, after
// the scene has been turned to the VRM 1.0 frame.
func (l *loader) finishLookAt0(x *schema.V0FirstPerson) {
	av := l.av
	if x == nil || x.FirstPersonBoneOffset == nil {
		return
	}
	o := x.FirstPersonBoneOffset
	off := mgl32.Vec3{-o.X, o.Y, o.Z} // Unity → VRM 1.0 frame (ReverseX)
	head := av.Humanoid.Node(humanoid.Head)
	fp := head
	if x.FirstPersonBone != nil && *x.FirstPersonBone >= 0 && *x.FirstPersonBone < len(av.Nodes) {
		fp = *x.FirstPersonBone
	}
	if fp == head || head < 0 {
		av.LookAt.OffsetFromHeadBone = off
		return
	}
	rest := av.restWorld()
	p := transformPoint(&rest[fp], off)
	inv := rest[head].Inv()
	av.LookAt.OffsetFromHeadBone = transformPoint(&inv, p)
}

func lowerFirstASCII(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
