package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/retarget/face"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

// ifmTabName is the iFacialMocap tab's title.
const ifmTabName = "iFacialMocap"

// ifmPollEvery is how often the iFacialMocap panel (status, blendshape
// bars) is refreshed: about 15 Hz, far below the phone's 60 fps.
const ifmPollEvery = 66 * time.Millisecond

// recentError is how long a passing error (a malformed frame, a failed
// send) stays in the panel after it happened.
const recentError = 5 * time.Second

// ifmPanel is the live part of the iFacialMocap tab: what the poller and
// the buttons update, on the UI goroutine.
type ifmPanel struct {
	status   binding.String // connection and fps
	tracking binding.String
	counts   binding.String
	problem  binding.String // what the user should act on: the client's messages
	note     binding.String // the outcome of the last action (calibrated, saved…)
	chose    binding.String // the mapping mode this avatar gets
	light    *canvas.Circle
	bars     *shapeBars
	button   *widget.Button // Connect / Disconnect
	locked   []fyne.Disableable

	connErr    error // why the last Connect failed, until the next one
	connecting bool
}

func newIFMPanel() *ifmPanel {
	s := binding.NewString
	p := &ifmPanel{status: s(), tracking: s(), counts: s(), problem: s(), note: s(), chose: s(),
		light: canvas.NewCircle(lightOff), bars: newShapeBars()}
	p.light.StrokeWidth = 0
	return p
}

// makeIFMTab returns the iFacialMocap panel: the phone (address, transport,
// format, connect, live state and errors, calibrate, look forward, fetch
// the recording), the mapping (mode and what it chose for this avatar,
// invert and mirror, smoothing, chest follow, head position), the mix with
// the Performer (weights, head and eyes), and the live blendshape bars.
func (u *ui) makeIFMTab() fyne.CanvasObject {
	return container.NewVBox(u.makeIFMPhoneCard(), u.makeIFMMappingCard(), u.makeIFMMixCard(), u.makeIFMBarsCard())
}

func (u *ui) makeIFMPhoneCard() fyne.CanvasObject {
	s, p := u.set.ifm, u.ifmp
	phone := widget.NewEntryWithData(s.phone)
	phone.SetPlaceHolder("the iPhone's IP address, as iFacialMocap shows it")
	transport := widget.NewRadioGroup(transportChoices, nil)
	transport.Horizontal = true
	bindRadio(transport, s.transport)
	format := widget.NewRadioGroup(formatChoices, nil)
	format.Horizontal = true
	bindRadio(format, s.format)
	p.locked = []fyne.Disableable{phone, transport, format}
	p.button = widget.NewButton("Connect", u.ifmToggle)
	p.button.Importance = widget.HighImportance

	problem := widget.NewLabelWithData(p.problem)
	problem.Wrapping = fyne.TextWrapWord
	problem.Importance = widget.DangerImportance
	note := widget.NewLabelWithData(p.note)
	note.Wrapping = fyne.TextWrapWord
	hideWhenEmpty(problem, p.problem)
	hideWhenEmpty(note, p.note)
	help := widget.NewLabel("In iFacialMocap on the phone, leave the destination IP empty: Kugutsu asks the phone " +
		"to send to this computer. Use TCP if frames get lost over Wi-Fi.")
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance

	ports := widget.NewForm(
		widget.NewFormItem("UDP frames on", entryWithPlaceholder(s.listenUDP, ":49983")),
		widget.NewFormItem("TCP frames on", entryWithPlaceholder(s.listenTCP, ":49986")),
		widget.NewFormItem("Recording on", entryWithPlaceholder(s.listenBak, ":49987")),
	)
	portsHelp := widget.NewLabel("The phone always sends to the standard ports; change these only for a test phone or a port forward.")
	portsHelp.Wrapping = fyne.TextWrapWord
	portsHelp.Importance = widget.LowImportance
	advanced := widget.NewAccordion(widget.NewAccordionItem("Local ports", container.NewVBox(ports, portsHelp)))

	actions := container.NewGridWithColumns(2,
		widget.NewButton("Calibrate (neutral face)", u.ifmCalibrate),
		widget.NewButton("Forget calibration", u.ifmForgetCalibration),
		widget.NewButton("Look forward", u.ifmLookForward),
		widget.NewButton("Fetch recording…", u.showFetchDialog),
	)
	// The buttons sit above every line whose text comes and goes or wraps,
	// so they never move under the pointer (a status line appearing once
	// moved Calibrate by 20–40 px).
	return section("Phone", "An iPhone running iFacialMocap on this network",
		container.NewVBox(
			widget.NewForm(
				widget.NewFormItem("Phone IP", phone),
				widget.NewFormItem("Transport", transport),
				widget.NewFormItem("Format", format),
				widget.NewFormItem("", p.button),
			),
			actions,
			widget.NewForm(
				widget.NewFormItem("Status", container.NewBorder(nil, nil,
					container.NewCenter(container.NewGridWrap(fyne.NewSize(12, 12), p.light)), nil,
					wrappingLabel(p.status))),
				widget.NewFormItem("Tracking", wrappingLabel(p.tracking)),
				widget.NewFormItem("Frames", wrappingLabel(p.counts)),
			),
			problem, note, help, advanced,
		))
}

