package app

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/vrm"
)

func ipnet(s string) *net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = ip
	return n
}

func TestPerformerTargets(t *testing.T) {
	list := func() ([]net.Addr, error) {
		return []net.Addr{ipnet("127.0.0.1/8"), ipnet("::1/128"), ipnet("fe80::1/64"), ipnet("203.0.113.7/24"),
			ipnet("192.168.1.20/24"), ipnet("fd00::5/64"), ipnet("169.254.3.3/16"), ipnet("2001:db8::9/64")}, nil
	}
	any4 := netip.MustParseAddrPort("0.0.0.0:39539")
	got := performerTargets(any4, list)
	want := []string{"192.168.1.20:39539", "203.0.113.7:39539", "127.0.0.1:39539"}
	if !slices.Equal(got, want) {
		t.Errorf("bound to 0.0.0.0: %v, want %v", got, want)
	}
	got = performerTargets(netip.MustParseAddrPort("[::]:39540"), list)
	want = []string{"192.168.1.20:39540", "203.0.113.7:39540", "[fd00::5]:39540", "[2001:db8::9]:39540", "127.0.0.1:39540", "[::1]:39540"}
	if !slices.Equal(got, want) {
		t.Errorf("bound to [::]: %v, want %v", got, want)
	}
	if got := performerTargets(netip.MustParseAddrPort("10.0.0.2:7000"), list); !slices.Equal(got, []string{"10.0.0.2:7000"}) {
		t.Errorf("bound to one address: %v", got)
	}
	// Every address shown is one of the machine's interface addresses.
	real, err := net.InterfaceAddrs()
	if err != nil {
		t.Skip(err)
	}
	for _, s := range performerTargets(any4, net.InterfaceAddrs) {
		ap := netip.MustParseAddrPort(s)
		found := false
		for _, a := range real {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(net.IP(ap.Addr().AsSlice())) {
				found = true
			}
		}
		if !found || ap.Addr().IsUnspecified() {
			t.Errorf("%s is not an interface address of this machine (%v)", s, real)
		}
	}
}

// TestSendToCopy: the Receiver card shows where to send and the copy button
// puts the first address on the clipboard.
func TestSendToCopy(t *testing.T) {
	a := test.NewTempApp(t)
	ls := newLiveStatus()
	ls.sendTo.Set(sendToText([]string{"192.168.1.20:39539", "127.0.0.1:39539"}))
	ls.sendFirst = "192.168.1.20:39539"
	copyBtn := newCopyButton(a, ls)
	test.Tap(copyBtn)
	if got := a.Clipboard().Content(); got != "192.168.1.20:39539" {
		t.Errorf("clipboard %q after copy", got)
	}
}

// TestTitleNamesTheAvatarOnce: the default avatar, itself called Kugutsu,
// does not make the title read "Kugutsu — Kugutsu".
func TestTitleNamesTheAvatarOnce(t *testing.T) {
	u := newTestUI(t)
	data, name := defaultAvatar()
	av, err := vrm.Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	u.avatarShown(av, marionette.Source{Name: name, Default: true})
	if got := u.win.Title(); got != "Kugutsu" {
		t.Errorf("title %q with the default avatar", got)
	}
	u.avatarShown(av, marionette.Source{Name: "mine.vrm", Path: "/x/mine.vrm"})
	if got := u.win.Title(); !strings.HasPrefix(got, "Kugutsu — ") {
		t.Errorf("title %q with a user's avatar", got)
	}
}

func TestFirewallHint(t *testing.T) {
	h := firewallHint(39539)
	for _, want := range []string{"sudo ufw allow 39539/udp", "sudo firewall-cmd --add-port=39539/udp", "Windows"} {
		if !strings.Contains(h, want) {
			t.Errorf("hint %q lacks %q", h, want)
		}
	}
}
