package render

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/golden"
	"github.com/kugutsu/kugutsu/vrm"
)

// allScenes returns every synthetic scene, posed, for tests that run over
// all of them.
func allScenes() map[string]Scene {
	out := map[string]Scene{}
	for name, build := range map[string]func() (*vrm.Model, Camera){
		"quad": sceneQuad, "blend": sceneBlend, "double_sided": sceneDoubleSided, "mtoon": sceneMToon,
	} {
		a, c := build()
		out[name] = DefaultScene(a, poseFrame(a, nil, nil), c)
	}
	a, c := sceneMorph()
	out["morph"] = DefaultScene(a, poseFrame(a, nil, map[int][]float32{0: {0.7}}), c)
	a, upper, c := sceneSkinned()
	out["skinned"] = DefaultScene(a, poseFrame(a, map[int]mgl32.Quat{upper: mgl32.QuatRotate(-0.6, mgl32.Vec3{1, 0, 0})}, nil), c)
	a, c = heavyMesh(20000)
	out["heavy"] = DefaultScene(a, poseFrame(a, map[int]mgl32.Quat{1: mgl32.QuatRotate(0.5, mgl32.Vec3{0, 0, 1})}, nil), c)
	return out
}

func TestDeterministicAcrossWorkersAndGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for name, s := range allScenes() {
		for _, aa := range []AA{AA4x, AAOff} {
			s.AA = aa
			var ref []byte
			for _, procs := range []int{1, 2} {
				runtime.GOMAXPROCS(procs)
				for _, workers := range []int{1, 2, 3} {
					r := New(Options{Workers: workers})
					img := image.NewRGBA(image.Rect(0, 0, 333, 250))
					for i := 0; i < 2; i++ { // a second frame reuses the buffers
						r.Render(img, s)
					}
					r.Close()
					if ref == nil {
						ref = img.Pix
					} else if !bytes.Equal(ref, img.Pix) {
						t.Errorf("%s %v: GOMAXPROCS=%d workers=%d differs from GOMAXPROCS=1 workers=1", name, aa, procs, workers)
					}
				}
			}
		}
	}
}

func TestRenderDoesNotAllocate(t *testing.T) {
	r := New(Options{Workers: 2})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for name, s := range allScenes() {
		r.Render(img, s) // warm-up: preprocessing and buffer growth
		if n := testing.AllocsPerRun(5, func() { r.Render(img, s) }); n != 0 {
			t.Errorf("%s: %v allocations per frame, want 0", name, n)
		}
	}
}

// TestWatertight draws a jittered grid of half-transparent triangles: with
// the top-left rule every sample is covered exactly once, so the covered
// area has one uniform colour — no seams (gaps) and no double blending.
func TestWatertight(t *testing.T) {
	a := newAvatar()
	mat := addMaterial(a, vrm.Material{BaseColor: mgl32.Vec4{1, 1, 1, 0.5}, AlphaMode: vrm.AlphaBlend, Unlit: true})
	p := grid(mgl32.Vec3{}, 2, 2, 23, mat)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range p.Positions {
		u, v := p.UV0[i][0], p.UV0[i][1]
		if u > 0 && u < 1 && v > 0 && v < 1 { // keep the border straight
			p.Positions[i][0] += (rng.Float32() - 0.5) * 0.02
			p.Positions[i][1] += (rng.Float32() - 0.5) * 0.02
		}
	}
	addMeshNode(a, "grid", p)
	for _, aa := range []AA{AAOff, AA4x} {
		s := Scene{Avatar: a, Frame: poseFrame(a, nil, nil), Camera: frontCamera(mgl32.Vec3{}, 2.2, 60), AA: aa,
			Background: color.NRGBA{A: 255}}
		img := renderScene(t, 200, 200, s)
		// The grid spans about 150 of 200 pixels; check the middle 120.
		want := img.RGBAAt(100, 100)
		if want.R < 150 || want.R > 200 {
			t.Fatalf("%v: centre %v, want half-bright white", aa, want)
		}
		for y := 40; y < 160; y++ {
			for x := 40; x < 160; x++ {
				if got := img.RGBAAt(x, y); got != want {
					t.Fatalf("%v: pixel (%d,%d) = %v, want %v (seam or overlap)", aa, x, y, got, want)
				}
			}
		}
	}
}

