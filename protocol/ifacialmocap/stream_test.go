package ifacialmocap

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns its data in reads of random sizes (1…max bytes).
type chunkReader struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.data), 1+r.rng.IntN(r.max))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// readAll collects every frame until an error.
func readAll(t *testing.T, sr *StreamReader) ([]string, error) {
	t.Helper()
	var out []string
	for {
		f, err := sr.Next()
		if err != nil {
			return out, err
		}
		out = append(out, string(f))
	}
}

func stream(frames []string) []byte {
	var b bytes.Buffer
	for _, f := range frames {
		b.WriteString(f)
		b.WriteString(Terminator)
	}
	return b.Bytes()
}

// TestStreamSplitAndCoalesced sends the real frames over a stream in every
// way TCP may deliver them: all in one read, one byte at a time (splitting
// every terminator), and in random chunks that split and coalesce frames.
func TestStreamSplitAndCoalesced(t *testing.T) {
	var frames []string
	for _, fx := range loadFixtures(t) {
		frames = append(frames, fx.Text, toV2(fx.Text))
	}
	frames = append(frames, frames...)
	data := stream(frames)
	readers := map[string]func() io.Reader{
		"coalesced": func() io.Reader { return bytes.NewReader(data) },
		"one byte":  func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
		"chunks 7":  func() io.Reader { return &chunkReader{data, rand.New(rand.NewPCG(1, 1)), 7} },
		"chunks 2k": func() io.Reader { return &chunkReader{data, rand.New(rand.NewPCG(2, 2)), 2048} },
		"half":      func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
	}
	for name, mk := range readers {
		t.Run(name, func(t *testing.T) {
			got, err := readAll(t, NewStreamReader(mk(), 0))
			if err != io.EOF {
				t.Errorf("end: %v, want io.EOF", err)
			}
			if len(got) != len(frames) {
				t.Fatalf("%d frames, want %d", len(got), len(frames))
			}
			for i := range got {
				if got[i] != frames[i] {
					t.Fatalf("frame %d:\n got %q\nwant %q", i, got[i], frames[i])
				}
				var a, b Frame
				if err := ParseString(got[i], &a); err != nil {
					t.Fatal(err)
				}
				_ = ParseString(frames[i], &b)
				if a != b {
					t.Fatalf("frame %d parses differently", i)
				}
			}
		})
	}
}

func TestStreamTooLong(t *testing.T) {
	const max = 1024
	good := loadFixtures(t)[0].Text
	long := strings.Repeat("x", 3*max+100)
	data := stream([]string{good, long, good, ""})
	data = append(data, "partial"...)
	sr := NewStreamReader(&chunkReader{data, rand.New(rand.NewPCG(3, 3)), 300}, max+len(good))
	capBefore := cap(sr.buf)
	var got []string
	tooLong := 0
	var err error
	for {
		var f []byte
		f, err = sr.Next()
		if errors.Is(err, ErrFrameTooLong) {
			tooLong++
			continue
		}
		if err != nil {
			break
		}
		got = append(got, string(f))
	}
	if err != io.ErrUnexpectedEOF {
		t.Errorf("end: %v, want io.ErrUnexpectedEOF (a partial frame was left)", err)
	}
	if tooLong == 0 {
		t.Error("no ErrFrameTooLong for an over-long frame")
	}
	if len(got) != 3 || got[0] != good || got[1] != good || got[2] != "" {
		t.Errorf("frames around the over-long one: %d, want good, good, empty", len(got))
	}
	if cap(sr.buf) != capBefore {
		t.Error("the buffer grew")
	}
}

// endless never sends a terminator.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '_' // underscores: a terminator prefix over and over
	}
	return len(p), nil
}

// TestStreamNeverTerminated: a peer that never sends the terminator gets an
// ErrFrameTooLong per buffer's worth, and memory stays fixed.
func TestStreamNeverTerminated(t *testing.T) {
	sr := NewStreamReader(endless{}, 4096)
	size := cap(sr.buf)
	for range 100 {
		if _, err := sr.Next(); !errors.Is(err, ErrFrameTooLong) {
			t.Fatalf("err = %v, want ErrFrameTooLong", err)
		}
	}
	if cap(sr.buf) != size {
		t.Error("the buffer grew")
	}
}

func TestStreamReadError(t *testing.T) {
	boom := errors.New("boom")
	sr := NewStreamReader(iotest.ErrReader(boom), 0)
	if _, err := sr.Next(); err != boom {
		t.Errorf("err = %v, want the reader's error", err)
	}
	sr = NewStreamReader(strings.NewReader(""), 0)
	if _, err := sr.Next(); err != io.EOF {
		t.Errorf("empty stream: %v, want io.EOF", err)
	}
}

func TestCopyUntilTerminator(t *testing.T) {
	rec := `["a-1|=head#1,2,3|","b-2|=head#4,5,6|"]`
	for _, max := range []int{1, 5, 16, 4096} {
		var w bytes.Buffer
		src := &chunkReader{[]byte(rec + Terminator + "ignored after"), rand.New(rand.NewPCG(uint64(max), 0)), max}
		n, err := copyUntilTerminator(&w, src, 1<<20)
		if err != nil || n != int64(len(rec)) || w.String() != rec {
			t.Errorf("chunks of %d: %d, %v, %q", max, n, err, w.String())
		}
		frames, err := DecodeRecording(&w)
		if err != nil || len(frames) != 2 || frames[1] != "b-2|=head#4,5,6|" {
			t.Errorf("DecodeRecording: %q, %v", frames, err)
		}
	}
	var w bytes.Buffer
	if _, err := copyUntilTerminator(&w, strings.NewReader(rec), 1<<20); err != io.ErrUnexpectedEOF {
		t.Errorf("no terminator: %v, want io.ErrUnexpectedEOF", err)
	}
	if _, err := copyUntilTerminator(io.Discard, endless{}, 100000); !errors.Is(err, errTooLarge) {
		t.Errorf("endless: %v, want errTooLarge", err)
	}
	if _, err := copyUntilTerminator(io.Discard, strings.NewReader(strings.Repeat("x", 200)+Terminator), 100); !errors.Is(err, errTooLarge) {
		t.Errorf("over the limit: %v, want errTooLarge", err)
	}
}
