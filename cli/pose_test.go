package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func poseBones(t *testing.T, args ...string) map[string][3]float64 {
	t.Helper()
	code, out, errs := run(t, append([]string{"pose"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Bones map[string][3]float64 `json:"bones"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return r.Bones
}

func TestPoseCommand(t *testing.T) {
	model := filepath.Join(modelsDir, "debug_robot_vrm1.vrm")
	rest := poseBones(t, model)
	if len(rest) != 53 {
		t.Errorf("%d bones, want 53", len(rest))
	}
	if h := rest["hips"]; h != [3]float64{0, 0.75, 0} {
		t.Errorf("rest hips %v", h)
	}
	// The left arm hangs down: −90° about +Z on the normalized left upper arm.
	dir := t.TempDir()
	pf := filepath.Join(dir, "pose.json")
	os.WriteFile(pf, []byte(`{"hips": [0, 0.5, 0], "bones": {"leftUpperArm": [0, 0, -0.70710678, 0.70710678]}}`), 0o644)
	posed := poseBones(t, model, "--pose", pf)
	ua, hand := posed["leftUpperArm"], posed["leftHand"]
	if d := ua[0] - hand[0]; d > 1e-4 || d < -1e-4 || hand[1] >= ua[1]-0.1 {
		t.Errorf("left hand %v should hang below the upper arm %v", hand, ua)
	}
	if h := posed["hips"]; h != [3]float64{0, 0.5, 0} {
		t.Errorf("hips %v, want [0 0.5 0]", h)
	}
	// A VRM 0.x model is turned to face +Z: its left hand is on +X.
	g := poseBones(t, filepath.Join(modelsDir, "Godette.vrm"))
	if g["leftHand"][0] <= 0 {
		t.Errorf("Godette left hand at %v", g["leftHand"])
	}
	// A bad pose file names the problem.
	os.WriteFile(pf, []byte(`{"bones": {"leftUpperArmm": [0, 0, 0, 1]}}`), 0o644)
	code, _, errs := run(t, "pose", model, "--pose", pf)
	if code != 1 || !strings.Contains(errs, `"leftUpperArmm" is not a VRM 1.0 humanoid bone name`) {
		t.Errorf("bad pose file: exit %d, %q", code, errs)
	}
}
