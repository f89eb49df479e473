package render

import (
	"image"
	"image/color"
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/vrm"
)

// Synthetic scenes for tests and benchmarks: small vrm.Model values built
// by hand, and frames computed from their node hierarchy, independent of the
// loader.

// newAvatar returns an empty avatar with no humanoid bones.
func newAvatar() *vrm.Model {
	a := &vrm.Model{Version: vrm.Version1}
	for i := range a.Humanoid.Nodes {
		a.Humanoid.Nodes[i] = -1
	}
	a.Meta.Thumbnail = -1
	return a
}

// addNode appends a node and returns its index.
func addNode(a *vrm.Model, name string, parent int, t mgl32.Vec3, r mgl32.Quat) int {
	n := len(a.Nodes)
	a.Nodes = append(a.Nodes, vrm.Node{
		Name: name, Parent: parent, Translation: t, Rotation: r, Scale: mgl32.Vec3{1, 1, 1}, Mesh: -1, Skin: -1,
	})
	if parent >= 0 {
		a.Nodes[parent].Children = append(a.Nodes[parent].Children, n)
	} else {
		a.Scene = append(a.Scene, n)
	}
	return n
}

// addMeshNode appends a root node drawing a one-primitive mesh.
func addMeshNode(a *vrm.Model, name string, p vrm.Primitive) int {
	n := addNode(a, name, -1, mgl32.Vec3{}, mgl32.QuatIdent())
	a.Meshes = append(a.Meshes, vrm.Mesh{Name: name, Primitives: []vrm.Primitive{p}})
	a.Nodes[n].Mesh = len(a.Meshes) - 1
	return n
}

func addMaterial(a *vrm.Model, m vrm.Material) int {
	if m.BaseColor == (mgl32.Vec4{}) {
		m.BaseColor = mgl32.Vec4{1, 1, 1, 1}
	}
	if m.AlphaCutoff == 0 {
		m.AlphaCutoff = 0.5
	}
	if m.Roughness == 0 {
		m.Roughness = 1 // a rough dielectric unless a test says otherwise
	}
	if m.OcclusionStrength == 0 {
		m.OcclusionStrength = 1
	}
	if m.NormalScale == 0 {
		m.NormalScale = 1
	}
	for _, r := range []*vrm.TextureRef{&m.BaseColorTexture, &m.EmissiveTexture, &m.NormalTexture, &m.MetallicRoughnessTexture, &m.OcclusionTexture} {
		if r.Scale == (mgl32.Vec2{}) {
			*r = noTexture()
		}
	}
	a.Materials = append(a.Materials, m)
	return len(a.Materials) - 1
}

func noTexture() vrm.TextureRef { return vrm.TextureRef{Texture: -1, Scale: mgl32.Vec2{1, 1}} }

func texRef(i int) vrm.TextureRef { return vrm.TextureRef{Texture: i, Scale: mgl32.Vec2{1, 1}} }

func addTexture(a *vrm.Model, img *image.NRGBA, s vrm.Sampler) int {
	a.Textures = append(a.Textures, vrm.Texture{Name: "tex", MIMEType: "image/png", Image: img, Sampler: s})
	return len(a.Textures) - 1
}

// quadrantTexture is 64×64: red top-left, green top-right, blue bottom-left,
// white bottom-right, with a dark 8-texel checker overlay, so orientation
// and mirroring show at a glance.
func quadrantTexture() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			var c color.NRGBA
			switch {
			case x < 32 && y < 32:
				c = color.NRGBA{230, 40, 40, 255}
			case y < 32:
				c = color.NRGBA{40, 200, 60, 255}
			case x < 32:
				c = color.NRGBA{50, 70, 230, 255}
			default:
				c = color.NRGBA{240, 240, 240, 255}
			}
			if (x/8+y/8)%2 == 1 {
				c.R, c.G, c.B = c.R/2, c.G/2, c.B/2
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// quad returns a w×h rectangle in the XY plane centred on c, facing +Z
// (counter-clockwise seen from +Z), UV (0,0) at its top-left as seen from +Z.
func quad(c mgl32.Vec3, w, h float32, mat int) vrm.Primitive {
	x0, x1, y0, y1 := c[0]-w/2, c[0]+w/2, c[1]-h/2, c[1]+h/2
	return vrm.Primitive{
		Positions: []mgl32.Vec3{{x0, y1, c[2]}, {x1, y1, c[2]}, {x0, y0, c[2]}, {x1, y0, c[2]}},
		Normals:   []mgl32.Vec3{{0, 0, 1}, {0, 0, 1}, {0, 0, 1}, {0, 0, 1}},
		UV0:       []mgl32.Vec2{{0, 0}, {1, 0}, {0, 1}, {1, 1}},
		Indices:   []uint32{0, 2, 3, 0, 3, 1},
		Material:  mat,
	}
}

// grid returns an n×n-cell rectangle like quad, subdivided.
func grid(c mgl32.Vec3, w, h float32, n int, mat int) vrm.Primitive {
	var p vrm.Primitive
	p.Material = mat
	for j := 0; j <= n; j++ {
		for i := 0; i <= n; i++ {
			u, v := float32(i)/float32(n), float32(j)/float32(n)
			p.Positions = append(p.Positions, mgl32.Vec3{c[0] - w/2 + u*w, c[1] + h/2 - v*h, c[2]})
			p.Normals = append(p.Normals, mgl32.Vec3{0, 0, 1})
			p.UV0 = append(p.UV0, mgl32.Vec2{u, v})
		}
	}
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			a := uint32(j*(n+1) + i)
			b, cc, d := a+1, a+uint32(n+1), a+uint32(n+2)
			p.Indices = append(p.Indices, a, cc, d, a, d, b)
		}
	}
	return p
}

