package marionette

import (
	"context"
	"image"
	"image/color"
	"math"
	"testing"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

const testW, testH = 320, 240

// godetteEngine returns a test engine showing Godette at testW×testH,
// spring bones off (so images settle at once) unless springs.
func godetteEngine(t *testing.T, springs bool) *testEngine {
	t.Helper()
	te := newTestEngine(t)
	v := DefaultView()
	v.SpringBones = springs
	te.SetView(v)
	te.Resize(testW, testH)
	if ev := te.load(t, testavatar.GodettePath(t)); ev.Stage != LoadDone {
		t.Fatalf("load: %v", ev.Err)
	}
	if _, info := te.settled(t, "Godette loaded"); info.Avatar == nil {
		t.Fatal("no avatar drawn after loading")
	}
	return te
}

// sendPose sends one VirtualMotionCapture-style frame: root at the origin
// and the given bones.
func (te *testEngine) sendPose(t *testing.T, bones map[humanoid.Bone]vmc.Transform, blends ...vmc.Blend) {
	t.Helper()
	f := vmctest.FrameWith(bones)
	f.Root = vmc.Root{Transform: vmc.Transform{Rotation: vmc.Identity}, Scale: vmc.Vec3{X: 1, Y: 1, Z: 1}, Received: true}
	f.Available = vmc.Availability{Loaded: true, Received: true}
	f.Blends = blends
	if err := te.sender.SendFrame(f); err != nil {
		t.Fatal(err)
	}
}

// waitScene waits for an image showing a scene frame newer than seq,
// then for the engine to settle, and returns the first such image and the
// settled one.
func (te *testEngine) waitScene(t *testing.T, what string, seq uint64) (first, final *image.RGBA, info FrameInfo) {
	t.Helper()
	first, info = te.waitImage(t, what, func(_ *image.RGBA, i FrameInfo) bool { return i.SceneSeq > seq })
	final, _ = te.settled(t, what)
	return first, final, info
}

// handPixel returns where av's left hand is drawn in a testW×testH image
// by the engine's camera when posed with the VMC bones — posed
// independently of the engine's poser, with retarget.PoseFromUnity.
func handPixel(t *testing.T, te *testEngine, av *vrm.Model, bones map[humanoid.Bone]vmc.Transform) (float64, float64) {
	t.Helper()
	var ts [humanoid.Count]retarget.UnityTransform
	var set humanoid.Set
	for b, tr := range bones {
		ts[b] = retarget.UnityTransform{Position: tr.Position.Array(), Rotation: tr.Rotation.Array()}
		set = set.With(b)
	}
	var p vrm.Pose
	retarget.PoseFromUnity(&p, retarget.UnityTransform{Rotation: [4]float32{0, 0, 0, 1}}, &ts, set)
	f := vrm.NewRig(av).Pose(&p)
	hand, _ := av.BonePosition(f, humanoid.LeftHand)
	return project(te.Orbit(), hand, testW, testH)
}

func TestEngineRaisedArmOverUDP(t *testing.T) {
	te := godetteEngine(t, false)
	rest, restInfo := te.settled(t, "at rest")
	if rest.Rect.Min != (image.Point{}) || rest.Stride != 4*testW || rest.Rect.Dx() != testW || rest.Rect.Dy() != testH {
		t.Fatalf("image %v stride %d, want tightly packed %dx%d", rest.Rect, rest.Stride, testW, testH)
	}
	if restInfo.SceneSeq != 0 {
		t.Fatalf("scene seq %d before any packet", restInfo.SceneSeq)
	}

	arm := map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)}
	te.sendPose(t, arm)
	_, raised, info := te.waitScene(t, "with the raised arm", 0)
	if info.Received.IsZero() {
		t.Error("the first image of a packet carries no arrival time")
	}

	rx, ry := checkRaisedHand(t, te, testavatar.Godette(t), rest, raised, arm)
	// The other arm stays: its hand is the mirror image.
	if n := diffIn(rest, raised, around(testW-rx, ry, 3)); n > 3 {
		t.Errorf("%d pixels changed at the right hand", n)
	}

	te.sendPose(t, arm)
	testutil.Eventually(t, "2 packets received", func() bool { return te.Status().Receiver.Packets >= 2 })
	st := te.Status()
	if !st.Connected || st.Receiver.Packets == 0 || st.Sender.Port() == 0 {
		t.Errorf("status %+v: want a connected sender", st)
	}
	if st.Stats.Latency.N == 0 || st.Stats.RenderTime.N == 0 {
		t.Errorf("stats %+v: want latency and render samples", st.Stats)
	}
}

