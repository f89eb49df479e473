package app

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// releaseCompilerCode drops the resident pages of the shader compiler's
// machine code (libLLVM's executable mappings, /proc/self/maps) from this
// process with madvise(MADV_DONTNEED). Mesa's llvmpipe (and radeonsi)
// link libLLVM: its static initialisers and the JIT compiling Fyne's
// shaders touch ~45 MiB of its code at start-up, and the window never runs
// most of it again. The pages are clean copies of the file, so dropping
// them loses nothing: they stay in the page cache, and a later compile
// faults back in what it needs. Only read-execute file mappings are
// touched — never data that relocation or the program wrote.
func releaseCompilerCode() {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		// "start-end perms offset dev inode path"
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[1] != "r-xp" || !strings.Contains(f[5], "/libLLVM") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED)
	}
}
