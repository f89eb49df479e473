package render

import "math"

// clipBit marks a vertex reference into a chunk's clip-generated vertices
// rather than the frame's vertex buffer.
const clipBit = 1 << 31

// chunk is the setup output for frameState.chunkTris consecutive triangles
// in draw order: set-up triangles, vertices made by clipping, and per tile
// the indices of the triangles touching it, in order. Tiles read the chunks in
// order, so every pixel sees its triangles in draw order.
type chunk struct {
	tris   []tri
	cverts []vertex
	// Binning: pairs collects (tile << 32 | triangle) as triangles are set
	// up; a counting sort then lays them out tile by tile in binned, tile t's
	// triangles being binned[binStart[t]:binStart[t+1]] in draw order.
	pairs    []uint64
	binned   []uint32
	binStart []int32
}

// bin returns the triangles of tile t.
func (c *chunk) bin(t int) []uint32 {
	return c.binned[c.binStart[t]:c.binStart[t+1]]
}

// sortBins lays the collected pairs out tile by tile (stable, so each
// tile's triangles stay in draw order).
func (c *chunk) sortBins(nt int) {
	if cap(c.binStart) < nt+1 {
		c.binStart = make([]int32, nt+1)
	}
	c.binStart = c.binStart[:nt+1]
	clear(c.binStart)
	for _, p := range c.pairs {
		c.binStart[p>>32+1]++
	}
	for t := 1; t <= nt; t++ {
		c.binStart[t] += c.binStart[t-1]
	}
	if cap(c.binned) < len(c.pairs) {
		c.binned = make([]uint32, len(c.pairs), len(c.pairs)+len(c.pairs)/2)
	}
	c.binned = c.binned[:len(c.pairs)]
	// binStart[t] walks forward while filling, ending at the next tile's
	// start; shift back afterwards.
	for _, p := range c.pairs {
		t := p >> 32
		c.binned[c.binStart[t]] = uint32(p)
		c.binStart[t]++
	}
	copy(c.binStart[1:], c.binStart[:nt])
	c.binStart[0] = 0
}

// tri is a set-up triangle. Screen coordinates are fixed point with subBits
// fractional bits; the edge function of edge i (opposite vertex i) is
// E_i(x, y) = a_i·x + b_i·y + c_i, positive inside, with the top-left
// bias folded into c_i so that a sample is covered iff all three are ≥ 0.
type tri struct {
	a, b           [3]int32
	c              [3]int64
	x0, y0, x1, y1 int32   // pixel bounding box, inclusive, inside the viewport
	invA           float32 // 1 / (twice the area), fixed units
	z              [3]float32
	iw             [3]float32 // 1/w per vertex
	v              [3]uint32  // vertex references
	draw           int32
	back           bool // the triangle faces away from the camera
}

func (fs *frameState) vert(c *chunk, ref uint32) *vertex {
	if ref&clipBit != 0 {
		return &c.cverts[ref&^clipBit]
	}
	return &fs.verts[ref]
}

// setupChunk sets up and bins triangles [k·chunkTris, (k+1)·chunkTris) of
// the frame's draw order.
func (fs *frameState) setupChunk(k int) {
	c := fs.chunks[k]
	c.tris = c.tris[:0]
	c.cverts = c.cverts[:0]
	c.pairs = c.pairs[:0]
	defer c.sortBins(fs.tilesX * fs.tilesY)

	start := k * fs.chunkTris
	end := min(start+fs.chunkTris, fs.triTotal)
	// The last draw starting at or before start.
	lo, hi := 0, len(fs.draws)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if fs.draws[mid].triStart <= start {
			lo = mid
		} else {
			hi = mid
		}
	}
	for di, g := lo, start; g < end && di < len(fs.draws); di++ {
		d := &fs.draws[di]
		n := len(d.idx) / 3
		t0 := g - d.triStart
		t1 := min(n, end-d.triStart)
		for t := t0; t < t1; t++ {
			i := d.idx[3*t : 3*t+3 : 3*t+3]
			fs.setupTri(c, int32(di), d, [3]uint32{d.vbase + i[0], d.vbase + i[1], d.vbase + i[2]})
		}
		if t1 > t0 {
			g = d.triStart + t1
		}
	}
}

// Clip planes, as outcode bits. The guard band keeps screen coordinates
// inside the fixed-point range; triangles crossing it are clipped, others
// are only scissored by their bounding box.
const (
	clipNear = 1 << iota
	clipFar
	clipLeft
	clipRight
	clipBottom
	clipTop
	clipBad // a non-finite coordinate
)

func (fs *frameState) outcode(c *[4]float32) uint8 {
	x, y, z, w := c[0], c[1], c[2], c[3]
	if !finite(x) || !finite(y) || !finite(z) || !finite(w) {
		return clipBad
	}
	var o uint8
	if z > w {
		o |= clipNear
	}
	if z < 0 {
		o |= clipFar
	}
	gw := fs.guard * w
	if x < -gw {
		o |= clipLeft
	}
	if x > gw {
		o |= clipRight
	}
	if y < -gw {
		o |= clipBottom
	}
	if y > gw {
		o |= clipTop
	}
	return o
}

