package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/app/view"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm"
)

// godettePath returns the path of ../shared/models/Godette.vrm, or skips
// the test when the sample models are missing (testutil.SharedModel).
func godettePath(t testing.TB) string {
	t.Helper()
	return testutil.SharedModel(t, "Godette.vrm")
}

// newTestUI builds the window on a test app. Nothing runs in the
// background: start (poller, loads) is not called.
func newTestUI(t *testing.T) *ui {
	t.Helper()
	a := test.NewTempApp(t)
	u := newUI(a, Options{Version: "test"})
	t.Cleanup(u.stop)
	u.win.Resize(fyne.NewSize(1280, 720))
	return u
}

// objects returns every laid-out object under o.
func objects(o fyne.CanvasObject) []fyne.CanvasObject { return test.LaidOutObjects(o) }

// findCheck finds the check box labelled text.
func findCheck(t *testing.T, root fyne.CanvasObject, text string) *widget.Check {
	t.Helper()
	for _, o := range objects(root) {
		if c, ok := o.(*widget.Check); ok && c.Text == text {
			return c
		}
	}
	t.Fatalf("no check box %q", text)
	return nil
}

// findButton finds the button labelled text.
func findButton(t *testing.T, root fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, o := range objects(root) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// findSelect finds the select showing one of choices.
func findSelect(t *testing.T, root fyne.CanvasObject, choices []string) *widget.Select {
	t.Helper()
	for _, o := range objects(root) {
		if s, ok := o.(*widget.Select); ok && len(s.Options) == len(choices) && s.Options[0] == choices[0] {
			return s
		}
	}
	t.Fatalf("no select with %v", choices)
	return nil
}

// texts returns the text of every label under root.
func texts(root fyne.CanvasObject) string {
	var b strings.Builder
	for _, o := range objects(root) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.Hyperlink:
			b.WriteString(w.Text + "\n")
		case *canvas.Text:
			b.WriteString(w.Text + "\n")
		}
	}
	return b.String()
}

func wantText(t *testing.T, root fyne.CanvasObject, want ...string) {
	t.Helper()
	got := texts(root)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("no label says %q; labels:\n%s", w, got)
		}
	}
}

func TestVMCTabShowsStatus(t *testing.T) {
	u := newTestUI(t)
	tab := u.tabs.Items[0].Content
	st := marionette.Status{
		Connected: true, Sender: netip.MustParseAddrPort("192.168.1.20:50123"), PacketRate: 59.6, Errors: 3,
		Receiver:  vmc.Status{Malformed: 1, Rejected: 2},
		Available: vmc.Availability{Loaded: true, Calibration: vmc.Calibrated, Mode: vmc.CalibrationMRNormal, HasCalibration: true, TrackingOK: true, HasTracking: true, Received: true},
		Time:      123.456, TimeReceived: true, Hidden: true,
		Stats: marionette.Stats{FPS: 59.9},
	}
	u.live.update(&st)
	wantText(t, tab, "Receiving", "192.168.1.20:50123", "60 packets/s", "3 (1 malformed, 2 rejected)",
		"avatar loaded · calibrated (MR normal) · tracking OK", "123.46 s", "hidden until the Performer is calibrated")
	wantText(t, u.win.Content(), "60 fps") // status bar
	for _, l := range u.live.lights {
		if l.FillColor != lightOn {
			t.Errorf("receiving light %v, want on", l.FillColor)
		}
	}
	// Datagrams the kernel dropped under a flood count as errors.
	st.Errors, st.Receiver.Dropped = 1003, 1000
	u.live.update(&st)
	wantText(t, tab, "1003 (1 malformed, 2 rejected, 1000 lost: receive buffer full)")
	// Several senders at once (oscsend uses a new socket per packet).
	st.Senders = 3
	u.live.update(&st)
	wantText(t, tab, "192.168.1.20:50123 (+2 more)")
	// 0.5 s without data: the light goes out.
	st.Connected, st.PacketRate, st.Senders = false, 0, 0
	u.live.update(&st)
	wantText(t, tab, "No data", "0 packets/s")
	for _, l := range u.live.lights {
		if l.FillColor == lightOn {
			t.Error("receiving light still on")
		}
	}
}

