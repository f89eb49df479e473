package osc_test

import (
	"fmt"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"

	"github.com/kugutsu/kugutsu/protocol/osc"
)

// Walk every message of a packet, typed arguments first, generic after.
func ExampleReader() {
	b := goosc.NewBundle(time.Time{})
	b.Append(goosc.NewMessage("/VMC/Ext/Bone/Pos", "Hips", float32(0), float32(1), float32(0),
		float32(0), float32(0), float32(0), float32(1)))
	b.Append(goosc.NewMessage("/VMC/Ext/OK", int32(1)))
	packet, _ := b.MarshalBinary()

	var r osc.Reader
	var m osc.Message
	r.Reset(packet)
	for {
		err := r.Next(&m)
		if err == osc.ErrDone {
			break
		}
		if err != nil {
			fmt.Println("dropped:", err) // a broken element; the walk goes on
			continue
		}
		args := m.Args()
		if string(m.Address) == "/VMC/Ext/Bone/Pos" && string(m.Tags) == "sfffffff" {
			name, _ := args.Str()
			var v [7]float32
			args.Float32s(v[:])
			fmt.Printf("%s %s y=%v w=%v\n", m.Address, name, v[1], v[6])
			continue
		}
		for args.Len() > 0 {
			a, _ := args.Next()
			fmt.Printf("%s %c %v\n", m.Address, a.Type, a.Int32())
		}
	}
	// Output:
	// /VMC/Ext/Bone/Pos Hips y=1 w=1
	// /VMC/Ext/OK i 1
}
