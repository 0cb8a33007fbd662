package codec

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// The fuzz targets check, for any input: no panic; errors are
// *ProtocolError; decoded packets are well formed; and what decodes,
// re-encodes to something that decodes to the same packets. Seeds are the
// frames of protocol.md, also kept under testdata/fuzz.

func version(v4 bool) Version {
	if v4 {
		return V4
	}
	return V3
}

// checkWellFormed fails on a packet no decoder may return.
func checkWellFormed(t *testing.T, p Packet) {
	t.Helper()
	if p.Type > Noop {
		t.Fatalf("decoded packet of type %d", p.Type)
	}
	if p.Binary && p.Type != Message {
		t.Fatalf("decoded binary %v packet", p.Type)
	}
	if p.Data != nil && len(p.Data) == 0 {
		t.Fatal("decoded empty non-nil Data")
	}
}

func FuzzDecodeText(f *testing.F) {
	for _, tt := range textFrames {
		f.Add([]byte(tt.frame), tt.v == V4)
	}
	for _, s := range []string{"", "7", "b", "b9AAAA", "b4AQIDBA", "b4\nAQ\rID\nBA==", "b4YR==", "4\xff\xed\xa0\x80"} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, v4 bool) {
		// The allocation-free UTF-16 count against the obvious conversion.
		if got, want := utf16Len(data), len(utf16.Encode([]rune(string(data)))); got != want {
			t.Fatalf("utf16Len(%q) = %d, want %d", data, got, want)
		}
		v := version(v4)
		p, err := DecodeText(data, v)
		if err != nil {
			checkProtocolError(t, err)
			return
		}
		checkWellFormed(t, p)
		enc := AppendText(nil, p, v)
		if !p.Binary && !bytes.Equal(enc, data) {
			// Text frames have exactly one form.
			t.Fatalf("DecodeText(%q) re-encodes as %q", data, enc)
		}
		p2, err := DecodeText(enc, v)
		if err != nil || !equalPacket(p, p2) {
			t.Fatalf("DecodeText(%q) = %s; re-encoded %q decodes to %s, %v", data, dump(p), enc, dump(p2), err)
		}
	})
}

func FuzzDecodeBinary(f *testing.F) {
	for _, tt := range binaryFrames {
		f.Add(unhex(f, tt.frame), tt.v == V4)
	}
	f.Add([]byte{2, 1}, false)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, data []byte, v4 bool) {
		v := version(v4)
		p, err := DecodeBinary(data, v)
		if err != nil {
			checkProtocolError(t, err)
			return
		}
		checkWellFormed(t, p)
		if !p.Binary {
			t.Fatalf("DecodeBinary(% x) gave a text packet", data)
		}
		if enc := AppendBinary(nil, p, v); !bytes.Equal(enc, data) {
			t.Fatalf("DecodeBinary(% x) = %s re-encodes as % x", data, dump(p), enc)
		}
	})
}

func FuzzDecodePayload(f *testing.F) {
	for _, tt := range stringPayloads {
		f.Add([]byte(tt.body), false, tt.v == V4)
	}
	for _, tt := range binaryPayloads {
		f.Add(unhex(f, tt.body), true, false)
	}
	for _, s := range []string{"", "0:", "6:4hello3", "2:4😀", "5:4hello", "4a\x1e\x1e4b", "\x00\x01\xff7\x00\x09\xff4b"} {
		f.Add([]byte(s), false, false)
		f.Add([]byte(s), false, true)
		f.Add([]byte(s), true, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, binary, v4 bool) {
		v := version(v4)
		pkts, err := DecodePayload(data, binary, v)
		for _, p := range pkts {
			checkWellFormed(t, p)
			if !p.Binary && len(p.Data) > 0 && !within(p.Data, data) {
				t.Fatalf("text Data %q does not alias the body", p.Data)
			}
		}
		if err != nil {
			checkProtocolError(t, err)
			return
		}
		if binary && v4 {
			t.Fatal("v4 accepted a binary payload")
		}

		enc := AppendStringPayload(nil, pkts, v)
		again, err := DecodePayload(enc, false, v)
		if err != nil || !equalPackets(pkts, again) {
			t.Fatalf("DecodePayload(%q) = %s; string payload %q decodes to %s, %v", data, dump(pkts...), enc, dump(again...), err)
		}

		if v != V3 || len(pkts) == 0 {
			return
		}
		for _, p := range pkts {
			if _, ok := validXHR2Text(p.Data); !p.Binary && !ok {
				// Text the XHR2 decoder rejects, as the reference does.
				return
			}
		}
		enc = AppendBinaryPayload(nil, pkts)
		again, err = DecodePayload(enc, true, V3)
		if err != nil || !equalPackets(pkts, again) {
			t.Fatalf("DecodePayload(%q) = %s; XHR2 payload % x decodes to %s, %v", data, dump(pkts...), enc, dump(again...), err)
		}
	})
}

