package vrm

import (
	"strings"

	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

// loadMeta1 maps VRM 1.0 meta (VRMC_vrm-1.0 meta.md; defaults from its
// schema). The thumbnail image is resolved by loadTextures.
func (l *loader) loadMeta1(m *schema.V1Meta) {
	out := &l.av.Meta
	*out = Meta{
		Name:                           m.Name,
		Version:                        m.Version,
		Authors:                        m.Authors,
		CopyrightInformation:           m.CopyrightInformation,
		ContactInformation:             m.ContactInformation,
		References:                     m.References,
		ThirdPartyLicenses:             m.ThirdPartyLicenses,
		Thumbnail:                      -1,
		LicenseURL:                     m.LicenseURL,
		AvatarPermission:               orDefault(m.AvatarPermission, "onlyAuthor"),
		AllowExcessivelyViolentUsage:   m.AllowExcessivelyViolentUsage,
		AllowExcessivelySexualUsage:    m.AllowExcessivelySexualUsage,
		CommercialUsage:                orDefault(m.CommercialUsage, "personalNonProfit"),
		AllowPoliticalOrReligiousUsage: m.AllowPoliticalOrReligiousUsage,
		AllowAntisocialOrHateUsage:     m.AllowAntisocialOrHateUsage,
		CreditNotation:                 orDefault(m.CreditNotation, "required"),
		AllowRedistribution:            m.AllowRedistribution,
		Modification:                   orDefault(m.Modification, "prohibited"),
		OtherLicenseURL:                m.OtherLicenseURL,
	}
	if m.Name == "" {
		l.warnf("VRMC_vrm.meta: no name")
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// vrm0LicenseURLs are the licence pages of VRM 0.x licenseName values.
var vrm0LicenseURLs = map[string]string{
	"CC0":                       "https://creativecommons.org/publicdomain/zero/1.0/",
	"CC_BY":                     "https://creativecommons.org/licenses/by/4.0/",
	"CC_BY_NC":                  "https://creativecommons.org/licenses/by-nc/4.0/",
	"CC_BY_SA":                  "https://creativecommons.org/licenses/by-sa/4.0/",
	"CC_BY_NC_SA":               "https://creativecommons.org/licenses/by-nc-sa/4.0/",
	"CC_BY_ND":                  "https://creativecommons.org/licenses/by-nd/4.0/",
	"CC_BY_NC_ND":               "https://creativecommons.org/licenses/by-nc-nd/4.0/",
	"Redistribution_Prohibited": "",
	"Other":                     "",
}

// loadMeta0 maps VRM 0.x meta onto the 1.0 vocabulary the way UniVRM's
// migration does (Migration/MigrationVrmMeta): allowedUserName →
// avatarPermission, *UssageName Allow → true, commercial Allow →
// personalProfit, licenseName → redistribution, modification and credit.
func (l *loader) loadMeta0(m *schema.V0Meta) {
	out := &l.av.Meta
	*out = Meta{
		Name:               m.Title,
		Version:            m.Version,
		ContactInformation: m.ContactInformation,
		Thumbnail:          -1,
		OtherLicenseURL:    m.OtherLicenseURL,
	}
	if m.Author != "" {
		out.Authors = []string{m.Author}
	}
	if m.Reference != "" {
		out.References = []string{m.Reference}
	}
	if m.Texture != nil && *m.Texture >= 0 {
		if *m.Texture < len(l.doc.Textures) {
			out.Thumbnail = *m.Texture
		} else {
			l.warnf("VRM.meta.texture %d does not exist; no thumbnail", *m.Texture)
		}
	}
	v := &out.VRM0
	v.AllowedUserName = m.AllowedUserName
	v.ViolentUssageName = m.ViolentUssageName
	v.SexualUssageName = m.SexualUssageName
	v.CommercialUssageName = m.CommercialUssageName
	v.LicenseName = m.LicenseName
	v.OtherPermissionURL = m.OtherPermissionURL

	switch m.AllowedUserName {
	case "Everyone":
		out.AvatarPermission = "everyone"
	case "ExplicitlyLicensedPerson":
		out.AvatarPermission = "onlySeparatelyLicensedPerson"
	default:
		out.AvatarPermission = "onlyAuthor"
	}
	out.AllowExcessivelyViolentUsage = m.ViolentUssageName == "Allow"
	out.AllowExcessivelySexualUsage = m.SexualUssageName == "Allow"
	out.CommercialUsage = "personalNonProfit"
	if m.CommercialUssageName == "Allow" {
		out.CommercialUsage = "personalProfit"
	}
	// 0.x has no political/antisocial fields: leave them disallowed.
	lic := m.LicenseName
	out.LicenseURL = vrm0LicenseURLs[lic]
	if lic == "Other" || out.LicenseURL == "" {
		out.LicenseURL = m.OtherLicenseURL
	}
	out.CreditNotation = "required"
	out.Modification = "prohibited"
	switch {
	case lic == "CC0":
		out.CreditNotation = "unnecessary"
		out.AllowRedistribution = true
		out.Modification = "allowModificationRedistribution"
	case strings.HasPrefix(lic, "CC_BY"):
		out.AllowRedistribution = true
		if !strings.Contains(lic, "_ND") {
			out.Modification = "allowModificationRedistribution"
		}
		if strings.Contains(lic, "_NC") {
			out.CommercialUsage = "personalNonProfit"
		}
	}
}
