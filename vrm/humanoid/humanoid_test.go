package humanoid

import "testing"

func TestUnityIndicesMatchHumanBodyBones(t *testing.T) {
	// Spot checks against UnityEngine.HumanBodyBones.
	cases := map[string]int{
		"Hips": 0, "LeftFoot": 5, "Spine": 7, "Head": 10, "LeftHand": 17, "LeftEye": 21,
		"Jaw": 23, "LeftThumbProximal": 24, "LeftLittleDistal": 38,
		"RightThumbProximal": 39, "RightLittleDistal": 53, "UpperChest": 54,
	}
	for name, idx := range cases {
		b, ok := ParseUnity(name)
		if !ok || int(b) != idx {
			t.Errorf("ParseUnity(%q) = %d, %v; want %d", name, b, ok, idx)
		}
	}
	if _, ok := ParseUnity("LastBone"); ok {
		t.Error("LastBone parsed as a bone")
	}
}

func TestThumbShift(t *testing.T) {
	cases := []struct {
		unity, vrm1 string
		bone        Bone
	}{
		{"LeftThumbProximal", "leftThumbMetacarpal", LeftThumbMetacarpal},
		{"LeftThumbIntermediate", "leftThumbProximal", LeftThumbProximal},
		{"LeftThumbDistal", "leftThumbDistal", LeftThumbDistal},
		{"RightThumbProximal", "rightThumbMetacarpal", RightThumbMetacarpal},
		{"RightThumbIntermediate", "rightThumbProximal", RightThumbProximal},
	}
	for _, c := range cases {
		if b, _ := ParseUnity(c.unity); b != c.bone {
			t.Errorf("ParseUnity(%q) = %v, want %v", c.unity, b, c.bone)
		}
		if b, _ := ParseVRM1(c.vrm1); b != c.bone {
			t.Errorf("ParseVRM1(%q) = %v, want %v", c.vrm1, b, c.bone)
		}
		if c.bone.UnityName() != c.unity || c.bone.VRM1Name() != c.vrm1 {
			t.Errorf("%v names = %q, %q", c.bone, c.bone.UnityName(), c.bone.VRM1Name())
		}
	}
	// The same string means different bones in the two conventions.
	u, _ := ParseUnity("LeftThumbProximal")
	v, _ := ParseVRM1("LeftThumbProximal")
	if u != LeftThumbMetacarpal || v != LeftThumbProximal {
		t.Errorf("LeftThumbProximal: unity %v, vrm1 %v", u, v)
	}
}

func TestCaseInsensitive(t *testing.T) {
	for _, name := range []string{"leftupperarm", "LEFTUPPERARM", "leftUpperArm", "LeftUpperArm"} {
		if b, ok := ParseUnity(name); !ok || b != LeftUpperArm {
			t.Errorf("ParseUnity(%q) = %v, %v", name, b, ok)
		}
	}
	for _, name := range []string{"", "Left", "LeftUpperArmX", string(make([]byte, 100))} {
		if b, ok := ParseUnity(name); ok || b != None {
			t.Errorf("ParseUnity(%q) = %v, %v; want none", name, b, ok)
		}
	}
}

func TestTable(t *testing.T) {
	seenUnity := map[string]bool{}
	seenVRM1 := map[string]bool{}
	for b := Bone(0); b < Count; b++ {
		in := b.Info()
		if seenUnity[in.Unity] || seenVRM1[in.VRM1] {
			t.Errorf("%v: duplicate name", b)
		}
		seenUnity[in.Unity], seenVRM1[in.VRM1] = true, true
		if in.VRM0 != string(in.Unity[0]+32)+in.Unity[1:] {
			t.Errorf("%v: VRM0 name %q", b, in.VRM0)
		}
		// Every bone reaches Hips.
		n := 0
		for p := b; p != Hips; p = p.Parent() {
			if n++; n > Count || p == None {
				t.Fatalf("%v does not reach hips", b)
			}
		}
		if m := b.Mirror(); m.Mirror() != b || (in.Side != 0) == (m == b) {
			t.Errorf("%v mirrors to %v", b, m)
		}
	}
	if Required(false).Len() != 15 || Required(true).Len() != 17 {
		t.Errorf("required: vrm1 %d, vrm0 %d", Required(false).Len(), Required(true).Len())
	}
	if All.Len() != Count {
		t.Errorf("All has %d bones", All.Len())
	}
}

func TestParentInSkipsMissingBones(t *testing.T) {
	present := Required(false) // no chest, upper chest, neck, shoulders
	cases := map[Bone]Bone{Head: Spine, LeftUpperArm: Spine, Spine: Hips, Hips: None, LeftHand: LeftLowerArm}
	for b, want := range cases {
		if got := b.ParentIn(present); got != want {
			t.Errorf("%v.ParentIn = %v, want %v", b, got, want)
		}
	}
	order := Order(All)
	pos := map[Bone]int{}
	for i, b := range order {
		pos[b] = i
	}
	if len(order) != Count {
		t.Fatalf("Order returned %d bones", len(order))
	}
	for b := Bone(1); b < Count; b++ {
		if pos[b.Parent()] >= pos[b] {
			t.Errorf("%v comes before its parent", b)
		}
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		ParseUnity("RightLittleIntermediate")
		ParseVRM1("rightThumbMetacarpal")
	})
	if n != 0 {
		t.Errorf("%v allocations per lookup", n)
	}
}
