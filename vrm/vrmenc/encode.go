package vrmenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/go-gl/mathgl/mgl32"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// Encode writes m to w as a .vrm file (binary glTF 2.0, one GLB with one
// buffer) of VRM version v.
//
// What it writes: m's nodes, scene, skins, meshes (positions, normals,
// tangents, UVs, joints, weights; morph targets as sparse accessors where a
// target moves few vertices), materials and textures, and the VRM
// extensions. Textures are written as PNG from Model.TextureImage (the
// decoded image: a Model loaded with a Limits.PreviewTextureSize keeps its
// downscaled image, and that is what is written). Primitives whose
// attribute or morph-target slices are the same slice in memory (one vertex
// buffer shared by several primitives, each using part of it, as UniVRM and
// VRoid Studio lay meshes out) share one accessor in the file.
//
// Version1 writes VRMC_vrm-1.0, VRMC_springBone-1.0 and
// VRMC_materials_mtoon-1.0, in m's frame (facing +Z). Version0 writes the
// VRM 0.x "VRM" extension (meta, humanoid, firstPerson, blendShapeMaster,
// secondaryAnimation, materialProperties with MToon 0.x properties, colours
// back to gamma, shading toony/shift unmigrated) and turns the scene back to
// face −Z (schema.TurnVec). Node constraints are written as
// VRMC_node_constraint in both. Across versions some things have no
// equivalent and are approximated: VRM 0.x has no expression overrides, no
// matcap colour binds, no capsule colliders (written as a sphere at each
// end), no per-joint spring settings (a chain uses its first joint's) and no
// political/antisocial licence fields; VRM 1.0 has no virtual spring tails
// (the last joint becomes a tail only).
//
// The output is deterministic byte for byte: everything is written in model
// order, maps are sorted, nothing depends on time. vrm.Load(Encode(m, v))
// reproduces m for an m loaded from (or built as) a file of version v,
// except that every texture becomes PNG and empty primitives are dropped.
//
// Errors: a v other than Version0 or Version1; m.Validate's (a
// *vrm.FormatError naming the element at fault); a texture whose
// image cannot be decoded (Model.TextureImage's error) or encoded as PNG;
// and w's write error. Nothing is written to w before the whole file is
// built, so an error other than w's leaves w untouched.
func Encode(w io.Writer, m *vrm.Model, v vrm.Version) error {
	if v != vrm.Version0 && v != vrm.Version1 {
		return fmt.Errorf("vrmenc: Encode: version %v", v)
	}
	if err := m.Validate(); err != nil {
		return err
	}
	e := &encoder{av: m, v: v, doc: &gltf.Document{Asset: gltf.Asset{Version: "2.0", Generator: "Kugutsu"}}}
	if err := e.build(); err != nil {
		return err
	}
	enc := gltf.NewEncoder(w)
	enc.AsBinary = true
	return enc.Encode(e.doc)
}

type encoder struct {
	av       *vrm.Model
	v        vrm.Version
	doc      *gltf.Document
	used     map[string]bool
	imageOf  map[*image.NRGBA]int
	samplers map[vrm.Sampler]int
	// accessors remembers the accessor written for a vertex attribute
	// slice, so primitives sharing one vertex buffer in memory share it in
	// the file too (as UniVRM and VRoid Studio write meshes).
	accessors map[sliceKey]int
}

// sliceKey names an attribute slice by its first element and length.
type sliceKey struct {
	attr  string
	first any // pointer to element 0
	n     int
}

// shared returns the accessor written for slice (attr, first, n), writing
// it with write the first time.
func (e *encoder) shared(attr string, first any, n int, write func() int) int {
	k := sliceKey{attr, first, n}
	if i, ok := e.accessors[k]; ok {
		return i
	}
	i := write()
	e.accessors[k] = i
	return i
}

