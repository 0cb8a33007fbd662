package socketio

import (
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// decodeError is a value that did not decode, told in JSON's terms: where
// in the value, the kind wanted and what came, with no Go type names or
// decoder internals, so that it can go back to the peer that sent it.
type decodeError struct {
	msg string
	err error // what the decoder said, for errors.As; nil for the basic decoders
}

func (e *decodeError) Error() string { return e.msg }

func (e *decodeError) Unwrap() error { return e.err }

// wantGot returns the decodeError "want <want>, got <what raw is>"; raw
// itself (shortened) when it is of the kind wanted but out of range.
func wantGot(want string, raw []byte) error {
	got := kindOf(raw)
	if got == want {
		got = short(raw)
	}
	return &decodeError{msg: "want " + want + ", got " + got}
}

// decodeFailure restates err, what codec.Unmarshal returned for raw and
// dst, as a decodeError; a dst that is not a pointer is the caller's
// mistake, not the peer's, and its error stays as it is.
func decodeFailure(raw []byte, dst any, err error) error {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		return err
	}
	return cleanDecodeError(raw, t.Elem(), err)
}

// cleanDecodeError restates err, what codec.Unmarshal returned for the JSON
// raw decoded into a value of type t, as a decodeError.
func cleanDecodeError(raw []byte, t reflect.Type, err error) error {
	path := ""
	var pe interface{ Path() string }
	if errors.As(err, &pe) {
		path = pe.Path()
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			if path == "" {
				path = "$"
			}
			path += "." + te.Field
		}
		want := wantKind(te.Type)
		if want == "" {
			want = "a value of another kind"
		}
		return &decodeError{msg: located(path, "want "+want+", got "+gotKind(te.Value)), err: err}
	}
	var pe2 *time.ParseError
	if errors.As(err, &pe2) {
		return &decodeError{msg: located(path, "want "+wantKind(timeType)+", got "+short([]byte(strconv.Quote(pe2.Value)))), err: err}
	}
	// Another refusal: a json.Unmarshaler's, an attachment that is
	// missing. Only the value's kind is known for sure.
	want, got := wantKind(t), kindOf(raw)
	if want == "" || want == got {
		return &decodeError{msg: located(path, "invalid "+strings.TrimPrefix(strings.TrimPrefix(got, "an "), "a ")), err: err}
	}
	return &decodeError{msg: located(path, "want "+want+", got "+got), err: err}
}

// located prefixes msg with path unless it is the whole value.
func located(path, msg string) string {
	if path == "" || path == "$" {
		return msg
	}
	return path + ": " + msg
}

var (
	timeType            = reflect.TypeFor[time.Time]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// wantKind names the JSON a value of type t takes, or "" when t decodes
// itself (a json.Unmarshaler) and only t knows.
func wantKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return "an RFC 3339 date-time string"
	case reflect.PointerTo(t).Implements(jsonUnmarshalerType):
		return ""
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "binary data"
		}
		return "an array"
	case reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a value"
}

// gotKind restates the Value of a *json.UnmarshalTypeError ("bool",
// "number -5", "binary attachment").
func gotKind(v string) string {
	switch v {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "bool":
		return "a boolean"
	case "array":
		return "an array"
	case "object":
		return "an object"
	case "null":
		return "null"
	case "binary attachment":
		return "binary data"
	}
	if n, ok := strings.CutPrefix(v, "number "); ok {
		return short([]byte(n))
	}
	return "another value"
}

// kindOf names the kind of the JSON value raw.
func kindOf(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		if strings.Contains(string(raw[:min(len(raw), 64)]), `"_placeholder"`) {
			return "binary data"
		}
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// intRange is "an integer from min to max" for the integer type of v.
func intRange(t reflect.Type) string {
	bits := t.Bits()
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		lo := int64(-1) << (bits - 1)
		return "an integer from " + strconv.FormatInt(lo, 10) + " to " + strconv.FormatInt(-(lo+1), 10)
	}
	hi := uint64(1)<<(bits-1)<<1 - 1
	return "an integer from 0 to " + strconv.FormatUint(hi, 10)
}
