package marionette

import (
	"context"
	"image"
	"image/color"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm"
)

// DefaultMaxFPS caps the render rate: fyne paints at most 60 times a
// second (field notes §7), so more would never reach the screen.
const DefaultMaxFPS = 60

// Timing of redraws that no input asked for.
const (
	// settleTimeout bounds how long spring bones and smoothing keep the
	// engine redrawing after the last input (a packet, a face, a view
	// change), in case they never come to rest.
	settleTimeout = 5 * time.Second
	// maxStep bounds the time step given to smoothing and spring bones
	// after a pause.
	maxStep = 250 * time.Millisecond
	// settleMatrix is the largest change of a node's world matrix element
	// that counts as at rest.
	settleMatrix = 1e-5
)

// Config configures an Engine. Hooks are called from the engine's own
// goroutines; they must return quickly and must not call back into the
// engine synchronously in a way that waits for it.
type Config struct {
	// OnFrame is called after each new image is published (see Latest).
	OnFrame func()
	// OnLoad reports avatar loading (LoadFile, LoadBytes, auto-load).
	OnLoad func(LoadEvent)
	// OnVRMRequest is called when, with auto-load on, the Performer
	// announces (/VMC/Ext/VRM) a loadable file the user has not approved
	// yet: show the path to the user and call ApproveVRM or RejectVRM.
	OnVRMRequest func(path string)
	// OnAutoLoadRefused is called when an announced file fails
	// CheckAutoLoadPath; err says why.
	OnAutoLoadRefused func(path string, err error)
	// MaxFPS caps the render rate; 0 means DefaultMaxFPS.
	MaxFPS float64
	// Workers is the renderer's worker count; 0 means GOMAXPROCS.
	Workers int
	// OnAvatarFailed is called when posing or drawing the shown avatar
	// panicked (a bug in package vrm or render that this avatar triggers):
	// the engine has dropped the avatar, so nothing is shown until the next
	// load, and err is a *PanicError naming it. The app shows err and loads
	// the default avatar. A panic while loading is a LoadFailed instead.
	OnAvatarFailed func(src Source, err error)
	// Logger receives the engine's log records, such as a caught panic
	// with its stack; nil means slog.Default().
	Logger *slog.Logger

	faults faultHooks // tests only
}

// Engine is Kugutsu's Marionette without its window: it owns the VMC
// receiver and the scene it feeds, the shown avatar and the options, and a
// render goroutine that turns the newest scene frame into a pose (poser),
// steps spring bones, and renders into a triple buffer of tightly packed
// images — only when the scene, the face, the view or the options changed
// (or smoothing and spring bones are still settling), at most MaxFPS times
// a second, and — unless the UI has been taking images at that rate — not
// while the previous image is still waiting for the UI to take it (Latest).
// Its methods are safe for concurrent use.
type Engine struct {
	cfg      Config
	scene    *vmc.Scene
	renderer *render.Renderer
	images   *imageBuffers
	out      *outputState
	stats    stats
	start    time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}
	// consumed receives a value when Latest takes a new image: the render
	// goroutine never draws over an image the UI has not taken.
	consumed chan struct{}
	done     chan struct{}
	wg       sync.WaitGroup // loads and event readers

	loadGen atomic.Uint64
	// textureSize is vrm.Limits.PreviewTextureSize for loads (SetTextureSize).
	textureSize atomic.Int64
	// loadCancel cancels the load in progress (a newer load or Close
	// does); guarded by mu.
	loadCancel context.CancelFunc
	// rec is the recording in progress (recording.go), seen by the
	// receiver's tap.
	rec atomic.Pointer[engineRecording]
	// lastTake (Unix ns) and takeGap (ns) time the UI's takes of new
	// images (noteTake).
	lastTake, takeGap atomic.Int64
	// busy is set while the render goroutine has work: from a wake-up
	// until it goes back to waiting for input.
	busy atomic.Bool

	mu         sync.Mutex // guards everything below
	opts       Options
	view       View
	orbit      render.Orbit
	frameView  bool // frame the avatar at the next render
	width      int
	height     int
	avatar     *vrm.Model
	rig        *vrm.Rig // avatar's Rig for the main view, made by the load; only the render goroutine poses it
	source     Source
	face       FaceSource
	mix        retarget.FaceMix
	thumb      *image.NRGBA // the shown avatar's scaled thumbnail
	recv       *vmc.Receiver
	listenAddr string
	listenErr  error
	autoLoad   bool
	sub        *vmc.Subscription
	approved   map[string]bool
	ask        askMemory
	weights    []float32
	unmatched  []string
	hidden     bool
	last       vmc.Frame // scene frame of the latest render, for Status
	playout    PlayoutStatus
	extra      extraReceivers
	pose       vrm.Pose  // pose of the latest render, for Pose
	poseAt     time.Time // when it was computed
	cameraOK   bool      // the Performer's camera is in use
}

