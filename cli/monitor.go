package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/kugutsu/kugutsu/protocol/osc"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

func init() {
	register("monitor", "receive VMC and show a live status table, or every message as JSON", runMonitor)
}

// monitorQueue bounds the datagrams waiting to be printed in --json mode;
// when the terminal cannot keep up, further datagrams are dropped and counted
// (the receiver itself never waits).
const monitorQueue = 1024

// runMonitor is `kugutsu monitor [--listen ADDR:PORT] [--json]`, a headless
// VMCProtocolMonitor: it listens like a Marionette and prints either each
// decoded OSC message as one JSON line, or once a second a status table
// (senders, rates, OK state, root, bones, blends, errors, unknown
// addresses). It returns nil when ctx is cancelled (Ctrl-C).
func runMonitor(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu monitor", "[--listen ADDR:PORT] [--json] [--interval DURATION]")
	listen := fs.String("listen", vmc.DefaultAddr, "UDP address to receive VMC on (IPv6: \"[::]:39539\")")
	asJSON := fs.Bool("json", false, "print every decoded message as one JSON line instead of the status table")
	interval := fs.Duration("interval", time.Second, "status table refresh interval")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *interval <= 0 {
		fmt.Fprintln(env.Stderr, "kugutsu monitor: --interval must be positive")
		return errUsage
	}

	var lc vmc.ListenConfig
	var queue chan datagram
	var dropped atomic.Uint64
	if *asJSON {
		queue = make(chan datagram, monitorQueue)
		lc.Tap = func(p []byte, from netip.AddrPort, at time.Time) {
			select {
			case queue <- datagram{append([]byte(nil), p...), from, at}:
			default:
				dropped.Add(1)
			}
		}
	}
	r, err := lc.Listen(ctx, *listen)
	if err != nil {
		return err
	}
	defer r.Close()
	fmt.Fprintf(env.Stderr, "kugutsu monitor: listening on %s (UDP); Ctrl-C to stop\n", r.Addr())

	if *asJSON {
		err = printJSON(ctx, env.Stdout, queue)
		if n := dropped.Load(); n > 0 {
			fmt.Fprintf(env.Stderr, "kugutsu monitor: %d datagrams dropped (output too slow)\n", n)
		}
		return err
	}
	tty := isTerminal(env.Stdout)
	tick := time.NewTicker(*interval)
	defer tick.Stop()
	var f vmc.Frame
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		r.Scene().Snapshot(&f)
		var b strings.Builder
		if tty {
			b.WriteString("\x1b[H\x1b[2J")
		}
		writeStatus(&b, r.Status(), &f, time.Now())
		if !tty {
			b.WriteString("\n")
		}
		if _, err := io.WriteString(env.Stdout, b.String()); err != nil {
			return err
		}
	}
}

type datagram struct {
	data []byte
	from netip.AddrPort
	at   time.Time
}

// jsonMessage is one line of `kugutsu monitor --json`.
type jsonMessage struct {
	Time    string `json:"time"`
	Sender  string `json:"sender"`
	Address string `json:"address,omitempty"`
	Types   string `json:"types,omitempty"`
	Args    []any  `json:"args,omitempty"`
	Error   string `json:"error,omitempty"`
}

