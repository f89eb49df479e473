package vrm

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"

	"github.com/qmuntal/gltf"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/sync/semaphore"
)

// imageBytes returns the encoded bytes and MIME type of glTF image i.
func (l *loader) imageBytes(i int) ([]byte, string, error) {
	el := "image " + itoa(i)
	if i < 0 || i >= len(l.doc.Images) || l.doc.Images[i] == nil {
		return nil, "", errorf(el, "does not exist (%d images)", len(l.doc.Images))
	}
	im := l.doc.Images[i]
	var data []byte
	switch {
	case im.BufferView != nil:
		_, b, err := l.bufferViewBytes(*im.BufferView)
		if err != nil {
			return nil, "", err
		}
		data = b
	case strings.HasPrefix(im.URI, "data:"):
		comma := strings.IndexByte(im.URI, ',')
		if comma < 0 || !strings.HasSuffix(im.URI[:comma], ";base64") {
			return nil, "", errorf(el, "data URI is not base64")
		}
		d, err := base64.StdEncoding.DecodeString(im.URI[comma+1:])
		if err != nil {
			return nil, "", errorf(el, "data URI: %v", err)
		}
		data = d
	case im.URI != "":
		return nil, "", unsupportedf(el, "external URI %q (a .vrm must be self-contained)", im.URI)
	default:
		return nil, "", errorf(el, "has neither bufferView nor uri")
	}
	// Sniff rather than trust mimeType: exporters get it wrong.
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return data, "image/png", nil
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return data, "image/jpeg", nil
	}
	return nil, "", unsupportedf(el, "image format %q is neither PNG nor JPEG", im.MimeType)
}

// decodedImage is one decoded glTF image, or one left for later (lazy).
type decodedImage struct {
	img  *image.NRGBA
	mime string
	w, h int // size in the file
	err  error
	lazy *lazyImage
}

// lazyImage is an image decoded on first use (Model.TextureImage).
type lazyImage struct {
	mu   sync.Mutex
	data []byte
	mime string
	w, h int  // size in the file (checked against the limits)
	side int  // PreviewTextureSize it is downscaled to fit (≤ 0: none)
	done bool // get has decoded data into img/err
	img  *image.NRGBA
	err  error
}

// get decodes the image once and keeps it; a broken image gives its error
// and a 1×1 white image.
func (z *lazyImage) get() (*image.NRGBA, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if !z.done {
		z.img, z.err = decodeNRGBA(z.data, z.mime, z.w, z.h, z.side, false)
		if z.err != nil {
			z.img = whiteImage()
		}
		z.done = true
	}
	return z.img, z.err
}

// peek returns the kept image when get has run, else decodes one without
// keeping it.
func (z *lazyImage) peek() (*image.NRGBA, error) {
	z.mu.Lock()
	done, img, err := z.done, z.img, z.err
	z.mu.Unlock()
	if done {
		return img, err
	}
	return decodeNRGBA(z.data, z.mime, z.w, z.h, z.side, false)
}

// imageJobs is a set of images being decoded in the background.
type imageJobs struct {
	out map[int]*decodedImage
	wg  sync.WaitGroup
}

// decodeScratchBudget bounds the decoding buffers of the images decoded at
// once, bytes: a decode whose buffers (transientBytes) would push the sum
// over it waits for others to finish; one larger than it runs alone. With
// the one-image limit (MaxDecodedBytes) this bounds the peak of a load.
const decodeScratchBudget = 192 << 20

// collectAfter is the least estimated decode memory (transientBytes) after
// which the loader runs the garbage collector at once.
const collectAfter = 64 << 20

// fitSize returns the size a w×h image is kept at: scaled down to fit
// side×side keeping its aspect ratio (at least 1 pixel a side), or as it is
// when it fits or side ≤ 0.
func fitSize(w, h, side int) (int, int) {
	if side <= 0 || (w <= side && h <= side) {
		return w, h
	}
	if w >= h {
		return side, max(1, int(int64(h)*int64(side)/int64(w)))
	}
	return max(1, int(int64(w)*int64(side)/int64(h))), side
}

// keptBytes is what a w×h image costs once loaded: 4 bytes a texel for the
// image the renderer samples in place, and a third more for its mipmaps.
func keptBytes(w, h int) int64 { return int64(w) * int64(h) * 16 / 3 }