// New starts an engine with no avatar and no receiver.
func New(cfg Config) *Engine {
	if cfg.MaxFPS <= 0 {
		cfg.MaxFPS = DefaultMaxFPS
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{
		cfg:       cfg,
		scene:     vmc.NewScene(),
		renderer:  render.New(render.Options{Workers: cfg.Workers, CacheSize: 2}),
		images:    newImageBuffers(),
		out:       newOutputState(),
		start:     time.Now(),
		ctx:       ctx,
		cancel:    cancel,
		wake:      make(chan struct{}, 1),
		consumed:  make(chan struct{}, 1),
		done:      make(chan struct{}),
		opts:      DefaultOptions(),
		view:      DefaultView(),
		mix:       retarget.DefaultFaceMix(),
		frameView: true,
		approved:  make(map[string]bool),
		ask:       newAskMemory(),
	}
	e.orbit = render.FrameAvatar(nil, nil, render.DefaultFOV, 1, render.FrameFullBody)
	go e.run()
	return e
}

// Close stops the receiver, loads in progress and the render goroutine.
func (e *Engine) Close() {
	e.StopListening()
	_, _ = e.StopRecording()
	e.stopExtra()
	e.SetAutoLoad(false)
	e.cancel()
	<-e.done
	e.wg.Wait()
	e.renderer.Close()
}

// Scene returns the VMC scene the receiver feeds (tests and tools may Feed
// it directly).
func (e *Engine) Scene() *vmc.Scene { return e.scene }

// poke asks the render goroutine for a new frame.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Listen (re)starts the VMC receiver on addr ("host:port"; "" for
// vmc.DefaultAddr), closing the previous one first. The scene, and with it
// the avatar's pose, survives the restart. The error is also kept for
// Status.
func (e *Engine) Listen(addr string) error {
	e.StopListening()
	if addr == "" {
		addr = vmc.DefaultAddr
	}
	r, err := vmc.ListenConfig{Scene: e.scene, Tap: e.tap}.Listen(e.ctx, addr)
	e.mu.Lock()
	e.recv, e.listenAddr, e.listenErr = r, addr, err
	e.mu.Unlock()
	return err
}

// StopListening closes the receiver, if any.
func (e *Engine) StopListening() {
	e.mu.Lock()
	r := e.recv
	e.recv, e.listenErr = nil, nil
	e.mu.Unlock()
	if r != nil {
		r.Close()
	}
}

// Addr returns the receiver's bound address and whether it is listening.
func (e *Engine) Addr() (netip.AddrPort, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.recv == nil {
		return netip.AddrPort{}, false
	}
	return e.recv.Addr(), true
}

// SetOptions replaces the Marionette options.
func (e *Engine) SetOptions(o Options) {
	e.mu.Lock()
	e.opts = o
	e.mu.Unlock()
	e.poke()
}

// Options returns the Marionette options.
func (e *Engine) Options() Options {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.opts
}

// SetView replaces the view settings.
func (e *Engine) SetView(v View) {
	e.mu.Lock()
	e.view = v
	e.mu.Unlock()
	e.poke()
}

// View returns the view settings.
func (e *Engine) View() View {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.view
}

// SetFaceSource attaches a second motion source (nil detaches it), mixed
// by mix (see retarget.FaceMix). Without a source the Performer's stream drives
// everything at full weight.
func (e *Engine) SetFaceSource(src FaceSource, mix retarget.FaceMix) {
	e.mu.Lock()
	e.face, e.mix = src, mix
	e.mu.Unlock()
	e.poke()
}

// SetFaceMix changes how the face source mixes with VMC.
func (e *Engine) SetFaceMix(mix retarget.FaceMix) {
	e.mu.Lock()
	e.mix = mix
	e.mu.Unlock()
	e.poke()
}

// FaceMix returns the face source's mix.
func (e *Engine) FaceMix() retarget.FaceMix {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.mix
}

// Resize sets the image size in pixels (the viewport's physical size). A
// size with a zero side stops rendering.
func (e *Engine) Resize(w, h int) {
	w, h = max(w, 0), max(h, 0)
	e.mu.Lock()
	changed := w != e.width || h != e.height
	e.width, e.height = w, h
	e.mu.Unlock()
	if changed {
		e.poke()
	}
}

// Size returns the image size set by Resize.
func (e *Engine) Size() (w, h int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.width, e.height
}

// RotateView turns the orbit camera about its target: yaw radians about
// +Y (positive moves the camera toward the avatar's left) and pitch
// radians up.
func (e *Engine) RotateView(yaw, pitch float32) {
	e.viewChange(func(o *render.Orbit) { o.Rotate(yaw, pitch) })
}

// PanView moves the orbit camera's target in the view plane by fractions
// of the viewport height (positive dx right, dy up).
func (e *Engine) PanView(dx, dy float32) {
	e.viewChange(func(o *render.Orbit) { o.Pan(dx, dy) })
}

// ZoomView multiplies the orbit camera's distance by factor (< 1 closer).
func (e *Engine) ZoomView(factor float32) {
	e.viewChange(func(o *render.Orbit) { o.Zoom(factor) })
}

// ResetView frames the avatar as posed now, from the front.
func (e *Engine) ResetView() {
	e.mu.Lock()
	e.frameView = true
	e.mu.Unlock()
	e.poke()
}

// Orbit returns the orbit camera.
func (e *Engine) Orbit() render.Orbit {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.orbit
}

func (e *Engine) viewChange(f func(*render.Orbit)) {
	e.mu.Lock()
	f(&e.orbit)
	e.mu.Unlock()
	e.poke()
}

// Avatar returns the shown avatar (nil before the first load) and where it
// came from. The Model is read-only and may be shared (vrm.Model): a caller
// poses it with a Rig of its own, the engine with its own.
func (e *Engine) Avatar() (*vrm.Model, Source) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.avatar, e.source
}

