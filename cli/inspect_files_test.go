package cli

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// TestInspectRealWorldFiles: what users end up with instead of a model gets
// a message saying what to do, and a GLB whose BIN chunk is longer than
// its buffers[0].byteLength (three.js loads those) loads with the warning
// printed.
func TestInspectRealWorldFiles(t *testing.T) {
	dir := t.TempDir()
	lfs := filepath.Join(dir, "lfs.vrm")
	os.WriteFile(lfs, []byte("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 682752\n"), 0o644)
	page := filepath.Join(dir, "page.vrm")
	os.WriteFile(page, []byte("<!DOCTYPE html>\n<html><head><title>Download</title></head></html>\n"), 0o644)
	for _, c := range []struct{ path, want string }{
		{lfs, "this is a Git LFS pointer, not the model: download the file itself"},
		{page, "this is a web page (HTML), not a VRM model"},
	} {
		code, _, errs := run(t, "inspect", c.path)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 1 and %q", c.path, code, errs, c.want)
		}
	}

	// Godette with 8 bytes more in its BIN chunk than buffers[0] declares.
	data, err := os.ReadFile(testutil.SharedModel(t, "Godette.vrm"))
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	bin := 20 + int(le.Uint32(data[12:])) // the BIN chunk's header
	le.PutUint32(data[8:], le.Uint32(data[8:])+8)
	le.PutUint32(data[bin:], le.Uint32(data[bin:])+8)
	data = append(data, make([]byte, 8)...)
	long := filepath.Join(dir, "long-bin.vrm")
	os.WriteFile(long, data, 0o644)
	code, out, errs := run(t, "inspect", long)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if want := "is smaller than the"; !strings.Contains(out, want) || !strings.Contains(out, "BIN chunk; using the whole chunk") {
		t.Errorf("inspect output lacks the byteLength warning:\n%s", out)
	}
}