func TestOptionsReachTheEngine(t *testing.T) {
	u := newTestUI(t)
	tab := u.tabs.Items[0].Content
	// The app's defaults: the engine's, with the idle layer on (issue 15).
	def := marionette.DefaultOptions()
	def.Presence = marionette.DefaultPresence()
	def.Jitter = marionette.Jitter{Auto: true, Delay: 30 * time.Millisecond}
	if o := u.engine.Options(); o != def {
		t.Fatalf("initial options %+v, want the defaults %+v", o, def)
	}
	for _, label := range []string{"Mirror the Performer", "Apply root position", "Apply MR scale and offset", "Fingers", "Eyes",
		"Hide the avatar while uncalibrated", "Use the Performer's light", "Use the Performer's camera"} {
		test.Tap(findCheck(t, tab, label))
	}
	findSelect(t, tab, labels(positionChoices)).SetSelected(positionChoices[2].label)
	u.set.boneSmooth.Set(120)
	o := u.engine.Options()
	want := def
	want.Mirror, want.RootPosition, want.MRScaleOffset = true, false, true
	want.Cut = retarget.CutFingers | retarget.CutEyes
	want.HideUncalibrated, want.PerformerLight, want.PerformerCamera = true, false, true
	want.Positions = retarget.PositionsNone
	want.BoneSmoothing = 120 * time.Millisecond
	if o != want {
		t.Errorf("engine options\n%+v\nwant\n%+v", o, want)
	}
	// They persist.
	p := u.app.Preferences()
	if !p.Bool(prefMirror) || p.Bool(prefRootPosition) || p.String(prefPositions) != "none" || p.Float(prefBoneSmooth) != 120 {
		t.Error("options not saved in the preferences")
	}
	// The toolbar's camera toggle is the same option.
	test.Tap(findCheck(t, u.win.Content(), "Performer's camera"))
	if u.engine.Options().PerformerCamera {
		t.Error("the toolbar toggle did not turn the Performer's camera off")
	}
}

func TestAutoLoadOffByDefault(t *testing.T) {
	u := newTestUI(t)
	if u.engine.AutoLoad() || findCheck(t, u.tabs.Items[0].Content, "Load the avatar the Performer announces").Checked {
		t.Fatal("auto-load is on by default")
	}
	test.Tap(findCheck(t, u.tabs.Items[0].Content, "Load the avatar the Performer announces"))
	if !u.engine.AutoLoad() {
		t.Error("the check box did not turn auto-load on")
	}
}

func TestSavedOptionsLoad(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefMirror, true)
	a.Preferences().SetString(prefQuality, "fast")
	u := newUI(a, Options{})
	t.Cleanup(u.stop)
	if !u.engine.Options().Mirror || u.engine.View().AA != render.AAOff {
		t.Errorf("saved settings not applied: %+v %+v", u.engine.Options(), u.engine.View())
	}
}

func TestViewTabReachesTheEngine(t *testing.T) {
	u := newTestUI(t)
	tab := tab(t, u, "View")
	if !u.engine.View().AdaptiveQuality {
		t.Error("adaptive quality is not the default")
	}
	findSelect(t, tab, labels(qualityChoices)).SetSelected(labelOf(qualityChoices, "fast"))
	findSelect(t, tab, labels(resolutionChoices)).SetSelected(resolutionChoices[2].label)
	test.Tap(findCheck(t, tab, "Outlines (MToon)"))
	test.Tap(findCheck(t, tab, "Spring bones (hair, cloth)"))
	u.set.background.Set("#102030")
	u.set.lightYaw.Set(90)
	v := u.engine.View()
	if v.AA != render.AAOff || v.AdaptiveQuality || v.RenderScale != 0.5 || v.Outlines || v.SpringBones || v.Background.R != 0x10 || v.Background.B != 0x30 || v.LightYaw != 90 {
		t.Errorf("engine view %+v", v)
	}
	test.Tap(findButton(t, tab, "Reset view settings"))
	def := marionette.DefaultView()
	def.AdaptiveQuality = true
	if v := u.engine.View(); v != def {
		t.Errorf("after reset %+v, want the defaults %+v", v, def)
	}
	// Show FPS shows the overlay.
	var overlay *widget.Label
	for _, o := range objects(u.win.Content()) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "fps · render") {
			overlay = l
		}
	}
	if overlay == nil || overlay.Visible() {
		t.Fatal("the FPS overlay is missing or shown by default")
	}
	test.Tap(findCheck(t, tab, "Show frame rate and latency"))
	if !overlay.Visible() {
		t.Error("Show FPS did not show the overlay")
	}
}

