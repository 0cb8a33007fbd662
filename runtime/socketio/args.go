package socketio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/siogen/siogen/runtime/socketio/codec"
)

// Args are the arguments of an incoming event or ack, still encoded: the
// JSON of each, and the binary attachments their placeholders point to.
// Decode them into Go values with Decode.
type Args struct {
	Raw         [][]byte
	Attachments [][]byte
}

// Len returns the number of arguments.
func (a *Args) Len() int { return len(a.Raw) }

// Decode decodes argument i into dst, a non-nil pointer. A []byte anywhere in
// dst receives the binary attachment sent for it, and an `any` receives a
// []byte where the peer sent binary. A missing argument (the peer sent fewer)
// leaves dst unchanged, as JavaScript's undefined.
//
// An error says what was wanted and what came in JSON's terms, such as
// "$.text: want a string, got a number", without Go type names: it is
// fit for the peer. It wraps the decoder's own error (a
// *json.UnmarshalTypeError, ...), which errors.As finds.
func (a *Args) Decode(i int, dst any) error {
	if i >= len(a.Raw) {
		return nil
	}
	if err := codec.Unmarshal(a.Raw[i], a.Attachments, dst); err != nil {
		return decodeFailure(a.Raw[i], dst, err)
	}
	return nil
}

// ArgError reports an event or ack argument that did not decode into its
// declared Go type. Generated code hands it to the socket's error handler
// instead of calling the user's handler, and answers the ack with its
// message, which names the event, the argument (counted from 1) and what
// was wanted in JSON's terms:
//
//	"chat message": argument 1: want a string, got a number
//	"post" ack: argument 2: $.at: want an RFC 3339 date-time string, got a number
type ArgError struct {
	Event string // the event's wire name
	Index int    // the argument's position, from 0
	Ack   bool   // the argument is a value of the event's ack, not of the event
	Err   error
}

func (e *ArgError) Error() string {
	if e.Ack {
		return fmt.Sprintf("%q ack: argument %d: %v", e.Event, e.Index+1, e.Err)
	}
	return fmt.Sprintf("%q: argument %d: %v", e.Event, e.Index+1, e.Err)
}

func (e *ArgError) Unwrap() error { return e.Err }

// Argument decoders for generated code: each decodes argument i of a into a
// basic type without reflection, falling back to encoding/json for JSON it
// does not take directly (escapes, exponents). A missing argument or null
// gives the zero value, as JavaScript's undefined and null do.

// DecodeString decodes argument i as a string type.
func DecodeString[T ~string](a *Args, i int) (T, error) {
	raw, ok := a.raw(i)
	if !ok {
		return "", nil
	}
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' {
		body := raw[1 : n-1]
		if plainJSONString(body) {
			return T(body), nil
		}
	}
	if raw[0] != '"' {
		return "", wantGot("a string", raw)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", &decodeError{msg: "invalid string", err: err}
	}
	return T(s), nil
}

// plainJSONString reports whether b, the inside of a JSON string, has no
// escapes or control characters and is valid UTF-8: its bytes are the value.
func plainJSONString(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c == '"' || c < 0x20 {
			return false
		}
	}
	return utf8.Valid(b)
}

// DecodeBool decodes argument i as a bool type.
func DecodeBool[T ~bool](a *Args, i int) (T, error) {
	raw, ok := a.raw(i)
	if !ok {
		return false, nil
	}
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, wantGot("a boolean", raw)
}

// DecodeInt decodes argument i as a signed integer type; a number with a
// fraction or out of T's range is an error.
func DecodeInt[T ~int | ~int8 | ~int16 | ~int32 | ~int64](a *Args, i int) (T, error) {
	raw, ok := a.raw(i)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		f, ferr := parseNumber(raw)
		if ferr != nil {
			return 0, wantGot("an integer", raw)
		}
		if f != math.Trunc(f) {
			return 0, &decodeError{msg: "want an integer, got " + short(raw)}
		}
		if f < math.MinInt64 || f >= math.MaxInt64 {
			return 0, &decodeError{msg: "want " + intRange(reflect.TypeFor[T]()) + ", got " + short(raw)}
		}
		n = int64(f)
	}
	if v := T(n); int64(v) == n {
		return v, nil
	}
	return 0, &decodeError{msg: "want " + intRange(reflect.TypeFor[T]()) + ", got " + short(raw)}
}

// DecodeUint decodes argument i as an unsigned integer type.
func DecodeUint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr](a *Args, i int) (T, error) {
	raw, ok := a.raw(i)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		f, ferr := parseNumber(raw)
		if ferr != nil {
			return 0, wantGot("an integer", raw)
		}
		if f != math.Trunc(f) {
			return 0, &decodeError{msg: "want an integer, got " + short(raw)}
		}
		if f < 0 || f >= math.MaxUint64 {
			return 0, &decodeError{msg: "want " + intRange(reflect.TypeFor[T]()) + ", got " + short(raw)}
		}
		n = uint64(f)
	}
	if v := T(n); uint64(v) == n {
		return v, nil
	}
	return 0, &decodeError{msg: "want " + intRange(reflect.TypeFor[T]()) + ", got " + short(raw)}
}

// DecodeFloat decodes argument i as a floating-point type.
func DecodeFloat[T ~float32 | ~float64](a *Args, i int) (T, error) {
	raw, ok := a.raw(i)
	if !ok {
		return 0, nil
	}
	f, err := parseNumber(raw)
	if err != nil {
		return 0, wantGot("a number", raw)
	}
	return T(f), nil
}

func parseNumber(raw []byte) (float64, error) {
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return 0, fmt.Errorf("cannot decode %s into a number", short(raw))
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, fmt.Errorf("cannot decode %s into a number", short(raw))
	}
	return f, nil
}

// raw returns argument i, or false when it is missing or null.
func (a *Args) raw(i int) ([]byte, bool) {
	if i >= len(a.Raw) {
		return nil, false
	}
	r := a.Raw[i]
	if string(r) == "null" {
		return nil, false
	}
	return r, true
}

// short quotes at most 40 bytes of raw JSON for an error message.
func short(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "..."
	}
	return string(raw)
}

// RejectedError is the error of an ack that the receiver answered with
// {"error": message} (see Event.Reject) instead of its values.
type RejectedError struct {
	Message string
}

// Error returns the receiver's message as it sent it, with no prefix of
// its own, so that a rejection passed on (wrapped, or as the message of a
// ClientError) does not repeat one; errors.As tells a rejection apart.
func (e *RejectedError) Error() string {
	if e.Message == "" {
		return "rejected"
	}
	return e.Message
}

// Rejected returns a *RejectedError when a are the arguments of an ack
// answered with the error convention of Event.Reject: a single object whose
// only key is "error", holding a string. Otherwise it returns nil.
func (a *Args) Rejected() error {
	if len(a.Raw) != 1 {
		return nil
	}
	raw := bytes.TrimSpace(a.Raw[0])
	if len(raw) < 10 || raw[0] != '{' || !bytes.Contains(raw, []byte(`"error"`)) {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || len(obj) != 1 {
		return nil
	}
	var msg string
	if json.Unmarshal(obj["error"], &msg) != nil {
		return nil
	}
	return &RejectedError{Message: msg}
}
