package render

import (
	"math"
	"math/bits"

	"github.com/kugutsu/kugutsu/vrm"
)

// Pixel states in a tile: how a pixel's samples are stored.
const (
	pxClear   = iota // untouched: every sample is the background
	pxUniform        // all samples equal sample 0 (a pixel covered by one fragment)
	pxMixed          // samples differ: each is stored
)

// workerScratch is one worker's tile buffers, reused for every tile it
// takes: per sample a reverse-Z depth (0 = far) and the visible surface's
// triangle, and where blended triangles need them, per sample a
// premultiplied linear colour and per pixel a state.
type workerScratch struct {
	color [][4]float32
	depth []float32
	// ids is the visibility buffer: per sample, 1 + the index in tris of
	// the nearest opaque, masked or outline triangle; 0 is the background.
	ids   []uint32
	state []uint8
	hiz   [hizW * hizH]float32 // see buildHiz
	tris  []tileTri            // the tile's visibility-buffer triangles, in draw order
	frags []fragment           // one triangle's fragments in one tile (≤ tileW·tileH)
	sh    triShader            // for the fragment queue

	rowRep [tileW]uint32 // a row's pixel surfaces (see surface)

	// Bound shaders of the tile's visible triangles, direct-mapped by id
	// (shcID 0: empty).
	shc   [shaderCache]triShader
	shcID [shaderCache]uint32

	// The part of the tile any triangle's bounding box reaches; only it is
	// cleared, drawn and resolved.
	rx0, ry0, rx1, ry1 int // tile-relative pixels, half-open
}

// shaderCache is how many bound triangle shaders a worker keeps per tile.
const shaderCache = 64

// tileTri is a set-up triangle: its chunk and its index there, and what
// decides whether neighbouring triangles merge into one surface (see
// mergeable): its draw and facing as one key, and its vertex references,
// those made by clipping replaced by values no other triangle's can equal.
type tileTri struct {
	v    [3]uint32
	key  int32 // draw·2 + 1 when back-facing
	c, i int32
}

// newTileTri returns the tileTri of triangle i of chunk ci, the tile's
// triangle number n.
func newTileTri(t *tri, ci, i, n int) tileTri {
	tt := tileTri{v: t.v, key: t.draw * 2, c: int32(ci), i: int32(i)}
	if t.back {
		tt.key++
	}
	for k, v := range tt.v {
		if v&clipBit != 0 {
			tt.v[k] = clipBit | uint32(n)<<2 | uint32(k)
		}
	}
	return tt
}

// tri returns visibility-buffer triangle id's set-up triangle and chunk.
func (ws *workerScratch) tri(fs *frameState, id uint32) (*tri, *chunk) {
	tt := ws.tris[id-1]
	c := fs.chunks[tt.c]
	return &c.tris[tt.i], c
}

// shaderFor returns the bound shader of visibility-buffer triangle id.
func (ws *workerScratch) shaderFor(fs *frameState, id uint32) *triShader {
	k := id % shaderCache
	sh := &ws.shc[k]
	if ws.shcID[k] != id {
		t, c := ws.tri(fs, id)
		sh.bindTri(fs, c, t)
		ws.shcID[k] = id
	}
	return sh
}

// reserve sizes the worker's tile buffers and its per-tile triangle list
// for up to n triangles before a frame's raster phase, so that no worker
// allocates mid-frame whichever tiles it happens to take.
func (ws *workerScratch) reserve(n int) {
	if cap(ws.tris) < n {
		ws.tris = make([]tileTri, 0, n)
	}
	if ws.depth == nil && n > 0 {
		ws.color = make([][4]float32, tileW*tileH*maxSamples)
		ws.depth = make([]float32, tileW*tileH*maxSamples)
		ws.ids = make([]uint32, tileW*tileH*maxSamples)
		ws.state = make([]uint8, tileW*tileH)
		ws.frags = make([]fragment, 0, tileW*tileH)
	}
}

// rasterTile draws every triangle binned to tile t, in draw order, and
// resolves the tile into the destination.
//
// Opaque, alpha-masked and outline triangles (the draw groups before the
// blended ones) are drawn in two passes: first a visibility buffer keeps,
// per sample, the depth and the triangle of the nearest surface (coverage
// and depth only; masked triangles also run their alpha test); then every
// pixel is shaded once per visible surface at its centre. Samples of
// neighbouring triangles of one draw (sharing an edge, facing the same way)
// count as one surface there, shaded with the triangle that covers the
// pixel centre, as a GPU's multisampling shades a continuous mesh. Blended
// triangles are then shaded per fragment and composited per sample.
func (ws *workerScratch) rasterTile(fs *frameState, t int) {
	tx, ty := t%fs.tilesX, t/fs.tilesX
	x0, y0 := tx*tileW, ty*tileH
	x1, y1 := min(x0+tileW, fs.w), min(y0+tileH, fs.h)
	// The touched rectangle: the union of the binned triangles' bounding
	// boxes, tile-relative.
	rx0, ry0, rx1, ry1 := x1-x0, y1-y0, 0, 0
	blend := false
	for _, c := range fs.chunks[:fs.nChunks] {
		for _, i := range c.bin(t) {
			tr := &c.tris[i]
			rx0, ry0 = min(rx0, max(int(tr.x0)-x0, 0)), min(ry0, max(int(tr.y0)-y0, 0))
			rx1, ry1 = max(rx1, min(int(tr.x1)+1-x0, x1-x0)), max(ry1, min(int(tr.y1)+1-y0, y1-y0))
			blend = blend || fs.draws[tr.draw].blend
		}
	}
	if rx0 >= rx1 || ry0 >= ry1 {
		fs.fillBackground(x0, y0, x1, y1)
		return
	}
	ws.rx0, ws.ry0, ws.rx1, ws.ry1 = rx0, ry0, rx1, ry1
	// Background around the rectangle.
	fs.fillBackground(x0, y0, x1, y0+ry0)
	fs.fillBackground(x0, y0+ry1, x1, y1)
	fs.fillBackground(x0, y0+ry0, x0+rx0, y0+ry1)
	fs.fillBackground(x0+rx1, y0+ry0, x1, y0+ry1)

	S := fs.samples
	for y := ry0; y < ry1; y++ {
		p := y * tileW
		clear(ws.depth[(p+rx0)*S : (p+rx1)*S])
		clear(ws.ids[(p+rx0)*S : (p+rx1)*S])
		if blend {
			clear(ws.state[p+rx0 : p+rx1])
		}
	}
	ws.tris = ws.tris[:0]
	X0, Y0, X1, Y1 := int32(x0), int32(y0), int32(x1), int32(y1)
	shaded, hiz := false, false
	for ci, c := range fs.chunks[:fs.nChunks] {
		for _, i := range c.bin(t) {
			tr := &c.tris[i]
			d := &fs.draws[tr.draw]
			if d.group >= groupOutline {
				if !hiz {
					ws.buildHiz(S)
					hiz = true
				}
				if ws.hidden(tr, x0, y0) {
					continue
				}
			}
			if d.blend {
				if !shaded {
					ws.shadeVisible(fs, x0, y0, false)
					shaded = true
				}
				ws.raster(fs, c, tr, X0, Y0, X1, Y1, false)
				continue
			}
			ws.tris = append(ws.tris, newTileTri(tr, ci, int(i), len(ws.tris)))
			if fs.mats[d.mat].alpha == vrm.AlphaMask {
				ws.raster(fs, c, tr, X0, Y0, X1, Y1, true)
			} else {
				ws.rasterVis(fs, tr, uint32(len(ws.tris)), X0, Y0, X1, Y1)
			}
		}
	}
	if !blend {
		// Nothing composites over the opaque surfaces: shade them straight
		// into the destination.
		ws.shadeVisible(fs, x0, y0, true)
		return
	}
	if !shaded {
		ws.shadeVisible(fs, x0, y0, false)
	}
	ws.resolve(fs, x0, y0)
}