// f64 widens a float32 to the float64 with the shortest decimal that reads
// back as the same float32, so the JSON says 0.1, not 0.10000000149011612.
func f64(x float32) float64 {
	if x != x || math.IsInf(float64(x), 0) {
		return 0
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	return f
}

// turned applies the VRM 0.x turn when writing VRM 0.x.
func (e *encoder) vec(v mgl32.Vec3) mgl32.Vec3 {
	if e.v == vrm.Version0 {
		return schema.TurnVec(v)
	}
	return v
}

func (e *encoder) vecs(v []mgl32.Vec3) [][3]float32 {
	out := make([][3]float32, len(v))
	for i, x := range v {
		out[i] = e.vec(x)
	}
	return out
}

func (e *encoder) use(ext string) { e.used[ext] = true }

func (e *encoder) build() error {
	a, doc := e.av, e.doc
	e.used = map[string]bool{}
	e.imageOf = map[*image.NRGBA]int{}
	e.samplers = map[vrm.Sampler]int{}
	e.accessors = map[sliceKey]int{}
	lastBufferInit(doc)

	// Nodes.
	for i := range a.Nodes {
		n := &a.Nodes[i]
		t, r := n.Translation, n.Rotation
		if e.v == vrm.Version0 {
			t, r = schema.TurnVec(t), schema.TurnQuat(r)
		}
		gn := &gltf.Node{
			Name:        n.Name,
			Matrix:      gltf.DefaultMatrix,
			Translation: [3]float64{f64(t[0]), f64(t[1]), f64(t[2])},
			Rotation:    [4]float64{f64(r.V[0]), f64(r.V[1]), f64(r.V[2]), f64(r.W)},
			Scale:       [3]float64{f64(n.Scale[0]), f64(n.Scale[1]), f64(n.Scale[2])},
			Children:    slices.Clone(n.Children),
		}
		if n.Mesh >= 0 {
			gn.Mesh = gltf.Index(n.Mesh)
		}
		if n.Skin >= 0 {
			gn.Skin = gltf.Index(n.Skin)
		}
		for _, w := range n.Weights {
			gn.Weights = append(gn.Weights, f64(w))
		}
		doc.Nodes = append(doc.Nodes, gn)
	}
	e.constraints()
	doc.Scenes = []*gltf.Scene{{Nodes: slices.Clone(a.Scene)}}
	doc.Scene = gltf.Index(0)

	// Textures first, so materials can point at them.
	for i := range a.Textures {
		img, err := a.TextureImage(i)
		if err != nil {
			return err
		}
		if err := e.texture(&a.Textures[i], img); err != nil {
			return err
		}
	}
	for i := range a.Materials {
		doc.Materials = append(doc.Materials, e.material(&a.Materials[i]))
	}
	for mi := range a.Meshes {
		e.mesh(&a.Meshes[mi])
	}
	for si := range a.Skins {
		s := &a.Skins[si]
		ibm := make([][4][4]float32, len(s.InverseBindMatrices))
		for k, m := range s.InverseBindMatrices {
			if e.v == vrm.Version0 {
				m = schema.TurnMat(m)
			}
			for c := 0; c < 4; c++ {
				for r := 0; r < 4; r++ {
					ibm[k][r][c] = m[c*4+r]
				}
			}
		}
		gs := &gltf.Skin{Name: s.Name, Joints: slices.Clone(s.Joints)}
		if len(ibm) > 0 {
			gs.InverseBindMatrices = gltf.Index(modeler.WriteInverseBindMatrices(doc, ibm))
		}
		if s.Skeleton >= 0 {
			gs.Skeleton = gltf.Index(s.Skeleton)
		}
		doc.Skins = append(doc.Skins, gs)
	}
	doc.Extensions = gltf.Extensions{}
	if e.v == vrm.Version1 {
		if err := e.vrm1(); err != nil {
			return err
		}
	} else {
		if err := e.vrm0(); err != nil {
			return err
		}
	}
	for ext := range e.used {
		doc.ExtensionsUsed = append(doc.ExtensionsUsed, ext)
	}
	slices.Sort(doc.ExtensionsUsed)
	if b := doc.Buffers[0]; b.ByteLength == 0 {
		doc.Buffers = nil // a glTF buffer may not be empty
	}
	return nil
}

// lastBufferInit makes buffer 0 (the GLB BIN chunk) exist.
func lastBufferInit(doc *gltf.Document) {
	if len(doc.Buffers) == 0 {
		doc.Buffers = []*gltf.Buffer{{}}
	}
}

func (e *encoder) texture(t *vrm.Texture, im *image.NRGBA) error {
	doc := e.doc
	img, ok := e.imageOf[im]
	if !ok {
		var buf bytes.Buffer
		if err := png.Encode(&buf, im); err != nil {
			return fmt.Errorf("vrmenc: Encode: texture %q: %w", t.Name, err)
		}
		var err error
		if img, err = modeler.WriteImage(doc, t.Name, "image/png", &buf); err != nil {
			return err
		}
		e.imageOf[im] = img
	}
	s, ok := e.samplers[t.Sampler]
	if !ok {
		s = len(doc.Samplers)
		e.samplers[t.Sampler] = s
		doc.Samplers = append(doc.Samplers, gltfSampler(t.Sampler))
	}
	doc.Textures = append(doc.Textures, &gltf.Texture{Name: t.Name, Source: gltf.Index(img), Sampler: gltf.Index(s)})
	return nil
}

// gltfSampler writes a Sampler as a glTF sampler: the minFilter that
// names its Min filter and Mipmap mode (the inverse of vrm's reading).
func gltfSampler(s vrm.Sampler) *gltf.Sampler {
	wrap := func(w vrm.Wrap) gltf.WrappingMode {
		switch w {
		case vrm.WrapClamp:
			return gltf.WrapClampToEdge
		case vrm.WrapMirror:
			return gltf.WrapMirroredRepeat
		}
		return gltf.WrapRepeat
	}
	out := &gltf.Sampler{WrapS: wrap(s.WrapS), WrapT: wrap(s.WrapT), MagFilter: gltf.MagLinear}
	if s.Mag == vrm.FilterNearest {
		out.MagFilter = gltf.MagNearest
	}
	nearest := s.Min == vrm.FilterNearest
	switch {
	case s.Mipmap == vrm.MipmapNone && nearest:
		out.MinFilter = gltf.MinNearest
	case s.Mipmap == vrm.MipmapNone:
		out.MinFilter = gltf.MinLinear
	case s.Mipmap == vrm.MipmapNearest && nearest:
		out.MinFilter = gltf.MinNearestMipMapNearest
	case s.Mipmap == vrm.MipmapNearest:
		out.MinFilter = gltf.MinLinearMipMapNearest
	case nearest:
		out.MinFilter = gltf.MinNearestMipMapLinear
	default:
		out.MinFilter = gltf.MinLinearMipMapLinear
	}
	return out
}

// textureInfo writes a TextureRef as a glTF textureInfo.
func (e *encoder) textureInfo(r vrm.TextureRef) *gltf.TextureInfo {
	if !r.Valid() {
		return nil
	}
	ti := &gltf.TextureInfo{Index: r.Texture, TexCoord: r.TexCoord}
	if k := e.khrTransform(r); k != nil {
		ti.Extensions = gltf.Extensions{"KHR_texture_transform": k}
	}
	return ti
}

// khrTransform returns r's KHR_texture_transform, or nil when it is the
// identity.
func (e *encoder) khrTransform(r vrm.TextureRef) *schema.KHRTextureTransform {
	if r.Offset == (mgl32.Vec2{}) && r.Scale == (mgl32.Vec2{1, 1}) && r.Rotation == 0 {
		return nil
	}
	e.use("KHR_texture_transform")
	k := &schema.KHRTextureTransform{Rotation: r.Rotation}
	if r.Offset != (mgl32.Vec2{}) {
		k.Offset = &[2]float32{r.Offset[0], r.Offset[1]}
	}
	if r.Scale != (mgl32.Vec2{1, 1}) {
		k.Scale = &[2]float32{r.Scale[0], r.Scale[1]}
	}
	return k
}

func (e *encoder) jsonTextureInfo(r vrm.TextureRef) *schema.V1TextureInfo {
	if !r.Valid() {
		return nil
	}
	ti := &schema.V1TextureInfo{Index: r.Texture, TexCoord: r.TexCoord}
	if k := e.khrTransform(r); k != nil {
		b, _ := json.Marshal(k)
		ti.Extensions = map[string]json.RawMessage{"KHR_texture_transform": b}
	}
	return ti
}

func (e *encoder) material(m *vrm.Material) *gltf.Material {
	bc := [4]float64{f64(m.BaseColor[0]), f64(m.BaseColor[1]), f64(m.BaseColor[2]), f64(m.BaseColor[3])}
	metallic, rough := f64(m.Metallic), f64(m.Roughness)
	gm := &gltf.Material{
		Name: m.Name,
		PBRMetallicRoughness: &gltf.PBRMetallicRoughness{
			BaseColorFactor:          &bc,
			BaseColorTexture:         e.textureInfo(m.BaseColorTexture),
			MetallicFactor:           &metallic,
			RoughnessFactor:          &rough,
			MetallicRoughnessTexture: e.textureInfo(m.MetallicRoughnessTexture),
		},
		EmissiveFactor:  [3]float64{f64(m.Emissive[0]), f64(m.Emissive[1]), f64(m.Emissive[2])},
		EmissiveTexture: e.textureInfo(m.EmissiveTexture),
		DoubleSided:     m.DoubleSided,
	}
	if m.NormalTexture.Valid() {
		sc := f64(m.NormalScale)
		gm.NormalTexture = &gltf.NormalTexture{Index: gltf.Index(m.NormalTexture.Texture), TexCoord: m.NormalTexture.TexCoord, Scale: &sc}
		if k := e.khrTransform(m.NormalTexture); k != nil {
			gm.NormalTexture.Extensions = gltf.Extensions{"KHR_texture_transform": k}
		}
	}
	if m.OcclusionTexture.Valid() {
		st := f64(m.OcclusionStrength)
		gm.OcclusionTexture = &gltf.OcclusionTexture{Index: gltf.Index(m.OcclusionTexture.Texture), TexCoord: m.OcclusionTexture.TexCoord, Strength: &st}
		if k := e.khrTransform(m.OcclusionTexture); k != nil {
			gm.OcclusionTexture.Extensions = gltf.Extensions{"KHR_texture_transform": k}
		}
	}
	switch m.AlphaMode {
	case vrm.AlphaMask:
		gm.AlphaMode = gltf.AlphaMask
		c := f64(m.AlphaCutoff)
		gm.AlphaCutoff = &c
	case vrm.AlphaBlend:
		gm.AlphaMode = gltf.AlphaBlend
	}
	gm.Extensions = gltf.Extensions{}
	if m.Unlit {
		e.use("KHR_materials_unlit")
		gm.Extensions["KHR_materials_unlit"] = struct{}{}
	}
	if m.MToon != nil && e.v == vrm.Version1 {
		e.use("VRMC_materials_mtoon")
		gm.Extensions["VRMC_materials_mtoon"] = e.mtoon1(m)
	}
	if len(gm.Extensions) == 0 {
		gm.Extensions = nil
	}
	return gm
}

func (e *encoder) mtoon1(m *vrm.Material) *schema.V1MToon {
	t := m.MToon
	v3 := func(v mgl32.Vec3) *[3]float32 { return &[3]float32{v[0], v[1], v[2]} }
	f := func(x float32) *float32 { return &x }
	x := &schema.V1MToon{
		SpecVersion:                     "1.0",
		TransparentWithZWrite:           t.TransparentZWrite,
		RenderQueueOffsetNumber:         m.RenderQueue,
		ShadeColorFactor:                v3(t.ShadeColor),
		ShadeMultiplyTexture:            e.jsonTextureInfo(t.ShadeTexture),
		ShadingShiftFactor:              t.ShadingShift,
		ShadingShiftTexture:             e.jsonTextureInfo(t.ShadingShiftTex),
		ShadingToonyFactor:              f(t.ShadingToony),
		GIEqualizationFactor:            f(t.GIEqualization),
		MatcapFactor:                    v3(t.MatcapColor),
		MatcapTexture:                   e.jsonTextureInfo(t.MatcapTexture),
		ParametricRimColorFactor:        v3(t.RimColor),
		RimMultiplyTexture:              e.jsonTextureInfo(t.RimTexture),
		RimLightingMixFactor:            f(t.RimLightingMix),
		ParametricRimFresnelPowerFactor: f(t.RimFresnelPower),
		ParametricRimLiftFactor:         t.RimLift,
		OutlineWidthMode:                [...]string{"none", "worldCoordinates", "screenCoordinates"}[min(int(t.OutlineMode), 2)],
		OutlineWidthFactor:              t.OutlineWidth,
		OutlineWidthMultiplyTexture:     e.jsonTextureInfo(t.OutlineWidthTex),
		OutlineColorFactor:              v3(t.OutlineColor),
		OutlineLightingMixFactor:        f(t.OutlineLightMix),
		UVAnimationMaskTexture:          e.jsonTextureInfo(t.UVAnimMaskTexture),
		UVAnimationScrollXSpeedFactor:   t.UVAnimScrollX,
		UVAnimationScrollYSpeedFactor:   t.UVAnimScrollY,
		UVAnimationRotationSpeedFactor:  t.UVAnimRotation,
	}
	if x.ShadingShiftTexture != nil {
		x.ShadingShiftTexture.Scale = f(t.ShadingShiftTexScale)
	}
	return x
}

// meshExtras carries morph target names (glTF convention on the mesh; VRM
// 0.x readers look on the primitive).
type meshExtras struct {
	TargetNames []string `json:"targetNames"`
}

func (e *encoder) mesh(m *vrm.Mesh) {
	doc := e.doc
	gm := &gltf.Mesh{Name: m.Name}
	var extras any
	if len(m.TargetNames) > 0 {
		extras = meshExtras{TargetNames: slices.Clone(m.TargetNames)}
		gm.Extras = extras
	}
	for pi := range m.Primitives {
		p := &m.Primitives[pi]
		if len(p.Positions) == 0 || len(p.Indices) == 0 {
			continue
		}
		gp := &gltf.Primitive{Attributes: gltf.PrimitiveAttributes{}, Extras: extras}
		n := len(p.Positions)
		gp.Attributes[gltf.POSITION] = e.shared("POSITION", &p.Positions[0], n, func() int { return modeler.WritePosition(doc, e.vecs(p.Positions)) })
		if len(p.Normals) > 0 {
			gp.Attributes[gltf.NORMAL] = e.shared("NORMAL", &p.Normals[0], n, func() int { return modeler.WriteNormal(doc, e.vecs(p.Normals)) })
		}
		if len(p.Tangents) > 0 {
			t := make([][4]float32, len(p.Tangents))
			for i, v := range p.Tangents {
				t[i] = e.vec(v.Vec3()).Vec4(v[3])
			}
			gp.Attributes[gltf.TANGENT] = modeler.WriteTangent(doc, t)
		}
		if len(p.UV0) > 0 {
			gp.Attributes[gltf.TEXCOORD_0] = e.shared("TEXCOORD_0", &p.UV0[0], n, func() int { return modeler.WriteTextureCoord(doc, vec2s(p.UV0)) })
		}
		if len(p.UV1) > 0 {
			gp.Attributes[gltf.TEXCOORD_1] = e.shared("TEXCOORD_1", &p.UV1[0], n, func() int { return modeler.WriteTextureCoord(doc, vec2s(p.UV1)) })
		}
		if len(p.Colors) > 0 {
			gp.Attributes[gltf.COLOR_0] = e.shared("COLOR_0", &p.Colors[0], n, func() int {
				c := make([][4]float32, len(p.Colors))
				for i, v := range p.Colors {
					c[i] = v
				}
				return modeler.WriteColor(doc, c)
			})
		}
		if len(p.Joints) > 0 {
			gp.Attributes[gltf.JOINTS_0] = e.shared("JOINTS_0", &p.Joints[0], n, func() int { return modeler.WriteJoints(doc, slices.Clone(p.Joints)) })
			gp.Attributes[gltf.WEIGHTS_0] = e.shared("WEIGHTS_0", &p.Weights[0], n, func() int { return modeler.WriteWeights(doc, slices.Clone(p.Weights)) })
		}
		maxIndex := uint32(0)
		for _, i := range p.Indices {
			maxIndex = max(maxIndex, i)
		}
		if maxIndex < 1<<16 {
			idx := make([]uint16, len(p.Indices))
			for i, v := range p.Indices {
				idx[i] = uint16(v)
			}
			gp.Indices = gltf.Index(modeler.WriteIndices(doc, idx))
		} else {
			gp.Indices = gltf.Index(modeler.WriteIndices(doc, slices.Clone(p.Indices)))
		}
		for _, t := range p.Targets {
			ta := gltf.PrimitiveAttributes{}
			if t.Positions != nil || t.Normals == nil {
				if t.Positions != nil {
					ta[gltf.POSITION] = e.shared("target POSITION", &t.Positions[0], n, func() int { return e.targetAccessor(t.Positions, true) })
				} else {
					ta[gltf.POSITION] = e.targetAccessor(make([]mgl32.Vec3, n), true)
				}
			}
			if t.Normals != nil {
				ta[gltf.NORMAL] = e.shared("target NORMAL", &t.Normals[0], n, func() int { return e.targetAccessor(t.Normals, false) })
			}
			gp.Targets = append(gp.Targets, ta)
		}
		if p.Material >= 0 {
			gp.Material = gltf.Index(p.Material)
		}
		gm.Primitives = append(gm.Primitives, gp)
	}
	if len(gm.Primitives) == 0 {
		// glTF needs a primitive; an empty mesh keeps its index with one
		// degenerate triangle.
		pos := modeler.WritePosition(doc, [][3]float32{{}, {}, {}})
		gm.Primitives = []*gltf.Primitive{{Attributes: gltf.PrimitiveAttributes{gltf.POSITION: pos}}}
	}
	doc.Meshes = append(doc.Meshes, gm)
}

// targetAccessor writes one morph target attribute (displacements, in the
// file's frame) and returns its accessor. Morph targets usually move a small
// part of a mesh, so it writes a sparse accessor with no buffer view — zeros
// plus the moved vertices (glTF 2.0 §3.6.2.3 "Sparse Accessors") — whenever
// that is smaller than the dense array; a target that moves nothing is an
// accessor with neither. POSITION accessors carry min/max as glTF requires.
func (e *encoder) targetAccessor(v []mgl32.Vec3, position bool) int {
	doc := e.doc
	var idx []uint32
	var vals [][3]float32
	lo, hi := [3]float64{}, [3]float64{}
	for i, x := range v {
		x = e.vec(x)
		if x == (mgl32.Vec3{}) {
			continue
		}
		idx = append(idx, uint32(i))
		vals = append(vals, x)
		for c := 0; c < 3; c++ {
			lo[c] = min(lo[c], f64(x[c]))
			hi[c] = max(hi[c], f64(x[c]))
		}
	}
	idxSize := 4
	if len(v) <= 1<<16 {
		idxSize = 2
	}
	if len(idx)*(12+idxSize) >= len(v)*12 {
		if position {
			return modeler.WritePosition(doc, e.vecs(v))
		}
		return modeler.WriteNormal(doc, e.vecs(v))
	}
	acc := &gltf.Accessor{ComponentType: gltf.ComponentFloat, Type: gltf.AccessorVec3, Count: len(v)}
	if position {
		acc.Min, acc.Max = lo[:], hi[:]
	}
	if len(idx) > 0 {
		var iv int
		ct := gltf.ComponentUint
		if idxSize == 2 {
			// An even count keeps the buffer 4-byte aligned for the values;
			// the padding entry lies past Sparse.Count and is never read.
			i16 := make([]uint16, len(idx)+len(idx)%2)
			for k, i := range idx {
				i16[k] = uint16(i)
			}
			iv, ct = modeler.WriteBufferView(doc, gltf.TargetNone, i16), gltf.ComponentUshort
		} else {
			iv = modeler.WriteBufferView(doc, gltf.TargetNone, idx)
		}
		vv := modeler.WriteBufferView(doc, gltf.TargetNone, vals)
		acc.Sparse = &gltf.Sparse{
			Count:   len(idx),
			Indices: gltf.SparseIndices{BufferView: iv, ComponentType: ct},
			Values:  gltf.SparseValues{BufferView: vv},
		}
	}
	doc.Accessors = append(doc.Accessors, acc)
	return len(doc.Accessors) - 1
}

func vec2s(v []mgl32.Vec2) [][2]float32 {
	out := make([][2]float32, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}
