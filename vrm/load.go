package vrm

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/kugutsu/kugutsu/vrm/humanoid"
	"github.com/kugutsu/kugutsu/vrm/internal/schema"
)

// Load reads a .vrm file (binary glTF 2.0 with the VRMC_vrm 1.0 or VRM 0.x
// extension) with [DefaultLimits]. Errors are *FormatError values naming the
// broken element; errors.Is(err, ErrNotVRM) for plain glTF, ErrNotGLTF for
// files that are no glTF at all (a Git LFS pointer, a web page),
// ErrUnsupported for unsupported required features, ErrLimit for oversized
// files. What the loader repaired or skipped is in Model.Warnings.
func Load(r io.Reader) (*Model, error) {
	return LoadContext(context.Background(), r, DefaultLimits)
}

// LoadFile opens and loads a .vrm file; see [Load].
func LoadFile(path string) (*Model, error) {
	return LoadFileContext(context.Background(), path, DefaultLimits)
}

// LoadFileContext opens and loads a .vrm file; see [LoadContext].
func LoadFileContext(ctx context.Context, path string, lim Limits) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadContext(ctx, f, lim)
}

// supportedRequired are the glTF extensions a file may require.
var supportedRequired = map[string]bool{
	"KHR_materials_unlit":   true,
	"KHR_texture_transform": true,
	"KHR_mesh_quantization": true,
}

// knownUnsupported describes glTF extensions that real files require and
// this loader does not read, for the error message.
var knownUnsupported = map[string]string{
	"KHR_draco_mesh_compression": "Draco mesh compression",
	"EXT_meshopt_compression":    "meshoptimizer buffer compression",
	"KHR_meshopt_compression":    "meshoptimizer buffer compression",
	"KHR_texture_basisu":         "KTX2 / Basis Universal textures",
	"EXT_texture_webp":           "WebP textures",
	"EXT_texture_avif":           "AVIF textures",
	"KHR_materials_variants":     "material variants",
}

// LoadLimited is [Load] with explicit limits (zero fields take the defaults).
func LoadLimited(r io.Reader, lim Limits) (*Model, error) {
	return LoadContext(context.Background(), r, lim)
}

// LoadContext is [Load] with explicit limits (zero fields take the
// defaults) and a context: when ctx is cancelled the load stops at its next
// check (between stages, between accessors, primitives, nodes, expressions
// and images, and while the JSON is decoded or images decode in the
// background) and returns ctx.Err(). Work that cannot be interrupted (one
// image or one JSON decode) finishes in the background and is dropped.
//
// The JSON is scanned before it is decoded: its size and element counts are
// checked against lim first, so a small hostile file cannot make the loader
// allocate for millions of elements before it is refused.
func LoadContext(ctx context.Context, r io.Reader, lim Limits) (*Model, error) {
	lim = lim.orDefault()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := readAll(ctx, r, lim.MaxFileSize)
	if err != nil {
		return nil, err
	}
	l := &loader{ctx: ctx, limits: lim, av: &Model{}}
	if l.doc, err = l.parseContainer(data); err != nil {
		return nil, err
	}
	if err := l.load(); err != nil {
		return nil, err
	}
	l.av.Warnings = l.warnings
	return l.av, nil
}

// readAll reads r whole, refusing more than limit bytes and stopping when
// ctx is cancelled. When r tells its size (*os.File, *bytes.Reader, …) the
// buffer is allocated once.
func readAll(ctx context.Context, r io.Reader, limit int64) ([]byte, error) {
	var size int64 = -1
	switch s := r.(type) {
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := s.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	case interface{ Len() int }:
		size = int64(s.Len())
	case interface{ Size() int64 }:
		size = s.Size()
	}
	if size > limit {
		return nil, limitf("file", "larger than the %d-byte limit", limit)
	}
	buf := make([]byte, 0, max(512, min(size+1, limit+1)))
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow
		}
		chunk := buf[len(buf):min(cap(buf), len(buf)+1<<20)]
		n, err := r.Read(chunk)
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, limitf("file", "larger than the %d-byte limit", limit)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// check returns the context's error once the load is cancelled.
func (l *loader) check() error { return l.ctx.Err() }

// waitImages waits for the background image decodes started by
// startTextures, or for the load to be cancelled (the decodes running then
// finish in the background; those not started yet are skipped).
func (l *loader) waitImages() error {
	if l.images == nil || l.ctx.Done() == nil {
		return nil
	}
	done := make(chan struct{})
	go func() {
		l.images.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-l.ctx.Done():
		return l.ctx.Err()
	}
}

