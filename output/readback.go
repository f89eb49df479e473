package output

import (
	"encoding/binary"
	"fmt"
	"image"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// ReadWindow reads a window's pixels back over X11 (GetImage, ZPixmap), as
// a capture program sees them: a depth-32 window's alpha is kept (its
// pixels are premultiplied, see the package comment), other depths read as
// opaque. display "" is $DISPLAY. It returns the image and the window's
// depth. Errors: ErrNoX11, or the X error of the request.
func ReadWindow(display string, win uint32) (*image.RGBA, int, error) {
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrNoX11, err)
	}
	defer c.Close()
	g, err := xproto.GetGeometry(c, xproto.Drawable(win)).Reply()
	if err != nil {
		return nil, 0, fmt.Errorf("output: GetGeometry: %w", err)
	}
	w, h := int(g.Width), int(g.Height)
	r, err := xproto.GetImage(c, xproto.ImageFormatZPixmap, xproto.Drawable(win), 0, 0, uint16(w), uint16(h), 0xffffffff).Reply()
	if err != nil {
		return nil, 0, fmt.Errorf("output: GetImage: %w", err)
	}
	if len(r.Data) < 4*w*h {
		return nil, int(r.Depth), fmt.Errorf("output: GetImage returned %d bytes for %d×%d pixels (not 32 bits a pixel)", len(r.Data), w, h)
	}
	msb := xproto.Setup(c).ImageByteOrder == xproto.ImageOrderMSBFirst
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		var p uint32
		if msb {
			p = binary.BigEndian.Uint32(r.Data[4*i:])
		} else {
			p = binary.LittleEndian.Uint32(r.Data[4*i:])
		}
		a := byte(p >> 24)
		if r.Depth != 32 {
			a = 0xff
		}
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = byte(p>>16), byte(p>>8), byte(p), a
	}
	return img, int(r.Depth), nil
}
