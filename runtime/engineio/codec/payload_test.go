package codec

import (
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf16"
)

// stringPayloads are string payloads exact both ways: DecodePayload gives the
// packets and AppendStringPayload gives the body back.
var stringPayloads = []struct {
	name string
	v    Version
	body string
	pkts []Packet
}{
	{"spec example", V3, "6:4hello2:4€", []Packet{msg("hello"), msg("€")}},
	{"handshake (captured)", V3, "97:" + handshakeOpen + "2:40", []Packet{text(Open, handshakeOpen[1:]), msg("0")}},
	{"handshake with middleware (captured)", V3, "96:" + handshakeOpenMW, []Packet{text(Open, handshakeOpenMW[1:])}},
	{"utf8 counted in UTF-16 units (captured)", V3, `20:42["takeUtf8","てすと"]`, []Packet{msg(`2["takeUtf8","てすと"]`)}},
	{"emoji counts 2 (captured)", V3, `32:421["echo",{"text":"😀é","n":1}]`, []Packet{msg(`21["echo",{"text":"😀é","n":1}]`)}},
	{"emoji ack (captured)", V3, `25:431[{"text":"😀é","n":1}]`, []Packet{msg(`31[{"text":"😀é","n":1}]`)}},
	{"binary event (captured)", V3, "45:" + takebinHeader + "14:b4YXNkZmFzZGY=", []Packet{msg(takebinHeader[1:]), bin([]byte("asdfasdf")...)}},
	{"binary upload (captured)", V3, "43:" + buffaHeader + "10:b4AQIDBA==", []Packet{msg(buffaHeader[1:]), bin(1, 2, 3, 4)}},
	{"base64 payload example", V3, "2:4€10:b4AQIDBA==", []Packet{msg("€"), bin(1, 2, 3, 4)}},
	{"noop (captured)", V3, "1:6", []Packet{text(Noop, "")}},
	{"noop and close (captured)", V3, "1:61:1", []Packet{text(Noop, ""), text(Close, "")}},
	{"ping", V3, "1:2", []Packet{text(Ping, "")}},
	{"namespace accepts (captured)", V3, "2:409:40/admin,", []Packet{msg("0"), msg("0/admin,")}},
	{"namespace connect (captured)", V3, "22:40/admin?token=secret,", []Packet{msg("0/admin?token=secret,")}},
	{"ack (captured)", V3, `19:43/admin,0["admin"]`, []Packet{msg(`3/admin,0["admin"]`)}},
	{"refusal (captured)", V3, `32:44"Auth failed (main namespace)"`, []Packet{msg(`4"Auth failed (main namespace)"`)}},
	{"jsonp newline echo", V3, "45:" + newlineEcho, []Packet{msg(newlineEcho[1:])}},
	{"jsonp newline ack (captured)", V3, "38:" + newlineAck, []Packet{msg(newlineAck[1:])}},
	{"invalid byte counts 1", V3, "3:4\xffa", []Packet{msg("\xffa")}},
	{"encoded surrogate counts 3", V3, "4:4\xed\xa0\x80", []Packet{msg("\xed\xa0\x80")}},
	{"v4 framing", V4, "4hello\x1e2\x1e4world", []Packet{msg("hello"), text(Ping, ""), msg("world")}},
	{"v4 binary", V4, "4hello\x1ebAQIDBA==", []Packet{msg("hello"), bin(1, 2, 3, 4)}},
	{"v4 binary event", V4, `451-["baz",{"_placeholder":true,"num":0}]` + "\x1ebAQIDBA==", []Packet{msg(`51-["baz",{"_placeholder":true,"num":0}]`), bin(1, 2, 3, 4)}},
	{"v4 handshake", V4, v4Open, []Packet{text(Open, v4Open[1:])}},
	{"v4 utf8 has no lengths", V4, "4😀\x1e3", []Packet{msg("😀"), text(Pong, "")}},
}

func TestDecodeStringPayload(t *testing.T) {
	for _, tt := range stringPayloads {
		t.Run(tt.name, func(t *testing.T) {
			pkts, err := DecodePayload([]byte(tt.body), false, tt.v)
			if err != nil {
				t.Fatalf("DecodePayload(%q): %v", tt.body, err)
			}
			if !equalPackets(pkts, tt.pkts) {
				t.Errorf("DecodePayload(%q) = %s, want %s", tt.body, dump(pkts...), dump(tt.pkts...))
			}
		})
	}
}

func TestAppendStringPayload(t *testing.T) {
	for _, tt := range stringPayloads {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendStringPayload([]byte("x"), tt.pkts, tt.v)
			if string(got) != "x"+tt.body {
				t.Errorf("AppendStringPayload(%s) = %q, want %q", dump(tt.pkts...), got[1:], tt.body)
			}
		})
	}
}

