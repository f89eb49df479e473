package app

import (
	"testing"

	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/test"

	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/retarget/face"
)

// savedChoices are the selects whose choice is saved: preference key,
// choices, the binding, and what the settings make of the choice.
var savedChoices = []struct {
	key     string
	choices *[]choice
	bound   func(*settings) binding.String
	value   func(*settings) any
}{
	{prefPositions, &positionChoices, func(s *settings) binding.String { return s.positions },
		func(s *settings) any { return s.options().Positions }},
	{prefQuality, &qualityChoices, func(s *settings) binding.String { return s.quality },
		func(s *settings) any { return s.view().AA }},
	{prefResolution, &resolutionChoices, func(s *settings) binding.String { return s.resolution },
		func(s *settings) any { return s.view().RenderScale }},
	{prefMaxPixels, &maxPixelChoices, func(s *settings) binding.String { return s.maxPixels },
		func(s *settings) any { return s.view().MaxPixels }},
	{prefTextureSize, &textureChoices, func(s *settings) binding.String { return s.textureSize },
		func(s *settings) any { return s.textureSizePx() }},
	{prefIFMMode, &mappingChoices, func(s *settings) binding.String { return s.ifm.mode },
		func(s *settings) any { return s.ifm.mapping().Mode }},
}

// TestChoiceSurvivesRenamedLabel: a choice made in a select is saved as its
// id, so after its label is reworded (a new release) the next start shows
// the new label and applies the same setting.
func TestChoiceSurvivesRenamedLabel(t *testing.T) {
	for _, sc := range savedChoices {
		t.Run(sc.key, func(t *testing.T) {
			p := test.NewTempApp(t).Preferences()
			cs := *sc.choices
			last := len(cs) - 1 // never the default
			sc.bound(newSettings(p)).Set(cs[last].label)
			want := sc.value(newSettings(p))
			if got := p.String(sc.key); got != cs[last].id {
				t.Fatalf("saved %q, want the id %q", got, cs[last].id)
			}

			renamed := append([]choice(nil), cs...)
			renamed[last].label = "Reworded: " + cs[last].label
			*sc.choices = renamed
			t.Cleanup(func() { *sc.choices = cs })

			s := newSettings(p)
			if got, _ := sc.bound(s).Get(); got != renamed[last].label {
				t.Errorf("shows %q after the rename, want %q", got, renamed[last].label)
			}
			if got := sc.value(s); got != want {
				t.Errorf("applies %v after the rename, want %v", got, want)
			}
			if got := p.String(sc.key); got != cs[last].id {
				t.Errorf("saved %q after the rename, want %q", got, cs[last].id)
			}
		})
	}
}

// TestSavedLabelsMigrate: preferences saved by a release that stored
// display labels (the labels below, as it showed them) load as the same
// choices and are rewritten as ids.
func TestSavedLabelsMigrate(t *testing.T) {
	p := test.NewTempApp(t).Preferences()
	saved := []struct {
		key, label, id string
	}{
		{prefPositions, "None", "none"},
		{prefQuality, "Fast (no anti-aliasing)", "fast"},
		{prefResolution, "1/2 (fastest)", "1/2"},
		{prefTextureSize, "Full size (most memory)", "full"},
		{prefIFMMode, "VRM presets", "presets"},
	}
	for _, sv := range saved {
		p.SetString(sv.key, sv.label)
	}
	s := newSettings(p)
	for _, sv := range saved {
		if got := p.String(sv.key); got != sv.id {
			t.Errorf("%s: %q rewritten as %q, want %q", sv.key, sv.label, got, sv.id)
		}
	}
	if got := s.options().Positions; got != retarget.PositionsNone {
		t.Errorf("bone positions %v, want none", got)
	}
	if v := s.view(); v.AA != render.AAOff || v.RenderScale != 0.5 {
		t.Errorf("view AA %v, scale %v; want off, 0.5", v.AA, v.RenderScale)
	}
	if got := s.textureSizePx(); got >= 0 {
		t.Errorf("texture size %d, want full size (negative)", got)
	}
	if got := s.ifm.mapping().Mode; got != face.MappingPresets {
		t.Errorf("mapping %v, want presets", got)
	}

	// An unknown value (a later release's id) reads as the first choice.
	p.SetString(prefResolution, "7/8")
	if got := newSettings(p).view().RenderScale; got != 1 {
		t.Errorf("unknown resolution id: scale %v, want 1", got)
	}
}
