package marionette

import (
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/render"
)

// feed gives c n frames of work each and returns how many quality changes
// it made.
func feed(c *qualityController, n int, work func(q Quality) time.Duration) int {
	changes := 0
	for range n {
		if c.observe(work(c.quality())) {
			changes++
		}
	}
	return changes
}

// costModel is a machine where a frame at q takes full·q.cost()/1.6 (full
// is the cost at 4× AA, full size).
func costModel(full time.Duration) func(Quality) time.Duration {
	return func(q Quality) time.Duration { return time.Duration(float64(full) * q.cost() / 1.6) }
}

func TestQualityStaysWhenItFits(t *testing.T) {
	c := newQualityController(10 * time.Millisecond)
	if n := feed(c, 10000, costModel(6*time.Millisecond)); n != 0 || c.level != 0 {
		t.Errorf("%d changes, level %d; want the best quality kept", n, c.level)
	}
}

func TestQualityStepsDownThenHolds(t *testing.T) {
	c := newQualityController(10 * time.Millisecond)
	// 20 ms at the best quality: AA off (12.5 ms) is still too slow, 85 %
	// (9 ms) fits.
	work := costModel(20 * time.Millisecond)
	feed(c, downWindow-1, work)
	if c.level != 0 {
		t.Fatalf("stepped down after %d frames, before a whole window", downWindow-1)
	}
	feed(c, 1, work)
	if q := c.quality(); q.AA != render.AAOff || q.Scale != 1 {
		t.Fatalf("first step %v, want anti-aliasing off at full size", q)
	}
	feed(c, downWindow, work)
	if q := c.quality(); q != (Quality{render.AAOff, 0.85}) {
		t.Fatalf("second step %v, want 85 %% size", q)
	}
	// It fits now, and the better quality would not: no more changes, ever.
	if n := feed(c, 20000, work); n != 0 {
		t.Errorf("%d changes at a quality that fits, with no headroom for better", n)
	}
}

func TestQualityIgnoresShortSpikes(t *testing.T) {
	c := newQualityController(10 * time.Millisecond)
	spiky := 0
	work := func(Quality) time.Duration {
		spiky++
		if spiky%3 == 0 { // a third of the frames are slow: under downMisses
			return 30 * time.Millisecond
		}
		return 5 * time.Millisecond
	}
	if n := feed(c, 5000, work); n != 0 {
		t.Errorf("%d changes for occasional slow frames", n)
	}
}

func TestQualityComesBackWithHeadroom(t *testing.T) {
	c := newQualityController(10 * time.Millisecond)
	feed(c, 10*downWindow, costModel(40*time.Millisecond)) // a busy machine
	if c.level != len(qualityLadder)-1 {
		t.Fatalf("level %d after a long overload, want the lowest (%d)", c.level, len(qualityLadder)-1)
	}
	// The machine is quiet again: 5 ms at the best quality.
	quiet := costModel(5 * time.Millisecond)
	feed(c, upCalm-1, quiet)
	if c.level != len(qualityLadder)-1 {
		t.Fatal("stepped up before upCalm frames of headroom")
	}
	feed(c, 1, quiet)
	if c.level != len(qualityLadder)-2 {
		t.Fatalf("level %d after upCalm quiet frames, want one step up", c.level)
	}
	feed(c, len(qualityLadder)*upCalm, quiet)
	if c.level != 0 {
		t.Errorf("level %d after a long quiet time, want the best", c.level)
	}
}

// TestQualityBacksOff: when the better quality does not actually fit (the
// estimate was optimistic), each failed try doubles the wait before the
// next, so the quality does not flicker.
func TestQualityBacksOff(t *testing.T) {
	c := newQualityController(10 * time.Millisecond)
	// Anti-aliasing costs 4× here, not the 1.6× the controller assumes:
	// AA off takes 4.5 ms, which predicts 7.2 ms at 4× (within the
	// headroom of the 10 ms budget), but 4× takes 18 ms.
	work := func(q Quality) time.Duration {
		if q.AA == render.AAOff {
			return 4500 * time.Microsecond
		}
		return 18 * time.Millisecond
	}
	var ups []int // frame numbers of steps up
	level := c.level
	for i := range 40000 {
		c.observe(work(c.quality()))
		if c.level < level {
			ups = append(ups, i)
		}
		level = c.level
	}
	if len(ups) < 3 {
		t.Fatalf("tried the better quality %d times in 40000 frames, want retries", len(ups))
	}
	for k := 2; k < len(ups); k++ {
		if gap, prev := ups[k]-ups[k-1], ups[k-1]-ups[k-2]; gap < 2*prev-downWindow && gap < upCalmMax {
			t.Errorf("retry gaps %d then %d: not backing off (steps up at %v)", prev, gap, ups)
		}
	}
	if c.need != upCalmMax {
		t.Errorf("wait grew to %d frames, want the cap %d", c.need, upCalmMax)
	}
}

