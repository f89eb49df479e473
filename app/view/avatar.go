package view

import (
	"strings"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/vrm"
)

// CreditLine is the status bar's credit for the shown avatar: its name,
// authors and licence, shown wherever the avatar is (CC-BY and VRM
// "credit required" avatars demand it).
func CreditLine(av *vrm.Model, src marionette.Source) string {
	m := &av.Meta
	s := marionette.DisplayName(av, src)
	if len(m.Authors) > 0 {
		s += " by " + strings.Join(m.Authors, ", ")
	}
	if l := LicenceName(m); l != "" {
		s += " · " + l
	}
	return "Avatar: " + s
}

// Row is one line of a form: a label and its value; Link: the value is an
// address the app shows as a hyperlink when it is an http(s) URL.
type Row struct {
	Label, Value string
	Link         bool
}

// LicenceRows are the Avatar tab's licence lines: every licence field of
// m in the VRM 1.0 vocabulary (VRM 0.x files mapped by the loader, their
// originals too), in words; fields left empty are left out.
func LicenceRows(m *vrm.Meta) []Row {
	var rows []Row
	row := func(label, v string, link bool) {
		if v = strings.TrimSpace(v); v != "" {
			rows = append(rows, Row{label, v, link})
		}
	}
	row("Licence", LicenceName(m), false)
	row("Licence URL", m.LicenseURL, true)
	row("Avatar use", permissionText(m.AvatarPermission), false)
	row("Commercial use", commercialText(m.CommercialUsage), false)
	row("Violent use", allowed(m.AllowExcessivelyViolentUsage), false)
	row("Sexual use", allowed(m.AllowExcessivelySexualUsage), false)
	row("Political or religious use", allowed(m.AllowPoliticalOrReligiousUsage), false)
	row("Antisocial or hate use", allowed(m.AllowAntisocialOrHateUsage), false)
	row("Credit", creditText(m.CreditNotation), false)
	row("Redistribution", allowed(m.AllowRedistribution), false)
	row("Modification", modificationText(m.Modification), false)
	row("Other licence", m.OtherLicenseURL, true)
	row("Copyright", m.CopyrightInformation, false)
	row("Contact", m.ContactInformation, true)
	for _, r := range m.References {
		row("Reference", r, true)
	}
	row("Third-party licences", m.ThirdPartyLicenses, false)
	if v0 := m.VRM0; v0.LicenseName != "" || v0.AllowedUserName != "" {
		row("VRM 0.x: allowed user", v0.AllowedUserName, false)
		row("VRM 0.x: violent use", v0.ViolentUssageName, false)
		row("VRM 0.x: sexual use", v0.SexualUssageName, false)
		row("VRM 0.x: commercial use", v0.CommercialUssageName, false)
		row("VRM 0.x: other permissions", v0.OtherPermissionURL, true)
	}
	return rows
}

// LicenceName names the avatar's licence: the VRM 0.x licence name, else
// the well-known licence at the VRM 1.0 otherLicenseUrl (which, when set,
// is the licence the author chose beyond the VRM Public License), else the
// one at licenseUrl; "" when none is known.
func LicenceName(m *vrm.Meta) string {
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

// LoadingText is the progress line of a load: "Loading NAME — STAGE…".
func LoadingText(ev marionette.LoadEvent) string {
	return "Loading " + ev.Source.Name + " — " + ev.Stage.String() + "…"
}
