package marionette

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kugutsu/kugutsu/vrm"
)

// Source says where the shown avatar came from.
type Source struct {
	// Path is the file it was loaded from; "" for an avatar loaded from
	// memory (the embedded default avatar).
	Path string
	// Name is what to call the source in messages: the file name, or the
	// name LoadBytes was given.
	Name string
	// Default marks the embedded default avatar.
	Default bool
	// Performer marks a file the Performer announced (/VMC/Ext/VRM).
	Performer bool
}

// LoadStage is a step of loading an avatar.
type LoadStage uint8

// Load stages, in order; every load ends with LoadDone or LoadFailed.
const (
	LoadReading  LoadStage = iota // reading the file; Fraction is how much
	LoadDecoding                  // parsing glTF/VRM, decoding textures
	LoadDone                      // the avatar is shown (Avatar is set)
	LoadFailed                    // Err says why; the previous avatar stays
)

// String returns a short description of the stage, for a progress label.
func (s LoadStage) String() string {
	switch s {
	case LoadReading:
		return "reading"
	case LoadDecoding:
		return "decoding"
	case LoadDone:
		return "loaded"
	case LoadFailed:
		return "failed"
	}
	return "stage " + fmt.Sprint(uint8(s))
}

// LoadEvent reports the progress of a load started by LoadFile, LoadBytes
// or an approved /VMC/Ext/VRM announcement.
type LoadEvent struct {
	Source   Source
	Stage    LoadStage
	Fraction float64    // 0–1 within LoadReading
	Avatar   *vrm.Model // with LoadDone
	Err      error      // with LoadFailed: the loader's error, naming the broken element
	// Superseded is set with LoadFailed when a newer load replaced this
	// one before it finished (Err is then ErrSuperseded).
	Superseded bool
}

// ErrSuperseded is the LoadFailed error of a load overtaken by a newer one.
var ErrSuperseded = fmt.Errorf("a newer load replaced this one")

// ErrClosed is the LoadFailed error of a load stopped by Engine.Close.
var ErrClosed = fmt.Errorf("the Marionette closed before the avatar loaded")

// progressEvery is the least time between two LoadReading events.
const progressEvery = 50 * time.Millisecond

// LoadFile loads the VRM file at path in the background. Progress and the
// result arrive through Config.OnLoad; on success the avatar replaces the
// shown one, on failure the shown one stays. A newer load supersedes an
// unfinished older one.
func (e *Engine) LoadFile(path string) {
	src := Source{Path: path, Name: filepath.Base(path)}
	e.startLoad(src, func() (io.ReadCloser, int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		if fi.IsDir() {
			f.Close()
			return nil, 0, fmt.Errorf("%s is a folder, not a VRM file", path)
		}
		return f, fi.Size(), nil
	}, vrm.DefaultLimits)
}

// LoadBytes loads a VRM held in memory (name is for messages; def marks
// the embedded default avatar) in the background, as LoadFile does.
func (e *Engine) LoadBytes(name string, data []byte, def bool) {
	src := Source{Name: name, Default: def}
	e.startLoad(src, func() (io.ReadCloser, int64, error) {
		return io.NopCloser(bytes.NewReader(data)), int64(len(data)), nil
	}, vrm.DefaultLimits)
}

// loadAnnounced loads a file the Performer announced and the user approved.
func (e *Engine) loadAnnounced(path string) {
	src := Source{Path: path, Name: filepath.Base(path), Performer: true}
	e.startLoad(src, func() (io.ReadCloser, int64, error) {
		return openAutoLoad(path)
	}, vrm.Limits{MaxFileSize: MaxAutoLoadSize})
}

// SetTextureSize sets the size, in pixels, that textures wider or taller
// are downscaled to fit when an avatar is loaded (vrm.Limits.
// PreviewTextureSize): 0 for its default (2048), negative to keep every
// texture at full size. It applies to loads started after the call.
func (e *Engine) SetTextureSize(px int) { e.textureSize.Store(int64(px)) }

// TextureSize returns what SetTextureSize set (0 when never called).
func (e *Engine) TextureSize() int { return int(e.textureSize.Load()) }