// uvSphere returns a sphere of radius r centred on c, counter-clockwise
// outward.
func uvSphere(c mgl32.Vec3, r float32, rings, segs int, mat int) vrm.Primitive {
	var p vrm.Primitive
	p.Material = mat
	for j := 0; j <= rings; j++ {
		th := math.Pi * float64(j) / float64(rings)
		for i := 0; i <= segs; i++ {
			ph := 2 * math.Pi * float64(i) / float64(segs)
			n := mgl32.Vec3{float32(math.Sin(th) * math.Sin(ph)), float32(math.Cos(th)), float32(math.Sin(th) * math.Cos(ph))}
			p.Positions = append(p.Positions, c.Add(n.Mul(r)))
			p.Normals = append(p.Normals, n)
			p.UV0 = append(p.UV0, mgl32.Vec2{float32(i) / float32(segs), float32(j) / float32(rings)})
		}
	}
	for j := 0; j < rings; j++ {
		for i := 0; i < segs; i++ {
			a := uint32(j*(segs+1) + i)
			b, cc, d := a+1, a+uint32(segs+1), a+uint32(segs+2)
			p.Indices = append(p.Indices, a, cc, d, a, d, b)
		}
	}
	return p
}

// poseFrame computes a frame from the avatar's node hierarchy: local
// rotations overridden by rot (node → rotation), morph weights by morph
// (node → weights; otherwise the node's default weights), materials at rest.
func poseFrame(a *vrm.Model, rot map[int]mgl32.Quat, morph map[int][]float32) *vrm.Frame {
	f := &vrm.Frame{
		NodeWorld:    make([]mgl32.Mat4, len(a.Nodes)),
		MorphWeights: make([][]float32, len(a.Nodes)),
	}
	done := make([]bool, len(a.Nodes))
	var world func(i int) mgl32.Mat4
	world = func(i int) mgl32.Mat4 {
		if done[i] {
			return f.NodeWorld[i]
		}
		n := &a.Nodes[i]
		r := n.Rotation
		if q, ok := rot[i]; ok {
			r = q
		}
		local := mgl32.Translate3D(n.Translation[0], n.Translation[1], n.Translation[2]).
			Mul4(r.Mat4()).Mul4(mgl32.Scale3D(n.Scale[0], n.Scale[1], n.Scale[2]))
		if n.Parent >= 0 {
			local = world(n.Parent).Mul4(local)
		}
		f.NodeWorld[i], done[i] = local, true
		return local
	}
	for i := range a.Nodes {
		world(i)
		n := &a.Nodes[i]
		if n.Mesh >= 0 {
			w := make([]float32, len(a.Meshes[n.Mesh].Primitives[0].Targets))
			copy(w, n.Weights)
			if m, ok := morph[i]; ok {
				copy(w, m)
			}
			f.MorphWeights[i] = w
		}
	}
	for _, s := range a.Skins {
		pal := make([]mgl32.Mat4, len(s.Joints))
		for k, j := range s.Joints {
			pal[k] = f.NodeWorld[j].Mul4(s.InverseBindMatrices[k])
		}
		f.JointPalettes = append(f.JointPalettes, pal)
	}
	for _, m := range a.Materials {
		st := vrm.MaterialState{BaseColor: m.BaseColor, Emissive: m.Emissive}
		if m.MToon != nil {
			st.ShadeColor, st.RimColor, st.MatcapColor, st.OutlineColor = m.MToon.ShadeColor, m.MToon.RimColor, m.MToon.MatcapColor, m.MToon.OutlineColor
		}
		f.Materials = append(f.Materials, st)
	}
	return f
}

