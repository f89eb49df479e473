// Package view is the window's view model: what the panels show, worked
// out from the engine's and the iFacialMocap client's status as plain
// strings, lights named by state and enabled flags, so that it is tested
// without a window. It imports no fyne; package app binds widgets to it
// (a make*Tab function per panel, fyne's demo style).
package view

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/vmc"
)

// Light is the state a status light shows; the app gives each its colour.
type Light uint8

// The lights' states.
const (
	LightOff Light = iota // grey: idle, waiting
	LightOn               // green: receiving
	LightBad              // red: not listening, an error to act on
)

// String names the light: "off", "on" or "bad".
func (l Light) String() string {
	switch l {
	case LightOn:
		return "on"
	case LightBad:
		return "bad"
	}
	return "off"
}

// Receiver is what the VMC tab and the status bar show of the main
// receiver and the engine.
type Receiver struct {
	Light      Light
	Receiving  string // "Receiving", "No data", "Not listening"…
	Button     string // the receiver button: "Stop" while listening, else "Start"
	Sender     string // the latest sender, "—" for none
	PacketRate string // "60 packets/s"
	Errors     string // dropped input by cause, "none"
	Available  string // /VMC/Ext/OK
	SenderTime string // /VMC/Ext/T in seconds, "—" before any
	FPS        string // images rendered per second
	Overlay    string // the viewport's FPS overlay
	Quality    string // the rendering quality in force
	Hidden     string // why the avatar is hidden, "" when shown
}

// ReceiverOf works out the receiver's view from st; listening is whether
// the main receiver is bound (the app's own state: st may be older).
func ReceiverOf(st *marionette.Status, listening bool) Receiver {
	v := Receiver{
		Light:      LightOff,
		Button:     "Start",
		Sender:     "—",
		PacketRate: fmt.Sprintf("%.0f packets/s", st.PacketRate),
		Errors:     ErrorsText(st),
		Available:  AvailabilityText(st.Available),
		SenderTime: "—",
		FPS:        fmt.Sprintf("%.0f fps", st.Stats.FPS),
		Overlay:    OverlayText(&st.Stats),
		Quality:    st.Stats.Quality.String(),
	}
	switch {
	case st.Connected:
		v.Light = LightOn
	case !listening:
		v.Light = LightBad
	}
	if listening {
		v.Button = "Stop"
	}
	switch {
	case st.Connected:
		v.Receiving = "Receiving"
	case st.Sender.IsValid():
		v.Receiving = "No data"
	case !listening:
		v.Receiving = "Not listening"
	default:
		v.Receiving = "Waiting for a Performer"
	}
	switch {
	case st.Senders > 1:
		v.Sender = fmt.Sprintf("%s (+%d more)", st.Sender, st.Senders-1)
	case st.Sender.IsValid():
		v.Sender = st.Sender.String()
	}
	if st.TimeReceived {
		v.SenderTime = fmt.Sprintf("%.2f s", st.Time)
	}
	if st.Hidden {
		v.Hidden = "The avatar is hidden until the Performer is calibrated."
	}
	return v
}

// ListenError explains a failed Listen on addr to a user.
func ListenError(addr string, err error) string {
	if isPortInUse(err) {
		return fmt.Sprintf("Cannot listen on %s: the UDP port is already in use — another program "+
			"(another Marionette?) uses this port; close it or choose another port", addr)
	}
	return fmt.Sprintf("Cannot listen on %s: %v", addr, err)
}

// ErrorsText sums up dropped input: the total and each cause counted.
func ErrorsText(st *marionette.Status) string {
	r := &st.Receiver
	if st.Errors == 0 {
		return "none"
	}
	var parts []string
	if r.Malformed > 0 {
		parts = append(parts, fmt.Sprintf("%d malformed", r.Malformed))
	}
	if r.Rejected > 0 {
		parts = append(parts, fmt.Sprintf("%d rejected", r.Rejected))
	}
	if r.ReadErrors > 0 {
		parts = append(parts, fmt.Sprintf("%d read errors", r.ReadErrors))
	}
	if r.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d lost: receive buffer full", r.Dropped))
	}
	return fmt.Sprintf("%d (%s)", st.Errors, strings.Join(parts, ", "))
}

