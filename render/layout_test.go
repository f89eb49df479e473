package render

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kugutsu/kugutsu/internal/testglb"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
	"github.com/kugutsu/kugutsu/vrm/vrmenc"
)

// A property test over the layouts real exporters write (issue 11): random
// avatars whose meshes are laid out as UniVRM, VRoid Studio and the Blender
// add-on lay them out — several primitives sharing one vertex buffer, each
// using a part of it; unindexed primitives; two UV sets; sparse morph
// targets; skin weights summing to 0 or to more than 1; degenerate
// triangles — crossed with every material feature (MToon outlines with and
// without a width texture on either UV set, MASK, BLEND, double-sided,
// textures, UV animation, emissive, unlit). Every avatar is drawn and must
// not panic (a slice read out of range panics in Go), must draw the same
// picture on one and two workers, must give a sane premultiplied image,
// and must draw exactly the picture of the same avatar with every
// primitive given its own exact buffers. Some are also written with
// vrmenc.Encode (VRM 0.x or 1.0), loaded back with vrm.Load and drawn, so the
// loader's paths (shared accessors, sparse targets, primitives without
// indices, interleaved and packed attributes, weight normalisation) are
// exercised too.
//
// FuzzExporterLayouts draws its avatar from the fuzz input;
// TestExporterLayouts sweeps fixed seeds in every `go test`.

// layoutSrc is where a random avatar's choices come from.
type layoutSrc interface {
	intn(n int) int // 0…n−1 (0 when n ≤ 1)
	unit() float32  // 0…1
}

type randSrc struct{ r *rand.Rand }

func (s randSrc) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return s.r.IntN(n)
}
func (s randSrc) unit() float32 { return s.r.Float32() }

// byteSrc reads choices from fuzz input, zeros once it runs out.
type byteSrc struct{ b []byte }

func (s *byteSrc) next() int {
	if len(s.b) == 0 {
		return 0
	}
	v := s.b[0]
	s.b = s.b[1:]
	return int(v)
}

func (s *byteSrc) intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := s.next()
	if n > 256 {
		v = v<<8 | s.next()
	}
	return v % n
}

func (s *byteSrc) unit() float32 { return float32(s.next()) / 255 }

func chance(s layoutSrc, percent int) bool { return s.intn(100) < percent }

func between(s layoutSrc, lo, hi float32) float32 { return lo + (hi-lo)*s.unit() }

// layoutBones is the random avatars' skeleton: the VRM 1.0 required bones
// with identity rest rotations (as VRM 0.x requires), model-space rest
// positions in metres, parents as indices into this table (-1: the root
// node, which is not a bone).
var layoutBones = []struct {
	bone   humanoid.Bone
	parent int
	pos    mgl32.Vec3
}{
	{humanoid.Hips, -1, mgl32.Vec3{0, 0.95, 0}},
	{humanoid.Spine, 0, mgl32.Vec3{0, 1.05, 0}},
	{humanoid.Chest, 1, mgl32.Vec3{0, 1.2, 0}},
	{humanoid.Neck, 2, mgl32.Vec3{0, 1.4, 0}},
	{humanoid.Head, 3, mgl32.Vec3{0, 1.5, 0}},
	{humanoid.LeftUpperArm, 2, mgl32.Vec3{0.18, 1.35, 0}},
	{humanoid.LeftLowerArm, 5, mgl32.Vec3{0.42, 1.35, 0}},
	{humanoid.LeftHand, 6, mgl32.Vec3{0.65, 1.35, 0}},
	{humanoid.RightUpperArm, 2, mgl32.Vec3{-0.18, 1.35, 0}},
	{humanoid.RightLowerArm, 8, mgl32.Vec3{-0.42, 1.35, 0}},
	{humanoid.RightHand, 9, mgl32.Vec3{-0.65, 1.35, 0}},
	{humanoid.LeftUpperLeg, 0, mgl32.Vec3{0.1, 0.9, 0}},
	{humanoid.LeftLowerLeg, 11, mgl32.Vec3{0.1, 0.5, 0}},
	{humanoid.LeftFoot, 12, mgl32.Vec3{0.1, 0.08, 0}},
	{humanoid.RightUpperLeg, 0, mgl32.Vec3{-0.1, 0.9, 0}},
	{humanoid.RightLowerLeg, 14, mgl32.Vec3{-0.1, 0.5, 0}},
	{humanoid.RightFoot, 15, mgl32.Vec3{-0.1, 0.08, 0}},
}

// layoutCase is one random avatar with how to draw it.
type layoutCase struct {
	a      *vrm.Model
	notes  []string // the layouts and features it uses, for failure messages
	rot    map[int]mgl32.Quat
	morph  map[int][]float32
	binds  []vrm.MaterialState // per material, nil entries for none
	cam    Camera
	aa     AA
	time   float32
	bg     color.NRGBA
	pose   vrm.Pose    // for the loaded copy
	encode vrm.Version // VersionUnknown: not written
	packed bool        // written with interleaved and packed attributes (see rewriteGLB)
}

