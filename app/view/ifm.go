package view

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
	"github.com/kugutsu/kugutsu/retarget/face"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

// RecentError is how long a passing iFacialMocap error (a malformed
// frame, a failed send) stays in the panel after it happened.
const RecentError = 5 * time.Second

// IFMConn is the app's side of the iFacialMocap connection: a Connect in
// progress, and why the last one failed (nil after a success).
type IFMConn struct {
	Connecting bool
	Err        error
}

// IFM is what the iFacialMocap tab shows of the phone's connection.
type IFM struct {
	Light    Light
	Status   string // connection and fps
	Tracking string // face tracked or lost, "—" before any frame
	Counts   string // frames received, malformed, ignored, replaced; "—" before any
	Problem  string // what the user should act on, "" for nothing
	// Open: a connection is open or opening; the button reads Disconnect
	// (medium importance) and the phone's fields are locked. Else the
	// button reads Connect (high importance).
	Open   bool
	Button string
}

// IFMOf works out the iFacialMocap view at now from the client's status
// st (ok false when no client runs) and the app's side of the connection.
func IFMOf(st ifacialmocap.Status, ok bool, c IFMConn, now time.Time) IFM {
	v := IFM{Light: LightOff, Tracking: "—", Counts: "—"}
	switch {
	case c.Connecting:
		v.Status = "Connecting…"
	case !ok:
		v.Status = "Not connected"
		if c.Err != nil {
			v.Light = LightBad
		}
	case st.Connected:
		v.Status = fmt.Sprintf("Receiving · %.0f fps · %s %s", st.FPS, st.Mode, FormatName(st.V2))
		v.Light = LightOn
	case st.Received == 0:
		v.Status = "Waiting for the phone at " + st.Phone + "…"
	default:
		v.Status = "No data from the phone"
	}
	if ok && st.Err != nil {
		v.Light = LightBad
	}
	if ok && st.Received > 0 {
		v.Tracking = "Face tracked"
		if st.TrackingLost {
			v.Tracking = "Face lost: the phone cannot see your face"
		}
		v.Counts = fmt.Sprintf("%d received · %d malformed · %d from other addresses · %d replaced before drawing",
			st.Received, st.Malformed, st.Ignored, st.Dropped)
	}
	switch {
	case c.Err != nil:
		v.Problem = "Cannot connect: " + UserError(c.Err)
	case ok && st.Err != nil:
		v.Problem = UserError(st.Err)
	case ok && st.LastError != nil && now.Sub(st.LastErrorAt) < RecentError:
		v.Problem = "Last error: " + UserError(st.LastError)
	}
	v.Open = ok || c.Connecting
	v.Button = "Connect"
	if v.Open {
		v.Button = "Disconnect"
	}
	return v
}

// FormatName names the iFacialMocap frame format as the format choice
// does: "v2" when v2, else "v1".
func FormatName(v2 bool) string {
	if v2 {
		return "v2"
	}
	return "v1"
}

// UserError is err's message without the package prefix ("cancelled" for
// a cancelled context).
func UserError(err error) string {
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	return strings.TrimPrefix(err.Error(), "ifacialmocap: ")
}

// MappingText says which face mapping av gets in mode and why (how many
// of the 52 ARKit expressions it has); "No avatar yet." for nil.
func MappingText(av *vrm.Model, mode face.MappingMode) string {
	if av == nil {
		return "No avatar yet."
	}
	resolved, found := face.AvatarMapping(av, mode)
	has := fmt.Sprintf("it has %d of the %d ARKit expressions", found, arkit.Count)
	if found == 0 {
		has = "it has no ARKit expressions"
	}
	name := "VRM presets (blinks, aa/ih/ou/ee/oh, happy, surprised)"
	if resolved == face.MappingPerfectSync {
		name = "Perfect Sync"
	}
	if mode == face.MappingAuto {
		return fmt.Sprintf("Automatic chose %s for this avatar: %s.", name, has)
	}
	t := fmt.Sprintf("%s for this avatar (%s).", name, has)
	if resolved == face.MappingPerfectSync && found == 0 {
		t += " Only the head and eyes will move."
	}
	return t
}