// transientBytes estimates the memory a decode of a w×h image needs while
// it runs, bytes: the decoder's result and buffers (for JPEG see
// jpegDecodeBytes: with libjpeg-turbo up to 8 bytes a pixel of int16 DCT
// coefficients for a progressive image, plus the output at the DCT scale
// nearest the kept size; a 16-bit PNG decodes to 8 bytes a pixel before it
// is converted to 4), plus the kept image.
func transientBytes(w, h int, mime string, kw, kh int) int64 {
	if mime == "image/jpeg" {
		return jpegDecodeBytes(w, h, kw, kh) + keptBytes(kw, kh)
	}
	return int64(w)*int64(h)*12 + keptBytes(kw, kh)
}

// startImages checks the images in need (indices into doc.Images) — format,
// DecodeConfig size against the limits, budget — and starts decoding each
// eager one once, in parallel, while the rest of the file is read; the
// others are kept encoded for decoding on demand. wait returns the results.
// Each glTF image is decoded and charged once, however many textures use
// it; an image over Limits.PreviewTextureSize is charged at its downscaled
// size, and its decode must fit the budget on its own.
func (l *loader) startImages(need []int, eager map[int]bool) (*imageJobs, error) {
	j := &imageJobs{out: make(map[int]*decodedImage, len(need))}
	type job struct {
		data   []byte
		res    *decodedImage
		weight int64
	}
	var jobs []job
	side := l.limits.PreviewTextureSize
	for _, i := range need {
		if _, ok := j.out[i]; ok {
			continue
		}
		el := "image " + itoa(i)
		data, mime, err := l.imageBytes(i)
		if err != nil {
			return nil, err
		}
		var cfg image.Config
		if mime == "image/png" {
			cfg, err = png.DecodeConfig(bytes.NewReader(data))
		} else {
			cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
		}
		if err != nil {
			return nil, errorf(el, "%s: %v", mime, err)
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > l.limits.MaxTextureSize || cfg.Height > l.limits.MaxTextureSize {
			return nil, limitf(el, "%d×%d pixels, over the %d×%d limit", cfg.Width, cfg.Height, l.limits.MaxTextureSize, l.limits.MaxTextureSize)
		}
		kw, kh := fitSize(cfg.Width, cfg.Height, side)
		tr := transientBytes(cfg.Width, cfg.Height, mime, kw, kh)
		if tr > l.limits.MaxDecodedBytes {
			return nil, limitf(el, "decoding this %d×%d %s needs about %d bytes, over the %d-byte limit", cfg.Width, cfg.Height, mime, tr, l.limits.MaxDecodedBytes)
		}
		if err := l.charge(el, keptBytes(kw, kh)); err != nil {
			return nil, err
		}
		res := &decodedImage{mime: mime, w: cfg.Width, h: cfg.Height}
		j.out[i] = res
		if l.limits.NoPixels {
			res.lazy = &lazyImage{data: data, mime: mime, w: cfg.Width, h: cfg.Height, side: side}
			continue
		}
		if !eager[i] {
			// A copy: the file's buffer (often tens of MB) is garbage
			// once the avatar is loaded, and a subslice kept for a
			// thumbnail would keep all of it alive.
			res.lazy = &lazyImage{data: bytes.Clone(data), mime: mime, w: cfg.Width, h: cfg.Height, side: side}
			continue
		}
		jobs = append(jobs, job{data, res, min(tr, decodeScratchBudget)})
	}
	// Largest first, so the longest decode starts at once.
	slices.SortStableFunc(jobs, func(a, b job) int { return cmp.Compare(b.weight, a.weight) })
	sem := semaphore.NewWeighted(decodeScratchBudget)
	par := make(chan struct{}, max(2, goruntime.GOMAXPROCS(0)))
	for _, jb := range jobs {
		j.wg.Add(1)
		go func() {
			defer j.wg.Done()
			defer func() {
				// A decoder bug must not take the program down: this
				// goroutine is not the load's, whose recover cannot see it.
				if r := recover(); r != nil {
					jb.res.img, jb.res.err = nil, fmt.Errorf("vrm: decoding a %s image panicked: %v", jb.res.mime, r)
				}
			}()
			par <- struct{}{}
			defer func() { <-par }()
			if err := l.check(); err != nil {
				jb.res.err = err // cancelled: skip the decode
				return
			}
			_ = sem.Acquire(context.Background(), jb.weight) // never fails: no deadline
			defer sem.Release(jb.weight)
			jb.res.img, jb.res.err = decodeNRGBA(jb.data, jb.res.mime, jb.res.w, jb.res.h, side, jb.weight >= collectAfter)
			if jb.weight >= collectAfter {
				// The decoder's Go buffers (image/png's, image/jpeg's, or
				// the DCT-scaled image scaleDown finished; libjpeg's own
				// are C memory, freed already) are garbage now, but with
				// the heap just grown by them the next collection would
				// come only at twice this size: collect now, so what is
				// allocated next (the renderer's buffers) reuses them.
				goruntime.GC()
			}
		}()
	}
	return j, nil
}

// wait waits for every decode and returns the images by index.
func (j *imageJobs) wait() (map[int]*decodedImage, error) {
	j.wg.Wait()
	idx := make([]int, 0, len(j.out))
	for i := range j.out {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	for _, i := range idx {
		if r := j.out[i]; r.err != nil {
			return nil, errorf("image "+itoa(i), "%s: %v", r.mime, r.err)
		}
	}
	return j.out, nil
}

// decodeNRGBA decodes PNG or JPEG data of w×h pixels (the size its header
// gave when the limits were checked) into sRGB, non-premultiplied RGBA
// with bounds starting at (0, 0), downscaled to fit side×side (side > 0)
// straight from the decoder's result, so no full-size RGBA copy of a big
// image is ever made. A JPEG is decoded at the DCT scale nearest above
// that size when cgo has libjpeg-turbo (decodeJPEG).
func decodeNRGBA(data []byte, mime string, w, h, side int, collect bool) (*image.NRGBA, error) {
	var (
		m   image.Image
		err error
	)
	if mime == "image/png" {
		m, err = png.Decode(bytes.NewReader(data))
	} else {
		m, err = decodeJPEG(data, w, h, side)
	}
	if err != nil {
		return nil, err
	}
	b := m.Bounds()
	if kw, kh := fitSize(b.Dx(), b.Dy(), side); kw != b.Dx() || kh != b.Dy() {
		if collect {
			goruntime.GC()
		}
		return scaleDown(m, kw, kh), nil
	}
	return toNRGBA(m), nil
}

// scaleDown resamples m to w×h (smaller on both axes) with x/image/draw's
// ApproxBiLinear, in halving steps while m is more than twice the target
// (each step then averages 2×2 texels: a box filter, no aliasing), and
// returns non-premultiplied pixels. (draw's kernel scalers, Catmull-Rom,
// would need a float64 buffer of w × m's height × 32 bytes: 256 MiB for
// 4096²→2048².) Filtering runs on premultiplied alpha, so transparent
// texels do not bleed their colour.
func scaleDown(m image.Image, w, h int) *image.NRGBA {
	cur := m
	for {
		b := cur.Bounds()
		if b.Dx() <= 2*w && b.Dy() <= 2*h {
			break
		}
		half := image.NewRGBA(image.Rect(0, 0, max(w, (b.Dx()+1)/2), max(h, (b.Dy()+1)/2)))
		xdraw.ApproxBiLinear.Scale(half, half.Rect, cur, b, xdraw.Src, nil)
		cur = half
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(dst, dst.Rect, cur, cur.Bounds(), xdraw.Src, nil)
	return toNRGBA(dst)
}

// toNRGBA converts any image to *image.NRGBA, with fast paths for what PNG
// and JPEG decoders return.
func toNRGBA(m image.Image) *image.NRGBA {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	switch src := m.(type) {
	case *image.NRGBA:
		if b.Min == (image.Point{}) && src.Stride == 4*w {
			return src
		}
	case *image.RGBA:
		if b.Min == (image.Point{}) && src.Stride == 4*w && opaque(src.Pix) {
			// Premultiplied and straight alpha agree when alpha is 255
			// (PNG truecolour without tRNS): share the pixels.
			return &image.NRGBA{Pix: src.Pix, Stride: src.Stride, Rect: src.Rect}
		}
		dst := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:4*w]
			d := dst.Pix[y*dst.Stride:][:4*w]
			for x := 0; x < 4*w; x += 4 {
				a := s[x+3]
				switch a {
				case 255:
					d[x], d[x+1], d[x+2], d[x+3] = s[x], s[x+1], s[x+2], 255
				case 0:
					d[x], d[x+1], d[x+2], d[x+3] = 0, 0, 0, 0
				default:
					d[x] = uint8((uint32(s[x])*255 + uint32(a)/2) / uint32(a))
					d[x+1] = uint8((uint32(s[x+1])*255 + uint32(a)/2) / uint32(a))
					d[x+2] = uint8((uint32(s[x+2])*255 + uint32(a)/2) / uint32(a))
					d[x+3] = a
				}
			}
		}
		return dst
	case *image.Paletted:
		var lut [256][4]uint8
		for i, c := range src.Palette {
			n := nrgbaModelConvert(c)
			lut[i] = [4]uint8{n.R, n.G, n.B, n.A}
		}
		dst := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			d := dst.Pix[y*dst.Stride:][:4*w]
			for x, ci := range s {
				copy(d[4*x:4*x+4], lut[ci][:])
			}
		}
		return dst
	case *image.Gray:
		dst := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):][:w]
			d := dst.Pix[y*dst.Stride:][:4*w]
			for x, g := range s {
				d[4*x], d[4*x+1], d[4*x+2], d[4*x+3] = g, g, g, 255
			}
		}
		return dst
	case *image.YCbCr:
		// draw has a fast YCbCr → RGBA path; JPEG is opaque, so RGBA bytes
		// are NRGBA bytes.
		rgba := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Src)
		return &image.NRGBA{Pix: rgba.Pix, Stride: rgba.Stride, Rect: rgba.Rect}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), m, b.Min, draw.Src)
	return dst
}