// TestViewTabShowsQuality: with adaptive quality the Resolution choice is
// the engine's (disabled), and the tab shows the quality in use.
func TestViewTabShowsQuality(t *testing.T) {
	u := newTestUI(t)
	tab := tab(t, u, "View")
	res := findSelect(t, tab, labels(resolutionChoices))
	if !res.Disabled() {
		t.Error("Resolution is enabled with adaptive quality")
	}
	findSelect(t, tab, labels(qualityChoices)).SetSelected(labelOf(qualityChoices, "aa4x"))
	if res.Disabled() {
		t.Error("Resolution is disabled with a pinned quality")
	}
	st := marionette.Status{}
	st.Stats.Quality = marionette.Quality{AA: render.AAOff, Scale: 0.75}
	u.live.update(&st)
	wantText(t, tab, "no anti-aliasing, 75 % size")
}

func TestStartStop(t *testing.T) {
	u := newTestUI(t)
	u.set.host.Set("127.0.0.1")
	u.set.port.Set(0)
	u.listen()
	tab := u.tabs.Items[0].Content
	if _, on := u.engine.Addr(); !on {
		t.Fatal("not listening")
	}
	wantText(t, tab, "Listening on UDP 127.0.0.1:")
	test.Tap(findButton(t, tab, "Stop"))
	if _, on := u.engine.Addr(); on {
		t.Error("still listening after Stop")
	}
	wantText(t, tab, "Not listening")
	test.Tap(findButton(t, tab, "Start"))
	if _, on := u.engine.Addr(); !on {
		t.Error("not listening after Start")
	}
	// A taken port is explained.
	addr, _ := u.engine.Addr()
	u2 := newTestUI(t)
	u2.set.host.Set("127.0.0.1")
	u2.set.port.Set(int(addr.Port()))
	u2.listen()
	tab2 := u2.tabs.Items[0].Content
	wantText(t, tab2, "another program")
	// Not bound: the button offers Start and the status says so (not
	// "Waiting for a Performer").
	findButton(t, tab2, "Start")
	if got, _ := u2.live.receiving.Get(); got != "Not listening" {
		t.Errorf("status %q while the port is taken", got)
	}
	// Return in the port entry rebinds on the port typed.
	var portEntry *widget.Entry
	for _, o := range objects(tab2) {
		if e, ok := o.(*widget.Entry); ok && e.Text == strconv.Itoa(int(addr.Port())) {
			portEntry = e
		}
	}
	if portEntry == nil {
		t.Fatal("no port entry")
	}
	portEntry.SetText("0")
	portEntry.OnSubmitted(portEntry.Text)
	if _, on := u2.engine.Addr(); !on {
		t.Fatal("Return in the port entry did not rebind")
	}
	findButton(t, tab2, "Stop")
	if got, _ := u2.live.sendTo.Get(); !strings.Contains(got, "127.0.0.1:") {
		t.Errorf("Send to %q, want the bound address", got)
	}
}

