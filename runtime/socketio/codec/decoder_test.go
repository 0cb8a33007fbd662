package codec

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// msg is one Engine.IO message as the Decoder receives it.
type msg struct {
	data   string
	binary bool
}

func text(s string) msg { return msg{data: s} }
func bin(s string) msg  { return msg{data: s, binary: true} }

// decodeAll feeds msgs to d and returns the packets it completed. It stops at
// the first error.
func decodeAll(d *Decoder, msgs ...msg) ([]*Packet, error) {
	var out []*Packet
	for i, m := range msgs {
		p, err := d.Add([]byte(m.data), m.binary)
		if err != nil {
			return out, fmt.Errorf("message %d: %w", i, err)
		}
		if p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func atts(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}

// The frames of protocol.md §11-§16, without the Engine.IO "4".
var decodeTests = []struct {
	name      string
	version   Version
	msgs      []msg
	want      Packet
	canonical bool // AppendPacket gives back the text message
}{
	// §11, §13, §14 (v4).
	{"connect default", V4, []msg{text("0")}, Packet{Type: Connect, Namespace: "/"}, true},
	{"connect admin", V4, []msg{text("0/admin,")}, Packet{Type: Connect, Namespace: "/admin"}, true},
	{"connect with query", V4, []msg{text("0/admin?token=secret,")}, Packet{Type: Connect, Namespace: "/admin?token=secret"}, true},
	{"connect admin without comma", V4, []msg{text("0/admin")}, Packet{Type: Connect, Namespace: "/admin"}, false},
	{"disconnect", V4, []msg{text("1")}, Packet{Type: Disconnect, Namespace: "/"}, true},
	{"disconnect admin", V4, []msg{text("1/admin,")}, Packet{Type: Disconnect, Namespace: "/admin"}, true},
	{"event", V4, []msg{text(`2["hello",1]`)}, Packet{Type: Event, Namespace: "/", Data: []byte(`["hello",1]`)}, true},
	{"event with space in name", V4, []msg{text(`2["chat message","hi"]`)}, Packet{Type: Event, Namespace: "/", Data: []byte(`["chat message","hi"]`)}, true},
	{"event with ack on admin", V4, []msg{text(`2/admin,456["project:delete",123]`)},
		Packet{Type: Event, Namespace: "/admin", ID: 456, HasID: true, Data: []byte(`["project:delete",123]`)}, true},
	{"event with ack id 0", V4, []msg{text(`20["getAckDate",1]`)}, Packet{Type: Event, Namespace: "/", ID: 0, HasID: true, Data: []byte(`["getAckDate",1]`)}, true},
	{"event with ack id 12", V4, []msg{text(`212["ack"]`)}, Packet{Type: Event, Namespace: "/", ID: 12, HasID: true, Data: []byte(`["ack"]`)}, true},
	{"event admin id 0", V4, []msg{text(`2/admin,0["whoami"]`)}, Packet{Type: Event, Namespace: "/admin", ID: 0, HasID: true, Data: []byte(`["whoami"]`)}, true},
	{"event admin without id", V4, []msg{text(`2/admin,["whoami"]`)}, Packet{Type: Event, Namespace: "/admin", Data: []byte(`["whoami"]`)}, true},
	{"event numeric name", V4, []msg{text(`2[1,2]`)}, Packet{Type: Event, Namespace: "/", Data: []byte(`[1,2]`)}, true},
	{"event reserved name is fine in v4", V4, []msg{text(`2["disconnect"]`)}, Packet{Type: Event, Namespace: "/", Data: []byte(`["disconnect"]`)}, true},
	{"event without payload", V4, []msg{text(`2`)}, Packet{Type: Event, Namespace: "/"}, true},
	{"event explicit root namespace", V4, []msg{text(`2/,["x"]`)}, Packet{Type: Event, Namespace: "/", Data: []byte(`["x"]`)}, false},
	{"event unknown namespace", V4, []msg{text(`2/foo,["x"]`)}, Packet{Type: Event, Namespace: "/foo", Data: []byte(`["x"]`)}, true},
	{"ack", V4, []msg{text(`3/admin,456[]`)}, Packet{Type: Ack, Namespace: "/admin", ID: 456, HasID: true, Data: []byte(`[]`)}, true},
	{"ack date", V4, []msg{text(`30["2026-11-25T04:49:49.000Z"]`)}, Packet{Type: Ack, Namespace: "/", HasID: true, Data: []byte(`["2026-11-25T04:49:49.000Z"]`)}, true},
	{"ack without id", V4, []msg{text(`3["x"]`)}, Packet{Type: Ack, Namespace: "/", Data: []byte(`["x"]`)}, true},
	{"ack object arg", V4, []msg{text(`30[5,{"test":true}]`)}, Packet{Type: Ack, Namespace: "/", HasID: true, Data: []byte(`[5,{"test":true}]`)}, true},
	{"ack admin", V4, []msg{text(`3/admin,0["admin"]`)}, Packet{Type: Ack, Namespace: "/admin", HasID: true, Data: []byte(`["admin"]`)}, true},
	{"error", V4, []msg{text(`4/admin,"Not authorized"`)}, Packet{Type: Error, Namespace: "/admin", Data: []byte(`"Not authorized"`)}, true},
	{"error invalid namespace", V4, []msg{text(`4/nope,"Invalid namespace"`)}, Packet{Type: Error, Namespace: "/nope", Data: []byte(`"Invalid namespace"`)}, true},
	{"error root", V4, []msg{text(`4"Auth failed (main namespace)"`)}, Packet{Type: Error, Namespace: "/", Data: []byte(`"Auth failed (main namespace)"`)}, true},
	{"error object", V4, []msg{text(`4{"message":"x"}`)}, Packet{Type: Error, Namespace: "/", Data: []byte(`{"message":"x"}`)}, true},
	{"connect with object", V4, []msg{text(`0/admin,{}`)}, Packet{Type: Connect, Namespace: "/admin", Data: []byte(`{}`)}, true},
	{"whitespace around JSON", V4, []msg{text("2 [\"x\"] ")}, Packet{Type: Event, Namespace: "/", Data: []byte(" [\"x\"] ")}, true},
	{"leading zeros in id", V4, []msg{text(`2007["x"]`)}, Packet{Type: Event, Namespace: "/", ID: 7, HasID: true, Data: []byte(`["x"]`)}, false},
	{"largest id", V4, []msg{text(`218446744073709551615["x"]`)}, Packet{Type: Event, Namespace: "/", ID: 18446744073709551615, HasID: true, Data: []byte(`["x"]`)}, true},

	// §12: binary.
	{"binary event", V4, []msg{text(`51-["hello",{"_placeholder":true,"num":0}]`), bin("\x01\x02\x03")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["hello",{"_placeholder":true,"num":0}]`), Attachments: atts("\x01\x02\x03")}, true},
	{"binary event with ack on admin", V4, []msg{text(`51-/admin,456["project:delete",{"_placeholder":true,"num":0}]`), bin("\x01")},
		Packet{Type: BinaryEvent, Namespace: "/admin", ID: 456, HasID: true, Data: []byte(`["project:delete",{"_placeholder":true,"num":0}]`), Attachments: atts("\x01")}, true},
	{"binary ack", V4, []msg{text(`61-/admin,456[{"_placeholder":true,"num":0}]`), bin("\x04")},
		Packet{Type: BinaryAck, Namespace: "/admin", ID: 456, HasID: true, Data: []byte(`[{"_placeholder":true,"num":0}]`), Attachments: atts("\x04")}, true},
	{"takebin", V4, []msg{text(`51-["takebin",{"_placeholder":true,"num":0}]`), bin("asdfasdf")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["takebin",{"_placeholder":true,"num":0}]`), Attachments: atts("asdfasdf")}, true},
	{"jsonbuff nested placeholder", V4, []msg{text(`51-["jsonbuff",{"hello":"lol","message":{"_placeholder":true,"num":0},"goodbye":"gotcha"}]`), bin("\x01\x02")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["jsonbuff",{"hello":"lol","message":{"_placeholder":true,"num":0},"goodbye":"gotcha"}]`), Attachments: atts("\x01\x02")}, true},
	{"two attachments out of order", V4, []msg{text(`52-["x",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]`), bin("a"), bin("b")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["x",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]`), Attachments: atts("a", "b")}, true},
	{"placeholder repeated", V4, []msg{text(`51-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]`), bin("a")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]`), Attachments: atts("a")}, true},
	{"placeholder num 1.0 and escaped key", V4, []msg{text(`52-["x",{"_placeholder":true,"num":1.0},{"\u005fplaceholder":true,"num":0}]`), bin("a"), bin("b")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["x",{"_placeholder":true,"num":1.0},{"\u005fplaceholder":true,"num":0}]`), Attachments: atts("a", "b")}, true},
	{"placeholder false is plain", V4, []msg{text(`51-["x",{"_placeholder":false,"num":9}]`), bin("a")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["x",{"_placeholder":false,"num":9}]`), Attachments: atts("a")}, true},
	{"empty attachment", V4, []msg{text(`51-["x",{"_placeholder":true,"num":0}]`), bin("")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["x",{"_placeholder":true,"num":0}]`), Attachments: atts("")}, true},
	{"ten attachments", V4, []msg{text(`510-["x"]`), bin("0"), bin("1"), bin("2"), bin("3"), bin("4"), bin("5"), bin("6"), bin("7"), bin("8"), bin("9")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["x"]`), Attachments: atts("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")}, true},
	{"placeholder in plain event is plain", V4, []msg{text(`2["x",{"_placeholder":true,"num":7}]`)},
		Packet{Type: Event, Namespace: "/", Data: []byte(`["x",{"_placeholder":true,"num":7}]`)}, true},

	// §16: v5.
	{"v5 connect", V5, []msg{text("0")}, Packet{Type: Connect, Namespace: "/"}, true},
	{"v5 connect sid", V5, []msg{text(`0{"sid":"wZX3oN0bSVIhsaknAAAI"}`)}, Packet{Type: Connect, Namespace: "/", Data: []byte(`{"sid":"wZX3oN0bSVIhsaknAAAI"}`)}, true},
	{"v5 connect auth", V5, []msg{text(`0/admin,{"token":"123"}`)}, Packet{Type: Connect, Namespace: "/admin", Data: []byte(`{"token":"123"}`)}, true},
	{"v5 connect_error", V5, []msg{text(`4{"message":"Invalid namespace"}`)}, Packet{Type: Error, Namespace: "/", Data: []byte(`{"message":"Invalid namespace"}`)}, true},
	{"v5 connect_error data", V5, []msg{text(`4/admin,{"message":"not authorized","data":{"a":1}}`)},
		Packet{Type: Error, Namespace: "/admin", Data: []byte(`{"message":"not authorized","data":{"a":1}}`)}, true},
	{"v5 binary", V5, []msg{text(`51-["baz",{"_placeholder":true,"num":0}]`), bin("\x01\x02\x03\x04")},
		Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["baz",{"_placeholder":true,"num":0}]`), Attachments: atts("\x01\x02\x03\x04")}, true},
	{"v5 zero attachments", V5, []msg{text(`50-["x"]`)}, Packet{Type: BinaryEvent, Namespace: "/", Data: []byte(`["x"]`)}, true},
	{"v5 zero attachments ack", V5, []msg{text(`60-1[]`)}, Packet{Type: BinaryAck, Namespace: "/", ID: 1, HasID: true, Data: []byte(`[]`)}, true},
	{"v5 name close to reserved", V5, []msg{text(`2["connected"]`)}, Packet{Type: Event, Namespace: "/", Data: []byte(`["connected"]`)}, true},
	{"v5 numeric name", V5, []msg{text(`2[1]`)}, Packet{Type: Event, Namespace: "/", Data: []byte(`[1]`)}, true},
}