func (c *layoutCase) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// layoutTextures adds the random avatars' textures: 0 a colour map with an
// alpha ramp (for MASK and BLEND), 1 an outline-width map whose G channel
// runs from 0 to 1, 2 a UV-animation mask (B channel), all 16×16.
func layoutTextures(a *vrm.Model, s layoutSrc) {
	for k := 0; k < 3; k++ {
		img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
		for y := 0; y < 16; y++ {
			for x := 0; x < 16; x++ {
				c := color.NRGBA{uint8(40 + x*13), uint8(200 - y*9), uint8(90 + (x^y)*7), uint8(255 - y*14)}
				switch k {
				case 1:
					c = color.NRGBA{0, uint8(x * 17), 0, 255}
				case 2:
					c = color.NRGBA{0, 0, uint8(y * 17), 255}
				}
				img.SetNRGBA(x, y, c)
			}
		}
		addTexture(a, img, vrm.Sampler{WrapS: vrm.Wrap(s.intn(3)), WrapT: vrm.Wrap(s.intn(3)), Mag: vrm.Filter(s.intn(2)), Min: vrm.Filter(s.intn(2))})
	}
}

// layoutTexRef returns a reference to texture t on a random UV set, with a
// KHR_texture_transform now and then.
func layoutTexRef(s layoutSrc, t int, uv1 bool) vrm.TextureRef {
	r := texRef(t)
	if uv1 && chance(s, 40) {
		r.TexCoord = 1
	}
	if chance(s, 20) {
		r.Offset = mgl32.Vec2{between(s, -1, 1), between(s, -1, 1)}
		r.Scale = mgl32.Vec2{between(s, 0.2, 3), between(s, 0.2, 3)}
		r.Rotation = between(s, -3, 3)
	}
	return r
}

// layoutMaterial makes a material with random features.
func layoutMaterial(c *layoutCase, s layoutSrc, uv1 bool) vrm.Material {
	m := vrm.Material{
		Name:            fmt.Sprintf("mat%d", len(c.a.Materials)),
		BaseColor:       mgl32.Vec4{between(s, 0.2, 1), between(s, 0.2, 1), between(s, 0.2, 1), between(s, 0.3, 1)},
		AlphaMode:       vrm.AlphaMode(s.intn(3)),
		AlphaCutoff:     between(s, 0.1, 0.9),
		DoubleSided:     chance(s, 40),
		Unlit:           chance(s, 20),
		EmissiveTexture: noTexture(), NormalTexture: noTexture(), BaseColorTexture: noTexture(),
		NormalScale: 1,
	}
	var f []string
	f = append(f, [...]string{"OPAQUE", "MASK", "BLEND"}[m.AlphaMode])
	if m.DoubleSided {
		f = append(f, "double-sided")
	}
	if m.Unlit {
		f = append(f, "unlit")
	}
	if chance(s, 70) {
		m.BaseColorTexture = layoutTexRef(s, 0, uv1)
		f = append(f, fmt.Sprintf("texture(uv%d)", m.BaseColorTexture.TexCoord))
	}
	if chance(s, 30) {
		m.Emissive = mgl32.Vec3{between(s, 0, 1), between(s, 0, 1), between(s, 0, 1)}
		f = append(f, "emissive")
		if chance(s, 50) {
			m.EmissiveTexture = layoutTexRef(s, 0, uv1)
		}
	}
	if chance(s, 70) {
		t := &vrm.MToon{
			ShadeColor: mgl32.Vec3{between(s, 0, 1), between(s, 0, 1), between(s, 0, 1)}, ShadeTexture: noTexture(),
			ShadingShift: between(s, -1, 1), ShadingShiftTex: noTexture(), ShadingShiftTexScale: 1,
			ShadingToony: between(s, 0, 1), GIEqualization: between(s, 0, 1),
			RimColor: mgl32.Vec3{between(s, 0, 1), 0.2, 0.1}, RimFresnelPower: between(s, 0, 10), RimLift: between(s, 0, 1),
			RimLightingMix: between(s, 0, 1), RimTexture: noTexture(), MatcapTexture: noTexture(),
			OutlineWidthTex: noTexture(), OutlineColor: mgl32.Vec3{0.1, 0.05, 0}, OutlineLightMix: between(s, 0, 1),
			UVAnimMaskTexture: noTexture(), TransparentZWrite: chance(s, 50),
		}
		m.RenderQueue = s.intn(5) - 2
		if chance(s, 40) {
			t.ShadeTexture = layoutTexRef(s, 0, uv1)
		}
		if chance(s, 20) {
			t.RimTexture, t.MatcapTexture = layoutTexRef(s, 0, uv1), layoutTexRef(s, 0, uv1)
		}
		f = append(f, "MToon")
		switch s.intn(3) {
		case 1:
			t.OutlineMode, t.OutlineWidth = vrm.OutlineWorld, between(s, 0.001, 0.03)
		case 2:
			t.OutlineMode, t.OutlineWidth = vrm.OutlineScreen, between(s, 0.001, 0.02)
		}
		if t.OutlineMode != vrm.OutlineNone {
			f = append(f, "outline")
			if chance(s, 50) {
				t.OutlineWidthTex = layoutTexRef(s, 1, uv1)
				f = append(f, fmt.Sprintf("width-texture(uv%d)", t.OutlineWidthTex.TexCoord))
			}
		}
		if chance(s, 35) {
			t.UVAnimScrollX, t.UVAnimScrollY, t.UVAnimRotation = between(s, -2, 2), between(s, -2, 2), between(s, -3, 3)
			f = append(f, "UV-animation")
			if chance(s, 50) {
				t.UVAnimMaskTexture = layoutTexRef(s, 2, uv1)
			}
		}
		m.MToon = t
	}
	c.note("material %d: %s", len(c.a.Materials), strings.Join(f, " "))
	return m
}