func TestBackFaceCulling(t *testing.T) {
	a, _ := sceneQuad()
	f := poseFrame(a, nil, nil)
	s := DefaultScene(a, f, Orbit{Distance: 2.5, Yaw: math.Pi, FOV: 30}.Camera()) // from behind
	img := renderScene(t, 64, 64, s)
	bg := s.Background
	for i := 0; i < len(img.Pix); i += 4 {
		if img.Pix[i] != bg.R || img.Pix[i+1] != bg.G || img.Pix[i+2] != bg.B {
			t.Fatalf("a single-sided quad seen from behind drew pixel %d", i/4)
		}
	}
	a.Materials[0].DoubleSided = true
	r := New(Options{})
	defer r.Close()
	img2 := image.NewRGBA(img.Rect)
	r.Render(img2, s)
	if bytes.Equal(img.Pix, img2.Pix) {
		t.Fatal("a double-sided quad seen from behind drew nothing")
	}
}

// TestOrientation checks the textured quad lands the right way round: the
// texture's red top-left quadrant at the top-left of the image when seen
// from the front (+Z), mirrored when seen from behind.
func TestOrientation(t *testing.T) {
	a, c := sceneQuad()
	f := poseFrame(a, nil, nil)
	img := renderScene(t, 100, 100, DefaultScene(a, f, c))
	red, green, blue := img.RGBAAt(35, 35), img.RGBAAt(65, 35), img.RGBAAt(35, 65)
	if dominant(red) != 0 || dominant(green) != 1 || dominant(blue) != 2 {
		t.Fatalf("front view: top-left %v, top-right %v, bottom-left %v; want red, green, blue", red, green, blue)
	}
	a.Materials[0].DoubleSided = true
	img = renderScene(t, 100, 100, DefaultScene(a, f, Orbit{Distance: 2.5, Yaw: math.Pi, FOV: 30}.Camera()))
	if tl := img.RGBAAt(35, 35); dominant(tl) != 1 {
		t.Fatalf("back view: top-left %v, want green (mirrored)", tl)
	}
}

// dominant returns which of R, G, B is clearly the largest (0, 1, 2), or -1.
func dominant(c color.RGBA) int {
	ch := []int{int(c.R), int(c.G), int(c.B)}
	for i := range ch {
		if ch[i] > 2*ch[(i+1)%3] && ch[i] > 2*ch[(i+2)%3] {
			return i
		}
	}
	return -1
}

func TestBlendSortedBackToFront(t *testing.T) {
	a, c := sceneBlend()
	f := poseFrame(a, nil, nil)
	img := renderScene(t, 160, 120, DefaultScene(a, f, c))
	// Where red (near) overlaps blue (far) over green, red must be on top:
	// red over blue over green has more red than blue.
	p := img.RGBAAt(80, 60)
	if !(p.R > p.B) {
		t.Fatalf("overlap %v: blue drawn over the nearer red", p)
	}
	// Swapping the file order must not change the picture.
	a.Nodes[0], a.Nodes[1] = a.Nodes[1], a.Nodes[0]
	img2 := renderScene(t, 160, 120, DefaultScene(a, poseFrame(a, nil, nil), c))
	if msg := golden.Compare(img, img2, tolerance); msg != "" {
		t.Fatalf("file order changed the blend: %s", msg)
	}
}

func TestMorphTargetMovesVertices(t *testing.T) {
	a, c := sceneMorph()
	rest := renderScene(t, 120, 90, DefaultScene(a, poseFrame(a, nil, map[int][]float32{0: {0}}), c))
	plain := renderScene(t, 120, 90, DefaultScene(a, poseFrame(a, nil, nil), c))
	if !bytes.Equal(rest.Pix, plain.Pix) {
		t.Fatal("a zero morph weight changed the image")
	}
	moved := renderScene(t, 120, 90, DefaultScene(a, poseFrame(a, nil, map[int][]float32{0: {1}}), c))
	if bytes.Equal(rest.Pix, moved.Pix) {
		t.Fatal("morph weight 1 left the image unchanged")
	}
}