func TestDecoder(t *testing.T) {
	for _, tt := range decodeTests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decoder{Version: tt.version}
			for i, m := range tt.msgs {
				p, err := d.Add([]byte(m.data), m.binary)
				if err != nil {
					t.Fatalf("Add(%q): %v", m.data, err)
				}
				last := i == len(tt.msgs)-1
				if !last && p != nil {
					t.Fatalf("Add(%q) returned a packet before the last message", m.data)
				}
				if last {
					if p == nil {
						t.Fatalf("Add(%q) returned no packet", m.data)
					}
					if !equalPackets(p, &tt.want) {
						t.Fatalf("got  %s\nwant %s", dump(p), dump(&tt.want))
					}
					enc := AppendPacket(nil, p, tt.version)
					if tt.canonical && string(enc) != tt.msgs[0].data {
						t.Errorf("AppendPacket = %q, want %q", enc, tt.msgs[0].data)
					}
				}
			}
		})
	}
}

func equalPackets(a, b *Packet) bool {
	if a.Type != b.Type || a.Namespace != b.Namespace || a.ID != b.ID || a.HasID != b.HasID ||
		!bytes.Equal(a.Data, b.Data) || (a.Data == nil) != (b.Data == nil) || len(a.Attachments) != len(b.Attachments) {
		return false
	}
	for i := range a.Attachments {
		if !bytes.Equal(a.Attachments[i], b.Attachments[i]) {
			return false
		}
	}
	return true
}

