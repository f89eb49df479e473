//go:build cgo

package vrm

// JPEG decoding through libjpeg-turbo's libjpeg API (jpeglib.h, the
// libjpeg62-turbo-dev package), with DCT scaling: a texture kept at a
// fraction of its size is decoded straight at the largest N/8 scale that
// still covers the kept size, so neither a full-size image nor (for a
// baseline JPEG) a coefficient buffer is ever made. libjpeg keeps a
// progressive or multi-scan image's DCT coefficients as int16 (2 bytes a
// coefficient, in C memory freed when the decode ends), where Go's
// image/jpeg keeps int32s beside a full-size YCbCr result.
//
// libjpeg reports a fatal error by calling error_exit, which must not
// return: here it longjmps back to the setjmp of the C function that
// called into libjpeg, so no jump ever crosses a Go frame, and the message
// comes back as an error. The corrupt-data warnings (a truncated file, a bad
// Huffman code, a scan cut short) are errors too, as in image/jpeg.

/*
#cgo pkg-config: libjpeg
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <jpeglib.h>
#include <jerror.h>

// kgMaxScans bounds the scans of one image: a normal progressive JPEG has
// about ten, and each scan walks every block of its components, so a
// hostile file of many empty scans would otherwise cost minutes.
enum { kgMaxScans = 500 };

typedef struct {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_error_mgr err;
	struct jpeg_progress_mgr progress;
	jmp_buf jump;
	int cmyk; // the output is CMYK, turned into RGBA row by row
	char msg[JMSG_LENGTH_MAX];
} kgJPEG;

static void kgErrorExit(j_common_ptr c) {
	kgJPEG *d = (kgJPEG *)c->client_data;
	(*c->err->format_message)(c, d->msg);
	longjmp(d->jump, 1);
}

// kgEmitMessage turns the warnings that mean the pixels would be wrong
// into errors; the others (extraneous bytes before a marker, an unknown
// JFIF revision or Adobe transform, a bad ICC marker) are ignored, as
// image/jpeg ignores them. Trace messages (level ≥ 0) are dropped.
static void kgEmitMessage(j_common_ptr c, int level) {
	if (level >= 0) {
		return;
	}
	switch (c->err->msg_code) {
	case JWRN_ARITH_BAD_CODE:
	case JWRN_BOGUS_PROGRESSION:
	case JWRN_HIT_MARKER:
	case JWRN_HUFF_BAD_CODE:
	case JWRN_JPEG_EOF:
	case JWRN_MUST_RESYNC:
	case JWRN_NOT_SEQUENTIAL:
		kgErrorExit(c);
	}
}

static void kgOutputMessage(j_common_ptr c) { (void)c; }

static void kgProgress(j_common_ptr c) {
	if (c->is_decompressor && ((j_decompress_ptr)c)->input_scan_number > kgMaxScans) {
		kgJPEG *d = (kgJPEG *)c->client_data;
		snprintf(d->msg, sizeof d->msg, "more than %d scans", kgMaxScans);
		longjmp(d->jump, 1);
	}
}

static kgJPEG *kgNew(void) {
	kgJPEG *d = calloc(1, sizeof *d);
	if (d == NULL) {
		return NULL;
	}
	d->cinfo.err = jpeg_std_error(&d->err);
	d->err.error_exit = kgErrorExit;
	d->err.emit_message = kgEmitMessage;
	d->err.output_message = kgOutputMessage;
	d->cinfo.client_data = d;
	if (setjmp(d->jump)) {
		jpeg_destroy_decompress(&d->cinfo);
		free(d);
		return NULL;
	}
	jpeg_create_decompress(&d->cinfo);
	d->progress.progress_monitor = kgProgress;
	d->cinfo.progress = &d->progress;
	return d;
}

static void kgFree(kgJPEG *d) {
	jpeg_destroy_decompress(&d->cinfo);
	free(d);
}

// kgTune fixes glibc's malloc thresholds: blocks of 1 MiB or more are
// mapped and unmapped on their own, and a heap's free top over 2 MiB is
// given back. By default glibc raises both thresholds to the size of the
// largest mapped block freed so far (up to 32 and 64 MiB), so the
// coefficient buffers of the next decodes were carved from the decoding
// thread's heap and stayed resident once freed: 8 MiB more for every
// thread that had decoded a 2048² JPEG, 16–24 MiB after a 4096² one.
static void kgTune(void) {
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	mallopt(M_TRIM_THRESHOLD, 2 << 20);
#endif
}

// kgHeader reads the markers up to the first scan of data (which must
// stay where it is until kgFree) and returns the image's size in *w, *h,
// or -1 with d->msg. maxMemory bounds libjpeg's memory when it allocates
// the whole-image coefficient buffer, bytes (jmemnobs.c: over it, it would
// need a backing store, and fails).
static int kgHeader(kgJPEG *d, const unsigned char *data, unsigned long n, long maxMemory, int *w, int *h) {
	if (setjmp(d->jump)) {
		return -1;
	}
	d->cinfo.mem->max_memory_to_use = maxMemory;
	jpeg_mem_src(&d->cinfo, data, n);
	jpeg_read_header(&d->cinfo, TRUE);
	*w = d->cinfo.image_width;
	*h = d->cinfo.image_height;
	return 0;
}

// kgScale picks the smallest scale N/8 whose output is at least kw×kh and
// returns that output size in *w, *h, or -1 with d->msg. The output is
// RGBA, or CMYK turned into RGBA by kgDecode. fancy chooses libjpeg's
// triangle-filter chroma upsampling (its default) over replication.
static int kgScale(kgJPEG *d, int kw, int kh, int fancy, int *w, int *h) {
	if (setjmp(d->jump)) {
		return -1;
	}
	j_decompress_ptr c = &d->cinfo;
	c->do_fancy_upsampling = fancy ? TRUE : FALSE;
	d->cmyk = c->jpeg_color_space == JCS_CMYK || c->jpeg_color_space == JCS_YCCK;
	c->out_color_space = d->cmyk ? JCS_CMYK : JCS_EXT_RGBA;
	c->scale_denom = 8;
	for (int num = 1; num <= 8; num++) {
		c->scale_num = num;
		jpeg_calc_output_dimensions(c);
		if ((int)c->output_width >= kw && (int)c->output_height >= kh) {
			break;
		}
	}
	*w = c->output_width;
	*h = c->output_height;
	return 0;
}

// kgInk is one channel of a CMYK pixel as RGB, the way image/jpeg and
// image/color do it: libjpeg gives Adobe's inverted CMYK (and turns YCCK
// into it), where 255 means no ink, so the channel is c·k/255 (in
// color.CMYK's 16-bit arithmetic).
static unsigned char kgInk(unsigned c, unsigned k) {
	return (unsigned char)(((c * 0x101u) * (k * 0x101u) / 0xffffu) >> 8);
}

// kgDecode decodes the image into pix (rows of stride bytes, 4 bytes a
// pixel, at the size kgScale returned), or returns -1 with d->msg.
static int kgDecode(kgJPEG *d, unsigned char *pix, int stride) {
	if (setjmp(d->jump)) {
		return -1;
	}
	j_decompress_ptr c = &d->cinfo;
	int w = c->output_width, h = c->output_height;
	jpeg_start_decompress(c);
	if ((int)c->output_width != w || (int)c->output_height != h || c->output_components != 4) {
		snprintf(d->msg, sizeof d->msg, "output %ux%u, %d components, want %dx%d, 4", c->output_width, c->output_height, c->output_components, w, h);
		return -1;
	}
	while (c->output_scanline < c->output_height) {
		JSAMPROW rows[16];
		JDIMENSION first = c->output_scanline;
		int n = 0;
		for (; n < 16 && first + n < c->output_height; n++) {
			rows[n] = pix + (size_t)(first + n) * stride;
		}
		JDIMENSION got = jpeg_read_scanlines(c, rows, n);
		if (got == 0) {
			snprintf(d->msg, sizeof d->msg, "no scanline at row %u", first);
			return -1;
		}
		if (d->cmyk) {
			for (JDIMENSION r = 0; r < got; r++) {
				unsigned char *p = rows[r];
				for (int x = 0; x < w; x++, p += 4) {
					unsigned k = p[3];
					p[0] = kgInk(p[0], k);
					p[1] = kgInk(p[1], k);
					p[2] = kgInk(p[2], k);
					p[3] = 255;
				}
			}
		}
	}
	// No jpeg_finish_decompress: every pixel is out, and what follows the
	// last scan (its EOI marker, or nothing in a file cut after the
	// entropy data) does not change them.
	return 0;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	goruntime "runtime"
	"sync"
)

// decodeJPEG decodes JPEG data as opaque sRGB pixels at the smallest scale
// N/8 (N = 1…8) covering fitSize(w, h, side) of its w×h pixels: an
// *image.RGBA whose alpha is 255 (so its bytes are also NRGBA bytes),
// bounds at (0, 0). A header wider than maxW or taller than maxH (the size
// the limits were checked against) is refused before anything is
// allocated. Grayscale becomes grey RGB; CMYK and YCCK become RGB as
// image/jpeg and color.CMYK turn them. EXIF orientation is ignored (glTF
// does not apply it). Subsampled chroma is upsampled with libjpeg's
// triangle filter ("fancy upsampling", its default and what browsers, so
// three-vrm, show), where image/jpeg repeats each chroma sample.
func decodeJPEG(data []byte, maxW, maxH, side int) (image.Image, error) {
	return decodeJPEGUpsampling(data, maxW, maxH, side, true)
}

// decodeJPEGUpsampling is decodeJPEG with fancy upsampling on or off (off:
// chroma samples repeated, as image/jpeg does).
func decodeJPEGUpsampling(data []byte, maxW, maxH, side int, fancy bool) (image.Image, error) {
	if len(data) == 0 {
		return nil, errors.New("jpeg: no data")
	}
	mallocTuned.Do(func() { C.kgTune() })
	d := C.kgNew()
	if d == nil {
		return nil, errors.New("jpeg: cannot allocate a decoder")
	}
	defer C.kgFree(d)
	// libjpeg reads data through the source manager between calls.
	var pin goruntime.Pinner
	pin.Pin(&data[0])
	defer pin.Unpin()
	var w, h C.int
	// A backstop: libjpeg refuses to allocate a coefficient buffer over
	// this (and the small buffers it has allocated before it).
	maxMemory := jpegCoefficientBytes(maxW, maxH) + 4<<20
	if C.kgHeader(d, (*C.uchar)(&data[0]), C.ulong(len(data)), C.long(maxMemory), &w, &h) != 0 {
		return nil, jpegError(d)
	}
	if int(w) > maxW || int(h) > maxH || w <= 0 || h <= 0 {
		return nil, fmt.Errorf("jpeg: %d×%d pixels, over the %d×%d checked", w, h, maxW, maxH)
	}
	kw, kh := fitSize(int(w), int(h), side)
	var ow, oh C.int
	cFancy := C.int(0)
	if fancy {
		cFancy = 1
	}
	if C.kgScale(d, C.int(kw), C.int(kh), cFancy, &ow, &oh) != 0 {
		return nil, jpegError(d)
	}
	if ow <= 0 || oh <= 0 || ow > w || oh > h {
		return nil, fmt.Errorf("jpeg: scaled output %d×%d for a %d×%d image", ow, oh, w, h)
	}
	m := image.NewRGBA(image.Rect(0, 0, int(ow), int(oh)))
	if C.kgDecode(d, (*C.uchar)(&m.Pix[0]), C.int(m.Stride)) != 0 {
		return nil, jpegError(d)
	}
	return m, nil
}

// mallocTuned: kgTune has run (once, before the first decode, so a process
// that decodes no JPEG keeps glibc's defaults).
var mallocTuned sync.Once

// jpegError is libjpeg's message for the error d stopped on.
func jpegError(d *C.kgJPEG) error {
	return errors.New("libjpeg: " + C.GoString(&d.msg[0]))
}

// jpegCoefficientBytes bounds libjpeg's whole-image coefficient buffer for
// a w×h image, bytes: at most 4 components, each at full resolution
// (subsampled ones are smaller), 64 int16 coefficients per 8×8 block, the
// blocks padded to whole MCUs (at most 32 pixels a side). A baseline
// single-scan image needs none of it.
func jpegCoefficientBytes(w, h int) int64 {
	return 4 * 2 * int64(w+32) * int64(h+32)
}

// jpegDecodeBytes bounds the memory decoding a w×h JPEG kept at kw×kh
// needs besides the kept image, bytes: the coefficient buffer and the
// scaled RGBA output, at most w/8 + 1 pixels a side over the kept size, and
// a third more for halving steps down from it.
func jpegDecodeBytes(w, h, kw, kh int) int64 {
	ow, oh := min(w, kw+w/8+1), min(h, kh+h/8+1)
	return jpegCoefficientBytes(w, h) + int64(ow)*int64(oh)*16/3
}
