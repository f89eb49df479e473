package output

import (
	"net"
	"os"
	"strings"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/shm"
	"github.com/jezek/xgb/xproto"
	"golang.org/x/sys/unix"
)

// shmSeg is a System V shared-memory segment attached both here and in the
// X server (MIT-SHM), which PutImage reads the pixels from without copying
// them through the socket.
type shmSeg struct {
	id  shm.Seg
	mem []byte
}

// newShm sets up a segment of size bytes, or returns nil when MIT-SHM
// cannot be used (a remote display, no extension, or the server cannot
// attach it): images then travel in PutImage requests.
func newShm(conn *xgb.Conn, size int, display string) *shmSeg {
	if !localDisplay(display) || shm.Init(conn) != nil {
		return nil
	}
	if _, err := shm.QueryVersion(conn).Reply(); err != nil {
		return nil
	}
	id, err := unix.SysvShmGet(unix.IPC_PRIVATE, size, unix.IPC_CREAT|0o600)
	if err != nil {
		return nil
	}
	mem, err := unix.SysvShmAttach(id, 0, 0)
	// Marked for removal now: the segment goes away when both we and the
	// server have detached, even if we crash.
	unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	if err != nil {
		return nil
	}
	xid, err := conn.NewId()
	if err != nil {
		unix.SysvShmDetach(mem)
		return nil
	}
	s := &shmSeg{id: shm.Seg(xid), mem: mem}
	if err := shm.AttachChecked(conn, s.id, uint32(id), true).Check(); err != nil {
		unix.SysvShmDetach(mem)
		return nil
	}
	return s
}

// put draws the segment's first width×height pixels (ZPixmap of the given
// depth, 32 bits a pixel) at the drawable's origin.
func (s *shmSeg) put(conn *xgb.Conn, d xproto.Drawable, gc xproto.Gcontext, width, height int, depth byte) error {
	return shm.PutImageChecked(conn, d, gc, uint16(width), uint16(height), 0, 0, uint16(width), uint16(height),
		0, 0, depth, xproto.ImageFormatZPixmap, 0, s.id, 0).Check()
}

func (s *shmSeg) close(conn *xgb.Conn) {
	shm.Detach(conn, s.id)
	xproto.GetInputFocus(conn).Reply() // the server has detached before we do
	unix.SysvShmDetach(s.mem)
}

// localDisplay reports whether the display name (or $DISPLAY when empty)
// names this machine (":N", "unix:N", a socket path, or a loopback host),
// the only case where the server can attach our segment.
func localDisplay(d string) bool {
	if d == "" {
		d = os.Getenv("DISPLAY")
	}
	host, _, _ := strings.Cut(d, ":")
	if host == "" || host == "unix" || strings.HasPrefix(d, "/") {
		return true
	}
	if ips, err := net.LookupIP(host); err == nil {
		for _, ip := range ips {
			if ip.IsLoopback() {
				return true
			}
		}
	}
	return false
}
