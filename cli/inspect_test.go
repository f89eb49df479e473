package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
)

// run runs kugutsu with args and returns its exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, Env{Version: "test", Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

func TestInspectText(t *testing.T) {
	code, out, errs := run(t, "inspect", testutil.SharedModel(t, "Godette.vrm"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"version:     VRM 0.x", "name:        Low-Poly Godette (version 0.21)", "CC_BY https://creativecommons.org/licenses/by/4.0/",
		"credit required", "45 of 55 bones", "missing: leftEye", "3439 triangles", "15 morph targets", "1 (68 joints)",
		"textures:    5 (3 PNG, 2 JPEG)", "expressions: 17", "happy            preset  2 morph", "blinkLeft", "binary",
		"lookAt:      expression", "springs:     8 chains", "warnings:    none",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
}

func TestInspectJSON(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testutil.SharedModels(t), "*.vrm"))
	if len(files) == 0 {
		t.Fatal("no models")
	}
	for _, f := range files {
		code, out, errs := run(t, "inspect", f, "--json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errs)
		}
		var r inspectReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if r.Humanoid.Found == 0 || len(r.Humanoid.MissingRequired) != 0 || r.Meshes.Triangles == 0 || r.Meta.Name == "" {
			t.Errorf("%s: report %+v", f, r)
		}
		if strings.Contains(f, "isBinary_Overrides") {
			if r.Version != "1.0" || len(r.Expressions) != 2 || r.Expressions[0].Name != "happy" || !r.Expressions[0].IsBinary ||
				r.Expressions[0].OverrideBlink != "blend" || r.Expressions[0].TextureBinds != 2 {
				t.Errorf("%s: expressions %+v", f, r.Expressions)
			}
		}
	}
}

func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.gltf")
	os.WriteFile(plain, []byte(`{"asset": {"version": "2.0"}}`), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"inspect", plain}, 1, "not a VRM: no VRMC_vrm or VRM extension"},
		{[]string{"inspect", filepath.Join(dir, "missing.vrm")}, 1, "no such file"},
		{[]string{"inspect"}, 2, "missing argument"},
	} {
		code, _, errs := run(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}

// TestInspectConstraints: node constraints are listed in text and JSON.
func TestInspectConstraints(t *testing.T) {
	robot := constrainedRobot(t)
	code, out, errs := run(t, "inspect", robot)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"constraints: 4", "LowerArm.L       roll Y from hand.L, weight 0.5", "UpperArm.R       rotation from upper_arm.L, weight 0.6",
		"Head             aim PositiveZ from hand.R, weight 0.7"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = run(t, "inspect", robot, "--json")
	var r inspectReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// In node order, as in the file.
	if len(r.Constraints) != 4 || r.Constraints[1] != (inspectConstraint{Node: "Hand.L", Source: "Head", Type: "aim", Axis: "NegativeY", Weight: 1}) {
		t.Errorf("constraints %+v", r.Constraints)
	}
}
