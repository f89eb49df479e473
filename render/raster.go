package render

import "github.com/kugutsu/kugutsu/vrm"

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
	hiz   [hizW * hizH]float32 // see hizAt
	// hizDone flags the blocks of hiz computed for the tile; hizS is the
	// samples per pixel they are computed over.
	hizDone uint32
	hizS    int
	tris    []tileTri  // the tile's visibility-buffer triangles, in draw order
	frags   []fragment // one triangle's fragments in one tile (≤ tileW·tileH)
	sh      triShader  // for the fragment queue

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
	tt := &ws.tris[id-1]
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
					ws.startHiz(S)
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

// over composites premultiplied src over dst.
func over(dst, src *[4]float32) {
	k := 1 - src[3]
	dst[0] = src[0] + dst[0]*k
	dst[1] = src[1] + dst[1]*k
	dst[2] = src[2] + dst[2]*k
	dst[3] = src[3] + dst[3]*k
}