func TestListenFlag(t *testing.T) {
	for in, want := range map[string]string{"127.0.0.1:40000": "127.0.0.1:40000", ":39540": "0.0.0.0:39540", "[::1]:5": "[::1]:5"} {
		host, port, err := splitListen(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		s := newSettings(test.NewTempApp(t).Preferences())
		s.host.Set(host)
		s.port.Set(port)
		if got := s.listenAddr(); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"nohost", "1.2.3.4:x", "1.2.3.4:70000"} {
		if _, _, err := splitListen(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestAvatarTabShowsMeta(t *testing.T) {
	u := newTestUI(t)
	godette := godettePath(t)
	av, err := vrm.LoadFile(godette)
	if err != nil {
		t.Fatal(err)
	}
	u.avatarShown(av, marionette.Source{Path: godette, Name: "Godette.vrm"})
	tab := u.avatarHolder.Content
	// Meta prominently, every licence field; CC-BY credit in the status bar.
	wantText(t, tab, "Low-Poly Godette", "by SirRichard94", "Version 0.21", "CC-BY",
		"https://creativecommons.org/licenses/by/4.0/", "required: credit the author", "personal, including profit",
		"allowed, including redistribution", "Adapted to VRM by Lyuma", "17 expressions", "blinkLeft",
		"humanoid bones")
	wantText(t, u.win.Content(), "Avatar: Low-Poly Godette by SirRichard94 · CC-BY")
	if u.win.Title() != "Kugutsu — Low-Poly Godette" {
		t.Errorf("title %q", u.win.Title())
	}
	if len(u.exprBars) != len(av.Expressions) {
		t.Fatalf("%d bars for %d expressions", len(u.exprBars), len(av.Expressions))
	}
	var bars []*widget.ProgressBar
	for _, o := range objects(tab) {
		if b, ok := o.(*widget.ProgressBar); ok {
			bars = append(bars, b)
		}
	}
	if len(bars) != len(av.Expressions) {
		t.Fatalf("%d progress bars, want %d", len(bars), len(av.Expressions))
	}
	i, _ := av.ExpressionIndex("blink")
	u.exprBars[i].Set(0.75)
	if bars[i].Value != 0.75 {
		t.Errorf("blink bar shows %v, want 0.75", bars[i].Value)
	}
}

func TestViewportControls(t *testing.T) {
	u := newTestUI(t)
	c := u.win.Canvas()
	u.win.Resize(fyne.NewSize(1280, 720))
	v := u.view
	o := u.engine.Orbit()
	centre := fyne.NewPos(v.Size().Width/2, v.Size().Height/2)
	// Drag orbits.
	v.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary})
	test.Drag(c, v.Position().Add(centre), 100, 0)
	v.MouseUp(&desktop.MouseEvent{})
	if got := u.engine.Orbit(); got.Yaw >= o.Yaw || got.Target != o.Target {
		t.Errorf("drag right: orbit %+v, was %+v; want the camera turned (yaw down)", got, o)
	}
	// Shift-drag pans.
	o = u.engine.Orbit()
	v.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, Modifier: fyne.KeyModifierShift})
	test.Drag(c, v.Position().Add(centre), 50, 0)
	v.MouseUp(&desktop.MouseEvent{})
	if got := u.engine.Orbit(); got.Target == o.Target || got.Yaw != o.Yaw {
		t.Errorf("shift-drag: orbit %+v, was %+v; want the target moved", got, o)
	}
	// Secondary drag pans (fyne sends it as mouse moves).
	o = u.engine.Orbit()
	v.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary, PointEvent: fyne.PointEvent{Position: centre}})
	v.MouseMoved(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary, PointEvent: fyne.PointEvent{Position: centre.AddXY(0, 40)}})
	// Dragging down moves the view's target up, so the avatar follows the pointer down.
	if got := u.engine.Orbit(); got.Target[1] <= o.Target[1] {
		t.Errorf("secondary drag down: target %v, was %v; want it higher", got.Target, o.Target)
	}
	v.MouseUp(&desktop.MouseEvent{})
	// The wheel zooms.
	o = u.engine.Orbit()
	test.Scroll(c, v.Position().Add(centre), 0, 100)
	if got := u.engine.Orbit(); got.Distance >= o.Distance {
		t.Errorf("scroll up: distance %v, was %v; want closer", got.Distance, o.Distance)
	}
	// A double click frames the avatar again (from the front).
	test.DoubleTap(v)
	u.engine.Resize(64, 48)
	deadline := time.Now().Add(5 * time.Second)
	for u.engine.Orbit().Yaw != 0 && time.Now().Before(deadline) {
		u.engine.Latest()
		time.Sleep(5 * time.Millisecond)
	}
	if got := u.engine.Orbit(); got.Yaw != 0 {
		t.Errorf("after double click: yaw %v, want 0", got.Yaw)
	}
}

