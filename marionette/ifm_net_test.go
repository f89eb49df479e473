package marionette

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap/ifmtest"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/retarget/face"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// startPhone starts a fake iPhone (ifmtest) on 127.0.0.1 streaming frames
// every 10 ms.
func startPhone(t *testing.T, cfg ifmtest.Config) *ifmtest.Phone {
	t.Helper()
	if cfg.Interval == 0 {
		cfg.Interval = 10 * time.Millisecond
	}
	return ifmtest.StartT(t, cfg)
}

// testOptions are client options for a fake phone on this machine: an
// ephemeral UDP port, short timings, no log output.
func testOptions() ifacialmocap.Options {
	return ifacialmocap.Options{
		ListenUDP: "127.0.0.1:0", ResendInterval: 100 * time.Millisecond, NoDataTimeout: 300 * time.Millisecond,
		BakeWait: 5 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// signalled reports whether Changed has a signal within d.
func signalled(s *IFacialMocap, d time.Duration) bool {
	select {
	case <-s.Changed():
		return true
	case <-time.After(d):
		return false
	}
}

func TestIFacialMocapOverUDP(t *testing.T) {
	frame := withValues(t, fixture(t, "v1_trackingstatus_hapihapi.txt"), map[string]string{"jawOpen": "60"})
	bake := ifmtest.FreeTCPPort(t)
	phone := startPhone(t, ifmtest.Config{Frames: []string{frame, unfrozen(frame)}, BakePort: bake, Recording: []string{frame}})
	src := NewIFacialMocap(face.DefaultSettings())
	av := testavatar.Default(t)
	var f retarget.Face
	if src.Face(av, &f) || src.Connected() {
		t.Fatal("a face before connecting")
	}
	if _, err := src.Calibrate(); !errors.Is(err, ErrNoFrame) {
		t.Errorf("calibrate before any frame: %v, want ErrNoFrame", err)
	}
	if err := src.LookForward(); !errors.Is(err, ErrNotConnected) {
		t.Errorf("look forward while disconnected: %v", err)
	}
	opts := testOptions()
	opts.ListenBake = "127.0.0.1:" + strconv.Itoa(bake)
	if err := src.Connect(context.Background(), phone.Addr(), opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(src.Disconnect)
	testutil.Eventually(t, "a live face", func() bool { return src.Face(av, &f) })
	jaw := exprIndex(t, av, "jawOpen")
	found := false
	for _, s := range f.Slots {
		if s.Index == int32(jaw) {
			found = true
			if s.Weight < 0.5 { // smoothed toward 0.6 from the first frame's 0.6
				t.Errorf("jawOpen %v, want 0.6", s.Weight)
			}
		}
	}
	if !found || f.Received.IsZero() || len(f.Bones) == 0 {
		t.Errorf("face %+v: no jawOpen slot, arrival time or bones", f)
	}
	if !signalled(src, time.Second) {
		t.Error("no Changed signal while frames arrive")
	}
	// Face runs on the render goroutine every frame: no allocation.
	if n := testing.AllocsPerRun(50, func() { src.Face(av, &f) }); n != 0 {
		t.Errorf("Face allocates %v times per call", n)
	}
	st, ok := src.Status()
	if !ok || !st.Connected || st.Received == 0 {
		t.Errorf("status %v", st)
	}
	var raw ifacialmocap.Frame
	if src.Latest(&raw) == 0 || raw.Blendshapes[arkit.JawOpen] != 0.6 {
		t.Errorf("raw frame jawOpen %v", raw.Blendshapes[arkit.JawOpen])
	}
	cal, err := src.Calibrate()
	if err != nil || !cal.Valid || cal.HeadRotation != raw.HeadRotation || src.Calibration() != cal {
		t.Errorf("calibrate: %+v, %v", cal, err)
	}
	if err := src.LookForward(); err != nil {
		t.Error(err)
	}
	testutil.Eventually(t, "the lookForward command", func() bool { return phone.Count(ifacialmocap.CommandLookForward) == 1 })

	// The recorded animation comes through the open connection.
	var rec bytes.Buffer
	if _, err := src.FetchRecording(context.Background(), "", ifacialmocap.Options{}, &rec); err != nil {
		t.Fatal(err)
	}
	var frames []string
	if err := json.Unmarshal(rec.Bytes(), &frames); err != nil || len(frames) != 1 || frames[0] != frame {
		t.Errorf("recording %q: %v", rec.Bytes(), err)
	}

	// The phone goes silent: within ConnectedWithin the face stops, with a
	// signal so that the engine redraws without it.
	phone.GoSilent()
	time.Sleep(50 * time.Millisecond)
	for len(src.Changed()) > 0 {
		<-src.Changed()
	}
	if !signalled(src, 2*time.Second) {
		t.Error("no Changed signal when the phone went silent")
	}
	testutil.Eventually(t, "the face to stop", func() bool { return !src.Face(av, &f) })
	// Calibrating now would take an old face as the neutral one: refused,
	// and the calibration in use stays.
	var stale *StaleFrameError
	if _, err := src.Calibrate(); !errors.As(err, &stale) || stale.Age < ifacialmocap.ConnectedWithin {
		t.Errorf("calibrate on stale data: %v, want a StaleFrameError", err)
	}
	if src.Calibration() != cal {
		t.Error("a refused calibration changed the one in use")
	}
	phone.Return() // the client re-sends the start command
	testutil.Eventually(t, "the face back", func() bool { return src.Face(av, &f) })

	src.Disconnect()
	if src.Face(av, &f) || src.Connected() {
		t.Error("a face after Disconnect")
	}
	testutil.Eventually(t, "the stop command", func() bool { return phone.Count(ifacialmocap.CommandStop) >= 1 })
	if _, ok := src.Status(); ok {
		t.Error("a status after Disconnect")
	}
}

func TestIFacialMocapTrackingLost(t *testing.T) {
	// The phone says trackingStatus-0, or (older builds) keeps re-sending
	// the same bytes: the last pose holds for trackingGrace, then the face
	// stops contributing.
	tracked := fixture(t, "v1_trackingstatus_hapihapi.txt")
	lost := strings.Replace(tracked, "trackingStatus-1", "trackingStatus-0", 1)
	frozen := fixture(t, "v1_hapihapi.txt")
	for _, tc := range []struct {
		name   string
		frames []string
	}{{"trackingStatus-0", []string{lost, unfrozen(lost)}}, {"frozen", []string{frozen}}} {
		t.Run(tc.name, func(t *testing.T) {
			phone := startPhone(t, ifmtest.Config{Frames: tc.frames})
			src := connectFreezing(t, phone)
			av := testavatar.Default(t)
			var f retarget.Face
			testutil.Eventually(t, "a face", func() bool { return src.Face(av, &f) })
			start := time.Now()
			testutil.Eventually(t, "the face to stop", func() bool { return !src.Face(av, &f) })
			if el := time.Since(start); el < trackingGrace/2 {
				t.Errorf("the face stopped %v after the tracking was lost, want about %v", el, trackingGrace)
			}
			if st, _ := src.Status(); !st.TrackingLost {
				t.Error("status does not say the tracking is lost")
			}
		})
	}
	// A tracked face that changes keeps going.
	phone := startPhone(t, ifmtest.Config{Frames: []string{tracked, unfrozen(tracked)}})
	src := connectFreezing(t, phone)
	av := testavatar.Default(t)
	var f retarget.Face
	testutil.Eventually(t, "a face", func() bool { return src.Face(av, &f) })
	time.Sleep(trackingGrace + 300*time.Millisecond)
	if !src.Face(av, &f) {
		st, _ := src.Status()
		t.Errorf("a tracked face stopped (%v)", st)
	}
}

// connectFreezing connects a source to phone with the test options and a
// 100 ms FrozenAfter, for the tracking-lost tests.
func connectFreezing(t *testing.T, phone *ifmtest.Phone) *IFacialMocap {
	t.Helper()
	src := NewIFacialMocap(face.DefaultSettings())
	opts := testOptions()
	opts.FrozenAfter = 100 * time.Millisecond
	if err := src.Connect(context.Background(), phone.Addr(), opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(src.Disconnect)
	return src
}

// unfrozen returns frame with different bytes and the same content (the
// ignored hapihapi field changed), so that a fake phone alternating the
// two is not taken for a frozen one.
func unfrozen(frame string) string {
	return strings.Replace(frame, "hapihapi-0", "hapihapi-1", 1)
}

func TestIFacialMocapPortInUse(t *testing.T) {
	held, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	opts := testOptions()
	opts.ListenUDP = held.LocalAddr().String()
	src := NewIFacialMocap(face.DefaultSettings())
	err = src.Connect(context.Background(), "127.0.0.1:9", opts)
	var inUse *ifacialmocap.PortInUseError
	if !errors.As(err, &inUse) || src.Connected() {
		t.Errorf("connect on a taken port: %v (connected %v), want a *PortInUseError", err, src.Connected())
	}
}

// headPixel returns where the avatar's head is drawn by the engine's camera.
func headPixel(te *testEngine, av *vrm.Model) (float64, float64) {
	o, _ := av.LookAtOrigin(vrm.NewRig(av).Pose(nil)) // a Rig of its own: the engine poses its own
	return project(te.Orbit(), o, testW, testH)
}

func TestEngineIFacialMocapOverUDP(t *testing.T) {
	// VMC drives the body (a raised left arm), a fake phone over real UDP
	// drives the face of the default avatar: its mouth opens, its eyes close
	// and its head turns, the raised arm stays; when the phone goes silent
	// the face is the Performer's again.
	te := newTestEngine(t)
	v := DefaultView()
	v.SpringBones = false
	te.SetView(v)
	te.Resize(testW, testH)
	te.LoadBytes("default.vrm", assets.DefaultVRM(), true)
	if ev := <-te.loads; ev.Stage != LoadDone {
		t.Fatalf("load: %v", ev.Err)
	}
	src := NewIFacialMocap(face.DefaultSettings())
	te.SetFaceSource(src, retarget.DefaultFaceMix())
	arm := map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)}
	te.sendPose(t, arm)
	_, body, _ := te.waitScene(t, "the raised arm", 0)

	frame := withValues(t, fixture(t, "v1_trackingstatus_hapihapi.txt"), map[string]string{
		"jawOpen": "90", "eyeBlink_L": "100", "eyeBlink_R": "100", "mouthFunnel": "40"})
	frame = frame[:strings.Index(frame, "=head#")] + "=head#0,25,0,0.03,-0.08,-0.4|rightEye#0,0,0|leftEye#0,0,0|"
	phone := startPhone(t, ifmtest.Config{Frames: []string{frame, unfrozen(frame)}})
	if err := src.Connect(context.Background(), phone.Addr(), testOptions()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(src.Disconnect)
	av := testavatar.Default(t)
	jaw := exprIndex(t, av, "jawOpen")
	blink := exprIndex(t, av, "eyeBlinkLeft")
	var w []float32
	testutil.Eventually(t, "the face on the avatar", func() bool {
		te.Latest()
		w, _ = te.ExpressionWeights(w)
		return len(w) > blink && near(w[jaw], 0.9, 1e-3) && near(w[blink], 1, 1e-3)
	})
	_, now := te.Latest()
	face, _ := te.waitImage(t, "with the face", func(_ *image.RGBA, i FrameInfo) bool { return i.Seq > now.Seq })

	hx, hy := headPixel(te, av)
	if n := diffIn(body, face, around(hx, hy, 10)); n < 60 {
		t.Errorf("only %d of 441 pixels changed in the face region (%.0f, %.0f)", n, hx, hy)
	}
	lo := image.Rect(0, testH*3/4, testW, testH)
	if n := diffIn(body, face, lo); n != 0 {
		t.Errorf("%d pixels changed below the knees", n)
	}
	// The arm the Performer raised is still raised: its hand is where it
	// was. (The default avatar's hand, posed as the engine poses it.)
	handX, handY := handPixel(t, te, av, arm)
	if n := diffIn(body, face, around(handX, handY, 3)); n > 3 {
		t.Errorf("%d pixels changed at the raised hand", n)
	}
	if b, _ := te.Avatar(); b != nil {
		if i, _ := b.ExpressionIndex("aa"); w[i] != 0 {
			t.Errorf("aa = %v in Perfect Sync mode", w[i])
		}
	}

	// Silent phone: the face goes back to rest (the Performer sends none).
	phone.GoSilent()
	testutil.Eventually(t, "the face to leave", func() bool {
		te.Latest()
		w, _ = te.ExpressionWeights(w)
		return w[jaw] == 0
	})
	back, _ := te.settled(t, "without the face")
	if n := diffIn(body, back, around(hx, hy, 10)); n > 5 {
		t.Errorf("%d pixels of the face differ from the Performer-only image after the phone went silent", n)
	}
}
