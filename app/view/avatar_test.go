package view

import (
	"testing"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/vrm"
)

func TestLicenceName(t *testing.T) {
	var cc0, vpl, bysa, godette, other vrm.Meta
	cc0.LicenseURL, cc0.OtherLicenseURL = "https://vrm.dev/licenses/1.0/", "https://creativecommons.org/publicdomain/zero/1.0/"
	vpl.LicenseURL = "https://vrm.dev/licenses/1.0/"
	bysa.LicenseURL = "https://creativecommons.org/licenses/by-sa/4.0/"
	godette.VRM0.LicenseName = "CC_BY"
	other.LicenseURL, other.OtherLicenseURL = "https://vrm.dev/licenses/1.0/", "https://example.com/my-licence"
	for _, tc := range []struct {
		m    *vrm.Meta
		want string
	}{{&cc0, "CC0"}, {&vpl, "VRM Public License 1.0"}, {&bysa, "CC-BY-SA 4.0"}, {&godette, "CC-BY"},
		{&other, "VRM Public License 1.0 and another licence"}, {&vrm.Meta{}, ""}} {
		if got := LicenceName(tc.m); got != tc.want {
			t.Errorf("LicenceName(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}

// TestLicenceRows: every licence field in words, empty ones left out,
// addresses marked as links.
func TestLicenceRows(t *testing.T) {
	m := vrm.Meta{
		LicenseURL: "https://vrm.dev/licenses/1.0/", AvatarPermission: "onlyAuthor", CommercialUsage: "personalProfit",
		AllowRedistribution: true, CreditNotation: "required", Modification: "prohibited",
		ContactInformation: "  mail@example.com ", References: []string{"https://example.com/ref"},
	}
	want := []Row{
		{"Licence", "VRM Public License 1.0", false},
		{"Licence URL", "https://vrm.dev/licenses/1.0/", true},
		{"Avatar use", "only the author", false},
		{"Commercial use", "personal, including profit", false},
		{"Violent use", "not allowed", false},
		{"Sexual use", "not allowed", false},
		{"Political or religious use", "not allowed", false},
		{"Antisocial or hate use", "not allowed", false},
		{"Credit", "required: credit the author wherever the avatar is shown", false},
		{"Redistribution", "allowed", false},
		{"Modification", "not allowed", false},
		{"Contact", "mail@example.com", true},
		{"Reference", "https://example.com/ref", true},
	}
	got := LicenceRows(&m)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	m.VRM0.LicenseName, m.VRM0.AllowedUserName = "CC_BY", "Everyone"
	if rows := LicenceRows(&m); rows[0].Value != "CC-BY" || rows[len(rows)-1] != (Row{"VRM 0.x: allowed user", "Everyone", false}) {
		t.Errorf("VRM 0.x rows: %+v", rows)
	}
}

func TestCreditLine(t *testing.T) {
	av := &vrm.Model{}
	av.Meta.Name, av.Meta.Authors = "Godette", []string{"A", "B"}
	av.Meta.VRM0.LicenseName = "CC_BY"
	if got, want := CreditLine(av, marionette.Source{Name: "godette.vrm"}), "Avatar: Godette by A, B · CC-BY"; got != want {
		t.Errorf("CreditLine = %q, want %q", got, want)
	}
	if got, want := CreditLine(&vrm.Model{}, marionette.Source{Name: "x.vrm"}), "Avatar: x.vrm"; got != want {
		t.Errorf("CreditLine(no meta) = %q, want %q", got, want)
	}
}
