package marionette

import (
	"context"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func TestMergeFramesByPart(t *testing.T) {
	head := vmctest.UnityAxisAngle(30, 0, 1, 0)
	arm := vmctest.RaisedLeftArm
	a := vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.Head: vmctest.Rot(head), humanoid.LeftUpperArm: vmctest.Rot(vmctest.UnityAxisAngle(10, 0, 0, 1))})
	a.Seq, a.Blends = 3, []vmc.Blend{{Name: "A", Value: 1}}
	a.Root = vmc.Root{Received: true, Transform: vmc.Transform{Position: vmc.Vec3{X: 1}}}
	b := vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.Head: vmctest.Rot(vmctest.UnityAxisAngle(-30, 0, 1, 0)), humanoid.LeftUpperArm: vmctest.Rot(arm)})
	b.Seq, b.Blends = 5, []vmc.Blend{{Name: "B", Value: 1}}
	var dst vmc.Frame
	// b drives the arms, a everything else.
	mergeFrames(&dst, []partSource{{f: b, parts: Parts(0).With(PartArms)}, {f: a, parts: AllParts &^ Parts(0).With(PartArms)}})
	if dst.Bones[humanoid.Head].Rotation != head || dst.Bones[humanoid.LeftUpperArm].Rotation != arm {
		t.Errorf("head %v arm %v: want the head from a, the arm from b", dst.Bones[humanoid.Head].Rotation, dst.Bones[humanoid.LeftUpperArm].Rotation)
	}
	if dst.Root.Position.X != 1 || len(dst.Blends) != 1 || dst.Blends[0].Name != "A" || dst.Seq != 8 {
		t.Errorf("root %v blends %v seq %d", dst.Root, dst.Blends, dst.Seq)
	}
}

// TestEngineTwoPerformers: two Performers on two ports, one driving the
// head and the other the arms, as assigned.
func TestEngineTwoPerformers(t *testing.T) {
	te := godetteEngine(t, false)
	if err := te.SetReceivers([]ReceiverConfig{{Addr: "127.0.0.1:0", Parts: Parts(0).With(PartArms)}}); err != nil {
		t.Fatal(err)
	}
	rs := te.Receivers()
	if len(rs) != 1 || !rs[0].Listening {
		t.Fatalf("receivers %+v", rs)
	}
	second, err := vmctest.Dial(context.Background(), rs[0].Bound.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	headTurn := vmctest.UnityAxisAngle(30, 0, 1, 0)
	// The main Performer sends a turned head and a level arm; the second a
	// raised arm and a head turned the other way.
	main := map[humanoid.Bone]vmc.Transform{humanoid.Head: vmctest.Rot(headTurn), humanoid.LeftUpperArm: vmctest.Rot(vmc.Identity)}
	other := vmctest.FrameWith(map[humanoid.Bone]vmc.Transform{humanoid.Head: vmctest.Rot(vmctest.UnityAxisAngle(-30, 0, 1, 0)), humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)})
	wantHead := retarget.FromUnityRotation(headTurn.Array())
	wantArm := retarget.FromUnityRotation(vmctest.RaisedLeftArm.Array())
	deadline := time.Now().Add(10 * time.Second)
	for {
		te.sendPose(t, main)
		if err := second.SendFrame(other); err != nil {
			t.Fatal(err)
		}
		te.Latest()
		var p vrm.Pose
		te.Pose(&p)
		if testavatar.QuatNear(p.Rotations[humanoid.Head], wantHead, 1e-4) && testavatar.QuatNear(p.Rotations[humanoid.LeftUpperArm], wantArm, 1e-4) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("head %v (want %v), arm %v (want %v)", p.Rotations[humanoid.Head], wantHead, p.Rotations[humanoid.LeftUpperArm], wantArm)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The second Performer's input events arrive too.
	if err := second.MidiNote(vmc.MidiNote{Active: 1, Note: 61}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-te.ExtraEvents():
		if ev.Kind != vmc.EventMidiNote || ev.MidiNote.Note != 61 {
			t.Errorf("event %+v", ev)
		}
	case <-time.After(10 * time.Second):
		t.Error("no event from the second receiver")
	}
	if rs := te.Receivers(); !rs[0].Connected || rs[0].Packets == 0 {
		t.Errorf("second receiver status %+v", rs[0])
	}
	if err := te.SetReceivers(make([]ReceiverConfig, MaxExtraReceivers+1)); err == nil {
		t.Error("more than 3 extra receivers accepted")
	}
}
