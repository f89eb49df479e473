package render

import "math/bits"

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
			for x := ws.rx0; x < ws.rx1 && len(ids) >= 4; x, ids = x+1, ids[4:] {
				ip := ids[:4:4]
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
				switch {
				case direct && sh.toonFast: // span's dispatch, inline
					sh.spanToon(x0+x, x0+xe, y0+y, row[4*x:4*xe], nil, nil, S)
				case direct:
					sh.span(x0+x, x0+xe, y0+y, row[4*x:4*xe], nil, nil, S)
				default:
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
