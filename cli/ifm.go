package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

func init() {
	register("ifm", "connect to an iPhone running iFacialMocap and print what it sends", runIFM)
}

// ifmFrame is one line of `kugutsu ifm --json`: a parsed frame with the
// fields it carried (blendshapes 0–1 under their ARKit names, angles in
// degrees, position in metres; see package ifacialmocap).
type ifmFrame struct {
	Seq         uint64             `json:"seq"`
	Time        time.Time          `json:"time"`
	Tracking    bool               `json:"tracking"`
	Format      string             `json:"format"`
	Blendshapes map[string]float32 `json:"blendshapes"`
	Head        *ifmHead           `json:"head,omitempty"`
	RightEye    *[3]float32        `json:"rightEye,omitempty"`
	LeftEye     *[3]float32        `json:"leftEye,omitempty"`
}

type ifmHead struct {
	Rotation [3]float32  `json:"rotation"`
	Position *[3]float32 `json:"position,omitempty"`
}

func newIFMFrame(seq uint64, t time.Time, f *ifacialmocap.Frame) ifmFrame {
	j := ifmFrame{Seq: seq, Time: t, Tracking: f.TrackingOK, Format: f.Format.String(),
		Blendshapes: make(map[string]float32, arkit.Count)}
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		if f.Has(s) {
			j.Blendshapes[s.String()] = f.Blendshapes[s]
		}
	}
	if f.Present&ifacialmocap.PresentHeadRotation != 0 {
		j.Head = &ifmHead{Rotation: f.HeadRotation}
		if f.Present&ifacialmocap.PresentHeadPosition != 0 {
			p := f.HeadPosition
			j.Head.Position = &p
		}
	}
	if f.Present&ifacialmocap.PresentRightEye != 0 {
		e := f.RightEye
		j.RightEye = &e
	}
	if f.Present&ifacialmocap.PresentLeftEye != 0 {
		e := f.LeftEye
		j.LeftEye = &e
	}
	return j
}

func runIFM(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu ifm", "--phone IP[:PORT] [--listen ADDR:PORT] [--tcp] [--v2] [--json] [--bake FILE]")
	var (
		phone, listen, bakeListen, bakeFile string
		tcp, v2, asJSON                     bool
	)
	fs.StringVar(&phone, "phone", "", "the phone's IP address as iFacialMocap shows it, optionally with its command port (default 49983)")
	fs.StringVar(&listen, "listen", "", "local address frames arrive on (default :49983 for UDP, :49986 with --tcp)")
	fs.BoolVar(&tcp, "tcp", false, "TCP mode: the phone connects to us (for networks that lose UDP)")
	fs.BoolVar(&v2, "v2", false, "ask for the v2 frame format ('&' separators)")
	fs.BoolVar(&asJSON, "json", false, "print every frame as a JSON line instead of a status line a second")
	fs.StringVar(&bakeFile, "bake", "", "fetch the animation recorded on the phone into FILE (a JSON array of frames) and exit")
	fs.StringVar(&bakeListen, "bake-listen", "", "local TCP address for the recording (default :49987)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if phone == "" {
		fmt.Fprintln(env.Stderr, "kugutsu ifm: --phone is required")
		fs.Usage()
		return errUsage
	}
	opts := ifacialmocap.Options{V2: v2, ListenBake: bakeListen}
	if tcp {
		opts.Mode, opts.ListenTCP = ifacialmocap.ModeTCP, listen
	} else {
		opts.ListenUDP = listen
	}
	if bakeFile != "" {
		return bakeToFile(ctx, env, phone, opts, bakeFile)
	}

	// --json: the network goroutine hands frames to the printer through a
	// buffer; when stdout cannot keep up, frames are skipped and counted.
	type arrived struct {
		f ifacialmocap.Frame
		t time.Time
	}
	frames := make(chan arrived, 256)
	var skipped atomic.Uint64
	if asJSON {
		opts.OnFrame = func(f *ifacialmocap.Frame) {
			select {
			case frames <- arrived{*f, time.Now()}:
			default:
				skipped.Add(1)
			}
		}
	}
	c, err := ifacialmocap.Connect(ctx, phone, opts)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(env.Stderr, "kugutsu ifm: asked %s for frames (%s, %s); receiving on %s; Ctrl-C stops\n",
		c.Phone(), opts.Mode, map[bool]string{false: "v1", true: "v2"}[v2], c.LocalAddr())

	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var seq uint64
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			c.Close()
			if n := skipped.Load(); n > 0 {
				fmt.Fprintf(env.Stderr, "kugutsu ifm: %d frames not printed (output too slow)\n", n)
			}
			return nil
		case a := <-frames:
			seq++
			if err := enc.Encode(newIFMFrame(seq, a.t, &a.f)); err != nil {
				return err
			}
			if len(frames) == 0 {
				if err := out.Flush(); err != nil {
					return err
				}
			}
		case <-tick.C:
			st := c.Status()
			if !asJSON {
				fmt.Fprintln(out, st.String())
				if err := out.Flush(); err != nil {
					return err
				}
			} else if st.Err != nil && st.Err.Error() != lastErr {
				fmt.Fprintln(env.Stderr, "kugutsu ifm:", st.Err)
			}
			lastErr = ""
			if st.Err != nil {
				lastErr = st.Err.Error()
			}
		}
	}
}

// bakeToFile fetches the phone's recording into file, replacing it only once
// the whole recording has arrived.
func bakeToFile(ctx context.Context, env Env, phone string, opts ifacialmocap.Options, file string) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	fmt.Fprintf(env.Stderr, "kugutsu ifm: asking %s for its recorded animation\n", phone)
	n, err := ifacialmocap.FetchRecording(ctx, phone, opts, tmp)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	r, err := os.Open(tmp.Name())
	if err != nil {
		return err
	}
	frames, err := ifacialmocap.DecodeRecording(r)
	r.Close()
	if err != nil {
		return err
	}
	bad := 0
	var f ifacialmocap.Frame
	for _, s := range frames {
		if ifacialmocap.ParseString(s, &f) != nil {
			bad++
		}
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return err
	}
	msg := fmt.Sprintf("saved %d frames (%d bytes, %.1f s at 60 fps) to %s", len(frames), n, float64(len(frames))/60, file)
	if bad > 0 {
		msg += fmt.Sprintf("; %d of them are malformed", bad)
	}
	fmt.Fprintln(env.Stdout, msg)
	if bad == len(frames) && bad > 0 {
		return errors.New("the recording holds no valid frame")
	}
	return nil
}