// Thumbnail returns the shown avatar's meta thumbnail, scaled to fit
// ThumbnailSize² pixels, or nil when it has none.
func (e *Engine) Thumbnail() *image.NRGBA {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.thumb
}

// setAvatar shows av unless a load newer than gen has started, and reports
// whether it did.
func (e *Engine) setAvatar(av *vrm.Model, rig *vrm.Rig, thumb *image.NRGBA, src Source, gen uint64) bool {
	e.mu.Lock()
	if e.loadGen.Load() != gen {
		e.mu.Unlock()
		return false
	}
	e.avatar, e.rig, e.source, e.thumb = av, rig, src, thumb
	e.frameView = true
	e.weights, e.unmatched = nil, nil
	e.mu.Unlock()
	e.poke()
	return true
}

// ExpressionWeights copies the weights given to each expression of the
// shown avatar at the latest render (0–1, indexed like
// Avatar().Expressions, VMC and face mixed and smoothed, before the
// avatar's own overrides) into dst, and returns the blend keys received
// that the avatar has no expression for.
func (e *Engine) ExpressionWeights(dst []float32) ([]float32, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append(dst[:0], e.weights...), e.unmatched
}

// Latest returns the newest finished image (nil before the first) and its
// description. The image is tightly packed (Min (0,0), Stride 4·width) and
// stays untouched until the next call that returns a different image: hand
// it to fyne directly. Call it from one goroutine (the UI's); each image's
// first return is counted in Stats as reaching the screen.
func (e *Engine) Latest() (*image.RGBA, FrameInfo) {
	img, info, fresh := e.images.latest()
	if fresh {
		now := time.Now()
		e.noteTake(now)
		e.stats.handed(info, now)
		select {
		case e.consumed <- struct{}{}:
		default:
		}
	}
	return img, info
}