// startLoad runs one load on its own goroutine. It cancels the load in
// progress, if any: that one stops at the loader's next check (within
// milliseconds; vrm.LoadContext) and reports LoadFailed with ErrSuperseded.
// Engine.Close cancels a load in progress the same way.
func (e *Engine) startLoad(src Source, open func() (io.ReadCloser, int64, error), lim vrm.Limits) {
	lim.PreviewTextureSize = int(e.textureSize.Load())
	ctx, cancel := context.WithCancel(e.ctx)
	e.mu.Lock()
	gen := e.loadGen.Add(1)
	if e.loadCancel != nil {
		e.loadCancel()
	}
	e.loadCancel = cancel
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer cancel()
		defer e.recoverLoad(src)
		av, rig, thumb, err := e.load(ctx, src, open, lim)
		if err != nil {
			switch {
			case e.ctx.Err() != nil:
				e.emitLoad(LoadEvent{Source: src, Stage: LoadFailed, Err: ErrClosed})
			case ctx.Err() != nil:
				e.emitLoad(LoadEvent{Source: src, Stage: LoadFailed, Err: ErrSuperseded, Superseded: true})
			default:
				e.emitLoad(LoadEvent{Source: src, Stage: LoadFailed, Err: err})
			}
			return
		}
		if !e.setAvatar(av, rig, thumb, src, gen) {
			e.emitLoad(LoadEvent{Source: src, Stage: LoadFailed, Err: ErrSuperseded, Superseded: true})
			return
		}
		e.emitLoad(LoadEvent{Source: src, Stage: LoadDone, Avatar: av})
		// Decoding needed the whole file and scratch buffers: give that
		// memory back to the OS now rather than over minutes.
		debug.FreeOSMemory()
	}()
}

// ThumbnailSize bounds the width and height of the meta thumbnail the engine
// keeps for the shown avatar (Engine.Thumbnail), pixels.
const ThumbnailSize = 256

// load reads and decodes one avatar, reporting progress, and returns it with
// a Rig for the main view and its thumbnail scaled to ThumbnailSize (nil
// when it has none).
func (e *Engine) load(ctx context.Context, src Source, open func() (io.ReadCloser, int64, error), lim vrm.Limits) (*vrm.Model, *vrm.Rig, *image.NRGBA, error) {
	e.emitLoad(LoadEvent{Source: src, Stage: LoadReading})
	rc, size, err := open()
	if err != nil {
		return nil, nil, nil, err
	}
	defer rc.Close()
	pr := &progressReader{r: rc, size: size, report: func(f float64) {
		e.emitLoad(LoadEvent{Source: src, Stage: LoadReading, Fraction: f})
	}}
	av, err := vrm.LoadContext(ctx, &decodingNotifier{pr: pr, decoding: func() {
		e.emitLoad(LoadEvent{Source: src, Stage: LoadDecoding, Fraction: 1})
	}}, lim)
	if err != nil {
		return nil, nil, nil, err
	}
	if e.cfg.faults.load != nil {
		e.cfg.faults.load(src)
	}
	// Build the Model's rest data and the main view's Rig, and scale the
	// thumbnail here, off the render and UI goroutines. Only the scaled
	// thumbnail is kept: a full one is often 1024² (4 MB).
	return av, vrm.NewRig(av), av.ThumbnailImage(ThumbnailSize), nil
}

// progressReader counts bytes read and reports the fraction at most every
// progressEvery.
type progressReader struct {
	r      io.Reader
	size   int64
	n      int64
	last   time.Time
	report func(float64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if now := time.Now(); p.size > 0 && now.Sub(p.last) >= progressEvery {
		p.last = now
		p.report(min(1, float64(p.n)/float64(p.size)))
	}
	return n, err
}

// decodingNotifier passes reads through and calls decoding once when the
// input is exhausted (vrm.Load reads the whole file before parsing it).
type decodingNotifier struct {
	pr       *progressReader
	decoding func()
	done     bool
}

// Size returns the input's size, so that the loader reads it into one
// buffer of the right size.
func (d *decodingNotifier) Size() int64 { return d.pr.size }

func (d *decodingNotifier) Read(b []byte) (int, error) {
	n, err := d.pr.Read(b)
	if err == io.EOF && !d.done {
		d.done = true
		d.decoding()
	}
	return n, err
}

// emitLoad hands a load event to Config.OnLoad.
func (e *Engine) emitLoad(ev LoadEvent) {
	if e.cfg.OnLoad != nil {
		e.cfg.OnLoad(ev)
	}
}

// DisplayName returns what to call an avatar: its meta name, else the
// source's name.
func DisplayName(av *vrm.Model, src Source) string {
	if av != nil {
		if n := strings.TrimSpace(av.Meta.Name); n != "" {
			return n
		}
	}
	return src.Name
}
