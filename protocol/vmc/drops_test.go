package vmc

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestKernelDropsCounted floods a receiver whose socket has a tiny receive
// buffer while its reader is held up, with a bounded number of datagrams:
// the kernel drops most of them, and Status says how many (it used to say
// nothing: "Errors: none" under a flood that lost 79.5 %).
func TestKernelDropsCounted(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("drop counts come from Linux's SO_RXQ_OVFL")
	}
	hold := make(chan struct{})
	held := make(chan struct{}, 1)
	first := true
	r := listen(t, "127.0.0.1:0", ListenConfig{
		ReadBuffer: 4096, // the kernel's minimum is about this: a few datagrams
		Tap: func([]byte, netip.AddrPort, time.Time) {
			if first { // the read goroutine stops here until the flood is sent
				first = false
				held <- struct{}{}
				<-hold
			}
		},
	})
	if st := r.Status(); !st.DropsCounted {
		t.Fatal("the drop counter could not be enabled")
	}
	s := dial(t, r)
	pkt := marshal(t, msg(AddrTime, float32(1)))
	if err := s.SendRaw(pkt); err != nil {
		t.Fatal(err)
	}
	<-held
	const flood = 2000
	for range flood {
		_ = s.SendRaw(pkt) // loopback: the receiving socket drops, not the sender
	}
	close(hold)
	// The count arrives with the next datagram read: send markers until
	// one shows, then until the scene has read everything queued.
	final := float32(2)
	waitFor(t, r.Scene(), "the final marker", func(f *Frame) bool {
		if f.Time == final {
			return true
		}
		_ = s.Time(final)
		return false
	})
	st := r.Status()
	t.Logf("sent %d, decoded %d, dropped %d", flood+1, st.Packets, st.Dropped)
	if st.Dropped == 0 || st.Dropped > flood {
		t.Errorf("Dropped = %d after %d datagrams into a %d-byte buffer", st.Dropped, flood, 4096)
	}
	if st.Packets+st.Dropped < flood {
		t.Errorf("decoded %d + dropped %d < %d sent", st.Packets, st.Dropped, flood)
	}
}

// TestListenPortInUse: a taken port is an error that errors.Is matches
// with ErrPortInUse (the app says so without reading the text).
func TestListenPortInUse(t *testing.T) {
	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, err = Listen(context.Background(), taken.LocalAddr().String())
	if !errors.Is(err, ErrPortInUse) {
		t.Fatalf("Listen on a taken port: %v; want ErrPortInUse", err)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("the cause is lost: %v", err)
	}
	if _, err := Listen(context.Background(), "256.1.1.1:0"); err == nil || errors.Is(err, ErrPortInUse) {
		t.Errorf("Listen on a bad address: %v", err)
	}
}
