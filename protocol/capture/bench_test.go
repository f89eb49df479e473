package capture

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
)

// BenchmarkRecord is the cost a recording adds to the receiver's read
// goroutine per datagram (vmc.ListenConfig.Tap): framing and buffering a
// 4.6 KB VMC frame bundle.
func BenchmarkRecord(b *testing.B) {
	r, err := Create(filepath.Join(b.TempDir(), "bench.pcapng"), RecorderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	d := sample()[0]
	d.Payload = bytes.Repeat([]byte{1}, 4620)
	b.SetBytes(int64(len(d.Payload)))
	b.ReportAllocs()
	for b.Loop() {
		r.Record(d)
	}
}

// BenchmarkRead reads a recording back: the export and replay path.
func BenchmarkRead(b *testing.B) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, WriterOptions{})
	d := sample()[0]
	d.Payload = bytes.Repeat([]byte{1}, 4620)
	for range 1000 {
		_ = w.Write(d)
	}
	_ = w.Flush()
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