// planeDist is the signed distance of a clip-space point to a plane,
// positive inside.
func (fs *frameState) planeDist(plane uint8, c *[4]float32) float32 {
	switch plane {
	case clipNear:
		return c[3] - c[2]
	case clipFar:
		return c[2]
	case clipLeft:
		return c[0] + fs.guard*c[3]
	case clipRight:
		return fs.guard*c[3] - c[0]
	case clipBottom:
		return c[1] + fs.guard*c[3]
	default:
		return fs.guard*c[3] - c[1]
	}
}

// toScreen computes a vertex's outcode and, when it is inside the guard
// band, its screen position, depth and 1/w.
func (fs *frameState) toScreen(v *vertex) {
	v.oc = fs.outcode(&v.clip)
	v.scr = false
	if v.oc == 0 {
		fs.project2D(v)
	}
}

// project2D projects a vertex with w > 0 to the screen; vertices made by
// clipping may sit a rounding error outside the guard band, so positions
// are clamped to it.
func (fs *frameState) project2D(v *vertex) {
	w := v.clip[3]
	if !(w > 0) || !finite(v.clip[0]) || !finite(v.clip[1]) || !finite(v.clip[2]) {
		return
	}
	iw := 1 / float64(w)
	lim := float64(fs.guard+1) * float64(max(fs.w, fs.h)) * subOne
	sx := (float64(v.clip[0])*iw*0.5 + 0.5) * float64(fs.w) * subOne
	sy := (0.5 - float64(v.clip[1])*iw*0.5) * float64(fs.h) * subOne
	v.sx = int32(math.Floor(min(max(sx, -lim), lim) + 0.5))
	v.sy = int32(math.Floor(min(max(sy, -lim), lim) + 0.5))
	v.z = float32(float64(v.clip[2]) * iw)
	v.iw = float32(iw)
	v.scr = true
}

func (fs *frameState) setupTri(c *chunk, di int32, d *draw, r [3]uint32) {
	va, vb, vc := &fs.verts[r[0]], &fs.verts[r[1]], &fs.verts[r[2]]
	o0, o1, o2 := va.oc, vb.oc, vc.oc
	if o0|o1|o2 == 0 {
		fs.emit(c, di, d, r, va, vb, vc)
		return
	}
	if (o0|o1|o2)&clipBad != 0 || o0&o1&o2 != 0 {
		return
	}
	fs.clip(c, di, d, r, o0|o1|o2)
}

// clip clips a triangle against the planes in mask (Sutherland–Hodgman in
// homogeneous clip space) and emits the resulting fan. New vertices are
// always interpolated from the inside vertex toward the outside one, so an
// edge shared by two triangles is cut at the same point.
func (fs *frameState) clip(c *chunk, di int32, d *draw, r [3]uint32, mask uint8) {
	var bufA, bufB [12]uint32
	in, out := bufA[:0], bufB[:0]
	in = append(in, r[:]...)
	for plane := uint8(1); plane < clipBad; plane <<= 1 {
		if mask&plane == 0 {
			continue
		}
		out = out[:0]
		for i := range in {
			cur, nxt := in[i], in[(i+1)%len(in)]
			dc := fs.planeDist(plane, &fs.vert(c, cur).clip)
			dn := fs.planeDist(plane, &fs.vert(c, nxt).clip)
			if dc >= 0 {
				out = append(out, cur)
			}
			if (dc >= 0) != (dn >= 0) {
				var ref uint32
				if dc >= 0 {
					ref = fs.lerpVertex(c, cur, nxt, dc/(dc-dn))
				} else {
					ref = fs.lerpVertex(c, nxt, cur, dn/(dn-dc))
				}
				out = append(out, ref)
			}
		}
		in, out = out, in
		if len(in) < 3 {
			return
		}
	}
	for _, ref := range in {
		if v := fs.vert(c, ref); !v.scr {
			fs.project2D(v)
			if !v.scr {
				return
			}
		}
	}
	for i := 1; i+1 < len(in); i++ {
		r := [3]uint32{in[0], in[i], in[i+1]}
		fs.emit(c, di, d, r, fs.vert(c, r[0]), fs.vert(c, r[1]), fs.vert(c, r[2]))
	}
}

// lerpVertex appends the vertex a + t·(b − a) to the chunk and returns its
// reference.
func (fs *frameState) lerpVertex(c *chunk, ra, rb uint32, t float32) uint32 {
	a, b := *fs.vert(c, ra), *fs.vert(c, rb)
	var v vertex
	for i := range v.clip {
		v.clip[i] = a.clip[i] + t*(b.clip[i]-a.clip[i])
	}
	for i := range v.n {
		v.n[i] = a.n[i] + t*(b.n[i]-a.n[i])
		v.v[i] = a.v[i] + t*(b.v[i]-a.v[i])
	}
	for i := range v.uv0 {
		v.uv0[i] = a.uv0[i] + t*(b.uv0[i]-a.uv0[i])
		v.uv1[i] = a.uv1[i] + t*(b.uv1[i]-a.uv1[i])
	}
	for i := range v.col {
		v.col[i] = a.col[i] + t*(b.col[i]-a.col[i])
	}
	v.oc = 0
	c.cverts = append(c.cverts, v)
	return uint32(len(c.cverts)-1) | clipBit
}

