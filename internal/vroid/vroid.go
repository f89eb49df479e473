// Package vroid makes a test avatar laid out as UniVRM and VRoid Studio lay
// out the VRM 0.x files they write, from this repository's own code (no
// VRoid Studio export can be shipped or fetched): the default avatar
// (assets.DefaultVRM, the doll) re-laid out and dressed up.
//
// The layout, as VRoid Studio 1.x exports write it (UniVRM 0.x):
//   - three meshes, Face, Body and Hair, each with ONE vertex buffer that all
//     its primitives share, one primitive per material, each using a
//     contiguous part of the buffer (the layout that once crashed the
//     renderer: issue 11);
//   - 57 morph targets on the Face mesh under VRoid's names (Fcl_ALL_Joy,
//     Fcl_MTH_A, Fcl_EYE_Close_L, …), written as sparse accessors, bound by
//     VRM 0.x blendShapeMaster groups (Neutral, A, I, U, E, O, Blink,
//     Blink_L, Blink_R, Joy, Angry, Sorrow, Fun, Surprised, LookUp/Down/
//     Left/Right);
//   - MToon 0.x materialProperties with outlines (with a width texture on
//     skin and clothes), render queues, BLEND hair with ZWrite and BLEND
//     eyelashes, a MASK brow;
//   - 2048² textures;
//   - nodes named as VRoid names them (J_Bip_C_Hips, J_Sec_Hair1_01, …), 18
//     spring chains (16 hair strands of four joints in one bone group, the
//     doll's two tassels) and 14 colliders in 11 groups, one per node.
//
// [Build] returns the avatar in memory (VRM 1.0 frame, like everything
// vrm.Load returns, with Version set to vrm.Version0), [VRM] the file
// vrmenc.Encode writes from it, made once per process, and [Load] that file
// loaded. Everything is deterministic.
package vroid

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"sync"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
	"github.com/kugutsu/kugutsu/vrm/vrmenc"
)

// Counts of what Build makes, for tests.
const (
	Meshes        = 3  // Face, Body, Hair
	FaceTargets   = 57 // morph targets on the Face mesh
	HairStrands   = 16 // spring chains in the hair bone group
	StrandJoints  = 4  // joints per hair strand
	Springs       = HairStrands + 2
	TextureSize   = 2048 // side of the colour textures
	MaterialCount = 8
)

// Mesh indices.
const (
	MeshFace = iota
	MeshBody
	MeshHair
)

// Material indices, one primitive each.
const (
	MatFace = iota
	MatFaceParts
	MatBrow
	MatEyelash
	MatBody
	MatCloth
	MatHair
	MatHairStrand
)

// Texture indices.
const (
	TexFace = iota
	TexBody
	TexCloth
	TexHair
	TexHairStrand
	TexOutlineWidth
	TexThumbnail
)

// Build makes the avatar; the Avatar is new on every call.
func Build() (*vrm.Model, error) {
	doll, err := vrm.Load(bytes.NewReader(assets.DefaultVRM()))
	if err != nil {
		return nil, fmt.Errorf("vroid: loading the doll: %w", err)
	}
	b := &builder{doll: doll}
	return b.build()
}

var (
	fileOnce sync.Once
	fileData []byte
	fileErr  error
)

// VRM returns Build's avatar written by vrmenc.Encode as a VRM 0.x file. It is
// made on the first call (a few seconds: five 2048² PNGs) and shared
// afterwards; callers must not modify it.
func VRM() ([]byte, error) {
	fileOnce.Do(func() {
		a, err := Build()
		if err != nil {
			fileErr = err
			return
		}
		var buf bytes.Buffer
		if err := vrmenc.Encode(&buf, a, vrm.Version0); err != nil {
			fileErr = fmt.Errorf("vroid: %w", err)
			return
		}
		fileData = buf.Bytes()
	})
	return fileData, fileErr
}

// Load returns VRM() loaded with vrm.Load, a new Model on every call.
func Load() (*vrm.Model, error) {
	data, err := VRM()
	if err != nil {
		return nil, err
	}
	return vrm.Load(bytes.NewReader(data))
}

type builder struct {
	doll  *vrm.Model
	a     *vrm.Model
	world []mgl32.Vec3 // rest world position per node (rest rotations are identity)
	head  int          // head node
}

// source is one doll primitive going into a new mesh.
type source struct {
	mesh string // doll mesh name
	p    *vrm.Primitive
	mat  int // new material
}

