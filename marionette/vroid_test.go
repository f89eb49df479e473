package marionette

import (
	"testing"

	"github.com/kugutsu/kugutsu/internal/vroid"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// TestEngineVRoidLayoutOverUDP drives the VRoid-layout avatar
// (internal/vroid: shared vertex buffers, MToon outlines, BLEND hair and
// eyelashes, 18 spring chains) as TestEngineRaisedArmOverUDP drives
// Godette: loaded from memory, spring bones on, a VMC pose over UDP raises
// its left arm and a blendshape closes its eyes, and the engine draws both.
func TestEngineVRoidLayoutOverUDP(t *testing.T) {
	data, err := vroid.VRM()
	if err != nil {
		t.Fatal(err)
	}
	te := newTestEngine(t)
	v := DefaultView()
	v.SpringBones = true
	te.SetView(v)
	te.Resize(testW, testH)
	te.LoadBytes("vroid.vrm", data, false)
	if ev := <-te.loads; ev.Stage != LoadDone {
		t.Fatalf("load: %v", ev.Err)
	}
	rest, info := te.settled(t, "the VRoid-layout avatar loaded")
	if info.Avatar == nil {
		t.Fatal("no avatar drawn after loading")
	}
	own, err := vroid.Load()
	if err != nil {
		t.Fatal(err)
	}
	arm := map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)}
	te.sendPose(t, arm)
	_, raised, _ := te.waitScene(t, "with the raised arm", 0)
	checkRaisedHand(t, te, own, rest, raised, arm)

	// VRoid's Blink group, bound to Fcl_EYE_Close on the shared-buffer
	// Face mesh, closes the eyes.
	te.sendPose(t, arm, vmc.Blend{Name: "Blink", Value: 1})
	_, blink, _ := te.waitScene(t, "blinking", info.SceneSeq+1)
	w, _ := te.ExpressionWeights(nil)
	av, _ := te.Avatar()
	i, ok := av.ExpressionIndex("Blink")
	if !ok || w[i] != 1 {
		t.Fatalf("blink weight %v (expression %d), want 1", w, i)
	}
	eye, _ := own.BonePosition(vrm.NewRig(own).Pose(&vrm.Pose{}), humanoid.LeftEye)
	ex, ey := project(te.Orbit(), eye, testW, testH)
	if n := diffIn(raised, blink, around(ex, ey, 3)); n == 0 {
		t.Errorf("nothing changed at the left eye (%.0f, %.0f) when it blinked", ex, ey)
	}
}
