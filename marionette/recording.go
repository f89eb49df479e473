package marionette

import (
	"errors"
	"net/netip"
	"time"

	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/vmc"
)

// engineRecording is a recording of the receiver's datagrams in progress.
type engineRecording struct {
	rec  *capture.Recorder
	path string
	dst  netip.AddrPort
}

// tap is the receiver's vmc.ListenConfig.Tap: it hands each datagram to
// the recording in progress, if any.
func (e *Engine) tap(p []byte, from netip.AddrPort, at time.Time) {
	if r := e.rec.Load(); r != nil {
		r.rec.Record(capture.Datagram{At: at, Src: from, Dst: r.dst, Payload: p})
	}
}

// ErrRecording is returned by StartRecording while a recording is in
// progress.
var ErrRecording = errors.New("a recording is already in progress")

// StartRecording records every datagram the VMC receiver gets from now on,
// with its arrival time, into a pcapng file at path (package capture; the
// file is created or truncated), until StopRecording or a limit of o. The
// datagrams' destination is the receiver's address when recording starts.
func (e *Engine) StartRecording(path string, o capture.RecorderOptions) error {
	if e.rec.Load() != nil {
		return ErrRecording
	}
	dst, ok := e.Addr()
	if !ok {
		dst = netip.MustParseAddrPort(vmc.DefaultAddr)
	}
	if o.Interface == "" {
		o.Interface = "vmc " + dst.String()
	}
	rec, err := capture.Create(path, o)
	if err != nil {
		return err
	}
	if !e.rec.CompareAndSwap(nil, &engineRecording{rec: rec, path: path, dst: dst}) {
		rec.Close()
		return ErrRecording
	}
	return nil
}

// RecordingStatus describes the recording in progress, or the last one.
type RecordingStatus struct {
	Active    bool
	Path      string
	Datagrams int
	Bytes     int64
	Span      time.Duration // first to last datagram
	// Stopped is why the recording stopped by itself (a limit or a write
	// error); nil while it runs.
	Stopped error
}

// Recording returns the state of the recording in progress (Active false
// when there is none).
func (e *Engine) Recording() RecordingStatus {
	r := e.rec.Load()
	if r == nil {
		return RecordingStatus{}
	}
	n, b, span := r.rec.Stats()
	st := RecordingStatus{Active: true, Path: r.path, Datagrams: n, Bytes: b, Span: span, Stopped: r.rec.Err()}
	return st
}

// StopRecording ends the recording in progress, flushing and closing its
// file, and returns its final state and the first error writing it. It does
// nothing without a recording.
func (e *Engine) StopRecording() (RecordingStatus, error) {
	r := e.rec.Swap(nil)
	if r == nil {
		return RecordingStatus{}, nil
	}
	err := r.rec.Close()
	n, b, span := r.rec.Stats()
	return RecordingStatus{Path: r.path, Datagrams: n, Bytes: b, Span: span, Stopped: r.rec.Err()}, err
}

// RecordOther adds a datagram that did not come through the VMC receiver —
// an iFacialMocap frame (ifacialmocap.Options.OnData) — to the recording in
// progress, if any, as sent from from to local. It does not keep b.
func (e *Engine) RecordOther(b []byte, from, local netip.AddrPort, at time.Time) {
	if r := e.rec.Load(); r != nil {
		r.rec.Record(capture.Datagram{At: at, Src: from, Dst: local, Payload: b})
	}
}