func TestEngineIdleDoesNotRedraw(t *testing.T) {
	te := godetteEngine(t, true)
	te.sendPose(t, map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)})
	te.waitScene(t, "posed", 0)
	_, info := te.Latest()
	// The same packet again changes nothing: no new image.
	te.sendPose(t, map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)})
	time.Sleep(300 * time.Millisecond)
	if _, now := te.Latest(); now.Seq != info.Seq {
		t.Errorf("the engine redrew (%d → %d, scene %d → %d) with nothing changed", info.Seq, now.Seq, info.SceneSeq, now.SceneSeq)
	}
	if st := te.Status(); st.Receiver.Packets < 2 {
		t.Errorf("%d packets received, want the repeated frame too", st.Receiver.Packets)
	}
}

func TestEngineSpringBonesSettle(t *testing.T) {
	// A pose change sets the hair swinging: the engine keeps drawing
	// without new packets until it comes to rest, then stops.
	te := godetteEngine(t, true)
	_, first := te.settled(t, "at rest")
	te.sendPose(t, map[humanoid.Bone]vmc.Transform{humanoid.Head: vmctest.Rot(vmctest.UnityAxisAngle(40, 0, 1, 0))})
	_, _, posed := te.waitScene(t, "head turned", 0)
	_, last := te.Latest()
	if last.Seq-posed.Seq < 3 {
		t.Errorf("only %d images after the packet; spring bones did not animate", last.Seq-posed.Seq)
	}
	if last.Seq <= first.Seq {
		t.Error("no new image")
	}
}

func TestEngineOptionsOnImage(t *testing.T) {
	red := vmc.Color{R: 1, A: 1}
	te := godetteEngine(t, false)
	base, _ := te.settled(t, "rest")
	corner := func(img *image.RGBA) color.RGBA { return img.RGBAAt(1, 1) }
	bg := DefaultView().Background

	// Performer background (on by default).
	if err := te.sender.Background(red); err != nil {
		t.Fatal(err)
	}
	_, img, _ := te.waitScene(t, "red background", 0)
	if c := corner(img); c != (color.RGBA{R: 255, A: 255}) {
		t.Errorf("Performer background: corner %v, want red", c)
	}
	o := DefaultOptions()
	o.PerformerBackground = false
	te.SetOptions(o)
	img, _ = te.settled(t, "own background")
	if c := corner(img); c != (color.RGBA{R: bg.R, G: bg.G, B: bg.B, A: 255}) {
		t.Errorf("own background: corner %v, want %v", c, bg)
	}

	// Performer light: a blue light makes the lit avatar bluer.
	light := vmc.Light{Transform: vmc.Transform{Rotation: vmctest.UnityAxisAngle(180, 0, 1, 0)}, Color: vmc.Color{B: 1, A: 1}, Received: true}
	seq := te.Scene().Seq()
	if err := te.sender.Light(light); err != nil {
		t.Fatal(err)
	}
	_, blue, _ := te.waitScene(t, "blue light", seq)
	if rb, bb := meanRB(base), meanRB(blue); !(bb[1]-bb[0] > rb[1]-rb[0]+2) {
		t.Errorf("blue light: mean (R, B) %v, was %v; want bluer", bb, rb)
	}

	// Performer camera: off by default; on, the view is the Performer's.
	cam := vmc.Camera{Transform: vmc.Transform{Position: vmc.Vec3{X: 2, Y: 0.8, Z: 0}, Rotation: vmctest.UnityAxisAngle(-90, 0, 1, 0)}, FOV: 40}
	seq = te.Scene().Seq()
	if err := te.sender.Camera(cam); err != nil {
		t.Fatal(err)
	}
	_, same, _ := te.waitScene(t, "camera ignored", seq)
	if te.Status().PerformerCamera {
		t.Error("the Performer camera is used though the option is off")
	}
	o.PerformerCamera = true
	te.SetOptions(o)
	side, _ := te.settled(t, "Performer camera")
	if n := diffIn(same, side, side.Rect); n < testW*testH/50 {
		t.Errorf("Performer camera changed only %d pixels", n)
	}
	if !te.Status().PerformerCamera {
		t.Error("Status does not report the Performer camera")
	}
}

// meanRB returns the mean red and blue of an image's non-background
// pixels (those differing from the top-left corner).
func meanRB(img *image.RGBA) [2]float64 {
	bg := img.RGBAAt(0, 0)
	var r, b, n float64
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			if c := img.RGBAAt(x, y); c != bg {
				r, b, n = r+float64(c.R), b+float64(c.B), n+1
			}
		}
	}
	return [2]float64{r / max(n, 1), b / max(n, 1)}
}

