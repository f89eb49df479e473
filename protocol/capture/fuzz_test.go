package capture

import (
	"bytes"
	"testing"
)

// FuzzReader: no input crashes the reader or makes it allocate without
// bound; whatever it reads back re-encodes.
func FuzzReader(f *testing.F) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, WriterOptions{Application: "fuzz", Interface: "vmc"})
	for _, d := range sample() {
		_ = w.Write(d)
	}
	_ = w.Flush()
	f.Add(b.Bytes())
	f.Add(b.Bytes()[:len(b.Bytes())/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		got, _ := ReadAll(bytes.NewReader(data), 1000)
		var out bytes.Buffer
		w, err := NewWriter(&out, WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range got {
			if err := w.Write(d); err != nil {
				t.Fatalf("re-encoding %v→%v: %v", d.Src, d.Dst, err)
			}
		}
	})
}