// Hierarchical depth: once a tile's opaque and alpha-masked surfaces are
// drawn (draw groups before outlines), the farthest depth of each 8×8-pixel
// block lets later triangles — outlines above all, whose inverted hulls lie
// mostly behind the surface — be skipped when they lie behind every sample
// of the blocks they overlap. Later draws only bring depths nearer, so the
// block values stay conservative.
const (
	hizBlock = 8
	hizW     = tileW / hizBlock
	hizH     = tileH / hizBlock
)

// buildHiz computes each block's farthest (smallest, reverse-Z) depth over
// the samples of the touched rectangle (the others are stale, and no
// triangle reaches them).
func (ws *workerScratch) buildHiz(S int) {
	for i := range ws.hiz {
		ws.hiz[i] = float32(math.Inf(1))
	}
	for y := ws.ry0; y < ws.ry1; y++ {
		hb := y / hizBlock * hizW
		for bx := ws.rx0 / hizBlock; bx*hizBlock < ws.rx1; bx++ {
			xa, xb := max(ws.rx0, bx*hizBlock), min(ws.rx1, (bx+1)*hizBlock)
			m := ws.hiz[hb+bx]
			for _, d := range ws.depth[(y*tileW+xa)*S : (y*tileW+xb)*S] {
				if d < m {
					m = d
				}
			}
			ws.hiz[hb+bx] = m
		}
	}
}

// hidden reports whether triangle t lies behind every sample of the blocks
// its bounding box overlaps in the tile at (x0, y0).
func (ws *workerScratch) hidden(t *tri, x0, y0 int) bool {
	zmax := max(t.z[0], t.z[1], t.z[2]) // the triangle's nearest depth
	bx0, bx1 := max(int(t.x0)-x0, 0)/hizBlock, min(int(t.x1)-x0, tileW-1)/hizBlock
	by0, by1 := max(int(t.y0)-y0, 0)/hizBlock, min(int(t.y1)-y0, tileH-1)/hizBlock
	for by := by0; by <= by1; by++ {
		for _, m := range ws.hiz[by*hizW+bx0 : by*hizW+bx1+1] {
			if zmax > m {
				return false
			}
		}
	}
	return true
}

// fillBackground fills a rectangle of the destination with the background.
func (fs *frameState) fillBackground(x0, y0, x1, y1 int) {
	if x0 >= x1 {
		return
	}
	d := fs.dst
	for y := y0; y < y1; y++ {
		off := d.PixOffset(d.Rect.Min.X+x0, d.Rect.Min.Y+y)
		copy(d.Pix[off:off+4*(x1-x0)], fs.bgRow[:])
	}
}

// edgeSetup is a triangle's edge functions prepared for one tile: per
// sample offsets of the edge values and depth from the pixel centre, and per
// edge the most and least favourable ones.
type edgeSetup struct {
	o0, o1, o2          [maxSamples]int64
	zoff                [maxSamples]float32
	hi0, hi1, hi2       int64
	lo0, lo1, lo2       int64
	step0, step1, step2 int64
	dzpx, dzpy          float32 // depth step per pixel along a row and down a column
	id                  uint32  // the visibility-buffer surface drawn
}