func (b *builder) build() (*vrm.Model, error) {
	d := b.doll
	// The doll's nodes: the root, the skeleton, then one node per mesh.
	// Keep everything before the first mesh node.
	firstMesh := len(d.Nodes)
	for i, n := range d.Nodes {
		if n.Mesh >= 0 {
			firstMesh = min(firstMesh, i)
		}
	}
	for i := firstMesh; i < len(d.Nodes); i++ {
		if d.Nodes[i].Mesh < 0 || len(d.Nodes[i].Children) > 0 {
			return nil, fmt.Errorf("vroid: doll node %d (%s) is not a mesh leaf", i, d.Nodes[i].Name)
		}
	}
	a := &vrm.Model{Version: vrm.Version0}
	b.a = a
	for i := 0; i < firstMesh; i++ {
		n := d.Nodes[i]
		n.Children = nil
		for _, c := range d.Nodes[i].Children {
			if c < firstMesh {
				n.Children = append(n.Children, c)
			}
		}
		a.Nodes = append(a.Nodes, n)
	}
	a.Scene = []int{0}
	a.Humanoid = d.Humanoid
	a.Skins = []vrm.Skin{d.Skins[0]}
	a.Skins[0].Joints = append([]int(nil), d.Skins[0].Joints...)
	a.Skins[0].InverseBindMatrices = append([]mgl32.Mat4(nil), d.Skins[0].InverseBindMatrices...)
	a.Skins[0].Name = "Root"
	a.LookAt = d.LookAt
	b.world = make([]mgl32.Vec3, len(a.Nodes))
	for i, n := range a.Nodes {
		if n.Parent >= 0 {
			b.world[i] = b.world[n.Parent]
		}
		b.world[i] = b.world[i].Add(n.Translation)
	}
	b.head = a.Humanoid.Node(humanoid.Head)
	b.names()
	if err := b.textures(); err != nil {
		return nil, err
	}
	b.materials()

	// Sort the doll's primitives into the three meshes by material.
	dollMat := map[string]int{}
	for i, m := range d.Materials {
		dollMat[m.Name] = i
	}
	var face, body, hair []source
	for mi := range d.Meshes {
		m := &d.Meshes[mi]
		for pi := range m.Primitives {
			p := &m.Primitives[pi]
			switch name := d.Materials[p.Material].Name; {
			case m.Name == "Brow.L" || m.Name == "Brow.R":
				face = append(face, source{m.Name, p, MatBrow})
			case name == "Face":
				face = append(face, source{m.Name, p, MatFace})
			case name == "FaceParts":
				face = append(face, source{m.Name, p, MatFaceParts})
			case name == "Hair":
				hair = append(hair, source{m.Name, p, MatHair})
			case name == "Wood":
				body = append(body, source{m.Name, p, MatBody})
			default:
				body = append(body, source{m.Name, p, MatCloth})
			}
		}
	}
	fp := map[int]vrm.FirstPersonType{}
	faceMesh := b.mesh("Face", face, b.eyelashes(), fcl())
	for t, mt := range faceMesh.Primitives[0].Targets {
		moves := false
		for _, d := range mt.Positions {
			moves = moves || d != (mgl32.Vec3{})
		}
		if !moves {
			return nil, fmt.Errorf("vroid: morph target %s moves nothing", faceMesh.TargetNames[t])
		}
	}
	fp[b.addMeshNode(faceMesh)] = vrm.FirstPersonThirdPersonOnly
	fp[b.addMeshNode(b.mesh("Body", body, nil, nil))] = vrm.FirstPersonBoth
	strands, err := b.hairStrands(hair)
	if err != nil {
		return nil, err
	}
	fp[b.addMeshNode(b.mesh("Hair001", hair, strands, nil))] = vrm.FirstPersonThirdPersonOnly
	a.FirstPerson.Annotations = fp
	b.expressions()
	b.springs(d)
	b.meta()
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("vroid: %w", err)
	}
	return a, nil
}

// names gives the nodes VRoid's names.
func (b *builder) names() {
	a := b.a
	a.Nodes[0].Name = "Root"
	isBone := map[int]bool{}
	for _, bn := range a.Humanoid.Present.Bones() {
		n := a.Humanoid.Nodes[bn]
		isBone[n] = true
		side, name := "C", bn.UnityName()
		switch {
		case len(name) > 4 && name[:4] == "Left":
			side, name = "L", name[4:]
		case len(name) > 5 && name[:5] == "Right":
			side, name = "R", name[5:]
		}
		prefix := "J_Bip_"
		if bn == humanoid.LeftEye || bn == humanoid.RightEye || bn == humanoid.Jaw {
			prefix = "J_Adj_"
		}
		a.Nodes[n].Name = prefix + side + "_" + name
	}
	for i := 1; i < len(a.Nodes); i++ {
		if !isBone[i] {
			a.Nodes[i].Name = "J_Sec_" + a.Nodes[i].Name
		}
	}
}