func TestEngineHideUncalibrated(t *testing.T) {
	te := godetteEngine(t, false)
	o := DefaultOptions()
	o.HideUncalibrated = true
	te.SetOptions(o)
	te.settled(t, "rest")
	send := func(state vmc.CalibrationState) *image.RGBA {
		seq := te.Scene().Seq()
		if err := te.sender.OK(vmc.Availability{Loaded: true, Calibration: state, HasCalibration: true, Received: true}); err != nil {
			t.Fatal(err)
		}
		_, img, _ := te.waitScene(t, state.String(), seq)
		return img
	}
	img := send(vmc.Calibrating)
	if !uniform(img) {
		t.Error("the avatar is drawn while calibrating")
	}
	if !te.Status().Hidden {
		t.Error("Status does not report the hidden avatar")
	}
	img = send(vmc.Calibrated)
	if uniform(img) {
		t.Error("the avatar is not drawn once calibrated")
	}
}

func uniform(img *image.RGBA) bool {
	c := img.RGBAAt(0, 0)
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			if img.RGBAAt(x, y) != c {
				return false
			}
		}
	}
	return true
}

func TestEngineViewAndResize(t *testing.T) {
	te := godetteEngine(t, false)
	te.settled(t, "rest")
	v := te.View()
	v.Background = color.NRGBA{G: 200, A: 255}
	te.SetView(v)
	img, _ := te.settled(t, "green")
	if c := img.RGBAAt(0, 0); c != (color.RGBA{G: 200, A: 255}) {
		t.Errorf("background %v, want green", c)
	}
	te.Resize(200, 100)
	img, _ = te.settled(t, "resized")
	if img.Rect != image.Rect(0, 0, 200, 100) || img.Stride != 800 {
		t.Errorf("resized image %v stride %d, want 200x100 stride 800", img.Rect, img.Stride)
	}
	// Orbit controls redraw; reset frames the avatar again.
	o := te.Orbit()
	te.RotateView(0.5, 0)
	te.ZoomView(0.5)
	te.PanView(0.1, 0)
	rotated, _ := te.settled(t, "orbited")
	if got := te.Orbit(); got.Yaw == o.Yaw || got.Distance >= o.Distance {
		t.Errorf("orbit %+v after rotate and zoom, was %+v", got, o)
	}
	te.ResetView()
	reset, _ := te.settled(t, "reset")
	if got := te.Orbit(); math.Abs(float64(got.Yaw)) > 1e-6 {
		t.Errorf("reset orbit yaw %v, want 0", got.Yaw)
	}
	if diffIn(rotated, reset, reset.Rect) == 0 {
		t.Error("reset view drew the same image")
	}
}

func TestEngineExpressionWeights(t *testing.T) {
	te := godetteEngine(t, false)
	te.sendPose(t, nil, vmc.Blend{Name: "Blink", Value: 1}, vmc.Blend{Name: "Sparkle", Value: 1})
	te.waitScene(t, "blink", 0)
	w, unmatched := te.ExpressionWeights(nil)
	av, _ := te.Avatar()
	i, _ := av.ExpressionIndex("blink")
	if len(w) != len(av.Expressions) || w[i] != 1 {
		t.Errorf("weights %v: want blink (%d) = 1", w, i)
	}
	if len(unmatched) != 1 || unmatched[0] != "Sparkle" {
		t.Errorf("unmatched %v, want [Sparkle]", unmatched)
	}
}

func TestEngineLoadFailureKeepsAvatar(t *testing.T) {
	te := godetteEngine(t, false)
	before, _ := te.Avatar()
	// The shown avatar's thumbnail is kept scaled (Godette's is 1024²).
	thumb := te.Thumbnail()
	if thumb == nil || thumb.Rect.Dx() != ThumbnailSize || thumb.Rect.Dy() != ThumbnailSize {
		t.Fatalf("thumbnail %v, want %d²", thumb, ThumbnailSize)
	}
	for _, path := range []string{"testdata/not-a-vrm.vrm", "testdata/missing.vrm", "testdata"} {
		ev := te.load(t, path)
		if ev.Stage != LoadFailed || ev.Err == nil {
			t.Errorf("%s: stage %v err %v, want a failure", path, ev.Stage, ev.Err)
		}
		if av, src := te.Avatar(); av != before || src.Name != "Godette.vrm" || te.Thumbnail() != thumb {
			t.Errorf("%s: the shown avatar changed to %v", path, src)
		}
	}
}

