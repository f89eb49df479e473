// Package render is Kugutsu's CPU software renderer: it draws a posed
// [vrm.Model] (its [vrm.Frame] from a [vrm.Rig]) into an [image.RGBA] fast enough for a live 60 fps preview on
// two cores, with no GPU.
//
// Pipeline (one [Renderer.Render] call):
//  1. Vertex stage: morph targets (non-zero weights only, positions and
//     normals, before skinning), linear blend skinning with four weights from
//     the frame's joint palette (glTF 2.0 §3.7.3: a skinned mesh ignores its
//     node's transform), world → view → clip. MToon outlines get a second,
//     inflated copy of each vertex (inverted hull).
//  2. Setup: near/far and guard-band clipping in homogeneous clip space,
//     back-face culling unless the material is double-sided (front-face
//     culling for outlines, VRMC_materials_mtoon-1.0 "Double Sided"), 8-bit
//     sub-pixel fixed-point edge functions, binning into screen tiles.
//  3. Raster: each tile belongs to one worker for the whole frame, so pixels
//     see their triangles in draw order whatever the scheduling. Opaque,
//     alpha-masked and outline triangles go through a visibility buffer:
//     coverage (top-left fill rule, 4× rotated-grid multisampling) and a
//     reverse-Z float depth test keep per sample the nearest triangle (a
//     per-block farthest depth lets outline hulls skip hidden triangles);
//     then each pixel is shaded once per visible surface at its centre —
//     neighbouring triangles of one mesh count as one surface, as GPU
//     multisampling shades them — with perspective-correct interpolation and
//     mipmapped textures (the level of detail from each pixel's UV
//     derivatives, texture.lod; two levels blended where the glTF sampler's
//     minFilter asks for it, see mipOf), and resolved into the destination
//     in sRGB.
//     Blended triangles are then shaded per fragment and composited per
//     sample in draw order.
//
// Draw order (VRMC_materials_mtoon-1.0 "Render Queue"): OPAQUE, then MASK,
// then outlines, then BLEND with transparentWithZWrite, then BLEND, the
// blended groups sorted back to front per primitive (view-space depth of the
// primitive's vertex centroid) after the material's render queue offset.
//
// Shading: VRMC_materials_mtoon-1.0 for MToon materials, KHR_materials_unlit,
// and otherwise glTF 2.0's metallic-roughness model (appendix B; see pbr.go)
// lit by the key light and a uniform environment of the ambient colour.
//
// Colour: textures and the destination are sRGB; lighting and blending are
// done in linear light with premultiplied alpha.
//
// Every spatial input is in the VRM 1.0 frame of package vrm: metres, +Y up,
// the avatar faces +Z (field notes §3).
package render

import (
	"fmt"
	"image"
	"image/color"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
)

// AA is an anti-aliasing quality.
type AA uint8

// Anti-aliasing qualities.
const (
	AA4x  AA = iota // 4 samples per pixel in a rotated grid, shaded once per pixel (the default)
	AAOff           // 1 sample per pixel at its centre: fastest, jagged edges
)

// String returns "4x" or "off".
func (q AA) String() string {
	if q == AAOff {
		return "off"
	}
	return "4x"
}

// samples is the number of coverage samples per pixel.
func (q AA) samples() int {
	if q == AAOff {
		return 1
	}
	return 4
}

// Camera is a perspective camera.
type Camera struct {
	// View maps the VRM 1.0 world frame to view space, in which the camera
	// sits at the origin looking along −Z with +Y up (the glTF camera
	// convention). It must be a rigid transform (rotation and translation).
	View mgl32.Mat4
	// FOV is the vertical field of view in degrees, 0 < FOV < 180; other
	// values fall back to DefaultFOV.
	FOV float32
	// Near is the near clipping distance in metres (> 0; other values fall
	// back to DefaultNear). Far is the far clipping distance in metres; 0,
	// +Inf or any value ≤ Near gives an infinite far plane.
	Near, Far float32
}

// Camera defaults.
const (
	DefaultFOV  = 30    // degrees, vertical
	DefaultNear = 0.03  // metres
	DefaultFar  = 100.0 // metres
)

// Position returns the camera's position in the world frame, metres.
func (c Camera) Position() mgl32.Vec3 {
	inv := c.View.Inv()
	return mgl32.Vec3{inv[12], inv[13], inv[14]}
}

