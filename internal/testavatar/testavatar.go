// Package testavatar loads the avatars the tests of retarget, retarget/face
// and marionette pose (the embedded default avatar, a preset-only variant of
// it and the sample model Godette) and the comparisons of the poses they
// take (QuatNear, VecNear). It is apart from internal/testutil because
// vrm's own tests import testutil, and this package imports vrm.
package testavatar

import (
	"bytes"
	"testing"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
	"github.com/kugutsu/kugutsu/vrm/vrmenc"
)

// Default loads the embedded default avatar (assets.DefaultVRM): VRM 1.0,
// all 55 bones in T-pose, the VRM presets and the 52 ARKit expressions
// (Perfect Sync), lookAt type bone. Each call returns a fresh copy.
func Default(t testing.TB) *vrm.Model {
	t.Helper()
	av, err := vrm.Load(bytes.NewReader(assets.DefaultVRM()))
	if err != nil {
		t.Fatal(err)
	}
	return av
}

// PresetOnly is the default avatar without its ARKit expressions, written
// with vrmenc.Encode and read back: a VRM 1.0 model with only the presets
// (happy blocks blink and blends the mouth, as the default avatar's does).
func PresetOnly(t testing.TB) *vrm.Model {
	t.Helper()
	av := Default(t)
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

// GodettePath returns the path of ../shared/models/Godette.vrm, or skips
// the test when the sample models are missing (testutil.SharedModel).
func GodettePath(t testing.TB) string {
	t.Helper()
	return testutil.SharedModel(t, "Godette.vrm")
}

// Godette loads a fresh copy of Godette (VRM 0.x, CC-BY 3.0 "Low-Poly
// Godette" by SirRichard94, VRM by Lyuma: preset expressions, lookAt type
// expression), or skips the test without the sample models.
func Godette(t testing.TB) *vrm.Model {
	t.Helper()
	av, err := vrm.LoadFile(GodettePath(t))
	if err != nil {
		t.Fatalf("load Godette: %v", err)
	}
	return av
}