// TestSkinnedPoseChangesOnlyTheMovedBone bends the upper bone of the bar:
// rows below the blend zone must not change, rows above must.
func TestSkinnedPoseChangesOnlyTheMovedBone(t *testing.T) {
	a, upper, _ := sceneSkinned()
	c := frontCamera(mgl32.Vec3{0, 0.5, 0}, 3, 30)
	rest := renderScene(t, 120, 120, DefaultScene(a, poseFrame(a, nil, nil), c))
	bent := renderScene(t, 120, 120, DefaultScene(a, poseFrame(a, map[int]mgl32.Quat{upper: mgl32.QuatRotate(0.7, mgl32.Vec3{0, 0, 1})}, nil), c))
	// The bar spans y 0…1 m, the camera's view 3 m away covers about 1.6 m
	// over 120 pixels; the blend zone (0.4–0.6 m) sits around rows 52–68.
	for y := 0; y < 120; y++ {
		o := rest.PixOffset(0, y)
		same := bytes.Equal(rest.Pix[o:o+120*4], bent.Pix[o:o+120*4])
		switch {
		case y > 75 && !same:
			t.Errorf("row %d (lower bone) changed", y)
		case y > 20 && y < 45 && same:
			t.Errorf("row %d (upper bone) did not change", y)
		}
	}
}

func TestUVAnimationScrolls(t *testing.T) {
	a, c := sceneQuad()
	a.Materials[0].Unlit = false
	a.Materials[0].MToon = &vrm.MToon{ShadingToony: 0.9, UVAnimScrollX: 0.5, ShadeColor: mgl32.Vec3{1, 1, 1},
		ShadeTexture: noTexture(), ShadingShiftTex: noTexture(), RimTexture: noTexture(), MatcapTexture: noTexture(),
		OutlineWidthTex: noTexture(), UVAnimMaskTexture: noTexture()}
	f := poseFrame(a, nil, nil)
	s := DefaultScene(a, f, c)
	r := New(Options{})
	defer r.Close()
	at := func(tm float32) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 100, 100))
		s.Time = tm
		r.Render(img, s)
		return img
	}
	t0, t1, t2 := at(0), at(1), at(2)
	if bytes.Equal(t0.Pix, t1.Pix) {
		t.Fatal("the UV scroll did not move the texture")
	}
	// 0.5 UV per second for 2 s is one full turn of a repeating texture.
	if msg := golden.Compare(t0, t2, tolerance); msg != "" {
		t.Fatalf("after a full scroll period: %s", msg)
	}
	// After 1 s the texture moved by half its width: red is where green was.
	if p := t1.RGBAAt(35, 35); !(p.G > p.R) {
		t.Fatalf("after half a period the top-left is %v, want green", p)
	}
}

func TestTextureTransformBind(t *testing.T) {
	a, c := sceneQuad()
	f := poseFrame(a, nil, nil)
	// A full-weight bind to scale 0.5: only the top-left (red) quadrant shows.
	f.Materials[0].BindWeight, f.Materials[0].BindScale = 1, mgl32.Vec2{0.5, 0.5}
	img := renderScene(t, 100, 100, DefaultScene(a, f, c))
	for _, p := range []image.Point{{35, 35}, {65, 35}, {35, 65}, {65, 65}} {
		if c := img.RGBAAt(p.X, p.Y); !(c.R > 100 && c.G < 100 && c.B < 100) {
			t.Fatalf("pixel %v = %v, want red everywhere", p, c)
		}
	}
}

func TestFirstPersonAnnotations(t *testing.T) {
	a, c := sceneQuad()
	f := poseFrame(a, nil, nil)
	a.FirstPerson.Annotations = map[int]vrm.FirstPersonType{0: vrm.FirstPersonFirstPersonOnly}
	s := DefaultScene(a, f, c)
	r := New(Options{})
	defer r.Close()
	third := image.NewRGBA(image.Rect(0, 0, 50, 50))
	r.Render(third, s)
	if p := third.RGBAAt(25, 25); p.R != s.Background.R || p.G != s.Background.G {
		t.Fatalf("a firstPersonOnly mesh was drawn in the third-person view: %v", p)
	}
	s.FirstPersonView = true
	first := image.NewRGBA(third.Rect)
	r.Render(first, s)
	if bytes.Equal(first.Pix, third.Pix) {
		t.Fatal("a firstPersonOnly mesh was hidden in the first-person view")
	}
}

func TestOutlinesCanBeHidden(t *testing.T) {
	a, c := sceneMToon()
	f := poseFrame(a, nil, nil)
	s := DefaultScene(a, f, c)
	with := renderScene(t, 160, 120, s)
	s.HideOutlines = true
	without := renderScene(t, 160, 120, s)
	diff := 0
	for i := range with.Pix {
		if with.Pix[i] != without.Pix[i] {
			diff++
		}
	}
	if diff < 100 {
		t.Fatalf("outlines changed only %d bytes", diff)
	}
}