// patch appends a gw×gh grid of vertices (a tilted, wavy rectangle of the
// body's size) to p and returns its triangles, including now and then a
// degenerate one (a repeated vertex, or three vertices of one row).
func patch(s layoutSrc, p *vrm.Primitive, gw, gh int, degenerate bool) []uint32 {
	c := mgl32.Vec3{between(s, -0.5, 0.5), between(s, 0.1, 1.6), between(s, -0.3, 0.3)}
	w, h := between(s, 0.15, 0.7), between(s, 0.15, 0.7)
	q := mgl32.QuatRotate(between(s, -1.2, 1.2), mgl32.Vec3{between(s, -1, 1), between(s, -1, 1), 0.3}.Normalize())
	ax, ay := q.Rotate(mgl32.Vec3{w, 0, 0}), q.Rotate(mgl32.Vec3{0, h, 0})
	n := ax.Cross(ay).Normalize()
	uvScale := float32(1)
	if chance(s, 20) {
		uvScale = 3 // UVs outside 0…1: wrapping
	}
	base := uint32(len(p.Positions))
	for j := 0; j <= gh; j++ {
		for i := 0; i <= gw; i++ {
			u, v := float32(i)/float32(gw), float32(j)/float32(gh)
			wave := n.Mul(0.05 * float32(math.Sin(float64(u*5+v*3))))
			p.Positions = append(p.Positions, c.Add(ax.Mul(u-0.5)).Add(ay.Mul(0.5-v)).Add(wave))
			p.Normals = append(p.Normals, n)
			p.UV0 = append(p.UV0, mgl32.Vec2{u * uvScale, v * uvScale})
			p.UV1 = append(p.UV1, mgl32.Vec2{v, 1 - u})
			p.Colors = append(p.Colors, mgl32.Vec4{u, v, 1 - u, 1})
		}
	}
	at := func(i, j int) uint32 { return base + uint32(j*(gw+1)+i) }
	var idx []uint32
	for j := 0; j < gh; j++ {
		for i := 0; i < gw; i++ {
			idx = append(idx, at(i, j), at(i, j+1), at(i+1, j+1), at(i, j), at(i+1, j+1), at(i+1, j))
		}
	}
	if degenerate {
		idx = append(idx, at(0, 0), at(0, 0), at(1, 1), at(1, 0), at(1, 1), at(1, 1))
		if gw >= 2 {
			idx = append(idx, at(0, 0), at(1, 0), at(2, 0))
		}
	}
	return idx
}

