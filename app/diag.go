package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/metrics"
	"time"

	"github.com/kugutsu/kugutsu/marionette"
)

// statsEnv names the environment variable that, when set to a file path,
// makes the window write the engine's statistics there as JSON four times a
// second (for measurements and the window test: latency, render time, frame
// rate, memory).
const statsEnv = "KUGUTSU_STATS"

// statsReport is the JSON written to $KUGUTSU_STATS. Durations are in
// milliseconds.
type statsReport struct {
	FPS     float64     `json:"fps"`
	Frames  uint64      `json:"frames"`
	Dropped uint64      `json:"dropped"`    // images replaced before the UI took them
	Latency percentiles `json:"latency_ms"` // packet → image taken by the painter
	// LatencyShown is packet → the end of the paint showing it.
	LatencyShown percentiles `json:"latency_shown_ms"`
	RenderTime   percentiles `json:"render_ms"` // pose and render
	// Breakdown is where each image's time went (marionette.Breakdown and
	// the viewport's uiTimes), stage by stage in order.
	Breakdown map[string]percentiles `json:"breakdown_ms"`
	Quality   string                 `json:"quality"` // in force (marionette.Quality)
	Packets   uint64                 `json:"packets"`
	// Settled: the engine has nothing left to draw and the UI has taken
	// its newest image (marionette.Engine.Settled).
	Settled bool   `json:"settled"`
	Avatar  string `json:"avatar"` // meta name of the avatar in the latest image on screen
	// ImageSize is the latest image's size in pixels, ViewportSize the
	// viewport's (larger when the render scale or the pixel cap shrank the
	// image, which the UI stretches).
	ImageSize    [2]int `json:"image_size"`
	ViewportSize [2]int `json:"viewport_size"`
	// OutputFPS is the output window's rate of images shown (0 when it is
	// closed).
	OutputFPS float64 `json:"output_fps"`
	// The Go runtime's memory (runtime/metrics, read without stopping the
	// world): heap spans in use, all it mapped, and what of that it handed
	// back to the system (GoSys − GoReleased is what it may hold resident).
	HeapInuse  uint64 `json:"go_heap_inuse_bytes"`
	GoSys      uint64 `json:"go_sys_bytes"`
	GoReleased uint64 `json:"go_released_bytes"`
}

// goMemory names the runtime/metrics samples of statsReport's Go memory.
var goMemory = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes",
	"/memory/classes/total:bytes", "/memory/classes/heap/released:bytes"}

// breakdownReport names the stages of an image, engine and UI.
func breakdownReport(b *marionette.Breakdown, ui *uiTimes) map[string]percentiles {
	m := map[string]percentiles{}
	for name, p := range map[string]marionette.Percentiles{
		"1_wait_ui": b.WaitUI, "2_wait_pacing": b.WaitPacing, "3_pose": b.Pose, "4_update": b.Update,
		"5_render_setup": b.RenderSetup, "6_render_vertex": b.Vertex, "7_render_triangles": b.Triangles,
		"8_render_raster": b.Raster, "9_waited_for_ui": b.Waited,
		"a_ui_queued": ui.Queued.Percentiles(), "b_ui_wait_paint": ui.WaitPaint.Percentiles(),
		"c_ui_paint": ui.Paint.Percentiles(),
	} {
		m[name] = toPercentiles(p)
	}
	return m
}

type percentiles struct {
	N             int
	P50, P99, Max float64
}

func toPercentiles(p marionette.Percentiles) percentiles {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return percentiles{N: p.N, P50: ms(p.P50), P99: ms(p.P99), Max: ms(p.Max)}
}

// writeStats writes the report to path every 250 ms until stop closes.
func writeStats(e *marionette.Engine, ui *uiTimes, out *outputWindow, path string, stop <-chan struct{}) {
	every(250*time.Millisecond, stop, func() bool {
		st := e.Status()
		m := make([]metrics.Sample, len(goMemory))
		for i, name := range goMemory {
			m[i].Name = name
		}
		metrics.Read(m)
		r := statsReport{
			FPS: st.Stats.FPS, Frames: st.Stats.Frames, Dropped: st.Stats.Dropped,
			Latency: toPercentiles(st.Stats.Latency), RenderTime: toPercentiles(st.Stats.RenderTime),
			LatencyShown: toPercentiles(ui.Latency.Percentiles()),
			Breakdown:    breakdownReport(&st.Stats.Breakdown, ui), Quality: st.Stats.Quality.String(),
			Packets: st.Receiver.Packets, Settled: e.Settled(),
			HeapInuse: m[0].Value.Uint64() + m[1].Value.Uint64(), GoSys: m[2].Value.Uint64(), GoReleased: m[3].Value.Uint64(),
		}
		if av := st.Stats.Shown.Avatar; av != nil {
			r.Avatar = av.Meta.Name
		}
		if out != nil {
			r.OutputFPS = out.fps()
		}
		sh := &st.Stats.Shown
		r.ImageSize, r.ViewportSize = [2]int{sh.Width, sh.Height}, [2]int{sh.ViewWidth, sh.ViewHeight}
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return true
		}
		tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
		if os.WriteFile(tmp, b, 0o644) == nil {
			os.Rename(tmp, path)
		}
		return true
	})
}