// textures makes the 2048² colour textures from the doll's, a hair-strand
// texture with alpha, and an outline-width map.
func (b *builder) textures() error {
	d := b.doll
	find := func(name string) (*image.NRGBA, error) {
		for i, t := range d.Textures {
			if t.Name == name {
				return d.TextureImage(i)
			}
		}
		return nil, fmt.Errorf("vroid: the doll has no texture %q", name)
	}
	tex := func(name string, img *image.NRGBA, wrap vrm.Wrap) vrm.Texture {
		return vrm.Texture{Name: name, MIMEType: "image/png", Image: img, Sampler: vrm.Sampler{WrapS: wrap, WrapT: wrap}}
	}
	for _, s := range []struct{ doll, name string }{{"Face", "F00_000_00_Face_00"}, {"Wood", "N00_000_00_Body_00"}, {"Kimono", "N00_001_01_Tops_01"}, {"Hair", "N00_000_Hair_00"}} {
		img, err := find(s.doll)
		if err != nil {
			return err
		}
		wrap := vrm.WrapClamp
		if s.doll == "Wood" || s.doll == "Hair" {
			wrap = vrm.WrapRepeat
		}
		b.a.Textures = append(b.a.Textures, tex(s.name, upscale(img, TextureSize), wrap))
	}
	b.a.Textures = append(b.a.Textures,
		tex("N00_000_Hair_01", strandTexture(TextureSize), vrm.WrapClamp),
		tex("OutlineWidth", outlineWidthTexture(512), vrm.WrapClamp))
	th := d.Meta.Thumbnail
	if th < 0 {
		return fmt.Errorf("vroid: the doll has no thumbnail")
	}
	img, err := d.TextureImage(th)
	if err != nil {
		return err
	}
	b.a.Textures = append(b.a.Textures, tex("Thumbnail", img, vrm.WrapClamp))
	return nil
}

// upscale resamples img bilinearly to n×n.
func upscale(img *image.NRGBA, n int) *image.NRGBA {
	sw, sh := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		fy := (float64(y)+0.5)*float64(sh)/float64(n) - 0.5
		y0 := int(math.Floor(fy))
		ty := fy - float64(y0)
		y0c, y1c := min(max(y0, 0), sh-1), min(max(y0+1, 0), sh-1)
		for x := 0; x < n; x++ {
			fx := (float64(x)+0.5)*float64(sw)/float64(n) - 0.5
			x0 := int(math.Floor(fx))
			tx := fx - float64(x0)
			x0c, x1c := min(max(x0, 0), sw-1), min(max(x0+1, 0), sw-1)
			p00 := img.Pix[img.PixOffset(x0c, y0c):]
			p10 := img.Pix[img.PixOffset(x1c, y0c):]
			p01 := img.Pix[img.PixOffset(x0c, y1c):]
			p11 := img.Pix[img.PixOffset(x1c, y1c):]
			o := out.Pix[out.PixOffset(x, y):]
			for c := 0; c < 4; c++ {
				top := float64(p00[c])*(1-tx) + float64(p10[c])*tx
				bot := float64(p01[c])*(1-tx) + float64(p11[c])*tx
				o[c] = uint8(top*(1-ty) + bot*ty + 0.5)
			}
		}
	}
	return out
}

// strandTexture paints hair: dark violet streaks along V, a highlight band,
// alpha fading out toward both edges in U and toward the tip (V = 1).
func strandTexture(n int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	// Separable: streak and edge depend on U only, band and tip on V only.
	streak, edge := make([]float64, n), make([]float64, n)
	for x := range n {
		u := (float64(x) + 0.5) / float64(n)
		streak[x] = 0.75 + 0.25*math.Sin(u*97+math.Sin(u*13)*3)
		edge[x] = 1 - math.Pow(math.Abs(2*u-1), 6)
	}
	for y := 0; y < n; y++ {
		v := (float64(y) + 0.5) / float64(n)
		band := math.Exp(-math.Pow((v-0.22)/0.05, 2)) * 0.35
		tip := math.Min(1, (1-v)/0.25)
		row := img.Pix[y*img.Stride:]
		for x := 0; x < n; x++ {
			o := row[4*x : 4*x+4]
			o[0] = uint8(math.Min((0.30*streak[x]+band)*255, 255))
			o[1] = uint8(math.Min((0.27*streak[x]+band)*255, 255))
			o[2] = uint8(math.Min((0.42*streak[x]+band)*255, 255))
			o[3] = uint8(math.Max(0, edge[x]*tip) * 255)
		}
	}
	return img
}

