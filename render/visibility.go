package render

import "math"

// Hierarchical depth: once a tile's opaque and alpha-masked surfaces are
// drawn (draw groups before outlines), the farthest depth of each 8×8-pixel
// block lets later triangles — outlines above all, whose inverted hulls lie
// mostly behind the surface — be skipped when they lie behind every sample
// of the blocks they overlap. A block's value is computed when a triangle
// first asks for it (blocks no triangle reaches cost nothing); later draws
// only bring depths nearer, so the values stay conservative.
const (
	hizBlock = 8
	hizW     = tileW / hizBlock
	hizH     = tileH / hizBlock
)

// The block flags of workerScratch.hizDone must fit its bits.
var _ [32 - hizW*hizH]struct{}

// startHiz begins hierarchical depth for the tile's later triangles, with
// S samples per pixel: no block computed yet.
func (ws *workerScratch) startHiz(S int) {
	ws.hizDone, ws.hizS = 0, S
}

// hizAt returns block b's farthest (smallest, reverse-Z) depth over the
// samples of the touched rectangle (+Inf where the block lies outside it:
// no triangle reaches there), computing it on first use.
func (ws *workerScratch) hizAt(b int) float32 {
	if ws.hizDone&(1<<b) != 0 {
		return ws.hiz[b]
	}
	S := ws.hizS
	m := float32(math.Inf(1))
	by, bx := b/hizW, b%hizW
	xa, xb := max(ws.rx0, bx*hizBlock), min(ws.rx1, (bx+1)*hizBlock)
	m1, m2, m3 := m, m, m // four running minima, four samples a step
	for y := max(ws.ry0, by*hizBlock); y < min(ws.ry1, (by+1)*hizBlock) && xa < xb; y++ {
		ds := ws.depth[(y*tileW+xa)*S : (y*tileW+xb)*S]
		for ; len(ds) >= 4; ds = ds[4:] {
			d := ds[:4:4]
			if d[0] < m {
				m = d[0]
			}
			if d[1] < m1 {
				m1 = d[1]
			}
			if d[2] < m2 {
				m2 = d[2]
			}
			if d[3] < m3 {
				m3 = d[3]
			}
		}
		for _, d := range ds {
			if d < m {
				m = d
			}
		}
	}
	if m1 < m {
		m = m1
	}
	if m2 < m {
		m = m2
	}
	if m3 < m {
		m = m3
	}
	ws.hiz[b] = m
	ws.hizDone |= 1 << b
	return m
}

// hidden reports whether triangle t lies behind every sample of the blocks
// its bounding box overlaps in the tile at (x0, y0).
func (ws *workerScratch) hidden(t *tri, x0, y0 int) bool {
	zmax := max(t.z[0], t.z[1], t.z[2]) // the triangle's nearest depth
	bx0, bx1 := max(int(t.x0)-x0, 0)/hizBlock, min(int(t.x1)-x0, tileW-1)/hizBlock
	by0, by1 := max(int(t.y0)-y0, 0)/hizBlock, min(int(t.y1)-y0, tileH-1)/hizBlock
	for by := by0; by <= by1; by++ {
		for bx := bx0; bx <= bx1; bx++ {
			if zmax > ws.hizAt(by*hizW+bx) {
				return false
			}
		}
	}
	return true
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
		if four {
			ws.partial4(&es, p0, 0, x1-x0, int(y1-y0)+1, &e, &de, z)
			return
		}
		for y := y0; y <= y1; y++ {
			ws.visRow1(&es, p0, 0, x1-x0, 1, 0, &e, z)
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
		ws.partial4(es, p0, xs, l, 1, e, nil, z)
	}
	if fs <= fe {
		visFull4(es, ws.depth, ws.ids, (p0+int(fs))*4, (p0+int(fe)+1)*4, z+es.dzpx*float32(fs))
	}
	if r := max(fe+1, xs); r <= xe {
		ws.partial4(es, p0, r, xe, 1, e, nil, z)
	}
}

// visFull4 draws fully covered pixels with 4 samples: depth and ids[p:q]
// are their samples' depths and surfaces, z the depth at the first pixel's
// centre.
func visFull4(es *edgeSetup, depth []float32, ids []uint32, p, q int, z float32) {
	zo0, zo1, zo2, zo3 := es.zoff[0], es.zoff[1], es.zoff[2], es.zoff[3]
	dz, id := es.dzpx, es.id
	for i := p; i < q; i += 4 {
		d := depth[i : i+4 : i+4]
		s := ids[i : i+4 : i+4]
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

// partial4 draws pixels [xa, xb] of rows (see visRow4) with 4 samples,
// testing coverage: none where an edge value plus its most favourable
// sample offset is negative, all where every edge value plus its least
// favourable one is ≥ 0, else per sample (its three edge values ≥ 0, i.e.
// the sign bit of their OR clear). e and z are the first row's values at
// its pixel 0; de (nil for one row) and es.dzpy step them down the rows,
// tileW pixels apart from p0 on.
func (ws *workerScratch) partial4(es *edgeSetup, p0 int, xa, xb int32, rows int, e, de *[3]int64, z float32) {
	k := int64(xa)
	zx := es.dzpx * float32(xa)
	depth, ids := ws.depth, ws.ids
	n := int(xb-xa+1) * 4
	r0, r1, r2 := e[0], e[1], e[2]
	for p := (p0 + int(xa)) * 4; ; p += tileW * 4 {
		e0, e1, e2 := r0+es.step0*k, r1+es.step1*k, r2+es.step2*k
		zr := z + zx
		for i, end := p, p+n; i < end; i += 4 {
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
				d := depth[i : i+4 : i+4]
				s := ids[i : i+4 : i+4]
				if v := zr + es.zoff[0]; cover&1 != 0 && v > d[0] {
					d[0], s[0] = v, es.id
				}
				if v := zr + es.zoff[1]; cover&2 != 0 && v > d[1] {
					d[1], s[1] = v, es.id
				}
				if v := zr + es.zoff[2]; cover&4 != 0 && v > d[2] {
					d[2], s[2] = v, es.id
				}
				if v := zr + es.zoff[3]; cover&8 != 0 && v > d[3] {
					d[3], s[3] = v, es.id
				}
			}
			e0, e1, e2 = e0+es.step0, e1+es.step1, e2+es.step2
			zr += es.dzpx
		}
		if rows--; rows <= 0 || de == nil {
			return
		}
		r0, r1, r2 = r0+de[0], r1+de[1], r2+de[2]
		z += es.dzpy
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