// load fills l.av from l.doc.
func (l *loader) load() error {
	doc, av := l.doc, l.av
	for _, e := range doc.ExtensionsRequired {
		if !supportedRequired[e] {
			what := "an extension Kugutsu does not read"
			if w, ok := knownUnsupported[e]; ok {
				what = w
			}
			return unsupportedf("extensionsRequired", "%s is not supported (%s): export the model without it", e, what)
		}
	}
	// Detection (field notes §4): VRM 1.0 first, then 0.x.
	var v1 schema.V1VRM
	var v0 schema.V0VRM
	if raw, ok := extJSON(doc.Extensions, "VRMC_vrm"); ok {
		if err := json.Unmarshal(raw, &v1); err != nil {
			return errorf("VRMC_vrm", "%v", err)
		}
		if !strings.HasPrefix(v1.SpecVersion, "1.0") {
			return unsupportedf("VRMC_vrm", "specVersion %q, want 1.0", v1.SpecVersion)
		}
		av.Version = Version1
	} else if raw, ok := extJSON(doc.Extensions, "VRM"); ok {
		if err := json.Unmarshal(raw, &v0); err != nil {
			return errorf("VRM", "%v", err)
		}
		av.Version = Version0
		l.vrm0 = true
	} else {
		return &FormatError{Err: ErrNotVRM, Msg: ErrNotVRM.Error() + ": this is a plain glTF model; convert it to VRM first (UniVRM in Unity, or the VRM Add-on for Blender)"}
	}
	if av.Version == Version1 {
		l.thumb = -1
		if t := v1.Meta.ThumbnailImage; t != nil && *t >= 0 {
			if *t < len(doc.Images) {
				l.thumb = *t
			} else {
				l.warnf("VRMC_vrm.meta.thumbnailImage %d does not exist; no thumbnail", *t)
			}
		}
		l.loadMeta1(&v1.Meta)
	} else {
		l.thumb = -1
		l.loadMeta0(&v0.Meta)
	}
	// Materials first: they decide which images are decoded now (the
	// others, such as a thumbnail, on demand); decoding then runs in the
	// background while the geometry is read.
	steps := []func() error{
		l.loadMaterials,
		func() error {
			if l.vrm0 {
				return l.loadMaterialsVRM0(v0.MaterialProperties)
			}
			return nil
		},
		l.startTextures, l.loadNodes, l.loadSkins, l.loadMeshes, l.waitImages, l.finishTextures,
	}
	for _, step := range steps {
		if err := l.check(); err != nil {
			return err
		}
		if err := step(); err != nil {
			return err
		}
	}
	if err := l.check(); err != nil {
		return err
	}
	if l.vrm0 {
		if err := l.loadHumanoid0(&v0.Humanoid); err != nil {
			return err
		}
		if err := l.loadExpressions0(v0.BlendShapeMaster); err != nil {
			return err
		}
		if err := l.loadFirstPerson0(v0.FirstPerson); err != nil {
			return err
		}
		if err := l.loadSpringBone0(v0.SecondaryAnimation); err != nil {
			return err
		}
		turnVRM0(av)
		l.finishLookAt0(v0.FirstPerson)
	} else {
		if err := l.loadHumanoid1(&v1.Humanoid); err != nil {
			return err
		}
		if err := l.loadExpressions1(v1.Expressions); err != nil {
			return err
		}
		if err := l.loadLookAt1(v1.LookAt); err != nil {
			return err
		}
		if err := l.loadFirstPerson1(v1.FirstPerson); err != nil {
			return err
		}
		if raw, ok := extJSON(doc.Extensions, "VRMC_springBone"); ok {
			var sb schema.V1SpringBone
			if err := json.Unmarshal(raw, &sb); err != nil {
				return errorf("VRMC_springBone", "%v", err)
			}
			if err := l.loadSpringBone1(&sb); err != nil {
				return err
			}
		}
	}
	l.loadConstraints()
	return av.validate()
}

func (l *loader) thumbnailImage() int { return l.thumb }

// loadHumanoid1 reads VRMC_vrm.humanoid.humanBones (an object keyed by VRM
// 1.0 bone name).
func (l *loader) loadHumanoid1(h *schema.V1Humanoid) error {
	names := make([]string, 0, len(h.HumanBones))
	for name := range h.HumanBones {
		names = append(names, name)
	}
	slices.Sort(names)
	l.initHumanoid()
	for _, name := range names {
		b, ok := humanoid.ParseVRM1(name)
		if !ok {
			l.warnf("VRMC_vrm.humanoid: unknown bone %q ignored", name)
			continue
		}
		if err := l.setBone(func() string { return "VRMC_vrm.humanoid.humanBones." + name }, b, h.HumanBones[name].Node); err != nil {
			return err
		}
	}
	return l.checkHumanoid("VRMC_vrm.humanoid")
}

