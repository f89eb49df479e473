package main

// The texture-memory targets of issue 11 ("Lean with big textures"), on the
// real binary: peak resident memory of `kugutsu inspect` and `kugutsu
// render` on a generated avatar whose body texture is one 4096×4096
// progressive JPEG. Memory is not time, so the targets are assertions.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qmuntal/gltf"

	"github.com/kugutsu/kugutsu/assets"
)

// Peak RSS targets, MiB (issue 11).
const (
	inspectPeakTarget = 60
	renderPeakTarget  = 150
)

// bigJPEGSide is the side of the generated avatar's JPEG texture, pixels.
const bigJPEGSide = 4096

// progressiveJPEG makes a side×side progressive JPEG (4:2:0, quality 85, as
// libjpeg and most exporters write) of a noisy pattern with ImageMagick's
// convert: Go's encoder writes only baseline JPEGs, and a progressive one is
// the decoder's worst case (it keeps every DCT coefficient until the end).
func progressiveJPEG(t *testing.T, side int) []byte {
	t.Helper()
	convert := requireTool(t, "convert")
	dir := t.TempDir()
	ppm := filepath.Join(dir, "in.ppm")
	var b bytes.Buffer
	fmt.Fprintf(&b, "P6\n%d %d\n255\n", side, side)
	row := make([]byte, 3*side)
	seed := uint32(1)
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			seed = seed*1664525 + 1013904223
			n := uint8(seed >> 27)
			row[3*x] = uint8(x*255/side) ^ n
			row[3*x+1] = uint8(y*255/side) + n
			row[3*x+2] = uint8((x^y)>>4) + n
		}
		b.Write(row)
	}
	if err := os.WriteFile(ppm, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	jpg := filepath.Join(dir, "out.jpg")
	out, err := exec.Command(convert, ppm, "-interlace", "JPEG", "-sampling-factor", "2x2", "-quality", "85", jpg).CombinedOutput()
	if err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	data, err := os.ReadFile(jpg)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// bigTextureAvatar writes the default avatar with the image of its first
// texture replaced by a 4096² progressive JPEG, and returns its path.
func bigTextureAvatar(t *testing.T) string {
	t.Helper()
	jpg := progressiveJPEG(t, bigJPEGSide)
	doc := new(gltf.Document)
	if err := gltf.NewDecoder(bytes.NewReader(assets.DefaultVRM())).Decode(doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Textures) == 0 || doc.Textures[0].Source == nil || len(doc.Buffers) != 1 {
		t.Fatal("the default avatar has no texture 0 with an image in buffer 0")
	}
	buf := doc.Buffers[0]
	for len(buf.Data)%4 != 0 {
		buf.Data = append(buf.Data, 0)
	}
	doc.BufferViews = append(doc.BufferViews, &gltf.BufferView{Buffer: 0, ByteOffset: len(buf.Data), ByteLength: len(jpg)})
	buf.Data = append(buf.Data, jpg...)
	buf.ByteLength = len(buf.Data)
	im := doc.Images[*doc.Textures[0].Source]
	im.BufferView, im.MimeType = gltf.Index(len(doc.BufferViews)-1), "image/jpeg"
	path := filepath.Join(t.TempDir(), "big-jpeg.vrm")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	enc := gltf.NewEncoder(f)
	enc.AsBinary = true
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// peakRSS runs the binary with args to completion and returns its peak
// resident set, MiB (the kernel's ru_maxrss of the child, the VmHWM it had
// when it exited), and its wall time.
func peakRSS(t *testing.T, bin string, args ...string) (float64, time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("kugutsu %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	el := time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no rusage on this system")
	}
	return float64(ru.Maxrss) / 1024, el // Linux: kilobytes
}

// TestBigTextureMemory: inspect and render of an avatar holding one 4096²
// progressive JPEG stay under the peak-RSS targets of issue 11.
func TestBigTextureMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary on a 4096² texture")
	}
	bin := binary(t)
	vrmPath := bigTextureAvatar(t)
	peak, el := peakRSS(t, bin, "inspect", vrmPath)
	t.Logf("kugutsu inspect: peak RSS %.0f MiB, %v", peak, el.Round(time.Millisecond))
	if peak > inspectPeakTarget {
		t.Errorf("kugutsu inspect: peak RSS %.0f MiB, want ≤ %d MiB", peak, inspectPeakTarget)
	}
	out := filepath.Join(t.TempDir(), "out.png")
	peak, el = peakRSS(t, bin, "render", vrmPath, "--out", out)
	t.Logf("kugutsu render: peak RSS %.0f MiB, %v", peak, el.Round(time.Millisecond))
	if peak > renderPeakTarget {
		t.Errorf("kugutsu render: peak RSS %.0f MiB, want ≤ %d MiB", peak, renderPeakTarget)
	}
}