func (u *ui) makeIFMMappingCard() fyne.CanvasObject {
	s, p := u.set.ifm, u.ifmp
	check := widget.NewCheckWithData
	chose := widget.NewLabelWithData(p.chose)
	chose.Wrapping = fyne.TextWrapWord
	smoothing := widget.NewSliderWithData(0, 300, s.smoothing)
	smoothing.Step = 10
	var inverts []fyne.CanvasObject
	for i, a := range invertAxes {
		inverts = append(inverts, check(a.label, s.invert[i]))
	}
	return section("Mapping", "How the face drives this avatar",
		widget.NewForm(
			widget.NewFormItem("Mode", container.NewVBox(widget.NewSelectWithData(labels(mappingChoices), s.mode), chose)),
			widget.NewFormItem("Presets", check("Smile and surprise drive happy and surprised", s.emotions)),
			widget.NewFormItem("Smoothing", container.NewBorder(nil, nil, nil,
				widget.NewLabelWithData(binding.FloatToStringWithFormat(s.smoothing, "%.0f ms")), smoothing)),
			widget.NewFormItem("Mirror", check("Mirror the face (move like my reflection)", s.mirror)),
			widget.NewFormItem("Invert", container.NewGridWithColumns(3, inverts...)),
			widget.NewFormItem("Body", container.NewVBox(
				check("The chest follows the head a little", s.chestFollow),
				check("Head position moves the upper body (calibrate first)", s.headPosition))),
		))
}

func (u *ui) makeIFMMixCard() fyne.CanvasObject {
	s := u.set.ifm
	percent := func(b binding.Float) fyne.CanvasObject {
		sl := widget.NewSliderWithData(0, 100, b)
		sl.Step = 5
		return container.NewBorder(nil, nil, nil, widget.NewLabelWithData(binding.FloatToStringWithFormat(b, "%.0f %%")), sl)
	}
	help := widget.NewLabel("The face's expressions — and the head and eyes when ticked — come from iFacialMocap, " +
		"weighted as set here; everything else keeps coming from the Performer (VMC tab).")
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	return section("Mixing with VMC", "",
		container.NewVBox(
			widget.NewForm(
				widget.NewFormItem("iFacialMocap", percent(s.faceWeight)),
				widget.NewFormItem("Performer (VMC)", percent(s.vmcWeight)),
				widget.NewFormItem("From the phone", container.NewVBox(
					widget.NewCheckWithData("Head and neck", s.head),
					widget.NewCheckWithData("Eyes", s.eyes))),
			),
			help,
		))
}

func (u *ui) makeIFMBarsCard() fyne.CanvasObject {
	return section("Blendshapes", "The 52 ARKit values the phone sends (the user's own left and right)", u.ifmp.bars)
}

