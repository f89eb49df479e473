package render

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm"
)

// Formula goldens: synthetic scenes whose expected pixels follow from the
// formulas the renderer implements, evaluated here independently in float64
// (glTF 2.0 appendix B for metallic-roughness, the normal-texture frame, the
// GPU level-of-detail rule, the screen-space outline width).

// refBRDF evaluates glTF 2.0 appendix B's metallic-roughness model for a
// white key light of colour lc along l (toward the light) and a uniform
// environment of radiance amb, at unit normal n and view vector v, all in
// one frame; the result is linear RGB in the renderer's units (π folded
// into the light colours).
func refBRDF(base [3]float64, metal, rough float64, n, v, l [3]float64, lc, amb float64) [3]float64 {
	return refBRDFAO(base, metal, rough, n, v, l, lc, amb, 1)
}

// refBRDFAO is refBRDF with ambient occlusion ao (0–1) darkening the
// environment term: its diffuse part by ao, its specular part by Lagarde's
// specular occlusion.
func refBRDFAO(base [3]float64, metal, rough float64, n, v, l [3]float64, lc, amb, ao float64) [3]float64 {
	dot := func(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
	rough = math.Max(rough, minRoughness)
	nv := math.Max(dot(n, v), 1e-4)
	a := rough * rough
	a2 := a * a
	// Karis's split-sum fit.
	r0, r1, r2, r3 := 1-rough, 0.0425-0.0275*rough, 1.04-0.572*rough, 0.022*rough-0.04
	a004 := math.Min(r0*r0, math.Exp2(-9.28*nv))*r0 + r1
	ea, eb := -1.04*a004+r2, 1.04*a004+r3
	var out [3]float64
	nl := dot(n, l)
	h := [3]float64{l[0] + v[0], l[1] + v[1], l[2] + v[2]}
	hl := math.Sqrt(dot(h, h))
	h = [3]float64{h[0] / hl, h[1] / hl, h[2] / hl}
	nh, vh := math.Max(dot(n, h), 0), math.Max(dot(v, h), 0)
	D := a2 / (math.Pi * math.Pow(nh*nh*(a2-1)+1, 2))
	Vis := 0.5 / (nl*math.Sqrt(nv*nv*(1-a2)+a2) + nv*math.Sqrt(nl*nl*(1-a2)+a2))
	for c := 0; c < 3; c++ {
		cd := base[c] * (1 - metal)
		f0 := 0.04 + (base[c]-0.04)*metal
		s := math.Max(f0*ea+eb, 0)
		so := 1.0
		if ao < 1 {
			so = math.Min(math.Max(math.Pow(nv+ao, math.Exp2(-16*rough-1))-1+ao, 0), 1)
		}
		out[c] = amb * (cd * (1 - s) * ao)
		out[c] += amb * s * so
		if nl > 0 {
			F := f0 + (1-f0)*math.Pow(1-vh, 5)
			out[c] += lc * nl * ((1-F)*cd/math.Pi + F*D*Vis) * math.Pi
		}
	}
	return out
}

// viewLight returns the default light's direction toward the light in the
// camera's view space.
func viewLight(c Camera) [3]float64 {
	d := c.View.Mul4x1(DefaultLight.Direction.Vec4(0)).Vec3().Normalize()
	return [3]float64{-float64(d[0]), -float64(d[1]), -float64(d[2])}
}

// pixelRay returns the unit view-space direction through the centre of
// pixel (x, y) of a w×h image for a vertical field of view of fov degrees.
func pixelRay(x, y, w, h int, fov float64) [3]float64 {
	t := math.Tan(fov * math.Pi / 360)
	nx := (2*(float64(x)+0.5)/float64(w) - 1) * t * float64(w) / float64(h)
	ny := (1 - 2*(float64(y)+0.5)/float64(h)) * t
	l := math.Sqrt(nx*nx + ny*ny + 1)
	return [3]float64{nx / l, ny / l, -1 / l}
}

// pixelError compares the 8-bit sRGB pixel at (x, y) with an expected
// linear colour; it returns the largest channel difference in levels.
func pixelError(img *image.RGBA, x, y int, want [3]float64) int {
	p := img.Pix[img.PixOffset(x, y):]
	worst := 0
	for c := 0; c < 3; c++ {
		e := int(encodeSRGB(float32(want[c])))
		worst = max(worst, max(int(p[c])-e, e-int(p[c])))
	}
	return worst
}

// formulaStats gathers per-pixel errors.
type formulaStats struct {
	n, worst, over2 int
	sum             float64
}

func (s *formulaStats) add(e int) {
	s.n++
	s.sum += float64(e)
	s.worst = max(s.worst, e)
	if e > 2 {
		s.over2++
	}
}

func (s *formulaStats) check(t *testing.T, what string, worst int, mean float64) {
	t.Helper()
	m := s.sum / float64(max(s.n, 1))
	t.Logf("%s: %d pixels, worst %d levels, mean %.3f, %d over 2 levels", what, s.n, s.worst, m, s.over2)
	if s.n == 0 || s.worst > worst || m > mean {
		t.Errorf("%s: worst %d (allowed %d), mean %.3f (allowed %.3f) over %d pixels", what, s.worst, worst, m, mean, s.n)
	}
}

// scenePBRSpheres: a gold metal sphere (left, roughness 0.35) and a rough
// blue dielectric (right, roughness 0.8), radius 0.3 m, 0.35 m either side
// of the origin, seen from 2.4 m.
func scenePBRSpheres() (*vrm.Model, Camera, [2]pbrSphere) {
	a := newAvatar()
	s := [2]pbrSphere{
		{c: mgl32.Vec3{-0.35, 0, 0}, r: 0.3, base: [3]float64{1, 0.766, 0.336}, metal: 1, rough: 0.35},
		{c: mgl32.Vec3{0.35, 0, 0}, r: 0.3, base: [3]float64{0.1, 0.3, 0.8}, metal: 0, rough: 0.8},
	}
	for i, sp := range s {
		b := mgl32.Vec4{float32(sp.base[0]), float32(sp.base[1]), float32(sp.base[2]), 1}
		mat := addMaterial(a, vrm.Material{Name: "pbr", BaseColor: b, Metallic: float32(sp.metal), Roughness: float32(sp.rough)})
		addMeshNode(a, []string{"metal", "dielectric"}[i], uvSphere(sp.c, float32(sp.r), 64, 128, mat))
	}
	return a, frontCamera(mgl32.Vec3{}, 2.4, 30), s
}

type pbrSphere struct {
	c            mgl32.Vec3
	r            float64
	base         [3]float64
	metal, rough float64
}

// TestPBRSpheresFormula renders scenePBRSpheres and compares every pixel
// well inside each sphere with refBRDF at the exact sphere point the pixel
// sees.
func TestPBRSpheresFormula(t *testing.T) {
	a, c, spheres := scenePBRSpheres()
	const w, h = 320, 240
	s := DefaultScene(a, poseFrame(a, nil, nil), c)
	img := renderScene(t, w, h, s)
	checkGolden(t, "pbr_spheres", img)
	l := viewLight(c)
	amb := float64(DefaultAmbientIntensity)
	for i, sp := range spheres {
		cv := c.View.Mul4x1(sp.c.Vec4(1)).Vec3()
		cc := [3]float64{float64(cv[0]), float64(cv[1]), float64(cv[2])}
		var st formulaStats
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				d := pixelRay(x, y, w, h, float64(c.FOV))
				// Ray–sphere: |t·d − cc|² = r².
				b := d[0]*cc[0] + d[1]*cc[1] + d[2]*cc[2]
				q := b*b - (cc[0]*cc[0] + cc[1]*cc[1] + cc[2]*cc[2] - sp.r*sp.r)
				if q <= 0 {
					continue
				}
				tt := b - math.Sqrt(q)
				p := [3]float64{tt * d[0], tt * d[1], tt * d[2]}
				n := [3]float64{(p[0] - cc[0]) / sp.r, (p[1] - cc[1]) / sp.r, (p[2] - cc[2]) / sp.r}
				v := [3]float64{-d[0], -d[1], -d[2]}
				if n[0]*v[0]+n[1]*v[1]+n[2]*v[2] < 0.25 { // keep off the silhouette
					continue
				}
				st.add(pixelError(img, x, y, refBRDF(sp.base, sp.metal, sp.rough, n, v, l, DefaultLightIntensity, amb)))
			}
		}
		st.check(t, []string{"metal sphere", "rough dielectric"}[i], 8, 0.6)
	}
}

