package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2/canvas"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/app/view"
	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/vrm"
)

// pollEvery is how often the status bar, the VMC panel, the View panel's
// quality and the expression bars are refreshed from the engine: 4 Hz is
// plenty to read, and every changed label costs fyne a text texture.
const pollEvery = 250 * time.Millisecond

// ui is the window and what it shows.
type ui struct {
	app    fyne.App
	win    fyne.Window
	opts   Options
	engine *marionette.Engine
	set    *settings
	view   *viewport
	fast   *fastView // the viewport's X11 child window (viewx11.go)
	trim   *trimmer  // hands back memory after start-up and loads (memory.go)
	live   *liveStatus

	// Avatar panel: rebuilt when the avatar changes.
	avatarHolder *container.Scroll
	exprBars     []binding.Float
	shown        *vrm.Model // the avatar the panels describe

	// Loading overlay.
	loading     *fyne.Container
	loadingText binding.String
	loadingBar  binding.Float

	tabs *container.AppTabs
	recp recordingPanel // Record card and recording player (recording.go)

	dialogs []*keyedDialog // shown dialogs, newest last (showDialog)

	// Layout: the viewport area, the split with the panels, and what the
	// window body holds (the split, or the viewport area alone).
	viewArea    fyne.CanvasObject
	split       *container.Split
	body        *fyne.Container
	panelShown  bool
	panelButton *widget.Button
	choosing    atomic.Bool // a desktop file chooser is open

	// The output window for capture (OBS) and its settings.
	outSet *outputSettings
	output *outputWindow

	// iFacialMocap: the face source attached to the engine, its panel, and
	// the context its connections live in (cancelled by stop).
	ifm        *marionette.IFacialMocap
	ifmp       *ifmPanel
	ifmCtx     context.Context
	ifmCancel  context.CancelFunc
	ifmPolling atomic.Bool    // a panel update is queued with fyne.Do
	background sync.WaitGroup // host-name connects and recording fetches

	polling  atomic.Bool // a status update is queued with fyne.Do
	stopPoll chan struct{}
	hand     *handState // expressions by hand (handexpr.go)
	stopOnce sync.Once
	weights  []float32 // poller's buffer
	// ran closes when ShowAndRun returns; quitOnce starts quitWatch once.
	ran      chan struct{}
	quitOnce sync.Once
	// layoutSeen is the window layout at the previous poll, layoutSaved
	// the one last saved (keepLayout; UI goroutine).
	layoutSeen, layoutSaved windowLayout
}

// newUI builds the window on a (the real app or a test app) and the engine
// behind it; start begins listening and loading.
func newUI(a fyne.App, o Options) *ui {
	u := &ui{
		app: a, opts: o,
		set:         newSettings(a.Preferences()),
		view:        &viewport{},
		live:        newLiveStatus(),
		loadingText: binding.NewString(),
		loadingBar:  binding.NewFloat(),
		stopPoll:    make(chan struct{}),
		ran:         make(chan struct{}),
		hand:        &handState{},
	}
	u.engine = marionette.New(marionette.Config{
		OnFrame:           u.view.frameReady,
		OnLoad:            func(ev marionette.LoadEvent) { fyne.Do(func() { u.loadEvent(ev) }) },
		OnVRMRequest:      func(path string) { fyne.Do(func() { u.askAutoLoad(path) }) },
		OnAutoLoadRefused: func(path string, err error) { fyne.Do(func() { u.autoLoadRefused(path, err) }) },
		OnAvatarFailed:    func(src marionette.Source, err error) { fyne.Do(func() { u.avatarFailed(src, err) }) },
	})
	u.view.init(u.engine)
	u.fast = newFastView(u)
	u.trim = newTrimmer()
	u.view.fast = u.fast
	u.outSet = newOutputSettings(a.Preferences())
	u.output = newOutputWindow(a, u.engine, u.outSet)
	u.ifmCtx, u.ifmCancel = context.WithCancel(context.Background())
	u.ifm = marionette.NewIFacialMocap(u.set.ifm.mapping())
	u.ifm.SetCalibration(u.set.ifm.calibration())
	u.engine.SetFaceSource(u.ifm, u.set.ifm.mix())
	u.ifmp = newIFMPanel()
	u.win = a.NewWindow("Kugutsu")
	u.win.SetContent(u.makeContent())
	u.win.SetMainMenu(u.makeMainMenu())
	u.win.SetOnDropped(u.dropped)
	next := u.win.Canvas().OnTypedKey()
	u.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { u.dialogKey(ev, next) })
	u.hookWindowKeys()
	u.win.Resize(fyne.NewSize(
		float32(a.Preferences().FloatWithFallback(prefWindowWidth, 1280)),
		float32(a.Preferences().FloatWithFallback(prefWindowHeight, 720))))
	// The child window goes before its parent (no X error at the end).
	u.win.SetOnClosed(u.fast.close)
	u.win.SetCloseIntercept(func() {
		u.saveWindowSize()
		u.quitWatch()
		u.win.Close()
	})

	u.set.onOptionsChanged(func() { u.engine.SetOptions(u.set.options()) })
	u.set.onViewChanged(func() { u.engine.SetView(u.set.view()) })
	// Set now, before the first load, and on every change (next load).
	u.engine.SetTextureSize(u.set.textureSizePx())
	u.set.textureSize.AddListener(binding.NewDataListener(func() { u.engine.SetTextureSize(u.set.textureSizePx()) }))
	u.applyReceivers()
	u.set.autoLoad.AddListener(binding.NewDataListener(func() {
		on, _ := u.set.autoLoad.Get()
		u.engine.SetAutoLoad(on)
	}))
	u.set.ifm.onMappingChanged(func() {
		u.ifm.SetSettings(u.set.ifm.mapping())
		u.ifmAvatarChanged()
	})
	u.set.ifm.onMixChanged(func() { u.engine.SetFaceMix(u.set.ifm.mix()) })
	u.ifmRefresh()
	u.outSet.onChanged(u.output.apply)
	for _, b := range []binding.Bool{u.set.transparent, u.set.fastViewport} {
		b.AddListener(binding.NewDataListener(u.fast.update))
	}
	return u
}

