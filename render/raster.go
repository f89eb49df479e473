package render

import "math"

// Pixel states in a tile: how a pixel's samples are stored.
const (
	pxClear   = iota // untouched: every sample is the background
	pxUniform        // all samples equal sample 0 (a pixel covered by one fragment)
	pxMixed          // samples differ: each is stored
)

// workerScratch is one worker's tile buffers, reused for every tile it
// takes: per sample a premultiplied linear colour and a reverse-Z depth
// (0 = far), per pixel a state.
type workerScratch struct {
	color   [][4]float32
	depth   []float32
	state   []uint8
	hiz     [hizW * hizH]float32
	hizDone [hizW * hizH]bool
	frags   []fragment // one triangle's fragments in one tile (≤ tileW·tileH)
	sb      shadeBuf
}

// rasterTile draws every triangle binned to tile t, in draw order, and
// resolves the tile into the destination.
func (ws *workerScratch) rasterTile(fs *frameState, t int) {
	tx, ty := t%fs.tilesX, t/fs.tilesX
	x0, y0 := tx*tileW, ty*tileH
	x1, y1 := min(x0+tileW, fs.w), min(y0+tileH, fs.h)
	busy := false
	for _, c := range fs.chunks[:fs.nChunks] {
		if c.binStart[t+1] > c.binStart[t] {
			busy = true
			break
		}
	}
	if !busy {
		fs.fillBackground(x0, y0, x1, y1)
		return
	}
	S := fs.samples
	if len(ws.depth) < tileW*tileH*S {
		ws.color = make([][4]float32, tileW*tileH*maxSamples)
		ws.depth = make([]float32, tileW*tileH*maxSamples)
		ws.state = make([]uint8, tileW*tileH)
		ws.frags = make([]fragment, 0, tileW*tileH)
		ws.sb = newShadeBuf(tileW * tileH)
	}
	clear(ws.depth[:tileW*tileH*S])
	clear(ws.state)
	hiz := false
	for _, c := range fs.chunks[:fs.nChunks] {
		for _, i := range c.bin(t) {
			tr := &c.tris[i]
			if !hiz && fs.draws[tr.draw].group >= groupOutline {
				clear(ws.hizDone[:])
				hiz = true
			}
			ws.raster(fs, c, tr, int32(x0), int32(y0), int32(x1), int32(y1), hiz)
		}
	}
	ws.resolve(fs, x0, y0, x1, y1)
}

// Hierarchical depth: once a tile's opaque and alpha-masked surfaces are
// drawn (draw groups before outlines), the farthest depth of each 8×8-pixel
// block lets later draws — outlines above all, whose inverted hulls lie
// mostly behind the surface — skip whole blocks they cannot pass. Later
// draws only bring depths nearer, so the block values stay conservative.
const (
	hizBlock = 8
	hizW     = tileW / hizBlock
	hizH     = tileH / hizBlock
)

// hizAt returns the smallest (farthest, reverse-Z) depth of block b's
// samples, computing it on first use in the tile.
func (ws *workerScratch) hizAt(b, S int) float32 {
	if ws.hizDone[b] {
		return ws.hiz[b]
	}
	bx, by := b%hizW, b/hizW
	m := float32(math.Inf(1))
	for y := by * hizBlock; y < (by+1)*hizBlock; y++ {
		p := (y*tileW + bx*hizBlock) * S
		for _, d := range ws.depth[p : p+hizBlock*S] {
			if d < m {
				m = d
			}
		}
	}
	ws.hiz[b], ws.hizDone[b] = m, true
	return m
}

// fillBackground fills a rectangle of the destination with the background.
func (fs *frameState) fillBackground(x0, y0, x1, y1 int) {
	d := fs.dst
	for y := y0; y < y1; y++ {
		off := d.PixOffset(d.Rect.Min.X+x0, d.Rect.Min.Y+y)
		copy(d.Pix[off:off+4*(x1-x0)], fs.bgRow[:])
	}
}

