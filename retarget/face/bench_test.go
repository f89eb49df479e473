package face

import (
	"testing"

	"github.com/kugutsu/kugutsu/protocol/ifacialmocap"
)

// BenchmarkMap maps a real frame with everything on: calibration, smoothing,
// chest follow, head offset, mirror. Target: ≤ 5 µs and 0 allocs.
func BenchmarkMap(b *testing.B) {
	var f ifacialmocap.Frame
	for _, fx := range loadFixtures(b) {
		if fx.Name == "v1_trackingstatus_hapihapi.txt" {
			if err := ifacialmocap.ParseString(fx.Text, &f); err != nil {
				b.Fatal(err)
			}
		}
	}
	var neutral ifacialmocap.Frame
	if err := ifacialmocap.ParseString("=head#-15,3,0.5,0.03,-0.08,-0.4|rightEye#8,-4,0|leftEye#8,-8,0|", &neutral); err != nil {
		b.Fatal(err)
	}
	m := Mapper{Settings: DefaultSettings(), Calibration: Calibrate(&neutral)}
	m.Settings.ChestShare, m.Settings.HeadPositionScale, m.Settings.Mirror = 0.1, 1, true
	var out Face
	b.ReportAllocs()
	for b.Loop() {
		m.Map(&f, 1.0/60, &out)
	}
}

// BenchmarkParseAndMap is the whole per-frame cost from datagram to face.
func BenchmarkParseAndMap(b *testing.B) {
	var buf []byte
	for _, fx := range loadFixtures(b) {
		if fx.Name == "v1_trackingstatus_hapihapi.txt" {
			buf = []byte(fx.Text)
		}
	}
	m := Mapper{Settings: DefaultSettings()}
	var f ifacialmocap.Frame
	var out Face
	b.ReportAllocs()
	for b.Loop() {
		if err := ifacialmocap.Parse(buf, &f); err != nil {
			b.Fatal(err)
		}
		m.Map(&f, 1.0/60, &out)
	}
}