// TestTransparentBackground: with A = 0 the background stays fully
// transparent and the avatar opaque.
func TestTransparentBackground(t *testing.T) {
	a, c := sceneQuad()
	s := DefaultScene(a, poseFrame(a, nil, nil), c)
	s.Background = color.NRGBA{}
	img := renderScene(t, 100, 100, s)
	if p := img.RGBAAt(2, 2); p != (color.RGBA{}) {
		t.Fatalf("corner %v, want transparent", p)
	}
	if p := img.RGBAAt(50, 50); p.A != 255 {
		t.Fatalf("centre %v, want opaque", p)
	}
}

// TestSubImage renders into a sub-image of a larger RGBA: only its
// rectangle is written, with the right stride.
func TestSubImage(t *testing.T) {
	a, c := sceneQuad()
	s := DefaultScene(a, poseFrame(a, nil, nil), c)
	big := image.NewRGBA(image.Rect(0, 0, 120, 100))
	sub := big.SubImage(image.Rect(10, 20, 110, 70)).(*image.RGBA)
	r := New(Options{})
	defer r.Close()
	r.Render(sub, s)
	direct := image.NewRGBA(image.Rect(0, 0, 100, 50))
	r.Render(direct, s)
	for y := 0; y < 100; y++ {
		for x := 0; x < 120; x++ {
			got := big.RGBAAt(x, y)
			inside := x >= 10 && x < 110 && y >= 20 && y < 70
			switch {
			case inside && got != direct.RGBAAt(x-10, y-20):
				t.Fatalf("(%d,%d) = %v, want %v", x, y, got, direct.RGBAAt(x-10, y-20))
			case !inside && got != (color.RGBA{}):
				t.Fatalf("(%d,%d) outside the sub-image was written", x, y)
			}
		}
	}
}

