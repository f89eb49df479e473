package view

import "fmt"

// OutputWindow is the output window's state, as the app's outputWindow
// holds it.
type OutputWindow struct {
	Open bool
	// X11: an X11 32-bit ARGB window (ID) is open, drawn through MIT-SHM
	// when SharedMemory; else a plain window on the key colour, because
	// there is no X11 display or, NoARGB, no 32-bit ARGB visual.
	X11          bool
	ID           uint32
	SharedMemory bool
	NoARGB       bool
	// Width and Height are its size in pixels, FPS its images per second;
	// PerformerWindow: the Performer's window settings are in force.
	Width, Height   int
	FPS             float64
	PerformerWindow bool
}

// OutputText is the Output tab's status line for the output window.
func OutputText(o OutputWindow) string {
	switch {
	case !o.Open:
		return "Closed."
	case o.X11:
		how := "PutImage"
		if o.SharedMemory {
			how = "shared memory"
		}
		s := fmt.Sprintf("Open: X11 window 0x%x, %d×%d, 32-bit ARGB (%s), %.0f fps.", o.ID, o.Width, o.Height, how, o.FPS)
		if o.PerformerWindow {
			s += " The Performer's window settings are in force."
		}
		return s
	}
	why := "no X11 display"
	if o.NoARGB {
		why = "the X server has no 32-bit ARGB visual"
	}
	return fmt.Sprintf("Open as a plain window on the key colour (%s: no alpha), %d×%d, %.0f fps.", why, o.Width, o.Height, o.FPS)
}

// OutputButton is the Output tab's open/close button label for an output
// window that is set to open (or not).
func OutputButton(open bool) string {
	if open {
		return "Close output window"
	}
	return "Open output window"
}