// wrappingLabel is a label bound to b that wraps rather than widening the
// panel (which would squeeze the viewport).
func wrappingLabel(b binding.String) *widget.Label {
	l := widget.NewLabelWithData(b)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// hideWhenEmpty hides l while b holds "", so an empty message takes no room.
func hideWhenEmpty(l *widget.Label, b binding.String) {
	b.AddListener(binding.NewDataListener(func() {
		if v, _ := b.Get(); v == "" {
			l.Hide()
		} else {
			l.Show()
		}
	}))
}

// entryWithPlaceholder is an entry bound to b showing placeholder when empty.
func entryWithPlaceholder(b binding.String, placeholder string) *widget.Entry {
	e := widget.NewEntryWithData(b)
	e.SetPlaceHolder(placeholder)
	return e
}

// bindRadio keeps a radio group and a string binding in step.
func bindRadio(r *widget.RadioGroup, b binding.String) {
	r.OnChanged = func(v string) {
		if v == "" { // a radio group can be unselected; keep the setting
			cur, _ := b.Get()
			r.SetSelected(cur)
			return
		}
		b.Set(v)
	}
	b.AddListener(binding.NewDataListener(func() {
		v, _ := b.Get()
		if r.Selected != v {
			r.SetSelected(v)
		}
	}))
}

// ifmToggle is the Connect/Disconnect button's action.
func (u *ui) ifmToggle() {
	if u.ifm.Connected() {
		u.ifmDisconnect()
		return
	}
	u.ifmConnect()
}

// ifmReconnect connects to the phone at start-up when the app was
// connected when it last closed.
func (u *ui) ifmReconnect() {
	if on, _ := u.set.ifm.connected.Get(); on {
		u.ifmConnect()
	}
}

// ifmConnect connects to the phone in the settings. An IP address connects
// at once (binding the ports and sending the start command do not block);
// a host name is resolved off the UI goroutine.
func (u *ui) ifmConnect() {
	p := u.ifmp
	phone, _ := u.set.ifm.phone.Get()
	phone = strings.TrimSpace(phone)
	p.note.Set("")
	if phone == "" {
		p.connErr = errors.New("enter the phone's IP address: iFacialMocap shows it at the top of its screen")
		u.ifmRefresh()
		return
	}
	opts := u.set.ifm.options()
	// The phone's frames go into a recording in progress too (recording.go).
	opts.OnData = func(b []byte, from netip.AddrPort, at time.Time) {
		u.engine.RecordOther(b, netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), ifmRecordedDst, at)
	}
	connect := func() error { return u.ifm.Connect(u.ifmCtx, phone, opts) }
	p.connErr, p.connecting = nil, true
	u.ifmRefresh()
	if isIPAddress(phone) {
		u.ifmConnected(connect())
		return
	}
	u.background.Add(1)
	go func() {
		defer u.background.Done()
		err := connect()
		fyne.Do(func() { u.ifmConnected(err) })
	}()
}

// isIPAddress reports whether s is an IP address, with or without a port.
func isIPAddress(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParseAddrPort(s)
	return err == nil
}

// ifmConnected shows the outcome of a Connect.
func (u *ui) ifmConnected(err error) {
	p := u.ifmp
	p.connecting = false
	p.connErr = err
	if err == nil {
		u.set.ifm.connected.Set(true)
	}
	u.ifmRefresh()
}

// ifmDisconnect stops the connection (the phone gets the stop command).
func (u *ui) ifmDisconnect() {
	u.ifm.Disconnect()
	u.set.ifm.connected.Set(false)
	u.ifmp.connErr = nil
	u.ifmRefresh()
}

// ifmCalibrate makes the current face the neutral one and keeps it.
func (u *ui) ifmCalibrate() {
	c, err := u.ifm.Calibrate()
	if err != nil {
		u.ifmp.note.Set("Cannot calibrate: " + err.Error())
		return
	}
	u.set.ifm.saveCalibration(c)
	u.ifmp.note.Set(fmt.Sprintf("Calibrated: this is your neutral face and pose (head %.0f°, %.0f°, %.0f°).",
		c.HeadRotation[0], c.HeadRotation[1], c.HeadRotation[2]))
}

