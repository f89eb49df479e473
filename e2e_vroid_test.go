package main

import (
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/kugutsu/kugutsu/internal/vroid"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// vroidName is the VRoid-layout avatar's title (internal/vroid).
const vroidName = "Kugutsu (VRoid layout)"

// vroidFile writes the VRoid-layout avatar (internal/vroid) to a file.
func vroidFile(t *testing.T) string {
	t.Helper()
	data, err := vroid.VRM()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vroid.vrm")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWindowVRoidLayout runs the real window on the VRoid-layout avatar
// (meshes whose primitives share one vertex buffer, MToon outlines, BLEND
// hair and eyelashes, 18 spring chains, 2048² textures): it must show it
// framed and follow a Performer raising the left arm and blinking, as
// TestWindowFollowsPerformer does with Godette.
func TestWindowVRoidLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real window")
	}
	display := startXvfb(t)
	port := freeUDPPort(t)
	// The quality is pinned: adaptive quality could change it between two
	// screenshots and every pixel with it.
	w := startWindow(t, display, map[string]any{"view.quality": "aa4x"},
		"--vrm", vroidFile(t), "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	w.showing(vroidName)
	rest, _, body := w.restShot("vroid-rest", "the VRoid-layout avatar at rest")

	p := newPerformer(t, port)
	p.bone(humanoid.LeftUpperArm, unityRotation(-80, 0, 0, 1))
	p.blend("Blink", 1)
	p.send(20)
	w.settle(1, "raised arm")
	raised := w.screenshot("vroid-raised-arm-blink")
	up := part(body, 0.62, 0, 1, 0.30)
	eyes := part(body, 0.35, 0.08, 0.65, 0.30)
	legs := part(body, 0, 0.70, 1, 1)
	for _, c := range []struct {
		name     string
		r        image.Rectangle
		min, max int
	}{
		{"raised arm", up, 150, math.MaxInt},
		{"eyes (blink)", eyes, 20, math.MaxInt},
		{"legs", legs, 0, 0},
	} {
		if n := changed(rest, raised, c.r); n < c.min || n > c.max {
			t.Errorf("%s %v: %d pixels changed, want %d…%d", c.name, c.r, n, c.min, c.max)
		}
	}
}