// outlineWidthTexture is MToon's outline width map: G is the width factor,
// full over most of the atlas, thinning toward its lower edge.
func outlineWidthTexture(n int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		g := uint8(255 - 160*y/n)
		for x := 0; x < n; x++ {
			img.SetNRGBA(x, y, color.NRGBA{255, g, 255, 255})
		}
	}
	return img
}

func texRef(t int) vrm.TextureRef { return vrm.TextureRef{Texture: t, Scale: mgl32.Vec2{1, 1}} }

// materials makes MToon materials from the doll's (VRoid Studio's names).
func (b *builder) materials() {
	d := b.doll
	byName := func(n string) vrm.Material {
		for _, m := range d.Materials {
			if m.Name == n {
				mt := *m.MToon
				m.MToon = &mt
				return m
			}
		}
		panic("vroid: the doll has no material " + n)
	}
	retex := func(m *vrm.Material, t int) {
		m.BaseColorTexture = texRef(t)
		if m.MToon.ShadeTexture.Valid() {
			m.MToon.ShadeTexture = texRef(t)
		}
	}
	face := byName("Face")
	face.Name = "F00_000_00_Face_00_SKIN (Instance)"
	retex(&face, TexFace)
	parts := byName("FaceParts")
	parts.Name = "F00_000_00_FaceMouth_00_FACE (Instance)"
	retex(&parts, TexFace)
	brow := byName("FaceParts")
	brow.Name = "F00_000_00_FaceBrow_00_FACE (Instance)"
	retex(&brow, TexFace)
	brow.AlphaMode, brow.AlphaCutoff = vrm.AlphaMask, 0.5
	brow.RenderQueue = 1
	lash := byName("Hair")
	lash.Name = "F00_000_00_FaceEyelash_00_FACE (Instance)"
	retex(&lash, TexHairStrand)
	lash.BaseColor = mgl32.Vec4{0.09, 0.06, 0.08, 1}
	lash.AlphaMode, lash.DoubleSided = vrm.AlphaBlend, true
	lash.MToon.ShadeColor = mgl32.Vec3{0.05, 0.03, 0.04}
	lash.MToon.OutlineMode, lash.MToon.OutlineWidth = vrm.OutlineNone, 0
	lash.RenderQueue = 1
	body := byName("Wood")
	body.Name = "N00_000_00_Body_00_SKIN (Instance)"
	retex(&body, TexBody)
	body.MToon.OutlineWidthTex = texRef(TexOutlineWidth)
	cloth := byName("Kimono")
	cloth.Name = "N00_001_01_Tops_01_CLOTH (Instance)"
	retex(&cloth, TexCloth)
	cloth.MToon.OutlineWidthTex = texRef(TexOutlineWidth)
	hair := byName("Hair")
	hair.Name = "N00_000_Hair_00_HAIR (Instance)"
	retex(&hair, TexHair)
	hair.AlphaMode = vrm.AlphaBlend
	hair.MToon.TransparentZWrite = true
	strand := byName("Hair")
	strand.Name = "N00_000_Hair_01_HAIR (Instance)"
	retex(&strand, TexHairStrand)
	strand.AlphaMode, strand.DoubleSided = vrm.AlphaBlend, true
	strand.MToon.TransparentZWrite = true
	strand.MToon.OutlineMode, strand.MToon.OutlineWidth = vrm.OutlineNone, 0
	strand.RenderQueue = 1
	b.a.Materials = []vrm.Material{face, parts, brow, lash, body, cloth, hair, strand}
}

// extra is geometry made here rather than taken from the doll: a buffer's
// worth of vertices for one material, with per-target deltas by doll shape
// name (the same names fcl combines).
type extra struct {
	mat    int
	p      vrm.Primitive
	shapes map[string][]mgl32.Vec3
}