// Settled reports whether the engine has nothing left to show: its render
// goroutine waits for input with no wake-up or scene change pending (no
// smoothing, spring bones or idle motion still moving) and the UI has
// taken its newest image. Any goroutine; for diagnostics (the window's
// KUGUTSU_STATS report) and tests, which then know the picture on screen
// is final once the UI has painted it.
func (e *Engine) Settled() bool {
	return !e.busy.Load() && len(e.wake) == 0 && len(e.scene.Changed()) == 0 && !e.images.unread()
}

// noteTake records the UI taking a new image at now: the mean gap between
// takes (an exponential moving average over about 8 takes) tells whether
// the UI keeps up (uiKeepsUp).
func (e *Engine) noteTake(now time.Time) {
	if last := e.lastTake.Load(); last != 0 {
		gap, avg := now.UnixNano()-last, e.takeGap.Load()
		if avg == 0 {
			avg = gap
		}
		e.takeGap.Store(avg + (gap-avg)/8)
	}
	e.lastTake.Store(now.UnixNano())
}

// uiKeepsUp reports whether the UI has been taking images at about the
// frame interval (within a quarter) and took one within the last two
// intervals.
func (e *Engine) uiKeepsUp(now time.Time, interval time.Duration) bool {
	last, gap := e.lastTake.Load(), e.takeGap.Load()
	return last != 0 && gap > 0 && now.UnixNano()-last <= int64(2*interval) && gap <= int64(interval)*5/4
}

// Stats returns the timing statistics.
func (e *Engine) Stats() Stats { return e.stats.snapshot(time.Now()) }

// Status is what the UI shows about the stream and the engine.
type Status struct {
	// Listen is the requested listen address; Bound the bound one.
	Listen    string
	Bound     netip.AddrPort
	Listening bool
	// ListenErr is why the last Listen failed (port in use…).
	ListenErr error
	// Receiver is the scene's statistics (vmc.Status).
	Receiver vmc.Status
	// Connected is true when some sender sent data within the last
	// vmc.ConnectedTimeout (0.5 s); Sender is the most recent sender and
	// Senders how many senders are connected. PacketRate is the packets per
	// second of all connected senders together (a tool such as liblo's
	// oscsend uses a new socket, so a new sender, for every packet).
	Connected  bool
	Sender     netip.AddrPort
	Senders    int
	PacketRate float64
	// Errors counts dropped input: malformed OSC elements, rejected
	// messages, socket read errors, and datagrams the OS dropped because
	// the receive buffer was full (vmc.Status.Dropped).
	Errors uint64
	// Available is the latest /VMC/Ext/OK; Time the sender's /VMC/Ext/T.
	Available    vmc.Availability
	Time         float32
	TimeReceived bool
	// Hidden reports the avatar hidden while uncalibrated.
	Hidden bool
	// PerformerCamera reports the view shows the Performer's camera.
	PerformerCamera bool
	Stats           Stats
}

