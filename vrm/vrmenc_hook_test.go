package vrm_test

import (
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/vrmenc"
)

// The external test package may import vrm/vrmenc; it hands the writer to
// vrm's internal tests (encode_hook_test.go).
func init() { vrm.EncodeForTest = vrmenc.Encode }
