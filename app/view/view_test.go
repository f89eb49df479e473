package view

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/render"
)

// TestNoFyne: the view model builds and tests without a window system:
// it links no fyne (issue #12).
func TestNoFyne(t *testing.T) {
	for _, p := range testutil.Within(testutil.Deps(t, "", "."), "fyne.io") {
		t.Errorf("app/view imports %s", p)
	}
}

// TestReceiverOf: the light, the receiving state, the button and each
// line of the VMC tab and status bar for the receiver's states. Only the
// text fields a case sets are compared; the light always is.
func TestReceiverOf(t *testing.T) {
	sender := netip.MustParseAddrPort("192.168.1.20:50000")
	for _, tc := range []struct {
		name      string
		st        marionette.Status
		listening bool
		light     Light
		want      Receiver
	}{
		{"not listening", marionette.Status{}, false, LightBad,
			Receiver{Receiving: "Not listening", Button: "Start", Sender: "—", SenderTime: "—", Errors: "none", Available: "—"}},
		{"waiting", marionette.Status{}, true, LightOff,
			Receiver{Receiving: "Waiting for a Performer", Button: "Stop", Sender: "—"}},
		{"receiving", marionette.Status{Connected: true, Sender: sender, Senders: 1, PacketRate: 59.6, TimeReceived: true, Time: 12.345}, true, LightOn,
			Receiver{Receiving: "Receiving", Sender: "192.168.1.20:50000", PacketRate: "60 packets/s", SenderTime: "12.35 s"}},
		{"several senders", marionette.Status{Connected: true, Sender: sender, Senders: 3}, true, LightOn,
			Receiver{Sender: "192.168.1.20:50000 (+2 more)"}},
		{"sender gone quiet", marionette.Status{Sender: sender}, true, LightOff,
			Receiver{Receiving: "No data"}},
		{"connected while unbound", marionette.Status{Connected: true, Sender: sender}, false, LightOn,
			Receiver{Receiving: "Receiving", Button: "Start"}},
		{"hidden", marionette.Status{Hidden: true}, true, LightOff,
			Receiver{Hidden: "The avatar is hidden until the Performer is calibrated."}},
		{"stats", marionette.Status{Stats: marionette.Stats{FPS: 29.7, Quality: marionette.Quality{AA: render.AAOff, Scale: 0.7}}}, true, LightOff,
			Receiver{FPS: "30 fps", Quality: "no anti-aliasing, 70 % size", Overlay: "30 fps · render 0.0 ms"}},
	} {
		got := ReceiverOf(&tc.st, tc.listening)
		if got.Light != tc.light {
			t.Errorf("%s: light %v, want %v", tc.name, got.Light, tc.light)
		}
		for _, f := range []struct {
			name      string
			got, want string
		}{
			{"Receiving", got.Receiving, tc.want.Receiving}, {"Button", got.Button, tc.want.Button},
			{"Sender", got.Sender, tc.want.Sender}, {"PacketRate", got.PacketRate, tc.want.PacketRate},
			{"Errors", got.Errors, tc.want.Errors}, {"Available", got.Available, tc.want.Available},
			{"SenderTime", got.SenderTime, tc.want.SenderTime}, {"FPS", got.FPS, tc.want.FPS},
			{"Overlay", got.Overlay, tc.want.Overlay}, {"Quality", got.Quality, tc.want.Quality},
			{"Hidden", got.Hidden, tc.want.Hidden},
		} {
			if f.want != "" && f.got != f.want {
				t.Errorf("%s: %s = %q, want %q", tc.name, f.name, f.got, f.want)
			}
		}
		if tc.want.Hidden == "" && got.Hidden != "" {
			t.Errorf("%s: Hidden = %q, want none", tc.name, got.Hidden)
		}
	}
}