func TestStringPayloadEdges(t *testing.T) {
	if got := AppendStringPayload(nil, nil, V3); string(got) != "0:" {
		t.Errorf("empty v3 payload = %q, want %q", got, "0:")
	}
	if got := AppendStringPayload(nil, nil, V4); len(got) != 0 {
		t.Errorf("empty v4 payload = %q, want nothing", got)
	}
	// The reference skips zero-length entries, and accepts leading zeros.
	for body, want := range map[string][]Packet{
		"0:":         nil,
		"0:1:3":      {text(Pong, "")},
		"1:30:":      {text(Pong, "")},
		"02:4a":      {msg("a")},
		"3:4😀":       {msg("😀")},
		"5:4hell1:3": {msg("hell"), text(Pong, "")},
	} {
		pkts, err := DecodePayload([]byte(body), false, V3)
		if err != nil || !equalPackets(pkts, want) {
			t.Errorf("DecodePayload(%q) = %s, %v; want %s", body, dump(pkts...), err, dump(want...))
		}
	}
}

// TestPayloadErrors covers the decoder rules of protocol.md §5.1, §5.2 and
// §16: each bad body fails with a *ProtocolError, and the packets before the
// bad entry come back with it, except after an XHR2 framing error.
func TestPayloadErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		v      Version
		binary bool
		body   string
		before []Packet
	}{
		{"empty body", V3, false, "", nil},
		{"empty body v4", V4, false, "", nil},
		{"empty body xhr2", V3, true, "", nil},
		{"non-numeric length", V3, false, "abc:4a", nil},
		{"hex length", V3, false, "0x2:4a", nil},
		{"space in length", V3, false, " 2:4a", nil},
		{"negative length", V3, false, "-1:4", nil},
		{"empty length", V3, false, ":4", nil},
		{"length past the end", V3, false, "10:4hello", nil},
		{"huge length", V3, false, "99999999999999999999999999:4", nil},
		// The reference cuts 31 units, hands over the truncated packet, then
		// fails on the "]" left over: the session was closed (captured).
		{"emoji miscounted (captured)", V3, false, `31:421["echo",{"text":"😀é","n":1}]`, []Packet{msg(`21["echo",{"text":"😀é","n":1}`)}},
		{"length splits a surrogate pair", V3, false, "2:4😀", nil},
		{"undecodable packet", V3, false, "6:4hello2:7x", []Packet{msg("hello")}},
		{"bad base64", V3, false, "6:4hello6:b4!!!!", []Packet{msg("hello")}},
		{"binary ping", V3, false, "6:4hello2:b2", []Packet{msg("hello")}},
		{"base64 without type", V3, false, "1:b", nil},
		{"trailing characters", V3, false, "6:4hello3", []Packet{msg("hello")}},
		{"trailing garbage", V3, false, "6:4hello2:4€x", []Packet{msg("hello"), msg("€")}},
		{"short length leaves garbage", V3, false, "5:4hello", []Packet{msg("hell")}},
		{"v4 empty entry", V4, false, "4a\x1e\x1e4b", []Packet{msg("a")}},
		{"v4 trailing separator", V4, false, "4a\x1e", []Packet{msg("a")}},
		{"v4 separator alone", V4, false, "\x1e", nil},
		{"v4 unknown type", V4, false, "4a\x1e7", []Packet{msg("a")}},
		{"v4 v3 base64", V4, false, "b4AQIDBA==", nil},
		{"v4 octet-stream", V4, true, "\x00\x02\xff4a", nil},
		{"xhr2 flag 2", V3, true, "\x02\x02\xff\x04a", nil},
		{"xhr2 ascii digit", V3, true, "\x00\x32\xff4a", nil},
		{"xhr2 no terminator", V3, true, "\x00\x02", nil},
		{"xhr2 no length", V3, true, "\x00\xff4a", nil},
		{"xhr2 length past the end", V3, true, "\x00\x09\xff4a", nil},
		{"xhr2 312 digits", V3, true, "\x00" + strings.Repeat("\x00", 311) + "\x02\xff4a", nil},
		{"xhr2 empty string entry", V3, true, "\x00\x00\xff", nil},
		{"xhr2 empty binary entry", V3, true, "\x01\x00\xff", nil},
		{"xhr2 binary ping", V3, true, "\x01\x02\xff\x02a", nil},
		{"xhr2 string unknown type", V3, true, "\x00\x02\xff4a\x00\x01\xff7", []Packet{msg("a")}},
		{"xhr2 invalid utf8", V3, true, "\x00\x02\xff4a\x00\x02\xff4\xff", []Packet{msg("a")}},
		{"xhr2 truncated utf8", V3, true, "\x00\x03\xff4\xe2\x82", nil},
		{"xhr2 overlong utf8", V3, true, "\x00\x03\xff4\xc0\xaf", nil},
		{"xhr2 framing error after a packet", V3, true, "\x00\x02\xff4a\x00\x09\xff4b", nil},
		{"xhr2 framing error after a bad packet", V3, true, "\x00\x01\xff7\x00\x09\xff4b", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pkts, err := DecodePayload([]byte(tt.body), tt.binary, tt.v)
			if err == nil {
				t.Fatalf("DecodePayload(%q) = %s, want error", tt.body, dump(pkts...))
			}
			checkProtocolError(t, err)
			if !equalPackets(pkts, tt.before) {
				t.Errorf("DecodePayload(%q) returned %s with the error, want %s", tt.body, dump(pkts...), dump(tt.before...))
			}
		})
	}
}

