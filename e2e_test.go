package main

// End-to-end tests of the real window: build the kugutsu binary, run it on
// a virtual X server (Xvfb) with a model from ../shared, drive it with real
// VMC packets over UDP, screenshot the X root (w.Canvas().Capture() is black
// under Xvfb, field notes §7) and check the pixels.
//
// They need Xvfb and ImageMagick's import; without them they skip, unless
// KUGUTSU_REQUIRE_TOOLS=1 (make test) makes them fail. KUGUTSU_E2E_SHOTS=DIR
// keeps the screenshots in DIR for a person to look at; KUGUTSU_E2E_RACE=1
// builds the window with the race detector.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"maps"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// godette returns the path of ../shared/models/Godette.vrm, or skips the
// test when the sample models are missing (testutil.SharedModel).
func godette(t testing.TB) string {
	t.Helper()
	return testutil.SharedModel(t, "Godette.vrm")
}

// viewportBackground is the default view background (marionette.DefaultView).
var viewportBackground = color.RGBA{R: 0x50, G: 0x58, B: 0x64, A: 0xff}

// requireTool returns the path of an outside tool, or skips the test
// (fails under KUGUTSU_REQUIRE_TOOLS=1) when it is missing.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	return testutil.RequireTool(t, name)
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
	buildOut  []byte
)

// buildTags are the tags the Makefile builds the app with (GOTAGS there).
const buildTags = "no_emoji,gles"

// binary builds the kugutsu binary once per test run, as `make build` does.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "kugutsu-e2e-")
		if buildErr != nil {
			return
		}
		args := []string{"build", "-tags", buildTags, "-o", filepath.Join(buildDir, "kugutsu")}
		if os.Getenv("KUGUTSU_E2E_RACE") == "1" {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, ".")...)
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return filepath.Join(buildDir, "kugutsu")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// startXvfb starts a virtual X server on a free display and returns its
// DISPLAY value.
func startXvfb(t *testing.T) string {
	t.Helper()
	return testutil.StartXvfb(t)
}

// freeUDPPort returns a UDP port that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// window is a running kugutsu process.
type window struct {
	t       *testing.T
	cmd     *exec.Cmd
	display string
	dir     string // its config home
	out     *bytes.Buffer
	shots   int
}

// e2eStats mirrors app.statsReport.
type e2eStats struct {
	FPS     float64 `json:"fps"`
	Frames  uint64  `json:"frames"`
	Dropped uint64  `json:"dropped"`
	Latency struct {
		N             int
		P50, P99, Max float64
	} `json:"latency_ms"`
	LatencyShown e2ePercentiles            `json:"latency_shown_ms"`
	Render       e2ePercentiles            `json:"render_ms"`
	Breakdown    map[string]e2ePercentiles `json:"breakdown_ms"`
	Quality      string                    `json:"quality"`
	Packets      uint64                    `json:"packets"`
	Settled      bool                      `json:"settled"`
	Avatar       string                    `json:"avatar"`
	OutputFPS    float64                   `json:"output_fps"`    // the output window's images shown a second
	ImageSize    [2]int                    `json:"image_size"`    // the latest image, pixels
	ViewportSize [2]int                    `json:"viewport_size"` // the viewport it was made for
	HeapInuse    uint64                    `json:"go_heap_inuse_bytes"`
	GoSys        uint64                    `json:"go_sys_bytes"`
	GoReleased   uint64                    `json:"go_released_bytes"`
}

// e2ePercentiles mirrors app.percentiles (milliseconds).
type e2ePercentiles struct {
	N             int
	P50, P99, Max float64
}

