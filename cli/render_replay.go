package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/vrm"
)

// maxReplayFrames bounds an offline render (an hour at 60 fps).
const maxReplayFrames = 216_000

// renderReplay renders the recording rec on the avatar at path, fps frames
// a second from its first datagram, into a PNG sequence in the directory
// o.out (frame_000000.png, …; created if needed) or, for an o.out ending in
// .webm, a VP9 video with alpha through ffmpeg. Each frame is posed by the
// Marionette's poser (default options) and spring bones are stepped by
// exactly 1/fps, so the output depends only on the inputs: the same command
// writes the same bytes. The camera frames the rest pose once.
func renderReplay(ctx context.Context, env Env, path, rec string, fps float64, o *renderOptions) error {
	ds, err := readRecordingFile(env, rec, 0)
	if err != nil {
		return err
	}
	av, err := vrm.LoadFile(path)
	if err != nil {
		return err
	}
	rig := vrm.NewRig(av) // spring bones on
	cam := o.cameraFor(av, rig.Pose(nil))

	var sink frameSink
	if strings.EqualFold(filepath.Ext(o.out), ".webm") {
		if o.w%2 != 0 || o.h%2 != 0 {
			return fmt.Errorf("--size %dx%d: VP9 with alpha (yuva420p) needs an even width and height", o.w, o.h)
		}
		if sink, err = newFFmpegSink(ctx, o.out, fps); err != nil {
			return err
		}
	} else {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return err
		}
		sink = dirSink(o.out)
	}
	r := render.New(render.Options{})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, o.w, o.h))
	k := 0
	err = samplePoses(ctx, ds, av, fps, func(t float32, p *vrm.Pose) error {
		if k >= maxReplayFrames {
			return fmt.Errorf("more than %d frames: render a shorter recording or a lower --fps", maxReplayFrames)
		}
		dt := float32(0)
		if k > 0 {
			dt = float32(1 / fps)
		}
		f := rig.Update(p, dt)
		s := render.DefaultScene(av, f, cam)
		s.Background, s.AA, s.HideOutlines, s.Time = o.background, o.aa, o.noOutlines, t
		r.Render(img, s)
		if err := sink.frame(k, img); err != nil {
			return err
		}
		k++
		return nil
	})
	if cerr := sink.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "kugutsu render: %d frames at %g fps to %s\n", k, fps, o.out)
	return nil
}

// frameSink takes the rendered frames in order.
type frameSink interface {
	frame(k int, img *image.RGBA) error
	close() error
}

// dirSink writes frame_%06d.png files into a directory.
type dirSink string

func (d dirSink) frame(k int, img *image.RGBA) error {
	return writeImage(Env{}, filepath.Join(string(d), fmt.Sprintf("frame_%06d.png", k)), img)
}

func (dirSink) close() error { return nil }

// ffmpegSink pipes PNG frames into ffmpeg, which encodes VP9 with alpha
// (yuva420p) into a WebM file.
type ffmpegSink struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	w      *bufio.Writer
	stderr strings.Builder
}

func newFFmpegSink(ctx context.Context, out string, fps float64) (*ffmpegSink, error) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, errors.New("writing .webm needs ffmpeg, which is not installed: give --out a directory for a PNG sequence")
	}
	s := &ffmpegSink{}
	s.cmd = exec.CommandContext(ctx, bin, "-hide_banner", "-loglevel", "error", "-y",
		"-f", "image2pipe", "-framerate", fmt.Sprint(fps), "-c:v", "png", "-i", "-",
		"-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p", "-auto-alt-ref", "0", "-b:v", "0", "-crf", "30", out)
	s.cmd.Stderr = &s.stderr
	if s.in, err = s.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	s.w = bufio.NewWriter(s.in)
	return s, nil
}

func (s *ffmpegSink) frame(_ int, img *image.RGBA) error {
	if err := png.Encode(s.w, img); err != nil {
		return fmt.Errorf("ffmpeg: %w (%s)", err, strings.TrimSpace(s.stderr.String()))
	}
	return nil
}

func (s *ffmpegSink) close() error {
	err := s.w.Flush()
	s.in.Close()
	if werr := s.cmd.Wait(); werr != nil {
		return fmt.Errorf("ffmpeg: %v: %s", werr, strings.TrimSpace(s.stderr.String()))
	}
	return err
}
