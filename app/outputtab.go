package app

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/app/view"
)

// obsHelp tells how to capture the output window.
const obsHelp = "In OBS: Sources → + → Window Capture (Xcomposite) → \"Kugutsu output\"; " +
	"the transparent background keeps its alpha. Under Wayland the window runs through XWayland: " +
	"use the same source (Xcomposite sees XWayland windows), or Screen Capture (PipeWire) with " +
	"a key colour background and a Chroma Key filter."

// makeOutputTab returns the Output panel: open/close the output window,
// its size, camera, background and window options.
func (u *ui) makeOutputTab() fyne.CanvasObject {
	s := u.outSet
	openBtn := widget.NewButton("Open output window", nil)
	openBtn.Importance = widget.HighImportance
	openBtn.OnTapped = func() {
		on, _ := s.open.Get()
		s.open.Set(!on)
	}
	status := widget.NewLabel("Closed.")
	status.Wrapping = fyne.TextWrapWord
	s.open.AddListener(binding.NewDataListener(func() {
		on, _ := s.open.Get()
		openBtn.SetText(view.OutputButton(on))
	}))
	go every(250*time.Millisecond, u.stopPoll, func() bool {
		text := u.output.status()
		fyne.Do(func() {
			if status.Text != text {
				status.SetText(text)
			}
		})
		return true
	})

	width := widget.NewEntryWithData(binding.IntToString(s.width))
	height := widget.NewEntryWithData(binding.IntToString(s.height))
	for _, e := range []*widget.Entry{width, height} {
		e.Validator = func(t string) error {
			_, err := strconv.Atoi(t)
			return err
		}
	}
	custom := container.NewGridWithColumns(2, width, height)
	sizeSel := widget.NewSelectWithData(labels(outputSizes), s.size)
	showCustom := func() {
		if l, _ := s.size.Get(); idOf(outputSizes, l) == "custom" {
			custom.Show()
		} else {
			custom.Hide()
		}
	}
	s.size.AddListener(binding.NewDataListener(showCustom))

	takeView := widget.NewButton("Use the viewport's current view", func() {
		s.saveOrbit(u.engine.Orbit())
		s.camera.Set(labelOf(outputCameras, "own"))
		u.output.apply()
	})
	colour := makeColorButton("Output background", s.colour, u.win)

	help := widget.NewLabel(obsHelp)
	help.Wrapping = fyne.TextWrapWord
	return container.NewVBox(
		container.NewVBox(openBtn, status),
		section("Picture", "The avatar alone, at the size you capture",
			widget.NewForm(
				widget.NewFormItem("Size", container.NewVBox(sizeSel, custom)),
				widget.NewFormItem("Camera", container.NewVBox(widget.NewSelectWithData(labels(outputCameras), s.camera), takeView)),
				widget.NewFormItem("Background", container.NewVBox(widget.NewSelectWithData(labels(outputBackgrounds), s.background), colour)),
			)),
		section("Window", "",
			widget.NewForm(
				widget.NewFormItem("", widget.NewCheckWithData("Always on top", s.alwaysOnTop)),
				widget.NewFormItem("", widget.NewCheckWithData("Click-through", s.clickThrough)),
				widget.NewFormItem("", widget.NewCheckWithData("Hide from the taskbar", s.skipTaskbar)),
				widget.NewFormItem("", widget.NewCheckWithData("Let the Performer's window settings drive these", s.performerWindow)),
			)),
		help,
	)
}