// mesh lays sources and extras out as one vertex buffer with one primitive
// per material (in material order), the primitives using consecutive
// parts of it. targets, when given, are the morph targets: each a weighted
// sum of the doll's shapes.
func (b *builder) mesh(name string, srcs []source, extras []extra, targets []fclTarget) vrm.Mesh {
	var buf vrm.Primitive
	byMat := map[int][]uint32{}
	var order []int
	deltas := make([][]mgl32.Vec3, len(targets))
	add := func(mat int, p *vrm.Primitive, shape func(string) []mgl32.Vec3) {
		base := uint32(len(buf.Positions))
		buf.Positions = append(buf.Positions, p.Positions...)
		buf.Normals = append(buf.Normals, p.Normals...)
		buf.UV0 = append(buf.UV0, p.UV0...)
		buf.Joints = append(buf.Joints, p.Joints...)
		buf.Weights = append(buf.Weights, p.Weights...)
		if _, ok := byMat[mat]; !ok {
			order = append(order, mat)
		}
		for _, i := range p.Indices {
			byMat[mat] = append(byMat[mat], base+i)
		}
		for t, ft := range targets {
			for len(deltas[t]) < int(base) {
				deltas[t] = append(deltas[t], mgl32.Vec3{})
			}
			d := make([]mgl32.Vec3, len(p.Positions))
			for _, w := range ft.shapes {
				if s := shape(w.shape); s != nil {
					for k := range d {
						d[k] = d[k].Add(s[k].Mul(w.weight))
					}
				}
			}
			deltas[t] = append(deltas[t], d...)
		}
	}
	// Material order first, so each primitive's part is contiguous.
	for mat := 0; mat < MaterialCount; mat++ {
		for _, s := range srcs {
			if s.mat != mat {
				continue
			}
			dm := b.dollMesh(s.mesh)
			add(mat, s.p, func(shape string) []mgl32.Vec3 {
				for k, n := range dm.TargetNames {
					if n == shape {
						return s.p.Targets[k].Positions
					}
				}
				return nil
			})
		}
		for _, e := range extras {
			if e.mat == mat {
				add(mat, &e.p, func(shape string) []mgl32.Vec3 { return e.shapes[shape] })
			}
		}
	}
	m := vrm.Mesh{Name: name}
	for t, ft := range targets {
		buf.Targets = append(buf.Targets, vrm.MorphTarget{Positions: deltas[t]})
		m.TargetNames = append(m.TargetNames, ft.name)
	}
	for _, mat := range order {
		p := buf
		p.Indices, p.Material = byMat[mat], mat
		m.Primitives = append(m.Primitives, p)
	}
	return m
}

func (b *builder) dollMesh(name string) *vrm.Mesh {
	for i := range b.doll.Meshes {
		if b.doll.Meshes[i].Name == name {
			return &b.doll.Meshes[i]
		}
	}
	panic("vroid: the doll has no mesh " + name)
}

// addMeshNode appends a skinned node for mesh m under the root.
func (b *builder) addMeshNode(m vrm.Mesh) int {
	a := b.a
	a.Meshes = append(a.Meshes, m)
	n := len(a.Nodes)
	a.Nodes = append(a.Nodes, vrm.Node{Name: m.Name, Parent: 0, Mesh: len(a.Meshes) - 1, Skin: 0, Rotation: mgl32.QuatIdent(), Scale: mgl32.Vec3{1, 1, 1}})
	a.Nodes[0].Children = append(a.Nodes[0].Children, n)
	b.world = append(b.world, b.world[0])
	return n
}

// bounds returns the box around some doll primitives.
func bounds(ps ...*vrm.Primitive) (lo, hi mgl32.Vec3) {
	lo = mgl32.Vec3{1e9, 1e9, 1e9}
	hi = lo.Mul(-1)
	for _, p := range ps {
		for _, v := range p.Positions {
			for c := 0; c < 3; c++ {
				lo[c], hi[c] = min(lo[c], v[c]), max(hi[c], v[c])
			}
		}
	}
	return lo, hi
}

// rigid returns joints and weights binding n vertices wholly to skin joint j.
func rigid(n, j int) ([][4]uint16, [][4]float32) {
	js, ws := make([][4]uint16, n), make([][4]float32, n)
	for k := range js {
		js[k], ws[k] = [4]uint16{uint16(j)}, [4]float32{1}
	}
	return js, ws
}

func (b *builder) skinJoint(node int) int {
	for k, n := range b.a.Skins[0].Joints {
		if n == node {
			return k
		}
	}
	panic("vroid: node is not a joint")
}

