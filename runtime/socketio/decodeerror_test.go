package socketio

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

type decodeItem struct {
	Title string    `json:"title"`
	Done  bool      `json:"done"`
	Tags  []string  `json:"tags"`
	Due   time.Time `json:"due"`
	Blob  []byte    `json:"blob"`
	Sub   *struct {
		N int8 `json:"n"`
	} `json:"sub"`
}

// TestDecodeErrorMessages: what a peer reads when its argument does not
// decode names the place and JSON kinds, never a Go type or the decoder.
func TestDecodeErrorMessages(t *testing.T) {
	args := func(raw string, atts ...[]byte) *Args { return &Args{Raw: [][]byte{[]byte(raw)}, Attachments: atts} }
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"string got number", second(DecodeString[string](args(`12`), 0)), "want a string, got a number"},
		{"string got object", second(DecodeString[string](args(`{"a":1}`), 0)), "want a string, got an object"},
		{"bool got string", second(DecodeBool[bool](args(`"yes"`), 0)), "want a boolean, got a string"},
		{"int got fraction", second(DecodeInt[int](args(`1.5`), 0)), "want an integer, got 1.5"},
		{"int8 overflow", second(DecodeInt[int8](args(`300`), 0)), "want an integer from -128 to 127, got 300"},
		{"int64 overflow", second(DecodeInt[int64](args(`1e30`), 0)), "want an integer from -9223372036854775808 to 9223372036854775807, got 1e30"},
		{"uint16 negative", second(DecodeUint[uint16](args(`-3`), 0)), "want an integer from 0 to 65535, got -3"},
		{"uint64 array", second(DecodeUint[uint64](args(`[1]`), 0)), "want an integer, got an array"},
		{"float got bool", second(DecodeFloat[float64](args(`true`), 0)), "want a number, got a boolean"},
		{"float out of range", second(DecodeFloat[float64](args(`1e999`), 0)), "want a number, got 1e999"},
		{"struct got number", decode[decodeItem](args(`5`)), "want an object, got a number"},
		{"field of wrong kind", decode[decodeItem](args(`{"title":5}`)), "$.title: want a string, got a number"},
		{"nested field overflow", decode[decodeItem](args(`{"sub":{"n":1000}}`)), "$.sub.n: want an integer, got 1000"},
		{"slice element", decode[decodeItem](args(`{"tags":["a",2]}`)), "$.tags: want a string, got a number"},
		{"time", decode[decodeItem](args(`{"due":"tomorrow"}`)), `want an RFC 3339 date-time string, got "tomorrow"`},
		{"time alone", decode[time.Time](args(`"tomorrow"`)), `want an RFC 3339 date-time string, got "tomorrow"`},
		{"time got number", decode[time.Time](args(`5`)), "want an RFC 3339 date-time string, got a number"},
		{"custom unmarshaler", decode[refuser](args(`{}`)), "invalid object"},
		{"binary where a string goes", decode[decodeItem](args(`{"title":{"_placeholder":true,"num":0}}`, []byte{1})), "$.title: want a string, got binary data"},
		{"object where binary goes", decode[[]byte](args(`{"a":1}`)), "want binary data, got an object"},
		{"map got array", decode[map[string]int](args(`[1]`)), "want an object, got an array"},
	} {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if got := c.err.Error(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// The decoder's own error stays reachable for Go code.
	var te *json.UnmarshalTypeError
	if err := decode[decodeItem](args(`{"title":5}`)); !errors.As(err, &te) || te.Field != "title" {
		t.Errorf("errors.As(*json.UnmarshalTypeError): %v", err)
	}
}

// TestArgErrorMessage: the event, the argument from 1, and the ack's.
func TestArgErrorMessage(t *testing.T) {
	inner := &decodeError{msg: "want a string, got a number"}
	if got := (&ArgError{Event: "chat message", Index: 0, Err: inner}).Error(); got != `"chat message": argument 1: want a string, got a number` {
		t.Errorf("event: %q", got)
	}
	if got := (&ArgError{Event: "save", Index: 1, Ack: true, Err: inner}).Error(); got != `"save" ack: argument 2: want a string, got a number` {
		t.Errorf("ack: %q", got)
	}
}

// refuser is a json.Unmarshaler that refuses everything, with a message
// that must not reach the peer.
type refuser struct{}

func (*refuser) UnmarshalJSON([]byte) error { return errors.New("internal detail") }

func second[T any](_ T, err error) error { return err }

func decode[T any](a *Args) error {
	var v T
	return a.Decode(0, &v)
}

// FuzzDecodeErrors: whatever a peer sends as an argument, decoding it into
// the kinds of value generated code uses either succeeds or fails with a
// message in JSON's terms: never the decoder's words or a Go type name
// (unless the peer wrote that text itself, which a message may quote).
func FuzzDecodeErrors(f *testing.F) {
	for _, seed := range []string{
		`5`, `"x"`, `true`, `null`, `[1,"a"]`, `{"title":5}`, `{"sub":{"n":1000}}`,
		`{"due":"tomorrow"}`, `{"tags":[1]}`, `{"blob":{"_placeholder":true,"num":0}}`,
		`{"title":{"_placeholder":true,"num":1}}`, `1e999`, `-0.5`, `"\u00e9"`,
	} {
		f.Add([]byte(seed), uint8(1))
	}
	forbidden := []string{"json:", "codec", "Go value", "Go struct", "socketio.", "decodeItem", "time.Time", "int8", "uint16", "[]string", "map[", "reflect"}
	f.Fuzz(func(t *testing.T, raw []byte, n uint8) {
		if !json.Valid(raw) {
			return // the packet decoder lets no invalid JSON through to Args
		}
		a := &Args{Raw: [][]byte{raw}, Attachments: [][]byte{{1}, {2}}[:n%3]}
		errs := []error{
			decode[decodeItem](a), decode[[]decodeItem](a), decode[map[string]int](a),
			decode[time.Time](a), decode[[]byte](a), decode[any](a), decode[refuser](a),
			second(DecodeString[string](a, 0)), second(DecodeBool[bool](a, 0)),
			second(DecodeInt[int8](a, 0)), second(DecodeUint[uint16](a, 0)), second(DecodeFloat[float32](a, 0)),
		}
		for i, err := range errs {
			if err == nil {
				continue
			}
			var de *decodeError
			if !errors.As(err, &de) {
				t.Fatalf("decoder %d: %T %v is not restated", i, err, err)
			}
			msg := (&ArgError{Event: "e", Err: err}).Error()
			for _, bad := range forbidden {
				if strings.Contains(msg, bad) && !strings.Contains(string(raw), bad) {
					t.Fatalf("decoder %d of %q: %q says %q", i, raw, msg, bad)
				}
			}
		}
	})
}
