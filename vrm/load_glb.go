package vrm

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"
	"unsafe"

	"github.com/qmuntal/gltf"
)

// GLB container constants (glTF 2.0 spec, "Binary glTF Layout").
const (
	glbMagic     = 0x46546C67 // "glTF"
	glbChunkJSON = 0x4E4F534A // "JSON"
	glbChunkBIN  = 0x004E4942 // "BIN\0"
	glbHeaderLen = 12
)

// splitGLB splits a binary glTF file into its JSON chunk and its optional BIN
// chunk. Every length is checked against the bytes present.
func splitGLB(data []byte) (jsonChunk, bin []byte, err error) {
	if len(data) < glbHeaderLen {
		return nil, nil, errorf("GLB header", "file is %d bytes, shorter than the 12-byte header", len(data))
	}
	if m := binary.LittleEndian.Uint32(data); m != glbMagic {
		return nil, nil, errorf("GLB header", "wrong magic %q, want \"glTF\"", data[:4])
	}
	if v := binary.LittleEndian.Uint32(data[4:]); v != 2 {
		return nil, nil, unsupportedf("GLB header", "container version %d, want 2", v)
	}
	total := uint64(binary.LittleEndian.Uint32(data[8:]))
	if total > uint64(len(data)) {
		return nil, nil, errorf("GLB header", "declares %d bytes but the file has %d (truncated)", total, len(data))
	}
	if total < glbHeaderLen {
		return nil, nil, errorf("GLB header", "declares %d bytes, shorter than the header", total)
	}
	rest := data[glbHeaderLen:total]
	for chunk := 0; len(rest) > 0; chunk++ {
		if len(rest) < 8 {
			return nil, nil, errorf("GLB chunk "+itoa(chunk), "%d bytes left, too short for a chunk header", len(rest))
		}
		n := uint64(binary.LittleEndian.Uint32(rest))
		typ := binary.LittleEndian.Uint32(rest[4:])
		if n > uint64(len(rest)-8) {
			return nil, nil, errorf("GLB chunk "+itoa(chunk), "declares %d bytes but only %d remain (truncated)", n, len(rest)-8)
		}
		body := rest[8 : 8+n]
		rest = rest[8+n:]
		switch {
		case chunk == 0 && typ != glbChunkJSON:
			return nil, nil, errorf("GLB chunk 0", "type 0x%08x, want JSON", typ)
		case chunk == 0:
			jsonChunk = body
		case chunk == 1 && typ == glbChunkBIN:
			bin = body
		}
		// Later chunks of unknown types are skipped, as the spec says.
	}
	if jsonChunk == nil {
		return nil, nil, errorf("GLB", "no JSON chunk")
	}
	return jsonChunk, bin, nil
}

