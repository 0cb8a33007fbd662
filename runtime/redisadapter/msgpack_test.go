package redisadapter

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/siogen/siogen/runtime/socketio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// notepackBroadcast is what socket.io-redis 5.4.0 publishes (notepack.io
// 2.2.0, captured with node) for
//
//	[ "AbC123",
//	  {type: 5, data: ["ev", "héllo <&>", 0, 1, 127, 128, 255, 256, 65535, 65536,
//	    4294967295, 4294967296, -1, -32, -33, -128, -129, -32768, -32769,
//	    -2147483648, -2147483649, 1.5, -0.25, true, false, null,
//	    {a: [1, 2], 'k"q': "x".repeat(40)}, Buffer.from([1, 2, 3]),
//	    [Buffer.alloc(300, 7)]], nsp: "/"},
//	  {rooms: ["r"], except: ["x"], flags: {}} ]
//
// covering every int width of both signs, floats, fixstr and str8, nested
// maps and arrays, array 16, bin 8 and bin 16.
var notepackBroadcast = mustHex("93a641624331323383a47479706505a464617461dc001da26576aa68c3a96c6c6f203c263e00017fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000ffe0d0dfd080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffffcb3ff8000000000000cbbfd0000000000000c3c2c082a161920102a36b2271d92878787878787878787878787878787878787878787878787878787878787878787878787878787878c40301020391c5012c" +
	strings.Repeat("07", 300) + "a36e7370a12f83a5726f6f6d7391a172a665786365707491a178a5666c61677380")

