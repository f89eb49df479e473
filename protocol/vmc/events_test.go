package vmc

import (
	"reflect"
	"sync"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"

	"github.com/kugutsu/kugutsu/protocol/osc"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// drain returns the events queued on sub.
func drain(sub *Subscription) []Event {
	var out []Event
	for {
		select {
		case ev := <-sub.C:
			out = append(out, ev)
		default:
			return out
		}
	}
}

func TestEvents(t *testing.T) {
	base := Event{From: testSender, Received: testTime}
	ev := func(f func(*Event)) Event {
		e := base
		f(&e)
		return e
	}
	tests := []struct {
		name string
		pkts []goosc.Packet
		want []Event
	}{
		{"Key", []goosc.Packet{msg(AddrKey, int32(1), "Space", int32(32))}, []Event{ev(func(e *Event) {
			e.Kind, e.Key = EventKey, KeyInput{Active: 1, Name: "Space", KeyCode: 32}
		})}},
		{"Con", []goosc.Packet{msg(AddrController, int32(2), "Stick", int32(1), int32(1), int32(1),
			float32(0.5), float32(-0.5), float32(0))}, []Event{ev(func(e *Event) {
			e.Kind, e.Controller = EventController, ControllerInput{Active: 2, Name: "Stick", IsLeft: true,
				IsTouch: true, IsAxis: true, Axis: Vec3{0.5, -0.5, 0}}
		})}},
		{"Midi/Note", []goosc.Packet{msg(AddrMidiNote, int32(1), int32(9), int32(60), float32(0.75))}, []Event{ev(func(e *Event) {
			e.Kind, e.MidiNote = EventMidiNote, MidiNote{Active: 1, Channel: 9, Note: 60, Velocity: 0.75}
		})}},
		{"Midi/CC/Val", []goosc.Packet{msg(AddrMidiCCValue, int32(7), float32(0.25))}, []Event{ev(func(e *Event) {
			e.Kind, e.MidiCC = EventMidiCCValue, MidiCC{Knob: 7, Value: 0.25}
		})}},
		{"Midi/CC/Bit", []goosc.Packet{msg(AddrMidiCCBit, int32(7), int32(1))}, []Event{ev(func(e *Event) {
			e.Kind, e.MidiCC = EventMidiCCBit, MidiCC{Knob: 7, Active: 1}
		})}},
		{"Thru shapes", []goosc.Packet{
			msg("/VMC/Thru/vendor/a", "x"),
			msg("/VMC/Thru/vendor/b", "x", float32(1.5)),
			msg("/VMC/Thru/vendor/c", "x", int32(3)),
			msg("/VMC/Thru/any", []byte{1, 2}, int64(5), 2.5, true, nil, *goosc.NewTimetagFromTimetag(1)),
		}, []Event{
			ev(func(e *Event) { e.Kind, e.Thru = EventThru, Thru{"/VMC/Thru/vendor/a", []any{"x"}} }),
			ev(func(e *Event) { e.Kind, e.Thru = EventThru, Thru{"/VMC/Thru/vendor/b", []any{"x", float32(1.5)}} }),
			ev(func(e *Event) { e.Kind, e.Thru = EventThru, Thru{"/VMC/Thru/vendor/c", []any{"x", int32(3)}} }),
			ev(func(e *Event) {
				e.Kind, e.Thru = EventThru, Thru{"/VMC/Thru/any",
					[]any{[]byte{1, 2}, int64(5), 2.5, true, nil, osc.Immediately}}
			}),
		}},
		{"VRM fires on change only", []goosc.Packet{
			msg(AddrVRM, "a.vrm", "A"), msg(AddrVRM, "a.vrm", "A"), msg(AddrVRM, "a.vrm", "A", "h1"),
			msg(AddrVRM, "a.vrm", "A", "h1"), msg(AddrVRM, "b.vrm", "B", "h2")}, []Event{
			ev(func(e *Event) { e.Kind, e.VRM = EventVRM, VRMInfo{Path: "a.vrm", Title: "A", Received: true} }),
			ev(func(e *Event) {
				e.Kind, e.VRM = EventVRM, VRMInfo{Path: "a.vrm", Title: "A", Hash: "h1", HasHash: true, Received: true}
			}),
			ev(func(e *Event) {
				e.Kind, e.VRM = EventVRM, VRMInfo{Path: "b.vrm", Title: "B", Hash: "h2", HasHash: true, Received: true}
			}),
		}},
		{"Remote fires on change only", []goosc.Packet{
			msg(AddrRemote, "vroidhub", "{}"), msg(AddrRemote, "vroidhub", "{}"), msg(AddrRemote, "vroidhub", `{"a":1}`)}, []Event{
			ev(func(e *Event) { e.Kind, e.Remote = EventRemote, RemoteInfo{"vroidhub", "{}", true} }),
			ev(func(e *Event) { e.Kind, e.Remote = EventRemote, RemoteInfo{"vroidhub", `{"a":1}`, true} }),
		}},
		{"Config fires on change only", []goosc.Packet{msg(AddrConfig, "a"), msg(AddrConfig, "a")}, []Event{
			ev(func(e *Event) { e.Kind, e.Config = EventConfig, "a" }),
		}},
		{"Opt fires every time", []goosc.Packet{msg(AddrOption, "x"), msg(AddrOption, "x")}, []Event{
			ev(func(e *Event) { e.Kind, e.Option = EventOption, "x" }),
			ev(func(e *Event) { e.Kind, e.Option = EventOption, "x" }),
		}},
		{"Setting/Win on change", []goosc.Packet{msg(AddrWindow, int32(1), int32(1), int32(0), int32(0)),
			msg(AddrWindow, int32(1), int32(1), int32(0), int32(0))}, []Event{
			ev(func(e *Event) {
				e.Kind, e.Window = EventWindow, Window{TopMost: true, Transparent: true, Received: true}
			}),
		}},
		{"Setting/Color on change", []goosc.Packet{msg(AddrBackground, float32(1), float32(0), float32(0), float32(1)),
			msg(AddrBackground, float32(1), float32(0), float32(0), float32(1))}, []Event{
			ev(func(e *Event) { e.Kind, e.Background = EventBackground, Color{1, 0, 0, 1} }),
		}},
		{"Rcv on change", []goosc.Packet{msg(AddrReceive, int32(1), int32(39540)), msg(AddrReceive, int32(1), int32(39540)),
			msg(AddrReceive, int32(1), int32(39540), "10.0.0.1")}, []Event{
			ev(func(e *Event) {
				e.Kind, e.Receive = EventReceive, ReceiveInfo{Enable: true, Port: 39540, Received: true}
			}),
			ev(func(e *Event) {
				e.Kind, e.Receive = EventReceive, ReceiveInfo{Enable: true, Port: 39540, IP: "10.0.0.1", HasIP: true, Received: true}
			}),
		}},
		{"state messages fire nothing", []goosc.Packet{msg(AddrTime, float32(1)), msg(AddrOK, int32(1)),
			msg(AddrBone, pArgs("Hips")...), msg(AddrRoot, pArgs("root")...)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewScene()
			a, b := s.Subscribe(0), s.Subscribe(64)
			defer a.Close()
			defer b.Close()
			feed(t, s, tc.pkts...)
			for _, sub := range []*Subscription{a, b} {
				if got := drain(sub); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("events\n got %+v\nwant %+v", got, tc.want)
				}
			}
		})
	}
}

