package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// residentKiB returns the resident size (/proc/self/smaps Rss) of the
// mappings of path.
func residentKiB(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps")
	}
	total, in := 0, false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			in = len(f) >= 6 && f[5] == path
		case in && len(f) >= 2 && f[0] == "Rss:":
			kb, _ := strconv.Atoi(f[1])
			total += kb
		}
	}
	return total
}

// TestReleaseCompilerCode: the resident pages of an executable mapping of
// a file named like libLLVM leave the process, and reading the mapping
// afterwards still gives the file's bytes; other mappings stay resident.
func TestReleaseCompilerCode(t *testing.T) {
	dir := t.TempDir()
	const size = 1 << 20
	content := bytes.Repeat([]byte("kugutsu!"), size/8)
	mapFile := func(name string, prot int) []byte {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		m, err := syscall.Mmap(int(f.Fd()), 0, size, prot, syscall.MAP_PRIVATE)
		if err != nil {
			t.Skipf("mmap %s: %v (a noexec temporary directory?)", name, err)
		}
		t.Cleanup(func() { syscall.Munmap(m) })
		sum := 0
		for i := 0; i < size; i += 4096 {
			sum += int(m[i]) // fault every page in
		}
		if sum == 0 {
			t.Fatal("unreadable mapping")
		}
		return m
	}
	llvm := mapFile("libLLVM-99.so.1", syscall.PROT_READ|syscall.PROT_EXEC)
	other := mapFile("libother.so", syscall.PROT_READ|syscall.PROT_EXEC)
	llvmPath, otherPath := filepath.Join(dir, "libLLVM-99.so.1"), filepath.Join(dir, "libother.so")
	if residentKiB(t, llvmPath) == 0 {
		t.Fatal("the mapping is not resident after reading it")
	}
	before := residentKiB(t, otherPath)

	releaseCompilerCode()

	if kb := residentKiB(t, llvmPath); kb != 0 {
		t.Errorf("libLLVM mapping: %d KiB resident after releaseCompilerCode, want 0", kb)
	}
	if kb := residentKiB(t, otherPath); kb != before {
		t.Errorf("other mapping: %d KiB resident after releaseCompilerCode, want %d", kb, before)
	}
	if !bytes.Equal(llvm, content) || !bytes.Equal(other, content) {
		t.Error("the mappings no longer read as the file")
	}
}
