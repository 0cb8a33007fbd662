package codec

import (
	"testing"
)

// textFrames are text packets whose wire form is exact both ways: DecodeText
// gives the packet and AppendText gives the frame back.
var textFrames = []struct {
	name  string
	v     Version
	frame string
	p     Packet
}{
	{"message", V3, "4hello", msg("hello")},
	{"message v4", V4, "4hello", msg("hello")},
	{"empty message", V3, "4", msg("")},
	{"pong", V3, "3", text(Pong, "")},
	{"ping probe", V3, "2probe", text(Ping, "probe")},
	{"pong probe", V4, "3probe", text(Pong, "probe")},
	{"close", V3, "1", text(Close, "")},
	{"upgrade", V3, "5", text(Upgrade, "")},
	{"noop", V4, "6", text(Noop, "")},
	{"open (captured)", V3, handshakeOpen, text(Open, handshakeOpen[1:])},
	{"open v4", V4, v4Open, text(Open, v4Open[1:])},
	{"sio connect", V3, "40/admin?token=secret,", msg("0/admin?token=secret,")},
	{"utf8 (captured)", V3, `42["takeUtf8","てすと"]`, msg(`2["takeUtf8","てすと"]`)},
	{"binary header (captured)", V3, takebinHeader, msg(takebinHeader[1:])},
	{"base64 message (captured)", V3, "b4YXNkZmFzZGY=", bin([]byte("asdfasdf")...)},
	{"base64 v3", V3, "b4AQIDBA==", bin(1, 2, 3, 4)},
	{"base64 v4", V4, "bAQIDBA==", bin(1, 2, 3, 4)},
	{"base64 empty v3", V3, "b4", bin()},
	{"base64 empty v4", V4, "b", bin()},
	{"base64 plus and slash", V3, "b4+/8=", bin(0xfb, 0xff)},
}

func TestDecodeText(t *testing.T) {
	for _, tt := range textFrames {
		t.Run(tt.name, func(t *testing.T) {
			p, err := DecodeText([]byte(tt.frame), tt.v)
			if err != nil {
				t.Fatalf("DecodeText(%q): %v", tt.frame, err)
			}
			if !equalPacket(p, tt.p) {
				t.Errorf("DecodeText(%q) = %s, want %s", tt.frame, dump(p), dump(tt.p))
			}
		})
	}
}

func TestAppendText(t *testing.T) {
	for _, tt := range textFrames {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("x")
			got := AppendText(prefix, tt.p, tt.v)
			if string(got) != "x"+tt.frame {
				t.Errorf("AppendText(%s) = %q, want %q", dump(tt.p), got[1:], tt.frame)
			}
		})
	}
}

func TestAppendBase64(t *testing.T) {
	for _, tt := range []struct {
		v    Version
		p    Packet
		want string
	}{
		{V3, bin([]byte("asdfasdf")...), "b4YXNkZmFzZGY="},
		{V3, bin(1, 2, 3, 4), "b4AQIDBA=="},
		{V4, bin(1, 2, 3, 4), "bAQIDBA=="},
		{V4, bin(), "b"},
		// Text packets have no base64 form.
		{V3, msg("hello"), "4hello"},
		{V4, text(Ping, ""), "2"},
	} {
		if got := AppendBase64(nil, tt.p, tt.v); string(got) != tt.want {
			t.Errorf("AppendBase64(%s, %s) = %q, want %q", dump(tt.p), versionName(tt.v), got, tt.want)
		}
	}
}

func TestDecodeTextErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		v     Version
		frame string
	}{
		{"empty", V3, ""},
		{"empty v4", V4, ""},
		{"type 7 (captured)", V3, "7"},
		{"type 9 (captured)", V3, "9hello"},
		{"type 7 v4", V4, "7"},
		{"letter", V3, "xhello"},
		{"space", V3, " 4"},
		{"b alone v3", V3, "b"},
		{"binary open v3", V3, "b0AQIDBA=="},
		{"binary ping v3", V3, "b2"},
		{"binary unknown type v3", V3, "b9AAAA"},
		{"bad base64 v3", V3, "b4!!!!"},
		{"unpadded base64 v3", V3, "b4AQIDBA"},
		{"v3 prefix in v4", V4, "b4AQIDBA=="},
		{"bad base64 v4", V4, "b%%%%"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := DecodeText([]byte(tt.frame), tt.v)
			if err == nil {
				t.Fatalf("DecodeText(%q, %s) = %s, want error", tt.frame, versionName(tt.v), dump(p))
			}
			checkProtocolError(t, err)
		})
	}
}

func TestDecodeTextAliasesInput(t *testing.T) {
	in := []byte("4hello")
	p, err := DecodeText(in, V3)
	if err != nil {
		t.Fatal(err)
	}
	if &p.Data[0] != &in[1] {
		t.Error("text Data does not alias the input")
	}
}

// binaryFrames are websocket binary frames, exact both ways.
var binaryFrames = []struct {
	name  string
	v     Version
	frame string // hex
	p     Packet
}{
	{"doge reply (captured)", V3, "04 61 73 64 66 61 73 64 66", bin([]byte("asdfasdf")...)},
	{"v3 empty message", V3, "04", bin()},
	{"v4 raw", V4, "01 02 03 04", bin(1, 2, 3, 4)},
	{"v4 leading 04 is data", V4, "04 01", bin(4, 1)},
	{"v4 empty", V4, "", bin()},
}

func TestDecodeBinary(t *testing.T) {
	for _, tt := range binaryFrames {
		t.Run(tt.name, func(t *testing.T) {
			frame := unhex(t, tt.frame)
			p, err := DecodeBinary(frame, tt.v)
			if err != nil {
				t.Fatalf("DecodeBinary(% x): %v", frame, err)
			}
			if !equalPacket(p, tt.p) {
				t.Errorf("DecodeBinary(% x) = %s, want %s", frame, dump(p), dump(tt.p))
			}
			if got := AppendBinary(nil, tt.p, tt.v); string(got) != string(frame) {
				t.Errorf("AppendBinary(%s) = % x, want % x", dump(tt.p), got, frame)
			}
		})
	}
}

func TestDecodeBinaryErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		frame string
	}{
		{"empty", ""},
		{"ping", "02 01"},
		{"ascii type digit", "34 01"},
		{"unknown type", "07"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			frame := unhex(t, tt.frame)
			p, err := DecodeBinary(frame, V3)
			if err == nil {
				t.Fatalf("DecodeBinary(% x, v3) = %s, want error", frame, dump(p))
			}
			checkProtocolError(t, err)
		})
	}
}
