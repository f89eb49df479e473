package app

import (
	"errors"
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/marionette"
)

// makeMainMenu returns File (Open VRM…, Open Recent, Play recording…,
// Quit) and Help
// (About).
func (u *ui) makeMainMenu() *fyne.MainMenu {
	open := fyne.NewMenuItem("Open VRM…", u.showOpenDialog)
	open.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	recent := fyne.NewMenuItem("Open Recent", nil)
	recent.ChildMenu = fyne.NewMenu("")
	for _, p := range u.set.recent() {
		recent.ChildMenu.Items = append(recent.ChildMenu.Items, fyne.NewMenuItem(fileName(p)+"  —  "+filepath.Dir(p), func() { u.open(p) }))
	}
	if def, _ := defaultAvatar(); def != nil {
		if len(recent.ChildMenu.Items) > 0 {
			recent.ChildMenu.Items = append(recent.ChildMenu.Items, fyne.NewMenuItemSeparator())
		}
		recent.ChildMenu.Items = append(recent.ChildMenu.Items, fyne.NewMenuItem("Default avatar", u.loadDefault))
	}
	recent.Disabled = len(recent.ChildMenu.Items) == 0
	playRec := fyne.NewMenuItem("Play recording…", u.showPlayRecordingDialog)
	quit := fyne.NewMenuItem("Quit", func() {
		u.saveWindowSize()
		u.quitWatch()
		u.app.Quit()
	})
	quit.IsQuit = true
	quit.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
	about := fyne.NewMenuItem("About Kugutsu", u.showAbout)
	panel := fyne.NewMenuItem("Show or hide the side panel", u.togglePanel)
	panel.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyB, Modifier: fyne.KeyModifierShortcutDefault}
	u.win.Canvas().AddShortcut(open.Shortcut, func(fyne.Shortcut) { u.showOpenDialog() })
	u.win.Canvas().AddShortcut(quit.Shortcut, func(fyne.Shortcut) { quit.Action() })
	u.win.Canvas().AddShortcut(panel.Shortcut, func(fyne.Shortcut) { u.togglePanel() })
	return fyne.NewMainMenu(
		fyne.NewMenu("File", open, recent, playRec, fyne.NewMenuItemSeparator(), quit),
		fyne.NewMenu("View", panel),
		fyne.NewMenu("Help", about),
	)
}

// showOpenDialog asks for a .vrm file and opens it.
func (u *ui) showOpenDialog() {
	dir := ""
	if av, src := u.engine.Avatar(); av != nil && src.Path != "" {
		dir = filepath.Dir(src.Path)
	}
	if !u.choosing.CompareAndSwap(false, true) {
		return // a desktop chooser is already open
	}
	go func() {
		defer u.choosing.Store(false)
		path, err := chooseVRM(u.ifmCtx, dir)
		fyne.Do(func() {
			switch {
			case errors.Is(err, errNoChooser):
				u.showFyneOpenDialog(dir)
			case err != nil:
				u.showDialog(dialog.NewError(fmt.Errorf("the file chooser failed: %w", err), u.win), nil)
			case path != "":
				u.open(path)
			}
		})
	}()
}

// showFyneOpenDialog shows Fyne's own file dialog, for desktops without a
// chooser of their own (no portal, zenity or kdialog).
func (u *ui) showFyneOpenDialog(dir string) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.showDialog(dialog.NewError(err, u.win), nil)
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		r.Close()
		u.open(path)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".vrm"}))
	if dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Show()
	d.Resize(fyne.NewSize(800, 560)) // after Show: fyne 2.8.1's FileDialog.Resize dereferences the dialog Show makes
}

// makeViewportToolbar returns the buttons over the viewport: frame the
// avatar again, and use the Performer's camera.
func makeViewportToolbar(e *marionette.Engine, s *settings) fyne.CanvasObject {
	reset := widget.NewButtonWithIcon("", theme.ViewRestoreIcon(), e.ResetView)
	reset.Importance = widget.LowImportance
	cam := widget.NewCheckWithData("Performer's camera", s.perfCamera)
	return container.NewHBox(cam, reset)
}
