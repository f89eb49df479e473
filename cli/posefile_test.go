package cli

import (
	"strings"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func TestParsePoseJSON(t *testing.T) {
	p, err := parsePoseJSON(strings.NewReader(`{
		"hips": [0, 0.9, 0.1],
		"bones": {"leftUpperArm": [0, 0, 2, 0], "LEFTTHUMBMETACARPAL": [0, 0, 0, 1]},
		"expressions": {"happy": 1, "Blink": 0.25},
		"root": {"position": [1, 0, 0], "rotation": [0, 1, 0, 0], "scale": 2},
		"lookAt": {"yaw": 10, "pitch": -5}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Positioned.Has(humanoid.Hips) || p.Positions[humanoid.Hips] != (mgl32.Vec3{0, 0.9, 0.1}) {
		t.Errorf("hips %v", p.Positions[humanoid.Hips])
	}
	if p.Rotated != humanoid.Set(0).With(humanoid.LeftUpperArm).With(humanoid.LeftThumbMetacarpal) {
		t.Errorf("rotated %v", p.Rotated.Bones())
	}
	if q := p.Rotations[humanoid.LeftUpperArm]; q.W != 0 || q.V != (mgl32.Vec3{0, 0, 1}) {
		t.Errorf("leftUpperArm %v, want normalised (0, 0, 1, 0)", q)
	}
	if len(p.Expressions) != 2 || p.Expressions[0] != (vrm.ExpressionWeight{Name: "Blink", Weight: 0.25}) || p.Expressions[1] != (vrm.ExpressionWeight{Name: "happy", Weight: 1}) {
		t.Errorf("expressions %v", p.Expressions)
	}
	if p.RootPosition != (mgl32.Vec3{1, 0, 0}) || p.RootScale != 2 || p.RootRotation.V[1] != 1 {
		t.Errorf("root %v %v %v", p.RootPosition, p.RootRotation, p.RootScale)
	}
	if p.LookAt != (vrm.LookAtInput{Mode: vrm.LookAtAngles, Yaw: 10, Pitch: -5}) {
		t.Errorf("lookAt %+v", p.LookAt)
	}

	empty, err := parsePoseJSON(strings.NewReader(`{}`))
	if err != nil || empty.Rotated != 0 || empty.Positioned != 0 || len(empty.Expressions) != 0 {
		t.Errorf("empty pose: %+v, %v", empty, err)
	}

	bad := []struct{ in, want string }{
		{`{"bones": {"leftThumbIntermediate": [0,0,0,1]}}`, "leftThumbIntermediate"},
		{`{"bones": {"head": [0,0,0,0]}}`, "bones.head"},
		{`{"expressions": {"happy": 2}}`, "expressions.happy"},
		{`{"hip": [0,1,0]}`, "unknown field"},
		{`{"hips": [0,1]}`, "hips"},
		{`{"lookAt": {"target": [0,1,0], "yaw": 3}}`, "not both"},
		{`{} {}`, "after"},
		{`{"root": {"scale": 0}}`, "root.scale"},
		{`[`, "pose file"},
	}
	for _, b := range bad {
		_, err := parsePoseJSON(strings.NewReader(b.in))
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("parsePoseJSON(%s) = %v, want an error mentioning %q", b.in, err, b.want)
		}
	}
}
