package render

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/vrm"
)

// maxChannelDiff returns the largest difference of any channel of two
// images of one size.
func maxChannelDiff(a, b *image.RGBA) int {
	worst := 0
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		worst = max(worst, d, -d)
	}
	return worst
}

// TestSpanShaderMatchesGeneric renders MToon scenes with the specialised
// span shader and with the generic per-fragment shader: they regroup the
// same lighting, so no channel may differ by more than 2.
func TestSpanShaderMatchesGeneric(t *testing.T) {
	scenes := map[string]func(t *testing.T) Scene{
		"godette": func(t *testing.T) Scene {
			godette := loadModel(t, "Godette.vrm")
			f := vrm.NewRig(godette).Pose(nil)
			return DefaultScene(godette, f, FrameAvatar(godette, f, 30, 4.0/3, FrameBust).Camera())
		},
		"mtoon": func(*testing.T) Scene {
			a, c := sceneMToon()
			return DefaultScene(a, poseFrame(a, nil, nil), c)
		},
	}
	defer func() { genericShadingOnly = false }()
	for name, scene := range scenes {
		t.Run(name, func(t *testing.T) {
			s := scene(t)
			for _, aa := range []AA{AA4x, AAOff} {
				s.AA = aa
				genericShadingOnly = false
				fast := renderScene(t, 200, 150, s)
				genericShadingOnly = true
				generic := renderScene(t, 200, 150, s)
				if d := maxChannelDiff(fast, generic); d > 2 {
					t.Errorf("%v: span shader differs from the generic one by %d", aa, d)
				}
			}
		})
	}
}

// TestInternalEdgesShadeAtPixelCentre: with 4× AA, a pixel whose samples
// show neighbouring triangles of one mesh is shaded once at its centre, as
// without AA — so inside a finely tessellated, finely textured surface the
// two pictures agree (shading each triangle at its own clamped position and
// averaging the samples would blur the texture along every internal edge).
func TestInternalEdgesShadeAtPixelCentre(t *testing.T) {
	a := newAvatar()
	checker := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			v := uint8(30)
			if (x+y)%2 == 0 {
				v = 230
			}
			checker.SetNRGBA(x, y, color.NRGBA{v, v, 255 - v, 255})
		}
	}
	tex := addTexture(a, checker, vrm.Sampler{Mag: vrm.FilterNearest, Min: vrm.FilterNearest})
	mat := addMaterial(a, vrm.Material{BaseColorTexture: texRef(tex), Unlit: true})
	addMeshNode(a, "grid", grid(mgl32.Vec3{}, 1.8, 1.8, 23, mat))
	s := Scene{Avatar: a, Frame: poseFrame(a, nil, nil), Camera: frontCamera(mgl32.Vec3{}, 2.2, 60), Background: color.NRGBA{A: 255}}
	s.AA = AA4x
	msaa := renderScene(t, 160, 160, s)
	s.AA = AAOff
	single := renderScene(t, 160, 160, s)
	// The grid spans about 125 of 160 pixels: compare the middle 100.
	bad := 0
	for y := 30; y < 130; y++ {
		for x := 30; x < 130; x++ {
			p, q := msaa.RGBAAt(x, y), single.RGBAAt(x, y)
			for _, d := range []int{int(p.R) - int(q.R), int(p.G) - int(q.G), int(p.B) - int(q.B)} {
				if d > 1 || d < -1 {
					bad++
				}
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d channels inside the surface differ between 4x and no AA", bad)
	}
}

// TestSilhouettesInsideOneDrawStayAntiAliased: a quad in front of another
// of the same primitive (sharing one corner vertex, not an edge) is a
// silhouette, not an internal edge: with 4× AA its border must be blended,
// differing from the picture without AA, where every pixel shows one quad.
func TestSilhouettesInsideOneDrawStayAntiAliased(t *testing.T) {
	a := newAvatar()
	mat := addMaterial(a, vrm.Material{Unlit: true})
	p := vrm.Primitive{Material: mat,
		// Back quad (red), 0–3; front quad (blue), slanted, 3–6 sharing
		// the back quad's corner 3.
		Positions: []mgl32.Vec3{{-0.8, 0.8, 0}, {0.8, 0.8, 0}, {-0.8, -0.8, 0}, {0.8, -0.8, 0},
			{-0.3, 0.6, 0.3}, {0.5, 0.5, 0.3}, {-0.4, -0.5, 0.3}},
		Normals: []mgl32.Vec3{{0, 0, 1}, {0, 0, 1}, {0, 0, 1}, {0, 0, 1}, {0, 0, 1}, {0, 0, 1}, {0, 0, 1}},
		Colors: []mgl32.Vec4{{1, 0, 0, 1}, {1, 0, 0, 1}, {1, 0, 0, 1}, {1, 0, 0, 1},
			{0, 0, 1, 1}, {0, 0, 1, 1}, {0, 0, 1, 1}},
		Indices: []uint32{0, 2, 3, 0, 3, 1, 4, 6, 3, 4, 3, 5},
	}
	addMeshNode(a, "quads", p)
	s := Scene{Avatar: a, Frame: poseFrame(a, nil, nil), Camera: frontCamera(mgl32.Vec3{}, 2.2, 60), Background: color.NRGBA{A: 255}}
	s.AA = AA4x
	msaa := renderScene(t, 120, 120, s)
	s.AA = AAOff
	single := renderScene(t, 120, 120, s)
	// Inside the back quad (about pixels 22–98), only the front quad's
	// border can differ.
	blended := 0
	for y := 28; y < 92; y++ {
		for x := 28; x < 92; x++ {
			p, q := msaa.RGBAAt(x, y), single.RGBAAt(x, y)
			if d := int(p.R) - int(q.R); d > 40 || d < -40 {
				blended++
			}
		}
	}
	if blended < 60 {
		t.Fatalf("only %d blended pixels along the front quad's border with 4x AA", blended)
	}
}

// TestHizBlocksOnDemand: a block's hierarchical depth, computed when first
// asked for, is the smallest depth of its samples inside the touched
// rectangle (+Inf outside it), and stays what was computed until the next
// tile starts.
func TestHizBlocksOnDemand(t *testing.T) {
	var ws workerScratch
	ws.reserve(1)
	const S = 4
	for i := range ws.depth {
		ws.depth[i] = float32((i*7919)%1000)/1000 + 0.25 // all > 0
	}
	ws.rx0, ws.ry0, ws.rx1, ws.ry1 = 5, 3, 50, 29
	ws.startHiz(S)
	for b := 0; b < hizW*hizH; b++ {
		by, bx := b/hizW, b%hizW
		want := float32(math.Inf(1))
		for y := max(ws.ry0, by*hizBlock); y < min(ws.ry1, (by+1)*hizBlock); y++ {
			for x := max(ws.rx0, bx*hizBlock); x < min(ws.rx1, (bx+1)*hizBlock); x++ {
				for s := 0; s < S; s++ {
					want = min(want, ws.depth[(y*tileW+x)*S+s])
				}
			}
		}
		if got := ws.hizAt(b); got != want {
			t.Fatalf("block %d: %v, want %v", b, got, want)
		}
	}
	clear(ws.depth) // later draws: the computed blocks keep their values
	if ws.hizAt(9) == 0 {
		t.Fatal("a computed block was computed again")
	}
	ws.startHiz(S)
	if ws.hizAt(9) != 0 {
		t.Fatal("a new tile kept the last tile's block")
	}
}
