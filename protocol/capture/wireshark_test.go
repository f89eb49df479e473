package capture

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
)

// Wireshark reads a recording and its OSC dissector decodes the VMC
// messages (tshark, with the osc_udp heuristic Wireshark leaves off by
// default).
func TestWiresharkDecodesVMC(t *testing.T) {
	tshark := testutil.RequireTool(t, "tshark")
	f := &vmc.Frame{Naming: humanoid.NamingUnity, Time: 1.5, TimeReceived: true}
	f.Root.Received, f.Root.Rotation = true, vmc.Identity
	f.Bones[humanoid.Head] = vmc.Transform{Rotation: vmc.Identity}
	f.BonesReceived = f.BonesReceived.With(humanoid.Head)
	payload, err := vmctest.FrameBundle(f).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vmc.pcapng")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(out, WriterOptions{Application: "test", Interface: "vmc"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for i, src := range []string{"192.168.1.20:50123", "[fe80::1]:50124"} {
		d := Datagram{At: at.Add(time.Duration(i) * time.Millisecond), Src: netip.MustParseAddrPort(src), Payload: payload}
		d.Dst = netip.AddrPortFrom(netip.IPv4Unspecified(), 39539)
		if d.Src.Addr().Is6() {
			d.Dst = netip.AddrPortFrom(netip.IPv6Unspecified(), 39539)
		}
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	cmd := exec.Command(tshark, "-r", path, "--enable-heuristic", "osc_udp", "-o", "udp.check_checksum:TRUE",
		"-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ipv6.src", "-e", "udp.srcport", "-e", "udp.checksum.status", "-e", "osc.message.header.path")
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, got)
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	want := []string{
		"192.168.1.20||50123|1|/VMC/Ext/Root/Pos,/VMC/Ext/Bone/Pos,/VMC/Ext/T",
		"|fe80::1|50124|1|/VMC/Ext/Root/Pos,/VMC/Ext/Bone/Pos,/VMC/Ext/T",
	}
	if len(lines) != len(want) {
		t.Fatalf("tshark printed %q", got)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("packet %d: tshark %q, want %q (source | port | checksum good | OSC paths)", i, lines[i], want[i])
		}
	}
}