func TestViewportHandsFyneTheEngineImage(t *testing.T) {
	u := newTestUI(t)
	// Before the first image: a blank pixel, never nil.
	if img := u.view.generate(64, 48); img == nil {
		t.Fatal("nil image")
	}
	if w, h := u.engine.Size(); w != 64 || h != 48 {
		t.Errorf("engine size %dx%d, want the generator's 64x48", w, h)
	}
	var img image.Image
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if img = u.view.generate(64, 48); img.Bounds().Dx() == 64 {
			break
		}
	}
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Rect != image.Rect(0, 0, 64, 48) || rgba.Stride != 64*4 {
		t.Errorf("generator gave %T %v: want a tightly packed 64x48 *image.RGBA", img, img.Bounds())
	}
}

func TestDropAndRecent(t *testing.T) {
	u := newTestUI(t)
	u.set.addRecent("/a/one.vrm")
	u.set.addRecent("/b/two.vrm")
	u.set.addRecent("/a/one.vrm")
	if got := u.set.recent(); len(got) != 2 || got[0] != "/a/one.vrm" || got[1] != "/b/two.vrm" {
		t.Errorf("recent %v", got)
	}
	if u.app.Preferences().String(prefLastVRM) != "/a/one.vrm" {
		t.Error("last VRM not saved")
	}
	for i := range 12 {
		u.set.addRecent("/x/" + string(rune('a'+i)) + ".vrm")
	}
	if n := len(u.set.recent()); n != maxRecent {
		t.Errorf("%d recent files kept, want %d", n, maxRecent)
	}
	menu := u.makeMainMenu()
	var recent *fyne.MenuItem
	for _, it := range menu.Items[0].Items {
		if it.Label == "Open Recent" {
			recent = it
		}
	}
	if recent == nil || len(recent.ChildMenu.Items) < maxRecent {
		t.Fatalf("Open Recent menu %+v", recent)
	}
	if !strings.HasPrefix(recent.ChildMenu.Items[0].Label, "l.vrm") {
		t.Errorf("first recent item %q", recent.ChildMenu.Items[0].Label)
	}
}

func TestAboutCredits(t *testing.T) {
	s := aboutText("1.2.3", "Shown now: Low-Poly Godette by SirRichard94 · CC-BY")
	for _, want := range []string{"Kugutsu 1.2.3", "MIT", "CC0", "Kugutsu project", "Low-Poly Godette by SirRichard94",
		"Fyne", "BSD-3-Clause", "qmuntal/gltf", "google/gopacket"} {
		if !strings.Contains(s, want) {
			t.Errorf("About does not mention %q:\n%s", want, s)
		}
	}
}

// topOverlayText returns the labels of the window's top overlay (a dialog).
func topOverlayText(t *testing.T, u *ui) string {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog shown")
	}
	var b strings.Builder
	for _, o := range objects(top) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.RichText:
			b.WriteString(w.String() + "\n")
		}
	}
	return b.String()
}

func TestLoadErrorDialogKeepsAvatar(t *testing.T) {
	u := newTestUI(t)
	u.loadEvent(marionette.LoadEvent{Source: marionette.Source{Name: "broken.vrm"}, Stage: marionette.LoadReading, Fraction: 0.5})
	if !u.loading.Visible() {
		t.Error("no progress shown while loading")
	}
	wantText(t, u.loading, "Loading broken.vrm — reading")
	err := &vrm.FormatError{Element: "accessor 12", Msg: "count 2000000000 exceeds buffer view 3"}
	u.loadEvent(marionette.LoadEvent{Source: marionette.Source{Path: "/models/broken.vrm", Name: "broken.vrm"}, Stage: marionette.LoadFailed, Err: err})
	// (With no avatar shown the default one starts loading at once, in the
	// background, and may show its own progress: only the failed load's
	// must be gone.)
	if text, _ := u.loadingText.Get(); u.loading.Visible() && strings.Contains(text, "broken.vrm") {
		t.Error("progress still shown after the failure")
	}
	msg := topOverlayText(t, u)
	for _, want := range []string{"/models/broken.vrm", "accessor 12", "Showing the default avatar instead"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error dialog does not say %q:\n%s", want, msg)
		}
	}
}