func (es *edgeSetup) init(fs *frameState, t *tri) {
	a0, a1, a2 := int64(t.a[0]), int64(t.a[1]), int64(t.a[2])
	b0, b1, b2 := int64(t.b[0]), int64(t.b[1]), int64(t.b[2])
	z0, z1, z2 := t.z[0], t.z[1], t.z[2]
	// Depth gradient per fixed unit.
	dzdx := (float32(a0)*z0 + float32(a1)*z1 + float32(a2)*z2) * t.invA
	dzdy := (float32(b0)*z0 + float32(b1)*z1 + float32(b2)*z2) * t.invA
	es.step0, es.step1, es.step2 = a0<<subBits, a1<<subBits, a2<<subBits
	es.dzpx, es.dzpy = dzdx*subOne, dzdy*subOne
	if fs.samples == 1 {
		es.o0[0], es.o1[0], es.o2[0], es.zoff[0] = 0, 0, 0, 0
		es.hi0, es.hi1, es.hi2, es.lo0, es.lo1, es.lo2 = 0, 0, 0, 0, 0, 0
		return
	}
	// Per-sample offsets of edges and depth from the pixel centre. The 4×
	// pattern is point-symmetric (samples 3 and 2 mirror 0 and 1), so per
	// edge the most and least favourable offsets are ±max(|o₀|, |o₁|): a
	// pixel can be touched only where e + hi ≥ 0, and is fully covered
	// where e + lo ≥ 0.
	p, q := sampleOffsets4[0], sampleOffsets4[1]
	u0, v0 := a0*p[0]+b0*p[1], a0*q[0]+b0*q[1]
	u1, v1 := a1*p[0]+b1*p[1], a1*q[0]+b1*q[1]
	u2, v2 := a2*p[0]+b2*p[1], a2*q[0]+b2*q[1]
	es.o0 = [4]int64{u0, v0, -v0, -u0}
	es.o1 = [4]int64{u1, v1, -v1, -u1}
	es.o2 = [4]int64{u2, v2, -v2, -u2}
	es.hi0, es.hi1, es.hi2 = max(u0, -u0, v0, -v0), max(u1, -u1, v1, -v1), max(u2, -u2, v2, -v2)
	es.lo0, es.lo1, es.lo2 = -es.hi0, -es.hi1, -es.hi2
	zu := dzdx*float32(p[0]) + dzdy*float32(p[1])
	zv := dzdx*float32(q[0]) + dzdy*float32(q[1])
	es.zoff = [4]float32{zu, zv, -zv, -zu}
}

// rasterVis draws one opaque or outline triangle into the visibility
// buffer of the tile [tx0, tx1)×[ty0, ty1): coverage and the depth test
// only, keeping id as the surface of the samples it wins. Each row is a run
// of fully covered pixels, which need no coverage test, between partly
// covered ones (see spanner).
func (ws *workerScratch) rasterVis(fs *frameState, t *tri, id uint32, tx0, ty0, tx1, ty1 int32) {
	x0, x1 := max(t.x0, tx0), min(t.x1, tx1-1)
	y0, y1 := max(t.y0, ty0), min(t.y1, ty1-1)
	if x0 > x1 || y0 > y1 {
		return
	}
	var es edgeSetup
	es.init(fs, t)
	es.id = id
	// Edge values and depth at (x0, y0)'s centre, stepped down the rows.
	X := int64(x0)<<subBits + subHalf
	Y := int64(y0)<<subBits + subHalf
	e := [3]int64{
		int64(t.a[0])*X + int64(t.b[0])*Y + t.c[0],
		int64(t.a[1])*X + int64(t.b[1])*Y + t.c[1],
		int64(t.a[2])*X + int64(t.b[2])*Y + t.c[2],
	}
	de := [3]int64{int64(t.b[0]) << subBits, int64(t.b[1]) << subBits, int64(t.b[2]) << subBits}
	f0, f1, f2 := float32(e[0])*t.invA, float32(e[1])*t.invA, float32(e[2])*t.invA
	z := f0*t.z[0] + f1*t.z[1] + f2*t.z[2]
	p0 := int(y0-ty0)*tileW + int(x0-tx0) // tile pixel of (x0, y)
	four := fs.samples == 4
	if x1-x0 < smallBox {
		// A narrow box: test every pixel.
		for y := y0; y <= y1; y++ {
			if four {
				ws.partial4(&es, p0, 0, x1-x0, &e, z)
			} else {
				ws.visRow1(&es, p0, 0, x1-x0, 1, 0, &e, z)
			}
			e[0], e[1], e[2] = e[0]+de[0], e[1]+de[1], e[2]+de[2]
			z += es.dzpy
			p0 += tileW
		}
		return
	}
	var sp spanner
	sp.init(&es, &e, &de, x1-x0)
	for y := y0; y <= y1; y++ {
		if xs, xe, fs0, fe0, ok := sp.next(); ok {
			if four {
				ws.visRow4(&es, p0, xs, xe, fs0, fe0, &e, z)
			} else {
				ws.visRow1(&es, p0, xs, xe, fs0, fe0, &e, z)
			}
		}
		e[0], e[1], e[2] = e[0]+de[0], e[1]+de[1], e[2]+de[2]
		z += es.dzpy
		p0 += tileW
	}
}

// smallBox is the bounding-box width below which rows test every pixel
// rather than look for their span.
const smallBox = 8

// visRow4 draws pixels [xs, xe] of a row with 4 samples per pixel, of
// which [fs, fe] are fully covered: offsets from the row's first pixel p0,
// whose edge values are e and depth z.
func (ws *workerScratch) visRow4(es *edgeSetup, p0 int, xs, xe, fs, fe int32, e *[3]int64, z float32) {
	if l := min(fs-1, xe); l >= xs {
		ws.partial4(es, p0, xs, l, e, z)
	}
	if fs <= fe {
		p, q := (p0+int(fs))*4, (p0+int(fe)+1)*4
		visFull4(es, ws.depth[p:q], ws.ids[p:q], z+es.dzpx*float32(fs))
	}
	if r := max(fe+1, xs); r <= xe {
		ws.partial4(es, p0, r, xe, e, z)
	}
}

// visFull4 draws fully covered pixels with 4 samples: dp and ip are their
// samples' depths and surfaces, z the depth at the first pixel's centre.
func visFull4(es *edgeSetup, dp []float32, ip []uint32, z float32) {
	zo0, zo1, zo2, zo3 := es.zoff[0], es.zoff[1], es.zoff[2], es.zoff[3]
	dz, id := es.dzpx, es.id
	for i := 0; i+4 <= len(dp) && i+4 <= len(ip); i += 4 {
		d := dp[i : i+4 : i+4]
		s := ip[i : i+4 : i+4]
		if v := z + zo0; v > d[0] {
			d[0], s[0] = v, id
		}
		if v := z + zo1; v > d[1] {
			d[1], s[1] = v, id
		}
		if v := z + zo2; v > d[2] {
			d[2], s[2] = v, id
		}
		if v := z + zo3; v > d[3] {
			d[3], s[3] = v, id
		}
		z += dz
	}
}