// loadHumanoid0 reads VRM.humanoid.humanBones (an array of {bone, node};
// VRM 0.x names, whose thumbs are shifted: field notes §2).
func (l *loader) loadHumanoid0(h *schema.V0Humanoid) error {
	l.initHumanoid()
	for i, hb := range h.HumanBones {
		b, ok := humanoid.ParseUnity(hb.Bone)
		if !ok {
			l.warnf("VRM.humanoid.humanBones[%d]: unknown bone %q ignored", i, hb.Bone)
			continue
		}
		if err := l.setBone(func() string { return "VRM.humanoid.humanBones[" + itoa(i) + "]" }, b, hb.Node); err != nil {
			return err
		}
	}
	return l.checkHumanoid("VRM.humanoid")
}

func (l *loader) initHumanoid() {
	for i := range l.av.Humanoid.Nodes {
		l.av.Humanoid.Nodes[i] = -1
	}
}

func (l *loader) setBone(el func() string, b humanoid.Bone, node int) error {
	h := &l.av.Humanoid
	if node < 0 || node >= len(l.av.Nodes) {
		return errorf(el(), "node %d does not exist (%d nodes)", node, len(l.av.Nodes))
	}
	if h.Present.Has(b) {
		l.warnf("%s: %s mapped twice; keeping node %d", el(), b, h.Nodes[b])
		return nil
	}
	for o := humanoid.Bone(0); o < humanoid.Count; o++ {
		if h.Present.Has(o) && h.Nodes[o] == node {
			return errorf(el(), "node %d is both %s and %s", node, o, b)
		}
	}
	h.Nodes[b] = node
	h.Present = h.Present.With(b)
	return nil
}

// checkHumanoid requires the VRM 1.0 required bones (humanoid.md); VRM 0.x
// files missing 0.x's extra required chest or neck only get a warning, since
// real files do. It also checks that every bone's node descends from its
// parent bone's node.
func (l *loader) checkHumanoid(el string) error {
	h := &l.av.Humanoid
	var missing []string
	for _, b := range humanoid.Required(false).Bones() {
		if !h.Present.Has(b) {
			missing = append(missing, b.String())
		}
	}
	if len(missing) > 0 {
		return errorf(el, "missing required bones: %s", strings.Join(missing, ", "))
	}
	if l.vrm0 {
		for _, b := range humanoid.Required(true).Bones() {
			if !h.Present.Has(b) {
				l.warnf("%s: %s (required by VRM 0.x) is missing", el, b)
			}
		}
	}
	for _, b := range h.Present.Bones() {
		p := b.ParentIn(h.Present)
		if p == humanoid.None {
			continue
		}
		if !l.av.isAncestor(h.Nodes[p], h.Nodes[b]) {
			l.warnf("%s: %s (node %d) is not below its parent bone %s (node %d)", el, b, h.Nodes[b], p, h.Nodes[p])
		}
	}
	return nil
}

// nodeIntervals numbers the nodes of a forest in depth-first order: node a
// is a strict ancestor of node n exactly when n's number falls inside a's
// interval (in[a] < in[n] ≤ out[a]). Built in linear time, it answers
// isAncestor in constant time where a parent walk can take as many steps as
// the hierarchy is deep (a hostile file: springs joining the two ends of a
// 65,536-node chain). The node links must form a forest (loadNodes and
// validate check that first).
// depth is each node's number of ancestors.
type nodeIntervals struct{ in, out, depth []int32 }

func (av *Model) nodeIntervals() nodeIntervals {
	n := len(av.Nodes)
	iv := nodeIntervals{in: make([]int32, n), out: make([]int32, n), depth: make([]int32, n)}
	type item struct{ node, child int }
	var stack []item
	next := int32(0)
	for r := range av.Nodes {
		if av.Nodes[r].Parent >= 0 {
			continue
		}
		iv.in[r] = next
		next++
		stack = append(stack[:0], item{r, 0})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			ch := av.Nodes[top.node].Children
			if top.child == len(ch) {
				iv.out[top.node] = next - 1
				stack = stack[:len(stack)-1]
				continue
			}
			c := ch[top.child]
			top.child++
			iv.depth[c] = iv.depth[top.node] + 1
			iv.in[c] = next
			next++
			stack = append(stack, item{c, 0})
		}
	}
	return iv
}

// isAncestor reports whether node a is a strict ancestor of node n.
func (iv nodeIntervals) isAncestor(a, n int) bool {
	return iv.in[a] < iv.in[n] && iv.in[n] <= iv.out[a]
}

// isAncestor reports whether node a is a strict ancestor of node n, by
// walking up from n.
func (av *Model) isAncestor(a, n int) bool {
	for p := av.Nodes[n].Parent; p >= 0; p = av.Nodes[p].Parent {
		if p == a {
			return true
		}
	}
	return false
}