// layoutMesh adds a mesh with random layout; mats are the material indices
// its primitives may use.
func layoutMesh(c *layoutCase, s layoutSrc, skinned bool, mats []int) vrm.Mesh {
	a := c.a
	mesh := vrm.Mesh{Name: fmt.Sprintf("mesh%d", len(a.Meshes))}
	nprim := 1 + s.intn(4)
	uv1, colors := chance(s, 40), chance(s, 25)
	degenerate := chance(s, 40)
	ntargets := s.intn(4)
	weightMode := s.intn(4) // 0 normalised, 1 some sums 0, 2 some sums > 1, 3 unnormalised everywhere
	var layout string
	var prims []vrm.Primitive
	switch s.intn(3) {
	case 0, 1:
		// One vertex buffer, one region per primitive; a primitive may
		// also reach into the next region, and the last may scatter
		// triangles over the whole buffer.
		layout = "shared buffer"
		var buf vrm.Primitive
		var regions [][]uint32
		for k := 0; k < nprim; k++ {
			regions = append(regions, patch(s, &buf, 1+s.intn(5), 1+s.intn(5), degenerate))
		}
		for k := 0; k < nprim; k++ {
			idx := slices.Clone(regions[k])
			if k+1 < nprim && chance(s, 30) {
				idx = append(idx, regions[k+1][:3]...)
				layout += ", overlapping"
			}
			if k == nprim-1 && chance(s, 25) {
				n := len(buf.Positions)
				for t := 0; t < 6; t++ {
					idx = append(idx, uint32(s.intn(n)), uint32(s.intn(n)), uint32(s.intn(n)))
				}
				layout += ", scattered"
			}
			p := buf
			p.Indices = idx
			prims = append(prims, p)
		}
	default:
		// Unindexed triangle soup, a buffer per primitive.
		layout = "unindexed"
		for k := 0; k < nprim; k++ {
			var p vrm.Primitive
			idx := patch(s, &p, 1+s.intn(4), 1+s.intn(4), degenerate)
			var soup vrm.Primitive
			for _, i := range idx {
				soup.Positions = append(soup.Positions, p.Positions[i])
				soup.Normals = append(soup.Normals, p.Normals[i])
				soup.UV0 = append(soup.UV0, p.UV0[i])
				soup.UV1 = append(soup.UV1, p.UV1[i])
				soup.Colors = append(soup.Colors, p.Colors[i])
				soup.Indices = append(soup.Indices, uint32(len(soup.Indices)))
			}
			prims = append(prims, soup)
		}
	}
	c.note("mesh %d: %d primitives, %s, uv1 %v, colours %v, degenerate %v, %d targets, weights mode %d",
		len(a.Meshes), nprim, layout, uv1, colors, degenerate, ntargets, weightMode)
	// Attributes and morph targets per buffer (a shared buffer's slices are
	// set once and shared by its primitives).
	type bufAttrs struct {
		joints  [][4]uint16
		weights [][4]float32
		targets []vrm.MorphTarget
	}
	done := map[*mgl32.Vec3]bufAttrs{}
	nj := len(a.Skins[0].Joints)
	for k := range prims {
		p := &prims[k]
		p.Material = mats[s.intn(len(mats))]
		if !uv1 {
			p.UV1 = nil
		}
		if !colors {
			p.Colors = nil
		}
		key := &p.Positions[0]
		ba, ok := done[key]
		if !ok {
			n := len(p.Positions)
			if skinned {
				for v := 0; v < n; v++ {
					j := [4]uint16{uint16(s.intn(nj)), uint16(s.intn(nj)), uint16(s.intn(nj)), uint16(s.intn(nj))}
					w0 := s.unit()
					wt := [4]float32{w0, 1 - w0, 0, 0}
					switch {
					case weightMode == 1 && chance(s, 30):
						wt = [4]float32{}
					case weightMode == 2 && chance(s, 30):
						wt = [4]float32{1.5, 0.7, 0.3, 0}
					case weightMode == 3:
						wt = [4]float32{s.unit(), s.unit(), s.unit(), s.unit()}
					}
					ba.joints = append(ba.joints, j)
					ba.weights = append(ba.weights, wt)
				}
			}
			for t := 0; t < ntargets; t++ {
				// Sparse: a morph target moves a few vertices.
				mt := vrm.MorphTarget{Positions: make([]mgl32.Vec3, n)}
				if chance(s, 40) {
					mt.Normals = make([]mgl32.Vec3, n)
				}
				for v := 0; v < n; v++ {
					if chance(s, 15) {
						mt.Positions[v] = mgl32.Vec3{between(s, -0.08, 0.08), between(s, -0.08, 0.08), between(s, -0.08, 0.08)}
						if mt.Normals != nil {
							mt.Normals[v] = mgl32.Vec3{between(s, -0.5, 0.5), 0, between(s, -0.5, 0.5)}
						}
					}
				}
				ba.targets = append(ba.targets, mt)
			}
			done[key] = ba
		}
		p.Joints, p.Weights, p.Targets = ba.joints, ba.weights, ba.targets
	}
	for t := 0; t < ntargets; t++ {
		mesh.TargetNames = append(mesh.TargetNames, fmt.Sprintf("target%d", t))
	}
	mesh.Primitives = prims
	return mesh
}

