package vrmenc

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

// TestEncodeErrors: an unknown version and a model Validate refuses are
// errors, and nothing is written to w.
func TestEncodeErrors(t *testing.T) {
	good := loadModel(t, "Godette.vrm")
	var buf bytes.Buffer
	if err := Encode(&buf, good, vrm.Version(7)); err == nil || buf.Len() != 0 {
		t.Errorf("version 7: err %v, %d bytes written", err, buf.Len())
	}
	bad := loadModel(t, "Godette.vrm")
	bad.Nodes[0].Parent = len(bad.Nodes) + 5
	err := Encode(&buf, bad, vrm.Version1)
	var fe *vrm.FormatError
	if !errors.As(err, &fe) || buf.Len() != 0 {
		t.Errorf("a node with a missing parent: err %v (%T), %d bytes written", err, err, buf.Len())
	}
}

// TestAxisTurn: turnAxis is the VRM 0.x turn of an axis (schema.TurnVec on
// its vector), its own inverse, and rollAxis names the axis's line.
func TestAxisTurn(t *testing.T) {
	lines := [...]string{"X", "X", "Y", "Y", "Z", "Z"}
	for a := vrm.AxisPositiveX; a <= vrm.AxisNegativeZ; a++ {
		if got, want := turnAxis(a).Vec(), schema.TurnVec(a.Vec()); got != want {
			t.Errorf("turnAxis(%v) points along %v, want %v", a, got, want)
		}
		if turnAxis(turnAxis(a)) != a {
			t.Errorf("turnAxis(turnAxis(%v)) = %v", a, turnAxis(turnAxis(a)))
		}
		if got := rollAxis(a); got != lines[a] {
			t.Errorf("rollAxis(%v) = %q, want %q", a, got, lines[a])
		}
	}
}
