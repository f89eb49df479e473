package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func init() {
	register("inspect", "describe a VRM file: meta, licence, bones, expressions, meshes, springs", runInspect)
}

func runInspect(_ context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu inspect", "FILE.vrm [--json]")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	path := fs.Arg(0)
	// Sizes come from the image headers: no pixel is decoded.
	lim := vrm.DefaultLimits
	lim.NoPixels = true
	av, err := loadFile(path, lim)
	if err != nil {
		return err
	}
	r := newInspectReport(path, av)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	r.print(env.Stdout)
	return nil
}

// inspectReport is what `kugutsu inspect` prints; its JSON form is the
// --json output.
type inspectReport struct {
	File        string              `json:"file"`
	Version     string              `json:"version"`
	Meta        inspectMeta         `json:"meta"`
	Humanoid    inspectHumanoid     `json:"humanoid"`
	Meshes      inspectMeshes       `json:"meshes"`
	Expressions []inspectExpr       `json:"expressions"`
	LookAt      inspectLookAt       `json:"lookAt"`
	FirstPerson map[string]int      `json:"firstPerson"`
	Springs     inspectSprings      `json:"springBone"`
	Constraints []inspectConstraint `json:"constraints"`
	Warnings    []string            `json:"warnings"`
	Textures    []inspectTexture    `json:"textures"`
	Materials   []inspectMaterial   `json:"materials"`
}

type inspectMeta struct {
	Name                           string   `json:"name"`
	Version                        string   `json:"version,omitempty"`
	Authors                        []string `json:"authors"`
	Copyright                      string   `json:"copyrightInformation,omitempty"`
	Contact                        string   `json:"contactInformation,omitempty"`
	References                     []string `json:"references,omitempty"`
	ThirdPartyLicenses             string   `json:"thirdPartyLicenses,omitempty"`
	Thumbnail                      int      `json:"thumbnailTexture"`
	LicenseURL                     string   `json:"licenseUrl"`
	VRM0LicenseName                string   `json:"vrm0LicenseName,omitempty"`
	AvatarPermission               string   `json:"avatarPermission"`
	CommercialUsage                string   `json:"commercialUsage"`
	CreditNotation                 string   `json:"creditNotation"`
	AllowRedistribution            bool     `json:"allowRedistribution"`
	Modification                   string   `json:"modification"`
	AllowExcessivelyViolentUsage   bool     `json:"allowExcessivelyViolentUsage"`
	AllowExcessivelySexualUsage    bool     `json:"allowExcessivelySexualUsage"`
	AllowPoliticalOrReligiousUsage bool     `json:"allowPoliticalOrReligiousUsage"`
	AllowAntisocialOrHateUsage     bool     `json:"allowAntisocialOrHateUsage"`
	OtherLicenseURL                string   `json:"otherLicenseUrl,omitempty"`
}

type inspectHumanoid struct {
	Found           int      `json:"found"`
	Bones           []string `json:"bones"`
	Missing         []string `json:"missing"`
	MissingRequired []string `json:"missingRequired"`
}

type inspectMeshes struct {
	Meshes       int `json:"meshes"`
	Primitives   int `json:"primitives"`
	Triangles    int `json:"triangles"`
	Vertices     int `json:"vertices"`
	MorphTargets int `json:"morphTargets"`
	Skins        int `json:"skins"`
	Joints       int `json:"joints"`
	Nodes        int `json:"nodes"`
}

type inspectExpr struct {
	Name           string `json:"name"`
	Preset         bool   `json:"preset"`
	IsBinary       bool   `json:"isBinary,omitempty"`
	MorphBinds     int    `json:"morphTargetBinds"`
	ColorBinds     int    `json:"materialColorBinds"`
	TextureBinds   int    `json:"textureTransformBinds"`
	OverrideBlink  string `json:"overrideBlink,omitempty"`
	OverrideLookAt string `json:"overrideLookAt,omitempty"`
	OverrideMouth  string `json:"overrideMouth,omitempty"`
}

type inspectLookAt struct {
	Type   string     `json:"type"`
	Offset [3]float32 `json:"offsetFromHeadBone"`
	// [inputMaxValue, outputScale] per range map.
	HorizontalInner [2]float32 `json:"rangeMapHorizontalInner"`
	HorizontalOuter [2]float32 `json:"rangeMapHorizontalOuter"`
	VerticalDown    [2]float32 `json:"rangeMapVerticalDown"`
	VerticalUp      [2]float32 `json:"rangeMapVerticalUp"`
}

type inspectSprings struct {
	Chains         []inspectChain `json:"chains"`
	Joints         int            `json:"joints"`
	Colliders      int            `json:"colliders"`
	ColliderGroups int            `json:"colliderGroups"`
}

