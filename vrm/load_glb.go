package vrm

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"

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

// decodeDocument decodes the glTF JSON and attaches buffer data: buffer 0
// without a URI is the GLB BIN chunk; other buffers must be base64 data URIs.
// External files are never read (a file must not make us open paths).
func decodeDocument(jsonChunk, bin []byte) (*gltf.Document, error) {
	jsonChunk = bytes.TrimRight(jsonChunk, " \x00")
	doc := new(gltf.Document)
	if err := json.Unmarshal(jsonChunk, doc); err != nil {
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
			b.Data = bin[:b.ByteLength:b.ByteLength]
		case b.URI == "":
			return nil, errorf(el, "no URI and no GLB BIN chunk")
		case strings.HasPrefix(b.URI, "data:"):
			comma := strings.IndexByte(b.URI, ',')
			if comma < 0 || !strings.HasSuffix(b.URI[:comma], ";base64") {
				return nil, errorf(el, "data URI is not base64")
			}
			d, err := base64.StdEncoding.DecodeString(b.URI[comma+1:])
			if err != nil {
				return nil, errorf(el, "data URI: %v", err)
			}
			if b.ByteLength > len(d) {
				return nil, errorf(el, "byteLength %d exceeds its %d decoded bytes", b.ByteLength, len(d))
			}
			b.Data = d[:b.ByteLength:b.ByteLength]
		default:
			return nil, unsupportedf(el, "external URI %q (a .vrm must be self-contained)", b.URI)
		}
	}
	return doc, nil
}

// parseContainer accepts binary glTF (the .vrm format) and, for tests and
// tools, JSON glTF whose buffers are data URIs.
func parseContainer(data []byte) (*gltf.Document, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return decodeDocument(trimmed, nil)
	}
	j, bin, err := splitGLB(data)
	if err != nil {
		return nil, err
	}
	return decodeDocument(j, bin)
}
