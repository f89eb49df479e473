package cli

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Rendering a recording offline is deterministic: spring bones step by the
// recorded time, not the wall clock, so two runs write the same bytes. The
// frames have alpha (transparent background) and show the motion.
func TestRenderReplayIsByteIdenticalTwice(t *testing.T) {
	tmp := t.TempDir()
	rec := filepath.Join(tmp, "take.pcapng")
	writeTestRecording(t, rec, 60) // 1 s
	doll := filepath.Join("..", "assets", "default.vrm")
	run := func(dir string) [][]byte {
		stderr := &syncBuffer{}
		err := runRender(context.Background(), Env{Stdout: io.Discard, Stderr: stderr},
			[]string{doll, "--replay", rec, "--fps", "30", "--size", "96x128", "--aa", "off", "--out", dir})
		if err != nil {
			t.Fatalf("render --replay: %v\n%s", err, stderr)
		}
		var frames [][]byte
		for k := 0; ; k++ {
			b, err := os.ReadFile(filepath.Join(dir, "frame_"+pad6(k)+".png"))
			if err != nil {
				break
			}
			frames = append(frames, b)
		}
		return frames
	}
	a, b := run(filepath.Join(tmp, "a")), run(filepath.Join(tmp, "b"))
	if len(a) != 30 || len(b) != 30 {
		t.Fatalf("%d and %d frames, want 30 (1 s at 30 fps, keys 0…29)", len(a), len(b))
	}
	for k := range a {
		if !bytes.Equal(a[k], b[k]) {
			t.Fatalf("frame %d differs between two runs", k)
		}
	}
	if bytes.Equal(a[0], a[29]) {
		t.Error("first and last frames are identical: no motion rendered")
	}
	if d := os.Getenv("KUGUTSU_E2E_SHOTS"); d != "" {
		_ = os.WriteFile(filepath.Join(d, "replay-frame15.png"), a[15], 0o644)
	}
	img, err := png.Decode(bytes.NewReader(a[15]))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, al := img.At(0, 0).RGBA(); al != 0 {
		t.Errorf("corner alpha %d, want transparent", al)
	}
	opaque := 0
	for y := range 128 {
		for x := range 96 {
			if _, _, _, al := img.At(x, y).RGBA(); al == 0xffff {
				opaque++
			}
		}
	}
	if opaque < 96*128/50 {
		t.Errorf("%d opaque pixels: the avatar is missing", opaque)
	}
}

func pad6(k int) string {
	s := "000000" + itoa(k)
	return s[len(s)-6:]
}

func itoa(k int) string {
	if k == 0 {
		return "0"
	}
	var b []byte
	for ; k > 0; k /= 10 {
		b = append([]byte{byte('0' + k%10)}, b...)
	}
	return string(b)
}
