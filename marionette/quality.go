package marionette

import (
	"fmt"
	"time"

	"github.com/kugutsu/kugutsu/render"
)

// Quality is what an image is rendered at: its anti-aliasing and its
// render scale (View.RenderScale).
type Quality struct {
	AA render.AA
	// Scale is the fraction of the viewport's pixel size, 0.25–1.
	Scale float64
}

// String describes q for the UI: "4× anti-aliasing, full size",
// "no anti-aliasing, 70 % size".
func (q Quality) String() string {
	aa := "4× anti-aliasing"
	if q.AA == render.AAOff {
		aa = "no anti-aliasing"
	}
	if q.Scale <= 0 || q.Scale >= 1 {
		return aa + ", full size"
	}
	return fmt.Sprintf("%s, %.0f %% size", aa, 100*q.Scale)
}

// qualityLadder is what adaptive quality steps through, best first: first
// anti-aliasing goes, then the render scale falls (its cost falls with the
// square: each step saves about a quarter of the pixels).
var qualityLadder = []Quality{
	{render.AA4x, 1},
	{render.AAOff, 1},
	{render.AAOff, 0.85},
	{render.AAOff, 0.75},
	{render.AAOff, 0.65},
	{render.AAOff, 0.5},
}

// cost estimates the relative cost of rendering at q: the pixel count,
// with 4× anti-aliasing about 1.6 times one sample (measured with
// BenchmarkRenderHeavy720p and its AAOff twin: coverage and depth per
// sample, shading once per pixel).
func (q Quality) cost() float64 {
	c := q.Scale * q.Scale
	if q.AA != render.AAOff {
		c *= 1.6
	}
	return c
}

// Adaptive quality tuning, in frames (rendered images) so the controller is
// deterministic: at 60 fps 30 frames are half a second.
const (
	// downWindow frames are judged together; when downMisses of them went
	// over the budget the quality steps down.
	downWindow = 30
	downMisses = 15
	// upCalm is how many frames in a row must have fitted the next better
	// quality's estimated cost within upHeadroom of the budget before the
	// quality steps up. A step down soon after a step up (within
	// upProbation frames) doubles the wait, up to upCalmMax: the controller
	// stops trying a quality that does not fit, then tries again later (the
	// machine may have become quieter).
	upCalm      = 120
	upCalmMax   = 60 * 60
	upProbation = 3 * downWindow
	upHeadroom  = 0.8
)

// qualityController is adaptive quality: fed the work time of each image
// (pose and render, wall clock), it steps down qualityLadder when too many
// images miss the frame budget and back up when there is headroom, with
// hysteresis. Not safe for concurrent use (the render goroutine owns it).
type qualityController struct {
	budget  time.Duration
	level   int // index in qualityLadder
	n       int // frames in the current down window
	misses  int // of them over budget
	calm    int // frames in a row that would fit the next better quality
	need    int // calm frames needed to step up (backoff)
	sinceUp int // frames since the latest step up (upProbation)
}

// newQualityController starts at the best quality with a work budget per
// image.
func newQualityController(budget time.Duration) *qualityController {
	return &qualityController{budget: budget, need: upCalm, sinceUp: upProbation}
}

// quality returns the quality in force.
func (c *qualityController) quality() Quality { return qualityLadder[c.level] }

// observe records the work time of one image made at the quality in force
// and reports whether the quality changed.
func (c *qualityController) observe(work time.Duration) bool {
	c.sinceUp++
	if c.sinceUp == upProbation {
		c.need = upCalm // the latest step up held
	}
	c.n++
	if work > c.budget {
		c.misses++
	}
	if c.n >= downWindow {
		down := c.misses >= downMisses
		c.n, c.misses = 0, 0
		if down && c.level < len(qualityLadder)-1 {
			if c.sinceUp < upProbation {
				c.need = min(2*c.need, upCalmMax)
				c.sinceUp = upProbation // the step up failed: keep the longer wait
			}
			c.level++
			c.calm = 0
			return true
		}
	}
	if c.level == 0 {
		return false
	}
	// Would this image have fitted at the next better quality?
	ratio := qualityLadder[c.level-1].cost() / qualityLadder[c.level].cost()
	if float64(work)*ratio <= upHeadroom*float64(c.budget) {
		c.calm++
	} else {
		c.calm = 0
	}
	if c.calm >= c.need {
		c.level--
		c.calm, c.n, c.misses, c.sinceUp = 0, 0, 0, 0
		return true
	}
	return false
}

// reset goes back to the best quality and forgets the history (a new
// avatar, or adaptive quality turned on).
func (c *qualityController) reset() {
	*c = *newQualityController(c.budget)
}