// partial4 draws pixels [xa, xb] of a row (see visRow4) with 4 samples,
// testing coverage: none where an edge value plus its most favourable
// sample offset is negative, all where every edge value plus its least
// favourable one is ≥ 0, else per sample (its three edge values ≥ 0, i.e.
// the sign bit of their OR clear).
func (ws *workerScratch) partial4(es *edgeSetup, p0 int, xa, xb int32, e *[3]int64, z float32) {
	k := int64(xa)
	e0, e1, e2 := e[0]+es.step0*k, e[1]+es.step1*k, e[2]+es.step2*k
	z += es.dzpx * float32(xa)
	p, q := (p0+int(xa))*4, (p0+int(xb)+1)*4
	dp, ip := ws.depth[p:q], ws.ids[p:q]
	for i := 0; i+4 <= len(dp) && i+4 <= len(ip); i += 4 {
		cover := uint64(0)
		if (e0+es.hi0)|(e1+es.hi1)|(e2+es.hi2) >= 0 {
			cover = 0xf
			if (e0+es.lo0)|(e1+es.lo1)|(e2+es.lo2) < 0 {
				cover = uint64(^((e0+es.o0[0])|(e1+es.o1[0])|(e2+es.o2[0])))>>63 |
					uint64(^((e0+es.o0[1])|(e1+es.o1[1])|(e2+es.o2[1])))>>63<<1 |
					uint64(^((e0+es.o0[2])|(e1+es.o1[2])|(e2+es.o2[2])))>>63<<2 |
					uint64(^((e0+es.o0[3])|(e1+es.o1[3])|(e2+es.o2[3])))>>63<<3
			}
		}
		if cover != 0 {
			d := dp[i : i+4 : i+4]
			s := ip[i : i+4 : i+4]
			if v := z + es.zoff[0]; cover&1 != 0 && v > d[0] {
				d[0], s[0] = v, es.id
			}
			if v := z + es.zoff[1]; cover&2 != 0 && v > d[1] {
				d[1], s[1] = v, es.id
			}
			if v := z + es.zoff[2]; cover&4 != 0 && v > d[2] {
				d[2], s[2] = v, es.id
			}
			if v := z + es.zoff[3]; cover&8 != 0 && v > d[3] {
				d[3], s[3] = v, es.id
			}
		}
		e0, e1, e2 = e0+es.step0, e1+es.step1, e2+es.step2
		z += es.dzpx
	}
}

// visRow1 is visRow4 with one sample per pixel, at its centre.
func (ws *workerScratch) visRow1(es *edgeSetup, p0 int, xs, xe, fs, fe int32, e *[3]int64, z float32) {
	k := int64(xs)
	e0, e1, e2 := e[0]+es.step0*k, e[1]+es.step1*k, e[2]+es.step2*k
	z += es.dzpx * float32(xs)
	p, q := p0+int(xs), p0+int(xe)+1
	dp, ip := ws.depth[p:q], ws.ids[p:q]
	f, l := int(fs-xs), int(fe-xs) // the fully covered run, indices into dp
	ip = ip[:len(dp)]
	dz, id := es.dzpx, es.id
	for i := range dp {
		if (i >= f && i <= l || (e0|e1|e2) >= 0) && z > dp[i] {
			dp[i], ip[i] = z, id
		}
		e0, e1, e2 = e0+es.step0, e1+es.step1, e2+es.step2
		z += dz
	}
}

// spanner finds, row by row, the pixels of a triangle's clipped bounding
// box that may hold covered samples and the run whose samples are surely
// all covered, from each edge's intercept with the row: where e + hi
// (resp. e + lo, the most and least favourable sample offsets) crosses 0.
// The intercepts are linear in the row; they are kept in 1/65536 pixel
// (rounded once, then stepped exactly) and rounded outward for the span and
// inward for the full run with a margin far above that rounding (they stay
// below 2³⁰ pixels in magnitude wherever they matter); the per-pixel tests
// stay exact, so the result does not depend on the rounding.
type spanner struct {
	w int64 // box width − 1, in 1/65536 pixel
	// Left edges (covered right of their intercept) and right edges
	// (covered left of it): the current row's intercepts, from the box's
	// left, for hi and lo with the margin folded in (outward for hi, inward
	// for lo), and their change per row.
	nl, nr     int
	lh, ll, lq [3]int64
	rh, rl, rq [3]int64
	// Edges constant along rows: their current values with hi and lo, and
	// the change per row.
	nc         int
	ch, cl, dc [3]int64
}

// Intercepts are fixed point with spanBits fractional bits; spanMargin is
// their safety margin (1/1024 pixel).
const (
	spanBits   = 16
	spanOne    = 1 << spanBits
	spanMargin = spanOne / 1024
	spanLimit  = 1 << 46 // intercepts are clamped to ±spanLimit
)

// init sets the spanner up for a box w+1 pixels wide whose first row's
// edge values at the left pixel's centre are e, changing by de per row.
func (sp *spanner) init(es *edgeSetup, e, de *[3]int64, w int32) {
	sp.w = int64(w) << spanBits
	sp.nl, sp.nr, sp.nc = 0, 0, 0
	hi := [3]int64{es.hi0, es.hi1, es.hi2}
	lo := [3]int64{es.lo0, es.lo1, es.lo2}
	step := [3]int64{es.step0, es.step1, es.step2}
	fix := func(x float64) int64 { return int64(min(max(x*spanOne, -spanLimit), spanLimit)) }
	for i := 0; i < 3; i++ {
		if step[i] == 0 {
			sp.ch[sp.nc], sp.cl[sp.nc], sp.dc[sp.nc] = e[i]+hi[i], e[i]+lo[i], de[i]
			sp.nc++
			continue
		}
		inv := 1 / float64(step[i])
		xh, xl, q := fix(-float64(e[i]+hi[i])*inv), fix(-float64(e[i]+lo[i])*inv), fix(-float64(de[i])*inv)
		if step[i] > 0 {
			sp.lh[sp.nl], sp.ll[sp.nl], sp.lq[sp.nl] = xh-spanMargin, xl+spanMargin, q
			sp.nl++
		} else {
			sp.rh[sp.nr], sp.rl[sp.nr], sp.rq[sp.nr] = xh+spanMargin, xl-spanMargin, q
			sp.nr++
		}
	}
}