func TestSlowSubscriberDropsOldest(t *testing.T) {
	s := NewScene()
	slow := s.Subscribe(3)
	fast := s.Subscribe(100)
	defer fast.Close()
	b := goosc.NewBundle(time.Time{})
	for i := range 10 {
		b.Append(msg(AddrKey, int32(1), "k", int32(i)))
	}
	feed(t, s, b)
	var codes []int32
	for _, ev := range drain(slow) {
		codes = append(codes, ev.Key.KeyCode)
	}
	if !reflect.DeepEqual(codes, []int32{7, 8, 9}) || slow.Dropped() != 7 {
		t.Errorf("slow subscriber got %v, dropped %d; want the newest 3 and 7 dropped", codes, slow.Dropped())
	}
	if len(drain(fast)) != 10 || fast.Dropped() != 0 {
		t.Error("the fast subscriber lost events")
	}
	if st := s.Status(); st.EventsDropped != 7 {
		t.Errorf("status events dropped %d", st.EventsDropped)
	}
	slow.Close()
	slow.Close() // idempotent
	if _, ok := <-slow.C; ok {
		t.Error("C open after Close")
	}
	feed(t, s, msg(AddrKey, int32(1), "k", int32(1))) // no panic on a closed subscription
	if len(drain(fast)) != 1 {
		t.Error("fast subscriber missed an event after another closed")
	}
}

