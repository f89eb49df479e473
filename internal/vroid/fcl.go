package vroid

// fclTarget is one of VRoid Studio's face morph targets, made as a weighted
// sum of the doll's shapes (ARKit and VRM preset shapes, see
// assets/internal/doll) and of the eyelash shapes made here.
type fclTarget struct {
	name   string
	shapes []fclShape
}

type fclShape struct {
	shape  string
	weight float32
}

func sh(pairs ...any) []fclShape {
	var out []fclShape
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, fclShape{pairs[i].(string), float32(pairs[i+1].(float64))})
	}
	return out
}

// fcl lists the Face mesh's morph targets in VRoid Studio's order and names
// (Fcl_ALL_*, Fcl_BRW_*, Fcl_EYE_*, Fcl_MTH_*, Fcl_HA_*).
func fcl() []fclTarget {
	return []fclTarget{
		{"Fcl_ALL_Neutral", sh("neutral", 1.0)},
		{"Fcl_ALL_Angry", sh("angry", 1.0)},
		{"Fcl_ALL_Fun", sh("relaxed", 1.0)},
		{"Fcl_ALL_Joy", sh("happy", 1.0, "eyeBlinkLeft", 0.6, "eyeBlinkRight", 0.6)},
		{"Fcl_ALL_Sorrow", sh("sad", 1.0)},
		{"Fcl_ALL_Surprised", sh("surprised", 1.0, "eyeWideLeft", 1.0, "eyeWideRight", 1.0)},
		{"Fcl_BRW_Angry", sh("browDownLeft", 1.0, "browDownRight", 1.0)},
		{"Fcl_BRW_Fun", sh("browOuterUpLeft", 0.5, "browOuterUpRight", 0.5)},
		{"Fcl_BRW_Joy", sh("browInnerUp", 0.4, "browOuterUpLeft", 0.6, "browOuterUpRight", 0.6)},
		{"Fcl_BRW_Sorrow", sh("browInnerUp", 1.0)},
		{"Fcl_BRW_Surprised", sh("browInnerUp", 1.0, "browOuterUpLeft", 1.0, "browOuterUpRight", 1.0)},
		{"Fcl_EYE_Natural", sh("eyeSquintLeft", 0.2, "eyeSquintRight", 0.2)},
		{"Fcl_EYE_Angry", sh("eyeSquintLeft", 0.6, "eyeSquintRight", 0.6)},
		{"Fcl_EYE_Close", sh("eyeBlinkLeft", 1.0, "eyeBlinkRight", 1.0)},
		{"Fcl_EYE_Close_R", sh("eyeBlinkRight", 1.0)},
		{"Fcl_EYE_Close_L", sh("eyeBlinkLeft", 1.0)},
		{"Fcl_EYE_Fun", sh("eyeSquintLeft", 0.8, "eyeSquintRight", 0.8, "cheekSquintLeft", 0.5, "cheekSquintRight", 0.5)},
		{"Fcl_EYE_Joy", sh("eyeBlinkLeft", 0.9, "eyeBlinkRight", 0.9, "cheekSquintLeft", 1.0, "cheekSquintRight", 1.0)},
		{"Fcl_EYE_Joy_R", sh("eyeBlinkRight", 0.9, "cheekSquintRight", 1.0)},
		{"Fcl_EYE_Joy_L", sh("eyeBlinkLeft", 0.9, "cheekSquintLeft", 1.0)},
		{"Fcl_EYE_Sorrow", sh("eyeBlinkLeft", 0.3, "eyeBlinkRight", 0.3)},
		{"Fcl_EYE_Surprised", sh("eyeWideLeft", 1.0, "eyeWideRight", 1.0)},
		{"Fcl_EYE_Spread", sh("eyeWideLeft", 0.6, "eyeWideRight", 0.6)},
		{"Fcl_EYE_Iris_Hide", sh("eyeLookUpLeft", 1.0, "eyeLookUpRight", 1.0)},
		{"Fcl_EYE_Highlight_Hide", sh("eyeLookDownLeft", 0.3, "eyeLookDownRight", 0.3)},
		{"Fcl_MTH_Close", sh("mouthClose", 1.0)},
		{"Fcl_MTH_Up", sh("mouthShrugUpper", 1.0)},
		{"Fcl_MTH_Down", sh("mouthShrugLower", 1.0)},
		{"Fcl_MTH_Angry", sh("mouthFrownLeft", 1.0, "mouthFrownRight", 1.0)},
		{"Fcl_MTH_Small", sh("mouthPucker", 1.0)},
		{"Fcl_MTH_Large", sh("jawOpen", 0.6, "mouthStretchLeft", 0.5, "mouthStretchRight", 0.5)},
		{"Fcl_MTH_Neutral", sh("mouthClose", 0.2)},
		{"Fcl_MTH_Fun", sh("mouthSmileLeft", 0.6, "mouthSmileRight", 0.6)},
		{"Fcl_MTH_Joy", sh("mouthSmileLeft", 1.0, "mouthSmileRight", 1.0, "jawOpen", 0.3)},
		{"Fcl_MTH_Sorrow", sh("mouthFrownLeft", 0.8, "mouthFrownRight", 0.8)},
		{"Fcl_MTH_Surprised", sh("jawOpen", 0.7, "mouthFunnel", 0.5)},
		{"Fcl_MTH_SkinFung", sh("mouthUpperUpLeft", 0.5, "mouthUpperUpRight", 0.5)},
		{"Fcl_MTH_SkinFung_R", sh("mouthUpperUpRight", 1.0)},
		{"Fcl_MTH_SkinFung_L", sh("mouthUpperUpLeft", 1.0)},
		{"Fcl_MTH_A", sh("aa", 1.0)},
		{"Fcl_MTH_I", sh("ih", 1.0)},
		{"Fcl_MTH_U", sh("ou", 1.0)},
		{"Fcl_MTH_E", sh("ee", 1.0)},
		{"Fcl_MTH_O", sh("oh", 1.0)},
		{"Fcl_HA_Hide", sh("mouthRollLower", 0.5, "mouthRollUpper", 0.5)},
		{"Fcl_HA_Fung1", sh("mouthUpperUpLeft", 0.3, "mouthUpperUpRight", 0.3)},
		{"Fcl_HA_Fung1_Low", sh("mouthLowerDownLeft", 0.3, "mouthLowerDownRight", 0.3)},
		{"Fcl_HA_Fung1_Up", sh("mouthUpperUpLeft", 0.5)},
		{"Fcl_HA_Fung2", sh("mouthDimpleLeft", 1.0, "mouthDimpleRight", 1.0)},
		{"Fcl_HA_Fung2_Low", sh("mouthLowerDownLeft", 0.6, "mouthLowerDownRight", 0.6)},
		{"Fcl_HA_Fung2_Up", sh("mouthUpperUpRight", 0.5)},
		{"Fcl_HA_Fung3", sh("mouthPressLeft", 1.0, "mouthPressRight", 1.0)},
		{"Fcl_HA_Fung3_Up", sh("mouthRollUpper", 1.0)},
		{"Fcl_HA_Fung3_Low", sh("mouthRollLower", 1.0)},
		{"Fcl_HA_Short", sh("cheekPuff", 1.0)},
		{"Fcl_HA_Short_Up", sh("noseSneerLeft", 1.0, "noseSneerRight", 1.0)},
		{"Fcl_HA_Short_Low", sh("jawForward", 1.0)},
	}
}
