package app

import (
	"os"
	"runtime/debug"
	"time"
)

// The window's resident memory (issue 11: ≤ 150 MiB with Godette under a
// 60 fps Performer). Measured with Godette on Xvfb (Mesa llvmpipe), before
// this tuning: the Go heap held ~30 MiB live but ~67 MiB resident (GOGC
// 100 lets it grow to twice the live heap plus the scanned globals, and
// the scavenger keeps 10 % above that goal), and libLLVM's code held
// ~45 MiB resident although only start-up touched it (its static
// initialisers and the JIT compiling Fyne's shaders).
const (
	// gcPercent is the Go heap's growth over the live heap before a
	// collection (GOGC; the environment variable GOGC wins). The window
	// allocates little per frame, so collecting at +25 % instead of +100 %
	// costs well under 1 % of a core and keeps ~25 MiB less resident.
	gcPercent = 25
	// trimDelay is how long after start-up and after an avatar loads the
	// window waits before handing memory back: by then the first frames
	// (and their shader compiles) are done and the renderer has prepared
	// the avatar.
	trimDelay = 3 * time.Second
	// compilerTrimEvery is how often the shader compiler's code pages are
	// handed back again (a dialog or pop-up may have needed new shaders).
	compilerTrimEvery = time.Minute
)

// tuneGC sets the Go heap's growth to gcPercent unless GOGC is set.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// trimmer hands memory nobody uses back to the system: soon after start-up
// and after each avatar load, the free Go heap (debug.FreeOSMemory: the
// loader's garbage would otherwise leave slowly) and the shader compiler's
// code pages (releaseCompilerCode); then the compiler's pages again every
// compilerTrimEvery.
type trimmer struct {
	soon chan struct{} // buffered 1: a load finished
}

func newTrimmer() *trimmer { return &trimmer{soon: make(chan struct{}, 1)} }

// loaded asks for a full trim trimDelay from now (any goroutine).
func (t *trimmer) loaded() {
	select {
	case t.soon <- struct{}{}:
	default:
	}
}

// run trims until stop is closed.
func (t *trimmer) run(stop <-chan struct{}) {
	full := time.NewTimer(trimDelay)
	defer full.Stop()
	tick := time.NewTicker(compilerTrimEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.soon:
			full.Reset(trimDelay)
		case <-full.C:
			debug.FreeOSMemory()
			releaseCompilerCode()
		case <-tick.C:
			releaseCompilerCode()
		}
	}
}
