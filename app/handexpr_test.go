package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm"
)

// learnButtons returns the Learn buttons of the hand card, in expression
// order.
func learnButtons(root fyne.CanvasObject) []*widget.Button {
	var out []*widget.Button
	for _, o := range objects(root) {
		if b, ok := o.(*widget.Button); ok && (b.Text == "Learn" || b.Text == "Cancel") {
			out = append(out, b)
		}
	}
	return out
}

// TestHandExpressionBindings: a /VMC/Ext/Midi/Note from the Performer and
// a key typed in the window each set the expression bound to them by
// Learn; the bindings persist for the avatar and reach the engine.
func TestHandExpressionBindings(t *testing.T) {
	u := newTestUI(t)
	if err := u.engine.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	u.startHandEvents()
	addr, _ := u.engine.Addr()
	perf, err := vmc.Dial(context.Background(), addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { perf.Close() })
	av, err := vrm.LoadFile(godettePath)
	if err != nil {
		t.Fatal(err)
	}
	src := marionette.Source{Path: godettePath, Name: "Godette.vrm"}
	u.avatarShown(av, src)
	happy, ok := av.ExpressionIndex("happy")
	sad, ok2 := av.ExpressionIndex("sad")
	if !ok || !ok2 {
		t.Fatal("Godette has no happy or sad expression")
	}
	hName, sName := av.Expressions[happy].Name, av.Expressions[sad].Name

	// Learn: a MIDI note for happy, the F2 key for sad.
	test.Tap(learnButtons(u.avatarHolder.Content)[happy])
	note := vmc.MidiNote{Active: 1, Channel: 0, Note: 60, Velocity: 1}
	if err := perf.MidiNote(note); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the note learnt", func() bool { return len(u.hand.hand.BindingsOf(hName)) == 1 })
	test.Tap(learnButtons(u.avatarHolder.Content)[sad])
	typeKey := func(k fyne.KeyName) { u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }
	typeKey(fyne.KeyF2)
	if len(u.hand.hand.BindingsOf(sName)) != 1 {
		t.Fatalf("F2 not learnt: %+v", u.hand.hand.Bindings)
	}

	// The avatar is shown again (as after a reload): bindings come back
	// from the preferences, nothing is on.
	u.avatarShown(av, src)
	if len(u.hand.hand.Bindings) != 2 || u.hand.hand.On(hName) {
		t.Fatalf("after reloading: bindings %+v, on %v", u.hand.hand.Bindings, u.hand.hand.Active())
	}
	if err := perf.MidiNote(note); err != nil {
		t.Fatal(err)
	}
	waitFor(t, hName+" on from the MIDI note", func() bool { return u.hand.hand.On(hName) })
	typeKey(fyne.KeyF2)
	if !u.hand.hand.On(sName) {
		t.Fatal("F2 did not set sad")
	}
	if !findCheckIn(u.avatarHolder.Content, happy, len(av.Expressions)).Checked {
		t.Error("the panel does not show happy on")
	}

	// The engine poses them at weight 1.
	u.engine.LoadFile(godettePath) // the UI reloads the bindings when it shows it
	u.engine.Resize(64, 64)
	waitFor(t, "the engine's avatar shown", func() bool { a, _ := u.engine.Avatar(); return a != nil && u.shown == a })
	if len(u.hand.hand.Bindings) != 2 || u.hand.hand.On(sName) {
		t.Fatalf("after loading: bindings %+v, on %v", u.hand.hand.Bindings, u.hand.hand.Active())
	}
	typeKey(fyne.KeyF2)
	waitFor(t, "sad in the engine's pose", func() bool {
		u.engine.Latest()
		var p vrm.Pose
		u.engine.Pose(&p)
		for _, x := range p.Expressions {
			if x.Name == sName && x.Weight == 1 {
				return true
			}
		}
		return false
	})
}

// findCheckIn returns the i-th on/off check of the hand card (the last
// unlabelled checks, one per expression).
func findCheckIn(root fyne.CanvasObject, i, n int) *widget.Check {
	var all []*widget.Check
	for _, o := range objects(root) {
		if c, ok := o.(*widget.Check); ok && c.Text == "" {
			all = append(all, c)
		}
	}
	if len(all) < n {
		return &widget.Check{}
	}
	return all[len(all)-n+i]
}