func TestAutoLoadAsksWithThePath(t *testing.T) {
	u := newTestUI(t)
	u.askAutoLoad("/home/vtuber/Avatars/Main.vrm")
	if msg := topOverlayText(t, u); !strings.Contains(msg, "/home/vtuber/Avatars/Main.vrm") {
		t.Errorf("the confirmation does not show the path:\n%s", msg)
	}
	u.autoLoadRefused("/etc/passwd", errors.New(`"/etc/passwd" does not end in .vrm`))
	wantText(t, u.tabs.Items[0].Content, "Not loading the Performer's VRM")
}

func TestDropNonVRM(t *testing.T) {
	u := newTestUI(t)
	u.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI("/tmp/picture.png")})
	if msg := topOverlayText(t, u); !strings.Contains(msg, "Drop a .vrm file") {
		t.Errorf("dropping a PNG said:\n%s", msg)
	}
	if av, _ := u.engine.Avatar(); av != nil {
		t.Error("an avatar was loaded")
	}
}

func TestDropVRMOpensIt(t *testing.T) {
	u := newTestUI(t)
	path, err := filepath.Abs(godettePath(t))
	if err != nil {
		t.Fatal(err)
	}
	u.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI("/tmp/notes.txt"), storage.NewFileURI(path)})
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, src := u.engine.Avatar(); src.Path == path {
			return
		}
	}
	t.Error("the dropped VRM was not opened")
}

func TestRunRejectsBadListen(t *testing.T) {
	if err := Run(Options{Listen: "no-port"}); err == nil || !strings.Contains(err.Error(), "--listen") {
		t.Errorf("Run with --listen no-port: %v, want an error before any window", err)
	}
}

func TestOpenDialogShows(t *testing.T) {
	// fyne 2.8.1: FileDialog.Resize before Show dereferenced a nil dialog
	// (File → Open VRM… crashed the app on Linux, which has no OS dialog).
	// With no desktop chooser, Fyne's dialog shows.
	saved := fileChoosers
	t.Cleanup(func() { fileChoosers = saved })
	fileChoosers = nil
	u := newTestUI(t)
	u.showOpenDialog()
	deadline := time.Now().Add(5 * time.Second)
	for u.win.Canvas().Overlays().Top() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if u.win.Canvas().Overlays().Top() == nil {
		t.Error("no file dialog")
	}
}

// TestOpenUsesDesktopChooser: a desktop chooser (here a fake zenity that
// prints a typed path) is asked first and its path opens; one that is not
// installed is skipped; a cancel opens nothing.
func TestOpenUsesDesktopChooser(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "zenity")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho /typed/path/avatar.vrm\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	saved := fileChoosers
	t.Cleanup(func() { fileChoosers = saved })
	fileChoosers = []chooser{kdialogChooser, zenityChooser}
	path, err := chooseVRM(context.Background(), "/home")
	if err != nil || path != "/typed/path/avatar.vrm" {
		t.Errorf("chooseVRM = %q, %v", path, err)
	}
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nsleep 1.2; exit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if path, err := chooseVRM(context.Background(), "/home"); err != nil || path != "" {
		t.Errorf("a cancelled chooser: %q, %v", path, err)
	}
	fileChoosers = []chooser{kdialogChooser}
	if _, err := chooseVRM(context.Background(), "/home"); !errors.Is(err, errNoChooser) {
		t.Errorf("no chooser installed: %v", err)
	}
}

