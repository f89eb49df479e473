package main

// The texture-memory targets of issue 11 ("Lean with big textures"), on the
// real binary: peak resident memory of `kugutsu inspect` and `kugutsu
// render` on a generated avatar whose body texture is one 4096×4096
// progressive JPEG. Memory is not time, so the targets are assertions.

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qmuntal/gltf"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/internal/testglb"
)

// Peak RSS targets, MiB (issue 11).
const (
	inspectPeakTarget = 60
	renderPeakTarget  = 150
)

// bigJPEGSide is the side of the generated avatars' JPEG texture, pixels.
const bigJPEGSide = 4096

// texturePattern returns a side×side opaque image with noise, so the JPEG
// is as large as a real texture's.
func texturePattern(side int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, side, side))
	seed := uint32(1)
	for y := 0; y < side; y++ {
		row := m.Pix[y*m.Stride:]
		for x := 0; x < side; x++ {
			seed = seed*1664525 + 1013904223
			n := uint8(seed >> 27)
			row[4*x] = uint8(x*255/side) ^ n
			row[4*x+1] = uint8(y*255/side) + n
			row[4*x+2] = uint8((x^y)>>4) + n
			row[4*x+3] = 255
		}
	}
	return m
}

// baselineJPEG encodes the pattern with Go's encoder (baseline, 4:2:0,
// quality 85).
func baselineJPEG(t *testing.T, side int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, texturePattern(side), &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// progressiveJPEG makes a progressive JPEG of the pattern (4:2:0, quality
// 85, as libjpeg and most exporters write) with ImageMagick's convert: Go's
// encoder writes only baseline JPEGs, and a progressive one is the
// decoder's worst case (it keeps every DCT coefficient until the end).
func progressiveJPEG(t *testing.T, side int) []byte {
	t.Helper()
	convert := requireTool(t, "convert")
	dir := t.TempDir()
	ppm := filepath.Join(dir, "in.ppm")
	var b bytes.Buffer
	fmt.Fprintf(&b, "P6\n%d %d\n255\n", side, side)
	m := texturePattern(side)
	for i := 0; i < len(m.Pix); i += 4 {
		b.Write(m.Pix[i : i+3])
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
// texture replaced by the JPEG jpg, and returns its path.
func bigTextureAvatar(t *testing.T, jpg []byte) string {
	t.Helper()
	doc := new(gltf.Document)
	if err := gltf.NewDecoder(bytes.NewReader(assets.DefaultVRM())).Decode(doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Textures) == 0 || doc.Textures[0].Source == nil {
		t.Fatal("the default avatar has no texture 0 with an image")
	}
	testglb.EmbedImage(t, doc, *doc.Textures[0].Source, jpg, "image/jpeg")
	path := filepath.Join(t.TempDir(), "big-jpeg.vrm")
	if err := os.WriteFile(path, testglb.Encode(t, doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// peakRSS runs the binary with args to completion and returns its peak
// resident set, MiB, and its wall time. The peak is VmHWM from
// /proc/PID/status, read when the process is about to exit: the child runs
// under ptrace with PTRACE_O_TRACEEXIT, which stops it there while its
// memory is still mapped. (Its rusage ru_maxrss would not do: Go starts
// children with CLONE_VM, so that figure includes this test process's own
// peak, inherited at exec.)
func peakRSS(t *testing.T, bin string, args ...string) (float64, time.Duration) {
	t.Helper()
	// Every ptrace request must come from the tracer thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd := exec.Command(bin, args...)
	// A file, not a buffer: os/exec then starts no copying goroutine, and
	// the process is reaped here, not by cmd.Wait.
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skipf("cannot trace a child here (ptrace refused): %v", err)
		}
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	const ptraceEventExit = 6 // PTRACE_EVENT_EXIT
	var (
		ws   syscall.WaitStatus
		peak float64
	)
	// The first stop is the SIGTRAP after exec.
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := syscall.PtraceSetOptions(pid, syscall.PTRACE_O_TRACEEXIT); err != nil {
		t.Fatal(err)
	}
	sig := 0
	for {
		if err := syscall.PtraceCont(pid, sig); err != nil {
			t.Fatal(err)
		}
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
			t.Fatal(err)
		}
		if ws.Exited() || ws.Signaled() {
			break
		}
		sig = 0
		if ws.TrapCause() == ptraceEventExit {
			if _, p, ok := readMem(pid); ok {
				peak = p
			}
			continue
		}
		if s := ws.StopSignal(); s != syscall.SIGTRAP {
			sig = int(s) // a signal for the program (Go's SIGURG): deliver it
		}
	}
	el := time.Since(start)
	if !ws.Exited() || ws.ExitStatus() != 0 {
		msg, _ := os.ReadFile(stderr.Name())
		t.Fatalf("kugutsu %s: %v\n%s", strings.Join(args, " "), ws, msg)
	}
	if peak == 0 {
		t.Fatal("no VmHWM read at exit")
	}
	return peak, el
}

// readMem returns VmRSS and VmHWM (peak) of a process in MiB; ok is false
// when they cannot be read.
func readMem(pid int) (rss, peak float64, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				continue
			}
			switch f[0] {
			case "VmRSS:":
				rss = kb / 1024
			case "VmHWM:":
				peak = kb / 1024
			}
		}
	}
	return rss, peak, peak > 0
}

// TestBigTextureMemory: inspect and render of an avatar holding one 4096²
// JPEG, baseline or progressive, stay under the peak-RSS targets of issue
// 11. (libjpeg-turbo decodes it straight at 2048², the kept size; a
// progressive image's coefficients take 48 MiB of int16 while it decodes.)
func TestBigTextureMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary on a 4096² texture")
	}
	bin := binary(t)
	for _, c := range []struct {
		name string
		jpeg func(*testing.T, int) []byte
	}{
		{"baseline", baselineJPEG},
		{"progressive", progressiveJPEG},
	} {
		t.Run(c.name, func(t *testing.T) {
			vrmPath := bigTextureAvatar(t, c.jpeg(t, bigJPEGSide))
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
		})
	}
}
