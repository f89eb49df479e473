package ifacialmocap

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"
)

// Ports (spec; field notes §6). Every one is configurable in [Options].
const (
	DefaultPhonePort = 49983 // the phone's UDP port for commands
	DefaultUDPPort   = 49983 // the PC's UDP port for frames (UDP mode)
	DefaultTCPPort   = 49986 // the PC's TCP port the phone connects to (TCP mode)
	DefaultBakePort  = 49987 // the PC's TCP port for the recorded animation
)

// Commands, sent as UDP datagrams to the phone's command port (spec).
const (
	CommandStartUDP    = "iFacialMocap_sahuasouryya9218sauhuiayeta91555dy3719"
	CommandStartTCP    = "iFacialMocap_UDPTCP_sahuasouryya9218sauhuiayeta91555dy3719"
	CommandStop        = "iFacialMocap_UDPTCPSTOP_sahuasouryya9218sauhuiayeta91555dy3719"
	CommandLookForward = "iFacialMocap_lookForward"
	CommandBake        = "iFacialMocap_bakeRecordedAnimation_start"
	// V2Suffix appended to a start command asks for the v2 frame format
	// ('&' between name and value; field notes §6).
	V2Suffix = "|sendDataVersion=v2"
)

// Mode is how frames travel from the phone.
type Mode uint8

// Transport modes.
const (
	ModeUDP Mode = iota // one frame per datagram to the PC's UDP port
	ModeTCP             // the phone connects to the PC's TCP port; frames end with Terminator
)

// String returns "UDP" or "TCP".
func (m Mode) String() string {
	if m == ModeTCP {
		return "TCP"
	}
	return "UDP"
}

// StartCommand returns the start command for a mode and format.
func StartCommand(m Mode, v2 bool) string {
	c := CommandStartUDP
	if m == ModeTCP {
		c = CommandStartTCP
	}
	if v2 {
		c += V2Suffix
	}
	return c
}

// ParseCommand splits a command datagram into its command (one of the
// Command constants) and whether it asks for the v2 format. ok is false for
// anything else. The fake phone in package ifmtest uses it.
func ParseCommand(b []byte) (cmd string, v2 bool, ok bool) {
	s := string(b)
	if rest, found := strings.CutSuffix(s, V2Suffix); found {
		s, v2 = rest, true
	}
	switch s {
	case CommandStartUDP, CommandStartTCP, CommandStop, CommandLookForward, CommandBake:
		return s, v2, true
	}
	return "", false, false
}

// PortInUseError is returned when a local port cannot be bound because
// something else holds it.
type PortInUseError struct {
	Network string // "UDP" or "TCP"
	Addr    string // the address asked for, "ADDR:PORT"
	Err     error  // the underlying error
}

// Error says which port is taken and what to do about it, for people.
func (e *PortInUseError) Error() string {
	port := e.Addr
	if _, p, err := net.SplitHostPort(e.Addr); err == nil {
		port = p
	}
	return fmt.Sprintf("%s port %s is already in use: another app may hold it — for example another "+
		"iFacialMocap receiver (iFacialMocap's PC software, VMagicMirror, VSeeFace, Warudo…) or another "+
		"kugutsu; close it or choose another port", e.Network, port)
}

// Unwrap returns the socket error.
func (e *PortInUseError) Unwrap() error { return e.Err }

// isAddrInUse reports whether err says the address is taken (EADDRINUSE, or
// Windows' WSAEADDRINUSE, 10048).
func isAddrInUse(err error) bool {
	var errno syscall.Errno
	return errors.Is(err, syscall.EADDRINUSE) || (errors.As(err, &errno) && errno == 10048)
}

// bindError turns a bind failure into a PortInUseError when that is what it is.
func bindError(network, addr string, err error) error {
	if isAddrInUse(err) {
		return &PortInUseError{Network: network, Addr: addr, Err: err}
	}
	return fmt.Errorf("ifacialmocap: listen on %s %s: %w", network, addr, err)
}

// NoDataError is the status of a client that has received nothing for a
// while. Its message lists what usually causes it (field notes §6).
type NoDataError struct {
	Phone string        // the phone's address, "IP:PORT"
	Mode  Mode          // the transport asked for
	Local string        // the local address the phone should send to
	For   time.Duration // how long nothing has arrived
}

// Error says that nothing has arrived from the phone and what to check, for
// people.
func (e *NoDataError) Error() string {
	host := e.Phone
	if h, _, err := net.SplitHostPort(e.Phone); err == nil {
		host = h
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no data from the phone at %s for %.0f s (%s mode, listening on %s). Check that: ",
		host, e.For.Seconds(), e.Mode, e.Local)
	b.WriteString("the phone's IP address is the one iFacialMocap shows and the phone is on the same network; ")
	port := e.Local
	if _, p, err := net.SplitHostPort(e.Local); err == nil {
		port = p
	}
	proto := strings.ToLower(e.Mode.String())
	fmt.Fprintf(&b, "this PC's firewall allows incoming %s port %s (Linux ufw: sudo ufw allow %s/%s; firewalld: sudo firewall-cmd --add-port=%s/%s; Windows: allow kugutsu on private networks); ",
		e.Mode, port, port, proto, port, proto)
	b.WriteString("iOS Settings › Privacy & Security › Local Network allows iFacialMocap; ")
	b.WriteString("no fixed destination IP is still set in the iFacialMocap app")
	if e.Mode == ModeUDP {
		b.WriteString("; or try TCP mode")
	}
	return b.String()
}