// frontCamera looks at target from dist metres in front (+Z), level.
func frontCamera(target mgl32.Vec3, dist, fov float32) Camera {
	return Orbit{Target: target, Distance: dist, FOV: fov}.Camera()
}

// sceneQuad: one unlit textured quad, seen from the front.
func sceneQuad() (*vrm.Model, Camera) {
	a := newAvatar()
	tex := addTexture(a, quadrantTexture(), vrm.Sampler{})
	mat := addMaterial(a, vrm.Material{Name: "quad", BaseColorTexture: texRef(tex), Unlit: true})
	addMeshNode(a, "quad", quad(mgl32.Vec3{0, 0, 0}, 1, 1, mat))
	return a, frontCamera(mgl32.Vec3{}, 2.5, 30)
}

// sceneBlend: an opaque green quad behind two half-transparent quads (blue
// further, red nearer) that overlap; the red one comes first in the file,
// so only back-to-front sorting blends them right.
func sceneBlend() (*vrm.Model, Camera) {
	a := newAvatar()
	green := addMaterial(a, vrm.Material{Name: "green", BaseColor: mgl32.Vec4{0.1, 0.6, 0.1, 1}, Unlit: true})
	red := addMaterial(a, vrm.Material{Name: "red", BaseColor: mgl32.Vec4{1, 0, 0, 0.5}, AlphaMode: vrm.AlphaBlend, Unlit: true})
	blue := addMaterial(a, vrm.Material{Name: "blue", BaseColor: mgl32.Vec4{0, 0, 1, 0.5}, AlphaMode: vrm.AlphaBlend, Unlit: true})
	addMeshNode(a, "red", quad(mgl32.Vec3{-0.15, 0.1, 0.2}, 0.6, 0.6, red))
	addMeshNode(a, "blue", quad(mgl32.Vec3{0.15, -0.1, 0.1}, 0.6, 0.6, blue))
	addMeshNode(a, "green", quad(mgl32.Vec3{0, 0, 0}, 1.2, 0.5, green))
	return a, frontCamera(mgl32.Vec3{}, 3, 30)
}

// sceneDoubleSided: two lit planes turned to show their backs to the camera:
// the left one double-sided (drawn, lit through its flipped normal), the
// right one single-sided (culled), in front of a grey backdrop.
func sceneDoubleSided() (*vrm.Model, Camera) {
	a := newAvatar()
	tex := addTexture(a, quadrantTexture(), vrm.Sampler{})
	two := addMaterial(a, vrm.Material{Name: "two", BaseColorTexture: texRef(tex), DoubleSided: true})
	one := addMaterial(a, vrm.Material{Name: "one", BaseColorTexture: texRef(tex)})
	back := addMaterial(a, vrm.Material{Name: "backdrop", BaseColor: mgl32.Vec4{0.3, 0.3, 0.3, 1}, Unlit: true})
	turn := mgl32.QuatRotate(math.Pi*0.8, mgl32.Vec3{0, 1, 0})
	l := addMeshNode(a, "left", quad(mgl32.Vec3{}, 0.5, 0.5, two))
	a.Nodes[l].Translation, a.Nodes[l].Rotation = mgl32.Vec3{-0.35, 0, 0}, turn
	r := addMeshNode(a, "right", quad(mgl32.Vec3{}, 0.5, 0.5, one))
	a.Nodes[r].Translation, a.Nodes[r].Rotation = mgl32.Vec3{0.35, 0, 0}, turn
	addMeshNode(a, "backdrop", quad(mgl32.Vec3{0, 0, -0.5}, 1.6, 0.2, back))
	return a, frontCamera(mgl32.Vec3{}, 3, 30)
}

// sceneMorph: a textured grid with one morph target that bulges its middle
// toward the camera and lifts its top edge.
func sceneMorph() (*vrm.Model, Camera) {
	a := newAvatar()
	tex := addTexture(a, quadrantTexture(), vrm.Sampler{})
	mat := addMaterial(a, vrm.Material{Name: "morph", BaseColorTexture: texRef(tex)})
	p := grid(mgl32.Vec3{}, 1, 1, 8, mat)
	t := vrm.MorphTarget{Positions: make([]mgl32.Vec3, len(p.Positions)), Normals: make([]mgl32.Vec3, len(p.Positions))}
	for i, q := range p.Positions {
		d := float32(math.Max(0, 0.5-math.Hypot(float64(q[0]), float64(q[1]))))
		t.Positions[i] = mgl32.Vec3{0, 0.4 * max(q[1], 0) * q[1], 0.8 * d}
		t.Normals[i] = mgl32.Vec3{q[0] * d, q[1] * d, 0}
	}
	p.Targets = []vrm.MorphTarget{t}
	n := addMeshNode(a, "morph", p)
	a.Meshes[a.Nodes[n].Mesh].TargetNames = []string{"bulge"}
	return a, Orbit{Target: mgl32.Vec3{0, 0.1, 0}, Yaw: 0.6, Pitch: 0.2, Distance: 3, FOV: 30}.Camera()
}