// Status returns the current status.
func (e *Engine) Status() Status {
	e.mu.Lock()
	st := Status{
		Listen: e.listenAddr, ListenErr: e.listenErr, Listening: e.recv != nil,
		Available: e.last.Available, Time: e.last.Time, TimeReceived: e.last.TimeReceived,
		Hidden: e.hidden, PerformerCamera: e.cameraOK,
	}
	r := e.recv
	e.mu.Unlock()
	if r != nil {
		st.Receiver = r.Status()
		st.Bound = r.Addr()
	} else {
		st.Receiver = e.scene.Status()
	}
	rs := &st.Receiver
	st.Errors = rs.Malformed + rs.Rejected + rs.ReadErrors + rs.Dropped
	if len(rs.Senders) > 0 {
		st.Sender = rs.Senders[0].Addr
	}
	for _, s := range rs.Senders {
		if s.Connected {
			st.Connected = true
			st.Senders++
			st.PacketRate += s.PacketRate
		}
	}
	st.Stats = e.Stats()
	return st
}

// run is the render goroutine.
func (e *Engine) run() {
	defer close(e.done)
	interval := time.Duration(float64(time.Second) / e.cfg.MaxFPS)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var (
		rs        renderState
		last      time.Time
		animating bool
	)
	rs.quality = *newQualityController(time.Duration(workShare * float64(interval)))
	for {
		var ft frameTimes
		// Back-pressure: the UI has not taken the previous image. While the
		// UI keeps up with MaxFPS, the next input is drawn at once into the
		// third buffer (replacing the unread image if the UI is still
		// busy), so a pose reaches the screen within one display frame plus
		// the render time. Otherwise (a slow or hidden window) another image
		// would only be thrown away: wait; inputs that arrive meanwhile
		// coalesce and the next image shows the newest. With an output
		// view, its own consumer sets the pace: the viewport may be hidden
		// while the output window is captured.
		if e.images.unread() && !e.uiKeepsUp(time.Now(), interval) && e.outputLets() {
			e.busy.Store(animating)
			t := time.Now()
			for e.images.unread() && e.outputLets() {
				select {
				case <-e.ctx.Done():
					return
				case <-e.consumed:
				}
			}
			ft.waitUI = time.Since(t)
		}
		e.mu.Lock()
		var faceC <-chan struct{}
		if e.face != nil {
			faceC = e.face.Changed()
		}
		e.mu.Unlock()
		var tick <-chan time.Time
		if animating {
			tick = timer.C
		}
		e.busy.Store(animating)
		input := true
		select {
		case <-e.ctx.Done():
			return
		case <-e.scene.Changed():
		case <-e.wake:
		case <-faceC:
		case <-tick:
			input = false
		}
		e.busy.Store(true)
		if wait := time.Until(last.Add(interval)); wait > 0 {
			t := time.Now()
			select {
			case <-e.ctx.Done():
				return
			case <-time.After(wait):
			}
			ft.waitPacing = time.Since(t)
		}
		last = time.Now()
		if input {
			rs.lastInput = last
		}
		animating = e.renderRecovered(&rs, last, &ft)
		if animating {
			if rs.idleOnly {
				timer.Reset(2 * interval)
			} else {
				timer.Reset(interval)
			}
		}
	}
}

// workShare is the part of the frame period (1/MaxFPS) that posing and
// rendering one image may take for adaptive quality: the rest is the UI's.
// With no GPU, fyne paints the whole window with a software OpenGL (Mesa
// llvmpipe) on the same cores for every image, about 12 CPU-ms for the
// default 1280×720 window (measured under Xvfb, TestMeasure): on two cores
// the render gets about half of each period.
const workShare = 0.5

// renderState is the render goroutine's own state.
type renderState struct {
	poser  retarget.Poser
	avatar *vrm.Model
	// rig poses avatar for the main view, whose frame the output window
	// draws too; a view posed differently would have a Rig of its own.
	rig        *vrm.Rig
	frame      vmc.Frame
	face       retarget.Face
	lastUpdate time.Time
	lastInput  time.Time
	sceneSeq   uint64
	shownSeq   uint64 // scene seq of the latest published image
	imageSeq   uint64
	prevWorld  []mgl32.Mat4
	uvAnim     bool
	springs    bool
	springsSet bool
	// quality is adaptive quality; adaptive tells whether the previous
	// image used it.
	quality  qualityController
	adaptive bool
	alive    aliveState
	merge    mergeState
	// idleOnly: the latest frame moved only by the idle layer (presence),
	// which the run loop redraws at half the frame rate.
	idleOnly bool
}