func printJSON(ctx context.Context, w io.Writer, queue <-chan datagram) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var r osc.Reader
	var m osc.Message
	for {
		var d datagram
		select {
		case <-ctx.Done():
			return nil
		case d = <-queue:
		}
		base := jsonMessage{Time: d.at.Format(time.RFC3339Nano), Sender: d.from.String()}
		r.Reset(d.data)
		for {
			err := r.Next(&m)
			if err == osc.ErrDone {
				break
			}
			line := base
			if err != nil {
				line.Error = err.Error()
			} else {
				line.Address = string(m.Address)
				line.Types = "," + string(m.Tags)
				line.Args = jsonArgs(&m)
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
	}
}

// jsonArgs converts a message's arguments to JSON values: numbers, strings,
// booleans, null; blobs as base64; time tags as their raw 64-bit value;
// non-finite floats as the strings "NaN", "+Inf", "-Inf".
func jsonArgs(m *osc.Message) []any {
	a := m.Args()
	out := make([]any, 0, a.Len())
	for a.Len() > 0 {
		arg, err := a.Next()
		if err != nil {
			break
		}
		switch arg.Type {
		case 'i':
			out = append(out, arg.Int32())
		case 'f':
			out = append(out, jsonFloat(float64(arg.Float32()), arg.Float32()))
		case 'd':
			out = append(out, jsonFloat(arg.Float64(), arg.Float64()))
		case 'h':
			out = append(out, arg.Int64())
		case 's', 'S':
			out = append(out, string(arg.Bytes()))
		case 'b':
			out = append(out, arg.Bytes())
		case 't':
			out = append(out, uint64(arg.TimeTag()))
		case 'T', 'F':
			out = append(out, arg.Bool())
		case 'N':
			out = append(out, nil)
		default: // c r m I [ ]: the raw bytes, or the tag itself
			if raw := arg.Raw(); len(raw) > 0 {
				out = append(out, raw)
			} else {
				out = append(out, string(arg.Type))
			}
		}
	}
	return out
}

func jsonFloat(f float64, v any) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return v
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// tableBones are the bones the status table lists one per line; the 30
// finger bones are summarised.
var tableBones = []humanoid.Bone{
	humanoid.Hips, humanoid.Spine, humanoid.Chest, humanoid.UpperChest, humanoid.Neck, humanoid.Head,
	humanoid.LeftEye, humanoid.RightEye, humanoid.Jaw,
	humanoid.LeftShoulder, humanoid.LeftUpperArm, humanoid.LeftLowerArm, humanoid.LeftHand,
	humanoid.RightShoulder, humanoid.RightUpperArm, humanoid.RightLowerArm, humanoid.RightHand,
	humanoid.LeftUpperLeg, humanoid.LeftLowerLeg, humanoid.LeftFoot, humanoid.LeftToes,
	humanoid.RightUpperLeg, humanoid.RightLowerLeg, humanoid.RightFoot, humanoid.RightToes,
}

func vec(v vmc.Vec3) string { return fmt.Sprintf("(%7.3f %7.3f %7.3f)", v.X, v.Y, v.Z) }
func quat(q vmc.Quat) string {
	return fmt.Sprintf("(%6.3f %6.3f %6.3f %6.3f)", q.X, q.Y, q.Z, q.W)
}
func rgba(c vmc.Color) string { return fmt.Sprintf("rgba(%.2f %.2f %.2f %.2f)", c.R, c.G, c.B, c.A) }

func onOff(b bool, on, off string) string {
	if b {
		return on
	}
	return off
}

// kernelDrops is the datagrams the OS dropped (receive buffer full), or
// "n/a" where it does not say (vmc.Status.DropsCounted).
func kernelDrops(st vmc.Status) string {
	if !st.DropsCounted {
		return "n/a"
	}
	return fmt.Sprint(st.Dropped)
}

// writeStatus renders the status table.
func writeStatus(w io.Writer, st vmc.Status, f *vmc.Frame, now time.Time) {
	fmt.Fprintf(w, "kugutsu monitor — listening on %s — %s\n", st.Listen, now.Format("15:04:05"))
	fmt.Fprintf(w, "packets %d  messages %d  malformed %d  rejected %d  unknown %d  events dropped %d  read errors %d  kernel drops %s\n",
		st.Packets, st.Messages, st.Malformed, st.Rejected, st.Unknown, st.EventsDropped, st.ReadErrors, kernelDrops(st))
	if len(st.MalformedCauses) > 0 {
		var parts []string
		for _, c := range st.MalformedCauses {
			parts = append(parts, fmt.Sprintf("%s ×%d", c.Cause, c.Count))
		}
		fmt.Fprintf(w, "malformed: %s\n", strings.Join(parts, "; "))
	}
	if st.BlendKeysEvicted+st.DevicesEvicted > 0 {
		fmt.Fprintf(w, "evicted stale: %d blend keys, %d devices\n", st.BlendKeysEvicted, st.DevicesEvicted)
	}
	fmt.Fprintln(w)
	if len(st.Senders) == 0 {
		fmt.Fprintln(w, "waiting for a Performer…")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SENDER\tSTATE\tPKT/S\tMSG/S\tPACKETS\tMESSAGES\tMALFORMED\tREJECTED\tUNKNOWN\tNAMING\tLAST\t")
	for _, s := range st.Senders {
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%d\t%d\t%d\t%d\t%d\t%s\t%s ago\t\n", s.Addr,
			onOff(s.Connected, "connected", "silent"), s.PacketRate, s.MessageRate, s.Packets, s.Messages,
			s.Malformed, s.Rejected, s.Unknown, s.Naming, now.Sub(s.LastPacket).Round(100*time.Millisecond))
	}
	tw.Flush()
	fmt.Fprintln(w)

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if a := f.Available; a.Received {
		ok := onOff(a.Loaded, "loaded", "not loaded")
		if a.HasCalibration {
			ok += fmt.Sprintf(", %v (%v)", a.Calibration, a.Mode)
		}
		if a.HasTracking {
			ok += onOff(a.TrackingOK, ", tracking ok", ", tracking bad")
		}
		fmt.Fprintf(tw, "OK\t%s\n", ok)
	}
	if f.TimeReceived {
		fmt.Fprintf(tw, "T\t%.3f s\n", f.Time)
	}
	if r := f.Root; r.Received {
		line := fmt.Sprintf("pos %s rot %s", vec(r.Position), quat(r.Rotation))
		if r.MR {
			line += fmt.Sprintf(" MR scale %s offset %s", vec(r.Scale), vec(r.Offset))
		}
		fmt.Fprintf(tw, "Root\t%s\n", line)
	}
	if n := f.BonesReceived.Len(); n > 0 {
		fingers := 0
		for _, b := range f.BonesReceived.Bones() {
			if b.Group() == humanoid.GroupFingers {
				fingers++
			}
		}
		fmt.Fprintf(tw, "Bones\t%d/%d received (%s naming), %d/30 finger bones\n", n, humanoid.Count, f.Naming, fingers)
		for _, b := range tableBones {
			if t, ok := f.Bone(b); ok {
				fmt.Fprintf(tw, "  %s\tpos %s rot %s\n", b.UnityName(), vec(t.Position), quat(t.Rotation))
			}
		}
	}
	if len(f.Blends) > 0 {
		fmt.Fprintf(tw, "Blends\t%d keys\n", len(f.Blends))
		for i := 0; i < len(f.Blends); i += 6 {
			var row []string
			for _, b := range f.Blends[i:min(i+6, len(f.Blends))] {
				row = append(row, fmt.Sprintf("%s=%.2f", b.Name, b.Value))
			}
			fmt.Fprintf(tw, "\t%s\n", strings.Join(row, "  "))
		}
	}
	if c := f.Camera; c.Received {
		fmt.Fprintf(tw, "Camera\t%q pos %s rot %s fov %.1f°\n", c.Name, vec(c.Position), quat(c.Rotation), c.FOV)
	}
	if l := f.Light; l.Received {
		fmt.Fprintf(tw, "Light\t%q pos %s rot %s %s\n", l.Name, vec(l.Position), quat(l.Rotation), rgba(l.Color))
	}
	if f.Background.Received {
		fmt.Fprintf(tw, "Background\t%s\n", rgba(f.Background.Color))
	}
	if w := f.Window; w.Received {
		fmt.Fprintf(tw, "Window\ttop-most %v, transparent %v, click-through %v, hide border %v\n",
			w.TopMost, w.Transparent, w.ClickThrough, w.HideBorder)
	}
	if v := f.VRM; v.Received {
		fmt.Fprintf(tw, "VRM\t%q %q", v.Path, v.Title)
		if v.HasHash {
			fmt.Fprintf(tw, " sha256 %s", v.Hash)
		}
		fmt.Fprintln(tw)
	}
	if r := f.Remote; r.Received {
		fmt.Fprintf(tw, "Remote\t%s %s\n", r.Service, r.JSON)
	}
	if r := f.Receive; r.Received {
		fmt.Fprintf(tw, "Receive\t%s port %d", onOff(r.Enable, "enabled", "disabled"), r.Port)
		if r.HasIP {
			fmt.Fprintf(tw, " ip %s", r.IP)
		}
		fmt.Fprintln(tw)
	}
	if f.Option != "" {
		fmt.Fprintf(tw, "Option\t%q\n", f.Option)
	}
	if f.Config != "" {
		fmt.Fprintf(tw, "Config\t%q\n", f.Config)
	}
	for _, d := range f.Devices {
		fmt.Fprintf(tw, "%s%s\t%q pos %s rot %s\n", d.Kind, onOff(d.Local, "/Local", ""), d.Serial,
			vec(d.Position), quat(d.Rotation))
	}
	tw.Flush()

	var errs []vmc.AddressStatus
	for _, a := range st.Addresses {
		if a.ShortArgs+a.WrongType+a.Limited > 0 {
			errs = append(errs, a)
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(w, "\nDropped messages by address:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, a := range errs {
			fmt.Fprintf(tw, "  %s\t%d received\t%d too few args\t%d wrong type\t%d over a limit\n",
				a.Address, a.Messages, a.ShortArgs, a.WrongType, a.Limited)
		}
		tw.Flush()
	}
	if len(st.UnknownAddresses) > 0 {
		fmt.Fprintf(w, "\nUnknown addresses (%d messages, ignored):\n", st.Unknown)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, u := range st.UnknownAddresses {
			fmt.Fprintf(tw, "  %s\t%d\n", u.Address, u.Count)
		}
		tw.Flush()
	}
}
