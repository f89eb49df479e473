package doll

import (
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

// shape is one parametric face deformation: it changes the rest face's
// parameters, and the difference of the rebuilt face parts becomes a morph
// target named name on every face mesh it moves.
type shape struct {
	name  string
	apply func(P *faceParams)
}

// Sides: arkit's Left shapes act on the doll's left (+X, index 0).
const (
	L = 0
	R = 1
)

// arkitShapes returns the 52 ARKit Perfect Sync deformations, in ARKit order.
func arkitShapes() []shape {
	eyeSides := func(f func(e *eyeParams, in, out float64)) [2]func(P *faceParams) {
		// in/out: the sign of a yaw toward the nose / toward the ear.
		return [2]func(P *faceParams){
			func(P *faceParams) { f(&P.eye[L], -1, 1) },
			func(P *faceParams) { f(&P.eye[R], 1, -1) },
		}
	}
	// A blink meets a little below the eye's middle: the upper lid comes
	// down 43°, the lower lid up 28° (short travels keep the lids' straight
	// morph paths outside the eyeball).
	blink := eyeSides(func(e *eyeParams, _, _ float64) {
		e.upper, e.upperCurve, e.upperTilt = -12, 10, 0
		e.lower, e.lowerCurve, e.lowerTilt = -10, 0, 0
	})
	lookDown := eyeSides(func(e *eyeParams, _, _ float64) { e.pitch, e.upper, e.lower = -22, e.upper-11, e.lower-4 })
	lookIn := eyeSides(func(e *eyeParams, in, _ float64) { e.yaw = 24 * in })
	lookOut := eyeSides(func(e *eyeParams, _, out float64) { e.yaw = 24 * out })
	lookUp := eyeSides(func(e *eyeParams, _, _ float64) { e.pitch, e.upper, e.lower = 20, e.upper+7, e.lower+3 })
	squint := eyeSides(func(e *eyeParams, _, _ float64) {
		e.lower, e.lowerCurve, e.upper = e.lower+15, e.lowerCurve-6, e.upper-4
	})
	wide := eyeSides(func(e *eyeParams, _, _ float64) { e.upper, e.lower = e.upper+13, e.lower-4 })

	byShape := map[arkit.Shape]func(P *faceParams){
		arkit.EyeBlinkLeft: blink[L], arkit.EyeBlinkRight: blink[R],
		arkit.EyeLookDownLeft: lookDown[L], arkit.EyeLookDownRight: lookDown[R],
		arkit.EyeLookInLeft: lookIn[L], arkit.EyeLookInRight: lookIn[R],
		arkit.EyeLookOutLeft: lookOut[L], arkit.EyeLookOutRight: lookOut[R],
		arkit.EyeLookUpLeft: lookUp[L], arkit.EyeLookUpRight: lookUp[R],
		arkit.EyeSquintLeft: squint[L], arkit.EyeSquintRight: squint[R],
		arkit.EyeWideLeft: wide[L], arkit.EyeWideRight: wide[R],

		arkit.JawForward: func(P *faceParams) { P.jawZ = 0.005 },
		arkit.JawLeft:    func(P *faceParams) { P.jawX = 0.006 },
		arkit.JawRight:   func(P *faceParams) { P.jawX = -0.006 },
		arkit.JawOpen: func(P *faceParams) {
			P.mouth.open, P.mouth.round, P.chinDrop = 0.024, 0.2, 0.006
			P.mouth.halfWidth -= 0.002
		},
		arkit.MouthClose: func(P *faceParams) { P.mouth.open, P.chinDrop = -0.016, -0.004 },
		arkit.MouthFunnel: func(P *faceParams) {
			P.mouth.halfWidth -= 0.006
			P.mouth.open, P.mouth.round, P.mouth.forward = 0.012, 1, 0.004
		},
		arkit.MouthPucker: func(P *faceParams) {
			P.mouth.halfWidth -= 0.007
			P.mouth.gap -= 0.0006
			P.mouth.forward = 0.006
		},
		arkit.MouthLeft:  func(P *faceParams) { P.mouth.shift = 0.009 },
		arkit.MouthRight: func(P *faceParams) { P.mouth.shift = -0.009 },

		arkit.MouthSmileLeft:    smile(L),
		arkit.MouthSmileRight:   smile(R),
		arkit.MouthFrownLeft:    func(P *faceParams) { P.mouth.cornerY[L] -= 0.0068 },
		arkit.MouthFrownRight:   func(P *faceParams) { P.mouth.cornerY[R] -= 0.0068 },
		arkit.MouthDimpleLeft:   func(P *faceParams) { P.mouth.cornerX[L] += 0.0035; P.mouth.cornerY[L] += 0.001 },
		arkit.MouthDimpleRight:  func(P *faceParams) { P.mouth.cornerX[R] += 0.0035; P.mouth.cornerY[R] += 0.001 },
		arkit.MouthStretchLeft:  stretch(L),
		arkit.MouthStretchRight: stretch(R),
		arkit.MouthRollLower:    func(P *faceParams) { P.mouth.lowerIn = 0.0011 },
		arkit.MouthRollUpper:    func(P *faceParams) { P.mouth.upperIn = 0.0011 },
		arkit.MouthShrugLower:   func(P *faceParams) { P.mouth.lowerIn, P.chinDrop, P.jawZ = 0.0008, -0.003, 0.002 },
		arkit.MouthShrugUpper:   func(P *faceParams) { P.mouth.upperUp[L] += 0.0025; P.mouth.upperUp[R] += 0.0025 },
		arkit.MouthPressLeft:    func(P *faceParams) { P.mouth.press[L] = 0.0007; P.mouth.cornerX[L] += 0.0015 },
		arkit.MouthPressRight:   func(P *faceParams) { P.mouth.press[R] = 0.0007; P.mouth.cornerX[R] += 0.0015 },
		arkit.MouthLowerDownLeft: func(P *faceParams) {
			P.mouth.lowerDown[L] += 0.007
		},
		arkit.MouthLowerDownRight: func(P *faceParams) { P.mouth.lowerDown[R] += 0.007 },
		arkit.MouthUpperUpLeft:    func(P *faceParams) { P.mouth.upperUp[L] += 0.005 },
		arkit.MouthUpperUpRight:   func(P *faceParams) { P.mouth.upperUp[R] += 0.005 },

		arkit.BrowDownLeft:  browDown(L),
		arkit.BrowDownRight: browDown(R),
		arkit.BrowInnerUp: func(P *faceParams) {
			for i := range 2 {
				P.brow[i].inner += 0.0072
				P.brow[i].squeeze += 0.001
			}
		},
		arkit.BrowOuterUpLeft:  func(P *faceParams) { P.brow[L].outer += 0.0072 },
		arkit.BrowOuterUpRight: func(P *faceParams) { P.brow[R].outer += 0.0072 },

		arkit.CheekPuff: func(P *faceParams) { P.cheekPuff = 1; P.mouth.halfWidth -= 0.002 },
		arkit.CheekSquintLeft: func(P *faceParams) {
			P.cheekRaise[L] += 0.005
			P.eye[L].lower += 6
		},
		arkit.CheekSquintRight: func(P *faceParams) {
			P.cheekRaise[R] += 0.005
			P.eye[R].lower += 6
		},
		arkit.NoseSneerLeft:  sneer(L),
		arkit.NoseSneerRight: sneer(R),
		arkit.TongueOut:      func(P *faceParams) { P.tongue = 1; P.mouth.open = 0.006 },
	}
	out := make([]shape, arkit.Count)
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		f, ok := byShape[s]
		if !ok {
			panic("doll: no deformation for " + s.String())
		}
		out[s] = shape{s.String(), f}
	}
	return out
}