// AvailabilityText describes /VMC/Ext/OK (VMC spec, "Available"): avatar
// loaded, calibration state and mode, tracking; "—" before any.
func AvailabilityText(a vmc.Availability) string {
	if !a.Received {
		return "—"
	}
	parts := []string{"no avatar loaded"}
	if a.Loaded {
		parts[0] = "avatar loaded"
	}
	if a.HasCalibration {
		parts = append(parts, a.Calibration.String()+" ("+a.Mode.String()+")")
	}
	if a.HasTracking {
		if a.TrackingOK {
			parts = append(parts, "tracking OK")
		} else {
			parts = append(parts, "tracking lost")
		}
	}
	return strings.Join(parts, " · ")
}

// OverlayText is the viewport's FPS overlay: images per second, median
// render time and, once measured, the packet → image latency (ms).
func OverlayText(s *marionette.Stats) string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
	t := fmt.Sprintf("%.0f fps · render %s ms", s.FPS, ms(s.RenderTime.P50))
	if s.Latency.N > 0 {
		t += " · latency " + ms(s.Latency.P50) + " / " + ms(s.Latency.P99) + " ms (p50/p99)"
	}
	return t
}

// ExtraReceiverText describes one extra receiver (issue 15).
func ExtraReceiverText(s marionette.ReceiverStatus) string {
	switch {
	case s.Err != nil:
		return "Not listening: " + s.Err.Error()
	case !s.Connected:
		return fmt.Sprintf("Listening on %v, no data (%d packets, %d errors)", s.Bound, s.Packets, s.Errors)
	}
	return fmt.Sprintf("Receiving %.0f packets/s (%d packets, %d errors)", s.PacketRate, s.Packets, s.Errors)
}

// PlayoutText describes the jitter buffer's state (ms).
func PlayoutText(st marionette.PlayoutStatus) string {
	if !st.On {
		return "Off: each frame is shown as it arrives."
	}
	if st.Interval <= 0 {
		return "Waiting for frames…"
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return fmt.Sprintf("Arrival jitter %.1f ms, delay %.0f ms, frames every %.1f ms, %d buffered, %d late",
		ms(st.Jitter), ms(st.Delay), ms(st.Interval), st.Buffered, st.Underruns)
}

// SizeText is a byte count for people: bytes, KiB or MiB.
func SizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// RecordingText is the state line of a recording in progress.
func RecordingText(st marionette.RecordingStatus) string {
	return fmt.Sprintf("Recording to %s: %d datagrams, %s, %s",
		filepath.Base(st.Path), st.Datagrams, SizeText(st.Bytes), st.Span.Round(time.Second))
}

// RecordingSaved says what a recording that ended saved, or why it failed
// (err, from StopRecording), or that it stopped at its size limit.
func RecordingSaved(st marionette.RecordingStatus, err error) string {
	msg := fmt.Sprintf("Saved %d datagrams over %s (%s) to %s", st.Datagrams, st.Span.Round(time.Millisecond), SizeText(st.Bytes), st.Path)
	switch {
	case err != nil:
		msg = "Recording failed: " + err.Error()
	case isMaxBytes(st.Stopped):
		msg += " — stopped at the 1 GiB limit"
	}
	return msg
}

// PlayerPosition is a recording player's position: "1.2s / 30s", rounded
// to 100 ms.
func PlayerPosition(at, total time.Duration) string {
	return fmt.Sprintf("%s / %s", at.Round(100*time.Millisecond), total.Round(100*time.Millisecond))
}

func isPortInUse(err error) bool { return errors.Is(err, vmc.ErrPortInUse) }
func isMaxBytes(err error) bool  { return errors.Is(err, capture.ErrMaxBytes) }
