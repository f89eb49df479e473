package app

import (
	"net/netip"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/app/view"
	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
)

// ifmRecordedDst is the destination recorded for iFacialMocap frames: the
// PC's frame port (ifacialmocap.DefaultUDPPort) on every interface.
var ifmRecordedDst = netip.AddrPortFrom(netip.IPv4Unspecified(), ifacialmocap.DefaultUDPPort)

// recordingMaxBytes bounds a recording made from the window, as the
// command line's default does.
const recordingMaxBytes = 1 << 30

// recordingPanel is the VMC tab's Record card and the recording player
// window.
type recordingPanel struct {
	button *widget.Button
	state  *widget.Label
	stop   chan struct{} // closed when the recording's refresher should end

	player    *marionette.Player
	playerWin fyne.Window
}

// makeRecordCard returns the Record button and the recording's state.
func (u *ui) makeRecordCard() fyne.CanvasObject {
	rp := &u.recp
	rp.state = widget.NewLabel("Records every VMC datagram received, with its arrival time, to a pcapng file " +
		"(Wireshark opens it; kugutsu replay, export and render --replay use it).")
	rp.state.Wrapping = fyne.TextWrapWord
	rp.button = widget.NewButtonWithIcon("Record…", theme.MediaRecordIcon(), func() {
		if u.engine.Recording().Active {
			u.stopRecording()
			return
		}
		u.showRecordDialog()
	})
	return section("Recording", "", container.NewBorder(nil, nil, nil, rp.button, rp.state))
}

// showRecordDialog asks where to save a recording and starts it.
func (u *ui) showRecordDialog() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if w == nil {
			return // cancelled
		}
		path := w.URI().Path()
		w.Close()
		if err := u.startRecording(path); err != nil {
			dialog.ShowError(err, u.win)
		}
	}, u.win)
	d.SetFileName("kugutsu-" + time.Now().Format("20060102-150405") + ".pcapng")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pcapng"}))
	d.Show()
	d.Resize(fyne.NewSize(800, 560))
}

// startRecording starts recording to path and refreshes the card twice a
// second until it stops.
func (u *ui) startRecording(path string) error {
	err := u.engine.StartRecording(path, capture.RecorderOptions{
		WriterOptions: capture.WriterOptions{
			Application: "kugutsu " + u.opts.Version,
			Comment:     "VMC Protocol (OSC over UDP) as received by the Kugutsu window. Wireshark decodes it with the osc_udp heuristic on (Analyze → Enabled Protocols).",
		},
		MaxBytes: recordingMaxBytes,
	})
	if err != nil {
		return err
	}
	rp := &u.recp
	rp.button.SetText("Stop recording")
	rp.button.SetIcon(theme.MediaStopIcon())
	rp.state.SetText("Recording to " + path)
	rp.stop = make(chan struct{})
	go u.refreshRecording(rp.stop)
	return nil
}

func (u *ui) refreshRecording(stop <-chan struct{}) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-u.stopPoll:
			return
		case <-t.C:
		}
		st := u.engine.Recording()
		fyne.Do(func() {
			if !st.Active {
				return
			}
			if st.Stopped != nil {
				u.stopRecording()
				return
			}
			u.recp.state.SetText(view.RecordingText(st))
		})
	}
}

// stopRecording ends the recording and says what was saved.
func (u *ui) stopRecording() {
	st, err := u.engine.StopRecording()
	rp := &u.recp
	if rp.stop != nil {
		close(rp.stop)
		rp.stop = nil
	}
	rp.button.SetText("Record…")
	rp.button.SetIcon(theme.MediaRecordIcon())
	rp.state.SetText(view.RecordingSaved(st, err))
}

// showPlayRecordingDialog asks for a recording and plays it as a source.
func (u *ui) showPlayRecordingDialog() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		u.background.Add(1)
		go func() {
			defer u.background.Done()
			p, err := marionette.OpenPlayer(u.engine.Scene(), path)
			fyne.Do(func() {
				if err != nil {
					dialog.ShowError(err, u.win)
					return
				}
				u.showPlayer(p, path)
			})
		}()
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pcapng"}))
	d.Show()
	d.Resize(fyne.NewSize(800, 560))
}

// showPlayer opens the player window for p (closing any previous one) and
// starts playing: play/pause, a seek slider, loop, and the position.
func (u *ui) showPlayer(p *marionette.Player, path string) {
	rp := &u.recp
	if rp.playerWin != nil {
		rp.playerWin.Close()
	}
	rp.player = p
	w := u.app.NewWindow("Recording — " + filepath.Base(path))
	rp.playerWin = w
	total := p.Duration()
	pos := widget.NewLabel("")
	slider := widget.NewSlider(0, max(total.Seconds(), 0.01))
	slider.Step = 0.01
	slider.OnChangeEnded = func(v float64) { p.Seek(time.Duration(v * float64(time.Second))) }
	var play *widget.Button
	play = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), func() {
		if p.Paused() {
			p.Play()
		} else {
			p.Pause()
		}
		playerButton(play, p.Paused())
	})
	loop := widget.NewCheck("Loop", p.SetLoop)
	stop := make(chan struct{})
	update := func() {
		at := p.Position()
		slider.Value = at.Seconds()
		slider.Refresh()
		pos.SetText(view.PlayerPosition(at, total))
		playerButton(play, p.Paused())
	}
	go every(100*time.Millisecond, stop, func() bool {
		fyne.Do(update)
		return true
	})
	w.SetOnClosed(func() {
		close(stop)
		p.Close()
		if rp.playerWin == w {
			rp.playerWin, rp.player = nil, nil
		}
	})
	note := widget.NewLabel("Played into the scene as if its Performer were sending now.")
	w.SetContent(container.NewVBox(note, slider, container.NewHBox(play, loop, pos)))
	w.Resize(fyne.NewSize(480, 120))
	p.Play()
	update()
	w.Show()
}

func playerButton(b *widget.Button, paused bool) {
	if paused {
		b.SetText("Play")
		b.SetIcon(theme.MediaPlayIcon())
	} else {
		b.SetText("Pause")
		b.SetIcon(theme.MediaPauseIcon())
	}
}