// sceneSkinned: a textured bar of two bones (lower at the origin, upper
// 0.5 m up), skinned with weights blended around the joint.
func sceneSkinned() (a *vrm.Model, upper int, c Camera) {
	a = newAvatar()
	tex := addTexture(a, quadrantTexture(), vrm.Sampler{})
	mat := addMaterial(a, vrm.Material{Name: "bar", BaseColorTexture: texRef(tex)})
	lower := addNode(a, "lower", -1, mgl32.Vec3{}, mgl32.QuatIdent())
	upper = addNode(a, "upper", lower, mgl32.Vec3{0, 0.5, 0}, mgl32.QuatIdent())
	p := skinnedBar(0.2, 1, 16, mat)
	mesh := addMeshNode(a, "bar", p)
	a.Nodes[mesh].Skin = 0
	a.Skins = []vrm.Skin{{Name: "bar", Joints: []int{lower, upper}, Skeleton: lower,
		InverseBindMatrices: []mgl32.Mat4{mgl32.Ident4(), mgl32.Translate3D(0, -0.5, 0)}}}
	return a, upper, Orbit{Target: mgl32.Vec3{0, 0.5, 0}, Distance: 3.2, FOV: 30, Pitch: 0.15, Yaw: 0.3}.Camera()
}

// skinnedBar is a square bar of side s and height h standing on the origin,
// made of segs rings; joint 0 below the middle, joint 1 above, blended over
// the middle fifth.
func skinnedBar(s, h float32, segs int, mat int) vrm.Primitive {
	var p vrm.Primitive
	p.Material = mat
	sides := [4][2]mgl32.Vec3{ // corner, normal
		{{-s / 2, 0, s / 2}, {0, 0, 1}}, {{s / 2, 0, s / 2}, {1, 0, 0}},
		{{s / 2, 0, -s / 2}, {0, 0, -1}}, {{-s / 2, 0, -s / 2}, {-1, 0, 0}},
	}
	for f := 0; f < 4; f++ {
		c0, n := sides[f][0], sides[f][1]
		c1 := sides[(f+1)%4][0]
		base := uint32(len(p.Positions))
		for j := 0; j <= segs; j++ {
			y := h * float32(j) / float32(segs)
			w := mathx.Clamp((y/h-0.4)/0.2, 0, 1)
			for i, c := range []mgl32.Vec3{c0, c1} {
				p.Positions = append(p.Positions, mgl32.Vec3{c[0], y, c[2]})
				p.Normals = append(p.Normals, n)
				p.UV0 = append(p.UV0, mgl32.Vec2{float32(i), 1 - y/h})
				p.Joints = append(p.Joints, [4]uint16{0, 1, 0, 0})
				p.Weights = append(p.Weights, [4]float32{1 - w, w, 0, 0})
			}
		}
		for j := 0; j < segs; j++ {
			a := base + uint32(2*j)
			p.Indices = append(p.Indices, a, a+1, a+3, a, a+3, a+2)
		}
	}
	return p
}

