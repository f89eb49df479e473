package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
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
// Learn; the bindings persist for the avatar (the engine side is
// marionette.TestEngineHandExpressions).
func TestHandExpressionBindings(t *testing.T) {
	u := newTestUI(t)
	if err := u.engine.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	// The Performer's events, from the real socket, handed to the UI as
	// startHandEvents does, on this goroutine (the UI's in the test driver).
	sub := u.engine.Scene().Subscribe(0)
	t.Cleanup(sub.Close)
	deliver := func(what string) {
		t.Helper()
		select {
		case ev := <-sub.C:
			u.handEvent(&ev)
		case <-time.After(10 * time.Second):
			t.Fatalf("no event: %s", what)
		}
	}
	addr, _ := u.engine.Addr()
	perf, err := vmctest.Dial(context.Background(), addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { perf.Close() })
	godette := godettePath(t)
	av, err := vrm.LoadFile(godette)
	if err != nil {
		t.Fatal(err)
	}
	src := marionette.Source{Path: godette, Name: "Godette.vrm"}
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
	deliver("the note to learn")
	if len(u.hand.hand.BindingsOf(hName)) != 1 {
		t.Fatalf("note not learnt: %+v", u.hand.hand.Bindings)
	}
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
	deliver("the bound note")
	if !u.hand.hand.On(hName) {
		t.Fatal("the MIDI note did not set happy")
	}
	typeKey(fyne.KeyF2)
	if !u.hand.hand.On(sName) {
		t.Fatal("F2 did not set sad")
	}
	if !findCheckIn(u.avatarHolder.Content, happy, len(av.Expressions)).Checked {
		t.Error("the panel does not show happy on")
	}

	typeKey(fyne.KeyF2) // toggles off
	if u.hand.hand.On(sName) {
		t.Error("F2 did not toggle sad off")
	}
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
