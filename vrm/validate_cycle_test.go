package vrm

import "testing"

// TestParentCycle: cycles are found wherever they are, and a deep chain is
// checked in linear time (60,000 nodes deep once took 72 s).
func TestParentCycle(t *testing.T) {
	chain := func(n int) []Node {
		nodes := make([]Node, n)
		for i := range nodes {
			nodes[i].Parent = i - 1
		}
		return nodes
	}
	if i := parentCycle(chain(5)); i != -1 {
		t.Errorf("a chain: cycle at %d", i)
	}
	c := chain(5)
	c[0].Parent = 4
	if i := parentCycle(c); i < 0 {
		t.Error("a ring of 5 not found")
	}
	c = chain(6)
	c[3].Parent = 5 // 3 → 5 → 4 → 3
	if i := parentCycle(c); i < 3 {
		t.Errorf("the cycle 3→5→4 reported at %d", i)
	}
	c = []Node{{Parent: 0}}
	if parentCycle(c) != 0 {
		t.Error("a self-parent not found")
	}
	deep := chain(200_000)
	if n := testing.AllocsPerRun(1, func() { parentCycle(deep) }); n > 40 {
		t.Errorf("%v allocations for a 200,000-deep chain", n)
	}
}

func BenchmarkParentCycleDeepChain(b *testing.B) {
	nodes := make([]Node, 60_000)
	for i := range nodes {
		nodes[i].Parent = i - 1
	}
	for b.Loop() {
		parentCycle(nodes)
	}
}
