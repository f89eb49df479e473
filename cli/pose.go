package cli

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/kugutsu/kugutsu/vrm"
)

func init() {
	register("pose", "print the world position of every humanoid bone after posing a VRM", runPose)
}

// runPose prints, as JSON {"bones": {"<VRM 1.0 bone name>": [x, y, z], …}},
// the world position in metres of every humanoid bone's node after posing
// (VRM 1.0 frame: VRM 0.x avatars are turned to face +Z), one bone per line
// in name order, numbers in their shortest float32 form.
func runPose(_ context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu pose", "FILE.vrm [--pose POSE.json]")
	posePath := fs.String("pose", "", "pose file; the rest pose when absent. Format: "+
		`{"hips": [x, y, z], "bones": {"leftUpperArm": [qx, qy, qz, qw], …}, "expressions": {"happy": 1}} `+
		"(normalized-bone rotations in the VRM 1.0 frame, as three-vrm's getNormalizedBoneNode(name).quaternion)")
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
		if p, err = vrm.ReadPoseFile(*posePath); err != nil {
			return err
		}
		for _, e := range p.Expressions {
			if _, ok := av.ExpressionIndex(e.Name); !ok {
				fmt.Fprintf(env.Stderr, "kugutsu pose: %s has no expression %q; ignored\n", fs.Arg(0), e.Name)
			}
		}
	}
	f := av.Pose(p)
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
	fmt.Fprintln(w, "}}")
	return w.Flush()
}