func TestQualityReset(t *testing.T) {
	c := newQualityController(10 * time.Millisecond)
	feed(c, 5*downWindow, costModel(40*time.Millisecond))
	c.reset()
	if c.level != 0 || c.budget != 10*time.Millisecond || c.need != upCalm {
		t.Errorf("after reset %+v", *c)
	}
}

func TestQualityString(t *testing.T) {
	for _, tc := range []struct {
		q    Quality
		want string
	}{
		{Quality{render.AA4x, 1}, "4× anti-aliasing, full size"},
		{Quality{render.AAOff, 0.75}, "no anti-aliasing, 75 % size"},
		{Quality{}, "4× anti-aliasing, full size"},
	} {
		if got := tc.q.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.q, got, tc.want)
		}
	}
}

// TestUIKeepsUp: the engine draws ahead of the UI only while the UI takes
// images at about the frame rate.
func TestUIKeepsUp(t *testing.T) {
	const interval = time.Second / 60
	for _, tc := range []struct {
		name  string
		gap   time.Duration // between takes
		since time.Duration // from the last take to the question
		want  bool
	}{
		{"60 Hz", interval, 5 * time.Millisecond, true},
		{"jittery 55 Hz", time.Second / 55, interval, true},
		{"30 Hz", 2 * interval, 5 * time.Millisecond, false},
		{"60 Hz, stopped", interval, 3 * interval, false},
	} {
		e := &Engine{}
		now := time.Unix(1000, 0)
		for range 40 {
			now = now.Add(tc.gap)
			e.noteTake(now)
		}
		if got := e.uiKeepsUp(now.Add(tc.since), interval); got != tc.want {
			t.Errorf("%s: keeps up %v, want %v", tc.name, got, tc.want)
		}
	}
	if (&Engine{}).uiKeepsUp(time.Now(), interval) {
		t.Error("an engine whose UI never took an image keeps up")
	}
}

// TestPublishReplaces: an image published over an unread one replaces it
// (counted), and inherits its packet arrival time when it shows the same
// scene frame.
func TestPublishReplaces(t *testing.T) {
	b := newImageBuffers()
	rx := time.Unix(5, 0)
	if b.publish(FrameInfo{Seq: 1, SceneSeq: 7, Received: rx}) {
		t.Error("the first image replaced something")
	}
	if !b.publish(FrameInfo{Seq: 2, SceneSeq: 7}) {
		t.Error("an image published over an unread one did not replace it")
	}
	_, info, fresh := b.latest()
	if !fresh || info.Seq != 2 || !info.Received.Equal(rx) {
		t.Errorf("took %+v (fresh %v), want image 2 with the arrival time of scene 7", info, fresh)
	}
	if b.publish(FrameInfo{Seq: 3, SceneSeq: 8}) {
		t.Error("an image published after the UI took the previous one replaced it")
	}
	b.publish(FrameInfo{Seq: 4, SceneSeq: 9})
	if _, info, _ := b.latest(); info.Seq != 4 || !info.Received.IsZero() {
		t.Errorf("took %+v, want image 4 with no arrival time (scene 9 is not scene 8)", info)
	}
}

// TestEngineReportsBreakdownAndQuality: the stats break each image's time
// into stages and name the quality it was made at, pinned or adaptive.
func TestEngineReportsBreakdownAndQuality(t *testing.T) {
	te := godetteEngine(t, false)
	st := te.Stats()
	b := st.Breakdown
	for name, p := range map[string]Percentiles{"pose": b.Pose, "update": b.Update, "setup": b.RenderSetup,
		"vertex": b.Vertex, "triangles": b.Triangles, "raster": b.Raster, "waited": b.Waited} {
		if p.N == 0 {
			t.Errorf("no %s samples after rendering", name)
		}
	}
	if b.Raster.P50 <= 0 || b.Raster.P50 > st.RenderTime.Max {
		t.Errorf("raster p50 %v, render time max %v: raster is part of the render", b.Raster.P50, st.RenderTime.Max)
	}
	if st.Quality != (Quality{render.AA4x, 1}) {
		t.Errorf("default view quality %v, want 4× at full size", st.Quality)
	}

	v := te.View()
	v.AA, v.RenderScale = render.AAOff, 0.5
	te.SetView(v)
	img, _ := te.settled(t, "pinned fast quality")
	if q := te.Stats().Quality; q != (Quality{render.AAOff, 0.5}) || img.Rect.Dx() != testW/2 {
		t.Errorf("pinned quality %v (image %v), want no AA at 50 %% size", q, img.Rect)
	}

	// Adaptive quality ignores the pinned choice and starts at the best.
	v.AdaptiveQuality = true
	te.SetView(v)
	img, _ = te.settled(t, "adaptive quality")
	if q := te.Stats().Quality; q != qualityLadder[0] || img.Rect.Dx() != testW {
		t.Errorf("adaptive quality starts at %v (image %v), want %v", q, img.Rect, qualityLadder[0])
	}
}
