package output

import (
	"encoding/binary"

	"github.com/jezek/xgb/shape"
	"github.com/jezek/xgb/xfixes"
	"github.com/jezek/xgb/xproto"
)

// atom interns an atom name, caching it. Called with w.mu held or before
// the window is shared.
func (w *Window) atom(name string) xproto.Atom {
	if a, ok := w.atoms[name]; ok {
		return a
	}
	r, err := xproto.InternAtom(w.conn, false, uint16(len(name)), name).Reply()
	if err != nil {
		return 0
	}
	w.atoms[name] = r.Atom
	return r.Atom
}

func (w *Window) setProp(prop, typ xproto.Atom, format byte, data []byte) {
	unit := int(format) / 8
	xproto.ChangeProperty(w.conn, xproto.PropModeReplace, w.win, prop, typ, format, uint32(len(data)/unit), data)
}

func (w *Window) setAtoms(prop string, names ...string) {
	data := make([]byte, 4*len(names))
	for i, n := range names {
		binary.LittleEndian.PutUint32(data[4*i:], uint32(w.atom(n)))
	}
	// X properties of format 32 travel in the client's byte order, which
	// xgb always sends as LSBFirst.
	w.setProp(w.atom(prop), xproto.AtomAtom, 32, data)
}

// setTitle sets _NET_WM_NAME (UTF-8), WM_NAME and WM_CLASS ("kugutsu",
// "Kugutsu"), which OBS's window list shows.
func (w *Window) setTitle(title string) {
	w.setProp(w.atom("_NET_WM_NAME"), w.atom("UTF8_STRING"), 8, []byte(title))
	w.setProp(xproto.AtomWmName, xproto.AtomString, 8, []byte(title))
	w.setProp(xproto.AtomWmClass, xproto.AtomString, 8, []byte("kugutsu-output\x00Kugutsu\x00"))
}

// setFixedSize sets WM_NORMAL_HINTS (ICCCM §4.1.2.3): minimum and maximum
// size equal to the size, so the window manager keeps it; with place, the
// position is the user's (USPosition).
func (w *Window) setFixedSize(width, height int, place bool) {
	const (
		usPosition = 1 << 0
		pMinSize   = 1 << 4
		pMaxSize   = 1 << 5
	)
	flags := uint32(pMinSize | pMaxSize)
	if place {
		flags |= usPosition
	}
	hints := make([]byte, 18*4)
	binary.LittleEndian.PutUint32(hints[0:], flags)
	binary.LittleEndian.PutUint32(hints[5*4:], uint32(width))
	binary.LittleEndian.PutUint32(hints[6*4:], uint32(height))
	binary.LittleEndian.PutUint32(hints[7*4:], uint32(width))
	binary.LittleEndian.PutUint32(hints[8*4:], uint32(height))
	w.setProp(xproto.AtomWmNormalHints, xproto.AtomWmSizeHints, 32, hints)
}

// setProtocols asks for WM_DELETE_WINDOW, so closing the window reaches
// OnClose instead of killing the connection.
func (w *Window) setProtocols() {
	data := make([]byte, 4)
	binary.LittleEndian.PutUint32(data, uint32(w.atom("WM_DELETE_WINDOW")))
	w.setProp(w.atom("WM_PROTOCOLS"), xproto.AtomAtom, 32, data)
}

// applyFlags sets the window-manager options: the _NET_WM_STATE property
// (read by window managers when the window is mapped, and by tests), a
// _NET_WM_STATE client message to the root for each change on a mapped
// window (EWMH "_NET_WM_STATE"), _MOTIF_WM_HINTS for decorations, and the
// input shape for click-through.
func (w *Window) applyFlags(f Flags, mapped bool) {
	var state []string
	if f.AlwaysOnTop {
		state = append(state, "_NET_WM_STATE_ABOVE")
	}
	if f.SkipTaskbar {
		state = append(state, "_NET_WM_STATE_SKIP_TASKBAR", "_NET_WM_STATE_SKIP_PAGER")
	}
	w.setAtoms("_NET_WM_STATE", state...)
	if mapped {
		w.wmState(f.AlwaysOnTop, "_NET_WM_STATE_ABOVE", "")
		w.wmState(f.SkipTaskbar, "_NET_WM_STATE_SKIP_TASKBAR", "_NET_WM_STATE_SKIP_PAGER")
	}

	// _MOTIF_WM_HINTS: flags (2 = decorations given), functions,
	// decorations (0 none, 1 all), input mode, status.
	motif := make([]byte, 5*4)
	binary.LittleEndian.PutUint32(motif[0:], 2)
	if f.Border {
		binary.LittleEndian.PutUint32(motif[8:], 1)
	}
	hints := w.atom("_MOTIF_WM_HINTS")
	w.setProp(hints, hints, 32, motif)

	if w.fixes {
		region := xfixes.Region(0) // None: the default input shape
		if f.ClickThrough {
			if id, err := w.conn.NewId(); err == nil {
				region = xfixes.Region(id)
				xfixes.CreateRegion(w.conn, region, nil)
			}
		}
		xfixes.SetWindowShapeRegion(w.conn, w.win, shape.SkInput, 0, 0, region)
		if region != 0 {
			xfixes.DestroyRegion(w.conn, region)
		}
	}
}

// wmState sends an EWMH _NET_WM_STATE client message adding or removing
// one or two state atoms.
func (w *Window) wmState(on bool, a, b string) {
	action := uint32(0) // _NET_WM_STATE_REMOVE
	if on {
		action = 1 // _NET_WM_STATE_ADD
	}
	var second uint32
	if b != "" {
		second = uint32(w.atom(b))
	}
	ev := xproto.ClientMessageEvent{
		Format: 32, Window: w.win, Type: w.atom("_NET_WM_STATE"),
		Data: xproto.ClientMessageDataUnionData32New([]uint32{action, uint32(w.atom(a)), second, 1, 0}),
	}
	xproto.SendEvent(w.conn, false, w.screen.Root,
		xproto.EventMaskSubstructureNotify|xproto.EventMaskSubstructureRedirect, string(ev.Bytes()))
}

// HasClickThrough reports whether the server supports click-through
// (XFixes 2 with the Shape extension).
func (w *Window) HasClickThrough() bool { return w.fixes }
