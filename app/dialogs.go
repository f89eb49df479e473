package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// keyedDialog is a shown dialog and what Return does in it.
type keyedDialog struct {
	d        dialog.Dialog
	onReturn func()
}

// showDialog shows d so that it answers the keyboard as desktop dialogs do
// (Fyne's own take no keys): Escape dismisses it, Return takes its default
// action — onReturn, or dismissing it when onReturn is nil (information and
// error dialogs). Dialogs stack: the keys reach the newest. Called on the UI
// goroutine.
func (u *ui) showDialog(d dialog.Dialog, onReturn func()) {
	k := &keyedDialog{d: d, onReturn: onReturn}
	u.dialogs = append(u.dialogs, k)
	d.SetOnClosed(func() {
		for i, x := range u.dialogs {
			if x == k {
				u.dialogs = append(u.dialogs[:i], u.dialogs[i+1:]...)
				break
			}
		}
	})
	d.Show()
	u.fast.update() // unmap the viewport's child window, which would hide the dialog
}

// showConfirm shows a yes/no question through showDialog: Return answers
// yes, Escape no.
func (u *ui) showConfirm(title, message string, answer func(bool)) {
	d := dialog.NewConfirm(title, message, answer, u.win)
	u.showDialog(d, d.Confirm)
}

// dialogKey handles Escape and Return for the newest dialog; other keys
// and keys with no dialog shown go on to next.
func (u *ui) dialogKey(ev *fyne.KeyEvent, next func(*fyne.KeyEvent)) {
	if n := len(u.dialogs); n > 0 {
		top := u.dialogs[n-1]
		switch ev.Name {
		case fyne.KeyEscape:
			top.d.Hide()
			return
		case fyne.KeyReturn, fyne.KeyEnter:
			if top.onReturn != nil {
				top.onReturn()
			} else {
				top.d.Hide()
			}
			return
		}
	}
	if next != nil {
		next(ev)
	}
}
