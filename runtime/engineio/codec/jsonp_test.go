package codec

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAppendJSONP(t *testing.T) {
	for _, tt := range []struct {
		name    string
		index   string
		payload string
		want    string
	}{
		{
			"handshake (captured)", "0", "97:" + jsonpOpen + "2:40",
			`___eio[0]("97:0{\"sid\":\"ia0oVRwfqGxTRq_SAAAO\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":20000}2:40");`,
		},
		{
			"binary event (captured)", "0", `42:451-["doge",{"_placeholder":true,"num":0}]14:b4YXNkZmFzZGY=`,
			`___eio[0]("42:451-[\"doge\",{\"_placeholder\":true,\"num\":0}]14:b4YXNkZmFzZGY=");`,
		},
		{
			"non-digits of the index dropped (captured)", "abc1x2", "1:6",
			`___eio[12]("1:6");`,
		},
		{
			"no index", "", "1:6",
			`___eio[]("1:6");`,
		},
		{
			"newline escapes", "3", "38:" + newlineAck,
			`___eio[3]("38:431[{\"text\":\"line1\\nline2 \\\\n\",\"n\":1}]");`,
		},
		{
			// Expected output produced by node 20: JSON.stringify, then the
			// reference's U+2028/U+2029 replacement. DEL and non-ASCII stay raw.
			"JSON.stringify escapes", "1", "a\x00\x01\x1f\x7f\b\f\n\r\t\"\\/é😀\u2028\u2029<>&\x1e",
			`___eio[1]("a\u0000\u0001\u001f` + "\x7f" + `\b\f\n\r\t\"\\/é😀\u2028\u2029<>&\u001e");`,
		},
		{
			// Near misses of U+2028: E2 80 A7 is U+2027; E2 at the end.
			"not line separators", "1", "\u2027\u20ac\xe2\x80\xe2",
			`___eio[1]("` + "\u2027\u20ac\xe2\x80\xe2" + `");`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendJSONP([]byte("x"), tt.index, []byte(tt.payload))
			if string(got) != "x"+tt.want {
				t.Errorf("AppendJSONP(%q, %q) =\n%s\nwant\n%s", tt.index, tt.payload, got[1:], tt.want)
			}
		})
	}
}

// escapeJSONP is what the engine.io-client 3.5.6 JSONP transport does to a
// payload before it puts it in the form's textarea.
func escapeJSONP(payload string) string {
	payload = strings.ReplaceAll(payload, `\n`, "\\\n")
	return strings.ReplaceAll(payload, "\n", `\n`)
}

var refSlashes = regexp.MustCompile(`(\\)?\\n`)

// refUnescapeNewlines is engine.io 3.6.2's onData written with the same
// regular expressions, as an oracle for unescapeNewlines.
func refUnescapeNewlines(s string) string {
	s = refSlashes.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) == 3 {
			return m
		}
		return "\n"
	})
	return strings.ReplaceAll(s, `\\n`, `\n`)
}

func TestDecodeJSONPBody(t *testing.T) {
	for _, tt := range []struct {
		name string
		body string
		want string
	}{
		{
			// Body as a browser form-encodes what escapeJSONP gives
			// (generated with node's URLSearchParams).
			"newline example",
			`d=45%3A421%5B%22echo%22%2C%7B%22text%22%3A%22line1%5C%5Cnline2+%5C%5C%5Cn%22%2C%22n%22%3A1%7D%5D`,
			"45:" + newlineEcho,
		},
		{"base64 plus and slash", `d=6%3Ab4%2B%2F8%3D`, "6:b4+/8="},
		{"plus is a space", `d=6:4a%2Bb+c`, "6:4a+b c"},
		{"real newline", `d=4%3A4a%5Cnb`, "4:4a\nb"},
		{"escaped field name", `%64=1:3`, "1:3"},
		{"malformed other name", `%zz=1&d=1:3`, "1:3"},
		{"semicolon is not a separator", `d=1:3;x`, "1:3;x"},
		{"other fields", `x=1&d=1:3&y`, "1:3"},
		{"empty fields", `&&d=1:3&`, "1:3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeJSONPBody([]byte(tt.body))
			if err != nil {
				t.Fatalf("DecodeJSONPBody(%q): %v", tt.body, err)
			}
			if string(got) != tt.want {
				t.Errorf("DecodeJSONPBody(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestDecodeJSONPBodyThenPayload(t *testing.T) {
	d, err := DecodeJSONPBody([]byte(`d=6%3Ab4%2B%2F8%3D`))
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := DecodePayload(d, false, V3)
	if err != nil || !equalPackets(pkts, []Packet{bin(0xfb, 0xff)}) {
		t.Errorf("payload = %s, %v", dump(pkts...), err)
	}
}

func TestDecodeJSONPBodyIgnored(t *testing.T) {
	for _, body := range []string{"", "x=1", "dd=1", "D=1", "d+=1", "d=1:3&d=1:3", "%64=1&d=2"} {
		got, err := DecodeJSONPBody([]byte(body))
		if got != nil || err != nil {
			t.Errorf("DecodeJSONPBody(%q) = %q, %v; want nil, nil", body, got, err)
		}
	}
}

func TestDecodeJSONPBodyErrors(t *testing.T) {
	for _, body := range []string{"d", "d=", "x=1&d=&y=2", "d=%zz", "d=1:3%4", "d=%"} {
		got, err := DecodeJSONPBody([]byte(body))
		if err == nil {
			t.Errorf("DecodeJSONPBody(%q) = %q, want error", body, got)
			continue
		}
		checkProtocolError(t, err)
	}
}

func TestJSONPRoundTrip(t *testing.T) {
	for _, payload := range []string{
		"45:" + newlineEcho,
		"38:" + newlineAck,
		"4:4a\nb",
		`3:4\n`,
		`4:4\\n`,
		`5:4\\\n`,
		"5:4\n\\n",
		"10:b4AQIDBA==",
		"3:4 +",
		"1:4&d=x",
	} {
		body := "d=" + url.QueryEscape(escapeJSONP(payload))
		got, err := DecodeJSONPBody([]byte(body))
		if err != nil || string(got) != payload {
			t.Errorf("payload %q sent as %q came back as %q, %v", payload, body, got, err)
		}
	}
}

func TestUnescapeNewlines(t *testing.T) {
	for _, s := range []string{
		"", "abc", `\`, `\n`, `\\n`, `\\\n`, `\\\\n`, `\\\\\n`, "\\\n", `a\nb\\nc\\\nd`,
		`\n\n`, `\\n\\n`, `\\\\`, `n\`, `\\`, `\\\`, `\x`, `\\x`,
	} {
		if got, want := string(unescapeNewlines([]byte(s))), refUnescapeNewlines(s); got != want {
			t.Errorf("unescapeNewlines(%q) = %q, want %q", s, got, want)
		}
	}
}