// makeContent lays out the window: a toolbar and the viewport left, the
// panels right (collapsible: panelToggle, Ctrl+B), the status bar at the
// bottom. Each panel scrolls both ways, so the window can be as narrow as
// 640 px without clipping anything.
func (u *ui) makeContent() fyne.CanvasObject {
	u.avatarHolder = container.NewScroll(container.NewVBox(makeNoAvatarTab(), makePresenceCard(u.set.alive)))
	u.tabs = container.NewAppTabs(
		container.NewTabItem("VMC", container.NewScroll(container.NewVBox(makeVMCTab(u.app, u.set, u.live, u.toggleListening, u.rebind),
			u.makeRecordCard(), makeJitterCard(u.set.alive), makeExtraReceiversCard(u.set.alive.extra, u.applyReceivers)))),
		container.NewTabItem(ifmTabName, container.NewScroll(u.makeIFMTab())),
		container.NewTabItem("Avatar", u.avatarHolder),
		container.NewTabItem("View", container.NewScroll(makeViewTab(u.set, u.live, u.fast.status, u.win))),
		container.NewTabItem("Output", container.NewScroll(u.makeOutputTab())),
	)
	u.viewArea = u.makeViewportArea()
	u.split = container.NewHSplit(u.viewArea, u.tabs)
	u.split.Offset = min(max(u.set.prefs.FloatWithFallback(prefSplit, 0.7), 0.2), 0.9)
	u.body = container.NewStack()
	u.setPanel(!u.set.prefs.BoolWithFallback(prefPanelHidden, false))
	return container.NewBorder(nil, makeStatusBar(u.live), nil, nil, u.body)
}

// setPanel shows or hides the side panel; the viewport fills the window
// while it is hidden. The choice and the split position are saved.
func (u *ui) setPanel(show bool) {
	if u.panelShown && !show {
		u.set.prefs.SetFloat(prefSplit, u.split.Offset)
	}
	u.panelShown = show
	u.set.prefs.SetBool(prefPanelHidden, !show)
	if show {
		u.split.Leading = u.viewArea
		u.body.Objects = []fyne.CanvasObject{u.split}
		u.split.Refresh()
	} else {
		u.body.Objects = []fyne.CanvasObject{u.viewArea}
	}
	u.body.Refresh()
	if u.panelButton != nil {
		if show {
			u.panelButton.SetIcon(theme.MenuExpandIcon())
		} else {
			u.panelButton.SetIcon(theme.MenuIcon())
		}
	}
}

// togglePanel shows the side panel if hidden, else hides it.
func (u *ui) togglePanel() { u.setPanel(!u.panelShown) }

