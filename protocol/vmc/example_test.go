package vmc_test

import (
	"context"
	"fmt"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// A Marionette's receive side: listen, then on every change take the newest
// frame into a buffer the render loop owns. A Performer is simulated with a
// Sender.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := vmc.Listen(ctx, "127.0.0.1:0") // a real app: vmc.DefaultAddr
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	events := r.Scene().Subscribe(0)
	defer events.Close()

	performer, _ := vmctest.Dial(ctx, r.Addr().String())
	defer performer.Close()
	performer.Bone(humanoid.Head, humanoid.NamingUnity, vmc.Transform{Rotation: vmc.Quat{Y: 0.7071068, W: 0.7071068}})
	performer.Key(vmc.KeyInput{Active: 1, Name: "Space", KeyCode: 32})

	var f vmc.Frame // reused every frame: no allocation in steady state
	for !f.BonesReceived.Has(humanoid.Head) {
		<-r.Scene().Changed()
		r.Scene().Snapshot(&f)
	}
	head, _ := f.Bone(humanoid.Head)
	fmt.Printf("head rotation %+v (Unity coordinates)\n", head.Rotation)
	ev := <-events.C
	fmt.Println(ev.Kind, ev.Key.Name)
	// Output:
	// head rotation {X:0 Y:0.7071068 Z:0 W:0.7071068} (Unity coordinates)
	// key Space
}