// newLayoutCase builds a random avatar and how to draw it.
func newLayoutCase(s layoutSrc) *layoutCase {
	a := newAvatar()
	a.Meta.Name = "layout"
	c := &layoutCase{a: a, rot: map[int]mgl32.Quat{}, morph: map[int][]float32{}}
	root := addNode(a, "Armature", -1, mgl32.Vec3{}, mgl32.QuatIdent())
	skin := vrm.Skin{Name: "skin", Skeleton: -1}
	for _, b := range layoutBones {
		parent, ppos := root, mgl32.Vec3{}
		if b.parent >= 0 {
			parent, ppos = 1+b.parent, layoutBones[b.parent].pos
		}
		n := addNode(a, b.bone.String(), parent, b.pos.Sub(ppos), mgl32.QuatIdent())
		a.Humanoid.Nodes[b.bone] = n
		a.Humanoid.Present = a.Humanoid.Present.With(b.bone)
		skin.Joints = append(skin.Joints, n)
		skin.InverseBindMatrices = append(skin.InverseBindMatrices, mgl32.Translate3D(-b.pos[0], -b.pos[1], -b.pos[2]))
	}
	a.Skins = []vrm.Skin{skin}
	layoutTextures(a, s)
	nmat := 1 + s.intn(4)
	var mats []int
	for k := 0; k < nmat; k++ {
		mats = append(mats, len(a.Materials))
		a.Materials = append(a.Materials, layoutMaterial(c, s, true))
	}
	nmesh := 1 + s.intn(3)
	for k := 0; k < nmesh; k++ {
		skinned := chance(s, 70)
		m := layoutMesh(c, s, skinned, mats)
		a.Meshes = append(a.Meshes, m)
		n := addNode(a, m.Name, root, mgl32.Vec3{}, mgl32.QuatIdent())
		a.Nodes[n].Mesh = len(a.Meshes) - 1
		if skinned {
			a.Nodes[n].Skin = 0
		}
		if nt := len(m.TargetNames); nt > 0 {
			w := make([]float32, nt)
			for t := range w {
				w[t] = s.unit()
			}
			a.Nodes[n].Weights = w
			mw := make([]float32, nt)
			for t := range mw {
				mw[t] = between(s, -0.5, 1.5)
			}
			c.morph[n] = mw
		}
	}
	// Pose: a few bones turned, the same for the in-memory frame and the
	// loaded avatar's Pose.
	for k := s.intn(4); k > 0; k-- {
		b := layoutBones[s.intn(len(layoutBones))]
		q := mgl32.QuatRotate(between(s, -1.5, 1.5), mgl32.Vec3{between(s, -1, 1), between(s, -1, 1), 1}.Normalize())
		c.rot[a.Humanoid.Nodes[b.bone]] = q
		c.pose.SetRotation(b.bone, q)
	}
	c.binds = make([]vrm.MaterialState, len(a.Materials))
	for k := range c.binds {
		if chance(s, 15) {
			c.binds[k] = vrm.MaterialState{BindWeight: s.unit(), BindScale: mgl32.Vec2{between(s, 0, 2), between(s, 0, 2)}, BindOffset: mgl32.Vec2{s.unit(), s.unit()}}
		}
	}
	o := Orbit{Target: mgl32.Vec3{0, 0.9, 0}, Distance: between(s, 2.2, 4), FOV: 40, Yaw: between(s, -math.Pi, math.Pi), Pitch: between(s, -0.6, 0.6)}
	if chance(s, 10) {
		o.Distance = between(s, 0.05, 0.5) // inside the avatar: near-plane clipping
	}
	c.cam = o.Camera()
	c.aa = AA(s.intn(2))
	c.time = between(s, 0, 10)
	c.bg = color.NRGBA{R: 0x50, G: 0x58, B: 0x64, A: 0xff}
	if chance(s, 50) {
		c.bg = color.NRGBA{}
	}
	switch s.intn(4) {
	case 1:
		c.encode = vrm.Version0
	case 2:
		c.encode = vrm.Version1
	}
	c.packed = chance(s, 50)
	return c
}

// frame returns the in-memory frame for a (c.a or its split copy).
func (c *layoutCase) frame(a *vrm.Model) *vrm.Frame {
	f := poseFrame(a, c.rot, c.morph)
	for k, b := range c.binds {
		if b.BindWeight != 0 {
			f.Materials[k].BindWeight, f.Materials[k].BindScale, f.Materials[k].BindOffset = b.BindWeight, b.BindScale, b.BindOffset
		}
	}
	return f
}

func (c *layoutCase) scene(a *vrm.Model, f *vrm.Frame) Scene {
	sc := DefaultScene(a, f, c.cam)
	sc.AA, sc.Time, sc.Background = c.aa, c.time, c.bg
	return sc
}

// copyModel returns a new Model sharing a's exported fields (a used Model
// is not edited; a new one built from it may be).
func copyModel(a *vrm.Model) *vrm.Model {
	b := new(vrm.Model)
	src, dst := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := range src.NumField() {
		if src.Type().Field(i).IsExported() {
			dst.Field(i).Set(src.Field(i))
		}
	}
	return b
}