// sceneMToon: MToon spheres with a shade colour, rim light and outline, in
// world and screen outline modes, plus an alpha-masked grid.
func sceneMToon() (*vrm.Model, Camera) {
	a := newAvatar()
	tex := addTexture(a, quadrantTexture(), vrm.Sampler{})
	mt := &vrm.MToon{
		ShadeColor: mgl32.Vec3{0.25, 0.2, 0.5}, ShadingShift: -0.1, ShadingToony: 0.9, ShadeTexture: texRef(tex),
		RimColor: mgl32.Vec3{0.6, 0.6, 0.4}, RimFresnelPower: 4, RimLightingMix: 0.5,
		OutlineMode: vrm.OutlineWorld, OutlineWidth: 0.015, OutlineColor: mgl32.Vec3{0.05, 0.02, 0.1}, OutlineLightMix: 0.5,
		ShadingShiftTex: noTexture(), RimTexture: noTexture(), MatcapTexture: noTexture(), OutlineWidthTex: noTexture(), UVAnimMaskTexture: noTexture(),
	}
	world := addMaterial(a, vrm.Material{Name: "world", BaseColorTexture: texRef(tex), MToon: mt})
	mt2 := *mt
	mt2.OutlineMode, mt2.OutlineWidth, mt2.OutlineColor = vrm.OutlineScreen, 0.006, mgl32.Vec3{0.6, 0.1, 0.1}
	screen := addMaterial(a, vrm.Material{Name: "screen", BaseColor: mgl32.Vec4{0.9, 0.8, 0.6, 1}, MToon: &mt2})
	mt3 := *mt
	mt3.OutlineMode = vrm.OutlineNone
	cut := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			al := uint8(255)
			if (x-8)*(x-8)+(y-8)*(y-8) < 20 || x%5 == 0 {
				al = 0
			}
			cut.SetNRGBA(x, y, color.NRGBA{250, 200, 90, al})
		}
	}
	cutTex := addTexture(a, cut, vrm.Sampler{})
	mask := addMaterial(a, vrm.Material{Name: "mask", BaseColorTexture: texRef(cutTex), AlphaMode: vrm.AlphaMask, AlphaCutoff: 0.5, DoubleSided: true, MToon: &mt3})
	addMeshNode(a, "world", uvSphere(mgl32.Vec3{-0.45, 0.05, 0}, 0.35, 16, 24, world))
	addMeshNode(a, "screen", uvSphere(mgl32.Vec3{0.45, 0.05, 0}, 0.35, 16, 24, screen))
	addMeshNode(a, "mask", grid(mgl32.Vec3{0, -0.45, 0.3}, 1.4, 0.25, 4, mask))
	return a, frontCamera(mgl32.Vec3{0, -0.05, 0}, 3.4, 30)
}

// heavyMesh returns a skinned, textured mesh of about n triangles: a grid of
// small quads wrapped into a cylinder 1.6 m tall and 0.5 m across (roughly an
// avatar's screen footprint), with 2 bones.
func heavyMesh(n int) (*vrm.Model, Camera) {
	a := newAvatar()
	tex := addTexture(a, quadrantTexture(), vrm.Sampler{})
	mat := addMaterial(a, vrm.Material{Name: "heavy", BaseColorTexture: texRef(tex), MToon: &vrm.MToon{
		ShadeColor: mgl32.Vec3{0.3, 0.3, 0.5}, ShadingToony: 0.9, ShadeTexture: noTexture(), ShadingShiftTex: noTexture(),
		RimTexture: noTexture(), MatcapTexture: noTexture(), OutlineWidthTex: noTexture(), UVAnimMaskTexture: noTexture(),
	}})
	lower := addNode(a, "lower", -1, mgl32.Vec3{}, mgl32.QuatIdent())
	upper := addNode(a, "upper", lower, mgl32.Vec3{0, 0.8, 0}, mgl32.QuatIdent())
	rings := int(math.Sqrt(float64(n) / 2 / 2))
	segs := n / 2 / rings
	var p vrm.Primitive
	p.Material = mat
	for j := 0; j <= rings; j++ {
		y := 1.6 * float32(j) / float32(rings)
		w := mathx.Clamp((y-0.7)/0.2, 0, 1)
		for i := 0; i <= segs; i++ {
			ph := 2 * math.Pi * float64(i) / float64(segs)
			nrm := mgl32.Vec3{float32(math.Sin(ph)), 0, float32(math.Cos(ph))}
			p.Positions = append(p.Positions, mgl32.Vec3{nrm[0] * 0.25, y, nrm[2] * 0.25})
			p.Normals = append(p.Normals, nrm)
			p.UV0 = append(p.UV0, mgl32.Vec2{4 * float32(i) / float32(segs), 4 * (1 - y/1.6)})
			p.Joints = append(p.Joints, [4]uint16{0, 1, 0, 0})
			p.Weights = append(p.Weights, [4]float32{1 - w, w, 0, 0})
		}
	}
	for j := 0; j < rings; j++ {
		for i := 0; i < segs; i++ {
			q := uint32(j*(segs+1) + i)
			b, c, d := q+1, q+uint32(segs+1), q+uint32(segs+2)
			p.Indices = append(p.Indices, q, b, d, q, d, c)
		}
	}
	m := addMeshNode(a, "heavy", p)
	a.Nodes[m].Skin = 0
	a.Skins = []vrm.Skin{{Joints: []int{lower, upper}, Skeleton: lower,
		InverseBindMatrices: []mgl32.Mat4{mgl32.Ident4(), mgl32.Translate3D(0, -0.8, 0)}}}
	return a, frontCamera(mgl32.Vec3{0, 0.8, 0}, 3.6, 30)
}