// ifmForgetCalibration goes back to the phone's own neutral pose.
func (u *ui) ifmForgetCalibration() {
	u.ifm.SetCalibration(face.Calibration{})
	u.set.ifm.saveCalibration(face.Calibration{})
	u.ifmp.note.Set("Calibration forgotten: the phone's own neutral pose is used.")
}

// ifmLookForward sends the phone the lookForward command.
func (u *ui) ifmLookForward() {
	if err := u.ifm.LookForward(); err != nil {
		u.ifmp.note.Set("Cannot send lookForward: " + userError(err))
		return
	}
	u.ifmp.note.Set("Asked the phone to look forward.")
}

// showFetchDialog asks where to save the phone's recorded animation, then
// fetches it.
func (u *ui) showFetchDialog() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.showDialog(dialog.NewError(err, u.win), nil)
			return
		}
		if w == nil {
			return // cancelled
		}
		uri := w.URI()
		u.fetchRecording(w, uri.Path(), func() { storage.Delete(uri) })
	}, u.win)
	d.SetFileName("ifacialmocap-recording-" + time.Now().Format("20060102-150405") + ".json")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
	d.Resize(fyne.NewSize(800, 560)) // after Show: fyne 2.8.1's FileDialog.Resize dereferences the dialog Show makes
}

