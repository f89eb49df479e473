//go:build linux

package vmc

import (
	"encoding/binary"
	"net"

	"golang.org/x/sys/unix"
)

// dropOOBSize is the control-message space for one SO_RXQ_OVFL counter.
var dropOOBSize = unix.CmsgSpace(4)

// enableDropCounter asks the kernel to attach to received datagrams the
// socket's count of datagrams it dropped because the receive buffer was
// full (SO_RXQ_OVFL, socket(7)), and reports whether it will.
func enableDropCounter(conn *net.UDPConn) bool {
	rc, err := conn.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1)
	}); err != nil || serr != nil {
		return false
	}
	return true
}

// parseDropCount finds the SO_RXQ_OVFL counter (a uint32 in host order,
// cumulative since the socket was made, wrapping) in a datagram's control
// messages. The kernel attaches it only once it is non-zero.
func parseDropCount(oob []byte) (uint32, bool) {
	for len(oob) > 0 {
		h, data, rest, err := unix.ParseOneSocketControlMessage(oob)
		if err != nil {
			return 0, false
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SO_RXQ_OVFL && len(data) >= 4 {
			return binary.NativeEndian.Uint32(data), true
		}
		oob = rest
	}
	return 0, false
}
