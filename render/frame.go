package render

import (
	"image"
	"math"
	"slices"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm"
)

// Tiling and work-split constants. They fix how work is divided, never the
// result: pixels are produced identically however tasks meet workers.
const (
	tileW     = 64  // tile width, pixels
	tileH     = 32  // tile height, pixels
	vertChunk = 512 // vertices per vertex-stage task
	// Setup/binning tasks hold at least minChunkTris triangles and are at
	// most maxChunks: enough tasks to share among workers, few enough that
	// every tile reading all their bins stays cheap.
	minChunkTris = 512
	maxChunks    = 32
	maxSamples   = 4
)

// subBits is the sub-pixel precision of screen coordinates: 1/256 pixel.
const (
	subBits = 8
	subOne  = 1 << subBits
	subHalf = subOne / 2
)

// sampleOffsets4 are the 4× rotated-grid sample positions relative to the
// pixel centre, in 1/256 pixel (the familiar (±2, ±6)/16 pattern); it is
// point-symmetric, samples 3 and 2 mirroring 0 and 1 (edgeSetup relies on
// it).
var sampleOffsets4 = [4][2]int64{{-32, -96}, {96, -32}, {-96, 32}, {32, 96}}

// frameState is everything one Render call computes, kept between frames so
// its buffers are reused.
type frameState struct {
	dst       *image.RGBA
	w, h      int
	samples   int
	sampleOff [maxSamples][2]int64
	tilesX    int
	tilesY    int

	// Projection: clip = (px·x, py·y, pa·z + pb, −z) for a view-space point;
	// reverse-Z, so depth z/w is 1 at the near plane and 0 at the far one.
	px, py, pa, pb float32
	finiteFar      bool
	// The view direction toward the camera through pixel (x, y)'s centre
	// is (vx0 + dvx·x, vy0 + dvy·y, 1), view space, not normalised.
	vx0, dvx, vy0, dvy float32
	guard              float32 // guard band: |x|, |y| ≤ guard·w in clip space
	view               mgl32.Mat4

	bg    [4]uint8 // background, premultiplied sRGB bytes
	bgRow [4 * tileW]uint8
	bgLin [4]float32 // background, premultiplied linear

	lightDir [3]float32 // toward the light, view space, unit
	lightCol [3]float32
	ambient  [3]float32

	scene    Scene // a copy of the Render argument
	prep     *prepared
	frame    *vrm.Frame
	mats     []matFrame
	insts    []instFrame
	palettes [][]mgl32.Mat4 // per skin, view space: View · JointPalette
	morphs   []activeMorph
	verts    []vertex
	// tans: view-space unit tangent and handedness per vertex of verts, for
	// instances with tangents (see instance.tan).
	tans   [][4]float32
	vtasks []vtask
	nInst  int

	draws     []draw
	triTotal  int
	chunkTris int // triangles per setup task
	nChunks   int
	chunks    []*chunk
}

// instFrame is an instance's state for this frame.
type instFrame struct {
	visible bool
	skinned bool
	outline bool
	m       mgl32.Mat4 // view · NodeWorld, unskinned instances
	nm      mgl32.Mat3 // normal matrix of m
	morphLo int        // active morphs are morphs[morphLo:morphHi]
	morphHi int
	vbase   uint32 // first surface vertex in verts
	obase   uint32 // first outline vertex in verts
}

type activeMorph struct {
	w float32
	t *morphTarget
}

// vtask is one vertex-stage task: vertices [lo, hi) of instance inst.
type vtask struct {
	inst   int32
	lo, hi int32
}

// cullMode is which facing a draw discards.
type cullMode uint8

const (
	cullBack cullMode = iota
	cullNone
	cullFront
)

// Draw groups, in draw order.
const (
	groupOpaque      = iota
	groupMask        //
	groupOutline     // outlines of opaque and masked surfaces
	groupBlendZWrite // BLEND with MToon transparentWithZWrite
	groupBlend
)

