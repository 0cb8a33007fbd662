package codec

import "testing"

// Binary attachment handling on the way out: an event whose argument holds
// a []byte becomes a placeholder in the JSON and one attachment.

func BenchmarkAppendEventBinary(b *testing.B) {
	b.ReportAllocs()
	args := []any{&benchFile{Name: "a.bin", Size: 1024, Data: make([]byte, 1024)}}
	buf := make([]byte, 0, 128)
	attachments := make([][]byte, 0, 1)
	for b.Loop() {
		var err error
		attachments = attachments[:0]
		buf, err = AppendEvent(buf[:0], "upload", args, &attachments)
		if err != nil || len(attachments) != 1 {
			b.Fatal(err, len(attachments))
		}
	}
}

func BenchmarkAppendPacketBinary(b *testing.B) {
	b.ReportAllocs()
	p := &Packet{Type: BinaryEvent, Namespace: "/admin", ID: 456, HasID: true,
		Data:        []byte(`["upload",{"name":"a.bin","data":{"_placeholder":true,"num":0}}]`),
		Attachments: [][]byte{make([]byte, 1024)}}
	buf := make([]byte, 0, 128)
	for b.Loop() {
		buf = AppendPacket(buf[:0], p, V4)
	}
}