// frameInput is what one frame reads of the engine's state under its lock.
type frameInput struct {
	opts Options
	view View
	mix  retarget.FaceMix
	face FaceSource
	av   *vrm.Model
	rig  *vrm.Rig // av's Rig for the main view
	w, h int
	// frameView: frame the avatar in this image (a framing was asked for
	// and the viewport has a size); fov is the orbit's.
	frameView bool
	fov       float32
}

// renderFrame poses and renders one image at now and reports whether the
// engine should keep redrawing without new input (smoothing or spring
// bones settling, MToon UV animation).
func (e *Engine) renderFrame(rs *renderState, now time.Time, ft *frameTimes) bool {
	var in frameInput
	e.readFrameInput(rs, &in)
	e.follow(rs, &in, now)
	if in.w <= 0 || in.h <= 0 {
		return false
	}
	dt := 0.0
	if !rs.lastUpdate.IsZero() {
		dt = min(now.Sub(rs.lastUpdate), maxStep).Seconds()
	}
	rs.lastUpdate = now

	fr, vf, m := e.poseFrame(rs, &in, now, dt, ft)
	sc, hidden, cameraOK := e.frameScene(&in, fr, vf, now)
	e.drawFrame(rs, &in, sc, hidden, now, ft)
	e.keepPose(rs, in.av, hidden, cameraOK, now)
	if e.cfg.OnFrame != nil {
		e.cfg.OnFrame()
	}
	settling := m.moving && now.Sub(rs.lastInput) < settleTimeout
	// Idle motion alone (breathing, sway, blinks) is slow: half the frame
	// rate shows it smoothly at half the cost.
	rs.idleOnly = m.idling && !hidden && !rs.uvAnim && !m.playing && !settling
	if (rs.uvAnim || m.idling) && !hidden || m.playing {
		return true
	}
	return settling
}

// readFrameInput takes the newest scene into rs.frame and the engine's
// options, view, face source, avatar and viewport size into in; a framing
// asked for is taken once the viewport has a size.
func (e *Engine) readFrameInput(rs *renderState, in *frameInput) {
	if seq := e.scene.Seq(); seq != rs.sceneSeq {
		e.scene.Snapshot(&rs.frame)
		rs.sceneSeq = rs.frame.Seq
	}
	e.mu.Lock()
	in.opts, in.view, in.mix, in.face = e.opts, e.view, e.mix, e.face
	in.av, in.rig, in.w, in.h = e.avatar, e.rig, e.width, e.height
	in.frameView = e.frameView && in.w > 0 && in.h > 0
	e.frameView = e.frameView && !in.frameView
	in.fov = e.orbit.FOV
	e.last.CopyFrom(&rs.frame)
	e.mu.Unlock()
}

// follow resets the render state for a new avatar (the renderer forgets
// the old one) and the adaptive quality when it is switched on or off.
func (e *Engine) follow(rs *renderState, in *frameInput, now time.Time) {
	if av := in.av; av != rs.avatar {
		if rs.avatar != nil {
			e.renderer.Forget(rs.avatar)
		}
		rs.avatar, rs.rig = av, in.rig
		rs.poser.Reset(av)
		rs.alive.reset(av, uint64(now.UnixNano()))
		rs.lastUpdate = time.Time{}
		rs.prevWorld = rs.prevWorld[:0]
		rs.uvAnim = hasUVAnimation(av)
		rs.springsSet = false
		rs.quality.reset()
	}
	if in.view.AdaptiveQuality != rs.adaptive {
		rs.adaptive = in.view.AdaptiveQuality
		rs.quality.reset()
	}
}

// frameMotion tells what moved the pose of a frame: moving, the pose
// still changing (smoothing, spring bones settling); idling, the idle
// layer; playing, a recording playing.
type frameMotion struct{ moving, idling, playing bool }

