// Package generate makes the files package assets embeds, from this
// repository's own code only: the app icon (a portrait of the default
// avatar, painted by package doll) and the default avatar itself (built by
// package doll, written by vrm.Encode as VRM 1.0).
//
// Everything here is deterministic: the same toolchain on the same
// architecture produces the same bytes on every run, which the assets tests
// check against the committed files. A new Go release may change
// compress/flate's output (and with it the PNG bytes); re-run
// `go generate ./assets` then.
package generate

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/kugutsu/kugutsu/assets/internal/doll"
	"github.com/kugutsu/kugutsu/vrm"
)

// IconSize is the icon's width and height in pixels.
const IconSize = 512

// File is one generated file.
type File struct {
	Name string // file name inside assets/
	Data []byte
}

// Icon returns the app icon: a 512×512 PNG (RGBA, transparent outside the
// rounded tile) of the doll's face.
func Icon() ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, doll.Portrait(IconSize)); err != nil {
		return nil, fmt.Errorf("generate: icon: %w", err)
	}
	return b.Bytes(), nil
}

// ThumbnailSize is the width and height of the VRM meta thumbnail.
const ThumbnailSize = 256

// Avatar builds the default avatar in memory.
func Avatar() (*vrm.Avatar, error) {
	return doll.Build(doll.Options{Thumbnail: func(*vrm.Avatar) (image.Image, error) { return doll.Portrait(ThumbnailSize), nil }})
}

// DefaultVRM returns the default avatar as a VRM 1.0 file.
func DefaultVRM() ([]byte, error) {
	a, err := Avatar()
	if err != nil {
		return nil, fmt.Errorf("generate: default avatar: %w", err)
	}
	var b bytes.Buffer
	if err := vrm.Encode(&b, a, vrm.Version1); err != nil {
		return nil, fmt.Errorf("generate: default avatar: %w", err)
	}
	return b.Bytes(), nil
}

// Files returns every generated file, in a fixed order.
func Files() ([]File, error) {
	icon, err := Icon()
	if err != nil {
		return nil, err
	}
	avatar, err := DefaultVRM()
	if err != nil {
		return nil, err
	}
	return []File{{"icon.png", icon}, {"default.vrm", avatar}}, nil
}
