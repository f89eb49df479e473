package marionette

import (
	"testing"

	"github.com/kugutsu/kugutsu/internal/testavatar"
)

// TestTextureSizeAppliesToLoads: Engine.SetTextureSize bounds the textures
// of the avatars loaded after it (Godette's are 1024² at most).
func TestTextureSizeAppliesToLoads(t *testing.T) {
	te := newTestEngine(t)
	largest := func(size int) (kept, inFile int) {
		t.Helper()
		te.SetTextureSize(size)
		ev := te.load(t, testavatar.GodettePath(t))
		if ev.Stage != LoadDone {
			t.Fatalf("load: %v", ev.Err)
		}
		for _, tx := range ev.Avatar.Textures {
			if tx.Image != nil {
				kept = max(kept, tx.Image.Rect.Dx(), tx.Image.Rect.Dy())
			}
			inFile = max(inFile, tx.Width, tx.Height)
		}
		return kept, inFile
	}
	if kept, inFile := largest(256); kept != 256 || inFile != 1024 {
		t.Errorf("SetTextureSize(256): largest texture kept %d px (%d in the file), want 256 (1024)", kept, inFile)
	}
	if kept, _ := largest(-1); kept != 1024 {
		t.Errorf("SetTextureSize(-1): largest texture kept %d px, want the full 1024", kept)
	}
}
