package vrma

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/vrm"
)

func doll(t *testing.T) *vrm.Avatar {
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