// startWindow runs the binary on display with args and the given saved
// preferences, in a private config home (never the user's).
func startWindow(t *testing.T, display string, prefs map[string]any, args ...string) *window {
	t.Helper()
	dir := t.TempDir()
	// The idle layer (breathing, arms down, sway, blinks) moves the avatar
	// all the time: off unless a test asks for it, so windows settle and
	// screenshots compare.
	if prefs == nil {
		prefs = map[string]any{}
	}
	for _, l := range []string{"breathing", "arms", "head", "blink"} {
		if _, ok := prefs["alive."+l+".on"]; !ok {
			prefs["alive."+l+".on"] = false
		}
	}
	if prefs != nil {
		pdir := filepath.Join(dir, "fyne", "io.github.kugutsu")
		if err := os.MkdirAll(pdir, 0o700); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(prefs)
		if err := os.WriteFile(filepath.Join(pdir, "preferences.json"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w := &window{t: t, display: display, dir: dir, out: &bytes.Buffer{}}
	w.cmd = exec.Command(binary(t), args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") && !strings.HasPrefix(kv, "DISPLAY=") {
			env = append(env, kv)
		}
	}
	w.cmd.Env = append(env, "DISPLAY="+display, "XDG_CONFIG_HOME="+dir, "KUGUTSU_STATS="+filepath.Join(dir, "stats.json"))
	w.cmd.Stdout, w.cmd.Stderr = w.out, w.out
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		w.cmd.Process.Kill()
		w.cmd.Wait() // (an error if a test already waited)
		if strings.Contains(w.out.String(), "WARNING: DATA RACE") {
			t.Error("the race detector found a data race in the window")
		}
		if t.Failed() {
			t.Logf("kugutsu output:\n%s", w.out)
		}
	})
	return w
}

// stats reads the window's latest statistics.
func (w *window) stats() (e2eStats, bool) {
	var s e2eStats
	b, err := os.ReadFile(filepath.Join(w.dir, "stats.json"))
	if err != nil || json.Unmarshal(b, &s) != nil {
		return s, false
	}
	return s, true
}

// showing waits until the window shows the avatar named name.
func (w *window) showing(name string) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if s, ok := w.stats(); ok && s.Avatar == name {
			return
		}
		if w.cmd.ProcessState != nil {
			w.t.Fatalf("kugutsu exited: %s", w.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s, _ := w.stats()
	w.t.Fatalf("%q not on screen in 30 s (showing %q)", name, s.Avatar)
}

// settle waits until the window has shown at least min frames and then
// stopped redrawing: the engine settled (nothing left to draw, its newest
// image taken by the UI) and no new frame over a few stats reports. Frames
// alone are not enough on a loaded machine, where the UI may take an image
// a second or more after it was drawn while spring bones still settle.
func (w *window) settle(min uint64, what string) e2eStats {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last e2eStats
	stable := 0
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		if w.cmd.ProcessState != nil {
			w.t.Fatalf("kugutsu exited: %s", w.out)
		}
		s, ok := w.stats()
		if !ok || s.Frames < min || !s.Settled {
			stable = 0
			continue
		}
		if s.Frames == last.Frames {
			if stable++; stable >= 3 {
				return s
			}
		} else {
			stable = 0
		}
		last = s
	}
	w.t.Fatalf("%s: the window did not settle in 30 s (stats %+v)", what, last)
	return last
}

// shotSeq numbers the screenshots kept under KUGUTSU_E2E_SHOTS.
var shotSeq atomic.Int64

// screenshot takes a picture of the whole X screen.
func (w *window) screenshot(name string) *image.RGBA {
	w.t.Helper()
	imp := requireTool(w.t, "import")
	w.shots++
	file := filepath.Join(w.t.TempDir(), fmt.Sprintf("%02d-%s.png", w.shots, name))
	cmd := exec.Command(imp, "-window", "root", "png:"+file)
	cmd.Env = append(os.Environ(), "DISPLAY="+w.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		w.t.Fatalf("import: %v\n%s", err, out)
	}
	if dir := os.Getenv("KUGUTSU_E2E_SHOTS"); dir != "" {
		if b, err := os.ReadFile(file); err == nil {
			// Numbered across the process, so -count runs keep every shot.
			n := shotSeq.Add(1)
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d-%s-%s", n, strings.ReplaceAll(w.t.Name(), "/", "-"), filepath.Base(file))), b, 0o644)
		}
	}
	f, err := os.Open(file)
	if err != nil {
		w.t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		w.t.Fatal(err)
	}
	rgba := image.NewRGBA(m.Bounds())
	draw.Draw(rgba, rgba.Rect, m, m.Bounds().Min, draw.Src)
	return rgba
}