// Light is a directional light.
type Light struct {
	// Direction is the direction the light travels in the world frame (from
	// the light toward the scene); it need not be unit length. A zero vector
	// turns the light off.
	Direction mgl32.Vec3
	// Color is the light's linear RGB colour with its intensity folded in
	// (1 = white light of intensity 1).
	Color mgl32.Vec3
}

// DefaultLightIntensity and DefaultAmbientIntensity split white light
// between the key light and the ambient so that a fully lit MToon surface
// shows its base colour unchanged (lit · light + lit · ambient = lit).
const (
	DefaultLightIntensity   = 0.75
	DefaultAmbientIntensity = 1 - DefaultLightIntensity
)

// DefaultLight is a white key light shining from above, in front of the
// avatar and from its right-hand side (+Z is in front, −X its right).
var DefaultLight = Light{
	Direction: mgl32.Vec3{0.4, -0.6, -0.7},
	Color:     mgl32.Vec3{DefaultLightIntensity, DefaultLightIntensity, DefaultLightIntensity},
}

// DefaultAmbient is the ambient (global illumination) colour used by
// [DefaultScene], linear RGB.
var DefaultAmbient = mgl32.Vec3{DefaultAmbientIntensity, DefaultAmbientIntensity, DefaultAmbientIntensity}

// Scene is everything one frame draws from.
type Scene struct {
	Avatar *vrm.Model // the avatar to draw; nil draws only the background
	// Frame is Avatar's posed state (from a vrm.Rig of Avatar); it must not
	// change while Render runs (the Rig's next Pose reuses it). Its slices should be sized for
	// Avatar (one entry per node, skin and material); entries missing from
	// a shorter slice fall back to the node's identity transform, no morph,
	// the material's own values.
	Frame *vrm.Frame

	Camera  Camera
	Light   Light
	Ambient mgl32.Vec3 // linear RGB ambient light: MToon's global illumination, and the uniform environment lighting metallic-roughness materials

	// Background is the colour behind the avatar, sRGB, not premultiplied;
	// A = 0 gives a transparent background (the output then carries the
	// avatar's coverage and blended alpha).
	Background color.NRGBA

	// Time drives MToon UV animation, seconds.
	Time float32

	AA           AA
	HideOutlines bool // skip MToon outlines
	// FirstPersonView draws the wearer's own view: meshes annotated
	// thirdPersonOnly are hidden and firstPersonOnly ones shown. The default,
	// a third-person view, hides firstPersonOnly meshes (VRM 1.0
	// firstPerson.meshAnnotations).
	FirstPersonView bool
}

// DefaultScene returns a scene with the default light and ambient, a grey
// background and the given avatar, frame and camera.
func DefaultScene(a *vrm.Model, f *vrm.Frame, c Camera) Scene {
	return Scene{
		Avatar: a, Frame: f, Camera: c,
		Light: DefaultLight, Ambient: DefaultAmbient,
		Background: color.NRGBA{R: 0x50, G: 0x58, B: 0x64, A: 0xff},
	}
}

// Options configure a Renderer.
type Options struct {
	// Workers is the number of goroutines drawing a frame, the caller's
	// included; 0 means runtime.GOMAXPROCS(0) when New is called. The output
	// does not depend on it.
	Workers int
	// CacheSize is how many avatars' preprocessed data (textures in sampling
	// format, draw lists) are kept, least recently used first out; 0 means 4.
	CacheSize int
}

// Renderer draws avatars. It owns a fixed pool of worker goroutines and
// buffers reused from frame to frame: once they have grown to a frame's
// size, Render allocates nothing. Per-model preprocessing (textures in
// sampling format with mipmaps, resolved materials, checked draw lists) is
// done on a model's first frame and cached by *vrm.Model (a Model does not
// change once used, so the cache never goes stale; Forget frees a model's
// entry early, CacheSize bounds them). Any number of Rigs' frames of one
// Model share its entry. A Renderer is
// not safe for concurrent use: call Render from one goroutine at a time (any
// goroutine; the UI goroutine need not be it). Close stops the workers.
type Renderer struct {
	workers int
	wake    []chan struct{}
	wg      sync.WaitGroup
	closed  bool

	phase phaseKind
	tasks int32
	next  atomic.Int32
	// Hand-offs without sleeping between a frame's phases: helpers spin a
	// little for the next phase before parking (spin), and the caller for
	// the helpers still busy (pending) before waiting.
	spin    []atomic.Int32 // per helper: idle, spinning or claimed
	pending atomic.Int32

	cacheSize int
	cache     []*prepared // most recently used last

	fs      frameState
	scratch []workerScratch

	// fault is the first panic of a helper during the current phase,
	// re-raised on the caller's goroutine (see run).
	fault atomic.Pointer[WorkerPanic]
	// taskHook, if set (tests only), runs before each task with the
	// worker's id (0 is the caller).
	taskHook func(id int)
	timings  Timings
}