func dump(p *Packet) string {
	return fmt.Sprintf("{%v nsp=%q id=%d has=%v data=%q atts=%q}", p.Type, p.Namespace, p.ID, p.HasID, p.Data, p.Attachments)
}

// The reference's error cases (all close the connection) and this decoder's
// stricter ones.
var decodeErrorTests = []struct {
	name    string
	version Version
	msgs    []msg
	want    string // in the error
}{
	{"empty", V4, []msg{text("")}, "empty packet"},
	{"unknown type", V4, []msg{text("7")}, "unknown packet type"},
	{"not a digit type", V4, []msg{text(" 2")}, "unknown packet type"},
	{"event string payload", V4, []msg{text(`2"notarray"`)}, "want an array"},
	{"event object payload", V4, []msg{text(`2{"a":1}`)}, "want an array"},
	{"event empty array", V4, []msg{text(`2[]`)}, "empty array"},
	{"event object name", V4, []msg{text(`2[{"a":1}]`)}, "want a string or a number"},
	{"event null name", V4, []msg{text(`2[null]`)}, "want a string or a number"},
	{"zero attachments v4", V4, []msg{text(`50-["x"]`)}, "attachment count 0"},
	{"too many attachments", V4, []msg{text(`511-["x"]`)}, "more than 10 attachments"},
	{"huge attachment count", V4, []msg{text(`599999999999999999999999-["x"]`)}, "more than 10 attachments"},
	{"no dash", V4, []msg{text(`51["x"]`)}, "illegal attachment count"},
	{"empty count", V4, []msg{text(`5-["x"]`)}, "illegal attachment count"},
	{"count only", V4, []msg{text(`51`)}, "illegal attachment count"},
	{"text while reconstructing", V4, []msg{text(`51-["x",{"_placeholder":true,"num":0}]`), text(`2["y"]`)}, "text message while 1 attachment(s) are still missing"},
	{"binary alone", V4, []msg{bin("\x01\x02")}, "binary message without a binary packet header"},
	{"binary after complete packet", V4, []msg{text(`51-["x",{"_placeholder":true,"num":0}]`), bin("a"), bin("b")}, "binary message without"},
	{"num out of range", V4, []msg{text(`51-["x",{"_placeholder":true,"num":5}]`), bin("a")}, "placeholder num 5 out of range [0,1)"},
	{"num negative", V4, []msg{text(`51-["x",{"_placeholder":true,"num":-1}]`)}, "out of range"},
	{"num fraction", V4, []msg{text(`51-["x",{"_placeholder":true,"num":0.5}]`)}, "out of range"},
	{"num string", V4, []msg{text(`51-["x",{"_placeholder":true,"num":"0"}]`)}, "without a numeric num"},
	{"num missing", V4, []msg{text(`51-["x",{"_placeholder":true}]`)}, "without a numeric num"},
	{"num huge", V4, []msg{text(`51-["x",{"_placeholder":true,"num":99999999999999999999999}]`)}, "out of range"},
	{"placeholder with zero attachments v5", V5, []msg{text(`50-["x",{"_placeholder":true,"num":0}]`)}, "out of range [0,0)"},
	{"digits before namespace", V4, []msg{text(`20/admin,["x"]`)}, "invalid payload for EVENT"},
	{"invalid JSON", V4, []msg{text(`2["x"`)}, "invalid JSON"},
	{"trailing garbage", V4, []msg{text(`2["x"]x`)}, "after top-level value"},
	{"two values", V4, []msg{text(`2["x"] []`)}, "after top-level value"},
	{"disconnect with payload", V4, []msg{text(`1["x"]`)}, "DISCONNECT"},
	{"connect with string", V4, []msg{text(`0"x"`)}, "want an object"},
	{"connect with array", V5, []msg{text(`0/admin,[]`)}, "want an object"},
	{"connect with null", V5, []msg{text(`0null`)}, "want an object"},
	{"error with array", V4, []msg{text(`4[1]`)}, "want a string or an object"},
	{"error with bool", V5, []msg{text(`4true`)}, "want a string or an object"},
	{"error id then number", V5, []msg{text(`4 1`)}, "want a string or an object"},
	{"ack with object", V4, []msg{text(`3{"a":1}`)}, "want an array"},
	{"binary ack with object", V4, []msg{text(`61-{"a":1}`)}, "want an array"},
	{"id overflow", V4, []msg{text(`218446744073709551616["x"]`)}, "ack id overflows"},
	{"too deep", V4, []msg{text(`2["x",` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + `]`)}, "nesting deeper than 32"},
	{"too deep objects", V4, []msg{text(`2["x",` + strings.Repeat(`{"a":`, 32) + "1" + strings.Repeat("}", 32) + `]`)}, "nesting deeper than 32"},
	{"v5 reserved connect", V5, []msg{text(`2["connect"]`)}, "reserved event name"},
	{"v5 reserved connect_error", V5, []msg{text(`2["connect_error"]`)}, "reserved event name"},
	{"v5 reserved disconnect", V5, []msg{text(`2/admin,1["disconnect"]`)}, "reserved event name"},
	{"v5 reserved disconnecting", V5, []msg{text(`2["disconnecting"]`)}, "reserved event name"},
	{"v5 reserved newListener", V5, []msg{text(`2["newListener"]`)}, "reserved event name"},
	{"v5 reserved removeListener", V5, []msg{text(`2["removeListener"]`)}, "reserved event name"},
	{"v5 reserved escaped", V5, []msg{text(`2["\u0063onnect"]`)}, "reserved event name"},
	{"v5 reserved binary", V5, []msg{text(`51-["disconnect",{"_placeholder":true,"num":0}]`)}, "reserved event name"},
}

