package face

import "github.com/kugutsu/kugutsu/vrm/arkit"

// PerfectSyncMap says, for each ARKit shape, which of a model's expressions
// is named after it: an index into the names given to MatchPerfectSync, or
// −1.
type PerfectSyncMap [arkit.Count]int

// MatchPerfectSync finds a model's Perfect Sync expressions among its
// expression names: names of the 52 ARKit shapes in camelCase
// ("eyeBlinkLeft"), PascalCase ("EyeBlinkLeft") or iFacialMocap's spelling
// ("eyeBlink_L"), any case (field notes §6; arkit.Parse). When two
// expressions name the same shape, the first wins. It returns the map and
// the number of shapes found. It does not allocate.
func MatchPerfectSync(names []string) (m PerfectSyncMap, found int) {
	for i := range m {
		m[i] = -1
	}
	for i, n := range names {
		if s, ok := arkit.Parse(n); ok && m[s] < 0 {
			m[s] = i
			found++
		}
	}
	return m, found
}

// HasPerfectSync reports whether a model with these expression names should
// be driven in Perfect Sync mode: it has expressions for both eye blinks and
// jawOpen and for at least half of the 52 shapes. (Kugutsu's rule: Perfect
// Sync models normally have all 52; a model with only a handful would lose
// the mouth and brows that preset mode would give it.)
func HasPerfectSync(names []string) bool {
	m, n := MatchPerfectSync(names)
	return n >= arkit.Count/2 && m[arkit.EyeBlinkLeft] >= 0 && m[arkit.EyeBlinkRight] >= 0 && m[arkit.JawOpen] >= 0
}