// draw is one primitive instance drawn once (surface or outline).
type draw struct {
	inst     int32
	mat      int32
	vbase    uint32
	idx      []uint32
	triStart int
	outline  bool
	cull     cullMode
	blend    bool
	zwrite   bool
	group    uint8
	queue    int
	depth    float32 // view-space z of the vertex centroid (blended draws)
	seq      int32
}

// vertex is a post-transform vertex.
type vertex struct {
	clip [4]float32
	n    [3]float32 // view-space normal, unit (zero when the mesh has none)
	v    [3]float32 // unit view-space direction from the vertex toward the camera
	uv0  [2]float32
	uv1  [2]float32
	col  [4]float32 // COLOR_0, linear RGBA (1s when absent)

	// Screen projection, valid when scr is set (see frameState.toScreen).
	sx, sy int32   // fixed-point pixel position, subBits fractional bits
	z, iw  float32 // depth z/w (reverse-Z) and 1/w
	oc     uint8   // clip outcode
	scr    bool
}

func finite(x float32) bool {
	return x-x == 0
}

// begin sets up a frame: viewport, projection, light, materials, instances
// and vertex-stage tasks.
func (fs *frameState) begin(dst *image.RGBA, s *Scene, p *prepared) {
	fs.dst = dst
	fs.scene = *s
	fs.prep = p
	fs.frame = s.Frame
	fs.w, fs.h = dst.Rect.Dx(), dst.Rect.Dy()
	fs.samples = s.AA.samples()
	if fs.samples == 1 {
		fs.sampleOff[0] = [2]int64{0, 0}
	} else {
		copy(fs.sampleOff[:], sampleOffsets4[:])
	}
	fs.tilesX = (fs.w + tileW - 1) / tileW
	fs.tilesY = (fs.h + tileH - 1) / tileH
	fs.nInst = 0
	fs.draws = fs.draws[:0]
	fs.triTotal = 0
	fs.nChunks = 0

	// Background.
	bg := s.Background
	a := float32(bg.A) / 255
	fs.bgLin = [4]float32{mathx.SRGB8ToLinear(bg.R) * a, mathx.SRGB8ToLinear(bg.G) * a, mathx.SRGB8ToLinear(bg.B) * a, a}
	fs.bg = encodePremul(fs.bgLin)
	for i := 0; i < len(fs.bgRow); i += 4 {
		copy(fs.bgRow[i:i+4], fs.bg[:])
	}

	// Projection.
	c := s.Camera
	fov := c.FOV
	if !(fov > 0 && fov < 180) {
		fov = DefaultFOV
	}
	near := c.Near
	if !(near > 0) || !finite(near) {
		near = DefaultNear
	}
	f := float32(1 / math.Tan(float64(fov)*math.Pi/360))
	fs.py = f
	fs.px = f * float32(fs.h) / float32(fs.w)
	if far := c.Far; far > near && finite(far) {
		fs.pa = near / (far - near)
		fs.pb = near * far / (far - near)
		fs.finiteFar = true
	} else {
		fs.pa, fs.pb = 0, near
		fs.finiteFar = false
	}
	// −(ndc x)/px and −(ndc y)/py at the pixel centres (ndc y is up, pixel
	// rows go down).
	fw, fh := float32(fs.w), float32(fs.h)
	fs.vx0, fs.dvx = (1-1/fw)/fs.px, -2/(fw*fs.px)
	fs.vy0, fs.dvy = (1/fh-1)/fs.py, 2/(fh*fs.py)
	fs.guard = float32(1<<16)/float32(max(fs.w, fs.h)) - 1
	fs.view = c.View
	for i := range fs.view {
		if !finite(fs.view[i]) {
			fs.view = mgl32.Ident4()
			break
		}
	}

	// Light, in view space.
	d := fs.view.Mul4x1(s.Light.Direction.Vec4(0)).Vec3()
	if l := d.Len(); l > 0 && finite(l) {
		fs.lightDir = [3]float32{-d[0] / l, -d[1] / l, -d[2] / l}
		fs.lightCol = sanitizeColor(s.Light.Color)
	} else {
		fs.lightDir = [3]float32{0, 0, 1}
		fs.lightCol = [3]float32{}
	}
	fs.ambient = sanitizeColor(s.Ambient)

	if p == nil || s.Frame == nil {
		return
	}
	fs.setupMaterials(s)
	fs.setupInstances(s)
}

