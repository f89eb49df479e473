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
	row := func(label, v string) {
		if v = strings.TrimSpace(v); v == "" {
			return
		}
		l := widget.NewLabel(v)
		l.Wrapping = fyne.TextWrapWord
		form.Append(label, l)
	}
	link := func(label, v string) {
		if u, err := url.Parse(strings.TrimSpace(v)); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			form.Append(label, widget.NewHyperlink(v, u))
			return
		}
		row(label, v)
	}
	row("Licence", licenceName(m))
	link("Licence URL", m.LicenseURL)
	row("Avatar use", permissionText(m.AvatarPermission))
	row("Commercial use", commercialText(m.CommercialUsage))
	row("Violent use", allowed(m.AllowExcessivelyViolentUsage))
	row("Sexual use", allowed(m.AllowExcessivelySexualUsage))
	row("Political or religious use", allowed(m.AllowPoliticalOrReligiousUsage))
	row("Antisocial or hate use", allowed(m.AllowAntisocialOrHateUsage))
	row("Credit", creditText(m.CreditNotation))
	row("Redistribution", allowed(m.AllowRedistribution))
	row("Modification", modificationText(m.Modification))
	link("Other licence", m.OtherLicenseURL)
	row("Copyright", m.CopyrightInformation)
	link("Contact", m.ContactInformation)
	for _, r := range m.References {
		link("Reference", r)
	}
	row("Third-party licences", m.ThirdPartyLicenses)
	if v0 := m.VRM0; v0.LicenseName != "" || v0.AllowedUserName != "" {
		row("VRM 0.x: allowed user", v0.AllowedUserName)
		row("VRM 0.x: violent use", v0.ViolentUssageName)
		row("VRM 0.x: sexual use", v0.SexualUssageName)
		row("VRM 0.x: commercial use", v0.CommercialUssageName)
		link("VRM 0.x: other permissions", v0.OtherPermissionURL)
	}
	return section("Licence", "What the author allows you to do with this avatar", form)
}

// licenceName names the avatar's licence: the VRM 0.x licence name, else
// the well-known licence at the VRM 1.0 otherLicenseUrl (which, when set,
// is the licence the author chose beyond the VRM Public License), else the
// one at licenseUrl.
func licenceName(m *vrm.Meta) string {
	if n := m.VRM0.LicenseName; n != "" {
		return strings.ReplaceAll(n, "_", "-")
	}
	if n := knownLicence(m.OtherLicenseURL); n != "" {
		return n
	}
	n := knownLicence(m.LicenseURL)
	if n != "" && m.OtherLicenseURL != "" {
		n += " and another licence"
	}
	return n
}

// knownLicence names the licence at a well-known URL, or "".
func knownLicence(u string) string {
	u = strings.TrimSpace(u)
	switch {
	case u == "":
		return ""
	case strings.Contains(u, "vrm.dev/licenses/1.0"):
		return "VRM Public License 1.0"
	case strings.Contains(u, "creativecommons.org/publicdomain/zero/"):
		return "CC0"
	}
	// creativecommons.org/licenses/by-sa/4.0/ → CC-BY-SA 4.0
	if _, rest, ok := strings.Cut(u, "creativecommons.org/licenses/"); ok {
		parts := strings.Split(strings.Trim(rest, "/"), "/")
		if len(parts) >= 1 && parts[0] != "" {
			n := "CC-" + strings.ToUpper(parts[0])
			if len(parts) >= 2 {
				n += " " + parts[1]
			}
			return n
		}
	}
	return ""
}

func allowed(b bool) string {
	if b {
		return "allowed"
	}
	return "not allowed"
}

func permissionText(s string) string {
	switch s {
	case "onlyAuthor":
		return "only the author"
	case "onlySeparatelyLicensedPerson":
		return "only people the author licensed separately"
	case "everyone":
		return "everyone"
	}
	return s
}

func commercialText(s string) string {
	switch s {
	case "personalNonProfit":
		return "personal, non-profit only"
	case "personalProfit":
		return "personal, including profit"
	case "corporation":
		return "allowed, including corporations"
	}
	return s
}

func creditText(s string) string {
	switch s {
	case "required":
		return "required: credit the author wherever the avatar is shown"
	case "unnecessary":
		return "not required"
	}
	return s
}

func modificationText(s string) string {
	switch s {
	case "prohibited":
		return "not allowed"
	case "allowModification":
		return "allowed (no redistribution of modified versions)"
	case "allowModificationRedistribution":
		return "allowed, including redistribution"
	}
	return s
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
