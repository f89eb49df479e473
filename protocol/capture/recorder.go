package capture

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// DefaultFlushInterval is how often a Recorder pushes buffered datagrams to
// its file: a crash loses at most this much of the end of a recording.
const DefaultFlushInterval = 250 * time.Millisecond

// Why a Recorder stopped.
var (
	ErrMaxBytes    = errors.New("capture: size limit reached")
	ErrMaxDuration = errors.New("capture: duration limit reached")
)

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	WriterOptions
	// MaxBytes stops the recording before the file would exceed this many
	// bytes; 0 for no limit.
	MaxBytes int64
	// MaxDuration stops the recording this long after its first datagram;
	// 0 for no limit.
	MaxDuration time.Duration
	// FlushInterval is the time between flushes (0: DefaultFlushInterval).
	FlushInterval time.Duration
}

// Recorder writes datagrams to a pcapng file with a size and duration
// limit, flushing every FlushInterval so that a crash leaves a readable
// file (Reader reports the cut-off tail as ErrTruncated). Its methods are
// safe for concurrent use; Record may be called from a receiver's read
// goroutine (vmc.ListenConfig.Tap): it only copies into a buffer.
type Recorder struct {
	opts  RecorderOptions
	f     *os.File
	fbuf  *bufio.Writer // between the Writer and f: one write per 64 KiB
	done  chan struct{}
	flush chan struct{} // closed by Close to stop the flusher
	wg    sync.WaitGroup

	mu        sync.Mutex
	w         *Writer
	first     time.Time
	last      time.Time
	count     int
	stopped   bool
	reason    error // why it stopped (a limit, or a write error)
	closeErr  error
	closeOnce sync.Once
}

// Create creates (or truncates) the file at path, writes the pcapng headers
// and starts the flusher.
func Create(path string, o RecorderOptions) (*Recorder, error) {
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	fbuf := bufio.NewWriterSize(f, 64<<10)
	w, err := NewWriter(fbuf, o.WriterOptions)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = fbuf.Flush()
	}
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	r := &Recorder{opts: o, f: f, fbuf: fbuf, w: w, done: make(chan struct{}), flush: make(chan struct{})}
	r.wg.Add(1)
	go r.flusher()
	return r, nil
}

func (r *Recorder) flusher() {
	defer r.wg.Done()
	t := time.NewTicker(r.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-r.flush:
			return
		case now := <-t.C:
			r.mu.Lock()
			if !r.stopped && r.opts.MaxDuration > 0 && !r.first.IsZero() && now.Sub(r.first) >= r.opts.MaxDuration {
				r.stopLocked(ErrMaxDuration)
			}
			if err := r.flushLocked(); err != nil && !r.stopped {
				r.stopLocked(err)
			}
			r.mu.Unlock()
		}
	}
}

// flushLocked pushes everything buffered to the file; r.mu is held.
func (r *Recorder) flushLocked() error {
	if err := r.w.Flush(); err != nil {
		return err
	}
	if err := r.fbuf.Flush(); err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	return nil
}

// stopLocked ends the recording with reason; r.mu is held.
func (r *Recorder) stopLocked(reason error) {
	if r.stopped {
		return
	}
	r.stopped, r.reason = true, reason
	close(r.done)
}

// Record writes d, unless the recording has stopped. It stops the
// recording, without writing d, when d would pass a limit. It never
// retains d.Payload.
func (r *Recorder) Record(d Datagram) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	if r.first.IsZero() {
		r.first = d.At
	}
	if r.opts.MaxDuration > 0 && d.At.Sub(r.first) >= r.opts.MaxDuration {
		r.stopLocked(ErrMaxDuration)
		return
	}
	if r.opts.MaxBytes > 0 && r.w.Size()+BlockSize(len(d.Payload), !d.Src.Addr().Unmap().Is6()) > r.opts.MaxBytes {
		r.stopLocked(ErrMaxBytes)
		return
	}
	if err := r.w.Write(d); err != nil {
		if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrNoAddress) {
			return // not a datagram a socket can receive: skip it
		}
		r.stopLocked(err)
		return
	}
	r.count++
	r.last = d.At
}

// Done is closed when the recording stops by itself: a limit was reached or
// the file could not be written (Err says which).
func (r *Recorder) Done() <-chan struct{} { return r.done }

// Err returns why the recording stopped by itself (ErrMaxBytes,
// ErrMaxDuration, a write error), or nil.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reason
}

// Stats returns the datagrams written, the file size in bytes once flushed,
// and the time from the first to the last datagram.
func (r *Recorder) Stats() (datagrams int, bytes int64, span time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count > 0 {
		span = r.last.Sub(r.first)
	}
	return r.count, r.w.Size(), span
}

// Close stops the recording, flushes, syncs and closes the file. It returns
// the first error writing the file (not a limit being reached).
func (r *Recorder) Close() error {
	r.closeOnce.Do(func() {
		close(r.flush)
		r.wg.Wait()
		r.mu.Lock()
		defer r.mu.Unlock()
		r.stopLocked(nil)
		err := r.flushLocked()
		if r.reason != nil && !errors.Is(r.reason, ErrMaxBytes) && !errors.Is(r.reason, ErrMaxDuration) {
			err = r.reason
		}
		if serr := r.f.Sync(); err == nil && serr != nil {
			err = fmt.Errorf("capture: %w", serr)
		}
		if cerr := r.f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("capture: %w", cerr)
		}
		r.closeErr = err
	})
	return r.closeErr
}
