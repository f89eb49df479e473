package vrm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// threeVRMDir holds three.js and three-vrm (`make deps`) and nodes.mjs.
var threeVRMDir = filepath.Join("..", "testdata", "threevrm")

// requireThreeVRM returns the node binary, or skips (fails under
// KUGUTSU_REQUIRE_TOOLS=1) when node or the three-vrm packages are missing.
func requireThreeVRM(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(threeVRMDir, "node_modules", "@pixiv", "three-vrm", "package.json"))
	}
	if err != nil {
		if os.Getenv("KUGUTSU_REQUIRE_TOOLS") == "1" {
			t.Fatalf("node with three-vrm is required (KUGUTSU_REQUIRE_TOOLS=1; `make deps` runs npm ci in %s): %v", threeVRMDir, err)
		}
		t.Skipf("node with three-vrm is not available (make deps): %v", err)
	}
	return node
}

// nodeTransform is one node of nodes.mjs's output.
type nodeTransform struct {
	Position [3]float64 `json:"position"`
	Rotation [4]float64 `json:"rotation"` // x, y, z, w
}

// threeVRMNodes runs nodes.mjs on a model file and a pose file ("" for
// rest) and returns its nodes by key.
func threeVRMNodes(t *testing.T, node, model, pose string) map[string]nodeTransform {
	t.Helper()
	args := []string{"nodes.mjs", model}
	if pose != "" {
		args = append(args, pose)
	}
	cmd := exec.Command(node, args...)
	cmd.Dir = threeVRMDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node nodes.mjs: %v\n%s", err, stderr.Bytes())
	}
	var r struct {
		Nodes map[string]nodeTransform `json:"nodes"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("nodes.mjs output: %v\n%s", err, out)
	}
	return r.Nodes
}

// nodeKeysForTest is the key rule of `kugutsu pose --nodes` and nodes.mjs.
func nodeKeysForTest(av *Model) []string {
	keys := make([]string, len(av.Nodes))
	used := map[string]bool{}
	for i, n := range av.Nodes {
		k := n.Name
		switch {
		case k == "":
			k = "#" + itoa(i)
		case used[k]:
			k += "#" + itoa(i)
		}
		used[k] = true
		keys[i] = k
	}
	return keys
}

// poseFileJSON writes p in the pose file format (cli/posefile.go) for
// nodes.mjs: bones, hips and root, every number in its shortest float32
// form, so three-vrm reads exactly the Pose this package poses (cli's tests
// cover the parser against nodes.mjs through `kugutsu pose`).
func poseFileJSON(p *Pose) []byte {
	num := func(x float32) string { return strconv.FormatFloat(float64(x), 'g', -1, 32) }
	var parts []string
	if p.Positioned.Has(humanoid.Hips) {
		h := p.Positions[humanoid.Hips]
		parts = append(parts, fmt.Sprintf(`"hips": [%s, %s, %s]`, num(h[0]), num(h[1]), num(h[2])))
	}
	var bones []string
	for _, b := range p.Rotated.Bones() {
		q := p.Rotations[b]
		bones = append(bones, fmt.Sprintf(`%q: [%s, %s, %s, %s]`, b.String(), num(q.V[0]), num(q.V[1]), num(q.V[2]), num(q.W)))
	}
	parts = append(parts, `"bones": {`+strings.Join(bones, ", ")+`}`)
	if p.RootRotation != (mgl32.Quat{}) || p.RootPosition != (mgl32.Vec3{}) {
		r, q := p.RootPosition, quat.Normalize(p.RootRotation)
		parts = append(parts, fmt.Sprintf(`"root": {"position": [%s, %s, %s], "rotation": [%s, %s, %s, %s]}`,
			num(r[0]), num(r[1]), num(r[2]), num(q.V[0]), num(q.V[1]), num(q.V[2]), num(q.W)))
	}
	return []byte("{" + strings.Join(parts, ", ") + "}")
}

// nodeErrors compares every node of av posed by the pose file with
// three-vrm's nodes; it returns the largest position (metres) and rotation
// (degrees) differences over all nodes and over the constrained ones.
type nodeErrors struct {
	pos, rot         float64
	consPos, consRot float64
	worstRot         string
}

func compareWithThreeVRM(t *testing.T, av *Model, f *Frame, three map[string]nodeTransform) nodeErrors {
	t.Helper()
	constrained := map[int]bool{}
	for _, c := range av.Constraints {
		constrained[c.Node] = true
	}
	var e nodeErrors
	for i, key := range nodeKeysForTest(av) {
		want, ok := three[key]
		if !ok {
			t.Errorf("three-vrm has no node %q", key)
			continue
		}
		pos, rot, _ := av.NodeTransform(f, i)
		var dp float64
		for k := range 3 {
			dp = max(dp, math.Abs(float64(pos[k])-want.Position[k]))
		}
		w := want.Rotation
		dr := angleDeg(rot, mgl32.Quat{W: float32(w[3]), V: mgl32.Vec3{float32(w[0]), float32(w[1]), float32(w[2])}})
		e.pos = max(e.pos, dp)
		if dr > e.rot {
			e.rot, e.worstRot = dr, key
		}
		if constrained[i] {
			e.consPos, e.consRot = max(e.consPos, dp), max(e.consRot, dr)
		}
		if dp > 1e-6 || dr > 0.1 {
			t.Errorf("node %q: position %v vs three-vrm %v (%.3g m), rotation %v vs %v (%.4f°)", key, pos, want.Position, dp, rot, w, dr)
		}
	}
	return e
}

// TestConstraintsMatchThreeVRM poses the synthetic constrained avatar (VRM
// 1.0 with rotated rest frames, and VRM 0.x) in three-vrm 3.5.5 and here,
// and requires every node within 0.001 mm and 0.1° of three-vrm's.
func TestConstraintsMatchThreeVRM(t *testing.T) {
	node := requireThreeVRM(t)
	dir := t.TempDir()
	var worst nodeErrors
	for _, v := range []Version{Version1, Version0} {
		model := filepath.Join(dir, "constrained-"+strings.ReplaceAll(v.String(), ".", "")+".vrm")
		if err := os.WriteFile(model, encode(t, synthConstrained(v == Version1), v), 0o644); err != nil {
			t.Fatal(err)
		}
		av, err := LoadFile(model)
		if err != nil {
			t.Fatal(err)
		}
		if len(av.Constraints) != 9 {
			t.Fatalf("%d constraints loaded, want 9", len(av.Constraints))
		}
		for pi, p := range synthPoses() {
			t.Run(fmt.Sprintf("%v/pose%d", v, pi), func(t *testing.T) {
				posePath := ""
				if p != nil {
					posePath = filepath.Join(dir, fmt.Sprintf("pose%d.json", pi))
					if err := os.WriteFile(posePath, poseFileJSON(p), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				e := compareWithThreeVRM(t, av, NewRig(av).Pose(p), threeVRMNodes(t, node, model, posePath))
				t.Logf("max error: all nodes %.2g m, %.2g° (%s); constrained nodes %.2g m, %.2g°", e.pos, e.rot, e.worstRot, e.consPos, e.consRot)
				worst.pos, worst.rot = max(worst.pos, e.pos), max(worst.rot, e.rot)
				worst.consPos, worst.consRot = max(worst.consPos, e.consPos), max(worst.consRot, e.consRot)
			})
		}
	}
	t.Logf("worst over all poses: all nodes %.2g m, %.2g°; constrained nodes %.2g m, %.2g°", worst.pos, worst.rot, worst.consPos, worst.consRot)
}

// TestNodesMatchThreeVRMOnModels: every node of the real sample models
// (none of ../shared/models has constraints) under a pose, against three-vrm — the humanoid rig,
// the VRM 0.x turn and Model.NodeTransform as `kugutsu pose --nodes`
// prints them.
func TestNodesMatchThreeVRMOnModels(t *testing.T) {
	node := requireThreeVRM(t)
	p := synthPoses()[1]
	pose := filepath.Join(t.TempDir(), "pose.json")
	if err := os.WriteFile(pose, poseFileJSON(p), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"debug_robot_vrm1.vrm", "Godette.vrm", "sphere_vrm0.vrm", "isBinary_Overrides_vrm1.vrm", "mtoon_uv_animation_vrm1.vrm"} {
		t.Run(name, func(t *testing.T) {
			abs := testutil.SharedModel(t, name)
			av := loadModel(t, name)
			e := compareWithThreeVRM(t, av, NewRig(av).Pose(p), threeVRMNodes(t, node, abs, pose))
			t.Logf("max error: %.2g m, %.2g° (%s)", e.pos, e.rot, e.worstRot)
		})
	}
}