func TestErrorsText(t *testing.T) {
	for _, tc := range []struct {
		st   marionette.Status
		want string
	}{
		{marionette.Status{}, "none"},
		{marionette.Status{Errors: 3, Receiver: vmc.Status{Malformed: 2, Rejected: 1}}, "3 (2 malformed, 1 rejected)"},
		{marionette.Status{Errors: 9, Receiver: vmc.Status{ReadErrors: 4, Dropped: 5}}, "9 (4 read errors, 5 lost: receive buffer full)"},
	} {
		if got := ErrorsText(&tc.st); got != tc.want {
			t.Errorf("ErrorsText(%+v) = %q, want %q", tc.st.Receiver, got, tc.want)
		}
	}
}

func TestAvailabilityText(t *testing.T) {
	for _, tc := range []struct {
		a    vmc.Availability
		want string
	}{
		{vmc.Availability{}, "—"},
		{vmc.Availability{Received: true}, "no avatar loaded"},
		{vmc.Availability{Received: true, Loaded: true}, "avatar loaded"},
		{vmc.Availability{Received: true, Loaded: true, HasCalibration: true, Calibration: vmc.Calibrated, Mode: vmc.CalibrationMRNormal},
			"avatar loaded · calibrated (MR normal)"},
		{vmc.Availability{Received: true, Loaded: true, HasTracking: true, TrackingOK: true}, "avatar loaded · tracking OK"},
		{vmc.Availability{Received: true, Loaded: true, HasTracking: true}, "avatar loaded · tracking lost"},
	} {
		if got := AvailabilityText(tc.a); got != tc.want {
			t.Errorf("AvailabilityText(%+v) = %q, want %q", tc.a, got, tc.want)
		}
	}
}

func TestOverlayText(t *testing.T) {
	s := marionette.Stats{FPS: 60, RenderTime: marionette.Percentiles{N: 10, P50: 4200 * time.Microsecond}}
	if got, want := OverlayText(&s), "60 fps · render 4.2 ms"; got != want {
		t.Errorf("no latency: %q, want %q", got, want)
	}
	s.Latency = marionette.Percentiles{N: 5, P50: 12 * time.Millisecond, P99: 30500 * time.Microsecond}
	if got, want := OverlayText(&s), "60 fps · render 4.2 ms · latency 12.0 / 30.5 ms (p50/p99)"; got != want {
		t.Errorf("latency: %q, want %q", got, want)
	}
}