func TestDecoderErrors(t *testing.T) {
	for _, tt := range decodeErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decoder{Version: tt.version}
			_, err := decodeAll(&d, tt.msgs...)
			if err == nil {
				t.Fatal("no error")
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ProtocolError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			// The Decoder is reset: the next packet decodes.
			p, err := d.Add([]byte(`2["next"]`), false)
			if err != nil || p == nil || string(p.Data) != `["next"]` {
				t.Errorf("after the error: Add = %v, %v", p, err)
			}
		})
	}
}

func TestDecoderLimits(t *testing.T) {
	d := Decoder{MaxAttachments: 2, MaxDepth: 3}
	if _, err := d.Add([]byte(`53-["x"]`), false); err == nil || !strings.Contains(err.Error(), "more than 2") {
		t.Errorf("MaxAttachments 2: %v", err)
	}
	if _, err := d.Add([]byte(`2["x",[[1]]]`), false); err != nil {
		t.Errorf("depth 3: %v", err)
	}
	if _, err := d.Add([]byte(`2["x",[[[1]]]]`), false); err == nil {
		t.Error("depth 4 accepted with MaxDepth 3")
	}
	// Brackets inside strings do not count.
	if _, err := d.Add([]byte(`2["[[[[{{{{"]`), false); err != nil {
		t.Errorf("brackets in a string: %v", err)
	}
	// Exactly the default depth passes.
	var def Decoder
	ok := `2["x",` + strings.Repeat("[", 31) + strings.Repeat("]", 31) + `]`
	if _, err := def.Add([]byte(ok), false); err != nil {
		t.Errorf("depth 32: %v", err)
	}
}

