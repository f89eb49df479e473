package app

import (
	"fmt"
	"image"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/app/view"
	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// makeNoAvatarTab is the Avatar panel before any avatar is shown.
func makeNoAvatarTab() fyne.CanvasObject {
	l := widget.NewLabel("No avatar yet. Open a VRM file (File → Open VRM…) or drop one on the window.")
	l.Wrapping = fyne.TextWrapWord
	return l
}

// makeAvatarTab returns the Avatar panel for av: its meta and licence
// shown prominently (as VRM users expect: who made it, what you may do
// with it), the live expression bars (bars[i] for av.Expressions[i]), the
// blend keys the stream sends that av lacks, the humanoid bones found and
// the loader's warnings.
func makeAvatarTab(av *vrm.Model, thumb *image.NRGBA, src marionette.Source, bars []binding.Float, unmatched binding.String) fyne.CanvasObject {
	return container.NewVBox(
		makeAvatarHeader(av, thumb, src),
		makeLicenceCard(&av.Meta),
		makeExpressionsCard(av, bars, unmatched),
		makeBonesCard(av),
		makeWarningsCard(av),
	)
}

// makeAvatarHeader shows the thumbnail (thumb, already scaled; nil for
// none), name, version, authors and source.
func makeAvatarHeader(av *vrm.Model, thumb *image.NRGBA, src marionette.Source) fyne.CanvasObject {
	m := &av.Meta
	title := widget.NewLabelWithStyle(marionette.DisplayName(av, src), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	lines := container.NewVBox(title)
	add := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			l := widget.NewLabel(label + v)
			l.Wrapping = fyne.TextWrapWord
			lines.Add(l)
		}
	}
	add("by ", strings.Join(m.Authors, ", "))
	add("Version ", m.Version)
	switch {
	case src.Default:
		add("", "Kugutsu's default avatar")
	case src.Path != "":
		add("", src.Path)
	}
	add("VRM ", av.Version.String())
	var thumbObj fyne.CanvasObject = widget.NewLabel("(no thumbnail)")
	if thumb != nil {
		c := canvas.NewImageFromImage(thumb)
		c.FillMode = canvas.ImageFillContain
		c.ScaleMode = canvas.ImageScaleFastest
		c.SetMinSize(fyne.NewSize(128, 128))
		thumbObj = c
	}
	return container.NewBorder(nil, nil, thumbObj, nil, lines)
}

// makeLicenceCard shows every licence field of the meta (VRM 1.0
// vocabulary; VRM 0.x files mapped by the loader, their originals too).
func makeLicenceCard(m *vrm.Meta) fyne.CanvasObject {
	form := widget.NewForm()
	for _, r := range view.LicenceRows(m) {
		if u, err := url.Parse(r.Value); r.Link && err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			form.Append(r.Label, widget.NewHyperlink(r.Value, u))
			continue
		}
		l := widget.NewLabel(r.Value)
		l.Wrapping = fyne.TextWrapWord
		form.Append(r.Label, l)
	}
	return section("Licence", "What the author allows you to do with this avatar", form)
}

// makeExpressionsCard shows a bar per expression with the weight the
// avatar gets now (VMC and face mixed, smoothed).
func makeExpressionsCard(av *vrm.Model, bars []binding.Float, unmatched binding.String) fyne.CanvasObject {
	grid := container.New(layout.NewFormLayout())
	for i := range av.Expressions {
		x := &av.Expressions[i]
		name := x.Name
		if x.Preset == vrm.PresetCustom {
			name += " (custom)"
		}
		bar := widget.NewProgressBarWithData(bars[i])
		grid.Add(widget.NewLabel(name))
		grid.Add(bar)
	}
	um := widget.NewLabelWithData(unmatched)
	um.Wrapping = fyne.TextWrapWord
	um.Importance = widget.WarningImportance
	sub := fmt.Sprintf("%d expressions, live", len(av.Expressions))
	return section("Expressions", sub, container.NewVBox(grid, um))
}

// makeBonesCard lists the humanoid bones the model maps.
func makeBonesCard(av *vrm.Model) fyne.CanvasObject {
	var names []string
	for _, b := range av.Humanoid.Present.Bones() {
		names = append(names, b.String())
	}
	l := widget.NewLabel(strings.Join(names, ", "))
	l.Wrapping = fyne.TextWrapWord
	sub := fmt.Sprintf("%d of %d humanoid bones", av.Humanoid.Present.Len(), humanoid.Count)
	return section("Humanoid", sub, l)
}

// makeWarningsCard lists what the loader skipped or repaired.
func makeWarningsCard(av *vrm.Model) fyne.CanvasObject {
	if len(av.Warnings) == 0 {
		return container.NewVBox()
	}
	l := widget.NewLabel(strings.Join(av.Warnings, "\n"))
	l.Wrapping = fyne.TextWrapWord
	return section("Loader warnings", "", l)
}
