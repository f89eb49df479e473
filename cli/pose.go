package cli

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
)

func init() {
	register("pose", "print the world position of every humanoid bone after posing a VRM", runPose)
}

// runPose prints, as JSON {"bones": {"<VRM 1.0 bone name>": [x, y, z], …}},
// the world position in metres of every humanoid bone's node after posing
// (VRM 1.0 frame: VRM 0.x avatars are turned to face +Z), one bone per line
// in name order, numbers in their shortest float32 form. With --nodes the
// object also holds "nodes": {"<node name>": {"position": [x, y, z],
// "rotation": [x, y, z, w]}, …}, every glTF node in file order with its
// world position and world rotation (unit quaternion, w ≥ 0) in the same
// frame, after node constraints — the shape testdata/threevrm/nodes.mjs
// prints from three-vrm. A node without a name is keyed "#<index>", a name
// an earlier node already has "<name>#<index>".
func runPose(_ context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu pose", "FILE.vrm [--pose POSE.json] [--nodes]")
	posePath := fs.String("pose", "", "pose file; the rest pose when absent. Format: "+
		`{"hips": [x, y, z], "bones": {"leftUpperArm": [qx, qy, qz, qw], …}, "expressions": {"happy": 1}} `+
		"(normalized-bone rotations in the VRM 1.0 frame, as three-vrm's getNormalizedBoneNode(name).quaternion)")
	withNodes := fs.Bool("nodes", false, "also print every node's world position and rotation (after node constraints)")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	lim := vrm.DefaultLimits
	lim.NoPixels = true // a pose needs no texture
	av, err := loadFile(fs.Arg(0), lim)
	if err != nil {
		return err
	}
	var p *vrm.Pose
	if *posePath != "" {
		if p, err = readPoseFile(*posePath); err != nil {
			return err
		}
		for _, e := range p.Expressions {
			if _, ok := av.ExpressionIndex(e.Name); !ok {
				fmt.Fprintf(env.Stderr, "kugutsu pose: %s has no expression %q; ignored\n", fs.Arg(0), e.Name)
			}
		}
	}
	f := vrm.NewRig(av).Pose(p)
	type bone struct {
		name string
		pos  [3]float32
	}
	var bones []bone
	for _, b := range av.Humanoid.Present.Bones() {
		if pos, ok := av.BonePosition(f, b); ok {
			bones = append(bones, bone{b.String(), pos})
		}
	}
	slices.SortFunc(bones, func(a, b bone) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	w := bufio.NewWriter(env.Stdout)
	num := func(x float32) string { return strconv.FormatFloat(float64(x+0), 'g', -1, 32) }
	fmt.Fprintln(w, `{"bones": {`)
	for i, b := range bones {
		sep := ","
		if i == len(bones)-1 {
			sep = ""
		}
		fmt.Fprintf(w, "  %q: [%s, %s, %s]%s\n", b.name, num(b.pos[0]), num(b.pos[1]), num(b.pos[2]), sep)
	}
	if !*withNodes {
		fmt.Fprintln(w, "}}")
		return w.Flush()
	}
	fmt.Fprintln(w, `}, "nodes": {`)
	keys := nodeKeys(av)
	for i, key := range keys {
		pos, q, _ := av.NodeTransform(f, i)
		if q.W < 0 {
			q = mgl32.Quat{W: -q.W, V: q.V.Mul(-1)}
		}
		sep := ","
		if i == len(keys)-1 {
			sep = ""
		}
		fmt.Fprintf(w, "  %q: {\"position\": [%s, %s, %s], \"rotation\": [%s, %s, %s, %s]}%s\n", key,
			num(pos[0]), num(pos[1]), num(pos[2]), num(q.V[0]), num(q.V[1]), num(q.V[2]), num(q.W), sep)
	}
	fmt.Fprintln(w, "}}")
	return w.Flush()
}

// nodeKeys names every node for `pose --nodes`: its glTF name, "#<index>"
// when it has none, "<name>#<index>" when an earlier node has the name.
func nodeKeys(av *vrm.Model) []string {
	keys := make([]string, len(av.Nodes))
	used := make(map[string]bool, len(av.Nodes))
	for i, n := range av.Nodes {
		k := n.Name
		switch {
		case k == "":
			k = "#" + strconv.Itoa(i)
		case used[k]:
			k += "#" + strconv.Itoa(i)
		}
		used[k] = true
		keys[i] = k
	}
	return keys
}