// raster draws one triangle into the tile [tx0, tx1)×[ty0, ty1).
func (ws *workerScratch) raster(fs *frameState, c *chunk, t *tri, tx0, ty0, tx1, ty1 int32, hiz bool) {
	x0, x1 := max(t.x0, tx0), min(t.x1, tx1-1)
	y0, y1 := max(t.y0, ty0), min(t.y1, ty1-1)
	if x0 > x1 || y0 > y1 {
		return
	}
	d := &fs.draws[t.draw]
	m := &fs.mats[d.mat]
	va, vb, vc := fs.vert(c, t.v[0]), fs.vert(c, t.v[1]), fs.vert(c, t.v[2])
	S := fs.samples
	full := uint32(1)<<S - 1

	a0, a1, a2 := int64(t.a[0]), int64(t.a[1]), int64(t.a[2])
	b0, b1, b2 := int64(t.b[0]), int64(t.b[1]), int64(t.b[2])
	invA := t.invA
	z0, z1, z2 := t.z[0], t.z[1], t.z[2]
	// Depth gradient per fixed unit, and per-sample offsets of edges and
	// depth from the pixel centre.
	dzdx := (float32(a0)*z0 + float32(a1)*z1 + float32(a2)*z2) * invA
	dzdy := (float32(b0)*z0 + float32(b1)*z1 + float32(b2)*z2) * invA
	var o0, o1, o2 [maxSamples]int64
	var zoff [maxSamples]float32
	for s := 0; s < S; s++ {
		ox, oy := fs.sampleOff[s][0], fs.sampleOff[s][1]
		o0[s], o1[s], o2[s] = a0*ox+b0*oy, a1*ox+b1*oy, a2*ox+b2*oy
		zoff[s] = dzdx*float32(ox) + dzdy*float32(oy)
	}
	// Per edge, the most and least favourable sample offsets: a pixel can
	// be touched only where e + hi ≥ 0, and is fully covered where e + lo ≥ 0.
	hi0, hi1, hi2 := max(o0[0], o0[1], o0[2], o0[3]), max(o1[0], o1[1], o1[2], o1[3]), max(o2[0], o2[1], o2[2], o2[3])
	lo0, lo1, lo2 := min(o0[0], o0[1], o0[2], o0[3]), min(o1[0], o1[1], o1[2], o1[3]), min(o2[0], o2[1], o2[2], o2[3])
	if S == 1 {
		hi0, hi1, hi2, lo0, lo1, lo2 = 0, 0, 0, 0, 0, 0
	}
	iw0, iw1, iw2 := t.iw[0], t.iw[1], t.iw[2]
	step0, step1, step2 := a0<<subBits, a1<<subBits, a2<<subBits
	zo0, zo1, zo2, zo3 := zoff[0], zoff[1], zoff[2], zoff[3]
	depth := ws.depth
	frags := ws.frags[:cap(ws.frags)]
	nf := 0
	zmax := max(z0, z1, z2) // nearest depth of the triangle (reverse-Z)

	for y := y0; y <= y1; y++ {
		X := int64(x0)<<subBits + subHalf
		Y := int64(y)<<subBits + subHalf
		e0 := a0*X + b0*Y + t.c[0]
		e1 := a1*X + b1*Y + t.c[1]
		e2 := a2*X + b2*Y + t.c[2]
		// Narrow the row to the pixels each edge lets through (a
		// conservative float estimate; coverage is still tested exactly).
		xs, xe, ok := rowSpan(x0, x1, e0+hi0, step0)
		if ok {
			xs, xe, ok = rowSpan(xs, xe, e1+hi1+step1*int64(xs-x0), step1)
		}
		if ok {
			xs, xe, ok = rowSpan(xs, xe, e2+hi2+step2*int64(xs-x0), step2)
		}
		if !ok {
			continue
		}
		e0 += step0 * int64(xs-x0)
		e1 += step1 * int64(xs-x0)
		e2 += step2 * int64(xs-x0)
		row := int(y-ty0) * tileW
		hrow := int(y-ty0) / hizBlock * hizW
		for x := xs; x <= xe; {
			segEnd := xe
			if hiz {
				bx := (x - tx0) / hizBlock
				segEnd = min(tx0+(bx+1)*hizBlock-1, xe)
				if zmax <= ws.hizAt(hrow+int(bx), S) { // the whole block is nearer: skip it
					k := int64(segEnd - x + 1)
					e0, e1, e2 = e0+step0*k, e1+step1*k, e2+step2*k
					x = segEnd + 1
					continue
				}
			}
			for ; x <= segEnd; x, e0, e1, e2 = x+1, e0+step0, e1+step1, e2+step2 {
				// A sample is covered when its three edge values are ≥ 0, i.e.
				// the sign bit of their OR is clear.
				var cover uint32
				if S == 1 {
					cover = uint32(uint64(^(e0 | e1 | e2)) >> 63)
				} else if (e0+lo0)|(e1+lo1)|(e2+lo2) >= 0 {
					cover = full
				} else {
					cover = uint32(uint64(^((e0+o0[0])|(e1+o1[0])|(e2+o2[0])))>>63) |
						uint32(uint64(^((e0+o0[1])|(e1+o1[1])|(e2+o2[1])))>>63)<<1 |
						uint32(uint64(^((e0+o0[2])|(e1+o1[2])|(e2+o2[2])))>>63)<<2 |
						uint32(uint64(^((e0+o0[3])|(e1+o1[3])|(e2+o2[3])))>>63)<<3
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
				if S == 1 {
					if zc > depth[base] {
						pass = 1
					}
				} else {
					dp := depth[base : base+4 : base+4]
					if cover&1 != 0 && zc+zo0 > dp[0] {
						pass = 1
					}
					if cover&2 != 0 && zc+zo1 > dp[1] {
						pass |= 2
					}
					if cover&4 != 0 && zc+zo2 > dp[2] {
						pass |= 4
					}
					if cover&8 != 0 && zc+zo3 > dp[3] {
						pass |= 8
					}
				}
				if pass == 0 {
					continue
				}
				// Attributes at the pixel centre, clamped into the triangle
				// (centroid-like, so partly covered pixels don't extrapolate).
				if f0 < 0 || f1 < 0 || f2 < 0 {
					f0, f1, f2 = max(f0, 0), max(f1, 0), max(f2, 0)
					if sum := f0 + f1 + f2; sum > 0 {
						f0, f1, f2 = f0/sum, f1/sum, f2/sum
					} else {
						f0, f1, f2 = 1, 0, 0
					}
				}
				frags[nf] = fragment{px: int32(px), pass: pass, z: zc, w: [3]float32{f0 * iw0, f1 * iw1, f2 * iw2}}
				nf++
			}
		}
	}
	ws.frags = frags[:nf]
	if nf > 0 {
		ws.shadeFragments(fs, m, d, t, va, vb, vc, &zoff)
	}
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

// shadeFragments shades a triangle's queued fragments and writes their
// depth and colour.
func (ws *workerScratch) shadeFragments(fs *frameState, m *matFrame, d *draw, t *tri, va, vb, vc *vertex, zoff *[maxSamples]float32) {
	S := fs.samples
	full := uint32(1)<<S - 1
	blend, zwrite, outline, back, rho2 := d.blend, d.zwrite, d.outline, t.back, t.rho2
	color, depth, state := ws.color, ws.depth, ws.state
	sb := &ws.sb
	n := len(ws.frags)
	w0, w1, w2 := sb.w0[:n], sb.w1[:n], sb.w2[:n]
	for i := range ws.frags {
		f := &ws.frags[i]
		k := 1 / (f.w[0] + f.w[1] + f.w[2])
		w0[i], w1[i], w2[i] = f.w[0]*k, f.w[1]*k, f.w[2]*k
	}
	fs.shadeBatch(sb, n, m, va, vb, vc, rho2, back, outline)
	for i := range ws.frags {
		if !sb.keep[i] {
			continue
		}
		f := &ws.frags[i]
		r, g, b, a := sb.r[i], sb.g[i], sb.b[i], sb.a[i]
		px, pass := int(f.px), f.pass
		base := px * S
		if zwrite {
			if S == 1 {
				depth[base] = f.z
			} else {
				dp := depth[base : base+4 : base+4]
				if pass&1 != 0 {
					dp[0] = f.z + zoff[0]
				}
				if pass&2 != 0 {
					dp[1] = f.z + zoff[1]
				}
				if pass&4 != 0 {
					dp[2] = f.z + zoff[2]
				}
				if pass&8 != 0 {
					dp[3] = f.z + zoff[3]
				}
			}
		}
		src := [4]float32{r * a, g * a, b * a, a}
		st := state[px]
		if pass == full && !blend {
			color[base] = src
			state[px] = pxUniform
			continue
		}
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
			if pass&(1<<s) == 0 {
				continue
			}
			if blend {
				over(&color[base+s], &src)
			} else {
				color[base+s] = src
			}
		}
	}
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

// resolve averages each pixel's samples and writes the tile to the
// destination as premultiplied sRGB.
func (ws *workerScratch) resolve(fs *frameState, x0, y0, x1, y1 int) {
	d := fs.dst
	S := fs.samples
	inv := 1 / float32(S)
	for y := y0; y < y1; y++ {
		off := d.PixOffset(d.Rect.Min.X+x0, d.Rect.Min.Y+y)
		row := d.Pix[off : off+4*(x1-x0)]
		px := (y - y0) * tileW
		for x := 0; x < x1-x0; x++ {
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
