package vmc

import (
	"context"
	"slices"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"
)

// benchFrames are 8 VirtualMotionCapture-shaped frames (Root 14 args, 55
// bones in 13-message sub-bundles with the nested remainder, Cam, 2 devices,
// OK 4 ints, T; then 60 Blend/Val + Apply in their own bundle), every value
// changing from one to the next so that each packet is really applied and
// published.
func benchFrames(b *testing.B) (pkts [][][]byte, msgs int) {
	for k := range 8 {
		pkts = append(pkts, framePackets(b, fullFrame(k, 60)))
	}
	// 1 Root + 55 bones + Cam + 2 devices + OK + T + 60 Val + Apply
	return pkts, 1 + 55 + 1 + 2 + 1 + 1 + 60 + 1
}

// BenchmarkDecodeFrame decodes one VirtualMotionCapture frame (both packets)
// and applies it to a Scene, publishing two frames. ns/op is per frame;
// ns/msg per message.
func BenchmarkDecodeFrame(b *testing.B) {
	pkts, msgs := benchFrames(b)
	s := NewScene()
	for _, p := range pkts[0] {
		s.Feed(p, testSender, testTime)
	}
	at := testTime
	b.ReportAllocs()
	b.SetBytes(int64(len(pkts[0][0]) + len(pkts[0][1])))
	i := 0
	for b.Loop() {
		at = at.Add(16 * time.Millisecond)
		for _, p := range pkts[i%len(pkts)] {
			s.Feed(p, testSender, at)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*msgs), "ns/msg")
	if st := s.Status(); st.Malformed+st.Rejected != 0 {
		b.Fatalf("errors: %+v", st)
	}
}

// BenchmarkGoOSCParseFrame is go-osc's ParsePacket on the same bytes (parse
// only: no scene). go-osc loses messages from bundles over 4 KiB (field
// notes §1), so it does less work than it should.
func BenchmarkGoOSCParseFrame(b *testing.B) {
	pkts, msgs := benchFrames(b)
	strs := make([][]string, len(pkts))
	for i, f := range pkts {
		for _, p := range f {
			strs[i] = append(strs[i], string(p))
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(pkts[0][0]) + len(pkts[0][1])))
	i := 0
	for b.Loop() {
		for _, p := range strs[i%len(strs)] {
			if _, err := goosc.ParsePacket(p); err != nil {
				b.Fatal(err)
			}
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*msgs), "ns/msg")
}

// BenchmarkSnapshot copies the newest frame (55 bones, 60 blends) out of a
// scene, as the render loop does.
func BenchmarkSnapshot(b *testing.B) {
	pkts, _ := benchFrames(b)
	s := NewScene()
	for _, p := range pkts[0] {
		s.Feed(p, testSender, testTime)
	}
	var f Frame
	s.Snapshot(&f)
	b.ReportAllocs()
	for b.Loop() {
		s.Snapshot(&f)
	}
}

// BenchmarkLoopbackLatency measures send → scene updated over UDP on
// 127.0.0.1: each op sends a /VMC/Ext/T with a new value and waits until a
// snapshot shows it. Reports p50 and p99 latency in µs.
func BenchmarkLoopbackLatency(b *testing.B) {
	ctx := context.Background()
	r, err := Listen(ctx, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	snd, err := dialPerformer(ctx, r.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer snd.Close()
	scene := r.Scene()
	pkt := make([][]byte, 1024)
	for i := range pkt {
		pkt[i] = marshal(b, msg(AddrTime, float32(i)))
	}
	var f Frame
	lat := make([]time.Duration, 0, 1<<16)
	timer := time.NewTimer(time.Hour) // reused: the loop itself allocates nothing
	timer.Stop()
	i := 0
	for b.Loop() {
		want := float32(i % len(pkt))
		start := time.Now()
		if err := snd.SendRaw(pkt[i%len(pkt)]); err != nil {
			b.Fatal(err)
		}
		deadline := start.Add(time.Second)
		for {
			timer.Reset(100 * time.Millisecond)
			select {
			case <-scene.Changed():
			case <-timer.C:
			}
			timer.Stop()
			scene.Snapshot(&f)
			if f.Time == want {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("T %v never arrived", want)
			}
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
		i++
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
	}
}
