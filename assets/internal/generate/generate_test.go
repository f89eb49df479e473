package generate

import (
	"bytes"
	"testing"

	"github.com/kugutsu/kugutsu/vrm"
)

func TestDefaultVRMRoundTrips(t *testing.T) {
	data, err := DefaultVRM()
	if err != nil {
		t.Fatal(err)
	}
	a, err := vrm.Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Avatar()
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Nodes) != len(b.Nodes) || len(a.Meshes) != len(b.Meshes) || len(a.Expressions) != len(b.Expressions) ||
		len(a.Materials) != len(b.Materials) || len(a.Textures) != len(b.Textures) || len(a.SpringBone.Springs) != len(b.SpringBone.Springs) {
		t.Errorf("the written file does not hold the built avatar: %d/%d nodes, %d/%d meshes, %d/%d expressions",
			len(a.Nodes), len(b.Nodes), len(a.Meshes), len(b.Meshes), len(a.Expressions), len(b.Expressions))
	}
}

// BenchmarkDefaultVRM measures building and writing the default avatar
// (the bulk of `go generate ./assets`).
func BenchmarkDefaultVRM(b *testing.B) {
	for b.Loop() {
		if _, err := DefaultVRM(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFiles measures the whole generation: icon and avatar.
func BenchmarkFiles(b *testing.B) {
	for b.Loop() {
		if _, err := Files(); err != nil {
			b.Fatal(err)
		}
	}
}
