package marionette

import (
	"bytes"
	"errors"
	"image"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// syncBuffer is a log sink safe for the engine's goroutines.
type syncBuffer = testutil.SyncBuffer

// loggingTo sets the engine's logger to a text handler writing to buf.
func loggingTo(buf *syncBuffer) func(*Config) {
	return func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(buf, nil)) }
}

func readGodette(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(testavatar.GodettePath(t))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// waitLoad waits for the next finished load.
func (te *testEngine) waitLoad(t *testing.T) LoadEvent {
	t.Helper()
	select {
	case ev := <-te.loads:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no load result within 20 s")
	}
	return LoadEvent{}
}

// checkPanicLogged checks that the log holds one record of the panic,
// naming the avatar, with the stack of the goroutine that panicked.
func checkPanicLogged(t *testing.T, log, avatar, value string) {
	t.Helper()
	if !strings.Contains(log, "level=ERROR") || !strings.Contains(log, avatar) ||
		!strings.Contains(log, value) || !strings.Contains(log, "recover_test.go") {
		t.Errorf("log lacks the panic, the avatar %q or the stack:\n%s", avatar, log)
	}
}

// TestEngineSurvivesPanicWhileLoading: a loader bug for one avatar (a
// panic on the load goroutine) fails that load with an error naming the
// avatar, logs the stack, and the engine goes on showing and driving the
// avatar it had.
func TestEngineSurvivesPanicWhileLoading(t *testing.T) {
	var log syncBuffer
	te := newTestEngine(t, loggingTo(&log), func(c *Config) {
		c.faults.load = func(src Source) {
			if src.Name == "broken.vrm" {
				panic("injected loader bug")
			}
		}
	})
	te.Resize(testW, testH)
	data := readGodette(t)
	te.LoadBytes("Godette.vrm", data, true)
	if ev := te.waitLoad(t); ev.Stage != LoadDone {
		t.Fatalf("default avatar: %v", ev.Err)
	}
	te.LoadBytes("broken.vrm", data, false)
	ev := te.waitLoad(t)
	var pe *PanicError
	if ev.Stage != LoadFailed || !errors.As(ev.Err, &pe) || pe.Doing != "loading" || pe.Avatar != "broken.vrm" ||
		!strings.Contains(ev.Err.Error(), "broken.vrm") || !bytes.Contains(pe.Stack, []byte("recover_test.go")) {
		t.Fatalf("load of broken.vrm: stage %v, err %v", ev.Stage, ev.Err)
	}
	checkPanicLogged(t, log.String(), "broken.vrm", "injected loader bug")
	if av, src := te.Avatar(); av == nil || src.Name != "Godette.vrm" {
		t.Fatalf("shown %v %+v; want Godette still", av != nil, src)
	}
	// Still driven by the Performer.
	seq := te.Scene().Seq()
	te.sendPose(t, map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)})
	if _, _, info := te.waitScene(t, "a pose after the failed load", seq); info.Avatar == nil {
		t.Error("no avatar drawn after the failed load")
	}
}

// TestEngineSurvivesPanicWhileDrawing: a renderer bug for one avatar (a
// panic on the render goroutine) drops that avatar, reports it by name,
// logs the stack, and the engine draws on: the default avatar loads and
// is shown and driven.
func TestEngineSurvivesPanicWhileDrawing(t *testing.T) {
	var log syncBuffer
	type failure struct {
		src Source
		err error
	}
	failed := make(chan failure, 4)
	var te *testEngine
	te = newTestEngine(t, loggingTo(&log), func(c *Config) {
		c.OnAvatarFailed = func(src Source, err error) { failed <- failure{src, err} }
		c.faults.render = func(av *vrm.Model) {
			if _, src := te.Avatar(); av != nil && src.Name == "broken.vrm" {
				panic("injected renderer bug")
			}
		}
	})
	data := readGodette(t)
	te.LoadBytes("broken.vrm", data, false)
	if ev := te.waitLoad(t); ev.Stage != LoadDone {
		t.Fatalf("load: %v", ev.Err)
	}
	te.Resize(testW, testH) // the first frame draws it
	var f failure
	select {
	case f = <-failed:
	case <-time.After(20 * time.Second):
		t.Fatal("no OnAvatarFailed within 20 s")
	}
	var pe *PanicError
	if f.src.Name != "broken.vrm" || !errors.As(f.err, &pe) || pe.Doing != "drawing" ||
		!strings.Contains(f.err.Error(), "broken.vrm") || pe.Value != "injected renderer bug" {
		t.Fatalf("OnAvatarFailed(%+v, %v)", f.src, f.err)
	}
	checkPanicLogged(t, log.String(), "broken.vrm", "injected renderer bug")
	if av, _ := te.Avatar(); av != nil {
		t.Fatal("the avatar that panicked is still shown")
	}
	// The engine draws on: a bare frame, then the default avatar (as the
	// app loads it), posed by the Performer.
	te.waitImage(t, "without the avatar", func(_ *image.RGBA, i FrameInfo) bool { return i.Avatar == nil })
	te.LoadBytes("Godette.vrm", data, true)
	if ev := te.waitLoad(t); ev.Stage != LoadDone {
		t.Fatalf("default avatar: %v", ev.Err)
	}
	seq := te.Scene().Seq()
	te.sendPose(t, map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)})
	if _, _, info := te.waitScene(t, "the default avatar posed", seq); info.Avatar == nil {
		t.Error("the default avatar is not drawn after the panic")
	}
	select {
	case f := <-failed:
		t.Errorf("a second failure: %+v %v", f.src, f.err)
	default:
	}
}
