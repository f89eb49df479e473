package vmc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// TestNodeOSCPeer drives a live receiver with node's osc package (osc.js),
// a second real OSC implementation besides liblo: testdata/nodepeer/send.js
// sends a timetagged bundle holding a nested bundle, UTF-8 strings, and a
// malformed message between good ones. `make deps` installs the package
// (npm ci in testdata/nodepeer, versions pinned by its package-lock.json).
func TestNodeOSCPeer(t *testing.T) {
	node := requireTool(t, "node")
	dir := filepath.Join("testdata", "nodepeer")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "osc", "package.json")); err != nil {
		if os.Getenv("KUGUTSU_REQUIRE_TOOLS") == "1" {
			t.Fatalf("node's osc package is missing (KUGUTSU_REQUIRE_TOOLS=1; `make deps` runs npm ci in %s): %v", dir, err)
		}
		t.Skipf("node's osc package is not installed in %s (make deps)", dir)
	}
	r := listen(t, "127.0.0.1:0", ListenConfig{})
	cmd := exec.Command(node, "send.js", fmt.Sprint(r.Addr().Port()))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node send.js: %v\n%s", err, out)
	}
	f := waitFor(t, r.Scene(), "node's messages", func(f *Frame) bool { return f.Time == 43.5 && f.VRM.Received })

	if f.Available != (Availability{Loaded: true, Calibration: Calibrated, TrackingOK: true, HasCalibration: true,
		HasTracking: true, Received: true}) {
		t.Errorf("OK %+v", f.Available)
	}
	if want := (Root{Transform: Transform{Vec3{1, 2, 3}, Identity}, Scale: Vec3{1, 1, 1}, Received: true}); f.Root != want {
		t.Errorf("root %+v, want %+v", f.Root, want)
	}
	// The nested bundle's bones.
	if h, _ := f.Bone(humanoid.Head); h != (Transform{Vec3{0, 0.1, 0}, Quat{0.1, 0.2, 0.3, 0.9}}) {
		t.Errorf("head %+v", h)
	}
	if a, _ := f.Bone(humanoid.LeftUpperArm); a != (Transform{Vec3{-0.1, 0.2, 0}, Quat{0, 0, 0.7071068, 0.7071068}}) {
		t.Errorf("left upper arm %+v", a)
	}
	// The malformed Hips message (two arguments) dropped only itself.
	if f.BonesReceived.Len() != 2 {
		t.Errorf("%d bones received, want Head and LeftUpperArm", f.BonesReceived.Len())
	}
	if b, _ := f.Blend("Blink"); b != 0.75 {
		t.Errorf("Blink %v", b)
	}
	if b, ok := f.Blend("ああ"); !ok || b != 0.5 {
		t.Errorf("UTF-8 blend ああ = %v (%v)", b, ok)
	}
	if f.Background != (Background{Color{0.2, 0.4, 0.6, 1}, true}) {
		t.Errorf("background %+v", f.Background)
	}
	if f.VRM.Path != `C:\Avatars\ドール.vrm` || f.VRM.Title != "Doll" || f.VRM.Hash != "abc123" || !f.VRM.HasHash {
		t.Errorf("VRM %+v", f.VRM)
	}
	st := r.Status()
	var shortArgs uint64
	for _, a := range st.Addresses {
		if a.Address == "/VMC/Ext/Bone/Pos" {
			shortArgs = a.ShortArgs
		}
	}
	if shortArgs != 1 || st.Rejected != 1 || st.Malformed != 0 {
		t.Errorf("Bone/Pos short arguments %d, rejected %d, malformed %d: want 1, 1, 0", shortArgs, st.Rejected, st.Malformed)
	}
	// One bundle of 8 messages (2 in its nested bundle), then four single ones.
	if st.Packets != 5 || st.Messages != 12 {
		t.Errorf("%d packets, %d messages: want 5, 12", st.Packets, st.Messages)
	}
}
