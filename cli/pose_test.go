package cli

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/vrmenc"
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
	model := testutil.SharedModel(t, "debug_robot_vrm1.vrm")
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
	g := poseBones(t, testutil.SharedModel(t, "Godette.vrm"))
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

// nodeOutput is `pose --nodes` output.
type nodeOutput struct {
	Bones map[string][3]float64 `json:"bones"`
	Nodes map[string]struct {
		Position [3]float64 `json:"position"`
		Rotation [4]float64 `json:"rotation"`
	} `json:"nodes"`
}

func poseNodes(t *testing.T, args ...string) nodeOutput {
	t.Helper()
	code, out, errs := run(t, append([]string{"pose", "--nodes"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r nodeOutput
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return r
}

// constrainedRobot writes the debug robot with node constraints on some of
// its mesh nodes (which hang below the bones): the lower arm's mesh rolls
// with the hand, the right upper arm's copies the left upper arm's
// rotation, the head's mesh aims at the right hand, and the left hand's
// mesh aims at the (constrained) head mesh.
func constrainedRobot(t *testing.T) string {
	t.Helper()
	av, err := vrm.LoadFile(testutil.SharedModel(t, "debug_robot_vrm1.vrm"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for i, n := range av.Nodes {
		byName[n.Name] = i
	}
	av.Constraints = []vrm.NodeConstraint{
		{Node: byName["LowerArm.L"], Source: byName["hand.L"], Type: vrm.ConstraintRoll, Axis: vrm.AxisPositiveY, Weight: 0.5},
		{Node: byName["UpperArm.R"], Source: byName["upper_arm.L"], Type: vrm.ConstraintRotation, Weight: 0.6},
		{Node: byName["Head"], Source: byName["hand.R"], Type: vrm.ConstraintAim, Axis: vrm.AxisPositiveZ, Weight: 0.7},
		{Node: byName["Hand.L"], Source: byName["Head"], Type: vrm.ConstraintAim, Axis: vrm.AxisNegativeY, Weight: 1},
	}
	path := filepath.Join(t.TempDir(), "constrained_robot.vrm")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := vrmenc.Encode(f, av, vrm.Version1); err != nil {
		t.Fatal(err)
	}
	return path
}

const robotPose = `{"hips": [0.05, 0.7, 0.02], "bones": {
	"leftUpperArm": [0.1, 0.2, -0.4, 0.89], "leftLowerArm": [0.3, 0.5, 0.1, 0.8], "leftHand": [0.6, 0.1, 0.2, 0.77],
	"rightUpperArm": [-0.2, 0.4, 0.3, 0.84], "rightHand": [0.1, -0.5, 0.3, 0.8], "head": [0.2, 0.3, 0, 0.93]},
	"root": {"position": [0.2, 0, -0.3], "rotation": [0, 0.38268343, 0, 0.92387953]}}`

// TestPoseNodes: --nodes prints every node, keyed as documented, with the
// world transform after node constraints.
func TestPoseNodes(t *testing.T) {
	g := poseNodes(t, testutil.SharedModel(t, "Godette.vrm"))
	if len(g.Nodes) != 71 || len(g.Bones) == 0 {
		t.Errorf("Godette: %d nodes (want 71), %d bones", len(g.Nodes), len(g.Bones))
	}
	for name, n := range g.Nodes {
		q := n.Rotation
		if l := q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3]; l < 0.9999 || l > 1.0001 || q[3] < 0 {
			t.Errorf("Godette node %s: rotation %v is not a unit quaternion with w ≥ 0", name, q)
		}
	}
	if h, n := g.Bones["hips"], g.Nodes["pelvis_Armature"].Position; h != n {
		t.Errorf("hips bone %v but its node pelvis_Armature %v", h, n)
	}

	robot := constrainedRobot(t)
	pf := filepath.Join(t.TempDir(), "pose.json")
	os.WriteFile(pf, []byte(robotPose), 0o644)
	got := poseNodes(t, robot, "--pose", pf)
	plain := poseNodes(t, testutil.SharedModel(t, "debug_robot_vrm1.vrm"), "--pose", pf)
	for _, name := range []string{"LowerArm.L", "UpperArm.R", "Head", "Hand.L"} {
		if got.Nodes[name].Rotation == plain.Nodes[name].Rotation {
			t.Errorf("constrained node %s did not move", name)
		}
	}
	if got.Nodes["hand.L"] != plain.Nodes["hand.L"] {
		t.Errorf("unconstrained node hand.L moved: %v vs %v", got.Nodes["hand.L"], plain.Nodes["hand.L"])
	}
	// Against three-vrm's node-constraint module, when node has it.
	three, ok := threeVRMNodes(t, robot, pf)
	if !ok {
		return
	}
	var worstPos, worstRot float64
	for name, want := range three {
		n, ok := got.Nodes[name]
		if !ok {
			t.Errorf("three-vrm node %q missing from --nodes", name)
			continue
		}
		var dp float64
		for k := range 3 {
			dp = max(dp, math.Abs(n.Position[k]-want.Position[k]))
		}
		dr := rotationDeg(n.Rotation, want.Rotation)
		worstPos, worstRot = max(worstPos, dp), max(worstRot, dr)
		if dp > 1e-6 || dr > 0.1 {
			t.Errorf("node %q: %v vs three-vrm %v (%.2g m, %.3g°)", name, n, want, dp, dr)
		}
	}
	if len(three) != len(got.Nodes) {
		t.Errorf("%d nodes, three-vrm %d", len(got.Nodes), len(three))
	}
	t.Logf("constrained robot against three-vrm: max %.2g m, %.2g°", worstPos, worstRot)
}

// rotationDeg is the angle between two [x, y, z, w] rotations: 2·atan2(|v|,
// |w|) of a⁻¹·b.
func rotationDeg(a, b [4]float64) float64 {
	ax, ay, az, aw := -a[0], -a[1], -a[2], a[3]
	bx, by, bz, bw := b[0], b[1], b[2], b[3]
	w := aw*bw - ax*bx - ay*by - az*bz
	x := aw*bx + ax*bw + ay*bz - az*by
	y := aw*by - ax*bz + ay*bw + az*bx
	z := aw*bz + ax*by - ay*bx + az*bw
	return 2 * math.Atan2(math.Sqrt(x*x+y*y+z*z), math.Abs(w)) * 180 / math.Pi
}

// threeVRMNodes runs testdata/threevrm/nodes.mjs; ok is false when node
// or three-vrm is missing (a failure under KUGUTSU_REQUIRE_TOOLS=1).
func threeVRMNodes(t *testing.T, model, pose string) (map[string]struct {
	Position [3]float64 `json:"position"`
	Rotation [4]float64 `json:"rotation"`
}, bool) {
	t.Helper()
	dir := filepath.Join("..", "testdata", "threevrm")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@pixiv", "three-vrm", "package.json"))
	}
	if err != nil {
		if os.Getenv("KUGUTSU_REQUIRE_TOOLS") == "1" {
			t.Fatalf("node with three-vrm is required (KUGUTSU_REQUIRE_TOOLS=1; `make deps`): %v", err)
		}
		t.Logf("three-vrm comparison skipped: %v", err)
		return nil, false
	}
	cmd := exec.Command(node, "nodes.mjs", model, pose)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node nodes.mjs: %v\n%s", err, stderr.String())
	}
	var r nodeOutput
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("nodes.mjs output: %v", err)
	}
	return r.Nodes, true
}

// TestNodeKeys: unnamed nodes are "#<index>", repeated names "<name>#<index>".
func TestNodeKeys(t *testing.T) {
	av := &vrm.Model{Nodes: []vrm.Node{{Name: "a"}, {}, {Name: "a"}, {Name: "b"}, {Name: "a"}}}
	got := nodeKeys(av)
	want := []string{"a", "#1", "a#2", "b", "a#4"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("keys %v, want %v", got, want)
	}
}
