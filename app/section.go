package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// section is a titled group of a panel: a bold heading, an optional
// explanation and the content, closed by a separator. It stands in for
// widget.Card, which it replaced: fyne repaints the whole window for every
// new viewport image (up to 60 times a second), and with no GPU (Mesa
// llvmpipe) the cards' rounded, shadowed backgrounds cost the software
// OpenGL about as much as the viewport itself — the VMC panel's three cards
// about 9 CPU-ms a frame at 1280×720 (TestMeasure under Xvfb, with and
// without them).
func section(title, subtitle string, content fyne.CanvasObject) fyne.CanvasObject {
	items := []fyne.CanvasObject{widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	if subtitle != "" {
		sub := widget.NewLabel(subtitle)
		sub.Wrapping = fyne.TextWrapWord
		sub.SizeName = theme.SizeNameCaptionText
		items = append(items, sub)
	}
	return container.NewVBox(append(items, content, widget.NewSeparator())...)
}
