package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// makeVMCTab returns the VMC panel: the receiver (address, port,
// start/stop), the live state of the Performer's stream, and the
// Marionette options. toggle starts or stops the receiver.
func makeVMCTab(a fyne.App, s *settings, ls *liveStatus, toggle, rebind func()) fyne.CanvasObject {
	return container.NewVBox(
		makeReceiverCard(a, s, ls, toggle, rebind),
		makePerformerCard(ls),
		makeOptionsCard(s, ls),
	)
}

// makeReceiverCard returns where the Performer sends (this machine's
// addresses, with a copy button), the listen address, port and start/stop
// button, and the firewall hint. toggle starts or stops the receiver;
// rebind (Return in the address or port entry) restarts it on what was
// entered.
func makeReceiverCard(a fyne.App, s *settings, ls *liveStatus, toggle, rebind func()) fyne.CanvasObject {
	host := widget.NewEntryWithData(s.host)
	host.SetPlaceHolder("0.0.0.0 (every interface)")
	port := widget.NewEntryWithData(binding.IntToString(s.port))
	port.Validator = validatePort
	button := widget.NewButton("Start", toggle)
	ls.button.AddListener(binding.NewDataListener(func() {
		if t, _ := ls.button.Get(); t != "" {
			button.SetText(t)
		}
	}))
	port.OnSubmitted = func(string) { rebind() }
	host.OnSubmitted = port.OnSubmitted
	status := widget.NewLabelWithData(ls.listen)
	status.Wrapping = fyne.TextWrapWord
	sendTo := widget.NewLabelWithData(ls.sendTo)
	sendTo.TextStyle.Monospace = true
	sendTo.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabelWithData(ls.firewall)
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	form := widget.NewForm(
		widget.NewFormItem("Send to", container.NewBorder(nil, nil, nil, newCopyButton(a, ls), sendTo)),
		widget.NewFormItem("Listen on", host),
		widget.NewFormItem("UDP port", port),
	)
	return section("Receiver", "Type the \"Send to\" address into the Performer (its Marionette / VMC destination)",
		container.NewVBox(form, container.NewBorder(nil, nil, nil, button, status), hint))
}

// newCopyButton returns a button that puts the best "Send to" address on
// the clipboard.
func newCopyButton(a fyne.App, ls *liveStatus) *widget.Button {
	b := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
		if ls.sendFirst != "" {
			a.Clipboard().SetContent(ls.sendFirst)
		}
	})
	return b
}

// validatePort accepts 1–65535 (0 asks the OS for a free port).
func validatePort(s string) error {
	var p int
	if _, err := fmt.Sscanf(s, "%d", &p); err != nil || p < 0 || p > 65535 || fmt.Sprint(p) != s {
		return fmt.Errorf("a port is a number from 1 to 65535")
	}
	return nil
}

// makePerformerCard returns the live state of the stream.
func makePerformerCard(ls *liveStatus) fyne.CanvasObject {
	hidden := widget.NewLabelWithData(ls.hidden)
	hidden.Importance = widget.WarningImportance
	return section("Performer", "",
		container.NewVBox(
			widget.NewForm(
				widget.NewFormItem("Connected", container.NewHBox(ls.newLight(), widget.NewLabelWithData(ls.receiving))),
				widget.NewFormItem("Sender", widget.NewLabelWithData(ls.sender)),
				widget.NewFormItem("Rate", widget.NewLabelWithData(ls.packetRate)),
				widget.NewFormItem("Errors", widget.NewLabelWithData(ls.errors)),
				widget.NewFormItem("State", widget.NewLabelWithData(ls.ok)),
				widget.NewFormItem("Sender time", widget.NewLabelWithData(ls.senderTime)),
			),
			hidden,
		))
}

// makeOptionsCard returns the Marionette options.
func makeOptionsCard(s *settings, ls *liveStatus) fyne.CanvasObject {
	check := widget.NewCheckWithData
	smoothing := func(b binding.Float) fyne.CanvasObject {
		sl := widget.NewSliderWithData(0, 300, b)
		sl.Step = 10
		label := widget.NewLabelWithData(binding.FloatToStringWithFormat(b, "%.0f ms"))
		return container.NewBorder(nil, nil, nil, label, sl)
	}
	cuts := container.NewGridWithColumns(3,
		check("Head", s.cutHead), check("Arms", s.cutArms), check("Fingers", s.cutFingers),
		check("Legs", s.cutLegs), check("Eyes", s.cutEyes))
	autoMsg := widget.NewLabelWithData(ls.autoLoad)
	autoMsg.Wrapping = fyne.TextWrapWord
	autoHelp := widget.NewLabel("When on, a file the Performer names in /VMC/Ext/VRM is loaded only if it exists " +
		"on this computer as a regular .vrm file, and only after you have seen its path and said yes once.")
	autoHelp.Wrapping = fyne.TextWrapWord
	autoHelp.Importance = widget.LowImportance
	return section("Options", "How the Performer's motion drives the avatar",
		widget.NewForm(
			widget.NewFormItem("Root", container.NewVBox(
				check("Apply root position", s.rootPosition),
				check("Apply root rotation", s.rootRotation),
				check("Apply MR scale and offset", s.mrScale))),
			widget.NewFormItem("Bone positions", widget.NewSelectWithData(labels(positionChoices), s.positions)),
			widget.NewFormItem("Bone smoothing", smoothing(s.boneSmooth)),
			widget.NewFormItem("Blend smoothing", smoothing(s.blendSmooth)),
			widget.NewFormItem("Mirror", check("Mirror the Performer", s.mirror)),
			widget.NewFormItem("Ignore", cuts),
			widget.NewFormItem("Calibration", check("Hide the avatar while uncalibrated", s.hideUncalibrated)),
			widget.NewFormItem("From the Performer", container.NewVBox(
				check("Use the Performer's light", s.perfLight),
				check("Use the Performer's background colour", s.perfBackground),
				check("Use the Performer's camera", s.perfCamera))),
			widget.NewFormItem("Performer's VRM", container.NewVBox(
				check("Load the avatar the Performer announces", s.autoLoad), autoHelp, autoMsg)),
		))
}
