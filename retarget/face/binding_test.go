package face

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
	"github.com/kugutsu/kugutsu/vrm/vrmenc"
)

// defaultAvatar loads the embedded default avatar: VRM 1.0, all 55 bones,
// the VRM presets and the 52 ARKit expressions (Perfect Sync), lookAt type
// bone.
func defaultAvatar(t testing.TB) *vrm.Model {
	t.Helper()
	av, err := vrm.Load(bytes.NewReader(assets.DefaultVRM()))
	if err != nil {
		t.Fatal(err)
	}
	return av
}

// presetOnlyAvatar is the default avatar without its ARKit expressions,
// written with vrmenc.Encode and read back: a VRM 1.0 model with only the
// presets.
func presetOnlyAvatar(t testing.TB) *vrm.Model {
	t.Helper()
	av := defaultAvatar(t)
	kept := av.Expressions[:0]
	for _, x := range av.Expressions {
		if _, ok := arkit.Parse(x.Name); !ok {
			kept = append(kept, x)
		}
	}
	av.Expressions = kept
	var buf bytes.Buffer
	if err := vrmenc.Encode(&buf, av, vrm.Version1); err != nil {
		t.Fatal(err)
	}
	out, err := vrm.Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// loadGodette loads ../shared/models/Godette.vrm (VRM 0.x, preset
// expressions, lookAt type expression), or skips without the sample models.
func loadGodette(t testing.TB) *vrm.Model {
	t.Helper()
	av, err := vrm.LoadFile(testutil.SharedModel(t, "Godette.vrm"))
	if err != nil {
		t.Fatal(err)
	}
	return av
}

func TestBindingFindsPerfectSync(t *testing.T) {
	for _, tc := range []struct {
		name        string
		av          *vrm.Model
		found       int
		perfectSync bool
		lookAt      vrm.LookAtType
	}{
		{"default avatar", defaultAvatar(t), arkit.Count, true, vrm.LookAtBone},
		{"preset-only", presetOnlyAvatar(t), 0, false, vrm.LookAtBone},
		{"Godette", loadGodette(t), 0, false, vrm.LookAtExpression},
	} {
		r := NewBinding(tc.av)
		if r.found != tc.found || r.perfectSync != tc.perfectSync || r.lookAt.Type != tc.lookAt {
			t.Errorf("%s: %d ARKit shapes, Perfect Sync %v, lookAt %v; want %d, %v, %v", tc.name, r.found, r.perfectSync, r.lookAt.Type, tc.found, tc.perfectSync, tc.lookAt)
		}
		if !r.fiveVowels || r.leanHeight < 0.2 || r.leanHeight > 1 {
			t.Errorf("%s: five vowels %v, spine→head %.3f m", tc.name, r.fiveVowels, r.leanHeight)
		}
		mode, found := AvatarMapping(tc.av, MappingAuto)
		want := MappingPresets
		if tc.perfectSync {
			want = MappingPerfectSync
		}
		if mode != want || found != tc.found {
			t.Errorf("%s: AvatarMapping auto → %v (%d shapes), want %v", tc.name, mode, found, want)
		}
	}
	// Any case, camelCase or PascalCase.
	av := presetOnlyAvatar(t)
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		n := s.String()
		switch s % 3 {
		case 0:
			n = strings.ToUpper(n[:1]) + n[1:]
		case 1:
			n = strings.ToLower(n)
		}
		av.Expressions = append(av.Expressions, vrm.Expression{Name: n})
	}
	if r := NewBinding(av); !r.perfectSync || r.found != arkit.Count {
		t.Errorf("PascalCase/lower-case names: %d shapes found, Perfect Sync %v", r.found, r.perfectSync)
	}
}
