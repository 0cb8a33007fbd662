package codec

import (
	"strings"
	"testing"
)

// benchPackets is a typical poll response: a few chat events, one with
// non-ASCII text, and a binary event with its attachment.
var benchPackets = []Packet{
	msg(`2["chat message",{"user":"alice","text":"hello everyone, how is it going today?"}]`),
	msg(`2["chat message",{"user":"bob","text":"très bien, merci! てすと 😀"}]`),
	msg(`2["typing",{"user":"carol"}]`),
	msg(takebinHeader[1:]),
	bin([]byte(strings.Repeat("0123456789abcdef", 16))...),
}

func payloadSize(pkts []Packet) int64 {
	n := 0
	for _, p := range pkts {
		n += 1 + len(p.Data)
	}
	return int64(n)
}

func BenchmarkAppendStringPayload(b *testing.B) {
	for _, v := range []Version{V3, V4} {
		b.Run(versionName(v), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(payloadSize(benchPackets))
			var buf []byte
			for b.Loop() {
				buf = AppendStringPayload(buf[:0], benchPackets, v)
			}
		})
	}
}

func BenchmarkAppendBinaryPayload(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(payloadSize(benchPackets))
	var buf []byte
	for b.Loop() {
		buf = AppendBinaryPayload(buf[:0], benchPackets)
	}
}

func BenchmarkDecodePayload(b *testing.B) {
	text := benchPackets[:3]
	for _, bb := range []struct {
		name   string
		body   []byte
		binary bool
		v      Version
	}{
		{"v3-text", AppendStringPayload(nil, text, V3), false, V3},
		{"v3-base64", AppendStringPayload(nil, benchPackets, V3), false, V3},
		{"v3-xhr2", AppendBinaryPayload(nil, benchPackets), true, V3},
		{"v4-text", AppendStringPayload(nil, text, V4), false, V4},
		{"v4-base64", AppendStringPayload(nil, benchPackets, V4), false, V4},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.body)))
			for b.Loop() {
				if _, err := DecodePayload(bb.body, bb.binary, bb.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendJSONP(b *testing.B) {
	payload := AppendStringPayload(nil, benchPackets, V3)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	var buf []byte
	for b.Loop() {
		buf = AppendJSONP(buf[:0], "0", payload)
	}
}

func BenchmarkDecodeText(b *testing.B) {
	frame := AppendText(nil, benchPackets[0], V3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeText(frame, V3); err != nil {
			b.Fatal(err)
		}
	}
}