func smile(i int) func(P *faceParams) {
	return func(P *faceParams) {
		P.mouth.cornerY[i] += 0.0075
		P.mouth.cornerX[i] += 0.003
		P.cheekRaise[i] += 0.003
		P.eye[i].lower += 4
	}
}

func stretch(i int) func(P *faceParams) {
	return func(P *faceParams) {
		P.mouth.cornerX[i] += 0.005
		P.mouth.cornerY[i] -= 0.003
		P.mouth.lowerDown[i] += 0.002
	}
}

func browDown(i int) func(P *faceParams) {
	return func(P *faceParams) {
		P.brow[i].raise -= 0.004
		P.brow[i].inner -= 0.004
		P.brow[i].squeeze += 0.002
	}
}

func sneer(i int) func(P *faceParams) {
	return func(P *faceParams) {
		P.sneer[i] = 0.003
		P.brow[i].inner -= 0.002
		P.cheekRaise[i] += 0.0015
	}
}

// presetShapes are the deformations of the VRM presets that have a face of
// their own (the rest reuse ARKit shapes, see presetBinds).
func presetShapes() []shape {
	both := func(f func(i int, P *faceParams)) func(P *faceParams) {
		return func(P *faceParams) { f(L, P); f(R, P) }
	}
	return []shape{
		{"happy", both(func(i int, P *faceParams) {
			e := &P.eye[i]
			// Closed in an upward arch: ^ ^.
			e.upper, e.upperCurve, e.upperTilt = -6, 34, 0
			e.lower, e.lowerCurve, e.lowerTilt = -7.5, -34, 0
			P.mouth.cornerY[i] += 0.008
			P.mouth.cornerX[i] += 0.002
			P.mouth.open = 0.009
			P.cheekRaise[i] += 0.003
			P.brow[i].raise += 0.003
			P.brow[i].arch += 0.0015
		})},
		{"angry", both(func(i int, P *faceParams) {
			P.brow[i].inner -= 0.008
			P.brow[i].outer += 0.003
			P.brow[i].raise -= 0.0015
			P.brow[i].squeeze += 0.003
			P.eye[i].upperTilt, P.eye[i].upper = 11, P.eye[i].upper-4
			P.eye[i].lower += 3
			P.mouth.cornerY[i] -= 0.0062
			P.mouth.halfWidth = restFace.mouth.halfWidth - 0.002
			P.mouth.open = 0.002
		})},
		{"sad", both(func(i int, P *faceParams) {
			P.brow[i].inner += 0.007
			P.brow[i].outer -= 0.002
			P.eye[i].upperTilt, P.eye[i].upper = -10, P.eye[i].upper-5
			P.mouth.cornerY[i] -= 0.0072
			P.mouth.open = 0.0012
		})},
		{"relaxed", both(func(i int, P *faceParams) {
			P.eye[i].upper, P.eye[i].upperCurve = P.eye[i].upper-13, P.eye[i].upperCurve-4
			P.eye[i].lower += 5
			P.mouth.cornerY[i] += 0.004
			P.mouth.cornerX[i] += 0.001
			P.brow[i].raise -= 0.001
		})},
		{"surprised", both(func(i int, P *faceParams) {
			P.eye[i].upper += 13
			P.eye[i].lower -= 6
			P.brow[i].raise += 0.0085
			P.brow[i].arch += 0.002
			P.mouth.open, P.mouth.round = 0.014, 1
			P.mouth.halfWidth = restFace.mouth.halfWidth - 0.005
		})},
		{"aa", func(P *faceParams) {
			P.mouth.open, P.mouth.round, P.chinDrop = 0.026, 0.25, 0.006
			P.mouth.halfWidth -= 0.001
		}},
		{"ih", func(P *faceParams) {
			P.mouth.open, P.chinDrop = 0.007, 0.001
			P.mouth.halfWidth += 0.004
			P.mouth.cornerY[L] += 0.002
			P.mouth.cornerY[R] += 0.002
		}},
		{"ou", func(P *faceParams) {
			P.mouth.open, P.mouth.round, P.mouth.forward, P.chinDrop = 0.010, 1, 0.005, 0.002
			P.mouth.halfWidth -= 0.007
		}},
		{"ee", func(P *faceParams) {
			P.mouth.open, P.chinDrop = 0.012, 0.003
			P.mouth.halfWidth += 0.003
			P.mouth.cornerY[L] += 0.001
			P.mouth.cornerY[R] += 0.001
		}},
		{"oh", func(P *faceParams) {
			P.mouth.open, P.mouth.round, P.mouth.forward, P.chinDrop = 0.019, 1, 0.002, 0.005
			P.mouth.halfWidth -= 0.0045
		}},
		{"neutral", both(func(i int, P *faceParams) {
			P.mouth.cornerY[i] = 0
			P.brow[i].raise -= 0.001
			P.eye[i].upper -= 2
		})},
	}
}

