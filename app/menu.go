package app

import (
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
		u.app.Quit()
	})
	quit.IsQuit = true
	quit.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
	about := fyne.NewMenuItem("About Kugutsu", u.showAbout)
	u.win.Canvas().AddShortcut(open.Shortcut, func(fyne.Shortcut) { u.showOpenDialog() })
	u.win.Canvas().AddShortcut(quit.Shortcut, func(fyne.Shortcut) { quit.Action() })
	return fyne.NewMainMenu(
		fyne.NewMenu("File", open, recent, playRec, fyne.NewMenuItemSeparator(), quit),
		fyne.NewMenu("Help", about),
	)
}

// showOpenDialog asks for a .vrm file and opens it.
func (u *ui) showOpenDialog() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
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
	if av, src := u.engine.Avatar(); av != nil && src.Path != "" {
		if dir, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(src.Path))); err == nil {
			d.SetLocation(dir)
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
