package vrm

import "io"

// EncodeForTest is vrmenc.Encode, the VRM writer, for vrm's own tests,
// which write synthetic and edited models to load them back. Those tests
// cannot import vrm/vrmenc (it imports vrm: an import cycle), so the
// external test package sets it (vrmenc_hook_test.go) before any test runs.
var EncodeForTest func(w io.Writer, m *Model, v Version) error
