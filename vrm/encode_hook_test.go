package vrm

import (
	"bytes"
	"io"
	"testing"
)

// EncodeForTest is vrmenc.Encode, the VRM writer, for vrm's own tests,
// which write synthetic and edited models to load them back. Those tests
// cannot import vrm/vrmenc (it imports vrm: an import cycle), so the
// external test package sets it (vrmenc_hook_test.go) before any test runs.
var EncodeForTest func(w io.Writer, m *Model, v Version) error

// encode writes av as a VRM file of version v with the writer.
func encode(t testing.TB, av *Model, v Version) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := EncodeForTest(&buf, av, v); err != nil {
		t.Fatalf("vrmenc.Encode(%v): %v", v, err)
	}
	return buf.Bytes()
}

// reload loads a file written by encode.
func reload(t testing.TB, data []byte) *Model {
	t.Helper()
	av, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Load(vrmenc.Encode(...)): %v", err)
	}
	return av
}
