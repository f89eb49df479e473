package vroid

import (
	"bytes"
	"testing"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/vrmenc"
)

// BenchmarkBuild: the avatar in memory (the doll loaded, re-laid out,
// 2048² textures painted).
func BenchmarkBuild(b *testing.B) {
	for b.Loop() {
		if _, err := Build(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode: the avatar written as VRM 0.x (five 2048² PNGs): with
// Build, what VRM costs once per test binary.
func BenchmarkEncode(b *testing.B) {
	a, err := Build()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var buf bytes.Buffer
		if err := vrmenc.Encode(&buf, a, vrm.Version0); err != nil {
			b.Fatal(err)
		}
	}
}