func TestDecoderReset(t *testing.T) {
	var d Decoder
	if p, err := d.Add([]byte(`51-["x",{"_placeholder":true,"num":0}]`), false); p != nil || err != nil {
		t.Fatalf("header: %v, %v", p, err)
	}
	d.Reset()
	if _, err := d.Add([]byte("a"), true); err == nil {
		t.Error("binary accepted after Reset")
	}
	p, err := d.Add([]byte(`2["y"]`), false)
	if err != nil || p == nil {
		t.Errorf("text after Reset: %v, %v", p, err)
	}
}

// The Decoder does not copy: Data and Attachments alias the messages.
func TestDecoderAliases(t *testing.T) {
	var d Decoder
	header := []byte(`51-["x",{"_placeholder":true,"num":0}]`)
	att := []byte{1, 2, 3}
	d.Add(header, false)
	p, err := d.Add(att, true)
	if err != nil {
		t.Fatal(err)
	}
	if &p.Data[0] != &header[3] || &p.Attachments[0][0] != &att[0] {
		t.Error("Data or Attachments were copied")
	}
}

var appendPacketTests = []struct {
	name    string
	p       Packet
	version Version
	want    string
}{
	{"event promoted to binary", Packet{Type: Event, Namespace: "/", Data: []byte(`["x",{"_placeholder":true,"num":0}]`), Attachments: atts("a")}, V4, `51-["x",{"_placeholder":true,"num":0}]`},
	{"ack promoted to binary", Packet{Type: Ack, Namespace: "/admin", HasID: true, ID: 3, Data: []byte(`[{"_placeholder":true,"num":0}]`), Attachments: atts("a")}, V5, `61-/admin,3[{"_placeholder":true,"num":0}]`},
	{"v4 binary without attachments demoted", Packet{Type: BinaryEvent, Data: []byte(`["x"]`)}, V4, `2["x"]`},
	{"v4 binary ack without attachments demoted", Packet{Type: BinaryAck, HasID: true, Data: []byte(`[]`)}, V4, `30[]`},
	{"v5 binary without attachments kept", Packet{Type: BinaryEvent, Data: []byte(`["x"]`)}, V5, `50-["x"]`},
	{"empty namespace", Packet{Type: Connect}, V4, `0`},
	{"ack id 0", Packet{Type: Ack, HasID: true}, V4, `30`},
	{"error", Packet{Type: Error, Namespace: "/admin", Data: []byte(`"not authorized"`)}, V4, `4/admin,"not authorized"`},
}

