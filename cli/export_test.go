package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// writeTestRecording writes frames [0, n) of the synthetic performance as
// a recording at an exact 60 fps (frame bundle, then the blend bundle 1 ms
// later), without waiting: the capture format, not the network, is under
// test here.
func writeTestRecording(t *testing.T, path string, n int) []capture.Datagram {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := capture.NewWriter(f, capture.WriterOptions{Application: "test"})
	if err != nil {
		t.Fatal(err)
	}
	src, dst := netip.MustParseAddrPort("127.0.0.1:50000"), netip.MustParseAddrPort("127.0.0.1:39539")
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	var ds []capture.Datagram
	for i := range n {
		fr := performance(i)
		fb, err := vmctest.FrameBundle(fr).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Duration(i) * time.Second / 60)
		ds = append(ds,
			capture.Datagram{At: at, Src: src, Dst: dst, Payload: fb},
			capture.Datagram{At: at.Add(time.Millisecond), Src: src, Dst: dst, Payload: blendDatagram(t, fr.Blends)})
	}
	for _, d := range ds {
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return ds
}

// keyPose is what an export should hold at one key: normalized rotations
// with the root folded into the hips, the hips position, the weights.
type keyPose struct {
	rot   [humanoid.Count]mgl32.Quat
	hips  mgl32.Vec3
	exprs map[string]float32
	eyes  [2]mgl32.Quat
	world [humanoid.Count]mgl32.Vec3 // the avatar's bones as Kugutsu shows them
}

