package retarget

import (
	"net/netip"
	"testing"
	"time"

	goosc "github.com/hypebeast/go-osc/osc"

	"github.com/kugutsu/kugutsu/protocol/vmc"
)

// TestAliasedBlendMostRecentWins: Godette's happy expression answers to the
// VRM 0.x key Joy and the VRM 1.0 key happy. When the Performer changes
// (one sent happy, the next sends Joy), the value received last drives it,
// whichever key the scene made first: no stale weight stays.
func TestAliasedBlendMostRecentWins(t *testing.T) {
	p := newPoser(t)
	x, ok := p.av.ExpressionIndex("happy")
	if !ok {
		t.Fatal("Godette has no happy")
	}
	s := vmc.NewScene()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	send := func(from, key string, v float32) {
		t.Helper()
		b := goosc.NewBundle(time.Time{})
		b.Append(goosc.NewMessage(vmc.AddrBlendVal, key, v))
		b.Append(goosc.NewMessage(vmc.AddrBlendApply))
		pkt, err := b.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Second / 60)
		s.Feed(pkt, netip.MustParseAddrPort(from), at)
	}
	weight := func() float32 {
		var f vmc.Frame
		s.Snapshot(&f)
		p.Update(&f, DefaultOptions(), nil, VMCOnly(), 0)
		return p.eCur[x]
	}
	send("192.0.2.1:1", "happy", 0.6) // a VRM 1.0 Performer
	if w := weight(); w != 0.6 {
		t.Fatalf("happy = %v, want 0.6", w)
	}
	send("192.0.2.2:1", "Joy", 0.2) // replaced by a VRM 0.x one
	if w := weight(); w != 0.2 {
		t.Errorf("after Joy 0.2: happy = %v, want 0.2 (the later key)", w)
	}
	send("192.0.2.1:1", "happy", 0.6) // and back, the same value as before
	if w := weight(); w != 0.6 {
		t.Errorf("after happy 0.6 again: happy = %v, want 0.6", w)
	}
	send("192.0.2.2:1", "Joy", 0.2)
	send("192.0.2.2:1", "Joy", 0.2)
	if w := weight(); w != 0.2 {
		t.Errorf("after Joy 0.2 again: happy = %v, want 0.2", w)
	}
}