// poseFrame turns the scene (or the recording playing), the face and the
// idle layer into rs.poser's pose and updates the avatar with it, dt
// seconds after the previous frame. It returns the scene frame used (nil
// before any), the avatar's posed frame (nil without an avatar) and what
// moved.
func (e *Engine) poseFrame(rs *renderState, in *frameInput, now time.Time, dt float64, ft *frameTimes) (*vmc.Frame, *vrm.Frame, frameMotion) {
	var fr *vmc.Frame
	if rs.sceneSeq > 0 {
		fr = &rs.frame
	}
	mix := in.mix
	var fc *retarget.Face
	if in.face == nil {
		mix = retarget.VMCOnly()
	} else if in.av != nil && in.face.Face(in.av, &rs.face) {
		fc = &rs.face
	}
	var m frameMotion
	fr, m.playing = e.aliveInput(rs, fr, in.opts, now)
	m.moving = rs.poser.Update(fr, in.opts.Options, fc, mix, dt)
	m.idling = rs.alive.finish(&rs.poser, in.opts, dt, fc, mix)
	tPose := time.Now()
	ft.pose = tPose.Sub(now)

	var vf *vrm.Frame
	if av := in.av; av != nil {
		if !rs.springsSet || rs.springs != in.view.SpringBones {
			rs.rig.SetSpringBones(in.view.SpringBones)
			rs.springs, rs.springsSet = in.view.SpringBones, true
		}
		vf = rs.rig.Update(rs.poser.Pose(), float32(dt))
		if in.view.SpringBones && len(av.SpringBone.Springs) > 0 && worldChanged(&rs.prevWorld, vf.NodeWorld) {
			m.moving = true
		}
	}
	ft.update = time.Since(tPose)
	return fr, vf, m
}

// frameScene builds the render scene of a frame: the orbit camera (framed
// on the avatar when asked), the view's light and background, or the
// Performer's camera, light and background when the options take them.
// hidden: the avatar is left out, uncalibrated; cameraOK: the Performer's
// camera is in use.
func (e *Engine) frameScene(in *frameInput, fr *vmc.Frame, vf *vrm.Frame, now time.Time) (sc render.Scene, hidden, cameraOK bool) {
	// Framing reads the avatar: done outside the lock, so that a panic
	// there (caught by renderRecovered) cannot leave it held.
	var framed render.Orbit
	if in.frameView {
		framed = render.FrameAvatar(in.av, vf, in.fov, float32(in.w)/float32(in.h), render.FrameFullBody)
	}
	e.mu.Lock()
	if in.frameView {
		e.orbit = framed
	}
	orbit := e.orbit
	e.mu.Unlock()

	view, opts := &in.view, &in.opts
	sc = render.Scene{
		Avatar: in.av, Frame: vf,
		Camera: orbit.Camera(), Light: view.light(), Ambient: render.DefaultAmbient,
		Background:   view.Background,
		Time:         float32(now.Sub(e.start).Seconds()),
		HideOutlines: !view.Outlines,
	}
	sc.Background.A = 0xff
	if view.Transparent {
		sc.Background.A = 0
	}
	if fr != nil {
		if opts.PerformerCamera && fr.Camera.Received {
			c := retarget.CameraFromVMC(&fr.Camera)
			sc.Camera = render.CameraAt(c.Position, c.Rotation, c.FOV)
			cameraOK = true
		}
		if opts.PerformerLight && fr.Light.Received {
			l := retarget.LightFromVMC(&fr.Light)
			sc.Light = render.Light{Direction: l.Direction, Color: l.Color.Mul(render.DefaultLightIntensity)}
		}
		if opts.PerformerBackground && fr.Background.Received {
			sc.Background = toNRGBA(fr.Background.Color)
		}
	}
	hidden = fr != nil && opts.HideUncalibrated && fr.Available.HasCalibration && fr.Available.Calibration != vmc.Calibrated
	if hidden {
		sc.Avatar, sc.Frame = nil, nil
	}
	return sc, hidden, cameraOK
}