// expressionDef is one VRM expression: the shapes it binds, with weights.
type expressionDef struct {
	name   string
	preset vrm.Preset
	binds  []bind
	blink  vrm.Override
	lookAt vrm.Override
	mouth  vrm.Override
}

type bind struct {
	shape  string
	weight float32
}

func one(name string) []bind { return []bind{{name, 1}} }

// expressionDefs lists the 18 VRM 1.0 presets (in the spec's order) and the
// 52 ARKit expressions (custom, named as ARKit spells them).
func expressionDefs() []expressionDef {
	n := func(s arkit.Shape) string { return s.String() }
	defs := []expressionDef{
		{name: "happy", preset: vrm.PresetHappy, binds: one("happy"), blink: vrm.OverrideBlock, mouth: vrm.OverrideBlend},
		{name: "angry", preset: vrm.PresetAngry, binds: one("angry"), blink: vrm.OverrideBlend, mouth: vrm.OverrideBlend},
		{name: "sad", preset: vrm.PresetSad, binds: one("sad"), blink: vrm.OverrideBlend, mouth: vrm.OverrideBlend},
		{name: "relaxed", preset: vrm.PresetRelaxed, binds: one("relaxed"), blink: vrm.OverrideBlock, mouth: vrm.OverrideBlend},
		{name: "surprised", preset: vrm.PresetSurprised, binds: one("surprised"), blink: vrm.OverrideBlock, mouth: vrm.OverrideBlend},
		{name: "aa", preset: vrm.PresetAa, binds: one("aa")},
		{name: "ih", preset: vrm.PresetIh, binds: one("ih")},
		{name: "ou", preset: vrm.PresetOu, binds: one("ou")},
		{name: "ee", preset: vrm.PresetEe, binds: one("ee")},
		{name: "oh", preset: vrm.PresetOh, binds: one("oh")},
		{name: "blink", preset: vrm.PresetBlink, binds: []bind{{n(arkit.EyeBlinkLeft), 1}, {n(arkit.EyeBlinkRight), 1}}},
		{name: "blinkLeft", preset: vrm.PresetBlinkLeft, binds: one(n(arkit.EyeBlinkLeft))},
		{name: "blinkRight", preset: vrm.PresetBlinkRight, binds: one(n(arkit.EyeBlinkRight))},
		{name: "lookUp", preset: vrm.PresetLookUp, binds: []bind{{n(arkit.EyeLookUpLeft), 1}, {n(arkit.EyeLookUpRight), 1}}},
		{name: "lookDown", preset: vrm.PresetLookDown, binds: []bind{{n(arkit.EyeLookDownLeft), 1}, {n(arkit.EyeLookDownRight), 1}}},
		// lookLeft turns the gaze toward the doll's own left (+X): the left
		// eye looks out, the right eye in.
		{name: "lookLeft", preset: vrm.PresetLookLeft, binds: []bind{{n(arkit.EyeLookOutLeft), 1}, {n(arkit.EyeLookInRight), 1}}},
		{name: "lookRight", preset: vrm.PresetLookRight, binds: []bind{{n(arkit.EyeLookInLeft), 1}, {n(arkit.EyeLookOutRight), 1}}},
		{name: "neutral", preset: vrm.PresetNeutral, binds: one("neutral")},
	}
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		defs = append(defs, expressionDef{name: s.String(), preset: vrm.PresetCustom, binds: one(s.String())})
	}
	return defs
}
