// Package arkit is the vocabulary of Apple ARKit's 52 face blendshapes
// (ARFaceAnchor.BlendShapeLocation), the names "Perfect Sync" VRM models use
// for their expressions and iFacialMocap uses on the wire.
//
// Spellings accepted by [Parse], all case-insensitive (field notes §6):
//   - ARKit camelCase: "eyeBlinkLeft" (the canonical [Shape.String])
//   - PascalCase, common in Perfect Sync models: "EyeBlinkLeft"
//   - iFacialMocap: "eyeBlink_L", "eyeBlink_R" (a trailing _L/_R only;
//     "jawLeft", "mouthLeft" keep their full words)
package arkit

import "github.com/kugutsu/kugutsu/internal/mathx"

// Shape is one of the 52 ARKit blendshapes, in ARKit's documented order.
type Shape uint8

// Count is the number of ARKit blendshapes.
const Count = 52

// The ARKit blendshapes.
const (
	EyeBlinkLeft Shape = iota
	EyeLookDownLeft
	EyeLookInLeft
	EyeLookOutLeft
	EyeLookUpLeft
	EyeSquintLeft
	EyeWideLeft
	EyeBlinkRight
	EyeLookDownRight
	EyeLookInRight
	EyeLookOutRight
	EyeLookUpRight
	EyeSquintRight
	EyeWideRight
	JawForward
	JawLeft
	JawRight
	JawOpen
	MouthClose
	MouthFunnel
	MouthPucker
	MouthLeft
	MouthRight
	MouthSmileLeft
	MouthSmileRight
	MouthFrownLeft
	MouthFrownRight
	MouthDimpleLeft
	MouthDimpleRight
	MouthStretchLeft
	MouthStretchRight
	MouthRollLower
	MouthRollUpper
	MouthShrugLower
	MouthShrugUpper
	MouthPressLeft
	MouthPressRight
	MouthLowerDownLeft
	MouthLowerDownRight
	MouthUpperUpLeft
	MouthUpperUpRight
	BrowDownLeft
	BrowDownRight
	BrowInnerUp
	BrowOuterUpLeft
	BrowOuterUpRight
	CheekPuff
	CheekSquintLeft
	CheekSquintRight
	NoseSneerLeft
	NoseSneerRight
	TongueOut
)

var names = [Count]string{
	"eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft",
	"eyeSquintLeft", "eyeWideLeft", "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight",
	"eyeLookOutRight", "eyeLookUpRight", "eyeSquintRight", "eyeWideRight", "jawForward",
	"jawLeft", "jawRight", "jawOpen", "mouthClose", "mouthFunnel", "mouthPucker", "mouthLeft",
	"mouthRight", "mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight",
	"mouthDimpleLeft", "mouthDimpleRight", "mouthStretchLeft", "mouthStretchRight",
	"mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthPressLeft",
	"mouthPressRight", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthUpperUpLeft",
	"mouthUpperUpRight", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
	"browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "noseSneerLeft",
	"noseSneerRight", "tongueOut",
}

// iFacialMocap spellings, built at start-up: a trailing "Left"/"Right" of a
// paired shape becomes "_L"/"_R".
var ifmNames [Count]string

// byLower maps the lower-cased ARKit and iFacialMocap spellings to shapes.
var byLower = make(map[string]Shape, 2*Count)

func init() {
	for i, n := range names {
		ifm := n
		switch {
		case isPaired(n, "Left"):
			ifm = n[:len(n)-4] + "_L"
		case isPaired(n, "Right"):
			ifm = n[:len(n)-5] + "_R"
		}
		ifmNames[i] = ifm
		byLower[mathx.LowerASCII(n)] = Shape(i)
		byLower[mathx.LowerASCII(ifm)] = Shape(i)
	}
}

// isPaired reports whether n is a left/right pair member that iFacialMocap
// abbreviates: it ends in side but is not one of jawLeft/jawRight/mouthLeft/
// mouthRight, whose side is the whole motion.
func isPaired(n, side string) bool {
	if len(n) <= len(side) || n[len(n)-len(side):] != side {
		return false
	}
	switch n {
	case "jawLeft", "jawRight", "mouthLeft", "mouthRight":
		return false
	}
	return true
}

// Valid reports whether s is one of the 52 shapes.
func (s Shape) Valid() bool { return s < Count }

// String returns the ARKit camelCase name ("eyeBlinkLeft").
func (s Shape) String() string {
	if !s.Valid() {
		return "invalid"
	}
	return names[s]
}

// PascalName returns the PascalCase name Perfect Sync models often use
// ("EyeBlinkLeft").
func (s Shape) PascalName() string {
	n := s.String()
	return string(n[0]-'a'+'A') + n[1:]
}

// IFacialMocapName returns the name iFacialMocap sends ("eyeBlink_L").
func (s Shape) IFacialMocapName() string {
	if !s.Valid() {
		return ""
	}
	return ifmNames[s]
}

const maxNameLen = 32

// Parse looks up a shape by any accepted spelling, ignoring case. It does not
// allocate.
func Parse(name string) (Shape, bool) {
	if len(name) == 0 || len(name) > maxNameLen {
		return 0, false
	}
	var buf [maxNameLen]byte
	s, ok := byLower[string(mathx.AppendLowerASCII(buf[:0], name))]
	return s, ok
}