// eyelashes makes a fringe over each eye (BLEND), following the blink.
func (b *builder) eyelashes() []extra {
	var out []extra
	for _, side := range []string{"L", "R"} {
		eye := &b.dollMesh("Eye." + side).Primitives[0]
		lo, hi := bounds(eye)
		c := lo.Add(hi).Mul(0.5)
		rx, ry := (hi[0]-lo[0])/2, (hi[1]-lo[1])/2
		e := extra{mat: MatEyelash, shapes: map[string][]mgl32.Vec3{}}
		p := &e.p
		const segs = 12
		for i := 0; i <= segs; i++ {
			th := math.Pi * (0.1 + 0.8*float64(i)/segs)
			cs, sn := float32(math.Cos(th)), float32(math.Sin(th))
			for k, r := range []float32{0.98, 1.22} {
				pos := mgl32.Vec3{c[0] + rx*r*cs, c[1] + ry*(0.78+0.3*float32(k))*sn*r, hi[2] + 0.002 + 0.006*float32(k) - rx*0.35*cs*cs}
				p.Positions = append(p.Positions, pos)
				p.Normals = append(p.Normals, mgl32.Vec3{0, 0.3, 1}.Normalize())
				p.UV0 = append(p.UV0, mgl32.Vec2{float32(i) / segs, 0.05 + 0.6*float32(k)})
			}
		}
		for i := 0; i < segs; i++ {
			a0, a1, b0, b1 := uint32(2*i), uint32(2*i+1), uint32(2*i+2), uint32(2*i+3)
			p.Indices = append(p.Indices, a0, b0, b1, a0, b1, a1)
		}
		p.Joints, p.Weights = rigid(len(p.Positions), b.skinJoint(b.head))
		// Closing the eye brings the lashes down over it; widening lifts them.
		blink, wide := make([]mgl32.Vec3, len(p.Positions)), make([]mgl32.Vec3, len(p.Positions))
		for k, v := range p.Positions {
			down := (v[1] - (c[1] - ry*0.75)) * 0.9
			blink[k] = mgl32.Vec3{0, -down, 0.004}
			wide[k] = mgl32.Vec3{0, ry * 0.12, 0}
		}
		name := map[string]string{"L": "Left", "R": "Right"}[side]
		e.shapes["eyeBlink"+name], e.shapes["eyeWide"+name] = blink, wide
		out = append(out, e)
	}
	return out
}

// hairStrands makes HairStrands ribbons hanging from the hair cap, each
// skinned to a chain of StrandJoints new joints under the head.
func (b *builder) hairStrands(cap []source) ([]extra, error) {
	if len(cap) == 0 {
		return nil, fmt.Errorf("vroid: the doll has no hair")
	}
	var ps []*vrm.Primitive
	for _, s := range cap {
		ps = append(ps, s.p)
	}
	lo, hi := bounds(ps...)
	c := lo.Add(hi).Mul(0.5)
	r := hi.Sub(lo).Mul(0.5)
	a := b.a
	e := extra{mat: MatHairStrand}
	p := &e.p
	for s := 0; s < HairStrands; s++ {
		// Around the sides and the back of the head (+Z is the face).
		phi := math.Pi * (0.38 + 1.24*float64(s)/(HairStrands-1))
		sx, sz := float32(math.Sin(phi)), float32(math.Cos(phi))
		back := float32(-math.Cos(phi)) // 1 at the back
		length := 0.16 + 0.16*max(back, 0)
		root := c.Add(mgl32.Vec3{r[0] * sx * 0.92, r[1] * 0.3, r[2] * sz * 0.92})
		out := mgl32.Vec3{sx, 0, sz}
		dir := mgl32.Vec3{0, -1, 0}.Add(out.Mul(0.28)).Normalize()
		// The chain: StrandJoints joints from the root down the strand.
		parent := b.head
		var joints []int
		for k := 0; k < StrandJoints; k++ {
			pos := root.Add(dir.Mul(length * float32(k) / StrandJoints))
			n := len(a.Nodes)
			a.Nodes = append(a.Nodes, vrm.Node{
				Name: fmt.Sprintf("J_Sec_Hair%d_%02d", k+1, s+1), Parent: parent, Translation: pos.Sub(b.world[parent]),
				Rotation: mgl32.QuatIdent(), Scale: mgl32.Vec3{1, 1, 1}, Mesh: -1, Skin: -1,
			})
			b.world = append(b.world, pos)
			a.Nodes[parent].Children = append(a.Nodes[parent].Children, n)
			a.Skins[0].Joints = append(a.Skins[0].Joints, n)
			a.Skins[0].InverseBindMatrices = append(a.Skins[0].InverseBindMatrices, mgl32.Translate3D(-pos[0], -pos[1], -pos[2]))
			joints = append(joints, len(a.Skins[0].Joints)-1)
			parent = n
		}
		// The ribbon: across the strand tangent to the head, 3 × 9 vertices.
		side := mgl32.Vec3{0, 1, 0}.Cross(out).Normalize()
		width := float32(0.085)
		base := uint32(len(p.Positions))
		const along = 8
		for i := 0; i <= along; i++ {
			t := float32(i) / along
			w := width * (1 - 0.5*t)
			centre := root.Add(dir.Mul(length * t)).Add(out.Mul(0.004 + 0.01*t))
			f := t * StrandJoints
			j0 := min(int(f), StrandJoints-1)
			j1 := min(j0+1, StrandJoints-1)
			wt := f - float32(j0)
			if j0 == j1 {
				wt = 0
			}
			for k := -1; k <= 1; k++ {
				p.Positions = append(p.Positions, centre.Add(side.Mul(w*float32(k)/2)))
				p.Normals = append(p.Normals, out.Add(side.Mul(0.3*float32(k))).Normalize())
				p.UV0 = append(p.UV0, mgl32.Vec2{float32(k+1) / 2, t})
				p.Joints = append(p.Joints, [4]uint16{uint16(joints[j0]), uint16(joints[j1])})
				p.Weights = append(p.Weights, [4]float32{1 - wt, wt})
			}
		}
		for i := uint32(0); i < along; i++ {
			for k := uint32(0); k < 2; k++ {
				v := base + i*3 + k
				p.Indices = append(p.Indices, v, v+1, v+4, v, v+4, v+3)
			}
		}
	}
	return []extra{e}, nil
}

