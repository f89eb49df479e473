package app

import (
	"strings"
	"testing"
	"time"

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

func TestPlayoutText(t *testing.T) {
	if s := playoutText(marionette.PlayoutStatus{}); !strings.HasPrefix(s, "Off") {
		t.Errorf("off: %q", s)
	}
	s := playoutText(marionette.PlayoutStatus{On: true, Jitter: 7 * time.Millisecond, Delay: 35 * time.Millisecond, Interval: time.Second / 60, Buffered: 3})
	if !strings.Contains(s, "jitter 7.0 ms") || !strings.Contains(s, "delay 35 ms") {
		t.Errorf("on: %q", s)
	}
}