// WorkerPanic is what Render panics with when drawing panicked on one of
// the Renderer's worker goroutines: the panic is caught there, the frame's
// other workers finish, and it is raised again on the goroutine that called
// Render, so that the caller can recover from it (a bug for one avatar must
// not end the program). Value is the original panic value, Stack the
// worker's stack when it panicked. The Renderer stays usable.
type WorkerPanic struct {
	Value any
	Stack []byte
}

func (p *WorkerPanic) Error() string { return fmt.Sprintf("render worker panic: %v", p.Value) }

// Timings are the wall-clock durations of the stages of one Render call.
type Timings struct {
	// Setup is the caller's part before the workers start: the avatar's
	// preprocessing lookup, materials and instances (begin), the draw list.
	Setup time.Duration
	// Vertex is morphing, skinning and projection; Triangles the triangle
	// setup and binning; Raster coverage, depth, shading and resolve.
	Vertex, Triangles, Raster time.Duration
}

// LastTimings returns the stage durations of the latest Render call.
func (r *Renderer) LastTimings() Timings { return r.timings }

// New starts a Renderer with its worker goroutines.
func New(o Options) *Renderer {
	n := o.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = min(n, 64)
	r := &Renderer{workers: n, cacheSize: o.CacheSize, scratch: make([]workerScratch, n)}
	if r.cacheSize <= 0 {
		r.cacheSize = 4
	}
	r.wake = make([]chan struct{}, n-1)
	r.spin = make([]atomic.Int32, n-1)
	for i := range r.wake {
		r.wake[i] = make(chan struct{})
		go r.helper(i + 1)
	}
	return r
}

// Close stops the worker goroutines. The Renderer must not be used after.
func (r *Renderer) Close() {
	if r.closed {
		return
	}
	r.closed = true
	for _, c := range r.wake {
		close(c)
	}
}

// Forget drops the cached preprocessing of a model (when the app unloads
// it), so that its memory (mipmapped textures, draw lists: tens of MiB for
// a big avatar) is reclaimed now rather than when CacheSize newer models
// have pushed it out. It is never needed for correctness.
func (r *Renderer) Forget(a *vrm.Model) {
	for i, p := range r.cache {
		if p.avatar == a {
			r.cache = append(r.cache[:i], r.cache[i+1:]...)
			return
		}
	}
}

// phaseKind selects what the workers do in a phase.
type phaseKind uint8

const (
	phaseVertex phaseKind = iota
	phaseSetup
	phaseRaster
)

// Helper states (Renderer.spin).
const (
	helperIdle     = iota // parked on its wake channel, or working
	helperSpinning        // waiting for the next phase without parking
	helperClaimed         // handed the next phase while spinning
)

// spinTime is how long a helper waits for the next phase, and the caller for
// the helpers, before parking: long enough to cover the gaps between a
// frame's phases, short against a frame's period.
const spinTime = 50 * time.Microsecond

func (r *Renderer) helper(id int) {
	st := &r.spin[id-1]
	for {
		// Wait for a phase: spinning first (yielding, so a single P still
		// runs the caller), then parked on the channel. The caller claims a
		// spinning helper instead of waking it, possibly before it got here.
		claimed := false
		if st.Load() != helperIdle {
			deadline := time.Now().Add(spinTime)
			for st.Load() == helperSpinning && time.Now().Before(deadline) {
				runtime.Gosched()
			}
			// Gave up unless claimed meanwhile; a claimed helper is not sent
			// on its channel, so it must not park.
			claimed = !st.CompareAndSwap(helperSpinning, helperIdle)
			st.Store(helperIdle)
		}
		if !claimed {
			if _, ok := <-r.wake[id-1]; !ok {
				return
			}
		}
		r.helperWork(id)
		// Spinning is announced before the phase is reported done, so the
		// next phase sees either a spinning helper or a parked one.
		st.Store(helperSpinning)
		r.pending.Add(-1)
		r.wg.Done()
	}
}