// expressions binds VRoid's blendShapeMaster groups to the Face targets.
func (b *builder) expressions() {
	a := b.a
	face := -1
	for i, n := range a.Nodes {
		if n.Mesh == MeshFace {
			face = i
		}
	}
	index := map[string]int{}
	for i, n := range a.Meshes[MeshFace].TargetNames {
		index[n] = i
	}
	groups := []struct {
		name   string
		preset vrm.Preset
		target string
		binary bool
	}{
		{"Neutral", vrm.PresetNeutral, "Fcl_ALL_Neutral", false},
		{"A", vrm.PresetAa, "Fcl_MTH_A", false},
		{"I", vrm.PresetIh, "Fcl_MTH_I", false},
		{"U", vrm.PresetOu, "Fcl_MTH_U", false},
		{"E", vrm.PresetEe, "Fcl_MTH_E", false},
		{"O", vrm.PresetOh, "Fcl_MTH_O", false},
		{"Blink", vrm.PresetBlink, "Fcl_EYE_Close", false},
		{"Joy", vrm.PresetHappy, "Fcl_ALL_Joy", false},
		{"Angry", vrm.PresetAngry, "Fcl_ALL_Angry", false},
		{"Sorrow", vrm.PresetSad, "Fcl_ALL_Sorrow", false},
		{"Fun", vrm.PresetRelaxed, "Fcl_ALL_Fun", false},
		{"LookUp", vrm.PresetLookUp, "", false},
		{"LookDown", vrm.PresetLookDown, "", false},
		{"LookLeft", vrm.PresetLookLeft, "", false},
		{"LookRight", vrm.PresetLookRight, "", false},
		{"Blink_L", vrm.PresetBlinkLeft, "Fcl_EYE_Close_L", false},
		{"Blink_R", vrm.PresetBlinkRight, "Fcl_EYE_Close_R", false},
		{"Surprised", vrm.PresetCustom, "Fcl_ALL_Surprised", false},
	}
	for _, g := range groups {
		e := vrm.Expression{Name: g.name, Preset: g.preset, IsBinary: g.binary}
		if g.target != "" {
			e.MorphBinds = []vrm.MorphBind{{Node: face, Index: index[g.target], Weight: 1}}
		}
		a.Expressions = append(a.Expressions, e)
	}
}

