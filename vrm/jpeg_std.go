//go:build !cgo

package vrm

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
)

// decodeJPEG decodes JPEG data with Go's image/jpeg, at full size (it has
// no DCT scaling; decodeNRGBA scales the result down): without cgo there
// is no libjpeg-turbo (jpeg_turbo.go). A header wider than maxW or taller
// than maxH is refused.
func decodeJPEG(data []byte, maxW, maxH, _ int) (image.Image, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if cfg.Width > maxW || cfg.Height > maxH {
		return nil, fmt.Errorf("jpeg: %d×%d pixels, over the %d×%d checked", cfg.Width, cfg.Height, maxW, maxH)
	}
	return jpeg.Decode(bytes.NewReader(data))
}

// jpegDecodeBytes bounds the memory image/jpeg needs to decode a w×h JPEG,
// bytes, besides the kept image: a progressive image keeps every DCT
// coefficient as an int32 (up to 3 components at full resolution: 12
// bytes a pixel), plus 3 bytes a pixel for the YCbCr result.
func jpegDecodeBytes(w, h, _, _ int) int64 {
	return int64(w) * int64(h) * 15
}