func TestEventsPerPacketBounded(t *testing.T) {
	s := NewScene()
	sub := s.Subscribe(MaxEventsPerPacket + 100)
	defer sub.Close()
	b := goosc.NewBundle(time.Time{})
	for range MaxEventsPerPacket + 50 {
		b.Append(msg(AddrMidiCCBit, int32(1), int32(1)))
	}
	feed(t, s, b)
	if n := len(drain(sub)); n != MaxEventsPerPacket {
		t.Errorf("%d events from one packet", n)
	}
	if st := s.Status(); st.EventsDropped != 50 {
		t.Errorf("dropped %d", st.EventsDropped)
	}
}

func TestNoSubscribersNoEventWork(t *testing.T) {
	s := NewScene()
	pkt := marshal(t, msg(AddrKey, int32(1), "Space", int32(32)))
	if allocs := testing.AllocsPerRun(100, func() { s.Feed(pkt, testSender, testTime) }); allocs != 0 {
		t.Errorf("%v allocations per Key without subscribers", allocs)
	}
}

// TestSnapshotConsistency runs a writer publishing frames whose every value
// encodes the frame number against readers that check each snapshot is one
// whole frame, never a mix, and that frames only move forward.
func TestSnapshotConsistency(t *testing.T) {
	s := NewScene()
	const frames = 2000
	pkts := make([][]byte, frames)
	for k := range frames {
		f := &Frame{Time: float32(k), TimeReceived: true, BonesReceived: humanoid.All}
		for b := range humanoid.Count {
			f.Bones[b] = Transform{Vec3{float32(k), float32(b), 0}, Identity}
		}
		f.Blends = []Blend{{Name: "A", Value: float32(k)}, {Name: "B", Value: float32(k)}}
		// One packet holding bones, T and blends.
		bundle := frameBundle(f)
		bundle.Append(blendBundle(f.Blends))
		pkts[k] = marshal(t, bundle)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var f Frame
			var last uint64
			for {
				select {
				case <-done:
					return
				default:
				}
				s.Snapshot(&f)
				if f.Seq < last {
					t.Errorf("seq went back from %d to %d", last, f.Seq)
					return
				}
				last = f.Seq
				if f.Seq == 0 {
					continue
				}
				k := f.Time
				for b := range humanoid.Count {
					if f.Bones[b].Position.X != k {
						t.Errorf("frame %v has bone %d from frame %v", k, b, f.Bones[b].Position.X)
						return
					}
				}
				if len(f.Blends) != 2 || f.Blends[0].Value != k || f.Blends[1].Value != k {
					t.Errorf("frame %v has blends %v", k, f.Blends)
					return
				}
			}
		}()
	}
	for k := range frames {
		s.Feed(pkts[k], testSender, testTime)
	}
	close(done)
	wg.Wait()
	if f := snapshot(s); f.Time != frames-1 || f.Seq != frames {
		t.Errorf("last frame T %v seq %d", f.Time, f.Seq)
	}
}