// next returns for the current row the pixels [xs, xe] that may hold
// covered samples and [fs, fe] (empty when fs > fe) whose samples are all
// covered, as offsets from the box's left, then moves to the next row.
func (sp *spanner) next() (xs, xe, fs, fe int32, ok bool) {
	w := sp.w
	lo, hi, flo, fhi := int64(0), w, int64(0), w
	for i := 0; i < sp.nl && i < 3; i++ {
		lo, flo = max(lo, sp.lh[i]), max(flo, sp.ll[i])
		sp.lh[i] += sp.lq[i]
		sp.ll[i] += sp.lq[i]
	}
	for i := 0; i < sp.nr && i < 3; i++ {
		hi, fhi = min(hi, sp.rh[i]), min(fhi, sp.rl[i])
		sp.rh[i] += sp.rq[i]
		sp.rl[i] += sp.rq[i]
	}
	ok = true
	for i := 0; i < sp.nc && i < 3; i++ {
		if sp.ch[i] < 0 {
			ok = false
		}
		if sp.cl[i] < 0 {
			flo = w + spanOne
		}
		sp.ch[i] += sp.dc[i]
		sp.cl[i] += sp.dc[i]
	}
	// Outward for the span (ceiling of lo, floor of hi), inward for the run
	// (ceiling of flo, floor of fhi); lo and hi lie in [0, w].
	xs, xe = int32((lo+spanOne-1)>>spanBits), int32(hi>>spanBits)
	if !ok || xs > xe {
		return 0, 0, 0, 0, false
	}
	fs, fe = int32((min(flo, w+spanOne)+spanOne-1)>>spanBits), int32(max(fhi, -spanOne)>>spanBits)
	return xs, xe, max(fs, xs), min(fe, xe), true
}

// raster draws one triangle into the tile [tx0, tx1)×[ty0, ty1) through
// the fragment queue: a blended triangle is shaded and composited, an
// alpha-masked one (mask) runs its alpha test and, where it passes, enters
// the visibility buffer as the tile's latest triangle.
func (ws *workerScratch) raster(fs *frameState, c *chunk, t *tri, tx0, ty0, tx1, ty1 int32, mask bool) {
	x0, x1 := max(t.x0, tx0), min(t.x1, tx1-1)
	y0, y1 := max(t.y0, ty0), min(t.y1, ty1-1)
	if x0 > x1 || y0 > y1 {
		return
	}
	d := &fs.draws[t.draw]
	m := &fs.mats[d.mat]
	va, vb, vc := fs.vert(c, t.v[0]), fs.vert(c, t.v[1]), fs.vert(c, t.v[2])
	S := fs.samples
	var es edgeSetup
	es.init(fs, t)
	invA := t.invA
	z0, z1, z2 := t.z[0], t.z[1], t.z[2]
	iw0, iw1, iw2 := t.iw[0], t.iw[1], t.iw[2]
	depth := ws.depth
	frags := ws.frags[:cap(ws.frags)]
	nf := 0
	for y := y0; y <= y1; y++ {
		X := int64(x0)<<subBits + subHalf
		Y := int64(y)<<subBits + subHalf
		e0 := int64(t.a[0])*X + int64(t.b[0])*Y + t.c[0]
		e1 := int64(t.a[1])*X + int64(t.b[1])*Y + t.c[1]
		e2 := int64(t.a[2])*X + int64(t.b[2])*Y + t.c[2]
		// Narrow the row to the pixels each edge lets through (coverage is
		// still tested exactly).
		xs, xe, ok := rowSpan(x0, x1, e0+es.hi0, es.step0)
		if ok {
			xs, xe, ok = rowSpan(xs, xe, e1+es.hi1+es.step1*int64(xs-x0), es.step1)
		}
		if ok {
			xs, xe, ok = rowSpan(xs, xe, e2+es.hi2+es.step2*int64(xs-x0), es.step2)
		}
		if !ok {
			continue
		}
		k := int64(xs - x0)
		e0, e1, e2 = e0+es.step0*k, e1+es.step1*k, e2+es.step2*k
		row := int(y-ty0) * tileW
		for x := xs; x <= xe; x, e0, e1, e2 = x+1, e0+es.step0, e1+es.step1, e2+es.step2 {
			var cover uint32
			for s := 0; s < S; s++ {
				cover |= uint32(uint64(^((e0+es.o0[s])|(e1+es.o1[s])|(e2+es.o2[s])))>>63) << s
			}
			if cover == 0 {
				continue
			}
			// Barycentrics at the pixel centre; depth is exact per sample.
			f0, f1, f2 := float32(e0)*invA, float32(e1)*invA, float32(e2)*invA
			zc := f0*z0 + f1*z1 + f2*z2
			px := row + int(x-tx0)
			base := px * S
			var pass uint32
			for s := 0; s < S; s++ {
				if cover&(1<<s) != 0 && zc+es.zoff[s] > depth[base+s] {
					pass |= 1 << s
				}
			}
			if pass == 0 {
				continue
			}
			f0, f1, f2 = clampBary(f0, f1, f2)
			frags[nf] = fragment{px: int32(px), pass: pass, z: zc, w: [3]float32{f0 * iw0, f1 * iw1, f2 * iw2}}
			nf++
		}
	}
	ws.frags = frags[:nf]
	if nf == 0 {
		return
	}
	if mask {
		ws.maskFragments(fs, m, d, t, va, vb, vc, &es.zoff)
	} else {
		ws.shadeFragments(fs, m, d, t, va, vb, vc, &es.zoff)
	}
}

