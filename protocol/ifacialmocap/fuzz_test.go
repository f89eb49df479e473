package ifacialmocap

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
)

// FuzzParse: Parse never panics, and a frame it accepts holds only sane
// values: blendshapes in 0–1 marked present, finite vectors, flags for what
// is set. Parsing is deterministic.
func FuzzParse(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add([]byte(fx.Text))
		f.Add([]byte(toV2(fx.Text)))
	}
	f.Add([]byte("trackingStatus&0|jawOpen&-5|=head#1e3,-2.5E-1,+3|leftEye#.5,5.,0|"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fr, again Frame
		err := Parse(b, &fr)
		if err2 := Parse(b, &again); !errors.Is(err2, err) || (err == nil && fr != again) {
			t.Fatal("Parse is not deterministic")
		}
		if err != nil {
			return
		}
		for s, v := range fr.Blendshapes {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("shape %d = %v", s, v)
			}
			if v != 0 && fr.Shapes&(1<<s) == 0 {
				t.Fatalf("shape %d set but not marked present", s)
			}
		}
		if fr.Shapes&^AllShapes != 0 {
			t.Fatalf("Shapes = %#x", fr.Shapes)
		}
		for _, v := range [][3]float32{fr.HeadRotation, fr.HeadPosition, fr.LeftEye, fr.RightEye} {
			for _, x := range v {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Fatalf("non-finite value in %+v", fr)
				}
			}
		}
		if fr.Present&PresentHeadPosition != 0 && fr.Present&PresentHeadRotation == 0 {
			t.Fatal("head position without rotation")
		}
		if fr.Present&PresentTrackingStatus == 0 && !fr.TrackingOK {
			t.Fatal("tracking lost without a trackingStatus field")
		}
	})
}

// FuzzStreamReader: splitting never panics, never returns a frame holding a
// terminator or longer than the limit, and returns exactly the terminated
// pieces of a stream that has no over-long frame.
func FuzzStreamReader(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add(stream([]string{fx.Text, fx.Text}), uint16(3))
	}
	f.Add([]byte("___iFacialMoca___iFacialMocap___iFacialMocap_"), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		const max = 256
		sr := NewStreamReader(&fixedChunks{data, int(chunk%64) + 1}, max)
		var got [][]byte
		tooLong := false
		for {
			fr, err := sr.Next()
			if errors.Is(err, ErrFrameTooLong) {
				tooLong = true
				continue
			}
			if err != nil {
				if err != io.EOF && err != io.ErrUnexpectedEOF {
					t.Fatalf("unexpected error %v", err)
				}
				break
			}
			if len(fr) > max || bytes.Contains(fr, terminator) {
				t.Fatalf("bad frame %q", fr)
			}
			got = append(got, append([]byte(nil), fr...))
		}
		if tooLong {
			return
		}
		want := bytes.Split(data, terminator)
		want = want[:len(want)-1] // the piece after the last terminator is unterminated
		if len(got) != len(want) {
			t.Fatalf("%d frames, want %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("frame %d = %q, want %q", i, got[i], want[i])
			}
		}
	})
}

// fixedChunks reads n bytes at a time.
type fixedChunks struct {
	data []byte
	n    int
}

func (r *fixedChunks) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.data), r.n)
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}