func sanitizeColor(c mgl32.Vec3) [3]float32 {
	var o [3]float32
	for i, v := range c {
		o[i] = mathx.Clamp(v, 0, 1e4)
	}
	return o
}

// encodePremul converts a premultiplied linear colour to premultiplied sRGB
// bytes (image.RGBA's encoding: premultiplied in the encoded space).
func encodePremul(c [4]float32) [4]uint8 {
	a := c[3]
	if !(a > 0) {
		return [4]uint8{}
	}
	if a >= 1 {
		return [4]uint8{encodeSRGB(c[0]), encodeSRGB(c[1]), encodeSRGB(c[2]), 255}
	}
	inv := 1 / a
	return [4]uint8{
		uint8(float32(encodeSRGB(c[0]*inv))*a + 0.5),
		uint8(float32(encodeSRGB(c[1]*inv))*a + 0.5),
		uint8(float32(encodeSRGB(c[2]*inv))*a + 0.5),
		uint8(a*255 + 0.5),
	}
}

// setupInstances decides which instances are drawn and how their vertices
// are transformed, and cuts the vertex stage into tasks.
func (fs *frameState) setupInstances(s *Scene) {
	p, fr, a := fs.prep, s.Frame, fs.prep.avatar
	if cap(fs.insts) < len(p.instances) {
		fs.insts = make([]instFrame, len(p.instances))
	}
	fs.insts = fs.insts[:len(p.instances)]
	fs.morphs = fs.morphs[:0]
	fs.vtasks = fs.vtasks[:0]
	// View-space joint palettes, for the skins in use.
	if cap(fs.palettes) < len(a.Skins) {
		fs.palettes = append(fs.palettes[:cap(fs.palettes)], make([][]mgl32.Mat4, len(a.Skins)-cap(fs.palettes))...)
	}
	fs.palettes = fs.palettes[:len(a.Skins)]
	for i := range fs.palettes {
		fs.palettes[i] = fs.palettes[i][:0]
	}
	nv := 0
	for i := range p.instances {
		in := &p.instances[i]
		f := &fs.insts[i]
		*f = instFrame{}
		switch in.fp {
		case vrm.FirstPersonFirstPersonOnly:
			if !s.FirstPersonView {
				continue
			}
		case vrm.FirstPersonThirdPersonOnly:
			if s.FirstPersonView {
				continue
			}
		}
		f.visible = true
		if in.skin >= 0 && in.skin < len(fr.JointPalettes) && len(fr.JointPalettes[in.skin]) > 0 {
			f.skinned = true
			if len(fs.palettes[in.skin]) == 0 {
				src := fr.JointPalettes[in.skin]
				pal := fs.palettes[in.skin][:0]
				for _, m := range src {
					pal = append(pal, fs.view.Mul4(m))
				}
				fs.palettes[in.skin] = pal
			}
		}
		world := mgl32.Ident4()
		if in.node < len(fr.NodeWorld) {
			world = fr.NodeWorld[in.node]
		}
		f.m = fs.view.Mul4(world)
		f.nm = normalMatrix(f.m)
		f.morphLo = len(fs.morphs)
		if in.node < len(fr.MorphWeights) {
			for t, w := range fr.MorphWeights[in.node] {
				if t < len(in.targets) && w != 0 && finite(w) && (in.targets[t].pos != nil || in.targets[t].nrm != nil) {
					fs.morphs = append(fs.morphs, activeMorph{w: w, t: &in.targets[t]})
				}
			}
		}
		f.morphHi = len(fs.morphs)
		n := in.nverts
		f.vbase = uint32(nv)
		nv += n
		if in.outlineWidth != nil && !s.HideOutlines {
			f.outline = true
			f.obase = uint32(nv)
			nv += n
		}
		for lo := 0; lo < n; lo += vertChunk {
			fs.vtasks = append(fs.vtasks, vtask{inst: int32(i), lo: int32(lo), hi: int32(min(lo+vertChunk, n))})
		}
		fs.nInst++
	}
	if cap(fs.verts) < nv {
		fs.verts = make([]vertex, nv)
	}
	fs.verts = fs.verts[:nv]
	if fs.prep.tangents {
		if cap(fs.tans) < nv {
			fs.tans = make([][4]float32, nv)
		}
		fs.tans = fs.tans[:nv]
	}
}

