package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// maxPoseFileSize bounds a pose file, bytes.
const maxPoseFileSize = 1 << 20

// poseFile is the JSON shape of the project's pose file.
type poseFile struct {
	Hips        []float64            `json:"hips,omitempty"`
	Bones       map[string][]float64 `json:"bones,omitempty"`
	Expressions map[string]float64   `json:"expressions,omitempty"`
	Root        *struct {
		Position []float64 `json:"position,omitempty"`
		Rotation []float64 `json:"rotation,omitempty"`
		Scale    *float64  `json:"scale,omitempty"`
	} `json:"root,omitempty"`
	LookAt *struct {
		Target []float64 `json:"target,omitempty"`
		Yaw    *float64  `json:"yaw,omitempty"`
		Pitch  *float64  `json:"pitch,omitempty"`
	} `json:"lookAt,omitempty"`
}

// parsePoseJSON reads the project's pose file format, shared by `kugutsu
// pose` and `kugutsu render --pose`:
//
//	{
//	  "hips": [x, y, z],
//	  "bones": {"leftUpperArm": [qx, qy, qz, qw], …},
//	  "expressions": {"happy": 1.0, …},
//	  "root": {"position": [x, y, z], "rotation": [qx, qy, qz, qw], "scale": s},
//	  "lookAt": {"target": [x, y, z]}  or  {"yaw": deg, "pitch": deg}
//	}
//
// Every field is optional. Bone keys are VRM 1.0 humanoid bone names (case
// ignored); rotations are normalized-bone rotations in the VRM 1.0 frame,
// three-vrm's humanoid.getNormalizedBoneNode(name).quaternion, and are
// normalised; "hips" is the hips position in model space, metres (vrm.Pose
// Positions[Hips]). Expression keys are matched like
// vrm.Model.ExpressionIndex; weights are 0–1. lookAt yaw/pitch follow
// vrm.LookAtInput. Unknown fields, unknown bone names, non-finite or zero
// quaternions are errors naming the culprit.
func parsePoseJSON(r io.Reader) (*vrm.Pose, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPoseFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPoseFileSize {
		return nil, fmt.Errorf("pose file: larger than %d bytes", maxPoseFileSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f poseFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("pose file: %w", err)
	}
	if dec.More() {
		return nil, errors.New("pose file: data after the JSON object")
	}
	p := new(vrm.Pose)
	vec := func(what string, v []float64) (mgl32.Vec3, error) {
		if len(v) != 3 {
			return mgl32.Vec3{}, fmt.Errorf("pose file: %s: %d numbers, want 3", what, len(v))
		}
		return mgl32.Vec3{float32(v[0]), float32(v[1]), float32(v[2])}, nil
	}
	quat := func(what string, q []float64) (mgl32.Quat, error) {
		if len(q) != 4 {
			return mgl32.Quat{}, fmt.Errorf("pose file: %s: %d numbers, want a quaternion [x, y, z, w]", what, len(q))
		}
		n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
		if !(n > 1e-9) || math.IsInf(n, 0) {
			return mgl32.Quat{}, fmt.Errorf("pose file: %s: quaternion %v has no direction", what, q)
		}
		return mgl32.Quat{W: float32(q[3] / n), V: mgl32.Vec3{float32(q[0] / n), float32(q[1] / n), float32(q[2] / n)}}, nil
	}
	if f.Hips != nil {
		h, err := vec("hips", f.Hips)
		if err != nil {
			return nil, err
		}
		p.SetPosition(humanoid.Hips, h)
	}
	names := make([]string, 0, len(f.Bones))
	for name := range f.Bones {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b, ok := humanoid.ParseVRM1(name)
		if !ok {
			return nil, fmt.Errorf("pose file: bones: %q is not a VRM 1.0 humanoid bone name", name)
		}
		if p.Rotated.Has(b) {
			return nil, fmt.Errorf("pose file: bones: %q given twice", name)
		}
		q, err := quat("bones."+name, f.Bones[name])
		if err != nil {
			return nil, err
		}
		p.SetRotation(b, q)
	}
	names = names[:0]
	for name := range f.Expressions {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w := f.Expressions[name]
		if w < 0 || w > 1 {
			return nil, fmt.Errorf("pose file: expressions.%s: weight %v not in 0…1", name, w)
		}
		p.Expressions = append(p.Expressions, vrm.ExpressionWeight{Name: name, Weight: float32(w)})
	}
	if rt := f.Root; rt != nil {
		if rt.Position != nil {
			if p.RootPosition, err = vec("root.position", rt.Position); err != nil {
				return nil, err
			}
		}
		if rt.Rotation != nil {
			q, err := quat("root.rotation", rt.Rotation)
			if err != nil {
				return nil, err
			}
			p.RootRotation = q
		}
		if rt.Scale != nil {
			if !(*rt.Scale > 0) {
				return nil, fmt.Errorf("pose file: root.scale %v must be > 0", *rt.Scale)
			}
			p.RootScale = float32(*rt.Scale)
		}
	}
	if la := f.LookAt; la != nil {
		switch {
		case la.Target != nil && (la.Yaw != nil || la.Pitch != nil):
			return nil, errors.New("pose file: lookAt: give a target or yaw/pitch, not both")
		case la.Target != nil:
			v, err := vec("lookAt.target", la.Target)
			if err != nil {
				return nil, err
			}
			p.LookAt = vrm.LookAtInput{Mode: vrm.LookAtTarget, Target: v}
		default:
			p.LookAt.Mode = vrm.LookAtAngles
			if la.Yaw != nil {
				p.LookAt.Yaw = float32(*la.Yaw)
			}
			if la.Pitch != nil {
				p.LookAt.Pitch = float32(*la.Pitch)
			}
		}
	}
	return p, nil
}

// readPoseFile reads a pose file; see parsePoseJSON.
func readPoseFile(path string) (*vrm.Pose, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := parsePoseJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
