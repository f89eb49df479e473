package marionette

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/retarget/face"
	"github.com/kugutsu/kugutsu/vrm"
)

// trackingGrace is how long the face holds its last tracked pose after the
// phone reports the face lost (trackingStatus-0, or frames frozen:
// ifacialmocap.Status.TrackingLost) before it stops contributing: a glance away keeps the pose, leaving the camera hands the
// face back to the Performer.
const trackingGrace = time.Second

// livenessEvery is how often a connected source checks whether its phone
// went silent (it then signals Changed so the engine drops the face).
const livenessEvery = 100 * time.Millisecond

// ErrNotConnected is returned by IFacialMocap methods that need a phone
// while none is connected.
var ErrNotConnected = errors.New("not connected to a phone: connect first")

// ErrNoFrame is returned by IFacialMocap.Calibrate before the phone has sent
// a frame.
var ErrNoFrame = errors.New("no frame from the phone yet: calibrate once the face is tracked")

// StaleFrameError is returned by IFacialMocap.Calibrate when the newest
// frame is older than ifacialmocap.ConnectedWithin (0.5 s) or the phone has
// lost the face: calibrating on it would make an old face the neutral one.
type StaleFrameError struct {
	Age  time.Duration // since the newest frame arrived
	Lost bool          // the phone reports the face lost
}

func (e *StaleFrameError) Error() string {
	if e.Lost {
		return "the phone has lost your face: look at the phone and calibrate again"
	}
	return fmt.Sprintf("no data from the phone for %.1f s: check the connection and calibrate again", e.Age.Seconds())
}

// IFacialMocap is a FaceSource driven by an iPhone running iFacialMocap
// (protocol/ifacialmocap; field notes §6). It owns the client and an
// face.Mapper, and adapts the mapped face to the avatar the engine
// draws: Perfect Sync when the avatar has ARKit-named expressions (any
// case, camelCase or PascalCase) or VRM presets, per Settings.Mode; the head
// rotation split over neck and head (folded onto the bones the avatar has)
// with the optional chest follow; the eyes as eye-bone rotations or lookAt
// expressions per the avatar's lookAt type, through its range maps; the
// optional head position as a lean of the upper body. See face.Binding.Fill
// for exactly what it drives and retarget.FaceMix for how that mixes with
// the Performer.
//
// Attach it once with Engine.SetFaceSource and Connect/Disconnect it at
// will: while disconnected, while the phone is silent for more than
// ifacialmocap.ConnectedWithin (0.5 s), and once the face has been lost
// (ifacialmocap.Status.TrackingLost) for trackingGrace (1 s), Face reports nothing and the Performer
// drives the face alone. Its methods are safe for concurrent use; Face runs
// on the engine's render goroutine, maps at most once per rendered frame,
// and neither blocks nor allocates (after the first frame for an avatar).
type IFacialMocap struct {
	changed chan struct{}
	connMu  sync.Mutex // serialises Connect and Disconnect

	mu       sync.Mutex // guards the fields down to the render goroutine's
	client   *ifacialmocap.Client
	stop     chan struct{} // stops the current client's forwarder
	fwd      sync.WaitGroup
	settings face.Settings
	calib    face.Calibration
	raw      ifacialmocap.Frame // the newest frame as received
	rawSeq   uint64
	arrival  time.Time // of the newest frame

	lost atomic.Bool // the client's Status.TrackingLost, as forward last saw it

	// The render goroutine's own state.
	cur       *ifacialmocap.Client // the client the mapper's state belongs to
	mapper    face.Mapper
	frame     ifacialmocap.Frame
	mapped    face.Face
	binding   *face.Binding
	last      time.Time
	lostSince time.Time
}

// NewIFacialMocap returns a disconnected source with settings s (start from
// face.DefaultSettings; ModelHasPerfectSync is decided per avatar).
func NewIFacialMocap(s face.Settings) *IFacialMocap {
	return &IFacialMocap{changed: make(chan struct{}, 1), settings: s}
}

// Changed implements FaceSource: a signal after each frame from the phone,
// when the phone goes silent, and when the settings or calibration change.
func (s *IFacialMocap) Changed() <-chan struct{} { return s.changed }

