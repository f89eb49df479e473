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
	// The quality is pinned: adaptive quality could step it between the
	// two screenshots, and every edge with it.
	w := startWindow(t, display, map[string]any{"view.quality": "Anti-aliased (4×)"},
		"--vrm", vroidFile(t), "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	w.showing(vroidName)
	w.settle(1, "the VRoid-layout avatar at rest")
	rest := w.screenshot("vroid-rest")
	vp := viewportRect(rest)
	if vp.Dx() < 200 || vp.Dy() < 200 {
		t.Fatalf("no viewport found (background-coloured area %v)", vp)
	}
	body := avatarRect(rest, vp)
	if body.Dx() < vp.Dx()/4 || body.Dy() < vp.Dy()/2 {
		t.Fatalf("no avatar in the viewport %v (non-background area %v)", vp, body)
	}
	t.Logf("viewport %v, avatar %v", vp, body)

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
