package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/kugutsu/kugutsu/marionette"
)

// TestAliveSettingsReachOptions: the idle layer is on by default in the
// app, and the Avatar/VMC tab settings persist and reach the options.
func TestAliveSettingsReachOptions(t *testing.T) {
	a := test.NewTempApp(t)
	s := newSettings(a.Preferences())
	o := s.options()
	if o.Presence != marionette.DefaultPresence() {
		t.Errorf("presence %+v, want the default (all on)", o.Presence)
	}
	if o.Jitter.On {
		t.Error("jitter buffer on by default")
	}
	s.alive.on[1].Set(false)     // arms
	s.alive.strength[0].Set(150) // breathing
	s.alive.jitterOn.Set(true)
	s.alive.auto.Set(false)
	s.alive.delay.Set(500) // clamped to 100 ms
	o = s.options()
	if o.Presence.Arms.On || o.Presence.Breathing.Strength != 1.5 || !o.Jitter.On || o.Jitter.Auto || o.Jitter.Delay != marionette.MaxJitterDelay {
		t.Errorf("options %+v %+v", o.Presence, o.Jitter)
	}
	// Saved: a new settings object over the same preferences sees them.
	if o2 := newSettings(a.Preferences()).options(); o2.Presence != o.Presence || o2.Jitter != o.Jitter {
		t.Errorf("not persisted: %+v %+v", o2.Presence, o2.Jitter)
	}
}

// TestExtraReceiversConfigs: only receivers switched on with a valid
// port listen, on the main receiver's host, with their parts; the
// settings persist.
func TestExtraReceiversConfigs(t *testing.T) {
	a := test.NewTempApp(t)
	x := newExtraSettings(a.Preferences())
	if c := x.configs("0.0.0.0"); len(c) != 0 {
		t.Fatalf("receivers on by default: %+v", c)
	}
	x.on[1].Set(true)
	x.port[1].Set(40000)
	x.parts[1].Set(int(marionette.Parts(0).With(marionette.PartArms).With(marionette.PartHands)))
	x.on[2].Set(true)
	x.port[2].Set(0) // invalid: skipped
	want := []marionette.ReceiverConfig{{Addr: "[::1]:40000", Parts: marionette.Parts(0).With(marionette.PartArms).With(marionette.PartHands)}}
	if c := x.configs("::1"); len(c) != 1 || c[0] != want[0] {
		t.Errorf("configs %+v, want %+v", c, want)
	}
	if c := newExtraSettings(a.Preferences()).configs("::1"); len(c) != 1 || c[0] != want[0] {
		t.Errorf("not persisted: %+v", c)
	}
	x.showStatus([]marionette.ReceiverStatus{{Listening: true}})
	if s, _ := x.status[1].Get(); !strings.Contains(s, "no data") {
		t.Errorf("status line %q", s)
	}
}