// splitLayout returns a copy of a in which every primitive has its own
// vertex buffer holding exactly the vertices its triangles use, in their
// original order, with the indices renumbered: the layout in which no
// vertex is shared and none is unused.
func splitLayout(a *vrm.Model) *vrm.Model {
	b := copyModel(a)
	b.Meshes = make([]vrm.Mesh, len(a.Meshes))
	for mi, m := range a.Meshes {
		b.Meshes[mi] = m
		b.Meshes[mi].Primitives = make([]vrm.Primitive, len(m.Primitives))
		for pi, p := range m.Primitives {
			used := slices.Clone(p.Indices)
			slices.Sort(used)
			used = slices.Compact(used)
			remap := make(map[uint32]uint32, len(used))
			for k, v := range used {
				remap[v] = uint32(k)
			}
			q := vrm.Primitive{Material: p.Material, Indices: make([]uint32, len(p.Indices))}
			for k, v := range p.Indices {
				q.Indices[k] = remap[v]
			}
			q.Positions = gather(p.Positions, used)
			q.Normals = gather(p.Normals, used)
			q.UV0 = gather(p.UV0, used)
			q.UV1 = gather(p.UV1, used)
			q.Colors = gather(p.Colors, used)
			q.Joints = gather(p.Joints, used)
			q.Weights = gather(p.Weights, used)
			for _, t := range p.Targets {
				q.Targets = append(q.Targets, vrm.MorphTarget{Positions: gather(t.Positions, used), Normals: gather(t.Normals, used)})
			}
			b.Meshes[mi].Primitives[pi] = q
		}
	}
	return b
}

func gather[T any](s []T, idx []uint32) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = s[i]
	}
	return out
}

// checkSane fails unless img is a valid premultiplied image: no colour
// channel above its alpha, and an opaque background stays opaque.
func checkSane(t *testing.T, img *image.RGBA, bg color.NRGBA) {
	t.Helper()
	for i := 0; i < len(img.Pix); i += 4 {
		p := img.Pix[i : i+4]
		if p[0] > p[3] || p[1] > p[3] || p[2] > p[3] {
			t.Fatalf("pixel %d is %v: a colour channel above its alpha", i/4, p)
		}
		if bg.A == 0xff && p[3] != 0xff {
			t.Fatalf("pixel %d is %v: not opaque over an opaque background", i/4, p)
		}
	}
}

// layoutRenderers are shared by the sweep and the fuzz target.
type layoutRenderers struct{ one, two *Renderer }

func newLayoutRenderers(tb testing.TB) *layoutRenderers {
	r := &layoutRenderers{New(Options{Workers: 1}), New(Options{Workers: 2})}
	tb.Cleanup(func() { r.one.Close(); r.two.Close() })
	return r
}

func (r *layoutRenderers) draw(sc Scene) (a, b *image.RGBA) {
	a = image.NewRGBA(image.Rect(0, 0, 48, 64))
	b = image.NewRGBA(a.Rect)
	r.one.Render(a, sc)
	r.two.Render(b, sc)
	r.one.Forget(sc.Avatar)
	r.two.Forget(sc.Avatar)
	return a, b
}