// TestOcclusionEmissiveFormula renders a rough red dielectric sphere with
// a uniform occlusion texture (R = 64, strength 0.8) and an emissive factor,
// and compares it with refBRDFAO plus the emission.
func TestOcclusionEmissiveFormula(t *testing.T) {
	a := newAvatar()
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 64, 0, 0, 255
	}
	occ := addTexture(a, img, vrm.Sampler{})
	base := [3]float64{0.7, 0.2, 0.1}
	emis := [3]float64{0.05, 0.02, 0}
	mat := addMaterial(a, vrm.Material{Name: "occluded", BaseColor: mgl32.Vec4{0.7, 0.2, 0.1, 1}, Roughness: 0.6,
		OcclusionTexture: texRef(occ), OcclusionStrength: 0.8, Emissive: mgl32.Vec3{0.05, 0.02, 0}})
	const r = 0.4
	addMeshNode(a, "ball", uvSphere(mgl32.Vec3{}, r, 64, 128, mat))
	c := frontCamera(mgl32.Vec3{}, 2, 30)
	const w, h = 160, 120
	out := renderScene(t, w, h, DefaultScene(a, poseFrame(a, nil, nil), c))
	ao := 1 + 0.8*(64.0/255-1)
	l := viewLight(c)
	cv := c.View.Mul4x1(mgl32.Vec4{0, 0, 0, 1}).Vec3()
	cc := [3]float64{float64(cv[0]), float64(cv[1]), float64(cv[2])}
	var st formulaStats
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			d := pixelRay(x, y, w, h, float64(c.FOV))
			b := d[0]*cc[0] + d[1]*cc[1] + d[2]*cc[2]
			q := b*b - (cc[0]*cc[0] + cc[1]*cc[1] + cc[2]*cc[2] - r*r)
			if q <= 0 {
				continue
			}
			tt := b - math.Sqrt(q)
			n := [3]float64{(tt*d[0] - cc[0]) / r, (tt*d[1] - cc[1]) / r, (tt*d[2] - cc[2]) / r}
			v := [3]float64{-d[0], -d[1], -d[2]}
			if n[0]*v[0]+n[1]*v[1]+n[2]*v[2] < 0.25 {
				continue
			}
			want := refBRDFAO(base, 0, 0.6, n, v, l, DefaultLightIntensity, DefaultAmbientIntensity, ao)
			for k := range want {
				want[k] += emis[k]
			}
			st.add(pixelError(out, x, y, want))
		}
	}
	st.check(t, "occluded emissive sphere", 4, 0.6)
}