func TestAppendPacket(t *testing.T) {
	for _, tt := range appendPacketTests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendPacket([]byte("4"), &tt.p, tt.version)
			if string(got) != "4"+tt.want {
				t.Errorf("got %q, want %q", got, "4"+tt.want)
			}
		})
	}
}

func TestPacketTypeString(t *testing.T) {
	for typ, want := range map[PacketType]string{Connect: "CONNECT", BinaryAck: "BINARY_ACK", 9: "PacketType(9)"} {
		if got := typ.String(); got != want {
			t.Errorf("%d: %q, want %q", typ, got, want)
		}
	}
}

func TestIsReserved(t *testing.T) {
	for _, name := range []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"} {
		if !IsReserved(name) {
			t.Errorf("%q is not reserved", name)
		}
	}
	for _, name := range []string{"error", "message", "Connect", "chat message", ""} {
		if IsReserved(name) {
			t.Errorf("%q is reserved", name)
		}
	}
}

func TestEventName(t *testing.T) {
	tests := []struct {
		data string
		name string
		args []string
		ok   bool
		err  bool
	}{
		{data: `["hello",1]`, name: "hello", args: []string{"1"}, ok: true},
		{data: `["project:delete",{"_placeholder":true,"num":0}]`, name: "project:delete", args: []string{`{"_placeholder":true,"num":0}`}, ok: true},
		{data: ` [ "a\"b" , [1, 2] , "x" ] `, name: `a"b`, args: []string{"[1, 2]", `"x"`}, ok: true},
		{data: `["\u00e9t\u00e9"]`, name: "été", args: []string{}, ok: true},
		{data: `[1,2]`, args: []string{"2"}},
		{data: `[-1.5e3]`, args: []string{}},
		{data: `[]`, err: true},
		{data: ``, err: true},
		{data: `"x"`, err: true},
		{data: `[{"a":1}]`, err: true},
		{data: `[null]`, err: true},
		{data: `["x",]`, err: true},
		{data: `["x"`, err: true},
		{data: `["x"] 1`, err: true},
	}
	for _, tt := range tests {
		name, args, ok, err := EventName([]byte(tt.data))
		if (err != nil) != tt.err {
			t.Errorf("EventName(%q): err = %v", tt.data, err)
			continue
		}
		if err != nil {
			if _, isPE := err.(*ProtocolError); !isPE {
				t.Errorf("EventName(%q): error %T, want *ProtocolError", tt.data, err)
			}
			continue
		}
		var got []string
		for _, a := range args {
			got = append(got, string(a))
		}
		if name != tt.name || ok != tt.ok || len(got) != len(tt.args) || (len(got) > 0 && !reflect.DeepEqual(got, tt.args)) {
			t.Errorf("EventName(%q) = %q, %q, %v; want %q, %q, %v", tt.data, name, got, ok, tt.name, tt.args, tt.ok)
		}
	}
}

func TestSplitArray(t *testing.T) {
	data := []byte("[1, \"a,b\" ,{\"x\":[1,2]},null,true]")
	got, err := SplitArray(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1", `"a,b"`, `{"x":[1,2]}`, "null", "true"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("element %d = %q, want %q", i, got[i], want[i])
		}
	}
	if &got[0][0] != &data[1] {
		t.Error("elements are copies")
	}
	if got, err := SplitArray([]byte(" [ ] ")); err != nil || len(got) != 0 {
		t.Errorf("empty array: %q, %v", got, err)
	}
	for _, bad := range []string{"", "{}", "[1,]", "[1 2]", "[", "]", "[1]]"} {
		if _, err := SplitArray([]byte(bad)); err == nil {
			t.Errorf("SplitArray(%q) accepted", bad)
		}
	}
}
