package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// PlayOptions configure Play.
type PlayOptions struct {
	// Speed scales the playback rate: 2 plays twice as fast (gaps halved);
	// 0 means 1. At most 100.
	Speed float64
	// Loop plays the recording again from its start when it ends, until ctx
	// is cancelled; the gap between the last and the first datagram is the
	// recording's mean gap.
	Loop bool
	// Keep, if set, selects the datagrams to send (e.g. by destination
	// port); the others are skipped and leave no gap.
	Keep func(*Datagram) bool
}

// PlayStats tell what Play did.
type PlayStats struct {
	Sent      int  // datagrams sent (all passes)
	Passes    int  // complete passes through the recording
	Truncated bool // the file ends inside a block (played up to there)
}

// Play reads the recording in rs and calls send with each datagram's
// payload at the recorded timing: the i-th datagram goes out at the start
// plus (At_i − At_0)/Speed. A datagram recorded earlier than the one before
// it (a clock step) goes out at once. It returns when the recording ends
// (with Loop, never), when ctx is cancelled (a nil error), or on the first
// error of send or of the file.
func Play(ctx context.Context, rs io.ReadSeeker, send func([]byte) error, o PlayOptions) (PlayStats, error) {
	var st PlayStats
	speed := o.Speed
	if speed == 0 {
		speed = 1
	}
	if !(speed > 0 && speed <= 100) || math.IsNaN(speed) {
		return st, fmt.Errorf("capture: speed %v is not in (0, 100]", o.Speed)
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	base := time.Now()
	for {
		if _, err := rs.Seek(0, io.SeekStart); err != nil {
			return st, err
		}
		r, err := NewReader(rs)
		if err != nil {
			return st, err
		}
		var first, prev time.Time
		var offset time.Duration // of the previous datagram from base
		n := 0
		for {
			d, err := r.Next()
			if err == io.EOF || errors.Is(err, ErrTruncated) {
				st.Truncated = st.Truncated || err != io.EOF
				break
			}
			if err != nil {
				return st, err
			}
			if o.Keep != nil && !o.Keep(&d) {
				continue
			}
			if n == 0 {
				first = d.At
			} else if d.At.After(prev) {
				offset = time.Duration(float64(d.At.Sub(first)) / speed)
			}
			prev = d.At
			n++
			if wait := time.Until(base.Add(offset)); wait > 0 {
				timer.Reset(wait)
				select {
				case <-ctx.Done():
					return st, nil
				case <-timer.C:
				}
			} else if ctx.Err() != nil {
				return st, nil
			}
			if err := send(d.Payload); err != nil {
				return st, err
			}
			st.Sent++
		}
		st.Passes++
		if !o.Loop || n == 0 {
			return st, nil
		}
		gap := time.Second / 60
		if n > 1 {
			gap = offset / time.Duration(n-1)
		}
		base = base.Add(offset + gap)
	}
}