// notepackExtensions is notepack.io's encoding of
//
//	["zz9", {type: 2, data: ["ev2", undefined, {u: undefined,
//	  d: new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)),
//	  ab: new Uint8Array([9, 8]).buffer}], nsp: "/chat"},
//	 {rooms: [], flags: {volatile: true}}]
//
// with its extension types: undefined, Date and ArrayBuffer.
var notepackExtensions = mustHex("93a37a7a3983a47479706502a46461746193a3657632d4000083a175d40000a164d7000000016f6435cc8ea26162c702000908a36e7370a52f6368617482a5726f6f6d7390a5666c61677381a8766f6c6174696c65c3")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// goPacket is the packet of notepackBroadcast as the runtime builds it
// from Go values.
func goPacket(t *testing.T) *codec.Packet {
	t.Helper()
	p := &codec.Packet{Type: codec.BinaryEvent, Namespace: "/"}
	args := []any{"héllo <&>", 0, 1, 127, 128, 255, 256, 65535, 65536,
		uint32(4294967295), int64(4294967296), -1, -32, -33, -128, -129, -32768, -32769,
		int64(-2147483648), int64(-2147483649), 1.5, -0.25, true, false, nil,
		map[string]any{"a": []int{1, 2}, `k"q`: strings.Repeat("x", 40)},
		[]byte{1, 2, 3}, [][]byte{bytes.Repeat([]byte{7}, 300)}}
	var err error
	p.Data, err = codec.AppendEvent(nil, "ev", args, &p.Attachments)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEncodeBroadcastMatchesNotepack: a Go node publishes byte for byte
// what a Node node publishes for the same broadcast.
func TestEncodeBroadcastMatchesNotepack(t *testing.T) {
	got, err := encodeBroadcast("AbC123", goPacket(t), "/", socketio.BroadcastOptions{Rooms: []string{"r"}, Except: []string{"x"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, notepackBroadcast) {
		t.Fatalf("encoded\n%x\nnotepack\n%x", got, notepackBroadcast)
	}
}

// TestDecodeBroadcastFromNotepack: a Node node's publication becomes the
// packet the runtime would have built itself.
func TestDecodeBroadcastFromNotepack(t *testing.T) {
	m, err := decodeBroadcast(string(notepackBroadcast), "")
	if err != nil {
		t.Fatal(err)
	}
	want := goPacket(t)
	if m.uid != "AbC123" || m.packet.Namespace != "/" || m.packet.Type != codec.BinaryEvent {
		t.Fatalf("uid %q nsp %q type %v", m.uid, m.packet.Namespace, m.packet.Type)
	}
	if string(m.packet.Data) != string(want.Data) {
		t.Fatalf("data\n%s\nwant\n%s", m.packet.Data, want.Data)
	}
	if len(m.packet.Attachments) != 2 || !bytes.Equal(m.packet.Attachments[0], []byte{1, 2, 3}) || !bytes.Equal(m.packet.Attachments[1], want.Attachments[1]) {
		t.Fatalf("attachments %x", m.packet.Attachments)
	}
	if !slices.Equal(m.opts.Rooms, []string{"r"}) || !slices.Equal(m.opts.Except, []string{"x"}) {
		t.Fatalf("opts %+v", m.opts)
	}
	if m, err := decodeBroadcast(string(notepackBroadcast), "AbC123"); m != nil || err != nil {
		t.Fatalf("a publication of this node: %v, %v", m, err)
	}
}

// TestDecodeNotepackExtensions: undefined, Date and ArrayBuffer become what
// JSON.stringify and socket.io-parser make of them on a Node node.
func TestDecodeNotepackExtensions(t *testing.T) {
	m, err := decodeBroadcast(string(notepackExtensions), "")
	if err != nil {
		t.Fatal(err)
	}
	const want = `["ev2",null,{"d":"2020-01-02T03:04:05.006Z","ab":{"_placeholder":true,"num":0}}]`
	if string(m.packet.Data) != want {
		t.Fatalf("data %s, want %s", m.packet.Data, want)
	}
	if m.packet.Namespace != "/chat" || m.packet.Type != codec.BinaryEvent || len(m.packet.Attachments) != 1 || !bytes.Equal(m.packet.Attachments[0], []byte{9, 8}) {
		t.Fatalf("packet %+v", m.packet)
	}
	if len(m.opts.Rooms) != 0 || len(m.opts.Except) != 0 {
		t.Fatalf("opts %+v", m.opts)
	}
}

// TestTranscodeRoundTrip: Go values published by one Go node arrive at
// another as the same JSON and attachments, so typed handlers decode the
// same values.
func TestTranscodeRoundTrip(t *testing.T) {
	type inner struct {
		Name string  `json:"name"`
		Blob []byte  `json:"blob"`
		F    float64 `json:"f"`
	}
	cases := [][]any{
		{},
		{"plain"},
		{"unicode ✓ \u2028 \x01 \"quoted\" \\ /"},
		{1e-7, 1e20, 123456789.125, -0.0, uint64(18446744073709551615), int64(-9223372036854775808)},
		{[]any{}, map[string]any{}, []any{[]any{[]any{nil}}}},
		{inner{"a", []byte("xyz"), 2.5}, []byte{}, [][]byte{{0}, {255}}},
		{map[string]any{"_placeholder": true, "num": 0}}, // an ordinary object when nothing is attached
	}
	for _, args := range cases {
		p := &codec.Packet{Type: codec.Event, Namespace: "/x"}
		var err error
		if p.Data, err = codec.AppendEvent(nil, "e", args, &p.Attachments); err != nil {
			t.Fatal(err)
		}
		msg, err := encodeBroadcast("u", p, "/x", socketio.BroadcastOptions{}, false)
		if err != nil {
			t.Fatalf("%s: %v", p.Data, err)
		}
		m, err := decodeBroadcast(string(msg), "")
		if err != nil {
			t.Fatalf("%s: %v", p.Data, err)
		}
		if !jsonEqual(t, m.packet.Data, p.Data) || len(m.packet.Attachments) != len(p.Attachments) {
			t.Fatalf("round trip of %s gave %s (%d attachments, want %d)", p.Data, m.packet.Data, len(m.packet.Attachments), len(p.Attachments))
		}
		for i := range p.Attachments {
			if !bytes.Equal(m.packet.Attachments[i], p.Attachments[i]) {
				t.Fatalf("attachment %d: %x, want %x", i, m.packet.Attachments[i], p.Attachments[i])
			}
		}
	}
}

// jsonEqual compares two JSON texts by value, numbers by their text.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	if err := da.Decode(&va); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := db.Decode(&vb); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

// TestDecodeBroadcastRejects: malformed publications are errors, and
// lengths past the end of the payload allocate nothing.
func TestDecodeBroadcastRejects(t *testing.T) {
	for name, payload := range map[string][]byte{
		"empty":          {},
		"not an array":   mustHex("a3616263"),
		"short array":    mustHex("91a175"),
		"packet not map": mustHex("92a17501"),
		"ack packet":     mustHex("92a17582a47479706503a4646174619191a165"),
		"no event name":  mustHex("92a17582a47479706502a46461746190"),
		"huge bin":       mustHex("92a17582a47479706505a46461746192a165c6ffffffff"),
		"huge str":       mustHex("92a17582a47479706502a46461746192a165dbffffffff"),
		"truncated":      notepackBroadcast[:len(notepackBroadcast)-10],
	} {
		if _, err := decodeBroadcast(string(payload), ""); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzDecodeBroadcast: any publication decodes or fails without panicking,
// and what decodes is a packet the socket layer can send.
func FuzzDecodeBroadcast(f *testing.F) {
	f.Add(notepackBroadcast)
	f.Add(notepackExtensions)
	f.Add(mustHex("92a17582a47479706505a46461746192a165c6ffffffff"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		m, err := decodeBroadcast(string(payload), "self")
		if err != nil || m == nil { // m is nil for this node's own publications
			return
		}
		if !json.Valid(m.packet.Data) {
			t.Fatalf("invalid JSON %q", m.packet.Data)
		}
		if _, err := encodeBroadcast("u", m.packet, m.packet.Namespace, m.opts, false); err != nil {
			t.Fatalf("re-encode %s: %v", m.packet.Data, err)
		}
	})
}

// chatPacket is a typical chat line.
func chatPacket(b *testing.B) *codec.Packet {
	p := &codec.Packet{Type: codec.Event, Namespace: "/"}
	var err error
	if p.Data, err = codec.AppendEvent(nil, "chat message", []any{"hello, this is a line of a chat of average length"}, &p.Attachments); err != nil {
		b.Fatal(err)
	}
	return p
}

func BenchmarkEncodeBroadcast(b *testing.B) {
	p := chatPacket(b)
	b.ReportAllocs()
	for b.Loop() {
		encodeBroadcast("AbC123", p, "/", socketio.BroadcastOptions{Except: []string{"x"}}, false)
	}
}

func BenchmarkDecodeBroadcast(b *testing.B) {
	msg, _ := encodeBroadcast("AbC123", chatPacket(b), "/", socketio.BroadcastOptions{Except: []string{"x"}}, false)
	payload := string(msg)
	b.ReportAllocs()
	for b.Loop() {
		decodeBroadcast(payload, "")
	}
}
