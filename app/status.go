package app

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm"
)

// Colours of the receiving light.
var (
	lightOn  = color.NRGBA{R: 0x2e, G: 0xcc, B: 0x40, A: 0xff}
	lightOff = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	lightBad = color.NRGBA{R: 0xe0, G: 0x40, B: 0x30, A: 0xff}
)

// liveStatus holds the live values the panels show, as bindings set on the
// UI goroutine from engine.Status (see ui.poll).
type liveStatus struct {
	receiving  binding.String // "Receiving" / "No data"
	listen     binding.String
	sendTo     binding.String // where a Performer sends: this machine's addresses and the port
	firewall   binding.String // how to open the port
	sendFirst  string         // the best of sendTo, for the copy button (UI goroutine)
	button     binding.String // the receiver button: "Stop" while bound, else "Start"
	sender     binding.String
	packetRate binding.String
	errors     binding.String
	ok         binding.String // /VMC/Ext/OK
	senderTime binding.String // /VMC/Ext/T
	fps        binding.String
	overlay    binding.String // the viewport's FPS overlay
	credit     binding.String // the shown avatar's credit line
	autoLoad   binding.String // auto-load messages
	unmatched  binding.String // blend keys the avatar lacks
	hidden     binding.String
	quality    binding.String // the rendering quality in force

	lights    []*canvas.Circle
	listening bool
	connected bool
}

func newLiveStatus() *liveStatus {
	s := binding.NewString
	ls := &liveStatus{
		receiving: s(), listen: s(), sendTo: s(), firewall: s(), button: s(), sender: s(), packetRate: s(), errors: s(), ok: s(), senderTime: s(),
		fps: s(), overlay: s(), credit: s(), autoLoad: s(), unmatched: s(), hidden: s(), quality: s(),
	}
	ls.update(&marionette.Status{})
	return ls
}

// newLight returns a receiving light that update keeps in step.
func (ls *liveStatus) newLight() fyne.CanvasObject {
	c := canvas.NewCircle(ls.lightColor())
	c.StrokeWidth = 0
	ls.lights = append(ls.lights, c)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(12, 12), c))
}

func (ls *liveStatus) lightColor() color.Color {
	switch {
	case ls.connected:
		return lightOn
	case !ls.listening:
		return lightBad
	}
	return lightOff
}

// setListen shows the receiver's state.
func (ls *liveStatus) setListen(text string, listening bool) {
	ls.listen.Set(text)
	ls.listening = listening
	if listening {
		ls.button.Set("Stop")
	} else {
		ls.button.Set("Start")
	}
	if !listening {
		ls.receiving.Set("Not listening")
	}
	ls.refreshLights()
}

func (ls *liveStatus) refreshLights() {
	c := ls.lightColor()
	for _, l := range ls.lights {
		if l.FillColor != c {
			l.FillColor = c
			l.Refresh()
		}
	}
}

// update shows st. Bindings only notify when a value changes, so an idle
// stream causes no redraw.
func (ls *liveStatus) update(st *marionette.Status) {
	ls.connected = st.Connected
	ls.refreshLights()
	switch {
	case st.Connected:
		ls.receiving.Set("Receiving")
	case st.Sender.IsValid():
		ls.receiving.Set("No data")
	case !ls.listening:
		ls.receiving.Set("Not listening")
	default:
		ls.receiving.Set("Waiting for a Performer")
	}
	switch {
	case st.Senders > 1:
		ls.sender.Set(fmt.Sprintf("%s (+%d more)", st.Sender, st.Senders-1))
	case st.Sender.IsValid():
		ls.sender.Set(st.Sender.String())
	default:
		ls.sender.Set("—")
	}
	ls.packetRate.Set(fmt.Sprintf("%.0f packets/s", st.PacketRate))
	ls.errors.Set(errorsText(st))
	ls.ok.Set(availabilityText(st.Available))
	if st.TimeReceived {
		ls.senderTime.Set(fmt.Sprintf("%.2f s", st.Time))
	} else {
		ls.senderTime.Set("—")
	}
	ls.fps.Set(fmt.Sprintf("%.0f fps", st.Stats.FPS))
	ls.overlay.Set(overlayText(&st.Stats))
	ls.quality.Set(st.Stats.Quality.String())
	if st.Hidden {
		ls.hidden.Set("The avatar is hidden until the Performer is calibrated.")
	} else {
		ls.hidden.Set("")
	}
}

// errorsText sums up dropped input.
func errorsText(st *marionette.Status) string {
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

// availabilityText describes /VMC/Ext/OK (spec "Available").
func availabilityText(a vmc.Availability) string {
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

// overlayText is the viewport's FPS overlay.
func overlayText(s *marionette.Stats) string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
	t := fmt.Sprintf("%.0f fps · render %s ms", s.FPS, ms(s.RenderTime.P50))
	if s.Latency.N > 0 {
		t += " · latency " + ms(s.Latency.P50) + " / " + ms(s.Latency.P99) + " ms (p50/p99)"
	}
	return t
}

// creditLine is the status bar's credit for the shown avatar: its name,
// authors and licence, shown wherever the avatar is (CC-BY and VRM
// "credit required" avatars demand it).
func creditLine(av *vrm.Model, src marionette.Source) string {
	m := &av.Meta
	s := marionette.DisplayName(av, src)
	if len(m.Authors) > 0 {
		s += " by " + strings.Join(m.Authors, ", ")
	}
	if l := licenceName(m); l != "" {
		s += " · " + l
	}
	return "Avatar: " + s
}

// makeStatusBar returns the bar under the window: receiving light, state,
// sender, fps, packets/s, and the avatar's credit.
func makeStatusBar(ls *liveStatus) fyne.CanvasObject {
	// The credit takes the room left and is cut with an ellipsis, so the
	// status bar never makes the window wider (it fits 640 px).
	credit := widget.NewLabelWithData(ls.credit)
	credit.Truncation = fyne.TextTruncateEllipsis
	credit.Alignment = fyne.TextAlignTrailing
	return container.NewBorder(nil, nil, container.NewHBox(
		ls.newLight(),
		widget.NewLabelWithData(ls.receiving),
		widget.NewSeparator(),
		widget.NewLabelWithData(ls.sender),
		widget.NewSeparator(),
		widget.NewLabelWithData(ls.packetRate),
		widget.NewSeparator(),
		widget.NewLabelWithData(ls.fps),
	), nil, credit)
}