// restShot waits for the avatar to settle, takes a screenshot and finds
// the viewport and the avatar in it.
func (w *window) restShot(name, what string) (shot *image.RGBA, vp, body image.Rectangle) {
	w.t.Helper()
	w.settle(1, what)
	shot = w.screenshot(name)
	vp = viewportRect(shot)
	if vp.Dx() < 200 || vp.Dy() < 200 {
		w.t.Fatalf("no viewport found (background-coloured area %v)", vp)
	}
	body = avatarRect(shot, vp)
	if body.Dx() < vp.Dx()/4 || body.Dy() < vp.Dy()/2 {
		w.t.Fatalf("no avatar in the viewport %v (non-background area %v)", vp, body)
	}
	w.t.Logf("viewport %v, avatar %v", vp, body)
	return shot, vp, body
}

// viewportRect finds the viewport: the bounding box of the default
// background colour.
func viewportRect(img *image.RGBA) image.Rectangle {
	var r image.Rectangle
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			if img.RGBAAt(x, y) == viewportBackground {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// avatarRect is the bounding box of what is not background in the
// viewport vp, leaving out the toolbar drawn over its top right corner.
func avatarRect(img *image.RGBA, vp image.Rectangle) image.Rectangle {
	toolbar := image.Rect(vp.Min.X+vp.Dx()*6/10, vp.Min.Y, vp.Max.X, vp.Min.Y+48)
	var r image.Rectangle
	for y := vp.Min.Y; y < vp.Max.Y; y++ {
		for x := vp.Min.X; x < vp.Max.X; x++ {
			if image.Pt(x, y).In(toolbar) {
				continue
			}
			if img.RGBAAt(x, y) != viewportBackground {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// changed counts the pixels in r that differ by more than 24 in a channel.
func changed(a, b *image.RGBA, r image.Rectangle) int {
	r = r.Intersect(a.Rect).Intersect(b.Rect)
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p, q := a.RGBAAt(x, y), b.RGBAAt(x, y)
			if absDiff(p.R, q.R) > 24 || absDiff(p.G, q.G) > 24 || absDiff(p.B, q.B) > 24 {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// redness is the mean R − B of the non-background pixels in r.
func redness(img *image.RGBA, r image.Rectangle) float64 {
	var sum, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := img.RGBAAt(x, y); c != viewportBackground {
				sum += float64(c.R) - float64(c.B)
				n++
			}
		}
	}
	return sum / math.Max(n, 1)
}

// part returns the sub-rectangle of r between fractions (x0, y0) and
// (x1, y1) of its size.
func part(r image.Rectangle, x0, y0, x1, y1 float64) image.Rectangle {
	w, h := float64(r.Dx()), float64(r.Dy())
	return image.Rect(r.Min.X+int(x0*w), r.Min.Y+int(y0*h), r.Min.X+int(x1*w), r.Min.Y+int(y1*h))
}

// unityRotation is deg degrees about a Unity axis.
func unityRotation(deg float64, x, y, z float32) vmc.Quat {
	s, c := math.Sincos(deg * math.Pi / 360)
	return vmc.Quat{X: x * float32(s), Y: y * float32(s), Z: z * float32(s), W: float32(c)}
}

// performer is a VMC sender playing VirtualMotionCapture's part.
type performer struct {
	t *testing.T
	s *vmctest.Sender
	f vmc.Frame
}

func newPerformer(t *testing.T, port int) *performer {
	t.Helper()
	s, err := vmctest.Dial(context.Background(), fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := &performer{t: t, s: s}
	p.f.Root = vmc.Root{Transform: vmc.Transform{Rotation: vmc.Identity}, Scale: vmc.Vec3{X: 1, Y: 1, Z: 1}, Received: true}
	p.f.Available = vmc.Availability{Loaded: true, Calibration: vmc.Calibrated, HasCalibration: true, TrackingOK: true, HasTracking: true, Received: true}
	p.f.TimeReceived = true
	return p
}

func (p *performer) bone(b humanoid.Bone, q vmc.Quat) {
	p.f.Bones[b] = vmc.Transform{Rotation: q}
	p.f.BonesReceived = p.f.BonesReceived.With(b)
}

func (p *performer) blend(name string, v float32) {
	for i := range p.f.Blends {
		if p.f.Blends[i].Name == name {
			p.f.Blends[i].Value = v
			return
		}
	}
	p.f.Blends = append(p.f.Blends, vmc.Blend{Name: name, Value: v})
}

// send sends n frames 1/60 s apart, as a Performer streams.
func (p *performer) send(n int) {
	p.t.Helper()
	for i := 0; i < n; i++ {
		p.f.Time += 1.0 / 60
		if err := p.s.SendFrame(&p.f); err != nil {
			p.t.Fatal(err)
		}
		time.Sleep(time.Second / 60)
	}
}

// dance sends frame i of the measuring Performer's motion (60 frames a
// second): arms, head and spine swinging, a blink every 3 s, the mouth
// opening and closing.
func (p *performer) dance(i int) {
	p.t.Helper()
	tm := float64(i) / 60
	p.bone(humanoid.LeftUpperArm, unityRotation(-60-30*math.Sin(tm*2), 0, 0, 1))
	p.bone(humanoid.RightUpperArm, unityRotation(60+30*math.Sin(tm*2.3), 0, 0, 1))
	p.bone(humanoid.LeftLowerArm, unityRotation(-40*math.Sin(tm*3)-40, 0, 1, 0))
	p.bone(humanoid.Head, unityRotation(25*math.Sin(tm), 0, 1, 0))
	p.bone(humanoid.Spine, unityRotation(8*math.Sin(tm*0.7), 0, 0, 1))
	blink := float32(0)
	if math.Mod(tm, 3) < 0.15 {
		blink = 1
	}
	p.blend("Blink", blink)
	p.blend("A", float32(0.5+0.5*math.Sin(tm*8)))
	p.f.Time = float32(tm)
	if err := p.s.SendFrame(&p.f); err != nil {
		p.t.Fatal(err)
	}
}

// TestWindowFollowsPerformer is the end-to-end test: the real window shows
// Godette, a Performer raises her left arm and blinks (the pixels change
// where the arm and the eyes are, the legs stay), sends a red light (the
// avatar turns redder) and a close camera (the view changes).
func TestWindowFollowsPerformer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real window")
	}
	display := startXvfb(t)
	port := freeUDPPort(t)
	// The Performer's camera is a saved option here: it also shows that
	// preferences load. The quality is pinned: adaptive quality could change
	// it between two screenshots and every pixel with it.
	w := startWindow(t, display, map[string]any{"opt.performerCamera": true, "view.quality": "aa4x"},
		"--vrm", godette(t), "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	w.showing("Low-Poly Godette")
	rest, vp, body := w.restShot("rest", "Godette at rest")

	p := newPerformer(t, port)
	p.bone(humanoid.LeftUpperArm, unityRotation(-80, 0, 0, 1)) // raise the left arm (T-pose → up)
	p.blend("Blink", 1)
	p.send(20)
	s := w.settle(1, "raised arm")
	raised := w.screenshot("raised-arm-blink")

	// The avatar faces the camera: its left arm is on the right of the picture.
	up := part(body, 0.62, 0, 1, 0.30)      // above the left shoulder: the raised arm
	side := part(body, 0.85, 0.30, 1, 0.45) // where the left hand was
	eyes := part(body, 0.40, 0.12, 0.60, 0.30)
	legs := part(body, 0, 0.70, 1, 1)
	other := part(body, 0, 0.30, 0.15, 0.45) // the right hand stays
	for _, c := range []struct {
		name     string
		r        image.Rectangle
		min, max int
	}{
		{"raised arm", up, 150, math.MaxInt},
		{"left hand at rest", side, 50, math.MaxInt},
		{"eyes (blink)", eyes, 20, math.MaxInt},
		{"legs", legs, 0, 0},
		{"right hand", other, 0, 0},
	} {
		if n := changed(rest, raised, c.r); n < c.min || n > c.max {
			t.Errorf("%s %v: %d pixels changed, want %d…%d", c.name, c.r, n, c.min, c.max)
		}
	}
	t.Logf("latency packet → frame handed to fyne: p50 %.1f ms, p99 %.1f ms (n=%d); render p50 %.1f ms",
		s.Latency.P50, s.Latency.P99, s.Latency.N, s.Render.P50)

	// A red light from the front (Unity: shining along −Z, toward the avatar's face).
	light := vmc.Light{Transform: vmc.Transform{Position: vmc.Vec3{Y: 2, Z: 2}, Rotation: unityRotation(180, 0, 1, 0)},
		Color: vmc.Color{R: 1, G: 0.2, B: 0.2, A: 1}, Received: true}
	if err := p.s.Light(light); err != nil {
		t.Fatal(err)
	}
	w.settle(s.Frames+1, "red light")
	red := w.screenshot("red-light")
	if before, after := redness(raised, body), redness(red, body); after < before+10 {
		t.Errorf("red light: mean R−B of the avatar %.1f → %.1f, want it redder", before, after)
	}

	// The Performer's camera, close on the face (Unity: in front, looking along −Z).
	s, _ = w.stats()
	cam := vmc.Camera{Name: "Camera", Transform: vmc.Transform{Position: vmc.Vec3{Y: 1.0, Z: 0.9}, Rotation: unityRotation(180, 0, 1, 0)}, FOV: 30}
	p.f.Camera = cam
	p.f.Camera.Received = true
	p.send(5)
	w.settle(s.Frames+1, "Performer camera")
	closeUp := w.screenshot("performer-camera")
	if n, all := changed(red, closeUp, vp), vp.Dx()*vp.Dy(); n < all/4 {
		t.Errorf("Performer camera changed %d of %d viewport pixels, want most", n, all)
	}
}

// procCPU returns the process's user+system CPU time.
func procCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name (which may contain spaces) in ")".
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// startPerf, with KUGUTSU_MEASURE_PERF=DIR, records a call-graph profile
// of the window's process for 8 s with Linux perf into DIR/NAME.perf.data
// (read it with perf report -i FILE).
func startPerf(t *testing.T, pid int) {
	dir := os.Getenv("KUGUTSU_MEASURE_PERF")
	if dir == "" {
		return
	}
	perf := requireTool(t, "perf")
	out := filepath.Join(dir, strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())+".perf.data")
	cmd := exec.Command(perf, "record", "-F", "499", "-g", "-p", strconv.Itoa(pid), "-o", out, "--", "sleep", "8")
	if err := cmd.Start(); err != nil {
		t.Errorf("perf: %v", err)
		return
	}
	t.Cleanup(func() { cmd.Wait() })
	t.Logf("perf profile: %s", out)
}

// threadCPU returns the CPU time of the process's threads by thread name
// (Go's threads are all named after the binary; Mesa's llvmpipe names its
// rasterizer threads llvmpipe-N).
func threadCPU(t *testing.T, pid int) map[string]time.Duration {
	t.Helper()
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	m := map[string]time.Duration{}
	for _, p := range tasks {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // the thread ended
		}
		open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		if open < 0 || end < open {
			continue
		}
		name := string(b[open+1 : end])
		if i := strings.LastIndexByte(name, '-'); i > 0 && strings.HasPrefix(name, "llvmpipe") {
			name = name[:i]
		}
		f := strings.Fields(string(b[end+2:]))
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		m[name] += time.Duration(ut+st) * time.Second / 100
	}
	return m
}

// procMem returns VmRSS and VmHWM (peak) in MiB.
func procMem(t *testing.T, pid int) (rss, peak float64) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			kb, _ := strconv.ParseFloat(f[1], 64)
			switch f[0] {
			case "VmRSS:":
				rss = kb / 1024
			case "VmHWM:":
				peak = kb / 1024
			}
		}
	}
	return rss, peak
}

// TestMeasure measures the real window with Godette and with the default
// avatar: idle CPU with no packets, then CPU (by thread), memory, frame
// rate, latency, the quality in force and the per-frame breakdown under a
// 60 fps Performer. It runs only with KUGUTSU_MEASURE=1 (it takes a
// minute) and reports with t.Log. KUGUTSU_MEASURE_QUALITY pins a quality
// (the id of a choice of the View tab: aa4x or fast; adaptive
// otherwise), KUGUTSU_MEASURE_WINDOW=WIDTHxHEIGHT the window size (default
// 1280x720); KUGUTSU_MEASURE_PERF=DIR records a perf profile of each
// window.
func TestMeasure(t *testing.T) {
	if os.Getenv("KUGUTSU_MEASURE") != "1" {
		t.Skip("set KUGUTSU_MEASURE=1 to measure")
	}
	t.Run("Godette", func(t *testing.T) { measure(t, "Low-Poly Godette", "--vrm", godette(t)) })
	t.Run("default avatar", func(t *testing.T) { measure(t, "Kugutsu") })
	t.Run("VRoid layout", func(t *testing.T) { measure(t, vroidName, "--vrm", vroidFile(t)) })
	// The output window (1280×720) beside the main window: the engine draws
	// both views of each pose.
	t.Run("Godette with the output window", func(t *testing.T) {
		measure(t, "Low-Poly Godette", "--vrm", godette(t), "--output")
	})
}

func measure(t *testing.T, name string, args ...string) {
	display := startXvfb(t)
	port := freeUDPPort(t)
	prefs := map[string]any{}
	if q := os.Getenv("KUGUTSU_MEASURE_QUALITY"); q != "" {
		prefs["view.quality"] = q // the id of a choice of the View tab's Quality
	}
	if ws := os.Getenv("KUGUTSU_MEASURE_WINDOW"); ws != "" {
		var w, h float64
		if _, err := fmt.Sscanf(ws, "%gx%g", &w, &h); err != nil {
			t.Fatalf("KUGUTSU_MEASURE_WINDOW=%q: want WIDTHxHEIGHT", ws)
		}
		prefs["window.width"], prefs["window.height"] = w, h
	}
	w := startWindow(t, display, prefs, append(args, "--listen", fmt.Sprintf("127.0.0.1:%d", port))...)
	w.showing(name)
	w.settle(1, "loaded")
	pid := w.cmd.Process.Pid
	rss, _ := procMem(t, pid)
	c0 := procCPU(t, pid)
	time.Sleep(10 * time.Second)
	idle := procCPU(t, pid) - c0
	t.Logf("idle, no packets: CPU %.1f%% of one core over 10 s; RSS %.0f MiB", 100*idle.Seconds()/10, rss)

	p := newPerformer(t, port)
	start := time.Now()
	tick := time.NewTicker(time.Second / 60)
	defer tick.Stop()
	var c1 time.Duration
	var th1 map[string]time.Duration
	var s1 e2eStats
	var measuredFrom time.Time
	for i := 0; time.Since(start) < 15*time.Second; i++ {
		<-tick.C
		p.dance(i)
		if measuredFrom.IsZero() && time.Since(start) > 5*time.Second {
			measuredFrom, c1, th1 = time.Now(), procCPU(t, pid), threadCPU(t, pid)
			s1, _ = w.stats()
			startPerf(t, pid)
		}
	}
	busy := procCPU(t, pid) - c1
	el := time.Since(measuredFrom)
	th2 := threadCPU(t, pid)
	s2, _ := w.stats()
	// CPU per image shown is the work, whatever else the machine runs.
	frames := float64(max(s2.Frames-s1.Frames, 1))
	t.Logf("%d images shown over %.1f s (%d drawn but replaced before shown); CPU per image shown: %.1f ms",
		s2.Frames-s1.Frames, el.Seconds(), s2.Dropped-s1.Dropped, 1e3*(procCPU(t, pid)-c1).Seconds()/frames)
	for _, name := range slices.Sorted(maps.Keys(th2)) {
		d := th2[name] - th1[name]
		t.Logf("  CPU of threads %-16q %5.1f%% of one core, %5.1f ms per image", name, 100*d.Seconds()/el.Seconds(), 1e3*d.Seconds()/frames)
	}
	rss, peak := procMem(t, pid)
	s, _ := w.stats()
	t.Logf("60 fps Performer: CPU %.0f%% of one core (over %.0f s), RSS %.0f MiB, peak RSS %.0f MiB",
		100*busy.Seconds()/el.Seconds(), el.Seconds(), rss, peak)
	t.Logf("resident: %s; %s", rssBreakdown(pid), goMemory(s))
	t.Logf("frames on screen %.1f fps; packet → frame handed to fyne p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d); render p50 %.1f ms, p99 %.1f ms",
		s.FPS, s.Latency.P50, s.Latency.P99, s.Latency.Max, s.Latency.N, s.Render.P50, s.Render.P99)
	t.Logf("packet → end of the paint showing it p50 %.1f ms, p99 %.1f ms (n=%d); quality in force: %s",
		s.LatencyShown.P50, s.LatencyShown.P99, s.LatencyShown.N, s.Quality)
	if s.OutputFPS > 0 {
		t.Logf("output window: %.1f fps shown", s.OutputFPS)
	}
	t.Logf("per-frame breakdown (ms, p50 / p99, n):")
	for _, k := range slices.Sorted(maps.Keys(s.Breakdown)) {
		b := s.Breakdown[k]
		t.Logf("  %-20s %6.2f / %6.2f  (%d)", k, b.P50, b.P99, b.N)
	}
	shot := w.screenshot("performing")
	if vp := viewportRect(shot); vp.Empty() {
		t.Error("no viewport in the screenshot")
	}
}

// TestWindowShowsDefaultAvatar: with no --vrm and no saved avatar, the
// window shows the embedded default avatar within a few seconds, framed.
func TestWindowShowsDefaultAvatar(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real window")
	}
	display := startXvfb(t)
	binary(t) // build before timing the start
	start := time.Now()
	w := startWindow(t, display, nil, "--listen", fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t)))
	w.showing("Kugutsu")
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the default avatar took %.1f s to appear", el.Seconds())
	} else {
		t.Logf("default avatar on screen %.2f s after start", el.Seconds())
	}
	w.settle(1, "default avatar")
	shot := w.screenshot("default-avatar")
	vp := viewportRect(shot)
	body := avatarRect(shot, vp)
	if vp.Dx() < 200 || body.Dy() < vp.Dy()*2/3 || body.Dx() < vp.Dx()/3 {
		st, _ := w.stats()
		t.Errorf("the default avatar (%v) does not fill the viewport (%v); stats %+v", body, vp, st)
	}

	// Ctrl+Q quits, and the settings (window size included) are saved.
	xdotool := requireTool(t, "xdotool")
	cmd := exec.Command(xdotool, "mousemove", "400", "300", "key", "ctrl+q")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, out)
	}
	exited := make(chan error, 1)
	go func() { exited <- w.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		// Go's SIGQUIT handler prints every goroutine's stack: where it hangs.
		w.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
		t.Fatal("Ctrl+Q did not quit")
	}
	b, err := os.ReadFile(filepath.Join(w.dir, "fyne", "io.github.kugutsu", "preferences.json"))
	if err != nil {
		t.Fatalf("no saved preferences: %v", err)
	}
	var prefs map[string]any
	if err := json.Unmarshal(b, &prefs); err != nil {
		t.Fatal(err)
	}
	if prefs["window.width"] == nil || prefs["vmc.port"] == nil || prefs["opt.rootPosition"] != true {
		t.Errorf("saved preferences lack the window size or options: %s", b)
	}
}
