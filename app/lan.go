package app

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// performerTargets returns the addresses a Performer on another machine
// should send to, as "IP:PORT", best first: when the receiver is bound to
// one address, that address; when bound to every interface (0.0.0.0 or
// [::]), this machine's private LAN addresses (IPv4 first), then its other
// global addresses — never the bind address itself, which a Performer
// cannot send to. Loopback addresses come last, for a Performer on this
// machine. ifaceAddrs lists the interface addresses (net.InterfaceAddrs,
// injected by tests).
func performerTargets(bound netip.AddrPort, ifaceAddrs func() ([]net.Addr, error)) []string {
	port := bound.Port()
	if a := bound.Addr().Unmap(); a.IsValid() && !a.IsUnspecified() {
		return []string{netip.AddrPortFrom(a, port).String()}
	}
	addrs, err := ifaceAddrs()
	if err != nil {
		return nil
	}
	type cand struct {
		a    netip.Addr
		rank int
	}
	var cs []cand
	for _, ad := range addrs {
		var ip net.IP
		switch v := ad.(type) {
		case *net.IPNet:
			ip = v.IP
		case *net.IPAddr:
			ip = v.IP
		default:
			continue
		}
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		a = a.Unmap()
		if bound.Addr().Is4() && !a.Is4() {
			continue // an IPv4-only socket
		}
		rank := 0
		switch {
		case a.IsLoopback():
			rank = 6
		case a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified():
			continue
		case a.IsPrivate() && a.Is4():
			rank = 0
		case a.IsPrivate():
			rank = 2
		case a.Is4():
			rank = 1
		default:
			rank = 3
		}
		cs = append(cs, cand{a, rank})
	}
	slices.SortStableFunc(cs, func(x, y cand) int { return x.rank - y.rank })
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		s := netip.AddrPortFrom(c.a, port).String()
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// firewallHint tells how to let a Performer's UDP packets in on the usual
// Linux firewalls (ufw on Debian/Ubuntu, firewalld on Fedora) and Windows.
func firewallHint(port uint16) string {
	return fmt.Sprintf("Nothing arriving? Allow UDP port %d in this machine's firewall — "+
		"ufw: sudo ufw allow %d/udp · firewalld: sudo firewall-cmd --add-port=%d/udp "+
		"(add --permanent to keep it) · Windows: allow kugutsu on private networks.", port, port, port)
}

// sendToText is the Receiver card's "Send to" line.
func sendToText(targets []string) string {
	if len(targets) == 0 {
		return "(no network address: only a Performer on this machine can reach it, at 127.0.0.1)"
	}
	return strings.Join(targets, "   ")
}