// drawFrame renders sc at the quality in use into the back image,
// publishes it (and to the output window), and feeds the statistics and
// the adaptive quality with the time it took since now.
func (e *Engine) drawFrame(rs *renderState, in *frameInput, sc render.Scene, hidden bool, now time.Time, ft *frameTimes) {
	view := &in.view
	q := view.quality()
	if view.AdaptiveQuality {
		q = rs.quality.quality()
	}
	sc.AA = q.AA
	img := e.images.backImage(q.renderSize(in.w, in.h, view.MaxPixels))
	if e.cfg.faults.render != nil {
		e.cfg.faults.render(sc.Avatar)
	}
	e.renderer.Render(img, sc)
	took := time.Since(now)
	ft.render = e.renderer.LastTimings()
	e.stats.rendered(took, ft, q)
	rs.imageSeq++
	info := FrameInfo{Seq: rs.imageSeq, SceneSeq: rs.sceneSeq, Avatar: in.av, Rendered: time.Now(), RenderTime: took,
		Width: img.Rect.Dx(), Height: img.Rect.Dy(), ViewWidth: in.w, ViewHeight: in.h}
	if rs.sceneSeq != rs.shownSeq {
		info.Received = rs.frame.Received
		rs.shownSeq = rs.sceneSeq
	}
	if e.images.publish(info) {
		e.stats.dropped()
	}
	outTook := e.renderOutput(sc, info)
	if view.AdaptiveQuality && !hidden {
		rs.quality.observe(took + outTook)
	}
}

// keepPose hands the frame's pose, expression weights and state to the
// engine's readers (Weights, Pose, Hidden…), under the lock.
func (e *Engine) keepPose(rs *renderState, av *vrm.Model, hidden, cameraOK bool, now time.Time) {
	e.mu.Lock()
	if av == e.avatar {
		e.weights = rs.poser.Weights(e.weights)
		e.unmatched = append(e.unmatched[:0], rs.poser.Unmatched()...)
	}
	e.hidden, e.cameraOK = hidden, cameraOK
	e.playout = rs.alive.playout
	e.pose.Expressions = append(e.pose.Expressions[:0], rs.poser.Pose().Expressions...)
	e.pose, e.poseAt = copyPose(rs.poser.Pose(), e.pose.Expressions), now
	e.mu.Unlock()
}

// worldChanged compares the node world matrices with the previous frame's
// (kept in *prev) and reports whether any element moved more than
// settleMatrix.
func worldChanged(prev *[]mgl32.Mat4, cur []mgl32.Mat4) bool {
	if len(*prev) != len(cur) {
		*prev = append((*prev)[:0], cur...)
		return true
	}
	changed := false
	for i := range cur {
		for k := 0; k < 16 && !changed; k++ {
			if abs32(cur[i][k]-(*prev)[i][k]) > settleMatrix {
				changed = true
			}
		}
	}
	copy(*prev, cur)
	return changed
}

// hasUVAnimation reports whether some MToon material of av scrolls or
// rotates its UVs, which needs continuous redraws.
func hasUVAnimation(av *vrm.Model) bool {
	if av == nil {
		return false
	}
	for i := range av.Materials {
		if m := av.Materials[i].MToon; m != nil && (m.UVAnimScrollX != 0 || m.UVAnimScrollY != 0 || m.UVAnimRotation != 0) {
			return true
		}
	}
	return false
}

// toNRGBA converts a VMC colour (0–1 components, sRGB as Unity sends
// them) to an opaque 8-bit colour.
func toNRGBA(c vmc.Color) color.NRGBA {
	q := func(v float32) uint8 {
		if !(v > 0) {
			return 0
		}
		return uint8(min(v, 1)*255 + 0.5)
	}
	return color.NRGBA{R: q(c.R), G: q(c.G), B: q(c.B), A: 0xff}
}
