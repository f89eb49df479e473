package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/marionette"
)

// makeViewTab returns the View panel: background and light, quality (and
// the quality in force, from ls), outlines, spring bones, the FPS overlay,
// and how the viewport is drawn (drawing: fastView.status).
func makeViewTab(s *settings, ls *liveStatus, drawing binding.String, w fyne.Window) fyne.CanvasObject {
	degrees := func(b binding.Float, lo, hi float64) fyne.CanvasObject {
		sl := widget.NewSliderWithData(lo, hi, b)
		sl.Step = 1
		return container.NewBorder(nil, nil, nil, widget.NewLabelWithData(binding.FloatToStringWithFormat(b, "%.0f°")), sl)
	}
	resolution := widget.NewSelectWithData(labels(resolutionChoices), s.resolution)
	// Adaptive quality chooses the resolution itself.
	s.quality.AddListener(binding.NewDataListener(func() {
		if q, _ := s.quality.Get(); idOf(qualityChoices, q) == "adaptive" {
			resolution.Disable()
		} else {
			resolution.Enable()
		}
	}))
	return container.NewVBox(
		section("Scene", "Used unless the Performer's light or background is in use (VMC tab)",
			widget.NewForm(
				widget.NewFormItem("Background", makeColorButton("Background colour", s.background, w)),
				widget.NewFormItem("", widget.NewCheckWithData("Transparent (a checkerboard here; real alpha in the output window)", s.transparent)),
				widget.NewFormItem("Light from", degrees(s.lightYaw, -180, 180)),
				widget.NewFormItem("Light height", degrees(s.lightPitch, -90, 90)),
				widget.NewFormItem("Light colour", makeColorButton("Light colour", s.lightColor, w)),
			)),
		section("Rendering", "",
			widget.NewForm(
				widget.NewFormItem("Quality", widget.NewSelectWithData(labels(qualityChoices), s.quality)),
				widget.NewFormItem("Resolution", resolution),
				widget.NewFormItem("In use", widget.NewLabelWithData(ls.quality)),
				widget.NewFormItem("Render at most", widget.NewSelectWithData(labels(maxPixelChoices), s.maxPixels)),
				&widget.FormItem{Text: "Textures", Widget: widget.NewSelectWithData(labels(textureChoices), s.textureSize),
					HintText: "Larger ones are scaled down when an avatar is loaded"},
				widget.NewFormItem("", widget.NewCheckWithData("Outlines (MToon)", s.outlines)),
				widget.NewFormItem("", widget.NewCheckWithData("Spring bones (hair, cloth)", s.springBones)),
				widget.NewFormItem("", widget.NewCheckWithData("Show frame rate and latency", s.showFPS)),
				&widget.FormItem{Text: "", Widget: widget.NewCheckWithData("Fast viewport (X11)", s.fastViewport),
					HintText: "Draws the viewport in an X11 window of its own, without repainting the whole window"},
				widget.NewFormItem("Drawn by", widget.NewLabelWithData(drawing)),
			)),
		widget.NewButton("Reset view settings", func() { resetView(s) }),
	)
}

// resetView puts the view settings back to their defaults.
func resetView(s *settings) {
	v := marionette.DefaultView()
	s.background.Set(hexColor(v.Background))
	s.transparent.Set(false)
	s.lightYaw.Set(v.LightYaw)
	s.lightPitch.Set(v.LightPitch)
	s.lightColor.Set(hexColor(v.LightColor))
	s.quality.Set(labelOf(qualityChoices, "adaptive"))
	s.resolution.Set(labelOf(resolutionChoices, "full"))
	s.maxPixels.Set(labelOf(maxPixelChoices, "720p"))
	s.textureSize.Set(labelOf(textureChoices, "2048"))
	s.outlines.Set(v.Outlines)
	s.springBones.Set(v.SpringBones)
	s.fastViewport.Set(true)
}

// makeColorButton returns a swatch of the colour in b (#rrggbb) and a
// button that opens a colour picker to change it.
func makeColorButton(title string, b binding.String, w fyne.Window) fyne.CanvasObject {
	swatch := canvas.NewRectangle(color.Black)
	swatch.SetMinSize(fyne.NewSize(48, 24))
	swatch.StrokeColor, swatch.StrokeWidth = color.Gray{Y: 0x60}, 1
	b.AddListener(binding.NewDataListener(func() {
		str, _ := b.Get()
		if c, err := parseHexColor(str); err == nil {
			swatch.FillColor = c
			swatch.Refresh()
		}
	}))
	button := widget.NewButton("Choose…", func() {
		d := dialog.NewColorPicker(title, "", func(c color.Color) { b.Set(hexColor(toNRGBA(c))) }, w)
		d.Advanced = true
		str, _ := b.Get()
		if c, err := parseHexColor(str); err == nil {
			d.SetColor(c)
		}
		d.Show()
	})
	return container.NewHBox(swatch, button)
}
