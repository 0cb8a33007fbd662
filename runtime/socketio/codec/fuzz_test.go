package codec

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// A fuzz input for FuzzDecoder is a sequence of Engine.IO messages joined by
// fuzzSep; a message starting with fuzzBinary is binary (the byte itself is
// not part of it), any other is text.
const (
	fuzzSep    = "\x1e"
	fuzzBinary = '\x01'
)

func joinMessages(msgs ...msg) []byte {
	var b []byte
	for i, m := range msgs {
		if i > 0 {
			b = append(b, fuzzSep...)
		}
		if m.binary {
			b = append(b, fuzzBinary)
		}
		b = append(b, m.data...)
	}
	return b
}

func splitMessages(input []byte) []msg {
	var msgs []msg
	for _, part := range bytes.Split(input, []byte(fuzzSep)) {
		if len(part) > 0 && part[0] == fuzzBinary {
			msgs = append(msgs, msg{data: string(part[1:]), binary: true})
		} else {
			msgs = append(msgs, msg{data: string(part)})
		}
	}
	return msgs
}

func FuzzDecoder(f *testing.F) {
	for _, tt := range decodeTests {
		f.Add(tt.version == V5, joinMessages(tt.msgs...))
	}
	for _, tt := range decodeErrorTests {
		f.Add(tt.version == V5, joinMessages(tt.msgs...))
	}
	f.Fuzz(func(t *testing.T, v5 bool, input []byte) {
		version := V4
		if v5 {
			version = V5
		}
		d := Decoder{Version: version}
		for _, m := range splitMessages(input) {
			if !m.binary && bytes.Count([]byte(m.data), []byte("["))+bytes.Count([]byte(m.data), []byte("{")) < maxNesting {
				// The scanner accepts exactly what encoding/json accepts.
				if got, want := validJSON([]byte(m.data), maxNesting), json.Valid([]byte(m.data)); got != want {
					t.Fatalf("validJSON(%q) = %v, json.Valid = %v", m.data, got, want)
				}
			}
			p, err := d.Add([]byte(m.data), m.binary)
			if err != nil {
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v is %T, not *ProtocolError", err, err)
				}
				continue
			}
			if p != nil {
				checkPacket(t, p, version)
			}
		}
	})
}

