package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/vrma"
)

func init() {
	register("export", "export a recording as VRM Animation (.vrma) or BVH", runExport)
}

// maxRecordingDatagrams bounds the datagrams read from a recording for
// export and offline render (a 60 fps Performer sends about 120 a second:
// some 23 hours).
const maxRecordingDatagrams = 10_000_000

// runExport is `kugutsu export REC --format vrma|bvh --out FILE [--vrm
// AVATAR] [--fps N]`.
func runExport(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu export", "REC --format vrma|bvh --out FILE [--vrm AVATAR.vrm] [--fps N] [--port N]")
	format := fs.String("format", "vrma", "`FORMAT`: vrma (VRM Animation 1.0) or bvh")
	out := fs.StringP("out", "o", "", "output `FILE`; required")
	avatar := fs.String("vrm", "", "avatar whose skeleton and expressions the take is retargeted to (default: the built-in doll)")
	fps := fs.Float64("fps", 30, "keyframes per second, 1–240 (VRM Animation suggests 30)")
	port := fs.Uint16("port", 0, "use the datagrams recorded to UDP `PORT`; 0: the VMC (OSC) ones")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	bad := func(format string, a ...any) error {
		fmt.Fprintf(env.Stderr, "kugutsu export: "+format+"\n", a...)
		fs.Usage()
		return errUsage
	}
	if *out == "" {
		return bad("--out is required")
	}
	if !(*fps >= 1 && *fps <= 240) {
		return bad("--fps %v is not between 1 and 240", *fps)
	}
	if *format != "vrma" && *format != "bvh" {
		return bad("--format %q is neither vrma nor bvh", *format)
	}
	ds, err := readRecordingFile(env, fs.Arg(0), *port)
	if err != nil {
		return err
	}
	av, err := loadAvatarOrDoll(*avatar)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	var keys int
	switch *format {
	case "vrma":
		b := vrma.NewBuilder(av)
		if err := samplePoses(ctx, ds, av, *fps, b.Add); err != nil {
			return err
		}
		if err := b.Encode(&buf); err != nil {
			return err
		}
		keys = b.Keys()
	case "bvh":
		b := newBVH(av, *fps)
		if err := samplePoses(ctx, ds, av, *fps, b.add); err != nil {
			return err
		}
		if err := b.write(&buf); err != nil {
			return err
		}
		keys = b.frames
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "kugutsu export: %d keyframes at %g fps (%s) to %s\n", keys, *fps,
		time.Duration(float64(keys-1)/(*fps)*float64(time.Second)).Round(time.Millisecond), *out)
	return nil
}

// readRecordingFile reads the datagrams of a recording: those sent to
// port, or with port 0 the OSC ones. A recording cut short by a crash is read up to the cut, with
// a note on stderr.
func readRecordingFile(env Env, path string, port uint16) ([]capture.Datagram, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ds, err := capture.ReadAll(bufio.NewReader(f), maxRecordingDatagrams)
	if errors.Is(err, capture.ErrTruncated) {
		fmt.Fprintf(env.Stderr, "kugutsu: %s ends inside a block (a recording cut short): using what precedes it\n", path)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Without a port, keep the OSC packets (a message starts with '/', a
	// bundle with "#bundle"): the VMC stream, not iFacialMocap frames.
	kept, other := ds[:0], 0
	for _, d := range ds {
		if (port != 0 && d.Dst.Port() == port) || (port == 0 && capture.IsOSC(d.Payload)) {
			kept = append(kept, d)
		} else {
			other++
		}
	}
	ds = kept
	if port == 0 && other > 0 {
		fmt.Fprintf(env.Stderr, "kugutsu: %s: %d datagrams that are not OSC (iFacialMocap frames) left out\n", path, other)
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("%s: no datagrams", path)
	}
	return ds, nil
}

// loadAvatarOrDoll loads path, or the built-in doll for "".
func loadAvatarOrDoll(path string) (*vrm.Model, error) {
	if path == "" {
		return vrm.Load(bytes.NewReader(assets.DefaultVRM()))
	}
	return vrm.LoadFile(path)
}

// samplePoses replays ds at fps frames a second through the Marionette's
// poser with its default options (the window's: root and hips position
// applied, no smoothing) and calls key with each pose from the first
// datagram on, t seconds from it.
func samplePoses(ctx context.Context, ds []capture.Datagram, av *vrm.Model, fps float64, key func(t float32, p *vrm.Pose) error) error {
	tl := marionette.NewTimeline(ds)
	poser, opts := retarget.NewPoser(av), retarget.DefaultOptions()
	n := int(math.Floor(tl.Duration().Seconds()*fps)) + 1
	for k := range n {
		if k%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		t := float64(k) / fps
		f := tl.At(time.Duration(t * float64(time.Second)))
		dt := 1 / fps
		if k == 0 {
			dt = 0
		}
		poser.Update(f, opts, nil, retarget.VMCOnly(), dt)
		if err := key(float32(t), poser.Pose()); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file renamed
// into place, so a failed export leaves no half-written file.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