// startTextures checks every glTF texture's image and starts decoding, in
// the background and once per image, the images of the textures some
// material uses; finishTextures collects them. Images no material uses (a
// thumbnail) stay encoded until Model.TextureImage. Model.Textures[i] is
// glTF texture i. A texture whose image is missing or of another format
// becomes a 1×1 white texture, with a warning; a broken PNG or JPEG is an
// error (for an on-demand image, when it is decoded).
func (l *loader) startTextures() error {
	doc := l.doc
	eager := map[int]bool{}
	for _, tx := range l.av.materialTextures() {
		if t := doc.Textures[tx]; t != nil && t.Source != nil {
			eager[*t.Source] = true
		}
	}
	var need []int
	for i, t := range doc.Textures {
		if t == nil {
			return errorf("texture "+itoa(i), "null")
		}
		if t.Source != nil {
			if _, _, err := l.imageBytes(*t.Source); err != nil {
				if fe, ok := err.(*FormatError); ok && fe.Err == ErrUnsupported {
					l.warnf("texture %d: %v; using white", i, err)
					continue
				}
				return err
			}
			need = append(need, *t.Source)
		}
	}
	if th := l.thumbnailImage(); th >= 0 {
		if _, _, err := l.imageBytes(th); err == nil {
			need = append(need, th)
		} else {
			l.warnf("meta thumbnail: %v; ignored", err)
		}
	}
	var err error
	l.images, err = l.startImages(need, eager)
	return err
}

