package view

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/retarget/face"
	"github.com/kugutsu/kugutsu/vrm"
)

// TestIFMOf: the iFacialMocap tab's light, lines, button and lock for
// each connection state.
func TestIFMOf(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	refused := errors.New("ifacialmocap: dial tcp 192.168.1.9:49986: connection refused")
	noData := errors.New("ifacialmocap: no data from the phone for 3 s")
	malformed := errors.New("ifacialmocap: malformed frame")
	for _, tc := range []struct {
		name string
		st   ifacialmocap.Status
		ok   bool
		conn IFMConn
		want IFM
	}{
		{"closed", ifacialmocap.Status{}, false, IFMConn{},
			IFM{Light: LightOff, Status: "Not connected", Tracking: "—", Counts: "—", Button: "Connect"}},
		{"connect failed", ifacialmocap.Status{}, false, IFMConn{Err: refused},
			IFM{Light: LightBad, Status: "Not connected", Tracking: "—", Counts: "—",
				Problem: "Cannot connect: dial tcp 192.168.1.9:49986: connection refused", Button: "Connect"}},
		{"connecting", ifacialmocap.Status{}, false, IFMConn{Connecting: true},
			IFM{Light: LightOff, Status: "Connecting…", Tracking: "—", Counts: "—", Open: true, Button: "Disconnect"}},
		{"waiting", ifacialmocap.Status{Phone: "192.168.1.9:49983"}, true, IFMConn{},
			IFM{Light: LightOff, Status: "Waiting for the phone at 192.168.1.9:49983…", Tracking: "—", Counts: "—", Open: true, Button: "Disconnect"}},
		{"waiting too long", ifacialmocap.Status{Phone: "192.168.1.9:49983", Err: noData}, true, IFMConn{},
			IFM{Light: LightBad, Status: "Waiting for the phone at 192.168.1.9:49983…", Tracking: "—", Counts: "—",
				Problem: "no data from the phone for 3 s", Open: true, Button: "Disconnect"}},
		{"receiving", ifacialmocap.Status{Connected: true, FPS: 59.8, Mode: ifacialmocap.ModeTCP, V2: true, Received: 600, Malformed: 1, Ignored: 2, Dropped: 3}, true, IFMConn{},
			IFM{Light: LightOn, Status: "Receiving · 60 fps · TCP v2", Tracking: "Face tracked",
				Counts: "600 received · 1 malformed · 2 from other addresses · 3 replaced before drawing", Open: true, Button: "Disconnect"}},
		{"face lost, recent error", ifacialmocap.Status{Connected: true, FPS: 60, Received: 10, TrackingLost: true, LastError: malformed, LastErrorAt: now.Add(-time.Second)}, true, IFMConn{},
			IFM{Light: LightOn, Status: "Receiving · 60 fps · UDP v1", Tracking: "Face lost: the phone cannot see your face",
				Counts:  "10 received · 0 malformed · 0 from other addresses · 0 replaced before drawing",
				Problem: "Last error: malformed frame", Open: true, Button: "Disconnect"}},
		{"old error forgotten", ifacialmocap.Status{Received: 10, LastError: malformed, LastErrorAt: now.Add(-RecentError)}, true, IFMConn{},
			IFM{Light: LightOff, Status: "No data from the phone", Tracking: "Face tracked",
				Counts: "10 received · 0 malformed · 0 from other addresses · 0 replaced before drawing", Open: true, Button: "Disconnect"}},
	} {
		if got := IFMOf(tc.st, tc.ok, tc.conn, now); got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestUserError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("ifacialmocap: phone unreachable"), "phone unreachable"},
		{fmt.Errorf("fetch: %w", context.Canceled), "cancelled"},
		{errors.New("other: x"), "other: x"},
	} {
		if got := UserError(tc.err); got != tc.want {
			t.Errorf("UserError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestMappingText: what the panel says a mode resolves to for an avatar
// without ARKit expressions (the automatic mode's choice, the warning
// that Perfect Sync then moves only the head and eyes).
func TestMappingText(t *testing.T) {
	if got := MappingText(nil, face.MappingAuto); got != "No avatar yet." {
		t.Errorf("nil avatar: %q", got)
	}
	av := &vrm.Model{}
	for _, tc := range []struct {
		mode face.MappingMode
		want string
	}{
		{face.MappingAuto, "Automatic chose VRM presets (blinks, aa/ih/ou/ee/oh, happy, surprised) for this avatar: it has no ARKit expressions."},
		{face.MappingPresets, "VRM presets (blinks, aa/ih/ou/ee/oh, happy, surprised) for this avatar (it has no ARKit expressions)."},
		{face.MappingPerfectSync, "Perfect Sync for this avatar (it has no ARKit expressions). Only the head and eyes will move."},
	} {
		if got := MappingText(av, tc.mode); got != tc.want {
			t.Errorf("mode %v: %q, want %q", tc.mode, got, tc.want)
		}
	}
	if !strings.HasPrefix(FormatName(true), "v2") || FormatName(false) != "v1" {
		t.Errorf("FormatName: %q %q", FormatName(true), FormatName(false))
	}
}