func TestRobustness(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	mk := func(pos []mgl32.Vec3, idx []uint32) *vrm.Model {
		a := newAvatar()
		mat := addMaterial(a, vrm.Material{BaseColor: mgl32.Vec4{1, 0, 0, 1}})
		n := make([]mgl32.Vec3, len(pos))
		for i := range n {
			n[i] = mgl32.Vec3{0, 0, 1}
		}
		addMeshNode(a, "m", vrm.Primitive{Positions: pos, Normals: n, Indices: idx, Material: mat})
		return a
	}
	cam := frontCamera(mgl32.Vec3{}, 2, 40)
	cases := map[string]func() Scene{
		"degenerate": func() Scene {
			a := mk([]mgl32.Vec3{{0, 0, 0}, {0, 0, 0}, {1, 1, 0}, {2, 2, 0}}, []uint32{0, 1, 2, 1, 2, 3, 2, 2, 2})
			return DefaultScene(a, poseFrame(a, nil, nil), cam)
		},
		"nan_inf": func() Scene {
			a := mk([]mgl32.Vec3{{nan, 0, 0}, {1, inf, 0}, {0, 1, -inf}, {0, 0, 0}, {1, 0, 0}, {0, 1, 0}}, []uint32{0, 1, 2, 0, 4, 5, 3, 4, 5, 3, 1, 5})
			return DefaultScene(a, poseFrame(a, nil, nil), cam)
		},
		"huge": func() Scene {
			a := mk([]mgl32.Vec3{{-1e30, -1e30, 0}, {1e30, -1e30, 0}, {0, 1e30, 0}, {-1e6, -1e6, 1.9}, {1e6, -1e6, 1.9}, {0, 1e6, 1.9}, {-5, -5, 3}, {5, -5, 3}, {0, 5, 1}}, []uint32{0, 1, 2, 3, 4, 5, 6, 7, 8})
			return DefaultScene(a, poseFrame(a, nil, nil), cam)
		},
		"behind_camera": func() Scene {
			a := mk([]mgl32.Vec3{{-1, -1, 5}, {1, -1, 5}, {0, 1, -5}, {-1, -1, 2}, {1, -1, 2}, {0, 1, 2}}, []uint32{0, 1, 2, 3, 4, 5})
			return DefaultScene(a, poseFrame(a, nil, nil), cam)
		},
		"bad_indices": func() Scene {
			a := mk([]mgl32.Vec3{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}, []uint32{0, 1, 2, 0, 1, 99, 4000000000, 0, 1, 2})
			return DefaultScene(a, poseFrame(a, nil, nil), cam)
		},
		"short_frame": func() Scene {
			a, c := sceneMToon()
			return DefaultScene(a, &vrm.Frame{}, c)
		},
		"empty_frame_slices": func() Scene {
			a, _, c := sceneSkinned()
			f := poseFrame(a, nil, nil)
			f.JointPalettes[0] = nil
			f.MorphWeights = nil
			f.Materials = f.Materials[:0]
			return DefaultScene(a, f, c)
		},
		"bad_joints": func() Scene {
			a, _, c := sceneSkinned()
			p := &a.Meshes[0].Primitives[0]
			for i := range p.Joints {
				p.Joints[i] = [4]uint16{7, 65535, 1, 0}
				p.Weights[i] = [4]float32{0.5, 0.5, nan, 0}
			}
			return DefaultScene(a, poseFrame(a, nil, nil), c)
		},
		"mismatched_attributes": func() Scene {
			a, c := sceneMorph()
			p := &a.Meshes[0].Primitives[0]
			p.Normals = p.Normals[:3]
			p.UV0 = p.UV0[:5]
			p.Targets[0].Positions = p.Targets[0].Positions[:2]
			p.Material = 42
			return DefaultScene(a, poseFrame(a, nil, map[int][]float32{0: {1, 1, 1}}), c)
		},
		"nan_camera_light": func() Scene {
			a, c := sceneMToon()
			s := DefaultScene(a, poseFrame(a, nil, nil), c)
			s.Camera.View[5] = nan
			s.Camera.FOV = inf
			s.Camera.Near = -1
			s.Light.Direction = mgl32.Vec3{nan, 0, 0}
			s.Ambient = mgl32.Vec3{inf, nan, -1}
			s.Time = inf
			return s
		},
		"camera_inside_mesh": func() Scene {
			a, _ := heavyMesh(2000)
			return DefaultScene(a, poseFrame(a, nil, nil), frontCamera(mgl32.Vec3{0, 0.8, 0}, 0.01, 120))
		},
		"nil_avatar": func() Scene {
			return Scene{Camera: cam}
		},
		"nil_frame": func() Scene {
			a, c := sceneQuad()
			return Scene{Avatar: a, Camera: c}
		},
		"broken_texture": func() Scene {
			a, c := sceneQuad()
			a.Textures[0].Image = &image.NRGBA{Rect: image.Rect(0, 0, 64, 64), Stride: 256, Pix: make([]byte, 100)}
			a.Textures = append(a.Textures, vrm.Texture{}, vrm.Texture{Image: image.NewNRGBA(image.Rect(0, 0, 0, 5))})
			a.Materials[0].EmissiveTexture = texRef(1)
			a.Materials[0].Emissive = mgl32.Vec3{1, 1, 1}
			return DefaultScene(a, poseFrame(a, nil, nil), c)
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			s := build()
			r := New(Options{Workers: 2})
			defer r.Close()
			for _, sz := range []image.Rectangle{image.Rect(0, 0, 97, 61), image.Rect(0, 0, 0, 0), image.Rect(5, 5, 5, 40), image.Rect(0, 0, 1, 1)} {
				for _, aa := range []AA{AA4x, AAOff} {
					s.AA = aa
					r.Render(image.NewRGBA(sz), s)
				}
			}
			r.Render(nil, s)
			r.Render(&image.RGBA{Rect: image.Rect(0, 0, 10, 10)}, s) // no Pix
		})
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	r := New(Options{Workers: 3})
	r.Close()
	r.Close()
	r.Render(image.NewRGBA(image.Rect(0, 0, 4, 4)), Scene{}) // no-op after Close
}

func TestCacheKeepsRecentAvatars(t *testing.T) {
	r := New(Options{CacheSize: 2})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var avatars []*vrm.Model
	for i := 0; i < 3; i++ {
		a, c := sceneQuad()
		avatars = append(avatars, a)
		r.Render(img, DefaultScene(a, poseFrame(a, nil, nil), c))
	}
	if len(r.cache) != 2 || r.cache[0].avatar != avatars[1] || r.cache[1].avatar != avatars[2] {
		t.Fatalf("cache holds %d avatars, want the last two", len(r.cache))
	}
	p := r.cache[1]
	r.Render(img, DefaultScene(avatars[2], poseFrame(avatars[2], nil, nil), Camera{}))
	if r.cache[1] != p {
		t.Fatal("rendering a cached avatar again rebuilt its preprocessing")
	}
	r.Forget(avatars[2])
	if len(r.cache) != 1 {
		t.Fatal("Forget kept the avatar")
	}
}