// expectedKeys runs the same sampling as the export and keeps each pose.
func expectedKeys(t *testing.T, ds []capture.Datagram, av *vrm.Model, fps float64) []keyPose {
	t.Helper()
	var keys []keyPose
	rig := vrm.NewRig(av)
	rest := rig.Pose(nil).NodeWorld[av.Humanoid.Node(humanoid.Hips)].Col(3).Vec3()
	err := samplePoses(context.Background(), ds, av, fps, func(_ float32, p *vrm.Pose) error {
		var k keyPose
		root := p.RootRotation.Normalize()
		for b := humanoid.Bone(0); b < humanoid.Count; b++ {
			k.rot[b] = mgl32.QuatIdent()
			if p.Rotated.Has(b) {
				k.rot[b] = p.Rotations[b].Normalize()
			}
		}
		k.rot[humanoid.Hips] = root.Mul(k.rot[humanoid.Hips])
		h := rest
		if p.Positioned.Has(humanoid.Hips) {
			h = p.Positions[humanoid.Hips]
		}
		k.hips = p.RootPosition.Add(root.Rotate(h))
		k.exprs = map[string]float32{}
		for _, e := range p.Expressions {
			k.exprs[e.Name] = e.Weight
		}
		k.eyes = [2]mgl32.Quat{k.rot[humanoid.LeftEye], k.rot[humanoid.RightEye]}
		f := rig.Pose(p)
		for b := humanoid.Bone(0); b < humanoid.Count; b++ {
			k.world[b], _ = av.BonePosition(f, b)
		}
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// angleDeg is the angle between two rotations, degrees.
func angleDeg(a, b mgl32.Quat) float64 {
	d := math.Abs(float64(a.Normalize().Dot(b.Normalize())))
	return 2 * math.Acos(min(d, 1)) * 180 / math.Pi
}

func quatXYZW(v []float64) mgl32.Quat {
	return mgl32.Quat{W: float32(v[3]), V: mgl32.Vec3{float32(v[0]), float32(v[1]), float32(v[2])}}
}

// threeVRM returns node and the reference scripts' directory, skipping
// when they are missing (unless KUGUTSU_REQUIRE_TOOLS=1).
func threeVRM(t *testing.T) (node, dir string) {
	t.Helper()
	dir, _ = filepath.Abs(filepath.Join("..", "testdata", "threevrm"))
	var err error
	if node, err = exec.LookPath("node"); err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@pixiv", "three-vrm-animation", "package.json"))
	}
	if err != nil {
		if os.Getenv("KUGUTSU_REQUIRE_TOOLS") == "1" {
			t.Fatalf("node and testdata/threevrm's packages are required (KUGUTSU_REQUIRE_TOOLS=1; make deps): %v", err)
		}
		t.Skipf("node or testdata/threevrm's packages missing (make deps): %v", err)
	}
	return node, dir
}

func runNode(t *testing.T, node, dir string, v any, args ...string) {
	t.Helper()
	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("node %s: %v\n%.500s", args[0], err, out)
	}
}

// The .vrma of a recording, loaded onto the same avatar by
// three-vrm-animation, gives the poses Kugutsu's Marionette computed for
// the recording within 0.1° (bones, lookAt), 1 mm (hips) and 1e-4
// (expressions): for a VRM 1.0 avatar (the doll) and a VRM 0.x one
// (Godette), where three-vrm-animation turns the clip into the model's
// own frame (x and z negated).
func TestExportVRMAMatchesThreeVRMAnimation(t *testing.T) {
	node, dir := threeVRM(t)
	t.Run("doll", func(t *testing.T) { testExportVRMA(t, node, dir, "") })
	t.Run("Godette", func(t *testing.T) { testExportVRMA(t, node, dir, testutil.SharedModel(t, "Godette.vrm")) })
}

func testExportVRMA(t *testing.T, node, dir, avatarPath string) {
	tmp := t.TempDir()
	rec := filepath.Join(tmp, "take.pcapng")
	ds := writeTestRecording(t, rec, 300)
	out := filepath.Join(tmp, "take.vrma")
	stderr := &syncBuffer{}
	args := []string{rec, "--format", "vrma", "--out", out}
	if avatarPath != "" {
		args = append(args, "--vrm", avatarPath)
	}
	if err := runExport(context.Background(), Env{Stdout: io.Discard, Stderr: stderr}, args); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	av, err := loadAvatarOrDoll(avatarPath)
	if err != nil {
		t.Fatal(err)
	}
	// three-vrm-animation's VRM 0.x retargeting: x and z negated.
	flip := float32(1)
	if av.Version == vrm.Version0 {
		flip = -1
	}
	const fps = 30
	want := expectedKeys(t, ds, av, fps)
	keys := []int{0, 1, 17, 75, 149, len(want) - 1}
	var times []string
	for _, k := range keys {
		times = append(times, fmt.Sprint(float64(k)/fps))
	}
	model := avatarPath
	if model == "" {
		model = filepath.Join("..", "assets", "default.vrm")
	}
	model, _ = filepath.Abs(model)
	var got struct {
		Duration float64
		Samples  []struct {
			T           float64
			Bones       map[string][]float64
			Hips        []float64
			Expressions map[string]float64
			LookAt      []float64
			World       map[string][]float64
		}
	}
	runNode(t, node, dir, &got, "sample-vrma.mjs", model, out, strings.Join(times, ","))
	if d := float64(len(want)-1) / fps; math.Abs(got.Duration-d) > 1e-4 {
		t.Errorf("clip duration %v s, want %v s", got.Duration, d)
	}
	worst, worstMM, compared := 0.0, 0.0, 0
	for i, k := range keys {
		s, w := got.Samples[i], want[k]
		for b := humanoid.Bone(0); b < humanoid.Count; b++ {
			if b == humanoid.LeftEye || b == humanoid.RightEye || !av.Humanoid.Present.Has(b) {
				continue // the eyes are driven through lookAt
			}
			q, ok := s.Bones[b.VRM1Name()]
			if !ok {
				t.Fatalf("key %d: three-vrm has no %s", k, b.VRM1Name())
			}
			wq := w.rot[b]
			wq.V[0], wq.V[2] = flip*wq.V[0], flip*wq.V[2]
			a := angleDeg(quatXYZW(q), wq)
			worst = max(worst, a)
			compared++
			if a > 0.1 {
				t.Errorf("key %d (t=%v s) %s: three-vrm-animation %v, Kugutsu %v: %.3f° apart", k, s.T, b.VRM1Name(), q, wq, a)
			}
		}
		// The whole avatar: three-vrm's raw bones where Kugutsu's rig puts
		// them (the root folded into the hips, as the export does).
		for b := humanoid.Bone(0); b < humanoid.Count; b++ {
			p, ok := s.World[b.VRM1Name()]
			if !ok || !av.Humanoid.Present.Has(b) {
				continue
			}
			wp := mgl32.Vec3{flip * float32(p[0]), float32(p[1]), flip * float32(p[2])}
			d := float64(wp.Sub(w.world[b]).Len())
			worstMM = max(worstMM, d*1000)
			if d > 1e-3 {
				t.Errorf("key %d %s: three-vrm at %v, Kugutsu at %v: %.1f mm apart", k, b.VRM1Name(), wp, w.world[b], d*1000)
			}
		}
		hips := mgl32.Vec3{flip * float32(s.Hips[0]), float32(s.Hips[1]), flip * float32(s.Hips[2])}
		if hips.Sub(w.hips).Len() > 1e-3 {
			t.Errorf("key %d hips at %v, want %v", k, hips, w.hips)
		}
		for name, wt := range w.exprs {
			if math.Abs(s.Expressions[name]-float64(wt)) > 1e-4 {
				t.Errorf("key %d expression %s: %v, want %v", k, name, s.Expressions[name], wt)
			}
		}
		if len(w.exprs) == 0 && k > 0 {
			t.Errorf("key %d: no expression weights to compare", k)
		}
		if _, ok := av.ExpressionIndex("browInnerUp"); ok && k > 0 && w.exprs["browInnerUp"] == 0 {
			t.Errorf("key %d: the custom expression browInnerUp is not driven", k)
		}
		// lookAt: three-vrm's yaw/pitch from the proxy, ours from the eyes.
		dir := w.eyes[0].Rotate(mgl32.Vec3{0, 0, 1}).Add(w.eyes[1].Rotate(mgl32.Vec3{0, 0, 1}))
		yaw := math.Atan2(float64(dir[0]), float64(dir[2])) * 180 / math.Pi
		pitch := math.Atan2(-float64(dir[1]), math.Hypot(float64(dir[0]), float64(dir[2]))) * 180 / math.Pi
		if len(s.LookAt) != 2 || math.Abs(s.LookAt[0]-yaw) > 0.1 || math.Abs(s.LookAt[1]-pitch) > 0.1 {
			t.Errorf("key %d lookAt (yaw, pitch) %v, want (%.3f, %.3f)", k, s.LookAt, yaw, pitch)
		}
	}
	t.Logf("largest normalized-rotation difference %.5f° over %d bone samples; largest bone position difference %.6f mm", worst, compared, worstMM)
}

// The BVH of a recording, read by three's BVHLoader, holds the same
// normalized rotations (within 0.1°) and hips positions (1 mm).
func TestExportBVHMatchesThreeBVHLoader(t *testing.T) {
	node, dir := threeVRM(t)
	tmp := t.TempDir()
	rec := filepath.Join(tmp, "take.pcapng")
	ds := writeTestRecording(t, rec, 120)
	out := filepath.Join(tmp, "take.bvh")
	stderr := &syncBuffer{}
	if err := runExport(context.Background(), Env{Stdout: io.Discard, Stderr: stderr}, []string{rec, "--format", "bvh", "--fps", "60", "--out", out}); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	av, err := loadAvatarOrDoll("")
	if err != nil {
		t.Fatal(err)
	}
	want := expectedKeys(t, ds, av, 60)
	frames := []int{0, 5, 59, len(want) - 1}
	var fs []string
	for _, k := range frames {
		fs = append(fs, fmt.Sprint(k))
	}
	var got struct {
		Joints  []string
		Frames  int
		Samples []struct {
			Rotations map[string][]float64
			Position  []float64
		}
	}
	runNode(t, node, dir, &got, "sample-bvh.mjs", out, strings.Join(fs, ","))
	joints := 0
	for _, j := range got.Joints {
		if _, ok := humanoid.ParseVRM1(j); ok {
			joints++
		}
	}
	if got.Frames != len(want) || joints != humanoid.Count {
		t.Fatalf("BVHLoader read %d frames of %d humanoid joints (%d in all), want %d of %d", got.Frames, joints, len(got.Joints), len(want), humanoid.Count)
	}
	for i, k := range frames {
		s, w := got.Samples[i], want[k]
		for b := humanoid.Bone(0); b < humanoid.Count; b++ {
			q, ok := s.Rotations[b.VRM1Name()]
			if !ok {
				t.Fatalf("frame %d: no joint %s", k, b.VRM1Name())
			}
			if a := angleDeg(quatXYZW(q), w.rot[b]); a > 0.1 {
				t.Errorf("frame %d %s: BVHLoader %v, Kugutsu %v: %.3f° apart", k, b.VRM1Name(), q, w.rot[b], a)
			}
		}
		p := mgl32.Vec3{float32(s.Position[0]), float32(s.Position[1]), float32(s.Position[2])}
		if p.Sub(w.hips).Len() > 1e-3 {
			t.Errorf("frame %d hips at %v, want %v", k, p, w.hips)
		}
	}
}