// TestDialogKeys: Escape dismisses the newest dialog, Return takes its
// default action (yes for a question).
func TestDialogKeys(t *testing.T) {
	u := newTestUI(t)
	key := func(k fyne.KeyName) { u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }
	u.showDialog(dialog.NewInformation("One", "first", u.win), nil)
	answer := make(chan bool, 1)
	u.showConfirm("Two", "second?", func(ok bool) { answer <- ok })
	key(fyne.KeyReturn)
	if ok := <-answer; !ok {
		t.Error("Return answered no")
	}
	if len(u.dialogs) != 1 {
		t.Fatalf("%d dialogs left after Return, want 1", len(u.dialogs))
	}
	key(fyne.KeyEscape)
	if len(u.dialogs) != 0 || u.win.Canvas().Overlays().Top() != nil {
		t.Errorf("Escape left %d dialogs", len(u.dialogs))
	}
	u.showConfirm("Three", "third?", func(ok bool) { answer <- ok })
	key(fyne.KeyEscape)
	if ok := <-answer; ok {
		t.Error("Escape answered yes")
	}
}

// TestAvatarFailedShowsDefault: when the engine drops an avatar whose
// drawing panicked, the window names it in an error and goes on with the
// default avatar.
func TestAvatarFailedShowsDefault(t *testing.T) {
	u := newTestUI(t)
	src := marionette.Source{Path: "/models/crasher.vrm", Name: "crasher.vrm"}
	u.avatarFailed(src, &marionette.PanicError{Avatar: src.Path, Doing: "drawing", Value: "index out of range [4148] with length 981"})
	msg := topOverlayText(t, u)
	for _, want := range []string{"/models/crasher.vrm", "index out of range", "default avatar"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error dialog does not say %q:\n%s", want, msg)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if av, src := u.engine.Avatar(); av != nil && src.Default {
			return
		}
	}
	t.Error("the default avatar was not loaded")
}

// TestListenPortInUse: a taken port is explained by the typed error, not by
// matching the system's message.
func TestListenPortInUse(t *testing.T) {
	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	err = newTestUI(t).engine.Listen(taken.LocalAddr().String())
	msg := view.ListenError(taken.LocalAddr().String(), err)
	if !strings.Contains(msg, "already in use") || !strings.Contains(msg, "another Marionette") {
		t.Errorf("ListenError = %q", msg)
	}
	if msg := view.ListenError("x:1", errors.New("vmc: listen: no such host")); strings.Contains(msg, "in use") {
		t.Errorf("ListenError(other) = %q", msg)
	}
}

// TestAutoLoadOneDialogAtATime: a LAN sender announcing 20 avatar files
// over VMC opens one question, not 20 stacked dialogs.
func TestAutoLoadOneDialogAtATime(t *testing.T) {
	u := newTestUI(t)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	u.set.autoLoad.Set(true)
	if err := u.engine.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr, _ := u.engine.Addr()
	s, err := vmctest.Dial(context.Background(), addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 20
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("avatar%d.vrm", i))
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := s.VRM(vmc.VRMInfo{Path: p, Title: "spam"}); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); u.engine.Status().Receiver.Packets < n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d announcements received", u.engine.Status().Receiver.Packets, n)
		}
	}
	time.Sleep(200 * time.Millisecond) // let the announcements be handled
	if got := len(u.win.Canvas().Overlays().List()); got != 1 {
		t.Errorf("%d dialogs open after %d announcements, want 1", got, n)
	}
	// (Which file: the first the engine saw; a slow reader may miss some.)
	if msg := topOverlayText(t, u); !strings.Contains(msg, filepath.Join(dir, "avatar")) {
		t.Errorf("the question names no announced file:\n%s", msg)
	}
}

// TestStopWhileLoadingTheDefault: closing the window while the default
// avatar loads (no avatar shown yet) returns. The cancelled load reports
// marionette.ErrClosed; taking it for a failed load would load the default
// avatar again, which Engine.Close waits for and which fails the same way.
func TestStopWhileLoadingTheDefault(t *testing.T) {
	u := newUI(test.NewTempApp(t), Options{})
	u.loadDefault()
	stopped := make(chan struct{})
	go func() {
		u.stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(testutil.WaitLimit):
		t.Fatal("stop did not return: the closing engine kept being asked to load")
	}
}