// TestSharedVertexBuffer draws primitives that share one vertex buffer,
// one of them using only a few of its vertices (the vertex stage then runs
// on those alone): the picture must equal the one drawn from separate,
// exact buffers.
func TestSharedVertexBuffer(t *testing.T) {
	t.Run("plain", func(t *testing.T) { testSharedVertexBuffer(t, nil) })
	// The outlined quad uses 4 of the buffer's vertices: its per-vertex
	// outline widths must be indexed by drawn vertex (a UniVRM/VRoid layout
	// once panicked with "index out of range [4148] with length 981").
	t.Run("outline", func(t *testing.T) {
		testSharedVertexBuffer(t, &vrm.MToon{OutlineMode: vrm.OutlineWorld, OutlineWidth: 0.01, OutlineColor: mgl32.Vec3{0, 0, 0}})
	})
}

func testSharedVertexBuffer(t *testing.T, outline *vrm.MToon) {
	build := func(shared bool) Scene {
		a := newAvatar()
		red := addMaterial(a, vrm.Material{BaseColor: mgl32.Vec4{1, 0.2, 0.2, 1}})
		blue := addMaterial(a, vrm.Material{BaseColor: mgl32.Vec4{0.2, 0.3, 1, 1}, MToon: outline})
		g := grid(mgl32.Vec3{}, 1.6, 1.2, 8, red)
		// A small quad in front, from four extra vertices appended to the
		// grid's buffer.
		q := quad(mgl32.Vec3{0.2, 0.1, 0.2}, 0.5, 0.4, blue)
		base := uint32(len(g.Positions))
		if shared {
			g.Positions = append(g.Positions, q.Positions...)
			g.Normals = append(g.Normals, q.Normals...)
			g.UV0 = append(g.UV0, q.UV0...)
			for i := range q.Indices {
				q.Indices[i] += base
			}
			q.Positions, q.Normals, q.UV0 = g.Positions, g.Normals, g.UV0
		}
		m := addMeshNode(a, "mesh", g)
		a.Meshes[a.Nodes[m].Mesh].Primitives = append(a.Meshes[a.Nodes[m].Mesh].Primitives, q)
		return DefaultScene(a, poseFrame(a, nil, nil), frontCamera(mgl32.Vec3{}, 3, 40))
	}
	for _, aa := range []AA{AA4x, AAOff} {
		sep, sh := build(false), build(true)
		sep.AA, sh.AA = aa, aa
		if p := newPrepared(sh.Avatar, false); p.instances[1].used == nil || p.instances[1].nverts != 4 {
			t.Fatalf("the quad's instance draws %d vertices, want its 4", p.instances[1].nverts)
		}
		a, b := renderScene(t, 120, 90, sep), renderScene(t, 120, 90, sh)
		if !bytes.Equal(a.Pix, b.Pix) {
			t.Fatalf("%v: the shared buffer changed the picture", aa)
		}
	}
}

// TestWorkerHandOff drives the worker pool through frames with more and
// fewer tasks than workers, back to back and after pauses longer than the
// helpers' spin, on one and several Ps: every frame must finish (the
// hand-off between phases neither loses a helper nor waits for one that was
// never woken) and Close must stop spinning helpers.
func TestWorkerHandOff(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	big, bc := sceneMToon()
	small, sc := sceneQuad()
	scenes := []Scene{DefaultScene(big, poseFrame(big, nil, nil), bc), DefaultScene(small, poseFrame(small, nil, nil), sc)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			for _, workers := range []int{1, 2, 3, 5} {
				r := New(Options{Workers: workers})
				img := image.NewRGBA(image.Rect(0, 0, 96, 64))
				for i := 0; i < 40; i++ {
					r.Render(img, scenes[i%2])
					switch i % 5 {
					case 1:
						time.Sleep(20 * time.Microsecond)
					case 3:
						time.Sleep(2 * spinTime)
					}
				}
				r.Close()
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("a frame did not finish: the worker hand-off deadlocked")
	}
}