// checkLayoutCase draws c and checks the properties listed at the top.
func checkLayoutCase(t *testing.T, r *layoutRenderers, c *layoutCase) {
	t.Helper()
	defer func() {
		if e := recover(); e != nil {
			t.Fatalf("panic: %v\navatar:\n  %s", e, strings.Join(c.notes, "\n  "))
		}
	}()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s\navatar:\n  %s", fmt.Sprintf(format, args...), strings.Join(c.notes, "\n  "))
	}
	if err := c.a.Validate(); err != nil {
		fail("the generator made an invalid avatar: %v", err)
	}
	one, two := r.draw(c.scene(c.a, c.frame(c.a)))
	if !bytes.Equal(one.Pix, two.Pix) {
		fail("1 and 2 workers drew different pictures")
	}
	checkSane(t, one, c.bg)
	split := splitLayout(c.a)
	sep, _ := r.draw(c.scene(split, c.frame(split)))
	if !bytes.Equal(one.Pix, sep.Pix) {
		fail("the shared-buffer layout drew a different picture from the same primitives with their own buffers")
	}
	if c.encode == vrm.VersionUnknown {
		return
	}
	var file bytes.Buffer
	if err := vrmenc.Encode(&file, c.a, c.encode); err != nil {
		fail("vrmenc.Encode %v: %v", c.encode, err)
	}
	glb := rewriteGLB(t, file.Bytes(), c.a, c.packed)
	loaded, err := vrm.Load(bytes.NewReader(glb))
	if err != nil {
		fail("loading the written VRM %v: %v", c.encode, err)
	}
	if got, want := len(newPrepared(loaded, false).instances), len(newPrepared(c.a, false).instances); got != want {
		fail("the loaded VRM %v draws %d primitives, the avatar %d", c.encode, got, want)
	}
	// The loader must read back the geometry written, whatever the layout.
	for mi, m := range c.a.Meshes {
		for pi, p := range m.Primitives {
			q := loaded.Meshes[mi].Primitives[pi]
			if !slices.Equal(p.Indices, q.Indices) || len(q.Positions) != len(p.Positions) || len(q.UV0) != len(p.UV0) || len(q.Targets) != len(p.Targets) {
				fail("loaded VRM %v: mesh %d primitive %d came back with %d indices, %d vertices, %d UVs, %d targets", c.encode, mi, pi, len(q.Indices), len(q.Positions), len(q.UV0), len(q.Targets))
			}
			for k := range p.Positions {
				if p.Positions[k].Sub(q.Positions[k]).Len() > 1e-5 || p.Normals[k].Sub(q.Normals[k]).Len() > 1e-4 || p.UV0[k].Sub(q.UV0[k]).Len() > 1e-4 {
					fail("loaded VRM %v: mesh %d primitive %d vertex %d came back as %v %v %v, written %v %v %v", c.encode, mi, pi, k,
						q.Positions[k], q.Normals[k], q.UV0[k], p.Positions[k], p.Normals[k], p.UV0[k])
				}
			}
			for ti, t := range p.Targets {
				for k := range t.Positions {
					if t.Positions[k].Sub(q.Targets[ti].Positions[k]).Len() > 1e-5 {
						fail("loaded VRM %v: mesh %d primitive %d target %d vertex %d moves %v, written %v", c.encode, mi, pi, ti, k, q.Targets[ti].Positions[k], t.Positions[k])
					}
				}
			}
		}
	}
	one, two = r.draw(c.scene(loaded, vrm.NewRig(loaded).Pose(&c.pose)))
	if !bytes.Equal(one.Pix, two.Pix) {
		fail("loaded VRM %v: 1 and 2 workers drew different pictures", c.encode)
	}
	checkSane(t, one, c.bg)
	split = splitLayout(loaded)
	if sep, _ := r.draw(c.scene(split, vrm.NewRig(split).Pose(&c.pose))); !bytes.Equal(one.Pix, sep.Pix) {
		fail("loaded VRM %v: the file's layout drew a different picture from the same primitives with their own buffers", c.encode)
	}
}

// rewriteGLB rewrites a GLB written from a in layouts vrmenc.Encode never
// writes: primitives whose indices list their vertices in order lose their
// indices (non-indexed geometry, glTF 2.0 §3.7.2.1); with packed, POSITION
// and NORMAL become one interleaved buffer view (byteStride 24), TEXCOORD_0
// normalized unsigned shorts when it lies in 0…1, WEIGHTS_0 normalized
// unsigned bytes (whose sums rounding moves off 1) and JOINTS_0 unsigned
// bytes — the packed attribute types glTF 2.0 §3.7.2.1 allows. Accessors
// shared by several primitives stay shared.
func rewriteGLB(t *testing.T, glb []byte, a *vrm.Model, packed bool) []byte {
	t.Helper()
	doc := new(gltf.Document)
	if err := gltf.NewDecoder(bytes.NewReader(glb)).Decode(doc); err != nil {
		t.Fatal(err)
	}
	done := map[[2]int]int{} // (attribute kind, old accessor) → new accessor
	type kind int
	const (
		kPosNrm kind = iota
		kUV
		kWeights
		kJoints
	)
	rewrite := func(k kind, old int, write func() int) int {
		if n, ok := done[[2]int{int(k), old}]; ok {
			return n
		}
		n := write()
		done[[2]int{int(k), old}] = n
		return n
	}
	for mi, gm := range doc.Meshes {
		for pi, gp := range gm.Primitives {
			src := &a.Meshes[mi].Primitives[pi]
			seq := len(src.Indices) == len(src.Positions)
			for k := 0; seq && k < len(src.Indices); k++ {
				seq = src.Indices[k] == uint32(k)
			}
			if seq {
				gp.Indices = nil
			}
			if !packed {
				continue
			}
			attr := gp.Attributes
			if pos, ok := attr[gltf.POSITION]; ok {
				if nrm, ok := attr[gltf.NORMAL]; ok {
					both := rewrite(kPosNrm, pos, func() int {
						p, err := modeler.ReadPosition(doc, doc.Accessors[pos], nil)
						if err != nil {
							t.Fatal(err)
						}
						n, err := modeler.ReadNormal(doc, doc.Accessors[nrm], nil)
						if err != nil {
							t.Fatal(err)
						}
						idx, err := modeler.WriteAccessorsInterleaved(doc, p, n)
						if err != nil {
							t.Fatal(err)
						}
						doc.Accessors[idx[0]].Min, doc.Accessors[idx[0]].Max = doc.Accessors[pos].Min, doc.Accessors[pos].Max
						return idx[0]
					})
					attr[gltf.POSITION], attr[gltf.NORMAL] = both, both+1
				}
			}
			if uv, ok := attr[gltf.TEXCOORD_0]; ok {
				attr[gltf.TEXCOORD_0] = rewrite(kUV, uv, func() int {
					f, err := modeler.ReadTextureCoord(doc, doc.Accessors[uv], nil)
					if err != nil {
						t.Fatal(err)
					}
					q := make([][2]uint16, len(f))
					for k, v := range f {
						if v[0] < 0 || v[0] > 1 || v[1] < 0 || v[1] > 1 {
							return uv
						}
						q[k] = [2]uint16{uint16(v[0]*65535 + 0.5), uint16(v[1]*65535 + 0.5)}
					}
					return modeler.WriteTextureCoord(doc, q)
				})
			}
			if w, ok := attr[gltf.WEIGHTS_0]; ok {
				attr[gltf.WEIGHTS_0] = rewrite(kWeights, w, func() int {
					f, err := modeler.ReadWeights(doc, doc.Accessors[w], nil)
					if err != nil {
						t.Fatal(err)
					}
					q := make([][4]uint8, len(f))
					for k, v := range f {
						for c := range v {
							q[k][c] = uint8(min(max(v[c], 0), 1)*255 + 0.5)
						}
					}
					return modeler.WriteWeights(doc, q)
				})
			}
			if j, ok := attr[gltf.JOINTS_0]; ok {
				attr[gltf.JOINTS_0] = rewrite(kJoints, j, func() int {
					f, err := modeler.ReadJoints(doc, doc.Accessors[j], nil)
					if err != nil {
						t.Fatal(err)
					}
					q := make([][4]uint8, len(f))
					for k, v := range f {
						for c := range v {
							if v[c] > 255 {
								return j
							}
							q[k][c] = uint8(v[c])
						}
					}
					return modeler.WriteJoints(doc, q)
				})
			}
		}
	}
	return testglb.Encode(t, doc)
}

