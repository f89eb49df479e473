package vrma

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func doll(t *testing.T) *vrm.Model {
	t.Helper()
	av, err := vrm.Load(bytes.NewReader(assets.DefaultVRM()))
	if err != nil {
		t.Fatal(err)
	}
	return av
}

func TestEncodeNeedsKeysInTimeOrder(t *testing.T) {
	b := NewBuilder(doll(t))
	if err := b.Encode(&bytes.Buffer{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty clip: %v, want ErrEmpty", err)
	}
	p := &vrm.Pose{}
	if err := b.Add(0, p); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []float32{0, -1} {
		if err := b.Add(bad, p); err == nil {
			t.Errorf("key at %v after 0 accepted", bad)
		}
	}
	if err := b.Add(0.5, p); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := b.Encode(&out); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("glTF")) || !bytes.Contains(out.Bytes(), []byte(`"VRMC_vrm_animation"`)) {
		t.Errorf("not a binary glTF with VRMC_vrm_animation: %.80q", out.Bytes())
	}
	// The eyes belong to lookAt (VRMC_vrm_animation README, Humanoid).
	if bytes.Contains(out.Bytes(), []byte(`"leftEye"`)) {
		t.Error("leftEye mapped as a humanoid bone")
	}
}

// Non-finite input never reaches the file: rest pose, weight 0 instead.
func TestAddSanitizesNonFiniteInput(t *testing.T) {
	b := NewBuilder(doll(t))
	nan := float32(math.NaN())
	p := &vrm.Pose{RootPosition: mgl32.Vec3{nan, 0, 0}, RootRotation: mgl32.Quat{W: nan}}
	p.SetRotation(humanoid.Spine, mgl32.Quat{W: nan, V: mgl32.Vec3{1, 0, 0}})
	p.SetPosition(humanoid.Hips, mgl32.Vec3{0, float32(math.Inf(1)), 0})
	p.Expressions = []vrm.ExpressionWeight{{Name: "happy", Weight: nan}}
	if err := b.Add(0, p); err != nil {
		t.Fatal(err)
	}
	if q := b.rot[humanoid.Spine][0]; q != mgl32.QuatIdent() {
		t.Errorf("spine %v, want identity", q)
	}
	if h := b.hips[0]; !finite3(h) || h != b.rest[humanoid.Hips] {
		t.Errorf("hips %v, want the rest position %v", h, b.rest[humanoid.Hips])
	}
	for _, e := range b.exprs {
		if e.weights[0] != 0 {
			t.Errorf("%s weight %v, want 0", e.name, e.weights[0])
		}
	}
}
