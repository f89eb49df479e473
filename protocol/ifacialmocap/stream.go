package ifacialmocap

import (
	"bytes"
	"errors"
	"io"
)

// Terminator follows every frame on TCP, and the recorded-animation JSON on
// the bake connection (spec, "To receive data via TCP / IP").
const Terminator = "___iFacialMocap"

var terminator = []byte(Terminator)

// DefaultMaxFrame is the default frame size limit of a [StreamReader]. Real
// frames are about 1 KiB.
const DefaultMaxFrame = 64 << 10

// StreamReader splits a TCP byte stream into frames at [Terminator]. Frames may
// arrive split across reads or several in one read (spec: "a character string
// with broken frames will be sent"). Its buffer is fixed at creation: a peer
// that never sends the terminator cannot make it grow.
type StreamReader struct {
	r          io.Reader
	buf        []byte
	start, end int  // unread bytes are buf[start:end]
	scanned    int  // buf[start:start+scanned] holds no terminator start
	discarding bool // skipping the rest of an over-long frame
	max        int
}

// NewStreamReader returns a StreamReader reading r whose frames may be up to
// maxFrame bytes (≤ 0 means [DefaultMaxFrame]).
func NewStreamReader(r io.Reader, maxFrame int) *StreamReader {
	if maxFrame <= 0 {
		maxFrame = DefaultMaxFrame
	}
	return &StreamReader{r: r, buf: make([]byte, maxFrame+len(Terminator)), max: maxFrame}
}

// Next returns the next frame without its terminator. The slice aliases the
// reader's buffer and is valid until the next call.
//
// Errors: a frame longer than the limit returns [ErrFrameTooLong] (again for
// every further limit's worth of bytes without a terminator, so a caller can
// give up on a peer that never sends one), and the reader skips to the next
// terminator and carries on. At the end of
// the stream Next returns io.EOF, or io.ErrUnexpectedEOF when a partial frame
// was left (it is dropped). Other read errors are returned as they are; the
// reader should not be used after them.
func (s *StreamReader) Next() ([]byte, error) {
	for {
		if i := bytes.Index(s.buf[s.start+s.scanned:s.end], terminator); i >= 0 {
			at := s.start + s.scanned + i
			frame := s.buf[s.start:at]
			s.start = at + len(Terminator)
			s.scanned = 0
			if s.discarding {
				s.discarding = false
				continue
			}
			return frame, nil
		}
		// Keep len(Terminator)-1 bytes unsearched: they may begin a terminator.
		if n := s.end - s.start - (len(Terminator) - 1); n > s.scanned {
			s.scanned = n
		}
		if s.end-s.start >= len(s.buf) {
			// Full without a terminator: drop all but a possible terminator
			// prefix, report it, and skip to the next terminator.
			keep := len(Terminator) - 1
			copy(s.buf, s.buf[s.end-keep:s.end])
			s.start, s.end, s.scanned = 0, keep, 0
			s.discarding = true
			return nil, ErrFrameTooLong
		}
		if s.end == len(s.buf) && s.start > 0 {
			n := copy(s.buf, s.buf[s.start:s.end])
			s.start, s.end = 0, n
		}
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil && n == 0 {
			if errors.Is(err, io.EOF) {
				if s.end > s.start || s.discarding {
					s.start, s.scanned, s.discarding = s.end, 0, false
					return nil, io.ErrUnexpectedEOF
				}
				return nil, io.EOF
			}
			return nil, err
		}
	}
}

// copyUntilTerminator copies r to w up to (not including) [Terminator] and
// returns the number of bytes written. It fails with errTooLarge once more
// than limit bytes have come without a terminator, and with
// io.ErrUnexpectedEOF when r ends first.
func copyUntilTerminator(w io.Writer, r io.Reader, limit int64) (int64, error) {
	const keep = len(Terminator) - 1
	buf := make([]byte, 32<<10)
	var written int64
	n := 0 // buf[:n] is pending: searched except for its last keep bytes
	for {
		m, err := r.Read(buf[n:])
		n += m
		if i := bytes.Index(buf[:n], terminator); i >= 0 {
			k, werr := w.Write(buf[:i])
			written += int64(k)
			if werr == nil && written > limit {
				werr = errTooLarge
			}
			return written, werr
		}
		if flush := n - keep; flush > 0 {
			k, werr := w.Write(buf[:flush])
			written += int64(k)
			if werr != nil {
				return written, werr
			}
			n = copy(buf, buf[flush:n])
		}
		if written > limit {
			return written, errTooLarge
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return written, io.ErrUnexpectedEOF
			}
			return written, err
		}
	}
}

var errTooLarge = errors.New("ifacialmocap: recorded animation exceeds the size limit")