// normalMatrix returns the inverse transpose of m's upper 3×3, for normals
// under non-uniform scale; a singular matrix gives its plain 3×3.
func normalMatrix(m mgl32.Mat4) mgl32.Mat3 {
	m3 := m.Mat3()
	if d := m3.Det(); d == 0 || !finite(d) {
		return m3
	}
	return m3.Inv().Transpose()
}

// buildDraws lists the frame's draws in draw order, after the vertex stage
// (blended draws are sorted by their view-space depth), and sizes the setup.
func (fs *frameState) buildDraws() {
	p := fs.prep
	seq := int32(0)
	for i := range p.instances {
		f := &fs.insts[i]
		if !f.visible {
			continue
		}
		in := &p.instances[i]
		m := &fs.mats[in.mat]
		d := draw{inst: int32(i), mat: int32(in.mat), vbase: f.vbase, idx: in.indices, cull: cullBack, zwrite: true}
		if m.doubleSided {
			d.cull = cullNone
		}
		switch m.alpha {
		case vrm.AlphaMask:
			d.group = groupMask
		case vrm.AlphaBlend:
			d.blend = true
			d.zwrite = m.zwrite
			d.group = groupBlend
			if m.zwrite {
				d.group = groupBlendZWrite
			}
			d.queue = m.queue
			d.depth = fs.centroidZ(f.vbase, in.nverts)
		}
		if f.outline {
			o := d
			o.outline, o.vbase, o.cull, o.seq = true, f.obase, cullFront, seq
			if !o.blend {
				o.group = groupOutline
			}
			fs.draws = append(fs.draws, o)
			seq++
		}
		d.seq = seq
		seq++
		fs.draws = append(fs.draws, d)
	}
	slices.SortStableFunc(fs.draws, compareDraws)
	total := 0
	for i := range fs.draws {
		fs.draws[i].triStart = total
		total += len(fs.draws[i].idx) / 3
	}
	fs.triTotal = total
	fs.chunkTris = max(minChunkTris, (total+maxChunks-1)/maxChunks)
	fs.nChunks = (total + fs.chunkTris - 1) / fs.chunkTris
	for len(fs.chunks) < fs.nChunks {
		fs.chunks = append(fs.chunks, &chunk{})
	}
}

// compareDraws orders draws: by group (opaque, mask, outlines, blended with
// depth write, blended), then render queue, then — blended groups only —
// far to near, then scene order (an outline just before its surface).
func compareDraws(a, b draw) int {
	switch {
	case a.group != b.group:
		return int(a.group) - int(b.group)
	case a.queue != b.queue:
		if a.queue < b.queue {
			return -1
		}
		return 1
	case a.blend && a.depth != b.depth:
		if a.depth < b.depth { // more negative view z is farther
			return -1
		}
		return 1
	}
	return int(a.seq - b.seq)
}

// centroidZ is the mean view-space z of n vertices from base.
func (fs *frameState) centroidZ(base uint32, n int) float32 {
	var sum float64
	for _, v := range fs.verts[base : base+uint32(n)] {
		sum -= float64(v.clip[3]) // view z = −w
	}
	z := float32(sum / float64(n))
	if !finite(z) {
		return 0
	}
	return z
}

// end drops the frame's references to caller data.
func (fs *frameState) end() {
	fs.dst = nil
	fs.scene = Scene{}
	fs.frame = nil
	fs.prep = nil
}