// run executes n tasks of a phase on the pool, the caller working as worker 0.
func (r *Renderer) run(ph phaseKind, n int) {
	if n <= 0 {
		return
	}
	r.phase = ph
	r.tasks = int32(n)
	r.next.Store(0)
	helpers := min(r.workers-1, n-1)
	r.wg.Add(helpers)
	r.pending.Store(int32(helpers))
	for i := 0; i < helpers; i++ {
		if !r.spin[i].CompareAndSwap(helperSpinning, helperClaimed) {
			r.wake[i] <- struct{}{}
		}
	}
	finished := false
	defer func() {
		if !finished {
			// The caller's share panicked: stop handing out tasks and let
			// the helpers finish before the panic leaves Render, so that no
			// helper still works on this frame when the next one begins.
			r.next.Store(r.tasks)
			r.wg.Wait()
			r.fault.Store(nil)
		}
	}()
	r.work(0)
	finished = true
	if r.pending.Load() > 0 {
		deadline := time.Now().Add(spinTime)
		for r.pending.Load() > 0 && time.Now().Before(deadline) {
			runtime.Gosched()
		}
	}
	r.wg.Wait()
	if p := r.fault.Swap(nil); p != nil {
		panic(p)
	}
}

// helperWork runs a helper's share of a phase, catching a panic so that it
// can be raised on the caller's goroutine (WorkerPanic).
func (r *Renderer) helperWork(id int) {
	defer func() {
		if v := recover(); v != nil {
			r.next.Store(r.tasks) // the other workers stop taking tasks
			r.fault.CompareAndSwap(nil, &WorkerPanic{Value: v, Stack: debug.Stack()})
		}
	}()
	r.work(id)
}

func (r *Renderer) work(id int) {
	ws := &r.scratch[id]
	fs := &r.fs
	for {
		t := r.next.Add(1) - 1
		if t >= r.tasks {
			return
		}
		if r.taskHook != nil {
			r.taskHook(id)
		}
		switch r.phase {
		case phaseVertex:
			fs.vertexTask(int(t))
		case phaseSetup:
			fs.setupChunk(int(t))
		case phaseRaster:
			ws.rasterTile(fs, int(t))
		}
	}
}

// Render draws scene into dst, covering all of dst.Rect. dst may be any
// *image.RGBA (a tightly packed one, Min = (0,0) and Stride = 4·width, is what
// fyne wants); an empty rectangle draws nothing. The output is premultiplied
// sRGB as image.RGBA defines, identical for identical inputs whatever the
// worker count or scheduling.
func (r *Renderer) Render(dst *image.RGBA, scene Scene) {
	if r.closed || dst == nil {
		return
	}
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if w <= 0 || h <= 0 || len(dst.Pix) < dst.PixOffset(dst.Rect.Max.X-1, dst.Rect.Max.Y-1)+4 {
		return
	}
	if w > maxViewport || h > maxViewport {
		return
	}
	t0 := time.Now()
	var p *prepared
	if scene.Avatar != nil {
		p = r.prepare(scene.Avatar)
	}
	fs := &r.fs
	fs.begin(dst, &scene, p)
	var tv, tb time.Duration
	if fs.nInst > 0 {
		t := time.Now()
		r.run(phaseVertex, len(fs.vtasks))
		tv = time.Since(t)
		fs.buildDraws()
		t = time.Now()
		r.run(phaseSetup, fs.nChunks)
		tb = time.Since(t)
	}
	// A tile can hold every set-up triangle: size the workers' tile buffers
	// and triangle lists for that up front, so no worker grows them
	// mid-frame.
	nt := 0
	for _, c := range fs.chunks[:fs.nChunks] {
		nt += len(c.tris)
	}
	for i := range r.scratch {
		r.scratch[i].reserve(nt)
	}
	t1 := time.Now()
	r.run(phaseRaster, fs.tilesX*fs.tilesY)
	tr := time.Since(t1)
	fs.end()
	r.timings = Timings{Setup: t1.Sub(t0) - tv - tb, Vertex: tv, Triangles: tb, Raster: tr}
}

// maxViewport bounds the output size in pixels per side: screen coordinates
// stay well inside the fixed-point range (see guardBand).
const maxViewport = 1 << 14

// prepare returns the cached preprocessing of a, building it on first use.
func (r *Renderer) prepare(a *vrm.Model) *prepared {
	for i, p := range r.cache {
		if p.avatar == a {
			if i != len(r.cache)-1 {
				copy(r.cache[i:], r.cache[i+1:])
				r.cache[len(r.cache)-1] = p
			}
			return p
		}
	}
	p := newPrepared(a, true)
	if len(r.cache) >= r.cacheSize {
		copy(r.cache, r.cache[1:])
		r.cache = r.cache[:len(r.cache)-1]
	}
	r.cache = append(r.cache, p)
	return p
}