func (l *loader) finishTextures() error {
	doc, av := l.doc, l.av
	imgs, err := l.images.wait()
	if err != nil {
		return err
	}
	av.Textures = make([]Texture, len(doc.Textures))
	for i, t := range doc.Textures {
		tex := &av.Textures[i]
		tex.Name = t.Name
		if t.Source != nil && imgs[*t.Source] != nil {
			d := imgs[*t.Source]
			tex.Image, tex.MIMEType, tex.lazy = d.img, d.mime, d.lazy
			tex.Width, tex.Height = d.w, d.h
			if tex.Name == "" {
				tex.Name = doc.Images[*t.Source].Name
			}
		} else {
			if t.Source == nil {
				l.warnf("texture %d: no image source; using white", i)
			}
			tex.Image = whiteImage()
			tex.MIMEType = "image/png"
			tex.Width, tex.Height = 1, 1
		}
		if t.Sampler != nil {
			if *t.Sampler < 0 || *t.Sampler >= len(doc.Samplers) || doc.Samplers[*t.Sampler] == nil {
				return errorf("texture "+itoa(i), "sampler %d does not exist", *t.Sampler)
			}
			tex.Sampler = convertSampler(doc.Samplers[*t.Sampler])
		}
	}
	// A VRM 1.0 thumbnail is an image; find or add a texture for it.
	if th := l.thumbnailImage(); th >= 0 && imgs[th] != nil {
		av.Meta.Thumbnail = -1
		for i, t := range doc.Textures {
			if t.Source != nil && *t.Source == th {
				av.Meta.Thumbnail = i
				break
			}
		}
		if av.Meta.Thumbnail < 0 {
			av.Meta.Thumbnail = len(av.Textures)
			d := imgs[th]
			av.Textures = append(av.Textures, Texture{Name: doc.Images[th].Name, MIMEType: d.mime, Image: d.img, Width: d.w, Height: d.h, lazy: d.lazy})
		}
	}
	return nil
}

// opaque reports whether every alpha byte of RGBA pixels is 255.
func opaque(pix []uint8) bool {
	for i := 3; i < len(pix); i += 4 {
		if pix[i] != 255 {
			return false
		}
	}
	return true
}

func whiteImage() *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	copy(m.Pix, []uint8{255, 255, 255, 255})
	return m
}

