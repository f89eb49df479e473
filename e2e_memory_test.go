package main

// The window's resident memory (issue 11): the real window with Godette,
// driven by a 60 fps Performer, stays under windowRSSTarget. Memory is not
// time, so the target is an assertion.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// windowRSSTarget is the most resident memory (VmRSS, MiB) the window may
// hold with Godette after 10 s of a 60 fps Performer (issue 11).
const windowRSSTarget = 150

// TestWindowMemory runs the window with Godette, sends it 10 s of motion
// at 60 fps (the Performer of TestMeasure) and checks its resident memory.
func TestWindowMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real window")
	}
	if os.Getenv("KUGUTSU_E2E_RACE") == "1" {
		t.Skip("a race-built window holds the race detector's shadow memory too")
	}
	vrmPath := godette(t)
	display := startXvfb(t)
	port := freeUDPPort(t)
	w := startWindow(t, display, nil, "--vrm", vrmPath, "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	w.showing("Low-Poly Godette")
	s0 := w.settle(1, "Godette")
	pid := w.cmd.Process.Pid

	p := newPerformer(t, port)
	tick := time.NewTicker(time.Second / 60)
	defer tick.Stop()
	for i, start := 0, time.Now(); time.Since(start) < 10*time.Second; i++ {
		<-tick.C
		p.dance(i)
	}
	rss, peak := procMem(t, pid)
	s, _ := w.stats()
	t.Logf("Godette after 10 s of a 60 fps Performer: RSS %.0f MiB (target ≤ %d), peak RSS %.0f MiB; %d images shown",
		rss, windowRSSTarget, peak, s.Frames-s0.Frames)
	t.Logf("resident: %s; %s", rssBreakdown(pid), goMemory(s))
	if s.Frames <= s0.Frames || s.Packets == 0 {
		t.Fatalf("the window did not draw the Performer (images %d → %d, packets %d)", s0.Frames, s.Frames, s.Packets)
	}
	if rss > windowRSSTarget {
		t.Errorf("the window holds %.0f MiB resident with Godette under a 60 fps Performer, want ≤ %d MiB", rss, windowRSSTarget)
	}
}

// rssBreakdown sums a process's resident memory (/proc/PID/smaps) by what
// it maps, MiB: this binary (and its zeroed data), the GL stack (Mesa's dri
// drivers, the libLLVM its software rasteriser links, libGL*), other
// shared libraries, malloc's main heap (C allocations: Mesa, LLVM, X11),
// System V shared memory (MIT-SHM images) and the other anonymous memory
// (the Go runtime's among it: goMemory).
func rssBreakdown(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return err.Error()
	}
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	var binary, bss, gl, libs, brk, shm, anon float64
	var name, prev string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			prev, name = name, "" // the binary's zeroed data follows its last mapping
			if len(f) >= 6 {
				name = f[5]
			}
		case len(f) >= 2 && f[0] == "Rss:":
			kb, _ := strconv.ParseFloat(f[1], 64)
			mib := kb / 1024
			switch {
			case name == exe:
				binary += mib
			case name == "" && prev == exe:
				bss += mib
			case strings.Contains(name, "/dri/") || strings.Contains(name, "libLLVM") || strings.Contains(name, "libGL"):
				gl += mib
			case name == "[heap]":
				brk += mib
			case strings.HasPrefix(name, "/SYSV"):
				shm += mib
			case strings.HasPrefix(name, "/"):
				libs += mib
			default:
				anon += mib
			}
		}
	}
	return fmt.Sprintf("binary %.0f MiB (+ %.0f MiB zeroed data), GL stack %.0f MiB, other libraries %.0f MiB, malloc heap %.0f MiB, SysV shared memory %.0f MiB, other anonymous %.0f MiB",
		binary, bss, gl, libs, brk, shm, anon)
}

// goMemory says, from the window's stats, how much of its anonymous memory
// the Go runtime may hold (all it mapped less what it handed back: heap,
// its metadata, stacks) and how much of that the heap's spans in use take.
func goMemory(s e2eStats) string {
	return fmt.Sprintf("the Go runtime holds at most %.0f MiB (heap spans in use %.0f MiB)",
		float64(s.GoSys-s.GoReleased)/(1<<20), float64(s.HeapInuse)/(1<<20))
}