// within reports whether sub lies inside the memory of b.
func within(sub, b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for i := range b {
		if &b[i] == &sub[0] {
			return i+len(sub) <= len(b)
		}
	}
	return false
}

func FuzzDecodeJSONPBody(f *testing.F) {
	for _, s := range []string{
		`d=45%3A421%5B%22echo%22%2C%7B%22text%22%3A%22line1%5C%5Cnline2+%5C%5C%5Cn%22%2C%22n%22%3A1%7D%5D`,
		`d=6%3Ab4%2B%2F8%3D`, `d=4%3A4a%5Cnb`, `%64=1:3`, `d=1:3;x`, `d=1:3&d=1:3`, `d`, `d=%zz`,
		"d=" + url.QueryEscape("97:"+jsonpOpen+"2:40"),
		"d=" + url.QueryEscape("43:"+buffaHeader+"10:b4AQIDBA=="),
		"d=" + url.QueryEscape("a\u2028\x00\"\\é😀"),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := DecodeJSONPBody(body)
		if err != nil {
			checkProtocolError(t, err)
		}
		if err == nil && d != nil && len(d) == 0 {
			t.Fatal("empty d returned without error")
		}

		// net/url's own form parser as an oracle, where it accepts the body
		// (it refuses ';', which the reference takes as text).
		if vals, perr := url.ParseQuery(string(body)); perr == nil {
			switch ds := vals["d"]; {
			case len(ds) != 1:
				if d != nil || err != nil {
					t.Fatalf("%q has %d d fields, got %q, %v", body, len(ds), d, err)
				}
			case ds[0] == "":
				if err == nil {
					t.Fatalf("%q has an empty d, got no error", body)
				}
			case err != nil || string(d) != refUnescapeNewlines(ds[0]):
				t.Fatalf("%q: got %q, %v, want %q", body, d, err, refUnescapeNewlines(ds[0]))
			}
		}
		if err != nil || d == nil {
			return
		}

		// What the server decoded, the client's escaping carries intact,
		// except a backslash before a real newline, which the scheme cannot
		// tell from an escaped "\n".
		if !bytes.Contains(d, []byte("\\\n")) {
			body2 := "d=" + url.QueryEscape(escapeJSONP(string(d)))
			d2, err := DecodeJSONPBody([]byte(body2))
			if err != nil || !bytes.Equal(d, d2) {
				t.Fatalf("%q sent as %q came back as %q, %v", d, body2, d2, err)
			}
		}

		// The JSONP response holds a JavaScript string literal that is also
		// JSON, and no raw U+2028, U+2029 or control character.
		resp := AppendJSONP(nil, "7", d)
		lit, ok := bytes.CutPrefix(resp, []byte(`___eio[7](`))
		lit, ok2 := bytes.CutSuffix(lit, []byte(`);`))
		if !ok || !ok2 {
			t.Fatalf("AppendJSONP(%q) = %q", d, resp)
		}
		if bytes.ContainsAny(lit, "\u2028\u2029") || bytes.ContainsFunc(lit, func(r rune) bool { return r < 0x20 }) {
			t.Fatalf("AppendJSONP(%q) = %q holds a raw line terminator or control", d, resp)
		}
		if utf8.Valid(d) {
			var s string
			if err := json.Unmarshal(lit, &s); err != nil || s != string(d) {
				t.Fatalf("AppendJSONP(%q) = %q reads back as %q, %v", d, resp, s, err)
			}
		}
	})
}