// convertSampler maps a glTF sampler to a Sampler: wrap modes, the
// filter within a level from magFilter and minFilter, and the mipmap mode
// from minFilter (LINEAR and NEAREST: MipmapNone; *_MIPMAP_NEAREST:
// MipmapNearest; *_MIPMAP_LINEAR or undefined: MipmapLinear).
func convertSampler(s *gltf.Sampler) Sampler {
	wrap := func(w gltf.WrappingMode) Wrap {
		switch w {
		case gltf.WrapClampToEdge:
			return WrapClamp
		case gltf.WrapMirroredRepeat:
			return WrapMirror
		}
		return WrapRepeat
	}
	var out Sampler
	out.WrapS, out.WrapT = wrap(s.WrapS), wrap(s.WrapT)
	if s.MagFilter == gltf.MagNearest {
		out.Mag = FilterNearest
	}
	switch s.MinFilter {
	case gltf.MinLinear:
		out.Mipmap = MipmapNone
	case gltf.MinNearest:
		out.Min, out.Mipmap = FilterNearest, MipmapNone
	case gltf.MinLinearMipMapNearest:
		out.Mipmap = MipmapNearest
	case gltf.MinNearestMipMapNearest:
		out.Min, out.Mipmap = FilterNearest, MipmapNearest
	case gltf.MinNearestMipMapLinear:
		out.Min = FilterNearest
	}
	return out
}

// materialTextures returns the indices of the textures the materials use,
// in order of first use.
func (av *Model) materialTextures() []int {
	var out []int
	seen := map[int]bool{}
	add := func(r TextureRef) {
		if r.Texture >= 0 && !seen[r.Texture] {
			seen[r.Texture] = true
			out = append(out, r.Texture)
		}
	}
	for i := range av.Materials {
		m := &av.Materials[i]
		add(m.BaseColorTexture)
		add(m.EmissiveTexture)
		add(m.NormalTexture)
		if m.MToon == nil && !m.Unlit { // only metallic-roughness shading reads them
			add(m.MetallicRoughnessTexture)
			add(m.OcclusionTexture)
		}
		if t := m.MToon; t != nil {
			for _, r := range []TextureRef{t.ShadeTexture, t.ShadingShiftTex, t.RimTexture, t.MatcapTexture, t.OutlineWidthTex, t.UVAnimMaskTexture} {
				add(r)
			}
		}
	}
	return out
}

// TextureImage returns texture i's image, decoding it on first use when no
// material uses it (such textures, a thumbnail typically, have a nil
// Texture.Image after Load). A broken image gives an error and a 1×1 white
// image. It is safe to call from several goroutines.
func (av *Model) TextureImage(i int) (*image.NRGBA, error) {
	if i < 0 || i >= len(av.Textures) {
		return nil, fmt.Errorf("vrm: texture %d does not exist", i)
	}
	t := &av.Textures[i]
	if t.Image != nil || t.lazy == nil {
		return t.Image, nil
	}
	img, err := t.lazy.get()
	if err != nil {
		return img, fmt.Errorf("vrm: texture %d (%s): %w", i, t.Name, err)
	}
	return img, nil
}

// ThumbnailImage returns the meta thumbnail scaled down (Catmull-Rom) to fit
// maxSide×maxSide pixels, keeping its aspect ratio, or nil when there is none
// or it cannot be decoded. Unlike Thumbnail it keeps nothing: a thumbnail no
// material uses is decoded, scaled and let go, so a 1024² thumbnail costs its
// 4 MB only during the call (a window shows 128–256 px). Each call returns a
// new image the caller owns. Safe from several goroutines.
func (av *Model) ThumbnailImage(maxSide int) *image.NRGBA {
	i := av.Meta.Thumbnail
	if i < 0 || i >= len(av.Textures) || maxSide <= 0 {
		return nil
	}
	t := &av.Textures[i]
	src := t.Image
	if src == nil && t.lazy != nil {
		img, err := t.lazy.peek()
		if err != nil {
			return nil
		}
		src = img
	}
	if src == nil {
		return nil
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > maxSide || h > maxSide {
		if w >= h {
			w, h = maxSide, max(1, h*maxSide/w)
		} else {
			w, h = max(1, w*maxSide/h), maxSide
		}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Rect, src, b, xdraw.Src, nil)
	return dst
}

// Thumbnail returns the meta thumbnail image at full size, decoded on first
// use and kept, or nil when there is none or it cannot be decoded.
func (av *Model) Thumbnail() *image.NRGBA {
	img, err := av.TextureImage(av.Meta.Thumbnail)
	if err != nil {
		return nil
	}
	return img
}