func (s *IFacialMocap) signal() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// Connect connects to the phone at phone ("IP", "IP:PORT", a host name)
// with opts (ifacialmocap.Connect), replacing any current connection. Errors
// are ifacialmocap.Connect's: a *ifacialmocap.PortInUseError when a local
// port is taken, a bad address. ctx bounds the client's life (cancelling it
// disconnects, as Disconnect does).
func (s *IFacialMocap) Connect(ctx context.Context, phone string, opts ifacialmocap.Options) error {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	s.disconnect()
	user := opts.OnFrame
	opts.OnFrame = func(f *ifacialmocap.Frame) {
		now := time.Now()
		s.mu.Lock()
		s.raw, s.arrival = *f, now
		s.rawSeq++
		s.mu.Unlock()
		if user != nil {
			user(f)
		}
	}
	s.mu.Lock()
	s.raw, s.rawSeq, s.arrival = ifacialmocap.Frame{}, 0, time.Time{}
	s.mu.Unlock()
	c, err := ifacialmocap.Connect(ctx, phone, opts)
	if err != nil {
		return err
	}
	stop := make(chan struct{})
	s.mu.Lock()
	s.client, s.stop = c, stop
	s.mu.Unlock()
	s.fwd.Add(1)
	go s.forward(c, stop)
	s.signal()
	return nil
}

// Disconnect sends the phone the stop command and closes the connection;
// the face stops contributing. It does nothing when not connected.
func (s *IFacialMocap) Disconnect() {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	s.disconnect()
}

func (s *IFacialMocap) disconnect() {
	s.mu.Lock()
	c, stop := s.client, s.stop
	s.client, s.stop = nil, nil
	s.mu.Unlock()
	if c == nil {
		return
	}
	close(stop)
	s.fwd.Wait()
	c.Close()
	s.mu.Lock()
	s.raw, s.rawSeq, s.arrival = ifacialmocap.Frame{}, 0, time.Time{}
	s.mu.Unlock()
	s.lost.Store(false)
	s.signal()
}

// forward turns the client's frame signals, its going silent and its
// tracking state (checked every livenessEvery) into signals on Changed
// until stop.
func (s *IFacialMocap) forward(c *ifacialmocap.Client, stop chan struct{}) {
	defer s.fwd.Done()
	t := time.NewTicker(livenessEvery)
	defer t.Stop()
	live := false
	for {
		select {
		case <-stop:
			return
		case <-c.Changed():
			live = true
			s.signal()
		case now := <-t.C:
			s.mu.Lock()
			l := !s.arrival.IsZero() && now.Sub(s.arrival) <= ifacialmocap.ConnectedWithin
			s.mu.Unlock()
			lost := c.Status().TrackingLost
			if l != live || lost != s.lost.Load() {
				live = l
				s.lost.Store(lost)
				s.signal()
			}
		}
	}
}

// Connected reports whether a connection is open (the phone may still be
// silent: see Status).
func (s *IFacialMocap) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client != nil
}

// Status returns the connection's status (ifacialmocap.Client.Status: live
// within 0.5 s, fps, counts, tracking lost, the user-facing Err); ok is
// false when not connected.
func (s *IFacialMocap) Status() (st ifacialmocap.Status, ok bool) {
	s.mu.Lock()
	c := s.client
	s.mu.Unlock()
	if c == nil {
		return st, false
	}
	return c.Status(), true
}

// Latest copies the newest frame of the open connection as the phone sent
// it (raw: before invert, calibration, mirror and smoothing) into dst and
// returns its number since Connect; 0 (dst untouched) before the first and
// when not connected.
func (s *IFacialMocap) Latest(dst *ifacialmocap.Frame) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rawSeq > 0 {
		*dst = s.raw
	}
	return s.rawSeq
}

// Settings returns the mapping settings.
func (s *IFacialMocap) Settings() face.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// SetSettings replaces the mapping settings (ModelHasPerfectSync is
// ignored: it is decided per avatar). They apply from the next frame.
func (s *IFacialMocap) SetSettings(st face.Settings) {
	s.mu.Lock()
	s.settings = st
	s.mu.Unlock()
	s.signal()
}