// binaryPayloads are v3 XHR2 payloads, exact both ways.
var binaryPayloads = []struct {
	name string
	body string // hex
	pkts []Packet
}{
	{"spec example", "00 04 ff 34 e2 82 ac 01 05 ff 04 01 02 03 04", []Packet{msg("€"), bin(1, 2, 3, 4)}},
	{
		"getbin response (captured)",
		"00 04 05 ff" + hexOf(takebinHeader) + "01 09 ff 04 61 73 64 66 61 73 64 66",
		[]Packet{msg(takebinHeader[1:]), bin([]byte("asdfasdf")...)},
	},
	{
		"mixed response, length in bytes (captured)",
		"00 02 06 ff" + hexOf(`42["takeUtf8","てすと"]`),
		[]Packet{msg(`2["takeUtf8","てすと"]`)},
	},
	{
		"client upload (captured)",
		"000403ff 3435312d5b226275666661222c7b225f706c616365686f6c646572223a747275652c226e756d223a307d5d 0104ff 04010203",
		[]Packet{msg(buffaHeader[1:]), bin(1, 2, 3)},
	},
	{"control packets", "00 01 ff 33 00 01 ff 36", []Packet{text(Pong, ""), text(Noop, "")}},
	{"empty binary message", "01 01 ff 04", []Packet{bin()}},
	{"ten bytes takes two digits", "01 01 00 ff 04" + strings.Repeat(" 07", 9), []Packet{bin(7, 7, 7, 7, 7, 7, 7, 7, 7)}},
}

// hexOf returns s in the hex form unhex reads.
func hexOf(s string) string { return " " + hex.EncodeToString([]byte(s)) + " " }

func TestBinaryPayload(t *testing.T) {
	for _, tt := range binaryPayloads {
		t.Run(tt.name, func(t *testing.T) {
			body := unhex(t, tt.body)
			pkts, err := DecodePayload(body, true, V3)
			if err != nil {
				t.Fatalf("DecodePayload(% x): %v", body, err)
			}
			if !equalPackets(pkts, tt.pkts) {
				t.Errorf("DecodePayload(% x) = %s, want %s", body, dump(pkts...), dump(tt.pkts...))
			}
			if got := AppendBinaryPayload([]byte{9}, tt.pkts); string(got) != "\x09"+string(body) {
				t.Errorf("AppendBinaryPayload(%s) = % x, want % x", dump(tt.pkts...), got[1:], body)
			}
		})
	}
}

func TestDecodeBinaryPayloadOnly(t *testing.T) {
	for _, tt := range []struct {
		name string
		body string
		want []Packet
	}{
		// A string entry may hold a base64 packet, as for the reference.
		{"base64 string entry", "00 06 ff" + hexOf("b4AQID"), []Packet{bin(1, 2, 3)}},
		// 311 length digits are still accepted by the reference.
		{"311 digits", "00" + strings.Repeat(" 00", 310) + " 02 ff 34 61", []Packet{msg("a")}},
		// Browsers write lone surrogates of a JS string this way; the
		// reference takes them.
		{"encoded surrogate", "00 04 ff 34 ed a0 80", []Packet{msg("\xed\xa0\x80")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := unhex(t, tt.body)
			pkts, err := DecodePayload(body, true, V3)
			if err != nil || !equalPackets(pkts, tt.want) {
				t.Errorf("DecodePayload(% x) = %s, %v; want %s", body, dump(pkts...), err, dump(tt.want...))
			}
		})
	}
	if got := AppendBinaryPayload(nil, nil); len(got) != 0 {
		t.Errorf("AppendBinaryPayload(nil) = % x, want nothing", got)
	}
}

func TestDecodePayloadAliasesInput(t *testing.T) {
	body := []byte("6:4hello10:b4AQIDBA==")
	pkts, err := DecodePayload(body, false, V3)
	if err != nil {
		t.Fatal(err)
	}
	if &pkts[0].Data[0] != &body[3] {
		t.Error("text Data does not alias the body")
	}
	body[13] = 'X' // inside the base64
	if !equalPacket(pkts[1], bin(1, 2, 3, 4)) {
		t.Error("base64 Data aliases the body")
	}

	xhr := unhex(t, "01 05 ff 04 01 02 03 04")
	pkts, err = DecodePayload(xhr, true, V3)
	if err != nil {
		t.Fatal(err)
	}
	if &pkts[0].Data[0] != &xhr[4] {
		t.Error("XHR2 binary Data does not alias the body")
	}
}

// TestUTF16Len checks the allocation-free count against the obvious
// conversion: a Go string ranges invalid bytes as one U+FFFD each.
func TestUTF16Len(t *testing.T) {
	for _, s := range []string{
		"", "hello", "€", "てすと", "😀é", "\xff", "\xe2\x82", "\xe2\x82a", "\xed\xa0\x80",
		"\xf0\x9f\x98", "a\xf0\x9f\x98\x80b", "\xc0\xaf", "\xf4\x90\x80\x80", "\U0010FFFF",
	} {
		if got, want := utf16Len([]byte(s)), len(utf16.Encode([]rune(s))); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}
