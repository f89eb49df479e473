// The committed files are compared byte for byte with a fresh generation
// only where they were generated: amd64 without FMA (GOAMD64 v1/v2). Other
// architectures may fuse multiply-adds or use other math kernels, which
// changes the last bits of some floats and so some bytes, legitimately.

//go:build amd64 && !amd64.v3

package assets_test

import (
	"bytes"
	"testing"

	"github.com/kugutsu/kugutsu/assets"
)

func TestCommittedFilesAreGenerated(t *testing.T) {
	files := generated(t)
	committed := map[string][]byte{"icon.png": assets.Icon(), "default.vrm": assets.DefaultVRM()}
	for _, f := range files {
		c, ok := committed[f.Name]
		if !ok {
			t.Errorf("%s: generated but not embedded", f.Name)
			continue
		}
		if !bytes.Equal(c, f.Data) {
			t.Errorf("%s: the committed file (%d bytes) differs from the generator's output (%d bytes); run go generate ./assets", f.Name, len(c), len(f.Data))
		}
	}
}