// decodeDocument checks the glTF JSON's size and counts against the limits
// (scanJSON), decodes it and attaches buffer data: buffer 0 without a URI is
// the GLB BIN chunk; other buffers must be base64 data URIs. External files
// are never read (a file must not make us open paths).
func (l *loader) decodeDocument(jsonChunk, bin []byte) (*gltf.Document, error) {
	jsonChunk = bytes.TrimRight(jsonChunk, " \x00")
	if int64(len(jsonChunk)) > l.limits.MaxJSONBytes {
		return nil, limitf("JSON chunk", "%d bytes, over the limit of %d", len(jsonChunk), l.limits.MaxJSONBytes)
	}
	counts, ok := scanJSON(jsonChunk)
	if !ok {
		return nil, limitf("JSON chunk", "nested deeper than %d levels", maxScanDepth)
	}
	if err := checkCounts(len(jsonChunk), counts, l.limits); err != nil {
		return nil, err
	}
	if err := l.check(); err != nil {
		return nil, err
	}
	doc := new(gltf.Document)
	if err := l.unmarshal(jsonChunk, doc); err != nil {
		if err == l.ctx.Err() {
			return nil, err
		}
		return nil, &FormatError{Element: "JSON chunk", Msg: err.Error()}
	}
	for i, b := range doc.Buffers {
		el := "buffer " + itoa(i)
		if b == nil {
			return nil, errorf(el, "null")
		}
		if b.ByteLength < 0 {
			return nil, errorf(el, "negative byteLength %d", b.ByteLength)
		}
		switch {
		case b.URI == "" && i == 0 && bin != nil:
			if b.ByteLength > len(bin) {
				return nil, errorf(el, "byteLength %d exceeds the %d-byte BIN chunk (truncated)", b.ByteLength, len(bin))
			}
			// The BIN chunk may pad the buffer with up to 3 bytes (glTF 2.0
			// §4.4.3.3). Some exporters write a byteLength smaller still;
			// three.js's GLTFLoader then uses the whole chunk, and so do we.
			if len(bin)-b.ByteLength > 3 {
				l.warnf("%s: byteLength %d is smaller than the %d-byte BIN chunk; using the whole chunk, as three.js does", el, b.ByteLength, len(bin))
				b.ByteLength = len(bin)
			}
			b.Data = bin[:b.ByteLength:b.ByteLength]
		case b.URI == "":
			return nil, errorf(el, "no URI and no GLB BIN chunk")
		case strings.HasPrefix(b.URI, "data:"):
			comma := strings.IndexByte(b.URI, ',')
			if comma < 0 || !strings.HasSuffix(b.URI[:comma], ";base64") {
				return nil, errorf(el, "data URI is not base64")
			}
			enc := b.URI[comma+1:]
			if n := base64.StdEncoding.DecodedLen(len(enc)); b.ByteLength > n {
				return nil, errorf(el, "byteLength %d exceeds its %d decoded bytes", b.ByteLength, n)
			}
			if err := l.charge(el, int64(b.ByteLength)); err != nil {
				return nil, err
			}
			// Decode only the 4-character groups covering byteLength (and
			// the whole URI if that prefix falls short: line breaks).
			d, n, err := decodeBase64(enc[:min(len(enc), (b.ByteLength+2)/3*4)])
			if (err != nil || n < b.ByteLength) && (b.ByteLength+2)/3*4 < len(enc) {
				d, n, err = decodeBase64(enc)
			}
			if err != nil {
				return nil, errorf(el, "data URI: %v", err)
			}
			if b.ByteLength > n {
				return nil, errorf(el, "byteLength %d exceeds its %d decoded bytes", b.ByteLength, n)
			}
			b.Data = d[:b.ByteLength:b.ByteLength]
			b.URI = "" // the string can be freed
		default:
			return nil, unsupportedf(el, "external URI %q (a .vrm must be self-contained)", b.URI)
		}
	}
	return doc, nil
}

// decodeBase64 decodes standard base64 without copying s first.
func decodeBase64(s string) ([]byte, int, error) {
	d := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(d, unsafe.Slice(unsafe.StringData(s), len(s)))
	return d, n, err
}

// unmarshal decodes JSON into v, returning early with the context's error
// when the load is cancelled (the decode itself then finishes in the
// background and is dropped).
func (l *loader) unmarshal(data []byte, v any) error {
	if l.ctx.Done() == nil {
		return json.Unmarshal(data, v)
	}
	done := make(chan error, 1)
	go func() { done <- json.Unmarshal(data, v) }()
	select {
	case err := <-done:
		return err
	case <-l.ctx.Done():
		return l.ctx.Err()
	}
}

// parseContainer accepts binary glTF (the .vrm format) and, for tests and
// tools, JSON glTF whose buffers are data URIs. Files that are something
// else a user may have saved as .vrm (a Git LFS pointer, a web page) get an
// error saying so.
func (l *loader) parseContainer(data []byte) (*gltf.Document, error) {
	if err := notGLTF(data); err != nil {
		return nil, err
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return l.decodeDocument(trimmed, nil)
	}
	j, bin, err := splitGLB(data)
	if err != nil {
		return nil, err
	}
	return l.decodeDocument(j, bin)
}

// lfsPointer starts a Git LFS pointer file (git-lfs spec, "The Pointer").
const lfsPointer = "version https://git-lfs.github.com/spec/"

// notGLTF recognises files that are not glTF at all and that users commonly
// end up with instead of their model: a Git LFS pointer (a repository
// cloned without LFS), a web page (a download link saved from the browser),
// an empty file.
func notGLTF(data []byte) error {
	if len(data) == 0 {
		return &FormatError{Element: "file", Msg: "the file is empty", Err: ErrNotGLTF}
	}
	if bytes.HasPrefix(data, []byte(lfsPointer)) {
		return &FormatError{Element: "file", Msg: "this is a Git LFS pointer, not the model: download the file itself (git lfs pull, or the repository's download button)", Err: ErrNotGLTF}
	}
	head := bytes.TrimLeft(data[:min(len(data), 512)], " \t\r\n\xef\xbb\xbf")
	lower := bytes.ToLower(head[:min(len(head), 64)])
	for _, p := range []string{"<!doctype html", "<html", "<head", "<!--", "<?xml", "<body"} {
		if bytes.HasPrefix(lower, []byte(p)) {
			return &FormatError{Element: "file", Msg: "this is a web page (HTML), not a VRM model: the download saved the page instead of the file; download the .vrm itself", Err: ErrNotGLTF}
		}
	}
	return nil
}
