package vrm

import "strings"

// overrideGroup is which override a preset expression is subject to
// (VRMC_vrm-1.0 expressions.md, "Override").
type overrideGroup uint8

const (
	groupNone overrideGroup = iota
	groupBlink
	groupLookAt
	groupMouth
)

// presetInfo is one row of the preset table.
type presetInfo struct {
	VRM1  string // VRM 1.0 preset key
	VRM0  string // VRM 0.x presetName ("" when 0.x has none)
	group overrideGroup
}

// presetTable maps every Preset to its names; VRM 0.x → 1.0 per field notes §4
// and VRMC_vrm-1.0 expressions.md (joy→happy, sorrow→sad, fun→relaxed,
// a→aa, i→ih, u→ou, e→ee, o→oh, blink_l→blinkLeft, lookup→lookUp…).
var presetTable = [...]presetInfo{
	PresetCustom:     {},
	PresetHappy:      {"happy", "joy", groupNone},
	PresetAngry:      {"angry", "angry", groupNone},
	PresetSad:        {"sad", "sorrow", groupNone},
	PresetRelaxed:    {"relaxed", "fun", groupNone},
	PresetSurprised:  {"surprised", "", groupNone},
	PresetAa:         {"aa", "a", groupMouth},
	PresetIh:         {"ih", "i", groupMouth},
	PresetOu:         {"ou", "u", groupMouth},
	PresetEe:         {"ee", "e", groupMouth},
	PresetOh:         {"oh", "o", groupMouth},
	PresetBlink:      {"blink", "blink", groupBlink},
	PresetBlinkLeft:  {"blinkLeft", "blink_l", groupBlink},
	PresetBlinkRight: {"blinkRight", "blink_r", groupBlink},
	PresetLookUp:     {"lookUp", "lookup", groupLookAt},
	PresetLookDown:   {"lookDown", "lookdown", groupLookAt},
	PresetLookLeft:   {"lookLeft", "lookleft", groupLookAt},
	PresetLookRight:  {"lookRight", "lookright", groupLookAt},
	PresetNeutral:    {"neutral", "neutral", groupNone},
}

// presetCount is the number of Preset values, PresetCustom included.
const presetCount = len(presetTable)

// String returns the VRM 1.0 preset name ("happy"), or "custom".
func (p Preset) String() string {
	if p == PresetCustom || int(p) >= presetCount {
		return "custom"
	}
	return presetTable[p].VRM1
}

// VRM0Name returns the VRM 0.x presetName ("joy" for PresetHappy), or "" when
// VRM 0.x has no such preset (PresetSurprised, PresetCustom).
func (p Preset) VRM0Name() string {
	if int(p) >= presetCount {
		return ""
	}
	return presetTable[p].VRM0
}

// ParsePreset finds a preset by its VRM 1.0 name ("happy", "blinkLeft"),
// ignoring case.
func ParsePreset(name string) (Preset, bool) {
	for p := PresetHappy; int(p) < presetCount; p++ {
		if strings.EqualFold(presetTable[p].VRM1, name) {
			return p, true
		}
	}
	return PresetCustom, false
}

// ParseVRM0Preset finds a preset by its VRM 0.x presetName ("joy",
// "blink_l"), ignoring case.
func ParseVRM0Preset(name string) (Preset, bool) {
	for p := PresetHappy; int(p) < presetCount; p++ {
		if presetTable[p].VRM0 != "" && strings.EqualFold(presetTable[p].VRM0, name) {
			return p, true
		}
	}
	return PresetCustom, false
}

func (p Preset) group() overrideGroup {
	if int(p) >= presetCount {
		return groupNone
	}
	return presetTable[p].group
}
