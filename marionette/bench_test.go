package marionette

import (
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/retarget/face"
	"github.com/kugutsu/kugutsu/vrm"
)

// BenchmarkFrame is the engine's whole per-frame work for Godette at
// 1280×720 (4× AA): snapshot, pose, spring bones, render, publish.
func BenchmarkFrame(b *testing.B) {
	e := New(Config{})
	defer e.Close()
	done := make(chan LoadEvent, 8)
	e.cfg.OnLoad = func(ev LoadEvent) {
		if ev.Stage >= LoadDone {
			done <- ev
		}
	}
	e.LoadFile(testavatar.GodettePath(b))
	if ev := <-done; ev.Err != nil {
		b.Fatal(ev.Err)
	}
	e.cancel() // stop the engine's own goroutine; drive renderFrame here
	<-e.done
	e.Resize(1280, 720)
	var rs renderState
	rs.lastInput = time.Now()
	now := time.Now()
	for range 3 { // every buffer of the triple buffer allocated once
		now = now.Add(time.Second / 60)
		e.renderFrame(&rs, now, &frameTimes{})
		e.Latest()
	}
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second / 60)
		e.renderFrame(&rs, now, &frameTimes{})
		e.Latest()
	}
}

// BenchmarkIFacialMocapFace is the iFacialMocap glue's per-frame path for
// a real frame on the Perfect Sync default avatar and on Godette (presets,
// lookAt expressions): mapper (with calibration, smoothing, chest follow,
// head offset) and adaptation to the avatar's expression indices and
// bones. Target: ≤ 5 µs and 0 allocs.
func BenchmarkIFacialMocapFace(b *testing.B) {
	f := parse(b, fixture(b, "v1_trackingstatus_hapihapi.txt"))
	st := face.DefaultSettings()
	st.ChestShare, st.HeadPositionScale = 0.1, 1
	cal := face.Calibrate(f)
	for _, m := range []struct {
		name string
		av   *vrm.Model
	}{{"PerfectSync", testavatar.Default(b)}, {"Presets", testavatar.Godette(b)}} {
		b.Run(m.name, func(b *testing.B) {
			src := NewIFacialMocap(st)
			var fc retarget.Face
			now := time.Unix(1000, 0)
			src.mapFace(m.av, f, st, cal, now, &fc)
			b.ReportAllocs()
			for b.Loop() {
				now = now.Add(time.Second / 60)
				src.mapFace(m.av, f, st, cal, now, &fc)
			}
		})
	}
}

// BenchmarkPoserUpdateWithFace is retarget's BenchmarkPoserUpdate with the
// default avatar's Perfect Sync face mixed in (70 expressions, head, eyes)
// as the iFacialMocap source makes it.
func BenchmarkPoserUpdateWithFace(b *testing.B) {
	av := testavatar.Default(b)
	src := NewIFacialMocap(face.DefaultSettings())
	var fc retarget.Face
	src.mapFace(av, parse(b, fixture(b, "v1_trackingstatus_hapihapi.txt")), src.Settings(), face.Calibration{}, time.Now(), &fc)
	p := retarget.NewPoser(av)
	fr := vmctest.FullBodyFrame()
	o := retarget.DefaultOptions()
	o.BoneSmoothing, o.BlendSmoothing = 50*time.Millisecond, 50*time.Millisecond
	p.Update(fr, o, &fc, retarget.DefaultFaceMix(), 0)
	b.ReportAllocs()
	for b.Loop() {
		p.Update(fr, o, &fc, retarget.DefaultFaceMix(), 1.0/60)
	}
}