// start listens for the Performer, loads the first avatar and starts the
// status poller.
func (u *ui) start() {
	if host, port, err := splitListen(u.opts.Listen); err == nil { // Run checked it
		u.set.host.Set(host)
		u.set.port.Set(port)
		u.set.listening.Set(true)
	}
	if on, _ := u.set.listening.Get(); on {
		u.listen()
	} else {
		u.live.setListen("Not listening", false)
	}
	u.loadFirstAvatar()
	u.ifmReconnect()
	if u.opts.Output {
		u.outSet.open.Set(true)
	}
	u.outSet.open.AddListener(binding.NewDataListener(u.outputOpenChanged))
	go u.poll()
	go u.pollIFM()
	u.startHandEvents()
	u.fast.start()
	go u.trim.run(u.stopPoll)
	if path := os.Getenv(statsEnv); path != "" {
		go writeStats(u.engine, &u.view.times, u.output, path, u.stopPoll)
	}
}

// stop ends the poller and the engine (after the window closed).
func (u *ui) stop() {
	u.stopOnce.Do(func() {
		close(u.stopPoll)
		u.ifm.Disconnect() // the phone gets the stop command; the setting stays for the next start
		u.ifmCancel()
		u.background.Wait() // cancelled: a fetch closes (and removes) its file
		u.output.close()
		u.fast.close()
		u.engine.Close()
	})
}

// loadFirstAvatar shows the --vrm file, else the last VRM opened, else the
// embedded default avatar.
func (u *ui) loadFirstAvatar() {
	switch last := u.set.prefs.String(prefLastVRM); {
	case u.opts.VRMPath != "":
		u.engine.LoadFile(u.opts.VRMPath)
	case last != "" && fileExists(last):
		u.engine.LoadFile(last)
	default:
		u.loadDefault()
	}
}

// loadDefault shows the embedded default avatar, if this build has one.
func (u *ui) loadDefault() {
	if data, name := defaultAvatar(); data != nil {
		u.engine.LoadBytes(name, data, true)
	}
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// splitListen splits "host:port" (host may be empty for every interface).
func splitListen(addr string) (string, int, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 0 to 65535", ps)
	}
	if host == "" {
		host = defaultListenHost
	}
	return host, port, nil
}

// toggleListening is the Start/Stop button's action.
func (u *ui) toggleListening() {
	if _, on := u.engine.Addr(); on {
		u.engine.StopListening()
		u.set.listening.Set(false)
		u.live.setListen("Not listening", false)
		u.live.sendTo.Set("—")
		u.live.sendFirst = ""
		return
	}
	u.set.listening.Set(true)
	u.listen()
}

// rebind restarts the receiver on the address and port entered.
func (u *ui) rebind() {
	u.engine.StopListening()
	u.set.listening.Set(true)
	u.listen()
}

// listen starts the receiver on the address in the settings and shows
// where a Performer should send.
func (u *ui) listen() {
	addr := u.set.listenAddr()
	if err := u.engine.Listen(addr); err != nil {
		u.live.setListen(view.ListenError(addr, err), false)
		u.live.sendTo.Set("—")
		u.live.sendFirst = ""
		return
	}
	bound, _ := u.engine.Addr()
	targets := performerTargets(bound, net.InterfaceAddrs)
	u.live.sendFirst = ""
	if len(targets) > 0 {
		u.live.sendFirst = targets[0]
	}
	u.live.sendTo.Set(sendToText(targets))
	u.live.firewall.Set(firewallHint(bound.Port()))
	u.live.setListen("Listening on UDP "+u.boundText(), true)
}

// boundText is the listen address as the user gave it, with the port
// actually bound (a wildcard address may be bound as IPv6 "[::]", which
// takes IPv4 too).
func (u *ui) boundText() string {
	bound, _ := u.engine.Addr()
	host, _ := u.set.host.Get()
	if !bound.Addr().IsUnspecified() || host == "" {
		return bound.String()
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(int(bound.Port())))
}

// open loads a file the user chose.
func (u *ui) open(path string) { u.engine.LoadFile(path) }

// dropped handles files dropped on the window: the first .vrm opens.
func (u *ui) dropped(_ fyne.Position, uris []fyne.URI) {
	for _, uri := range uris {
		if strings.EqualFold(uri.Extension(), ".vrm") && uri.Scheme() == "file" {
			u.open(uri.Path())
			return
		}
	}
	if len(uris) > 0 {
		u.showDialog(dialog.NewInformation("Not a VRM file", "Drop a .vrm file on the window to open it.", u.win), nil)
	}
}

