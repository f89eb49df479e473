package face

import (
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

func TestBindingFindsPerfectSync(t *testing.T) {
	for _, tc := range []struct {
		name        string
		av          *vrm.Model
		found       int
		perfectSync bool
		lookAt      vrm.LookAtType
	}{
		{"default avatar", testavatar.Default(t), arkit.Count, true, vrm.LookAtBone},
		{"preset-only", testavatar.PresetOnly(t), 0, false, vrm.LookAtBone},
		{"Godette", testavatar.Godette(t), 0, false, vrm.LookAtExpression},
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
	av := testavatar.PresetOnly(t)
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