// inspectConstraint is one VRMC_node_constraint constraint.
type inspectConstraint struct {
	Node   string  `json:"node"`
	Source string  `json:"source"`
	Type   string  `json:"type"`           // roll | aim | rotation
	Axis   string  `json:"axis,omitempty"` // roll: X/Y/Z; aim: PositiveX…
	Weight float32 `json:"weight"`
}

type inspectChain struct {
	Name           string   `json:"name"`
	Nodes          []string `json:"nodes"`
	Stiffness      float32  `json:"stiffness"`
	DragForce      float32  `json:"dragForce"`
	GravityPower   float32  `json:"gravityPower"`
	ColliderGroups []int    `json:"colliderGroups"`
	VirtualTail    float32  `json:"virtualTail,omitempty"`
}

// inspectTexture is one texture; Width and Height are the image's size in
// the file (a preview downscales larger ones at load).
type inspectTexture struct {
	Name   string `json:"name"`
	MIME   string `json:"mimeType"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type inspectMaterial struct {
	Name      string `json:"name"`
	Shading   string `json:"shading"` // mtoon, unlit, pbr
	AlphaMode string `json:"alphaMode"`
}

var overrideNames = [...]string{vrm.OverrideNone: "", vrm.OverrideBlock: "block", vrm.OverrideBlend: "blend"}

func newInspectReport(path string, av *vrm.Model) *inspectReport {
	m := av.Meta
	r := &inspectReport{
		File:    path,
		Version: av.Version.String(),
		Meta: inspectMeta{
			Name: m.Name, Version: m.Version, Authors: m.Authors, Copyright: m.CopyrightInformation,
			Contact: m.ContactInformation, References: m.References, ThirdPartyLicenses: m.ThirdPartyLicenses,
			Thumbnail: m.Thumbnail, LicenseURL: m.LicenseURL, VRM0LicenseName: m.VRM0.LicenseName,
			AvatarPermission: m.AvatarPermission, CommercialUsage: m.CommercialUsage, CreditNotation: m.CreditNotation,
			AllowRedistribution: m.AllowRedistribution, Modification: m.Modification,
			AllowExcessivelyViolentUsage: m.AllowExcessivelyViolentUsage, AllowExcessivelySexualUsage: m.AllowExcessivelySexualUsage,
			AllowPoliticalOrReligiousUsage: m.AllowPoliticalOrReligiousUsage, AllowAntisocialOrHateUsage: m.AllowAntisocialOrHateUsage,
			OtherLicenseURL: m.OtherLicenseURL,
		},
		FirstPerson: map[string]int{},
		Warnings:    append([]string{}, av.Warnings...),
		Expressions: []inspectExpr{},
	}
	if r.Meta.Authors == nil {
		r.Meta.Authors = []string{}
	}
	h := &r.Humanoid
	h.Bones, h.Missing, h.MissingRequired = []string{}, []string{}, []string{}
	required := humanoid.Required(av.Version == vrm.Version0)
	for b := humanoid.Bone(0); b < humanoid.Count; b++ {
		switch {
		case av.Humanoid.Present.Has(b):
			h.Bones = append(h.Bones, b.String())
		case required.Has(b):
			h.MissingRequired = append(h.MissingRequired, b.String())
			h.Missing = append(h.Missing, b.String())
		default:
			h.Missing = append(h.Missing, b.String())
		}
	}
	h.Found = len(h.Bones)
	ms := &r.Meshes
	ms.Meshes, ms.Skins, ms.Nodes = len(av.Meshes), len(av.Skins), len(av.Nodes)
	for _, mesh := range av.Meshes {
		ms.MorphTargets += len(mesh.TargetNames)
		for _, p := range mesh.Primitives {
			ms.Primitives++
			ms.Triangles += len(p.Indices) / 3
			ms.Vertices += len(p.Positions)
		}
	}
	for _, s := range av.Skins {
		ms.Joints += len(s.Joints)
	}
	for _, x := range av.Expressions {
		r.Expressions = append(r.Expressions, inspectExpr{
			Name: x.Name, Preset: x.Preset != vrm.PresetCustom, IsBinary: x.IsBinary,
			MorphBinds: len(x.MorphBinds), ColorBinds: len(x.ColorBinds), TextureBinds: len(x.TextureBinds),
			OverrideBlink: overrideNames[x.OverrideBlink%3], OverrideLookAt: overrideNames[x.OverrideLookAt%3], OverrideMouth: overrideNames[x.OverrideMouth%3],
		})
	}
	la := av.LookAt
	r.LookAt = inspectLookAt{
		Type: "bone", Offset: la.OffsetFromHeadBone,
		HorizontalInner: [2]float32{la.HorizontalInner.InputMaxValue, la.HorizontalInner.OutputScale},
		HorizontalOuter: [2]float32{la.HorizontalOuter.InputMaxValue, la.HorizontalOuter.OutputScale},
		VerticalDown:    [2]float32{la.VerticalDown.InputMaxValue, la.VerticalDown.OutputScale},
		VerticalUp:      [2]float32{la.VerticalUp.InputMaxValue, la.VerticalUp.OutputScale},
	}
	if la.Type == vrm.LookAtExpression {
		r.LookAt.Type = "expression"
	}
	fpNames := [...]string{"auto", "both", "thirdPersonOnly", "firstPersonOnly"}
	for _, t := range av.FirstPerson.Annotations {
		r.FirstPerson[fpNames[t%4]]++
	}
	sb := av.SpringBone
	r.Springs = inspectSprings{Chains: []inspectChain{}, Colliders: len(sb.Colliders), ColliderGroups: len(sb.ColliderGroups)}
	for _, s := range sb.Springs {
		c := inspectChain{Name: s.Name, ColliderGroups: s.ColliderGroups, VirtualTail: s.VirtualTail}
		if c.ColliderGroups == nil {
			c.ColliderGroups = []int{}
		}
		for _, j := range s.Joints {
			c.Nodes = append(c.Nodes, nodeLabel(av, j.Node))
		}
		if len(s.Joints) > 0 {
			c.Stiffness, c.DragForce, c.GravityPower = s.Joints[0].Stiffness, s.Joints[0].DragForce, s.Joints[0].GravityPower
		}
		r.Springs.Joints += len(s.Joints)
		r.Springs.Chains = append(r.Springs.Chains, c)
	}
	r.Constraints = []inspectConstraint{}
	for _, c := range av.Constraints {
		ic := inspectConstraint{Node: nodeLabel(av, c.Node), Source: nodeLabel(av, c.Source), Type: c.Type.String(), Weight: c.Weight}
		switch c.Type {
		case vrm.ConstraintRoll:
			ic.Axis = c.Axis.String()[len(c.Axis.String())-1:]
		case vrm.ConstraintAim:
			ic.Axis = c.Axis.String()
		}
		r.Constraints = append(r.Constraints, ic)
	}
	for _, t := range av.Textures {
		r.Textures = append(r.Textures, inspectTexture{Name: t.Name, MIME: t.MIMEType, Width: t.Width, Height: t.Height})
	}
	alpha := [...]string{"OPAQUE", "MASK", "BLEND"}
	for _, mat := range av.Materials {
		im := inspectMaterial{Name: mat.Name, Shading: "pbr", AlphaMode: alpha[mat.AlphaMode%3]}
		switch {
		case mat.MToon != nil:
			im.Shading = "mtoon"
		case mat.Unlit:
			im.Shading = "unlit"
		}
		r.Materials = append(r.Materials, im)
	}
	return r
}

// nodeLabel names a node by its name, or its index when it has none.
func nodeLabel(av *vrm.Model, n int) string {
	if n >= 0 && n < len(av.Nodes) && av.Nodes[n].Name != "" {
		return av.Nodes[n].Name
	}
	return fmt.Sprintf("#%d", n)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (r *inspectReport) print(w io.Writer) {
	m := r.Meta
	p := func(label, format string, args ...any) {
		if label != "" {
			label += ":"
		}
		fmt.Fprintf(w, "%-12s %s\n", label, fmt.Sprintf(format, args...))
	}
	p("file", "%s", r.File)
	p("version", "VRM %s", r.Version)
	name := m.Name
	if m.Version != "" {
		name += " (version " + m.Version + ")"
	}
	p("name", "%s", name)
	p("authors", "%s", strings.Join(m.Authors, ", "))
	if m.Copyright != "" {
		p("copyright", "%s", m.Copyright)
	}
	if m.Contact != "" {
		p("contact", "%s", m.Contact)
	}
	if len(m.References) > 0 {
		p("references", "%s", strings.Join(m.References, ", "))
	}
	lic := m.LicenseURL
	if m.VRM0LicenseName != "" {
		lic = strings.TrimSpace(m.VRM0LicenseName + " " + m.LicenseURL)
	}
	p("licence", "%s", lic)
	p("", "avatar permission %s; commercial use %s; credit %s; redistribution %s; modification %s",
		m.AvatarPermission, m.CommercialUsage, m.CreditNotation, yesNo(m.AllowRedistribution), m.Modification)
	p("", "violent %s; sexual %s; political/religious %s; antisocial/hate %s",
		yesNo(m.AllowExcessivelyViolentUsage), yesNo(m.AllowExcessivelySexualUsage), yesNo(m.AllowPoliticalOrReligiousUsage), yesNo(m.AllowAntisocialOrHateUsage))
	if m.OtherLicenseURL != "" {
		p("", "other licence %s", m.OtherLicenseURL)
	}
	if m.ThirdPartyLicenses != "" {
		p("third party", "%s", m.ThirdPartyLicenses)
	}
	if m.Thumbnail >= 0 && m.Thumbnail < len(r.Textures) {
		t := r.Textures[m.Thumbnail]
		p("thumbnail", "texture %d (%d×%d %s)", m.Thumbnail, t.Width, t.Height, t.MIME)
	} else {
		p("thumbnail", "none")
	}
	h := r.Humanoid
	p("humanoid", "%d of %d bones", h.Found, humanoid.Count)
	if len(h.MissingRequired) > 0 {
		p("", "missing required: %s", strings.Join(h.MissingRequired, ", "))
	}
	if len(h.Missing) > 0 {
		p("", "missing: %s", strings.Join(h.Missing, ", "))
	}
	ms := r.Meshes
	p("meshes", "%d meshes, %d primitives, %d triangles, %d vertices, %d morph targets", ms.Meshes, ms.Primitives, ms.Triangles, ms.Vertices, ms.MorphTargets)
	p("skins", "%d (%d joints), %d nodes", ms.Skins, ms.Joints, ms.Nodes)
	kinds := map[string]int{}
	for _, mat := range r.Materials {
		kinds[mat.Shading]++
	}
	p("materials", "%d (%d MToon, %d unlit, %d PBR)", len(r.Materials), kinds["mtoon"], kinds["unlit"], kinds["pbr"])
	mimes := map[string]int{}
	for _, t := range r.Textures {
		mimes[t.MIME]++
	}
	p("textures", "%d (%d PNG, %d JPEG)", len(r.Textures), mimes["image/png"], mimes["image/jpeg"])
	p("expressions", "%d", len(r.Expressions))
	for _, x := range r.Expressions {
		kind := "custom"
		if x.Preset {
			kind = "preset"
		}
		extra := ""
		if x.IsBinary {
			extra += " binary"
		}
		for _, o := range [][2]string{{"blink", x.OverrideBlink}, {"lookAt", x.OverrideLookAt}, {"mouth", x.OverrideMouth}} {
			if o[1] != "" {
				extra += " " + o[1] + "s " + o[0]
			}
		}
		fmt.Fprintf(w, "  %-16s %-6s %2d morph, %d colour, %d texture binds%s\n", x.Name, kind, x.MorphBinds, x.ColorBinds, x.TextureBinds, extra)
	}
	la := r.LookAt
	p("lookAt", "%s, offset from head (%.3g, %.3g, %.3g) m", la.Type, la.Offset[0]+0, la.Offset[1]+0, la.Offset[2]+0)
	p("", "horizontal inner %g°→%g, outer %g°→%g, down %g°→%g, up %g°→%g",
		la.HorizontalInner[0], la.HorizontalInner[1], la.HorizontalOuter[0], la.HorizontalOuter[1],
		la.VerticalDown[0], la.VerticalDown[1], la.VerticalUp[0], la.VerticalUp[1])
	if len(r.FirstPerson) > 0 {
		var parts []string
		for _, k := range []string{"auto", "both", "thirdPersonOnly", "firstPersonOnly"} {
			if n := r.FirstPerson[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", k, n))
			}
		}
		p("firstPerson", "%s mesh nodes", strings.Join(parts, ", "))
	}
	sp := r.Springs
	p("springs", "%d chains, %d joints, %d colliders in %d groups", len(sp.Chains), sp.Joints, sp.Colliders, sp.ColliderGroups)
	for _, c := range sp.Chains {
		name := c.Name
		if name == "" {
			name = "(unnamed)"
		}
		fmt.Fprintf(w, "  %-16s %s; stiffness %g, drag %g, gravity %g\n", name, strings.Join(c.Nodes, " → "), c.Stiffness, c.DragForce, c.GravityPower)
	}
	if len(r.Constraints) > 0 {
		p("constraints", "%d", len(r.Constraints))
		for _, c := range r.Constraints {
			fmt.Fprintf(w, "  %-16s %s from %s, weight %g\n", c.Node, strings.TrimSpace(c.Type+" "+c.Axis), c.Source, c.Weight)
		}
	}
	if len(r.Warnings) == 0 {
		p("warnings", "none")
		return
	}
	p("warnings", "%d", len(r.Warnings))
	for _, x := range r.Warnings {
		fmt.Fprintf(w, "  %s\n", x)
	}
}