// clampBary clamps barycentrics into the triangle (attributes are taken
// at the pixel centre, centroid-like, so partly covered pixels don't
// extrapolate).
func clampBary(f0, f1, f2 float32) (float32, float32, float32) {
	if f0 < 0 || f1 < 0 || f2 < 0 {
		f0, f1, f2 = max(f0, 0), max(f1, 0), max(f2, 0)
		if sum := f0 + f1 + f2; sum > 0 {
			f0, f1, f2 = f0/sum, f1/sum, f2/sum
		} else {
			f0, f1, f2 = 1, 0, 0
		}
	}
	return f0, f1, f2
}

// fragment is a pixel a triangle touches and passes the depth test at,
// queued between the coverage loop and shading: keeping the two loops apart
// keeps each one's working set in registers.
type fragment struct {
	px   int32      // pixel index in the tile
	pass uint32     // samples covered and passing the depth test
	z    float32    // depth at the pixel centre
	w    [3]float32 // barycentrics over w (perspective-correct once normalised)
}

// weights returns a queued fragment's perspective-correct barycentric
// weights.
func (f *fragment) weights() (float32, float32, float32) {
	k := 1 / (f.w[0] + f.w[1] + f.w[2])
	return f.w[0] * k, f.w[1] * k, f.w[2] * k
}

// maskFragments runs the alpha test of an alpha-masked triangle's queued
// fragments and enters those that pass into the visibility buffer as
// triangle len(ws.tris).
func (ws *workerScratch) maskFragments(fs *frameState, m *matFrame, d *draw, t *tri, va, vb, vc *vertex, zoff *[maxSamples]float32) {
	S := fs.samples
	sh := &ws.sh
	sh.bind(fs, m, va, vb, vc, t, d)
	id := uint32(len(ws.tris))
	depth, ids := ws.depth, ws.ids
	for i := range ws.frags {
		f := &ws.frags[i]
		if _, _, _, _, keep := sh.shade(f.weights()); !keep {
			continue
		}
		base := int(f.px) * S
		for s := 0; s < S; s++ {
			if f.pass&(1<<s) != 0 {
				depth[base+s] = f.z + zoff[s]
				ids[base+s] = id
			}
		}
	}
}

// shadeFragments shades a blended triangle's queued fragments, writes
// their depth (when the draw writes depth) and composites their colour.
func (ws *workerScratch) shadeFragments(fs *frameState, m *matFrame, d *draw, t *tri, va, vb, vc *vertex, zoff *[maxSamples]float32) {
	S := fs.samples
	full := uint32(1)<<S - 1
	zwrite := d.zwrite
	color, depth, state := ws.color, ws.depth, ws.state
	sh := &ws.sh
	sh.bind(fs, m, va, vb, vc, t, d)
	for i := range ws.frags {
		f := &ws.frags[i]
		r, g, b, a, keep := sh.shade(f.weights())
		if !keep {
			continue
		}
		px, pass := int(f.px), f.pass
		base := px * S
		if zwrite {
			for s := 0; s < S; s++ {
				if pass&(1<<s) != 0 {
					depth[base+s] = f.z + zoff[s]
				}
			}
		}
		src := [4]float32{r * a, g * a, b * a, a}
		st := state[px]
		if pass == full && st != pxMixed {
			dst := &color[base]
			if st == pxClear {
				*dst = fs.bgLin
			}
			over(dst, &src)
			state[px] = pxUniform
			continue
		}
		// Partial coverage: store each sample.
		if st != pxMixed {
			fill := fs.bgLin
			if st == pxUniform {
				fill = color[base]
			}
			for s := 0; s < S; s++ {
				color[base+s] = fill
			}
			state[px] = pxMixed
		}
		for s := 0; s < S; s++ {
			if pass&(1<<s) != 0 {
				over(&color[base+s], &src)
			}
		}
	}
}

// shadeVisible shades the tile's visibility buffer: each pixel's visible
// surfaces are shaded at its centre (see rasterTile). With direct, the
// result is resolved and written to the destination at once; otherwise the
// colours are stored for blending (one per pixel when a single surface
// covers it, else per sample).
func (ws *workerScratch) shadeVisible(fs *frameState, x0, y0 int, direct bool) {
	clear(ws.shcID[:])
	S := fs.samples
	d := fs.dst
	var row []uint8
	bg := fs.bg
	rep := &ws.rowRep
	for y := ws.ry0; y < ws.ry1; y++ {
		if direct {
			off := d.PixOffset(d.Rect.Min.X+x0, d.Rect.Min.Y+y0+y)
			row = d.Pix[off : off+4*ws.rx1]
		}
		p0 := y * tileW
		// Each pixel's surface: one triangle, the background, or mixed.
		if S == 1 {
			copy(rep[ws.rx0:ws.rx1], ws.ids[p0+ws.rx0:p0+ws.rx1])
		} else {
			ids := ws.ids[(p0+ws.rx0)*4 : (p0+ws.rx1)*4]
			for x := ws.rx0; x < ws.rx1; x++ {
				i := (x - ws.rx0) * 4
				ip := ids[i : i+4 : i+4]
				if a := ip[0]; a == ip[1] && a == ip[2] && a == ip[3] {
					rep[x] = a
				} else {
					rep[x] = ws.surface(fs, ip, x0+x, y0+y)
				}
			}
		}
		for x := ws.rx0; x < ws.rx1; {
			switch id := rep[x]; id {
			case 0:
				if direct {
					o := row[4*x : 4*x+4 : 4*x+4]
					o[0], o[1], o[2], o[3] = bg[0], bg[1], bg[2], bg[3]
				}
				x++
			case mixedSurface:
				var out []uint8
				if direct {
					out = row[4*x : 4*x+4]
				}
				ws.mixedPixel(fs, p0+x, x0+x, y0+y, ws.ids[(p0+x)*4:(p0+x)*4+4], out)
				x++
			default:
				// The run of pixels showing this triangle.
				xe := x + 1
				for xe < ws.rx1 && rep[xe] == id {
					xe++
				}
				sh := ws.shaderFor(fs, id)
				if direct {
					sh.span(x0+x, x0+xe, y0+y, row[4*x:4*xe], nil, nil, S)
				} else {
					sh.span(x0+x, x0+xe, y0+y, nil, ws.color[(p0+x)*S:(p0+xe)*S], ws.state[p0+x:p0+xe], S)
				}
				x = xe
			}
		}
	}
}