// TestExporterLayouts sweeps seeded random avatars through checkLayoutCase.
func TestExporterLayouts(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 60
	}
	r := newLayoutRenderers(t)
	for seed := 0; seed < n; seed++ {
		c := newLayoutCase(randSrc{rand.New(rand.NewPCG(uint64(seed), 11))})
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkLayoutCase(t, r, c) })
	}
}

// FuzzExporterLayouts builds its random avatar from the fuzz input.
func FuzzExporterLayouts(f *testing.F) {
	f.Add([]byte{})
	for seed := 0; seed < 8; seed++ {
		b := make([]byte, 512)
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		f.Add(b)
	}
	r := newLayoutRenderers(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLayoutCase(t, r, newLayoutCase(&byteSrc{b: data}))
	})
}

// TestBlendOrderIgnoresUnusedSharedVertices: a blended primitive is sorted
// by the depth of the vertices it draws, not of a shared buffer's others.
// The front quad shares its buffer with one far vertex it does not use (it
// uses 4 of 5, too many to be compacted for speed); counting that vertex
// once put it behind the back quad, drawing the two in the wrong order.
// Found by TestExporterLayouts.
func TestBlendOrderIgnoresUnusedSharedVertices(t *testing.T) {
	a := newAvatar()
	back := addMaterial(a, vrm.Material{BaseColor: mgl32.Vec4{1, 0.1, 0.1, 0.6}, AlphaMode: vrm.AlphaBlend, Unlit: true})
	front := addMaterial(a, vrm.Material{BaseColor: mgl32.Vec4{0.1, 0.1, 1, 0.6}, AlphaMode: vrm.AlphaBlend, Unlit: true})
	addMeshNode(a, "back", quad(mgl32.Vec3{0, 0, 0}, 1, 1, back))
	q := quad(mgl32.Vec3{0.1, 0.1, 0.3}, 1, 1, front)
	q.Positions = append(q.Positions, mgl32.Vec3{0, 0, -100})
	q.Normals = append(q.Normals, mgl32.Vec3{0, 0, 1})
	q.UV0 = append(q.UV0, mgl32.Vec2{})
	addMeshNode(a, "front", q)
	sc := DefaultScene(a, poseFrame(a, nil, nil), frontCamera(mgl32.Vec3{}, 3, 40))
	img := renderScene(t, 60, 60, sc)
	split := splitLayout(a)
	want := renderScene(t, 60, 60, DefaultScene(split, poseFrame(split, nil, nil), sc.Camera))
	if !bytes.Equal(img.Pix, want.Pix) {
		t.Fatal("the unused vertex changed the picture")
	}
	if c := img.RGBAAt(30, 30); c.B <= c.R {
		t.Fatalf("centre %v: the back quad is drawn over the front one", c)
	}
}
