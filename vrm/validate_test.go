package vrm

import "testing"

// TestValidateGodetteAllocs: validating a real avatar allocates a fixed
// handful, however many nodes, primitives, materials and expressions it
// has — element names ("mesh 3 primitive 1") are built only for an error
// (issue #12 counted 2,605 allocations per Godette load).
func TestValidateGodetteAllocs(t *testing.T) {
	av := loadModel(t, "Godette.vrm")
	n := testing.AllocsPerRun(5, func() {
		if err := av.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("Validate(Godette): %v allocations", n)
	if n > 20 {
		t.Errorf("Validate(Godette): %v allocations, want ≤ 20", n)
	}
}

// BenchmarkValidateGodette: Validate on a loaded real avatar (Load runs
// it once per file).
func BenchmarkValidateGodette(b *testing.B) {
	av := loadModel(b, "Godette.vrm")
	b.ReportAllocs()
	for b.Loop() {
		if err := av.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