// mixedSurface marks a pixel whose samples show several surfaces.
const mixedSurface = ^uint32(0)

// surface returns the one surface a pixel ((x, y) in the destination)
// shows at its 4 samples ip: 0 for the background, a triangle's
// id when every sample shows it, or shows it and triangles connected to it
// through mergeable neighbours (see rasterTile) and it covers the pixel
// centre; else mixedSurface.
func (ws *workerScratch) surface(fs *frameState, ip []uint32, x, y int) uint32 {
	ip = ip[:4:4]
	a := ip[0]
	if a == ip[1] && a == ip[2] && a == ip[3] {
		return a
	}
	if a == 0 || ip[1] == 0 || ip[2] == 0 || ip[3] == 0 {
		return mixedSurface
	}
	X := int64(x)<<subBits + subHalf
	Y := int64(y)<<subBits + subHalf
	// The distinct triangles (no sample is 0 here), which must all connect.
	d := [4]uint32{a}
	n := 1
	if b := ip[1]; b != a {
		d[1], n = b, 2
	}
	if c := ip[2]; c != d[0] && c != d[1] {
		d[n] = c
		n++
	}
	if e := ip[3]; e != d[0] && e != d[1] && e != d[2] {
		d[n] = e
		n++
	}
	switch n {
	case 2:
		if !ws.mergeable(fs, d[0], d[1], X, Y) {
			return mixedSurface
		}
	case 3:
		// Connected when two of the three pairs are neighbours.
		m01, m02 := ws.mergeable(fs, d[0], d[1], X, Y), ws.mergeable(fs, d[0], d[2], X, Y)
		if !(m01 && m02) && !((m01 || m02) && ws.mergeable(fs, d[1], d[2], X, Y)) {
			return mixedSurface
		}
	default:
		reached := uint8(1)
		for grew := true; grew; {
			grew = false
			for i := 1; i < n; i++ {
				if reached&(1<<i) != 0 {
					continue
				}
				for j := 0; j < n; j++ {
					if reached&(1<<j) != 0 && ws.mergeable(fs, d[i], d[j], X, Y) {
						reached |= 1 << i
						grew = true
						break
					}
				}
			}
		}
		if reached != 1<<n-1 {
			return mixedSurface
		}
	}
	// The triangle covering the centre shades the pixel.
	for _, id := range d[:n] {
		if t, _ := ws.tri(fs, id); t.coversPoint(X, Y) {
			return id
		}
	}
	return mixedSurface
}

// mixedPixel shades pixel p (tile index; (x, y) in the destination) whose
// 4 samples ip show different surfaces: once per group of samples of one
// triangle or of mergeable neighbouring triangles (see rasterTile), at the
// pixel centre. The samples' colours are averaged into out when it is
// given, else stored.
func (ws *workerScratch) mixedPixel(fs *frameState, p, x, y int, ip []uint32, out []uint8) {
	X := int64(x)<<subBits + subHalf
	Y := int64(y)<<subBits + subHalf
	// The distinct surfaces and the samples of each.
	var gid [4]uint32
	var gmask [4]uint8
	ng := 0
	for s := 0; s < 4; s++ {
		id := ip[s]
		if id == 0 {
			continue
		}
		j := 0
		for j < ng && gid[j] != id {
			j++
		}
		if j == ng {
			gid[ng] = id
			ng++
		}
		gmask[j] |= 1 << s
	}
	// Union the groups of mergeable triangles; class[i] is the first group
	// of i's class.
	var class [4]int
	for i := 0; i < ng; i++ {
		class[i] = i
		for j := 0; j < i; j++ {
			if class[j] != class[i] && ws.mergeable(fs, gid[i], gid[j], X, Y) {
				old, nw := max(class[i], class[j]), min(class[i], class[j])
				for k := 0; k <= i; k++ {
					if class[k] == old {
						class[k] = nw
					}
				}
			}
		}
	}
	var smp [4][4]float32
	for s := range smp {
		smp[s] = fs.bgLin
	}
	for c := 0; c < ng; c++ {
		rep, mask := uint32(0), uint8(0)
		for i := c; i < ng; i++ {
			if class[i] != c {
				continue
			}
			if rep == 0 {
				rep, mask = gid[i], gmask[i]
				continue
			}
			rep = ws.representative(fs, rep, mask, gid[i], gmask[i], X, Y)
			mask |= gmask[i]
		}
		if rep == 0 {
			continue
		}
		r, g, b, a := ws.shaderFor(fs, rep).at(x, y)
		if mask == 0xf {
			ws.storeUniform(fs, p, [4]float32{r * a, g * a, b * a, a}, out)
			return
		}
		col := [4]float32{r * a, g * a, b * a, a}
		for s := 0; s < 4; s++ {
			if mask&(1<<s) != 0 {
				smp[s] = col
			}
		}
	}
	if out == nil {
		copy(ws.color[p*4:p*4+4], smp[:])
		ws.state[p] = pxMixed
		return
	}
	var sum [4]float32
	for _, c := range smp {
		sum[0] += c[0]
		sum[1] += c[1]
		sum[2] += c[2]
		sum[3] += c[3]
	}
	const inv = 1.0 / 4
	e := encodePremul([4]float32{sum[0] * inv, sum[1] * inv, sum[2] * inv, sum[3] * inv})
	copy(out, e[:])
}

