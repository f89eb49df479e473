package cli

import (
	"os"

	"github.com/kugutsu/kugutsu/vrm"
)

// loadFile opens and loads a VRM file with explicit limits (vrm.LoadFile
// with vrm.LoadLimited's limits).
func loadFile(path string, lim vrm.Limits) (*vrm.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return vrm.LoadLimited(f, lim)
}
