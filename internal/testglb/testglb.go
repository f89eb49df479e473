// Package testglb edits glTF documents for tests: it embeds an image in a
// document's binary buffer and writes the document back as a GLB (glTF
// 2.0 §4.4, binary container) with github.com/qmuntal/gltf. It imports
// nothing of this module, so vrm's own tests can use it.
package testglb

import (
	"bytes"
	"testing"

	"github.com/qmuntal/gltf"
)

// EmbedImage appends data to buffer 0 of doc (4-byte aligned, glTF 2.0
// §3.6.2.4) in a new buffer view and makes image img read it as mime (e.g.
// "image/jpeg"). It fails the test when doc has no single buffer or no
// image img.
func EmbedImage(t testing.TB, doc *gltf.Document, img int, data []byte, mime string) {
	t.Helper()
	if len(doc.Buffers) != 1 || img < 0 || img >= len(doc.Images) {
		t.Fatalf("testglb: %d buffers, %d images: want one buffer and image %d", len(doc.Buffers), len(doc.Images), img)
	}
	buf := doc.Buffers[0]
	for len(buf.Data)%4 != 0 {
		buf.Data = append(buf.Data, 0)
	}
	doc.BufferViews = append(doc.BufferViews, &gltf.BufferView{Buffer: 0, ByteOffset: len(buf.Data), ByteLength: len(data)})
	buf.Data = append(buf.Data, data...)
	buf.ByteLength = len(buf.Data)
	im := doc.Images[img]
	im.URI, im.BufferView, im.MimeType = "", gltf.Index(len(doc.BufferViews)-1), mime
}

// Encode returns doc written as a GLB.
func Encode(t testing.TB, doc *gltf.Document) []byte {
	t.Helper()
	var out bytes.Buffer
	enc := gltf.NewEncoder(&out)
	enc.AsBinary = true
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
