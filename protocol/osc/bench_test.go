package osc

import (
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"
)

// blendBundle is a 60-message bundle of Blend/Val (the size field notes §1
// measured go-osc on).
func blendBundle(b *testing.B) []byte {
	bd := goosc.NewBundle(time.Time{})
	for i := range 60 {
		bd.Append(goosc.NewMessage("/VMC/Ext/Blend/Val", "Blend"+string(rune('A'+i%26)), float32(i)/60))
	}
	data, err := bd.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkReader walks a 60-message bundle and reads every argument.
func BenchmarkReader(b *testing.B) {
	data := blendBundle(b)
	var r Reader
	var m Message
	var sink float32
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(data)
		for {
			err := r.Next(&m)
			if err != nil {
				break
			}
			a := m.Args()
			a.Str()
			v, _ := a.Float32()
			sink += v
		}
	}
	_ = sink
}

// BenchmarkGoOSCParsePacket is go-osc's decoder on the same bytes.
func BenchmarkGoOSCParsePacket(b *testing.B) {
	data := string(blendBundle(b))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := goosc.ParsePacket(data); err != nil {
			b.Fatal(err)
		}
	}
}