// springs sets up the hair in one bone group (as VRoid writes it: one
// group, every strand's root bone listed), keeps the doll's tassels, and
// puts colliders where VRoid puts them.
func (b *builder) springs(d *vrm.Model) {
	a := b.a
	sb := &a.SpringBone
	node := func(bn humanoid.Bone) int { return a.Humanoid.Node(bn) }
	type col struct {
		bone   humanoid.Bone
		offset mgl32.Vec3
		radius float32
	}
	cols := [][]col{
		{{humanoid.Head, mgl32.Vec3{0, 0.07, 0}, 0.1}, {humanoid.Head, mgl32.Vec3{0, 0.11, -0.02}, 0.095}, {humanoid.Head, mgl32.Vec3{0, 0.04, -0.04}, 0.085}},
		{{humanoid.Neck, mgl32.Vec3{0, 0.03, 0}, 0.05}},
		{{humanoid.UpperChest, mgl32.Vec3{0, 0.02, -0.01}, 0.1}, {humanoid.UpperChest, mgl32.Vec3{0, 0.08, -0.03}, 0.09}},
		{{humanoid.LeftShoulder, mgl32.Vec3{0.03, 0.01, 0}, 0.05}},
		{{humanoid.RightShoulder, mgl32.Vec3{-0.03, 0.01, 0}, 0.05}},
		{{humanoid.LeftUpperArm, mgl32.Vec3{0.06, 0, 0}, 0.045}},
		{{humanoid.RightUpperArm, mgl32.Vec3{-0.06, 0, 0}, 0.045}},
		{{humanoid.LeftHand, mgl32.Vec3{0.04, 0, 0}, 0.035}},
		{{humanoid.RightHand, mgl32.Vec3{-0.04, 0, 0}, 0.035}},
		{{humanoid.LeftUpperLeg, mgl32.Vec3{0, -0.1, 0}, 0.08}},
		{{humanoid.RightUpperLeg, mgl32.Vec3{0, -0.1, 0}, 0.08}},
	}
	for _, g := range cols {
		grp := vrm.ColliderGroup{Name: a.Nodes[node(g[0].bone)].Name}
		for _, c := range g {
			sb.Colliders = append(sb.Colliders, vrm.Collider{Node: node(c.bone), Shape: vrm.ColliderSphere, Offset: c.offset, Radius: c.radius})
			grp.Colliders = append(grp.Colliders, len(sb.Colliders)-1)
		}
		sb.ColliderGroups = append(sb.ColliderGroups, grp)
	}
	hairGroups := []int{0, 1, 2, 3, 4}
	for s := 0; s < HairStrands; s++ {
		sp := vrm.Spring{Name: "Hair", ColliderGroups: hairGroups, Center: -1, VirtualTail: vrm.VirtualTailVRM0}
		first := -1
		for i, n := range a.Nodes {
			if n.Name == fmt.Sprintf("J_Sec_Hair1_%02d", s+1) {
				first = i
			}
		}
		for n := first; ; n = a.Nodes[n].Children[0] {
			sp.Joints = append(sp.Joints, vrm.SpringJoint{Node: n, HitRadius: 0.02, Stiffness: 1, GravityPower: 0.1, GravityDir: mgl32.Vec3{0, -1, 0}, DragForce: 0.4})
			if len(a.Nodes[n].Children) == 0 {
				break
			}
		}
		sb.Springs = append(sb.Springs, sp)
	}
	// The doll's tassels, hanging from the hair, with the chest and
	// shoulder colliders.
	for _, sp := range d.SpringBone.Springs {
		sp.ColliderGroups = []int{0, 2, 3, 5}
		sp.VirtualTail = vrm.VirtualTailVRM0
		first := sp.Joints[0]
		for k := range sp.Joints {
			j := &sp.Joints[k]
			j.Stiffness, j.GravityPower, j.GravityDir, j.DragForce, j.HitRadius = first.Stiffness, first.GravityPower, first.GravityDir, first.DragForce, first.HitRadius
		}
		sb.Springs = append(sb.Springs, sp)
	}
}

// meta is CC0, in VRM 0.x terms.
func (b *builder) meta() {
	m := &b.a.Meta
	m.Name = "Kugutsu (VRoid layout)"
	m.Version = "1.0"
	m.Authors = []string{"the Kugutsu project"}
	m.References = []string{"made by internal/vroid from the Kugutsu doll"}
	m.Thumbnail = TexThumbnail
	m.OtherLicenseURL = "https://creativecommons.org/publicdomain/zero/1.0/"
	m.LicenseURL = m.OtherLicenseURL
	m.AvatarPermission = "everyone"
	m.AllowExcessivelyViolentUsage, m.AllowExcessivelySexualUsage = true, true
	m.CommercialUsage = "corporation"
	m.CreditNotation = "unnecessary"
	m.AllowRedistribution = true
	m.Modification = "allowModificationRedistribution"
	v := &m.VRM0
	v.AllowedUserName, v.ViolentUssageName, v.SexualUssageName, v.CommercialUssageName = "Everyone", "Allow", "Allow", "Allow"
	v.LicenseName = "CC0"
}