func TestEngineLoadSupersedes(t *testing.T) {
	te := newTestEngine(t)
	godette, sphere := testavatar.GodettePath(t), testutil.SharedModel(t, "sphere_vrm0.vrm")
	te.LoadFile(godette)
	te.LoadFile(sphere)
	var done []LoadEvent
	for len(done) < 2 {
		select {
		case ev := <-te.loads:
			done = append(done, ev)
		case <-time.After(20 * time.Second):
			t.Fatal("loads did not finish")
		}
	}
	if _, src := te.Avatar(); src.Name != "sphere_vrm0.vrm" {
		t.Errorf("shown %q, want the newer load", src.Name)
	}
}

func TestEngineListenRestartKeepsPose(t *testing.T) {
	te := godetteEngine(t, false)
	te.sendPose(t, map[humanoid.Bone]vmc.Transform{humanoid.LeftUpperArm: vmctest.Rot(vmctest.RaisedLeftArm)})
	te.waitScene(t, "posed", 0)
	old, _ := te.Addr()
	if err := te.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr, ok := te.Addr()
	if !ok || addr == old {
		t.Fatalf("listening %v on %v, was %v", ok, addr, old)
	}
	if f := te.Scene(); f.Seq() == 0 {
		t.Error("the scene was lost")
	}
	te.StopListening()
	if _, ok := te.Addr(); ok || te.Status().Listening {
		t.Error("still listening after StopListening")
	}
	if err := te.Listen("256.0.0.1:1"); err == nil || te.Status().ListenErr == nil {
		t.Error("a bad address gave no error")
	}
}

// fakeFace is a FaceSource a test drives.
type fakeFace struct {
	c    chan struct{}
	face chan retarget.Face
	cur  retarget.Face
	ok   bool
}

func (f *fakeFace) Changed() <-chan struct{} { return f.c }

func (f *fakeFace) Face(_ *vrm.Model, dst *retarget.Face) bool {
	select {
	case f.cur = <-f.face:
		f.ok = true
	default:
	}
	*dst = f.cur
	return f.ok
}

func TestEngineFaceSource(t *testing.T) {
	te := godetteEngine(t, false)
	ff := &fakeFace{c: make(chan struct{}, 1), face: make(chan retarget.Face, 1)}
	te.SetFaceSource(ff, retarget.DefaultFaceMix())
	te.settled(t, "face attached")
	ff.face <- retarget.Face{
		Expressions: []vrm.ExpressionWeight{{Name: "aa", Weight: 1}},
		Bones:       []retarget.BoneRotation{{Bone: humanoid.Head, Rotation: mgl32.QuatRotate(0.6, mgl32.Vec3{0, 1, 0})}},
	}
	ff.c <- struct{}{}
	te.settled(t, "face")
	w, _ := te.ExpressionWeights(nil)
	av, _ := te.Avatar()
	if i, _ := av.ExpressionIndex("aa"); w[i] != 1 {
		t.Errorf("aa = %v from the face, want 1", w[i])
	}
}

func TestEngineWaitsForTheUI(t *testing.T) {
	// Images the UI has not taken are not drawn over: a stream of packets
	// makes one image, then the engine waits; when the UI takes it, the
	// next image shows the newest packet.
	te := godetteEngine(t, false)
	before := te.Stats().RenderTime.N
	for i := range 20 {
		te.sendPose(t, map[humanoid.Bone]vmc.Transform{humanoid.Head: vmctest.Rot(vmctest.UnityAxisAngle(float64(i), 0, 1, 0))})
		time.Sleep(10 * time.Millisecond)
	}
	testutil.Eventually(t, "20 packets received", func() bool { return te.Status().Receiver.Packets >= 20 })
	time.Sleep(200 * time.Millisecond) // time to draw more, were it to
	if n := te.Stats().RenderTime.N - before; n != 1 {
		t.Errorf("%d images drawn while the UI took none, want 1", n)
	}
	_, first := te.Latest()
	last := te.Scene().Seq()
	_, info := te.waitImage(t, "the newest packet", func(_ *image.RGBA, i FrameInfo) bool { return i.Seq > first.Seq })
	if info.SceneSeq != last {
		t.Errorf("the next image shows scene %d, want the newest, %d", info.SceneSeq, last)
	}
}

