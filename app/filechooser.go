package app

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rymdport/portal/filechooser"
)

// errNoChooser means no desktop file chooser could be asked: the caller
// shows Fyne's own dialog instead.
var errNoChooser = errors.New("no desktop file chooser")

// chooser asks one kind of desktop file chooser for a .vrm file to open,
// starting in dir. It returns the path, "" when the user cancelled, or
// errNoChooser (wrapped) when this kind is not available here.
type chooser func(ctx context.Context, dir string) (string, error)

// fileChoosers are tried in order (tests replace them): the XDG desktop
// portal (GNOME, KDE and others, also inside Flatpak; it takes typed paths
// and shows the desktop's recent files), then zenity and kdialog when
// installed.
var fileChoosers = []chooser{portalChooser, zenityChooser, kdialogChooser}

// chooseVRM asks the first available desktop file chooser. It blocks until
// the user answers: call it off the UI goroutine.
func chooseVRM(ctx context.Context, dir string) (string, error) {
	for _, c := range fileChoosers {
		path, err := c(ctx, dir)
		if errors.Is(err, errNoChooser) {
			continue
		}
		return path, err
	}
	return "", errNoChooser
}

// portalChooser uses org.freedesktop.portal.FileChooser over the session
// bus (xdg-desktop-portal), when a session bus is there to ask.
func portalChooser(_ context.Context, dir string) (string, error) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if rt := os.Getenv("XDG_RUNTIME_DIR"); rt == "" || !exists(filepath.Join(rt, "bus")) {
			return "", errNoChooser
		}
	}
	vrmFilter := &filechooser.Filter{Name: "VRM avatars", Rules: []filechooser.Rule{{Type: filechooser.GlobPattern, Pattern: "*.vrm"}, {Type: filechooser.GlobPattern, Pattern: "*.VRM"}}}
	uris, err := filechooser.OpenFile("", "Open VRM", &filechooser.OpenFileOptions{
		AcceptLabel: "Open", Filters: []*filechooser.Filter{vrmFilter}, CurrentFilter: vrmFilter, CurrentFolder: dir,
	})
	if err != nil {
		// No portal service on this bus (or it refused): try the next kind.
		return "", errors.Join(errNoChooser, err)
	}
	if len(uris) == 0 {
		return "", nil
	}
	return strings.TrimPrefix(uris[0], "file://"), nil
}

// zenityChooser runs zenity --file-selection (GTK desktops).
func zenityChooser(ctx context.Context, dir string) (string, error) {
	return runChooser(ctx, "zenity", "--file-selection", "--title=Open VRM",
		"--file-filter=VRM avatars | *.vrm *.VRM", "--filename="+dir+string(filepath.Separator))
}

// kdialogChooser runs kdialog --getopenfilename (KDE).
func kdialogChooser(ctx context.Context, dir string) (string, error) {
	return runChooser(ctx, "kdialog", "--title", "Open VRM", "--getopenfilename", dir, "*.vrm *.VRM|VRM avatars")
}

// runChooser runs a chooser program: the chosen path on standard output,
// exit status 1 for cancel.
func runChooser(ctx context.Context, name string, args ...string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", errors.Join(errNoChooser, err)
	}
	start := time.Now()
	out, err := exec.CommandContext(ctx, p, args...).Output()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return strings.TrimRight(string(out), "\r\n"), nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return "", nil // cancelled
	case time.Since(start) < time.Second:
		// It could not even start (no display for it…): the next kind.
		return "", errors.Join(errNoChooser, err)
	default:
		return "", err
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