// fetchRecording asks the phone for the animation recorded in iFacialMocap
// and writes it (a JSON array of frames) to w, closing it; where names w
// in messages, and discard removes it after a failure (no empty or partial
// file is left behind). A dialog shows the wait and can cancel it.
func (u *ui) fetchRecording(w io.WriteCloser, where string, discard func()) {
	phone, _ := u.set.ifm.phone.Get()
	opts := u.set.ifm.options()
	ctx, cancel := context.WithCancel(u.ifmCtx)
	msg := widget.NewLabel("Asking the phone for the animation recorded in iFacialMocap…\n" +
		"Keep iFacialMocap open on the phone; a long recording takes a while.")
	wait := dialog.NewCustom("Fetching the recording", "Cancel", container.NewVBox(msg, widget.NewProgressBarInfinite()), u.win)
	wait.SetOnClosed(cancel)
	wait.Show()
	u.ifmp.note.Set("Fetching the recording…")
	u.background.Add(1)
	go func() {
		defer u.background.Done()
		n, err := u.ifm.FetchRecording(ctx, strings.TrimSpace(phone), opts, w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil && discard != nil {
			discard()
		}
		fyne.Do(func() {
			wait.Hide()
			if err != nil {
				u.ifmp.note.Set("Could not fetch the recording: " + userError(err))
				return
			}
			u.ifmp.note.Set(fmt.Sprintf("Saved the recording (%d bytes) to %s", n, where))
		})
	}()
}

// userError is err's message without the package prefix.
func userError(err error) string {
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	return strings.TrimPrefix(err.Error(), "ifacialmocap: ")
}

// ifmAvatarChanged shows which mapping this avatar gets.
func (u *ui) ifmAvatarChanged() {
	u.ifmp.chose.Set(mappingText(u.shown, u.set.ifm.mapping().Mode))
}

// mappingText says which mapping av gets in mode and why.
func mappingText(av *vrm.Model, mode face.MappingMode) string {
	if av == nil {
		return "No avatar yet."
	}
	resolved, found := marionette.FaceMapping(av, mode)
	has := fmt.Sprintf("it has %d of the %d ARKit expressions", found, arkit.Count)
	if found == 0 {
		has = "it has no ARKit expressions"
	}
	name := "VRM presets (blinks, aa/ih/ou/ee/oh, happy, surprised)"
	if resolved == face.MappingPerfectSync {
		name = "Perfect Sync"
	}
	if mode == face.MappingAuto {
		return fmt.Sprintf("Automatic chose %s for this avatar: %s.", name, has)
	}
	t := fmt.Sprintf("%s for this avatar (%s).", name, has)
	if resolved == face.MappingPerfectSync && found == 0 {
		t += " Only the head and eyes will move."
	}
	return t
}

// ifmRefresh shows the current connection state (UI goroutine).
func (u *ui) ifmRefresh() {
	st, ok := u.ifm.Status()
	u.ifmUpdate(st, ok)
}

// ifmUpdate shows a status snapshot (UI goroutine). Bindings only notify
// when a value changes, so an unchanged state redraws nothing.
func (u *ui) ifmUpdate(st ifacialmocap.Status, ok bool) {
	p := u.ifmp
	light := lightOff
	switch {
	case p.connecting:
		p.status.Set("Connecting…")
	case !ok:
		p.status.Set("Not connected")
		if p.connErr != nil {
			light = lightBad
		}
	case st.Connected:
		p.status.Set(fmt.Sprintf("Receiving · %.0f fps · %s %s", st.FPS, st.Mode, formatName(st.V2)))
		light = lightOn
	case st.Received == 0:
		p.status.Set("Waiting for the phone at " + st.Phone + "…")
	default:
		p.status.Set("No data from the phone")
	}
	if ok && st.Err != nil {
		light = lightBad
	}
	if p.light.FillColor != light {
		p.light.FillColor = light
		p.light.Refresh()
	}
	switch {
	case !ok || st.Received == 0:
		p.tracking.Set("—")
		p.counts.Set("—")
	default:
		if st.TrackingLost {
			p.tracking.Set("Face lost: the phone cannot see your face")
		} else {
			p.tracking.Set("Face tracked")
		}
		p.counts.Set(fmt.Sprintf("%d received · %d malformed · %d from other addresses · %d replaced before drawing",
			st.Received, st.Malformed, st.Ignored, st.Dropped))
	}
	switch {
	case p.connErr != nil:
		p.problem.Set("Cannot connect: " + userError(p.connErr))
	case ok && st.Err != nil:
		p.problem.Set(userError(st.Err))
	case ok && st.LastError != nil && time.Since(st.LastErrorAt) < recentError:
		p.problem.Set("Last error: " + userError(st.LastError))
	default:
		p.problem.Set("")
	}
	p.setConnected(ok || p.connecting)
}

// setConnected shows the button and the locked fields for a connection
// that is open (or opening) or not, redrawing only on a change.
func (p *ifmPanel) setConnected(on bool) {
	text, imp := "Connect", widget.HighImportance
	if on {
		text, imp = "Disconnect", widget.MediumImportance
	}
	if p.button.Text != text || p.button.Importance != imp {
		p.button.Text, p.button.Importance = text, imp
		p.button.Refresh()
	}
	for _, w := range p.locked {
		switch {
		case on && !w.Disabled():
			w.Disable()
		case !on && w.Disabled():
			w.Enable()
		}
	}
}

func formatName(v2 bool) string {
	if v2 {
		return formatChoices[1]
	}
	return formatChoices[0]
}

// pollIFM refreshes the iFacialMocap panel about 15 times a second until
// stop (see ifmTick).
func (u *ui) pollIFM() {
	var st ifmPollState
	every(ifmPollEvery, u.stopPoll, func() bool {
		u.ifmTick(&st)
		return true
	})
}

// ifmPollState is the iFacialMocap poller's own state.
type ifmPollState struct {
	frame ifacialmocap.Frame
	seq   uint64 // of the frame the bars show
}

// ifmTick queues one panel update with fyne.Do, unless one is still
// queued: the status always, the blendshape bars when a new frame came and
// the tab is shown.
func (u *ui) ifmTick(ps *ifmPollState) {
	if u.ifmPolling.Load() {
		return // the previous update has not run yet
	}
	st, ok := u.ifm.Status()
	var values *[arkit.Count]float32
	if seq := u.ifm.Latest(&ps.frame); seq != ps.seq {
		ps.seq = seq
		v := ps.frame.Blendshapes
		values = &v
	}
	u.ifmPolling.Store(true)
	fyne.Do(func() {
		u.ifmPolling.Store(false)
		u.ifmUpdate(st, ok)
		if values != nil && u.tabs.Selected() != nil && u.tabs.Selected().Text == ifmTabName {
			u.ifmp.bars.set(values)
		}
	})
}
