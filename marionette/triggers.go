package marionette

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kugutsu/kugutsu/protocol/vmc"
)

// TriggerKind is where an expression trigger comes from.
type TriggerKind uint8

// Trigger kinds: a key in Kugutsu's window, or one of the Performer's
// input events (spec "Keyboard input", "Controller input", "MIDI input";
// they arrive over the network, so they work under Wayland where global
// hotkeys cannot).
const (
	TriggerWindowKey  TriggerKind = iota + 1 // Name: the fyne key name
	TriggerVMCKey                            // /VMC/Ext/Key: Name, Code (keycode)
	TriggerMidiNote                          // /VMC/Ext/Midi/Note: Channel, Code (note)
	TriggerMidiCCBit                         // /VMC/Ext/Midi/CC/Bit: Code (knob)
	TriggerController                        // /VMC/Ext/Con button: Name, Left
)

// Trigger identifies one input that can drive an expression. Fields not
// used by the kind are zero.
type Trigger struct {
	Kind    TriggerKind `json:"kind"`
	Name    string      `json:"name,omitempty"`
	Code    int32       `json:"code,omitempty"`
	Channel int32       `json:"channel,omitempty"`
	Left    bool        `json:"left,omitempty"`
}

// String describes t for the user ("Key F1", "MIDI note 60 (channel 1)").
func (t Trigger) String() string {
	switch t.Kind {
	case TriggerWindowKey:
		return "Key " + t.Name
	case TriggerVMCKey:
		if t.Name != "" {
			return "Performer key " + t.Name
		}
		return fmt.Sprintf("Performer key code %d", t.Code)
	case TriggerMidiNote:
		return fmt.Sprintf("MIDI note %d (channel %d)", t.Code, t.Channel+1)
	case TriggerMidiCCBit:
		return fmt.Sprintf("MIDI CC %d", t.Code)
	case TriggerController:
		side := "right"
		if t.Left {
			side = "left"
		}
		return fmt.Sprintf("Controller %s (%s)", t.Name, side)
	}
	return "nothing"
}

// TriggerFromEvent returns the trigger of a Performer's input event and
// whether it is a press (false: a release). ok is false for events that
// trigger nothing: other kinds, controller axes and touches, CC values.
// A VMC key is identified by its keycode when it has one, else its name.
func TriggerFromEvent(ev *vmc.Event) (t Trigger, pressed, ok bool) {
	switch ev.Kind {
	case vmc.EventKey:
		k := ev.Key
		t = Trigger{Kind: TriggerVMCKey, Name: k.Name, Code: k.KeyCode}
		if k.KeyCode != 0 {
			t.Name = ""
		}
		return t, k.Active == 1, k.Active == 0 || k.Active == 1
	case vmc.EventMidiNote:
		n := ev.MidiNote
		return Trigger{Kind: TriggerMidiNote, Code: n.Note, Channel: n.Channel}, n.Active == 1, n.Active == 0 || n.Active == 1
	case vmc.EventMidiCCBit:
		c := ev.MidiCC
		return Trigger{Kind: TriggerMidiCCBit, Code: c.Knob}, c.Active == 1, c.Active == 0 || c.Active == 1
	case vmc.EventController:
		c := ev.Controller
		if c.IsAxis || c.IsTouch || c.Active > 1 {
			return Trigger{}, false, false
		}
		return Trigger{Kind: TriggerController, Name: c.Name, Left: c.IsLeft}, c.Active == 1, true
	}
	return Trigger{}, false, false
}

// BindingMode says how a trigger drives its expression.
type BindingMode uint8

// Binding modes.
const (
	// BindToggle turns the expression on at one press and off at the next.
	BindToggle BindingMode = iota
	// BindHold keeps it on while the input is held (a press without a
	// release seen, as a window key without key-up events, is released by
	// the next press).
	BindHold
)

// ExpressionBinding binds a trigger to an expression (by name, as in
// Avatar.Expressions).
type ExpressionBinding struct {
	Trigger    Trigger     `json:"trigger"`
	Expression string      `json:"expression"`
	Mode       BindingMode `json:"mode"`
}

// HandExpressions are the expressions set by hand (the Avatar tab) and by
// bound triggers: each is on or off; on ones override what is received
// (Engine.SetHandExpressions). A "learn" binds the next trigger to an
// expression. Not safe for concurrent use (the UI goroutine owns it).
type HandExpressions struct {
	Bindings []ExpressionBinding
	on       map[string]bool
	learning string // expression waiting for a trigger ("": none)
	mode     BindingMode
}

// Set turns expression name on or off by hand.
func (h *HandExpressions) Set(name string, on bool) {
	if h.on == nil {
		h.on = make(map[string]bool)
	}
	if on {
		h.on[name] = true
	} else {
		delete(h.on, name)
	}
}

// On reports whether expression name is on.
func (h *HandExpressions) On(name string) bool { return h.on[name] }

// Active returns the expressions that are on, sorted.
func (h *HandExpressions) Active() []string {
	out := make([]string, 0, len(h.on))
	for n := range h.on {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Learn makes the next trigger (Input) bind to expression name with mode
// instead of acting; "" cancels.
func (h *HandExpressions) Learn(name string, mode BindingMode) { h.learning, h.mode = name, mode }

// Learning returns the expression waiting for a trigger ("" for none).
func (h *HandExpressions) Learning() string { return h.learning }

// Unbind removes the bindings of expression name.
func (h *HandExpressions) Unbind(name string) {
	h.Bindings = slices.DeleteFunc(h.Bindings, func(b ExpressionBinding) bool { return b.Expression == name })
}

// BindingsOf returns the bindings of expression name.
func (h *HandExpressions) BindingsOf(name string) []ExpressionBinding {
	var out []ExpressionBinding
	for _, b := range h.Bindings {
		if b.Expression == name {
			out = append(out, b)
		}
	}
	return out
}

// Input applies one trigger press or release and reports whether anything
// changed (an expression on or off, or a binding learnt). While learning,
// a press binds the trigger (replacing its earlier binding) and does
// nothing else.
func (h *HandExpressions) Input(t Trigger, pressed bool) bool {
	if h.learning != "" {
		if !pressed {
			return false
		}
		h.Bindings = slices.DeleteFunc(h.Bindings, func(b ExpressionBinding) bool { return b.Trigger == t })
		h.Bindings = append(h.Bindings, ExpressionBinding{Trigger: t, Expression: h.learning, Mode: h.mode})
		h.learning = ""
		return true
	}
	changed := false
	for _, b := range h.Bindings {
		if b.Trigger != t {
			continue
		}
		was := h.On(b.Expression)
		now := was
		switch {
		case b.Mode == BindHold && pressed:
			now = !was // a press while held: its release was never seen
		case b.Mode == BindHold:
			now = false
		case pressed:
			now = !was
		}
		if now != was {
			h.Set(b.Expression, now)
			changed = true
		}
	}
	return changed
}

// WindowKeyTrigger returns the trigger of a key typed in the window (fyne
// key name, with modifiers as "Ctrl+", "Alt+", "Shift+" prefixes).
func WindowKeyTrigger(name string, ctrl, alt, shift bool) Trigger {
	var b strings.Builder
	if ctrl {
		b.WriteString("Ctrl+")
	}
	if alt {
		b.WriteString("Alt+")
	}
	if shift {
		b.WriteString("Shift+")
	}
	b.WriteString(name)
	return Trigger{Kind: TriggerWindowKey, Name: b.String()}
}