// loadEvent shows loading progress and its result.
func (u *ui) loadEvent(ev marionette.LoadEvent) {
	switch ev.Stage {
	case marionette.LoadReading, marionette.LoadDecoding:
		u.loadingText.Set(view.LoadingText(ev))
		u.loadingBar.Set(ev.Fraction)
		u.loading.Show()
	case marionette.LoadDone:
		u.loading.Hide()
		u.avatarShown(ev.Avatar, ev.Source)
		u.trim.loaded()
		switch {
		case ev.Source.Path != "":
			u.set.addRecent(ev.Source.Path)
			u.win.SetMainMenu(u.makeMainMenu())
		case ev.Source.Default:
			u.set.prefs.SetString(prefLastVRM, "") // the next start shows it too
		}
	case marionette.LoadFailed:
		u.loading.Hide()
		if ev.Superseded || errors.Is(ev.Err, marionette.ErrClosed) {
			return // a newer load, or the window is closing
		}
		u.showLoadError(ev)
	}
}

// showLoadError shows the loader's message; the avatar on screen stays.
func (u *ui) showLoadError(ev marionette.LoadEvent) {
	keep := "No avatar is shown."
	if av, src := u.engine.Avatar(); av != nil {
		keep = "Still showing " + marionette.DisplayName(av, src) + "."
	} else if data, _ := defaultAvatar(); data != nil && !ev.Source.Default {
		keep = "Showing the default avatar instead." // loaded below
	}
	name := ev.Source.Path
	if name == "" {
		name = ev.Source.Name
	}
	u.showDialog(dialog.NewError(fmt.Errorf("could not open %s:\n%v\n\n%s", name, ev.Err, keep), u.win), nil)
	// A missing last VRM at start-up falls back to the default avatar
	// (unless that is what failed: no retry loop).
	if av, _ := u.engine.Avatar(); av == nil && !ev.Source.Default {
		u.loadDefault()
	}
}

// avatarFailed reports an avatar the engine dropped because posing or
// drawing it panicked (a bug in Kugutsu, logged with its stack), and shows
// the default avatar instead (unless the default avatar is the one that
// failed).
func (u *ui) avatarFailed(src marionette.Source, err error) {
	u.shown, u.exprBars = nil, nil
	u.avatarHolder.Content = makeNoAvatarTab()
	u.avatarHolder.Refresh()
	u.live.credit.Set("")
	u.win.SetTitle("Kugutsu")
	data, _ := defaultAvatar()
	next := "Showing the default avatar instead."
	if src.Default || data == nil {
		next = "No avatar is shown."
	}
	name := src.Path
	if name == "" {
		name = src.Name
	}
	u.showDialog(dialog.NewError(fmt.Errorf("could not show %s:\n%v\n\n%s", name, err, next), u.win), nil)
	if !src.Default {
		u.loadDefault()
	}
}

// avatarShown updates the title, the Avatar panel and the expression bars
// for a newly shown avatar.
func (u *ui) avatarShown(av *vrm.Model, src marionette.Source) {
	u.shown = av
	name := marionette.DisplayName(av, src)
	if src.Default {
		u.win.SetTitle("Kugutsu") // the default avatar is called Kugutsu too
	} else {
		u.win.SetTitle("Kugutsu — " + name)
	}
	u.exprBars = make([]binding.Float, len(av.Expressions))
	for i := range u.exprBars {
		u.exprBars[i] = binding.NewFloat()
	}
	// The engine scaled the thumbnail while loading; an avatar shown some
	// other way (tests) is scaled here.
	thumb := u.engine.Thumbnail()
	if cur, _ := u.engine.Avatar(); cur != av {
		thumb = av.ThumbnailImage(marionette.ThumbnailSize)
	}
	u.handAvatarShown(av, src)
	u.avatarHolder.Content = container.NewVBox(makeAvatarTab(av, thumb, src, u.exprBars, u.live.unmatched),
		makePresenceCard(u.set.alive), u.makeHandCard(av))
	u.avatarHolder.Refresh()
	u.live.credit.Set(view.CreditLine(av, src))
	u.ifmAvatarChanged()
}

// askAutoLoad shows a path the Performer announced and asks whether to
// load it (once per path).
func (u *ui) askAutoLoad(path string) {
	msg := fmt.Sprintf("The Performer announced this avatar file (/VMC/Ext/VRM):\n\n%s\n\n"+
		"Load it now? If you say yes, Kugutsu will load this file again whenever the Performer announces it.", path)
	u.showConfirm("Load the Performer's avatar?", msg, func(ok bool) {
		if ok {
			u.engine.ApproveVRM(path)
		} else {
			u.engine.RejectVRM(path)
		}
	})
}

