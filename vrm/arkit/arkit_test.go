package arkit

import "testing"

func TestNames(t *testing.T) {
	cases := []struct {
		in   string
		want Shape
	}{
		{"eyeBlinkLeft", EyeBlinkLeft}, {"EyeBlinkLeft", EyeBlinkLeft}, {"eyeBlink_L", EyeBlinkLeft},
		{"EYEBLINK_r", EyeBlinkRight}, {"jawLeft", JawLeft}, {"mouthRight", MouthRight},
		{"mouthSmile_R", MouthSmileRight}, {"browInnerUp", BrowInnerUp}, {"tongueOut", TongueOut},
		{"cheekSquint_L", CheekSquintLeft}, {"noseSneer_R", NoseSneerRight},
	}
	for _, c := range cases {
		if got, ok := Parse(c.in); !ok || got != c.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "jaw_L", "mouth_L", "eyeBlink", "hapihapi", "trackingStatus"} {
		if _, ok := Parse(bad); ok {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
	if JawLeft.IFacialMocapName() != "jawLeft" || EyeWideRight.IFacialMocapName() != "eyeWide_R" {
		t.Error("iFacialMocap names")
	}
	if MouthPressLeft.PascalName() != "MouthPressLeft" {
		t.Error(MouthPressLeft.PascalName())
	}
	seen := map[string]bool{}
	for s := Shape(0); s < Count; s++ {
		for _, n := range []string{s.String(), s.IFacialMocapName()} {
			if got, _ := Parse(n); got != s {
				t.Errorf("%q round-trips to %v", n, got)
			}
		}
		if seen[s.String()] {
			t.Errorf("duplicate %v", s)
		}
		seen[s.String()] = true
	}
	if n := testing.AllocsPerRun(100, func() { Parse("mouthLowerDown_R") }); n != 0 {
		t.Errorf("Parse allocates %v", n)
	}
}
