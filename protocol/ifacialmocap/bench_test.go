package ifacialmocap

import (
	"testing"
)

// BenchmarkParse parses the current-build real frame (trackingStatus, 52
// shapes, hapihapi, head and eyes). Target: ≤ 5 µs and 0 allocs per frame.
func BenchmarkParse(b *testing.B) {
	for _, fx := range loadFixtures(b) {
		if fx.Name != "v1_trackingstatus_hapihapi.txt" {
			continue
		}
		for _, c := range []struct{ name, frame string }{{"v1", fx.Text}, {"v2", toV2(fx.Text)}} {
			b.Run(c.name, func(b *testing.B) {
				buf := []byte(c.frame)
				var f Frame
				b.SetBytes(int64(len(buf)))
				b.ReportAllocs()
				for b.Loop() {
					if err := Parse(buf, &f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