// autoLoadRefused reports an announced file that may not be loaded.
func (u *ui) autoLoadRefused(_ string, err error) {
	u.live.autoLoad.Set(fmt.Sprintf("Not loading the Performer's VRM: %v", err))
}

// saveWindowSize remembers the window size for the next start.
func (u *ui) saveWindowSize() {
	s := u.win.Canvas().Size()
	if s.Width > 0 && s.Height > 0 {
		u.set.prefs.SetFloat(prefWindowWidth, float64(s.Width))
		u.set.prefs.SetFloat(prefWindowHeight, float64(s.Height))
	}
	if u.panelShown {
		u.set.prefs.SetFloat(prefSplit, u.split.Offset)
	}
}

// poll refreshes the live values from the engine until stop.
func (u *ui) poll() {
	every(pollEvery, u.stopPoll, func() bool {
		if u.polling.Load() {
			return true // the previous update has not run yet
		}
		st := u.engine.Status()
		playout, recvs := u.engine.Playout(), u.engine.Receivers()
		var unmatched []string
		u.weights, unmatched = u.engine.ExpressionWeights(u.weights)
		weights := append([]float32(nil), u.weights...)
		av, _ := u.engine.Avatar()
		u.polling.Store(true)
		fyne.Do(func() {
			u.polling.Store(false)
			u.keepLayout()
			u.live.update(&st)
			u.set.alive.showPlayout(playout)
			u.set.alive.extra.showStatus(recvs)
			if av == u.shown && len(weights) == len(u.exprBars) && u.tabs.Selected().Text == "Avatar" {
				for i, w := range weights {
					u.exprBars[i].Set(float64(w))
				}
				u.live.unmatched.Set(unmatchedText(unmatched))
			}
		})
		return true
	})
}

// unmatchedText lists blend keys the avatar lacks.
func unmatchedText(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return "Received but not in this avatar: " + strings.Join(keys, ", ")
}

// makeViewportArea stacks the viewport, its toolbar, the FPS overlay and
// the loading overlay.
func (u *ui) makeViewportArea() fyne.CanvasObject {
	bar := widget.NewProgressBarWithData(u.loadingBar)
	u.loading = container.NewCenter(container.NewPadded(container.NewVBox(
		widget.NewLabelWithData(u.loadingText), bar)))
	u.loading.Hide()
	fps := widget.NewLabelWithData(u.live.overlay)
	fps.TextStyle.Monospace = true
	fps.Truncation = fyne.TextTruncateEllipsis
	u.set.showFPS.AddListener(binding.NewDataListener(func() {
		if on, _ := u.set.showFPS.Get(); on {
			fps.Show()
		} else {
			fps.Hide()
		}
	}))
	u.panelButton = widget.NewButtonWithIcon("", theme.MenuExpandIcon(), u.togglePanel)
	u.panelButton.Importance = widget.LowImportance
	// The toolbar sits above the picture, never over it: the image is what
	// a streamer captures.
	toolbar := container.NewBorder(nil, nil, nil, container.NewHBox(makeViewportToolbar(u.engine, u.set), u.panelButton), fps)
	checker := newCheckerboard()
	u.set.transparent.AddListener(binding.NewDataListener(func() {
		if on, _ := u.set.transparent.Get(); on {
			checker.Show()
		} else {
			checker.Hide()
		}
	}))
	return container.NewBorder(toolbar, nil, nil, nil, container.NewStack(checker, u.view, u.loading))
}

// fileName returns the last element of a path for menus.
func fileName(p string) string { return filepath.Base(p) }

// outputOpenChanged opens or closes the output window as the setting says
// (saved, so it opens again at the next start).
func (u *ui) outputOpenChanged() {
	on, _ := u.outSet.open.Get()
	switch {
	case on && !u.output.isOpen():
		u.output.open()
	case !on && u.output.isOpen():
		u.output.close()
	}
}

// newCheckerboard returns the checkerboard shown under a transparent
// viewport: 16 px squares of two greys, as image editors show alpha.
func newCheckerboard() *canvas.Raster {
	light, dark := color.NRGBA{0xcc, 0xcc, 0xcc, 0xff}, color.NRGBA{0x99, 0x99, 0x99, 0xff}
	return canvas.NewRasterWithPixels(func(x, y, _, _ int) color.Color {
		if (x/16+y/16)%2 == 0 {
			return light
		}
		return dark
	})
}
