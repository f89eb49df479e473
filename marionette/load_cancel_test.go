package marionette

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kugutsu/kugutsu/internal/testavatar"
	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm"
)

// slowVRM writes Godette with every morph target of every primitive
// repeated to targets targets, all reading the same accessors, and every
// primitive repeated copies times: a file of Godette's size whose full load
// takes seconds.
func slowVRM(t testing.TB, targets, copies int) string {
	t.Helper()
	data, err := os.ReadFile(testavatar.GodettePath(t))
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	jlen := le.Uint32(data[12:])
	var doc map[string]any
	if err := json.Unmarshal(data[20:20+jlen], &doc); err != nil {
		t.Fatal(err)
	}
	rest := data[20+jlen:] // the BIN chunk, header included
	for _, m := range doc["meshes"].([]any) {
		m := m.(map[string]any)
		prims := m["primitives"].([]any)
		for _, p := range prims {
			p := p.(map[string]any)
			ts, _ := p["targets"].([]any)
			if len(ts) == 0 {
				continue
			}
			for len(ts) < targets {
				ts = append(ts, ts[0])
			}
			p["targets"] = ts
		}
		// The mesh drawn copies times over.
		for range copies - 1 {
			m["primitives"] = append(m["primitives"].([]any), prims...)
		}
	}
	j, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for len(j)%4 != 0 {
		j = append(j, ' ')
	}
	var out bytes.Buffer
	out.Write(data[:8])
	out.Write(le.AppendUint32(nil, uint32(12+8+len(j)+len(rest))))
	out.Write(le.AppendUint32(nil, uint32(len(j))))
	out.Write(data[16:20])
	out.Write(j)
	out.Write(rest)
	path := filepath.Join(t.TempDir(), "slow.vrm")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadCancelled: loading another avatar cancels a load in progress, and
// so does closing the engine; both return well before the slow load would
// have finished (it takes seconds; the bound is 1 s, the measured latency
// is logged).
func TestLoadCancelled(t *testing.T) {
	slow := slowVRM(t, 1000, 15)
	sphere := testutil.SharedModel(t, "sphere_vrm0.vrm")
	t.Run("another load", func(t *testing.T) {
		te := newTestEngine(t)
		decoding := make(chan struct{}, 1)
		te.cfg.OnLoad = func(ev LoadEvent) {
			if ev.Stage == LoadDecoding && ev.Source.Name == "slow.vrm" {
				decoding <- struct{}{}
			}
			if ev.Stage >= LoadDone {
				te.loads <- ev
			}
		}
		te.LoadFile(slow)
		<-decoding
		time.Sleep(50 * time.Millisecond) // well into decoding
		start := time.Now()
		te.LoadFile(sphere)
		// Two results, in either order: the slow load superseded, the
		// newer one shown.
		for range 2 {
			ev := <-te.loads
			switch ev.Source.Name {
			case "slow.vrm":
				lat := time.Since(start)
				if !ev.Superseded || !errors.Is(ev.Err, ErrSuperseded) {
					t.Errorf("slow load: %+v, want it superseded", ev)
				}
				if lat > time.Second {
					t.Errorf("the superseded load stopped %v after the newer one started, want < 1 s", lat)
				}
				t.Logf("superseded load stopped after %v", lat)
			case "sphere_vrm0.vrm":
				if ev.Stage != LoadDone {
					t.Errorf("newer load: %+v, want it shown", ev)
				}
			}
		}
	})
	t.Run("close", func(t *testing.T) {
		decoding := make(chan struct{}, 1)
		var last LoadEvent
		e := New(Config{OnLoad: func(ev LoadEvent) {
			if ev.Stage == LoadDecoding {
				select {
				case decoding <- struct{}{}:
				default:
				}
			}
			last = ev
		}})
		e.LoadFile(slow)
		<-decoding
		time.Sleep(50 * time.Millisecond)
		start := time.Now()
		e.Close()
		lat := time.Since(start)
		if last.Stage != LoadFailed || !errors.Is(last.Err, ErrClosed) {
			t.Errorf("last event %+v, want LoadFailed with ErrClosed", last)
		}
		if lat > time.Second {
			t.Errorf("Close took %v during a load, want < 1 s", lat)
		}
		t.Logf("Close returned after %v", lat)
	})
}

// BenchmarkLoadSlowVRM: the full load TestLoadCancelled interrupts.
func BenchmarkLoadSlowVRM(b *testing.B) {
	slow := slowVRM(b, 1000, 15)
	for b.Loop() {
		if _, err := vrm.LoadFile(slow); err != nil {
			b.Fatal(err)
		}
	}
}