// representative picks which of two merged groups' triangles (ids a and b,
// with sample masks ma and mb) shades their surface: the one covering the
// pixel centre (X, Y), else the one with more samples, else a.
func (ws *workerScratch) representative(fs *frameState, a uint32, ma uint8, b uint32, mb uint8, X, Y int64) uint32 {
	if t, _ := ws.tri(fs, a); t.coversPoint(X, Y) {
		return a
	}
	if t, _ := ws.tri(fs, b); t.coversPoint(X, Y) || bits.OnesCount8(mb) > bits.OnesCount8(ma) {
		return b
	}
	return a
}

// storeUniform stores the colour of a pixel whose samples all show one
// surface: encoded into out when it is given, else into the tile.
func (ws *workerScratch) storeUniform(fs *frameState, p int, c [4]float32, out []uint8) {
	if out == nil {
		ws.color[p*fs.samples] = c
		ws.state[p] = pxUniform
		return
	}
	encodePixel(out, &c)
}

// encodePixel writes a premultiplied linear colour to o[0:4] as
// premultiplied sRGB bytes.
func encodePixel(o []uint8, c *[4]float32) {
	o = o[:4:4]
	if c[3] >= 1 {
		o[0], o[1], o[2], o[3] = encodeSRGB(c[0]), encodeSRGB(c[1]), encodeSRGB(c[2]), 255
		return
	}
	e := encodePremul(*c)
	o[0], o[1], o[2], o[3] = e[0], e[1], e[2], e[3]
}

// mergeable reports whether two visibility-buffer triangles are
// neighbours on one surface at the pixel centred on (X, Y), fixed units:
// same draw, same facing, and a shared edge — or a shared vertex within a
// pixel of the centre (triangles around a mesh vertex inside the pixel,
// which its samples may catch without their neighbours in between).
// Vertices made by clipping never count.
func (ws *workerScratch) mergeable(fs *frameState, i, j uint32, X, Y int64) bool {
	a, b := &ws.tris[i-1], &ws.tris[j-1]
	if a.key != b.key {
		return false
	}
	b0, b1, b2 := b.v[0], b.v[1], b.v[2]
	s0 := a.v[0] == b0 || a.v[0] == b1 || a.v[0] == b2
	s1 := a.v[1] == b0 || a.v[1] == b1 || a.v[1] == b2
	s2 := a.v[2] == b0 || a.v[2] == b1 || a.v[2] == b2
	if s0 && (s1 || s2) || s1 && s2 {
		return true
	}
	var v uint32
	switch {
	case s0:
		v = a.v[0]
	case s1:
		v = a.v[1]
	case s2:
		v = a.v[2]
	default:
		return false
	}
	p := &fs.verts[v] // not made by clipping: those never match
	dx, dy := int64(p.sx)-X, int64(p.sy)-Y
	return dx >= -subOne && dx <= subOne && dy >= -subOne && dy <= subOne
}

// coversPoint reports whether the triangle covers the point (X, Y), fixed
// units.
func (t *tri) coversPoint(X, Y int64) bool {
	e0 := int64(t.a[0])*X + int64(t.b[0])*Y + t.c[0]
	e1 := int64(t.a[1])*X + int64(t.b[1])*Y + t.c[1]
	e2 := int64(t.a[2])*X + int64(t.b[2])*Y + t.c[2]
	return (e0 | e1 | e2) >= 0
}

// rowSpan narrows [xs, xe] to the pixels where an edge value e (at xs,
// stepping by step per pixel) may be ≥ 0, conservatively: one pixel too many
// at each end is fine, one too few is not. ok is false when none are left.
func rowSpan(xs, xe int32, e, step int64) (int32, int32, bool) {
	switch {
	case step > 0:
		if e < 0 {
			// First x with e + step·(x − xs) ≥ 0.
			k := (-e + step - 1) / step
			if k > int64(xe-xs) {
				return 0, 0, false
			}
			xs += int32(k)
		}
	case step < 0:
		if e < 0 {
			return 0, 0, false
		}
		// Last x with e + step·(x − xs) ≥ 0.
		if k := e / -step; k < int64(xe-xs) {
			xe = xs + int32(k)
		}
	default:
		if e < 0 {
			return 0, 0, false
		}
	}
	return xs, xe, true
}

// over composites premultiplied src over dst.
func over(dst, src *[4]float32) {
	k := 1 - src[3]
	dst[0] = src[0] + dst[0]*k
	dst[1] = src[1] + dst[1]*k
	dst[2] = src[2] + dst[2]*k
	dst[3] = src[3] + dst[3]*k
}

// resolve averages each pixel's samples and writes the tile's touched
// rectangle to the destination as premultiplied sRGB.
func (ws *workerScratch) resolve(fs *frameState, x0, y0 int) {
	d := fs.dst
	S := fs.samples
	inv := 1 / float32(S)
	for y := ws.ry0; y < ws.ry1; y++ {
		off := d.PixOffset(d.Rect.Min.X+x0+ws.rx0, d.Rect.Min.Y+y0+y)
		row := d.Pix[off : off+4*(ws.rx1-ws.rx0)]
		px := y*tileW + ws.rx0
		for x := 0; x < ws.rx1-ws.rx0; x++ {
			var out [4]uint8
			switch ws.state[px+x] {
			case pxClear:
				out = fs.bg
			case pxUniform:
				c := &ws.color[(px+x)*S]
				if c[3] >= 1 {
					p := row[4*x : 4*x+4 : 4*x+4]
					p[0], p[1], p[2], p[3] = encodeSRGB(c[0]), encodeSRGB(c[1]), encodeSRGB(c[2]), 255
					continue
				}
				out = encodePremul(*c)
			default:
				var sum [4]float32
				for _, c := range ws.color[(px+x)*S : (px+x+1)*S] {
					sum[0] += c[0]
					sum[1] += c[1]
					sum[2] += c[2]
					sum[3] += c[3]
				}
				out = encodePremul([4]float32{sum[0] * inv, sum[1] * inv, sum[2] * inv, sum[3] * inv})
			}
			p := row[4*x : 4*x+4 : 4*x+4]
			p[0], p[1], p[2], p[3] = out[0], out[1], out[2], out[3]
		}
	}
}
