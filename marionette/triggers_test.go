package marionette

import (
	"slices"
	"testing"

	"github.com/kugutsu/kugutsu/protocol/vmc"
)

func TestTriggerFromEvent(t *testing.T) {
	for _, c := range []struct {
		ev      vmc.Event
		want    Trigger
		pressed bool
		ok      bool
	}{
		{vmc.Event{Kind: vmc.EventMidiNote, MidiNote: vmc.MidiNote{Active: 1, Channel: 2, Note: 60}}, Trigger{Kind: TriggerMidiNote, Code: 60, Channel: 2}, true, true},
		{vmc.Event{Kind: vmc.EventMidiNote, MidiNote: vmc.MidiNote{Active: 0, Note: 60}}, Trigger{Kind: TriggerMidiNote, Code: 60}, false, true},
		{vmc.Event{Kind: vmc.EventKey, Key: vmc.KeyInput{Active: 1, Name: "A", KeyCode: 65}}, Trigger{Kind: TriggerVMCKey, Code: 65}, true, true},
		{vmc.Event{Kind: vmc.EventKey, Key: vmc.KeyInput{Active: 1, Name: "F13"}}, Trigger{Kind: TriggerVMCKey, Name: "F13"}, true, true},
		{vmc.Event{Kind: vmc.EventMidiCCBit, MidiCC: vmc.MidiCC{Knob: 7, Active: 1}}, Trigger{Kind: TriggerMidiCCBit, Code: 7}, true, true},
		{vmc.Event{Kind: vmc.EventController, Controller: vmc.ControllerInput{Active: 1, Name: "Trigger", IsLeft: true}}, Trigger{Kind: TriggerController, Name: "Trigger", Left: true}, true, true},
		{vmc.Event{Kind: vmc.EventController, Controller: vmc.ControllerInput{Active: 2, Name: "Stick", IsAxis: true}}, Trigger{}, false, false},
		{vmc.Event{Kind: vmc.EventMidiCCValue, MidiCC: vmc.MidiCC{Knob: 7, Value: 0.3}}, Trigger{}, false, false},
		{vmc.Event{Kind: vmc.EventThru}, Trigger{}, false, false},
	} {
		got, pressed, ok := TriggerFromEvent(&c.ev)
		if got != c.want || pressed != c.pressed || ok != c.ok {
			t.Errorf("%v: got %+v %v %v, want %+v %v %v", c.ev.Kind, got, pressed, ok, c.want, c.pressed, c.ok)
		}
	}
}

func TestHandExpressionsLearnToggleHold(t *testing.T) {
	var h HandExpressions
	note := Trigger{Kind: TriggerMidiNote, Code: 60}
	key := WindowKeyTrigger("F1", false, false, false)
	h.Learn("happy", BindToggle)
	if !h.Input(note, true) || h.Learning() != "" || h.On("happy") {
		t.Fatalf("learn: bindings %+v, on %v", h.Bindings, h.Active())
	}
	h.Learn("angry", BindHold)
	h.Input(key, true)
	// Toggle: press on, release nothing, press off.
	h.Input(note, true)
	h.Input(note, false)
	if !h.On("happy") {
		t.Fatal("toggle: not on after a press and release")
	}
	h.Input(note, true)
	if h.On("happy") {
		t.Fatal("toggle: still on after the second press")
	}
	// Hold: on while held.
	h.Input(key, true)
	if !h.On("angry") {
		t.Fatal("hold: not on while pressed")
	}
	h.Input(key, false)
	if h.On("angry") {
		t.Fatal("hold: still on after release")
	}
	// Relearning a trigger moves it to the new expression.
	h.Learn("sad", BindToggle)
	h.Input(note, true)
	if b := h.BindingsOf("happy"); len(b) != 0 {
		t.Errorf("happy keeps %+v after its trigger was relearnt", b)
	}
	h.Input(note, true)
	h.Set("relaxed", true)
	if got := h.Active(); !slices.Equal(got, []string{"relaxed", "sad"}) {
		t.Errorf("active %v", got)
	}
	h.Unbind("sad")
	if h.Input(note, true) {
		t.Error("an unbound trigger changed something")
	}
}
