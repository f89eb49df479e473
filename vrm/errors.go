package vrm

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by [FormatError]; test for them with errors.Is.
var (
	// ErrNotVRM: the file is glTF but has neither the VRMC_vrm (1.0) nor the
	// VRM (0.x) extension.
	ErrNotVRM = errors.New("not a VRM: no VRMC_vrm or VRM extension")
	// ErrNotGLTF: the file is not glTF at all: empty, a Git LFS pointer
	// or a web page saved under the model's name (the message says which).
	ErrNotGLTF = errors.New("not a glTF or VRM file")
	// ErrUnsupported: the file needs something this loader does not do (a
	// required glTF extension such as KHR_draco_mesh_compression, an external
	// buffer, an image format other than PNG and JPEG).
	ErrUnsupported = errors.New("unsupported")
	// ErrLimit: the file asks for more memory than the [Limits] allow.
	ErrLimit = errors.New("over the loader's limits")
)

// FormatError reports a broken, hostile or unsupported file. Element names
// the part of the file at fault, as glTF names it ("accessor 12", "GLB
// header", "VRMC_vrm.humanoid"); Msg says what is wrong with it.
type FormatError struct {
	Element string
	Msg     string
	Err     error // ErrNotVRM, ErrUnsupported, ErrLimit or an underlying error; may be nil
}

// Error returns "vrm: element: message".
func (e *FormatError) Error() string {
	s := "vrm: "
	if e.Element != "" {
		s += e.Element + ": "
	}
	s += e.Msg
	if e.Err != nil && e.Msg == "" {
		s += e.Err.Error()
	}
	return s
}

// Unwrap returns the sentinel or underlying error, if any.
func (e *FormatError) Unwrap() error { return e.Err }

// errorf returns a *FormatError for element with a formatted message.
func errorf(element, format string, args ...any) *FormatError {
	return &FormatError{Element: element, Msg: fmt.Sprintf(format, args...)}
}

// limitf returns a *FormatError wrapping ErrLimit.
func limitf(element, format string, args ...any) *FormatError {
	return &FormatError{Element: element, Msg: fmt.Sprintf(format, args...), Err: ErrLimit}
}

// unsupportedf returns a *FormatError wrapping ErrUnsupported.
func unsupportedf(element, format string, args ...any) *FormatError {
	return &FormatError{Element: element, Msg: fmt.Sprintf(format, args...), Err: ErrUnsupported}
}

// Limits bound what a file may make the loader allocate. Every count and size
// in a file is checked against them (and against the bytes actually present)
// before anything is allocated for it.
type Limits struct {
	MaxFileSize    int64 // bytes read from the input; default 512 MiB
	MaxTextureSize int   // largest texture width or height in pixels; default 8192
	// MaxDecodedBytes bounds the memory of decoded vertex data, indices and
	// textures together, every decoded and derived byte: a texture counts
	// once per glTF image (however many textures share it) at the size
	// kept, 4 bytes per texel plus a third for the mipmaps the renderer
	// derives; default 1 GiB. An image's decoding buffers, freed after,
	// must fit it too (see startImages).
	MaxDecodedBytes int64
	MaxNodes        int // default 65536
	// PreviewTextureSize: a texture wider or taller than this many pixels
	// is downscaled at load to fit it, keeping its aspect ratio (a preview
	// gains nothing from more, and a 4096² image costs 85 MiB with its
	// mipmaps); default 2048, negative keeps every texture at full size.
	// Texture.Width and Height keep the size in the file; vrmenc.Encode writes
	// the images as kept.
	PreviewTextureSize int
	// NoPixels decodes no image at load: every texture is only checked
	// (format, header size, budget) and kept encoded, with a nil Image,
	// until Model.TextureImage decodes it. For tools that report sizes.
	NoPixels bool
	// MaxJSONBytes bounds the glTF JSON (the GLB JSON chunk, or a whole
	// .gltf with its data URIs); default 64 MiB.
	MaxJSONBytes int64
	// MaxJSONValues bounds the values (objects, arrays, strings, numbers,
	// literals) in the JSON, counted before it is decoded; default 2¹⁹
	// (real avatars have 1–100 thousand; each value can cost ~250 bytes
	// once decoded).
	MaxJSONValues int
	// MaxElements bounds every other top-level glTF array (accessors,
	// materials, meshes…) and the morph targets of all primitives
	// together; default 65536.
	MaxElements int
	// MaxPrimitives bounds the mesh primitives of the whole file, and the
	// primitives drawn (each node using a mesh draws all its primitives);
	// real avatars have fewer than a few hundred; default 4096.
	MaxPrimitives int
	// MaxExpressions bounds the expressions (VRM 1.0 presets and custom
	// expressions, VRM 0.x blendshape groups); default 4096. Morph binds,
	// after VRM 0.x mesh binds are expanded to every node using the mesh,
	// are bounded by MaxElements.
	MaxExpressions int
}

// DefaultLimits are the limits Load and LoadFile use.
var DefaultLimits = Limits{
	MaxFileSize:     512 << 20,
	MaxTextureSize:  8192,
	MaxDecodedBytes: 1 << 30,
	MaxNodes:        1 << 16,

	PreviewTextureSize: 2048,
	MaxJSONBytes:       64 << 20,
	MaxJSONValues:      1 << 19,
	MaxElements:        1 << 16,
	MaxPrimitives:      4096,
	MaxExpressions:     4096,
}

func (l Limits) orDefault() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultLimits.MaxFileSize
	}
	if l.MaxTextureSize <= 0 {
		l.MaxTextureSize = DefaultLimits.MaxTextureSize
	}
	if l.MaxDecodedBytes <= 0 {
		l.MaxDecodedBytes = DefaultLimits.MaxDecodedBytes
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = DefaultLimits.MaxNodes
	}
	if l.PreviewTextureSize == 0 {
		l.PreviewTextureSize = DefaultLimits.PreviewTextureSize
	}
	if l.MaxJSONBytes <= 0 {
		l.MaxJSONBytes = DefaultLimits.MaxJSONBytes
	}
	if l.MaxJSONValues <= 0 {
		l.MaxJSONValues = DefaultLimits.MaxJSONValues
	}
	if l.MaxElements <= 0 {
		l.MaxElements = DefaultLimits.MaxElements
	}
	if l.MaxPrimitives <= 0 {
		l.MaxPrimitives = DefaultLimits.MaxPrimitives
	}
	if l.MaxExpressions <= 0 {
		l.MaxExpressions = DefaultLimits.MaxExpressions
	}
	return l
}
