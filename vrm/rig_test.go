package vrm

import (
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// rigScript is a sequence of poses played at 60 Hz with spring bones on:
// the head and arms swing (hair springs move), expressions and the gaze
// change every frame. Two seeds give two different performances.
func rigScript(av *Model, seed float64, frames int) []*Pose {
	out := make([]*Pose, frames)
	for i := range out {
		t := float64(i)/60 + seed
		p := &Pose{RootPosition: mgl32.Vec3{float32(0.2 * math.Sin(t)), 0, 0}}
		p.SetRotation(humanoid.Head, rotX(float32(40*math.Sin(3*t))))
		p.SetRotation(humanoid.Neck, rotY(float32(30*math.Cos(2*t))))
		p.SetRotation(humanoid.LeftUpperArm, rotZ(float32(-60+30*math.Sin(t))))
		p.SetRotation(humanoid.RightLowerArm, rotY(float32(50*math.Sin(5*t+seed))))
		p.SetRotation(humanoid.Spine, rotX(float32(15*math.Cos(t))))
		for k, x := range av.Expressions {
			p.Expressions = append(p.Expressions, ExpressionWeight{Name: x.Name, Weight: float32(0.5 + 0.5*math.Sin(t*float64(k+1)))})
		}
		p.LookAt = LookAtInput{Mode: LookAtTarget, Target: mgl32.Vec3{float32(math.Sin(2 * t)), 1.4, 1}}
		out[i] = p
	}
	return out
}

// cloneFrame deep-copies a Frame (a Rig reuses its own).
func cloneFrame(f *Frame) *Frame {
	c := &Frame{
		NodeWorld:     append([]mgl32.Mat4(nil), f.NodeWorld...),
		JointPalettes: make([][]mgl32.Mat4, len(f.JointPalettes)),
		MorphWeights:  make([][]float32, len(f.MorphWeights)),
		Materials:     append([]MaterialState(nil), f.Materials...),
	}
	for i, p := range f.JointPalettes {
		c.JointPalettes[i] = append([]mgl32.Mat4(nil), p...)
	}
	for i, w := range f.MorphWeights {
		if w != nil {
			c.MorphWeights[i] = append([]float32(nil), w...)
		}
	}
	return c
}

// playScript runs a script on rg, calling check with each frame.
func playScript(rg *Rig, script []*Pose, check func(i int, f *Frame)) {
	for i, p := range script {
		check(i, rg.Update(p, 1.0/60))
	}
}

// TestRigsShareModel poses two Rigs of one freshly loaded Model from two
// goroutines at once, with different performances and spring bones on
// (run it with -race): each Rig's frames equal, bit for bit, those of a
// Rig that played its performance alone on another copy of the model. The
// two Rigs also build the shared Model's rest data concurrently.
func TestRigsShareModel(t *testing.T) {
	data := encode(t, synthConstrained(true), Version1)
	const frames = 180
	ref := reload(t, data)
	scripts := [2][]*Pose{rigScript(ref, 0, frames), rigScript(ref, 2.5, frames)}
	var want [2][]*Frame
	for k := range scripts {
		playScript(NewRig(ref), scripts[k], func(_ int, f *Frame) { want[k] = append(want[k], cloneFrame(f)) })
	}
	if reflect.DeepEqual(want[0][frames-1], want[1][frames-1]) {
		t.Fatal("test set-up: the two performances end in the same frame")
	}

	shared := reload(t, data)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mismatch [2]int // first differing frame + 1, 0 when none
	for k := range scripts {
		wg.Go(func() {
			<-start
			rg := NewRig(shared)
			playScript(rg, scripts[k], func(i int, f *Frame) {
				if mismatch[k] == 0 && !reflect.DeepEqual(f, want[k][i]) {
					mismatch[k] = i + 1
				}
			})
		})
	}
	close(start)
	wg.Wait()
	for k, m := range mismatch {
		if m != 0 {
			t.Errorf("rig %d: frame %d differs from the same performance on a rig of its own", k, m-1)
		}
	}
}

// TestRigIndependent: posing one Rig does not move another of the same
// Model, spring state included.
func TestRigIndependent(t *testing.T) {
	av := reload(t, encode(t, synthAvatar(true), Version1))
	a, b := NewRig(av), NewRig(av)
	rest := cloneFrame(b.Pose(nil))
	for _, p := range rigScript(av, 1, 60) {
		a.Update(p, 1.0/60)
	}
	if got := b.Pose(nil); !reflect.DeepEqual(got, rest) {
		t.Error("rig b's rest pose changed while rig a played")
	}
	if w := b.ExpressionWeights(nil); len(w) != len(av.Expressions) {
		t.Fatalf("rig b: %d expression weights, want %d", len(w), len(av.Expressions))
	} else {
		for i, x := range w {
			if x != 0 {
				t.Errorf("rig b: expression %s weight %v after rig a played", av.Expressions[i].Name, x)
			}
		}
	}
	if NewRig(av).ExpressionWeights(nil) != nil {
		t.Error("a fresh rig reports expression weights before its first pose")
	}
}

// TestRigModelChangedPanics: a Model changed after its rest data was built
// is a programming error NewRig reports, rather than posing with stale data.
func TestRigModelChangedPanics(t *testing.T) {
	av := synthAvatar(true)
	NewRig(av)
	av.Nodes = append(av.Nodes, Node{Name: "late", Parent: -1, Mesh: -1, Skin: -1, Rotation: mgl32.QuatIdent(), Scale: mgl32.Vec3{1, 1, 1}})
	defer func() {
		if recover() == nil {
			t.Error("NewRig of a Model whose nodes changed after first use did not panic")
		}
	}()
	NewRig(av)
}
