package render

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
	color [][4]float32
	depth []float32
	state []uint8
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
	}
	clear(ws.depth[:tileW*tileH*S])
	clear(ws.state)
	for _, c := range fs.chunks[:fs.nChunks] {
		for _, i := range c.bin(t) {
			ws.raster(fs, c, &c.tris[i], int32(x0), int32(y0), int32(x1), int32(y1))
		}
	}
	ws.resolve(fs, x0, y0, x1, y1)
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
func (ws *workerScratch) raster(fs *frameState, c *chunk, t *tri, tx0, ty0, tx1, ty1 int32) {
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
	iw0, iw1, iw2 := t.iw[0], t.iw[1], t.iw[2]
	blend, zwrite, outline := d.blend, d.zwrite, d.outline
	step0, step1, step2 := a0<<subBits, a1<<subBits, a2<<subBits
	color, depth, state := ws.color, ws.depth, ws.state

	for y := y0; y <= y1; y++ {
		X := int64(x0)<<subBits + subHalf
		Y := int64(y)<<subBits + subHalf
		e0 := a0*X + b0*Y + t.c[0]
		e1 := a1*X + b1*Y + t.c[1]
		e2 := a2*X + b2*Y + t.c[2]
		row := int(y-ty0) * tileW
		for x := x0; x <= x1; x, e0, e1, e2 = x+1, e0+step0, e1+step1, e2+step2 {
			// A sample is covered when its three edge values are ≥ 0, i.e.
			// the sign bit of their OR is clear.
			var cover uint32
			if S == 1 {
				cover = uint32(uint64(^(e0 | e1 | e2)) >> 63)
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
			for s := 0; s < S; s++ {
				if cover&(1<<s) != 0 && zc+zoff[s] > depth[base+s] {
					pass |= 1 << s
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
			p0, p1, p2 := f0*iw0, f1*iw1, f2*iw2
			k := 1 / (p0 + p1 + p2)
			r, g, b, a, keep := fs.shade(m, va, vb, vc, p0*k, p1*k, p2*k, t.rho2, t.back, outline)
			if !keep {
				continue
			}
			if zwrite {
				for s := 0; s < S; s++ {
					if pass&(1<<s) != 0 {
						depth[base+s] = zc + zoff[s]
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
