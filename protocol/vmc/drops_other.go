//go:build !linux

package vmc

import "net"

// dropOOBSize is 0: only Linux reports the socket's drops (SO_RXQ_OVFL).
var dropOOBSize = 0

// enableDropCounter reports false: this system does not count the socket's
// drops for us.
func enableDropCounter(*net.UDPConn) bool { return false }

func parseDropCount([]byte) (uint32, bool) { return 0, false }