func TestEngineRenderScale(t *testing.T) {
	te := godetteEngine(t, false)
	v := te.View()
	v.RenderScale = 0.5
	te.SetView(v)
	img, _ := te.settled(t, "half size")
	if img.Rect != image.Rect(0, 0, testW/2, testH/2) || img.Stride != 4*testW/2 {
		t.Errorf("image %v stride %d at scale 0.5, want %dx%d", img.Rect, img.Stride, testW/2, testH/2)
	}
	for _, tc := range []struct {
		scale        float64
		w, h, rw, rh int
	}{{0, 100, 50, 100, 50}, {1, 100, 50, 100, 50}, {0.75, 100, 50, 75, 38}, {0.1, 100, 50, 25, 13}, {2, 100, 50, 100, 50}, {0.5, 1, 1, 1, 1}} {
		if rw, rh := (View{RenderScale: tc.scale}).quality().renderSize(tc.w, tc.h, 0); rw != tc.rw || rh != tc.rh {
			t.Errorf("scale %v of %dx%d: %dx%d, want %dx%d", tc.scale, tc.w, tc.h, rw, rh, tc.rw, tc.rh)
		}
	}
}

// TestEngineStatusSumsSenders: packets from several sockets at once (liblo's
// oscsend opens a new one per packet) count as one connected stream, with
// the packet rates of every connected sender summed.
func TestEngineStatusSumsSenders(t *testing.T) {
	te := newTestEngine(t)
	bound, _ := te.Addr()
	addr := bound.String()
	var senders []*vmctest.Sender
	for range 3 {
		s, err := vmctest.Dial(context.Background(), addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		senders = append(senders, s)
	}
	var st Status
	testutil.Eventually(t, "3 connected senders", func() bool {
		for i, s := range senders {
			if err := s.Time(float32(i)); err != nil {
				t.Fatal(err)
			}
		}
		st = te.Status()
		return st.Senders == 3 && st.Connected && st.PacketRate > 0
	})
	var sum float64
	for _, s := range st.Receiver.Senders {
		sum += s.PacketRate
	}
	if st.PacketRate != sum {
		t.Fatalf("packet rate %v, want the senders' sum %v", st.PacketRate, sum)
	}
	if st.Sender != st.Receiver.Senders[0].Addr {
		t.Errorf("sender %v, want the most recent %v", st.Sender, st.Receiver.Senders[0].Addr)
	}
}

// TestRenderSizeCap: a HiDPI viewport renders at most MaxPixels, with the
// viewport's aspect ratio.
func TestRenderSizeCap(t *testing.T) {
	for _, tc := range []struct {
		scale        float64
		max          int
		w, h, rw, rh int
	}{
		{1, DefaultMaxPixels, 1280, 720, 1280, 720},
		{1, DefaultMaxPixels, 2560, 1440, 1280, 720}, // FYNE_SCALE=2
		{1, DefaultMaxPixels, 800, 600, 800, 600},
		{0.5, DefaultMaxPixels, 2560, 1440, 1280, 720},
		{0.25, DefaultMaxPixels, 2560, 1440, 640, 360},
		{1, 0, 2560, 1440, 2560, 1440},
		{1, 100, 1000, 10, 100, 1},
	} {
		rw, rh := (View{RenderScale: tc.scale}).quality().renderSize(tc.w, tc.h, tc.max)
		if rw != tc.rw || rh != tc.rh {
			t.Errorf("scale %v, cap %d, %dx%d: %dx%d, want %dx%d", tc.scale, tc.max, tc.w, tc.h, rw, rh, tc.rw, tc.rh)
		}
	}
	if DefaultView().MaxPixels != DefaultMaxPixels {
		t.Error("the default view has no pixel cap")
	}
}

// checkRaisedHand checks the images of av at rest and with arm raised (a
// fresh copy of the engine's avatar, posed independently): the raised hand
// appears where there was background, the hand at rest is gone, and the
// feet do not move. It returns the hand's pixel at rest.
func checkRaisedHand(t *testing.T, te *testEngine, av *vrm.Model, rest, raised *image.RGBA, arm map[humanoid.Bone]vmc.Transform) (rx, ry float64) {
	t.Helper()
	rx, ry = handPixel(t, te, av, nil)
	ux, uy := handPixel(t, te, av, arm)
	if uy >= ry-10 {
		t.Fatalf("test set-up: raised hand at y=%.0f is not above the rest hand at y=%.0f", uy, ry)
	}
	if n := diffIn(rest, raised, around(ux, uy, 3)); n < 20 {
		t.Errorf("only %d of 49 pixels changed where the raised hand is (%.0f, %.0f)", n, ux, uy)
	}
	if n := diffIn(rest, raised, around(rx, ry, 3)); n < 20 {
		t.Errorf("only %d of 49 pixels changed where the hand was at rest (%.0f, %.0f)", n, rx, ry)
	}
	if n := diffIn(rest, raised, image.Rect(0, testH*7/8, testW, testH)); n != 0 {
		t.Errorf("%d pixels changed at the feet", n)
	}
	return rx, ry
}