// normalTexture returns a 32×32 normal texture: the left half tilts the
// normal toward +X of tangent space (+u), the right half toward +Y (−v,
// up in the image), both by the encoded vector (0.5, 0, 0.866) or
// (0, 0.5, 0.866).
func normalTexture() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	enc := func(x float64) uint8 { return uint8(math.Round((x + 1) / 2 * 255)) }
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			c := color.NRGBA{enc(0.5), enc(0), enc(0.866), 255}
			if x >= 16 {
				c = color.NRGBA{enc(0), enc(0.5), enc(0.866), 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// TestNormalMapFormula renders a normal-mapped grey plane facing the camera
// (u along +X, v down −Y) and compares it with refBRDF at the decoded,
// normalised texture normals: without TANGENT the frame comes from the UVs
// (tangent +X, bitangent +Y); with TANGENT (t, w) it is t and
// cross(N, t)·w — checked with the frame the UVs give, a tangent turned to
// +Y, and a mirrored one (w = −1).
func TestNormalMapFormula(t *testing.T) {
	dec := func(b uint8) float64 { return float64(b)/255*2 - 1 }
	enc := func(x float64) uint8 { return uint8(math.Round((x + 1) / 2 * 255)) }
	left := [3]float64{dec(enc(0.5)), dec(enc(0)), dec(enc(0.866))}
	right := [3]float64{dec(enc(0)), dec(enc(0.5)), dec(enc(0.866))}
	cases := []struct {
		name    string
		tangent *mgl32.Vec4
		T, B    [3]float64 // the tangent frame the texture's x and y map to
	}{
		{"derived", nil, [3]float64{1, 0, 0}, [3]float64{0, 1, 0}},
		{"tangent_x", &mgl32.Vec4{1, 0, 0, 1}, [3]float64{1, 0, 0}, [3]float64{0, 1, 0}},
		{"tangent_y", &mgl32.Vec4{0, 1, 0, 1}, [3]float64{0, 1, 0}, [3]float64{-1, 0, 0}},
		{"mirrored", &mgl32.Vec4{1, 0, 0, -1}, [3]float64{1, 0, 0}, [3]float64{0, -1, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newAvatar()
			tex := addTexture(a, normalTexture(), vrm.Sampler{Mag: vrm.FilterNearest, Min: vrm.FilterNearest})
			mat := addMaterial(a, vrm.Material{Name: "bumpy", BaseColor: mgl32.Vec4{0.6, 0.6, 0.6, 1}, Roughness: 0.5, NormalTexture: texRef(tex), NormalScale: 1})
			p := quad(mgl32.Vec3{}, 1, 1, mat)
			if tc.tangent != nil {
				p.Tangents = []mgl32.Vec4{*tc.tangent, *tc.tangent, *tc.tangent, *tc.tangent}
			}
			addMeshNode(a, "plane", p)
			c := frontCamera(mgl32.Vec3{}, 2.2, 30)
			const w, h = 160, 120
			img := renderScene(t, w, h, DefaultScene(a, poseFrame(a, nil, nil), c))
			if tc.tangent == nil {
				checkGolden(t, "normal_plane", img)
			}
			l := viewLight(c)
			frame := func(m [3]float64) [3]float64 {
				var n [3]float64
				for k := 0; k < 3; k++ {
					n[k] = tc.T[k]*m[0] + tc.B[k]*m[1]
				}
				n[2] += m[2] // N = +Z
				q := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
				return [3]float64{n[0] / q, n[1] / q, n[2] / q}
			}
			nl, nr := frame(left), frame(right)
			base := [3]float64{0.6, 0.6, 0.6}
			var st formulaStats
			// The quad spans ±0.5 m at 2.2 m: about ±51 px around the centre.
			for y := h/2 - 40; y < h/2+40; y++ {
				for x := w/2 - 40; x < w/2+40; x++ {
					if x >= w/2-2 && x <= w/2+1 {
						continue // the seam between the halves
					}
					n := nl
					if x >= w/2 {
						n = nr
					}
					d := pixelRay(x, y, w, h, float64(c.FOV))
					st.add(pixelError(img, x, y, refBRDF(base, 0, 0.5, n, [3]float64{-d[0], -d[1], -d[2]}, l, DefaultLightIntensity, DefaultAmbientIntensity)))
				}
			}
			st.check(t, "normal-mapped plane, "+tc.name, 3, 0.5)
		})
	}
}

// TestMipLevelReceding draws an unlit plane receding from the camera with a
// 256×256 texture whose mip level j is painted a solid grey of linear value
// j/10, so a pixel's linear value times 10 is the level of detail trilinear
// filtering used. It must match lodOf for the plane's analytic UV
// derivatives at each pixel.
func TestMipLevelReceding(t *testing.T) {
	a := newAvatar()
	img := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	tex := addTexture(a, img, vrm.Sampler{})
	mat := addMaterial(a, vrm.Material{Name: "floor", BaseColorTexture: texRef(tex), Unlit: true})
	// A floor 2 m wide, 20 m deep (y = 0, z from 0 to −20), UV (0, 0) at
	// the near left corner, u across and v away, each tiled 4×.
	const width, depth, tiles = 2.0, 20.0, 4.0
	p := vrm.Primitive{
		Positions: []mgl32.Vec3{{-width / 2, 0, 0}, {width / 2, 0, 0}, {-width / 2, 0, -depth}, {width / 2, 0, -depth}},
		Normals:   []mgl32.Vec3{{0, 1, 0}, {0, 1, 0}, {0, 1, 0}, {0, 1, 0}},
		UV0:       []mgl32.Vec2{{0, 0}, {tiles, 0}, {0, tiles}, {tiles, tiles}},
		Indices:   []uint32{0, 1, 3, 0, 3, 2},
		Material:  mat,
	}
	addMeshNode(a, "floor", p)
	eye := mgl32.Vec3{0, 0.5, 1}
	c := Camera{View: mgl32.LookAtV(eye, mgl32.Vec3{0, 0, -4}, mgl32.Vec3{0, 1, 0}), FOV: 40}
	const w, h = 160, 120
	r := New(Options{})
	defer r.Close()
	pr := r.prepare(a)
	tx := pr.textures[tex]
	for j := range tx.levels {
		g := encodeSRGB(float32(j) / 10)
		q := uint32(g) | uint32(g)<<8 | uint32(g)<<16 | 0xff<<24
		for k := range tx.levels[j].pix {
			tx.levels[j].pix[k] = q
		}
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	s := DefaultScene(a, poseFrame(a, nil, nil), c)
	s.AA = AAOff
	r.Render(out, s)
	checkGolden(t, "mip_receding", out)

	// Expected λ: the plane point P(x, y) seen through each pixel centre
	// and its UVs; derivatives by central differences of the exact
	// mapping.
	inv := c.View.Inv()
	uvAt := func(x, y float64) (float64, float64, bool) {
		tt := math.Tan(float64(c.FOV) * math.Pi / 360)
		d := mgl32.Vec3{float32((2*x/w - 1) * tt * w / h), float32((1 - 2*y/h) * tt), -1}
		dw := inv.Mul4x1(d.Vec4(0)).Vec3()
		if dw[1] >= 0 {
			return 0, 0, false
		}
		k := -float64(eye[1]) / float64(dw[1])
		px, pz := float64(eye[0])+k*float64(dw[0]), float64(eye[2])+k*float64(dw[2])
		if pz < -depth || pz > 0 || math.Abs(px) > width/2 {
			return 0, 0, false
		}
		return (px + width/2) / width * tiles, -pz / depth * tiles, true
	}
	var st formulaStats
	var worstLam float64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			cx, cy := float64(x)+0.5, float64(y)+0.5
			u0, v0, ok0 := uvAt(cx-0.5, cy)
			u1, v1, ok1 := uvAt(cx+0.5, cy)
			u2, v2, ok2 := uvAt(cx, cy-0.5)
			u3, v3, ok3 := uvAt(cx, cy+0.5)
			if !ok0 || !ok1 || !ok2 || !ok3 {
				continue
			}
			gx := (u1-u0)*(u1-u0)*256*256 + (v1-v0)*(v1-v0)*256*256
			gy := (u3-u2)*(u3-u2)*256*256 + (v3-v2)*(v3-v2)*256*256
			lam := math.Min(math.Max(float64(lodOf(float32(gx), float32(gy))), 0), float64(len(tx.levels)-1))
			want := lam / 10
			e := pixelError(out, x, y, [3]float64{want, want, want})
			st.add(e)
			got := float64(mathx.SRGB8ToLinear(out.Pix[out.PixOffset(x, y)])) * 10
			worstLam = math.Max(worstLam, math.Abs(got-lam))
		}
	}
	t.Logf("worst level-of-detail difference %.3f", worstLam)
	st.check(t, "receding plane", 3, 0.5)
	if worstLam > 0.1 {
		t.Errorf("level of detail off by up to %.3f levels, want ≤ 0.1", worstLam)
	}
	// The formula on its own: log2 of the longer derivative, in texels,
	// plus the bias.
	for _, tc := range []struct{ x, y, want float32 }{
		{4, 4, 1}, {16, 16, 2}, {1, 1, 0}, {16, 4, 2}, {1, 64, 3}, {0.25, 0.0625, -1},
	} {
		tc.want += lodBias
		if got := lodOf(tc.x, tc.y); math.Abs(float64(got-tc.want)) > 0.01 {
			t.Errorf("lodOf(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}

// TestOutlineScreenWidth draws an MToon sphere with a red screen-space
// outline (outlineWidthFactor 0.05) at two distances and measures the ring
// along the centre row: it must be width·H/w pixels wide, w the view depth
// of the silhouette (three-vrm's and UniVRM's strict screen-coordinates
// offset).
func TestOutlineScreenWidth(t *testing.T) {
	const w, h = 320, 240
	const width, radius = 0.05, 0.3
	for _, dist := range []float64{2, 4} {
		a := newAvatar()
		mt := &vrm.MToon{
			ShadeColor: mgl32.Vec3{1, 1, 1}, ShadingToony: 0.9,
			OutlineMode: vrm.OutlineScreen, OutlineWidth: width, OutlineColor: mgl32.Vec3{1, 0, 0}, OutlineLightMix: 0,
			ShadeTexture: noTexture(), ShadingShiftTex: noTexture(), RimTexture: noTexture(), MatcapTexture: noTexture(), OutlineWidthTex: noTexture(), UVAnimMaskTexture: noTexture(),
		}
		mat := addMaterial(a, vrm.Material{Name: "toon", MToon: mt})
		addMeshNode(a, "ball", uvSphere(mgl32.Vec3{}, radius, 64, 256, mat))
		c := frontCamera(mgl32.Vec3{}, float32(dist), 30)
		img := renderScene(t, w, h, DefaultScene(a, poseFrame(a, nil, nil), c))
		if dist == 2 {
			checkGolden(t, "outline_screen", img)
		}
		// Red pixels on the centre row, left and right of the sphere.
		y := h / 2
		red := func(x int) bool {
			p := img.Pix[img.PixOffset(x, y):]
			return p[0] > 160 && p[1] < 90 && p[2] < 90
		}
		var left, right int
		for x := 0; x < w/2; x++ {
			if red(x) {
				left++
			}
		}
		for x := w / 2; x < w; x++ {
			if red(x) {
				right++
			}
		}
		ws := dist - radius*radius/dist // view depth of the silhouette
		want := width * h / ws
		t.Logf("distance %.0f m: outline %d and %d px, want %.2f", dist, left, right, want)
		for _, got := range []int{left, right} {
			if math.Abs(float64(got)-want) > 1 {
				t.Errorf("distance %.0f m: outline %d px wide, want %.2f ± 1", dist, got, want)
			}
		}
	}
}

// BenchmarkRenderPBR720p draws the PBR spheres at 1280×720 (4× AA): the
// metallic-roughness shading path's cost.
func BenchmarkRenderPBR720p(b *testing.B) {
	a, c, _ := scenePBRSpheres()
	s := DefaultScene(a, poseFrame(a, nil, nil), c)
	r := New(Options{})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	r.Render(img, s)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r.Render(img, s)
	}
	reportFrameMetrics(b, triangles(a), 1280, 720)
}

// TestFastLog2Exp2 bounds the approximations the level of detail and the
// split-sum fit use.
func TestFastLog2Exp2(t *testing.T) {
	for x := 1e-6; x < 1e6; x *= 1.07 {
		if d := math.Abs(float64(fastLog2(float32(x))) - math.Log2(x)); d > 0.01 {
			t.Fatalf("fastLog2(%g) off by %g", x, d)
		}
	}
	for x := -40.0; x <= 0; x += 0.01 {
		if d := math.Abs(float64(fastExp2(float32(x)))/math.Exp2(x) - 1); d > 0.004 {
			t.Fatalf("fastExp2(%g) off by %.4f", x, d)
		}
	}
}