// checkPacket checks what must hold for every packet the Decoder accepts.
func checkPacket(t *testing.T, p *Packet, version Version) {
	t.Helper()
	// It re-encodes to a packet that decodes identically.
	var d Decoder
	d.Version = version
	enc := AppendPacket(nil, p, version)
	got, err := d.Add(enc, false)
	for i := 0; err == nil && got == nil && i < len(p.Attachments); i++ {
		got, err = d.Add(p.Attachments[i], true)
	}
	if err != nil || got == nil {
		t.Fatalf("re-encoded %s as %q: %v, %v", dump(p), enc, got, err)
	}
	if !equalPackets(got, p) {
		t.Fatalf("re-encoded %s as %q, decoded %s", dump(p), enc, dump(got))
	}
	if p.Data == nil {
		return
	}
	switch p.Type {
	case Event, BinaryEvent:
		name, _, ok, err := EventName(p.Data)
		if err != nil {
			t.Fatalf("EventName(%q): %v", p.Data, err)
		}
		if ok && version == V5 && IsReserved(name) {
			t.Fatalf("reserved name %q accepted", name)
		}
	case Ack, BinaryAck:
		if _, err := SplitArray(p.Data); err != nil {
			t.Fatalf("SplitArray(%q): %v", p.Data, err)
		}
	}
	// Every placeholder resolves: only numbers beyond float64 may fail.
	var v any
	if err := Unmarshal(p.Data, p.Attachments, &v); err != nil {
		var ute *json.UnmarshalTypeError
		if !errors.As(err, &ute) {
			t.Fatalf("Unmarshal(%q, %d attachments): %v", p.Data, len(p.Attachments), err)
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, tt := range decodeTests {
		var d Decoder
		d.Version = tt.version
		p, err := decodeAll(&d, tt.msgs...)
		if err != nil || len(p) != 1 {
			continue
		}
		var a0, a1 []byte
		if len(p[0].Attachments) > 0 {
			a0 = p[0].Attachments[0]
		}
		if len(p[0].Attachments) > 1 {
			a1 = p[0].Attachments[1]
		}
		f.Add(p[0].Data, a0, a1, uint8(len(p[0].Attachments)))
	}
	f.Add([]byte(`{"hello":"lol","message":{"_placeholder":true,"num":0},"goodbye":"gotcha"}`), []byte{1, 2}, []byte(nil), uint8(1))
	f.Add([]byte(`{"Name":"x","Data":{"_placeholder":true,"num":1},"Parts":[{"_placeholder":true,"num":0}],"ByName":{"k":{"_placeholder":true,"num":1}},"Next":{"Data":{"_placeholder":true,"num":0}}}`), []byte("a"), []byte("b"), uint8(2))
	f.Add([]byte(`{"U":{"_placeholder":true,"num":0},"Count":"12","N":1e3}`), []byte("a"), []byte("b"), uint8(2))
	f.Add([]byte(`{"hidden":{"Bin":{"_placeholder":true,"num":0},"n":"3"},"Ptr":{"_placeholder":true,"num":1},"id":1,"sig":{"_placeholder":true,"num":0},"created":"2026-11-25T04:49:49Z","count":"2","Arr":[{"_placeholder":true,"num":1}]}`), []byte("a"), []byte("b"), uint8(2))

	type target struct {
		Name   string
		Data   []byte
		Parts  [][]byte
		ByName map[string][]byte
		ByNum  map[int]any
		Arr    [2][]byte
		Any    any
		U      upper
		Count  int `json:",string"`
		N      float32
		Next   *target
		BaseWithBytes
	}
	f.Fuzz(func(t *testing.T, data, a0, a1 []byte, n uint8) {
		attachments := [][]byte{append([]byte{}, a0...), append([]byte{}, a1...), {}}[:n%4]

		var v any
		err := Unmarshal(data, attachments, &v)
		if !json.Valid(data) && err == nil {
			t.Fatalf("Unmarshal accepted invalid JSON %q", data)
		}
		if err == nil {
			// What was decoded encodes again and decodes to the same value,
			// binary data included: the echo case.
			var out [][]byte
			enc, err := AppendValue(nil, v, &out)
			if err != nil {
				t.Fatalf("AppendValue(%#v): %v", v, err)
			}
			var again any
			if err := Unmarshal(enc, out, &again); err != nil {
				t.Fatalf("Unmarshal(%s): %v", enc, err)
			}
			if !reflect.DeepEqual(v, again) {
				t.Fatalf("echo of %q changed the value:\n%#v\n%#v", data, v, again)
			}
		}
		if len(attachments) == 0 {
			var want any
			if wantErr := json.Unmarshal(data, &want); (wantErr == nil) != (err == nil) || err == nil && !reflect.DeepEqual(v, want) {
				t.Fatalf("without attachments: %#v, %v; encoding/json: %#v, %v", v, err, want, wantErr)
			}
		}

		var s target
		Unmarshal(data, attachments, &s) // must not panic

		// Differential check: a type without `any` decodes as encoding/json
		// decodes the same JSON with each placeholder replaced by the base64
		// string of its attachment (which is what a []byte decodes from).
		var got oracleTarget
		if err := Unmarshal(data, attachments, &got); err != nil {
			return
		}
		b64, ok := replacePlaceholders(data, attachments)
		if !ok || hasFoldedDuplicateKeys(b64) {
			return // duplicate keys: a documented difference
		}
		var want oracleTarget
		if err := json.Unmarshal(b64, &want); err != nil {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Unmarshal(%q) = %+v\nencoding/json(%q) = %+v", data, got, b64, want)
		}
	})
}

// oracleTarget has every kind of target FuzzUnmarshal compares with
// encoding/json.
type oracleTarget struct {
	Name   string
	Data   []byte
	Parts  [][]byte
	ByName map[string][]byte
	ByNum  map[int][]byte
	Arr    [2][]byte
	U      upper
	Count  int `json:",string"`
	N      float32
	Next   *oracleTarget
	Ptr    *[]byte
	BaseWithBytes
	*Meta
	hiddenInner `json:"hidden"`
}

// replacePlaceholders returns data with each outermost placeholder replaced
// by the base64 string of its attachment.
func replacePlaceholders(data []byte, attachments [][]byte) ([]byte, bool) {
	sc := scanner{data: data, maxDepth: maxNesting, placeholders: true, attachments: len(attachments), collect: true}
	if _, err := sc.document(); err != nil {
		return nil, false
	}
	slices.SortFunc(sc.marks, func(a, b mark) int { return cmp.Compare(a.start, b.start) })
	var out []byte
	pos := 0
	for _, m := range sc.marks {
		if m.num < 0 || m.start < pos {
			continue
		}
		out = append(out, data[pos:m.start]...)
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, attachments[m.num])
		out = append(out, '"')
		pos = m.end
	}
	return append(out, data[pos:]...), true
}

// hasFoldedDuplicateKeys reports whether an object in the valid JSON data
// has two keys equal under case folding.
func hasFoldedDuplicateKeys(data []byte) bool {
	type frame struct {
		object  bool
		wantKey bool
		keys    []string
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if key, ok := tok.(string); ok {
				for _, k := range top.keys {
					if strings.EqualFold(k, key) {
						return true
					}
				}
				top.keys = append(top.keys, key)
				top.wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, &frame{object: tok == json.Delim('{'), wantKey: true})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			stack[len(stack)-1].wantKey = true // a value ended
		}
	}
}
