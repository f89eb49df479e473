package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap/ifmtest"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/retarget/face"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

// tab returns the content of the tab titled name.
func tab(t *testing.T, u *ui, name string) fyne.CanvasObject {
	t.Helper()
	for _, it := range u.tabs.Items {
		if it.Text == name {
			return it.Content
		}
	}
	t.Fatalf("no tab %q", name)
	return nil
}

// ifmFixture returns a real iFacialMocap frame from
// ../shared/fixtures/ifacialmocap (its final newline dropped), or skips the
// test when the folder is missing (testutil.SharedFixtures).
func ifmFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.SharedFixtures(t, "ifacialmocap"), name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

func startFakePhone(t *testing.T, cfg ifmtest.Config) *ifmtest.Phone {
	t.Helper()
	if cfg.Interval == 0 {
		cfg.Interval = 10 * time.Millisecond
	}
	return ifmtest.StartT(t, cfg)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// quietLogs keeps the client's connection log lines out of the test output.
func quietLogs(t *testing.T) {
	t.Helper()
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
}

func TestIFMTabBesideVMC(t *testing.T) {
	u := newTestUI(t)
	if u.tabs.Items[0].Text != "VMC" || u.tabs.Items[1].Text != ifmTabName {
		t.Errorf("tabs %q, %q: want VMC then %s", u.tabs.Items[0].Text, u.tabs.Items[1].Text, ifmTabName)
	}
	tb := tab(t, u, ifmTabName)
	wantText(t, tb, "Not connected", "Phone IP", "Transport", "Format", "Tracking", "Mixing with VMC", "Blendshapes")
	for _, b := range []string{"Connect", "Calibrate (neutral face)", "Look forward", "Fetch recording…"} {
		findButton(t, tb, b)
	}
	// The face source is attached with the saved mix (the defaults).
	if m := u.engine.FaceMix(); m != retarget.DefaultFaceMix() {
		t.Errorf("engine mix %+v, want %+v", m, retarget.DefaultFaceMix())
	}
}

func TestIFMTabShowsStatus(t *testing.T) {
	u := newTestUI(t)
	tb := tab(t, u, ifmTabName)
	st := ifacialmocap.Status{Phone: "192.168.1.23:49983", Mode: ifacialmocap.ModeUDP, V2: true, Connected: true, FPS: 59.6,
		Received: 1234, Malformed: 2, Dropped: 3, Ignored: 1}
	u.ifmUpdate(st, true)
	wantText(t, tb, "Receiving · 60 fps · UDP v2", "Face tracked", "1234 received · 2 malformed · 1 from other addresses · 3 replaced before drawing")
	if u.ifmp.light.FillColor != lightOn {
		t.Errorf("light %v, want on", u.ifmp.light.FillColor)
	}
	if findButton(t, tb, "Disconnect") == nil {
		t.Error("no Disconnect button while connected")
	}
	// Tracking lost; then silence with the client's checklist.
	st.TrackingLost = true
	u.ifmUpdate(st, true)
	wantText(t, tb, "Face lost: the phone cannot see your face")
	st.Connected, st.FPS = false, 0
	st.Err = &ifacialmocap.NoDataError{Phone: st.Phone, Mode: ifacialmocap.ModeUDP, Local: "0.0.0.0:49983", For: 6 * time.Second}
	u.ifmUpdate(st, true)
	wantText(t, tb, "No data from the phone", "no data from the phone at 192.168.1.23 for 6 s",
		"Local Network allows iFacialMocap", "firewall", "try TCP mode")
	if u.ifmp.light.FillColor != lightBad {
		t.Errorf("light %v with a problem, want red", u.ifmp.light.FillColor)
	}
	// A passing error stays a few seconds.
	st.Err, st.Connected = nil, true
	st.LastError, st.LastErrorAt = ifacialmocap.ErrManyEquals, time.Now()
	u.ifmUpdate(st, true)
	wantText(t, tb, "Last error: frame has more than one '='")
	u.ifmUpdate(ifacialmocap.Status{}, false)
	wantText(t, tb, "Not connected", "—")
}

func TestIFMConnectPortInUse(t *testing.T) {
	quietLogs(t)
	held, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	u := newTestUI(t)
	tb := tab(t, u, ifmTabName)
	u.set.ifm.phone.Set("127.0.0.1")
	u.set.ifm.listenUDP.Set(held.LocalAddr().String())
	test.Tap(findButton(t, tb, "Connect"))
	_, port, _ := net.SplitHostPort(held.LocalAddr().String())
	wantText(t, tb, "Cannot connect: UDP port "+port+" is already in use", "another iFacialMocap receiver")
	if u.ifm.Connected() || findButton(t, tb, "Connect") == nil || u.ifmp.light.FillColor != lightBad {
		t.Errorf("after a failed connect: connected %v, light %v", u.ifm.Connected(), u.ifmp.light.FillColor)
	}
	if on, _ := u.set.ifm.connected.Get(); on {
		t.Error("a failed connect is remembered as connected")
	}
	// No address: say where to find it.
	u.set.ifm.phone.Set(" ")
	test.Tap(findButton(t, tb, "Connect"))
	wantText(t, tb, "enter the phone's IP address")
}

func TestIFMConnectToFakePhone(t *testing.T) {
	quietLogs(t)
	frame := ifmFixture(t, "v1_hapihapi.txt")
	// The ignored hapihapi field alternates so that the stream is not frozen.
	phone := startFakePhone(t, ifmtest.Config{Frames: []string{frame, strings.Replace(frame, "hapihapi-0", "hapihapi-1", 1)}})
	u := newTestUI(t)
	tb := tab(t, u, ifmTabName)
	u.set.ifm.phone.Set(phone.Addr())
	u.set.ifm.listenUDP.Set("127.0.0.1:0")
	findSelectByOptions(t, tb, formatChoices).SetSelected("v2")
	test.Tap(findButton(t, tb, "Connect"))
	if !u.ifm.Connected() {
		t.Fatalf("not connected: %s", texts(tb))
	}
	waitFor(t, "frames", func() bool { st, _ := u.ifm.Status(); return st.Connected })
	u.tabs.SelectIndex(1)
	var ps ifmPollState
	u.ifmTick(&ps)
	wantText(t, tb, "Receiving", "UDP v2", "Face tracked")
	// The bars show the frame's values.
	var want ifacialmocap.Frame
	if err := ifacialmocap.ParseString(frame, &want); err != nil {
		t.Fatal(err)
	}
	if u.ifmp.bars.values != want.Blendshapes {
		t.Errorf("bars %v, want %v", u.ifmp.bars.values, want.Blendshapes)
	}
	// While connected the address, transport and format are locked; the
	// connection is remembered for the next start.
	for _, w := range u.ifmp.locked {
		if !w.Disabled() {
			t.Errorf("%T editable while connected", w)
		}
	}
	if on, _ := u.set.ifm.connected.Get(); !on || u.app.Preferences().String(prefIFMPhone) != phone.Addr() {
		t.Error("the connection and the phone address are not saved")
	}

	test.Tap(findButton(t, tb, "Calibrate (neutral face)"))
	wantText(t, tb, "Calibrated: this is your neutral face and pose")
	if c := u.set.ifm.calibration(); !c.Valid || c.HeadRotation != want.HeadRotation || c != u.ifm.Calibration() {
		t.Errorf("saved calibration %+v, want the frame's head %v", c, want.HeadRotation)
	}
	test.Tap(findButton(t, tb, "Look forward"))
	waitFor(t, "lookForward", func() bool { return phone.Count(ifacialmocap.CommandLookForward) == 1 })
	wantText(t, tb, "Asked the phone to look forward")

	test.Tap(findButton(t, tb, "Disconnect"))
	waitFor(t, "the stop command", func() bool { return phone.Count(ifacialmocap.CommandStop) >= 1 })
	wantText(t, tb, "Not connected")
	if on, _ := u.set.ifm.connected.Get(); on || u.ifm.Connected() {
		t.Error("still connected after Disconnect")
	}
	for _, w := range u.ifmp.locked {
		if w.Disabled() {
			t.Errorf("%T locked after Disconnect", w)
		}
	}
	test.Tap(findButton(t, tb, "Forget calibration"))
	if u.set.ifm.calibration().Valid || u.ifm.Calibration().Valid {
		t.Error("calibration not forgotten")
	}

	// The next start reconnects, with the saved calibration.
	u.set.ifm.connected.Set(true)
	test.Tap(findButton(t, tb, "Calibrate (neutral face)")) // not connected: explained
	wantText(t, tb, "Cannot calibrate")
	u2 := newUI(u.app, Options{})
	t.Cleanup(u2.stop)
	u2.ifmReconnect()
	if !u2.ifm.Connected() {
		t.Errorf("not reconnected at start: %s", texts(tab(t, u2, ifmTabName)))
	}
	if o := u2.set.ifm.options(); !o.V2 {
		t.Error("the v2 format was not remembered")
	}
}

// findSelectByOptions finds the radio group offering choices.
func findSelectByOptions(t *testing.T, root fyne.CanvasObject, choices []string) *widget.RadioGroup {
	t.Helper()
	for _, o := range objects(root) {
		if r, ok := o.(*widget.RadioGroup); ok && len(r.Options) == len(choices) && r.Options[0] == choices[0] {
			return r
		}
	}
	t.Fatalf("no radio group with %v", choices)
	return nil
}

func TestIFMOptionsReachTheSource(t *testing.T) {
	u := newTestUI(t)
	tb := tab(t, u, ifmTabName)
	if st := u.ifm.Settings(); st != face.DefaultSettings() {
		t.Fatalf("initial settings %+v, want the defaults %+v", st, face.DefaultSettings())
	}
	for _, label := range []string{"Mirror the face (move like my reflection)", "Head yaw", "Eye pitch", "Position Z",
		"The chest follows the head a little", "Head position moves the upper body (calibrate first)",
		"Smile and surprise drive happy and surprised", "Eyes"} {
		test.Tap(findCheck(t, tb, label))
	}
	findSelect(t, tb, labels(mappingChoices)).SetSelected(mappingChoices[2].label)
	findSelectByOptions(t, tb, transportChoices).SetSelected("TCP")
	u.set.ifm.smoothing.Set(120)
	u.set.ifm.faceWeight.Set(70)
	u.set.ifm.vmcWeight.Set(40)

	want := face.DefaultSettings()
	want.Mode, want.Mirror, want.Emotions = face.MappingPresets, true, false
	want.Invert.HeadYaw, want.Invert.EyePitch, want.Invert.PositionZ = true, true, true
	want.ChestShare, want.HeadPositionScale, want.Smoothing = chestFollowShare, 1, 0.12
	if st := u.ifm.Settings(); st != want {
		t.Errorf("source settings\n%+v\nwant\n%+v", st, want)
	}
	if m := u.engine.FaceMix(); m != (retarget.FaceMix{FaceWeight: 0.7, VMCWeight: 0.4, Head: true, Eyes: false}) {
		t.Errorf("engine mix %+v", m)
	}
	wantText(t, tb, "70 %", "40 %", "120 ms")
	if o := u.set.ifm.options(); o.Mode != ifacialmocap.ModeTCP {
		t.Errorf("transport %v, want TCP", o.Mode)
	}
	// They persist: a new window on the same preferences applies them.
	u2 := newUI(u.app, Options{})
	t.Cleanup(u2.stop)
	if st := u2.ifm.Settings(); st != want {
		t.Errorf("reloaded settings\n%+v\nwant\n%+v", st, want)
	}
	if m := u2.engine.FaceMix(); m != u.engine.FaceMix() {
		t.Errorf("reloaded mix %+v, want %+v", m, u.engine.FaceMix())
	}
}

func TestIFMShowsWhatAutoChose(t *testing.T) {
	u := newTestUI(t)
	tb := tab(t, u, ifmTabName)
	wantText(t, tb, "No avatar yet.")
	def, err := vrm.Load(bytes.NewReader(assets.DefaultVRM()))
	if err != nil {
		t.Fatal(err)
	}
	u.avatarShown(def, marionette.Source{Name: "default", Default: true})
	wantText(t, tb, "Automatic chose Perfect Sync for this avatar: it has 52 of the 52 ARKit expressions.")
	godettePath := godettePath(t)
	godette, err := vrm.LoadFile(godettePath)
	if err != nil {
		t.Fatal(err)
	}
	u.avatarShown(godette, marionette.Source{Path: godettePath, Name: "Godette.vrm"})
	wantText(t, tb, "Automatic chose VRM presets (blinks, aa/ih/ou/ee/oh, happy, surprised) for this avatar: it has no ARKit expressions.")
	findSelect(t, tb, labels(mappingChoices)).SetSelected(mappingChoices[1].label)
	wantText(t, tb, "Perfect Sync for this avatar (it has no ARKit expressions). Only the head and eyes will move.")
}

func TestIFMFetchRecording(t *testing.T) {
	quietLogs(t)
	frames := []string{ifmFixture(t, "v1_official_sample.txt"), ifmFixture(t, "v1_hapihapi.txt")}
	bake := ifmtest.FreeTCPPort(t)
	phone := startFakePhone(t, ifmtest.Config{Frames: frames, BakePort: bake})
	u := newTestUI(t)
	tb := tab(t, u, ifmTabName)
	u.set.ifm.phone.Set(phone.Addr())
	u.set.ifm.listenBak.Set("127.0.0.1:" + strconv.Itoa(bake))

	// The button asks where to save.
	test.Tap(findButton(t, tb, "Fetch recording…"))
	if u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no save dialog")
	}
	u.win.Canvas().Overlays().Top().Hide()

	// Not connected: the recording is fetched from the phone in the field.
	path := filepath.Join(t.TempDir(), "rec.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	u.fetchRecording(f, path, func() { os.Remove(path) })
	u.background.Wait()
	wantText(t, tb, "Saved the recording (", "bytes) to "+path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := json.Unmarshal(b, &got); err != nil || len(got) != 2 || got[0] != frames[0] || got[1] != frames[1] {
		t.Errorf("saved %q (%v), want the phone's two frames", b, err)
	}
	// A taken bake port: the message says so.
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	u.set.ifm.listenBak.Set(held.Addr().String())
	failed := filepath.Join(t.TempDir(), "failed.json")
	f, _ = os.Create(failed)
	u.fetchRecording(f, failed, func() { os.Remove(failed) })
	u.background.Wait()
	wantText(t, tb, "Could not fetch the recording: TCP port")
	if _, err := os.Stat(failed); !os.IsNotExist(err) {
		t.Errorf("the failed fetch left its file behind (%v)", err)
	}
}

func TestShapeBars(t *testing.T) {
	test.NewTempApp(t)
	b := newShapeBars()
	w := test.NewTempWindow(t, b)
	w.Resize(fyne.NewSize(600, 600))
	var v [arkit.Count]float32
	v[arkit.JawOpen], v[arkit.EyeBlinkLeft], v[arkit.MouthSmileRight] = 0.5, 1, float32(nan())
	if !b.set(&v) {
		t.Fatal("set reports nothing moved")
	}
	r := b.r
	full := r.tracks[arkit.JawOpen].Size().Width
	if got := r.fills[arkit.JawOpen].Size().Width; full <= 0 || got != full/2 {
		t.Errorf("jawOpen bar %v of %v, want half", got, full)
	}
	if got := r.fills[arkit.EyeBlinkLeft].Size().Width; got != full {
		t.Errorf("eyeBlinkLeft bar %v, want full %v", got, full)
	}
	if got := r.fills[arkit.MouthSmileRight].Size().Width; got != 0 {
		t.Errorf("NaN bar %v, want empty", got)
	}
	// Moves below the step redraw nothing.
	v[arkit.JawOpen] = 0.502
	if b.set(&v) {
		t.Error("a 0.002 change redrew")
	}
	wantText(t, b, "eyeBlinkLeft", "jawOpen", "tongueOut")
	if ms := b.MinSize(); ms.Height <= 0 || ms.Width <= 2*shapeBarMin {
		t.Errorf("min size %v", ms)
	}
}

func nan() float64 { return math.NaN() }

func TestIFMConnectByHostName(t *testing.T) {
	// A host name is resolved off the UI goroutine; the outcome shows when
	// it is done.
	quietLogs(t)
	frame := ifmFixture(t, "v1_official_sample.txt")
	phone := startFakePhone(t, ifmtest.Config{Frames: []string{frame}})
	_, port, _ := net.SplitHostPort(phone.Addr())
	u := newTestUI(t)
	tb := tab(t, u, ifmTabName)
	u.set.ifm.phone.Set("localhost:" + port)
	u.set.ifm.listenUDP.Set("127.0.0.1:0")
	test.Tap(findButton(t, tb, "Connect"))
	u.background.Wait()
	if !u.ifm.Connected() {
		t.Fatalf("not connected to localhost: %s", texts(tb))
	}
	u.set.ifm.phone.Set("no-such-host.invalid")
	u.ifmDisconnect()
	test.Tap(findButton(t, tb, "Connect"))
	u.background.Wait()
	wantText(t, tb, `Cannot connect: phone address "no-such-host.invalid"`)
}

// TestIFMButtonsStayPut: status lines that appear and wrap do not move the
// buttons (a misclick on Calibrate otherwise).
func TestIFMButtonsStayPut(t *testing.T) {
	u := newTestUI(t)
	u.tabs.SelectIndex(1)
	tb := tab(t, u, ifmTabName)
	pos := func() []fyne.Position {
		ps := []fyne.Position{fyne.CurrentApp().Driver().AbsolutePositionForObject(u.ifmp.button)}
		for _, name := range []string{"Calibrate (neutral face)", "Look forward", "Fetch recording…"} {
			b := findButton(t, tb, name)
			ps = append(ps, fyne.CurrentApp().Driver().AbsolutePositionForObject(b))
		}
		return ps
	}
	before := pos()
	st := ifacialmocap.Status{Phone: "192.168.1.23:49983", Mode: ifacialmocap.ModeUDP}
	st.Err = &ifacialmocap.NoDataError{Phone: st.Phone, Mode: ifacialmocap.ModeUDP, Local: "0.0.0.0:49983", For: 6 * time.Second}
	u.ifmUpdate(st, true)
	u.ifmp.note.Set("Calibrated: this is your neutral face and pose (head 1°, 2°, 3°), and a long line that wraps over several lines of the narrow panel.")
	u.win.Content().Refresh()
	after := pos()
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("button %d moved from %v to %v as status lines appeared", i, before[i], after[i])
		}
	}
}