// emit sets up a triangle whose vertices are projected to the screen, culls
// it, and bins it.
func (fs *frameState) emit(c *chunk, di int32, d *draw, r [3]uint32, va, vb, vc *vertex) {
	X := [3]int64{int64(va.sx), int64(vb.sx), int64(vc.sx)}
	Y := [3]int64{int64(va.sy), int64(vb.sy), int64(vc.sy)}
	area := (X[1]-X[0])*(Y[2]-Y[0]) - (X[2]-X[0])*(Y[1]-Y[0])
	if area == 0 {
		return
	}
	// Counter-clockwise in NDC (glTF front faces) is negative here, the
	// screen's y axis pointing down.
	front := area < 0
	switch d.cull {
	case cullBack:
		if !front {
			return
		}
	case cullFront:
		if front {
			return
		}
	}
	var t tri
	t.z = [3]float32{va.z, vb.z, vc.z}
	t.iw = [3]float32{va.iw, vb.iw, vc.iw}
	t.v = r
	if area < 0 {
		area = -area
		X[1], X[2] = X[2], X[1]
		Y[1], Y[2] = Y[2], Y[1]
		t.z[1], t.z[2] = t.z[2], t.z[1]
		t.iw[1], t.iw[2] = t.iw[2], t.iw[1]
		t.v[1], t.v[2] = t.v[2], t.v[1]
	}
	// Edge i runs from vertex i+1 to vertex i+2.
	t.edge(0, X[1], Y[1], X[2], Y[2])
	t.edge(1, X[2], Y[2], X[0], Y[0])
	t.edge(2, X[0], Y[0], X[1], Y[1])
	t.invA = float32(1 / float64(area))
	minX, maxX := min(X[0], X[1], X[2]), max(X[0], X[1], X[2])
	minY, maxY := min(Y[0], Y[1], Y[2]), max(Y[0], Y[1], Y[2])
	px0 := max(floorDiv(minX, subOne), 0)
	py0 := max(floorDiv(minY, subOne), 0)
	px1 := min(floorDiv(maxX, subOne), int64(fs.w-1))
	py1 := min(floorDiv(maxY, subOne), int64(fs.h-1))
	if px0 > px1 || py0 > py1 {
		return
	}
	t.x0, t.y0, t.x1, t.y1 = int32(px0), int32(py0), int32(px1), int32(py1)
	t.draw = di
	t.back = !front
	idx := uint32(len(c.tris))
	c.tris = append(c.tris, t)

	tx0, tx1 := int(px0)/tileW, int(px1)/tileW
	ty0, ty1 := int(py0)/tileH, int(py1)/tileH
	if tx0 == tx1 && ty0 == ty1 {
		c.pairs = append(c.pairs, uint64(ty0*fs.tilesX+tx0)<<32|uint64(idx))
		return
	}
	for ty := ty0; ty <= ty1; ty++ {
		yT, yB := int64(ty*tileH)*subOne, int64((ty+1)*tileH)*subOne
		for tx := tx0; tx <= tx1; tx++ {
			xL, xR := int64(tx*tileW)*subOne, int64((tx+1)*tileW)*subOne
			if !t.mayTouch(xL, yT, xR, yB) {
				continue
			}
			c.pairs = append(c.pairs, uint64(ty*fs.tilesX+tx)<<32|uint64(idx))
		}
	}
}

// edge sets edge function i of the edge from (xb, yb) to (xe, ye), fixed
// units.
func (t *tri) edge(i int, xb, yb, xe, ye int64) {
	ai := yb - ye
	bi := xe - xb
	ci := (ye-yb)*xb - (xe-xb)*yb
	// Top-left rule: samples exactly on an edge belong to the triangle
	// only if the edge is a left edge or a top edge.
	if !(ai > 0 || (ai == 0 && bi > 0)) {
		ci--
	}
	t.a[i], t.b[i], t.c[i] = int32(ai), int32(bi), ci
}

// mayTouch reports whether the triangle may cover a sample in the rectangle
// [xL, xR]×[yT, yB] (fixed units): false when one edge function is negative
// over all of it.
func (t *tri) mayTouch(xL, yT, xR, yB int64) bool {
	for i := 0; i < 3; i++ {
		a, b := int64(t.a[i]), int64(t.b[i])
		x, y := xL, yT
		if a > 0 {
			x = xR
		}
		if b > 0 {
			y = yB
		}
		if a*x+b*y+t.c[i] < 0 {
			return false
		}
	}
	return true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