// Calibrate makes the newest frame the neutral face and pose ("this is my
// neutral face and pose"; face.Calibrate) and returns the
// calibration, for the caller to keep. ErrNoFrame before the first frame;
// a *StaleFrameError when the newest frame is stale or the face is lost
// (the calibration in use is kept).
func (s *IFacialMocap) Calibrate() (face.Calibration, error) {
	s.mu.Lock()
	if s.rawSeq == 0 {
		s.mu.Unlock()
		return face.Calibration{}, ErrNoFrame
	}
	if age := time.Since(s.arrival); age > ifacialmocap.ConnectedWithin || s.lost.Load() {
		s.mu.Unlock()
		return face.Calibration{}, &StaleFrameError{Age: age, Lost: s.lost.Load()}
	}
	s.calib = face.Calibrate(&s.raw)
	c := s.calib
	s.mu.Unlock()
	s.signal()
	return c, nil
}

// Calibration returns the calibration in use (Valid false for none).
func (s *IFacialMocap) Calibration() face.Calibration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calib
}

// SetCalibration replaces the calibration (a saved one; the zero value
// clears it).
func (s *IFacialMocap) SetCalibration(c face.Calibration) {
	s.mu.Lock()
	s.calib = c
	s.mu.Unlock()
	s.signal()
}

// LookForward asks the phone to reset its forward direction
// (ifacialmocap.Client.LookForward). ErrNotConnected when not connected.
func (s *IFacialMocap) LookForward() error {
	s.mu.Lock()
	c := s.client
	s.mu.Unlock()
	if c == nil {
		return ErrNotConnected
	}
	return c.LookForward()
}

// FetchRecording asks the phone for the animation recorded in iFacialMocap
// and copies it (a JSON array of frame strings) to w: through the open
// connection when there is one, else to the phone at phone with opts
// (ifacialmocap.FetchRecording, whose errors it returns).
func (s *IFacialMocap) FetchRecording(ctx context.Context, phone string, opts ifacialmocap.Options, w io.Writer) (int64, error) {
	s.mu.Lock()
	c := s.client
	s.mu.Unlock()
	if c != nil {
		return c.FetchRecording(ctx, w)
	}
	return ifacialmocap.FetchRecording(ctx, phone, opts, w)
}

// Face implements FaceSource: it maps the newest frame (smoothing advances
// with the time since the previous call) and adapts it to av. It does not
// allocate, except to build av's tables on the first call for av.
func (s *IFacialMocap) Face(av *vrm.Model, out *retarget.Face) bool {
	now := time.Now()
	s.mu.Lock()
	c, settings, calib, arrival := s.client, s.settings, s.calib, s.arrival
	s.mu.Unlock()
	if c != s.cur {
		s.cur = c
		s.mapper.Reset()
		s.last, s.lostSince = time.Time{}, time.Time{}
	}
	if c == nil || av == nil || arrival.IsZero() || now.Sub(arrival) > ifacialmocap.ConnectedWithin || c.Latest(&s.frame) == 0 {
		s.mapper.Reset() // back from a silence, the face is taken as it is
		s.last = time.Time{}
		return false
	}
	// Lost: the frame says trackingStatus-0, or the phone has re-sent the
	// same bytes for a while (older builds without trackingStatus; the
	// client's Status.TrackingLost covers both; forward reads it, as Status
	// allocates).
	if !s.lost.Load() && s.frame.TrackingOK {
		s.lostSince = time.Time{}
	} else if s.lostSince.IsZero() {
		s.lostSince = now
	}
	if !s.lostSince.IsZero() && now.Sub(s.lostSince) > trackingGrace {
		return false
	}
	s.mapFace(av, &s.frame, settings, calib, now, out)
	out.Received = arrival
	return true
}

// mapFace maps frame f at now with settings st and calibration cal, and
// adapts the result to av into out: Face's work once it has a live frame.
// It belongs to the render goroutine.
func (s *IFacialMocap) mapFace(av *vrm.Model, f *ifacialmocap.Frame, st face.Settings, cal face.Calibration, now time.Time, out *retarget.Face) {
	if s.binding == nil || s.binding.Avatar() != av {
		s.binding = face.NewBinding(av)
	}
	s.mapper.Settings = s.binding.Settings(st)
	s.mapper.Calibration = cal
	var dt float32
	if !s.last.IsZero() {
		dt = float32(min(now.Sub(s.last), maxStep).Seconds())
	}
	s.last = now
	s.mapper.Map(f, dt, &s.mapped)
	s.binding.Fill(&s.mapped, &s.mapper.Settings, out)
}
