package codec

import "testing"

// The websocket frame codecs run once per packet per connection: the text
// frame of every delivery, the binary frame of every attachment.

func BenchmarkAppendText(b *testing.B) {
	p := msg(`2["chat message","hello, world"]`)
	b.ReportAllocs()
	b.SetBytes(int64(1 + len(p.Data)))
	buf := make([]byte, 0, 64)
	for b.Loop() {
		buf = AppendText(buf[:0], p, V3)
	}
}

func BenchmarkAppendBinary(b *testing.B) {
	p := bin(make([]byte, 1024)...)
	b.ReportAllocs()
	b.SetBytes(int64(1 + len(p.Data)))
	buf := make([]byte, 0, 2048)
	for b.Loop() {
		buf = AppendBinary(buf[:0], p, V3)
	}
}

// BenchmarkAppendBase64 is the attachment of a b64 session's websocket.
func BenchmarkAppendBase64(b *testing.B) {
	p := bin(make([]byte, 1024)...)
	b.ReportAllocs()
	b.SetBytes(int64(len(p.Data)))
	buf := make([]byte, 0, 2048)
	for b.Loop() {
		buf = AppendBase64(buf[:0], p, V3)
	}
}

func BenchmarkDecodeBinary(b *testing.B) {
	frame := AppendBinary(nil, bin(make([]byte, 1024)...), V3)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := DecodeBinary(frame, V3); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBase64(b *testing.B) {
	frame := AppendBase64(nil, bin(make([]byte, 1024)...), V3)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := DecodeText(frame, V3); err != nil {
			b.Fatal(err)
		}
	}
}
