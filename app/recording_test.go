package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/marionette"
	"github.com/kugutsu/kugutsu/protocol/capture"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
)

// The VMC tab's Record card records what the receiver gets until Stop,
// and a recording plays back into the scene from its player window.
func TestRecordCardAndPlayer(t *testing.T) {
	u := newTestUI(t)
	if err := u.engine.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr, _ := u.engine.Addr()
	findButton(t, u.win.Content(), "Record…")
	path := filepath.Join(t.TempDir(), "take.pcapng")
	if err := u.startRecording(path); err != nil {
		t.Fatal(err)
	}
	stop := findButton(t, u.win.Content(), "Stop recording")
	s, err := vmctest.Dial(context.Background(), addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 20 {
		if err := s.Time(float32(i)); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); u.engine.Recording().Datagrams < 20; {
		if time.Now().After(deadline) {
			t.Fatalf("recorded %d of 20", u.engine.Recording().Datagrams)
		}
		time.Sleep(5 * time.Millisecond)
	}
	test.Tap(stop)
	if got := u.recp.state.Text; !strings.HasPrefix(got, "Saved 20 datagrams") {
		t.Errorf("after Stop: %q", got)
	}
	findButton(t, u.win.Content(), "Record…")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := capture.ReadAll(f, 0)
	f.Close()
	if err != nil || len(ds) != 20 {
		t.Fatalf("file holds %d datagrams (%v)", len(ds), err)
	}

	u.engine.StopListening()
	p, err := marionette.OpenPlayer(u.engine.Scene(), path)
	if err != nil {
		t.Fatal(err)
	}
	seq := u.engine.Scene().Seq()
	u.showPlayer(p, path)
	w := u.recp.playerWin
	if w == nil || !strings.Contains(w.Title(), "take.pcapng") {
		t.Fatal("no player window")
	}
	for deadline := time.Now().Add(10 * time.Second); p.Position() < p.Duration() || !p.Paused(); {
		if time.Now().After(deadline) {
			t.Fatal("playback did not reach the end")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := u.engine.Scene().Seq(); got < seq+20 {
		t.Errorf("scene seq %d → %d: playback fed fewer than 20 datagrams", seq, got)
	}
	// The label follows the player at 10 Hz: it may still say Pause, or
	// already Play.
	var play *widget.Button
	for _, o := range objects(w.Content()) {
		if b, ok := o.(*widget.Button); ok && (b.Text == "Pause" || b.Text == "Play") {
			play = b
		}
	}
	if play == nil {
		t.Fatal("no Play/Pause button")
	}
	// Ended, so this plays again from the start (20 datagrams can be over
	// before this goroutine looks again: watch the scene, not the state).
	before := u.engine.Scene().Seq()
	test.Tap(play)
	testutil.Eventually(t, "the recording played again", func() bool { return u.engine.Scene().Seq() > before })
	w.Close()
	if u.recp.playerWin != nil {
		t.Error("player window still registered after closing")
	}
}