func TestExtraReceiverText(t *testing.T) {
	bound := netip.MustParseAddrPort("0.0.0.0:39541")
	for _, tc := range []struct {
		s    marionette.ReceiverStatus
		want string
	}{
		{marionette.ReceiverStatus{Err: errors.New("port in use")}, "Not listening: port in use"},
		{marionette.ReceiverStatus{Bound: bound, Listening: true, Packets: 4, Errors: 1}, "Listening on 0.0.0.0:39541, no data (4 packets, 1 errors)"},
		{marionette.ReceiverStatus{Bound: bound, Listening: true, Connected: true, PacketRate: 30, Packets: 400}, "Receiving 30 packets/s (400 packets, 0 errors)"},
	} {
		if got := ExtraReceiverText(tc.s); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestPlayoutText(t *testing.T) {
	for _, tc := range []struct {
		st   marionette.PlayoutStatus
		want string
	}{
		{marionette.PlayoutStatus{}, "Off: each frame is shown as it arrives."},
		{marionette.PlayoutStatus{On: true}, "Waiting for frames…"},
		{marionette.PlayoutStatus{On: true, Jitter: 7 * time.Millisecond, Delay: 35 * time.Millisecond, Interval: time.Second / 60, Buffered: 3, Underruns: 2},
			"Arrival jitter 7.0 ms, delay 35 ms, frames every 16.7 ms, 3 buffered, 2 late"},
	} {
		if got := PlayoutText(tc.st); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestSizeText(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0 bytes"}, {1023, "1023 bytes"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {5 << 20, "5.0 MiB"}} {
		if got := SizeText(tc.n); got != tc.want {
			t.Errorf("SizeText(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestRecordingText(t *testing.T) {
	st := marionette.RecordingStatus{Active: true, Path: "/home/a/rec/show.pcapng", Datagrams: 1200, Bytes: 3 << 20, Span: 20400 * time.Millisecond}
	if got, want := RecordingText(st), "Recording to show.pcapng: 1200 datagrams, 3.0 MiB, 20s"; got != want {
		t.Errorf("RecordingText = %q, want %q", got, want)
	}
	if got, want := RecordingSaved(st, nil), "Saved 1200 datagrams over 20.4s (3.0 MiB) to /home/a/rec/show.pcapng"; got != want {
		t.Errorf("RecordingSaved = %q, want %q", got, want)
	}
	if got := RecordingSaved(st, errors.New("disk full")); got != "Recording failed: disk full" {
		t.Errorf("RecordingSaved(err) = %q", got)
	}
	st.Stopped = fmt.Errorf("record: %w", capture.ErrMaxBytes)
	if got := RecordingSaved(st, nil); !strings.HasSuffix(got, " — stopped at the 1 GiB limit") {
		t.Errorf("RecordingSaved(limit) = %q", got)
	}
	if got, want := PlayerPosition(1234*time.Millisecond, 30*time.Second), "1.2s / 30s"; got != want {
		t.Errorf("PlayerPosition = %q, want %q", got, want)
	}
}

func TestListenError(t *testing.T) {
	if msg := ListenError("0.0.0.0:39539", fmt.Errorf("listen: %w", vmc.ErrPortInUse)); !strings.Contains(msg, "already in use") || !strings.Contains(msg, "0.0.0.0:39539") {
		t.Errorf("port in use: %q", msg)
	}
	if msg := ListenError("x:1", errors.New("vmc: listen: no such host")); msg != "Cannot listen on x:1: vmc: listen: no such host" {
		t.Errorf("other: %q", msg)
	}
}

func TestOutputText(t *testing.T) {
	for _, tc := range []struct {
		o    OutputWindow
		want string
	}{
		{OutputWindow{}, "Closed."},
		{OutputWindow{Open: true, X11: true, ID: 0x3a00007, SharedMemory: true, Width: 1920, Height: 1080, FPS: 60},
			"Open: X11 window 0x3a00007, 1920×1080, 32-bit ARGB (shared memory), 60 fps."},
		{OutputWindow{Open: true, X11: true, ID: 1, Width: 640, Height: 480, FPS: 30, PerformerWindow: true},
			"Open: X11 window 0x1, 640×480, 32-bit ARGB (PutImage), 30 fps. The Performer's window settings are in force."},
		{OutputWindow{Open: true, Width: 800, Height: 600, FPS: 59.6},
			"Open as a plain window on the key colour (no X11 display: no alpha), 800×600, 60 fps."},
		{OutputWindow{Open: true, NoARGB: true, Width: 800, Height: 600},
			"Open as a plain window on the key colour (the X server has no 32-bit ARGB visual: no alpha), 800×600, 0 fps."},
	} {
		if got := OutputText(tc.o); got != tc.want {
			t.Errorf("OutputText(%+v) = %q, want %q", tc.o, got, tc.want)
		}
	}
}

func TestLightNames(t *testing.T) {
	for l, want := range map[Light]string{LightOff: "off", LightOn: "on", LightBad: "bad"} {
		if l.String() != want {
			t.Errorf("%d: %q, want %q", l, l.String(), want)
		}
	}
}

func TestSmallLines(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{OutputButton(false), "Open output window"},
		{OutputButton(true), "Close output window"},
		{LoadingText(marionette.LoadEvent{Source: marionette.Source{Name: "godette.vrm"}, Stage: marionette.LoadDecoding}), "Loading godette.vrm — decoding…"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
