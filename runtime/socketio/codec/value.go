package codec

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxEncodeDepth bounds the nesting of a value AppendValue walks itself, which
// also stops reference cycles (encoding/json detects them after 1000 pointer
// levels; a peer's decoder refuses far less nesting anyway).
const maxEncodeDepth = 1000

// errNoAttachments is returned when a value holds binary data but the caller
// passed no attachments slice to put it in.
var errNoAttachments = errors.New("codec: value holds binary data but attachments is nil")

// AppendValue appends the JSON of v to dst. Every []byte inside v, at any
// depth (struct fields, slices, maps, pointers, interfaces), becomes a
// placeholder {"_placeholder":true,"num":N} and is appended to *attachments,
// N being its index there (attachments may already hold the attachments of
// earlier values of the same packet). Placeholders are numbered in the order
// they are written: depth-first, struct fields in order, map keys sorted, as
// the reference numbers them. A slice met twice in one call (same array,
// same length) is attached once and both placeholders name it, so a value
// repeating a large buffer is not sent many times. The attachments alias v's
// memory: they must not be modified until sent. attachments may be nil when
// v is known to hold no binary data; meeting some is then an error.
//
// Otherwise the JSON is what encoding/json writes (struct tags, omitempty,
// omitzero, ",string", embedded structs, sorted map keys, json.Marshaler and
// encoding.TextMarshaler, time.Time in RFC 3339), except that <, > and & are
// not escaped, as JavaScript's JSON.stringify does not escape them. A nil
// []byte is null. A named byte-slice type is binary too unless it implements
// json.Marshaler or encoding.TextMarshaler (net.IP stays a string); byte
// arrays are arrays of numbers, as in encoding/json.
//
// Values whose type cannot hold a []byte (checked once per type) are handed
// to encoding/json whole. On error, dst is returned as it was passed (its
// spare capacity may have been written) and *attachments is cut back to its
// former length.
func AppendValue(dst []byte, v any, attachments *[][]byte) ([]byte, error) {
	e := newEncodeState(dst, attachments)
	if err := e.any(v); err != nil {
		return e.fail(dst, err)
	}
	return e.buf, nil
}

// AppendEvent appends the payload of an EVENT packet, ["name",args...], with
// the rules of AppendValue; the arguments share one attachment list.
func AppendEvent(dst []byte, name string, args []any, attachments *[][]byte) ([]byte, error) {
	e := newEncodeState(dst, attachments)
	e.buf = append(e.buf, '[')
	e.buf = appendString(e.buf, name)
	for _, a := range args {
		e.buf = append(e.buf, ',')
		if err := e.any(a); err != nil {
			return e.fail(dst, err)
		}
	}
	e.buf = append(e.buf, ']')
	return e.buf, nil
}

// AppendArray appends the JSON array [values...] with the rules of
// AppendValue, as the payload of an ACK packet; the values share one
// attachment list.
func AppendArray(dst []byte, values []any, attachments *[][]byte) ([]byte, error) {
	e := newEncodeState(dst, attachments)
	e.buf = append(e.buf, '[')
	for i, a := range values {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.any(a); err != nil {
			return e.fail(dst, err)
		}
	}
	e.buf = append(e.buf, ']')
	return e.buf, nil
}

// attKey identifies a byte slice by its memory, for attaching it only once.
type attKey struct {
	p *byte
	n int
}

// dedupLinear is how many attachments are searched linearly before a map
// takes over.
const dedupLinear = 16

// encodeState is one AppendValue, AppendEvent or AppendArray call.
type encodeState struct {
	buf   []byte
	atts  *[][]byte
	base  int            // len(*atts) when the call started
	index map[attKey]int // attachments of this call by memory, once many
	depth int
}

func newEncodeState(dst []byte, attachments *[][]byte) encodeState {
	e := encodeState{buf: dst, atts: attachments}
	if attachments != nil {
		e.base = len(*attachments)
	}
	return e
}

// fail undoes the call's appends and returns err.
func (e *encodeState) fail(dst []byte, err error) ([]byte, error) {
	if e.atts != nil {
		clear((*e.atts)[e.base:]) // drop the references for the collector
		*e.atts = (*e.atts)[:e.base]
	}
	return dst, err
}

// any encodes v, without reflection for the common dynamic types.
func (e *encodeState) any(v any) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
		return nil
	case string:
		e.buf = appendString(e.buf, x)
		return nil
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
		return nil
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
		return nil
	case int64:
		e.buf = strconv.AppendInt(e.buf, x, 10)
		return nil
	case float64:
		return e.float(x, 64)
	case []byte:
		if x == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.binary(x)
	}
	rv := reflect.ValueOf(v)
	if ti := infoOf(rv.Type()); !ti.binary {
		if ti.simple {
			return e.simple(rv)
		}
		return e.marshalJSON(v)
	}
	return e.value(rv)
}

// value encodes v, walking it only as deep as binary data may hide.
func (e *encodeState) value(v reflect.Value) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	ti := infoOf(v.Type())
	if !ti.binary || ti.addrMarshaler && v.CanAddr() {
		return e.plain(v, ti)
	}
	if e.depth++; e.depth > maxEncodeDepth {
		return &json.UnsupportedValueError{Value: v, Str: fmt.Sprintf("nested deeper than %d levels (a cycle?) via %s", maxEncodeDepth, v.Type())}
	}
	var err error
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
		} else {
			err = e.value(v.Elem())
		}
	case reflect.Slice:
		switch {
		case v.IsNil():
			e.buf = append(e.buf, "null"...)
		case ti.byteSlice:
			err = e.binary(v.Bytes())
		default:
			err = e.array(v)
		}
	case reflect.Array:
		err = e.array(v)
	case reflect.Map:
		err = e.mapValue(v)
	case reflect.Struct:
		err = e.structValue(v, ti.fields)
	default:
		err = e.plain(v, ti)
	}
	e.depth--
	return err
}

// plain encodes a value that holds no binary data, as encoding/json does.
func (e *encodeState) plain(v reflect.Value, ti *typeInfo) error {
	if ti.simple {
		return e.simple(v)
	}
	if !v.CanInterface() {
		return e.unexported(v, ti)
	}
	// Passing the address keeps encoding/json's choice of pointer-receiver
	// marshalers for addressable values.
	if v.CanAddr() {
		return e.marshalJSON(v.Addr().Interface())
	}
	return e.marshalJSON(v.Interface())
}

// unexported encodes a value that reflect will not hand out as an interface:
// an embedded field of an unexported struct type that has a json tag (or
// what its pointer points to). encoding/json reads such values by
// reflection, so this walks them too; their exported fields are ordinary
// values again. encoding/json panics on a marshaler there; this is an error.
func (e *encodeState) unexported(v reflect.Value, ti *typeInfo) error {
	switch {
	case ti.marshaler || ti.addrMarshaler && v.CanAddr():
		return fmt.Errorf("json: cannot call the marshaler of %s, reached through an unexported field", v.Type())
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.value(v.Elem())
	case v.Kind() == reflect.Struct:
		return e.structValue(v, ti.fields)
	}
	return &json.UnsupportedTypeError{Type: v.Type()}
}

// jsonEncoder is a json.Encoder that does not escape HTML, with its buffer.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var jsonEncoders = sync.Pool{New: func() any {
	j := new(jsonEncoder)
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	return j
}}

// marshalJSON appends encoding/json's encoding of x.
func (e *encodeState) marshalJSON(x any) error {
	j := jsonEncoders.Get().(*jsonEncoder)
	j.buf.Reset()
	err := j.enc.Encode(x)
	if err == nil {
		out := j.buf.Bytes()
		e.buf = append(e.buf, out[:len(out)-1]...) // without Encode's newline
	}
	if j.buf.Cap() <= 64<<10 { // let a rare huge buffer go
		jsonEncoders.Put(j)
	}
	return err
}

// simple encodes a bool, number or string kind without a marshaler.
func (e *encodeState) simple(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32:
		return e.float(v.Float(), 32)
	case reflect.Float64:
		return e.float(v.Float(), 64)
	case reflect.String:
		e.buf = appendString(e.buf, v.String())
	}
	return nil
}

// quoted encodes the value of a ",string" field: bool, number and string
// kinds (behind pointers too) inside a JSON string, as encoding/json does.
// Marshalers ignore the option.
func (e *encodeState) quoted(v reflect.Value) error {
	ti := infoOf(v.Type())
	if ti.marshaler || ti.addrMarshaler && v.CanAddr() {
		return e.plain(v, ti)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.quoted(v.Elem())
	case reflect.String:
		if v.Type() == numberType {
			n := v.String()
			if n == "" {
				n = "0"
			}
			if !isValidNumber(n) {
				return fmt.Errorf("json: invalid number literal %q", n)
			}
			e.buf = append(append(append(e.buf, '"'), n...), '"')
			return nil
		}
		e.buf = appendString(e.buf, appendString(nil, v.String()))
		return nil
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		e.buf = append(e.buf, '"')
		if err := e.simple(v); err != nil {
			return err
		}
		e.buf = append(e.buf, '"')
		return nil
	}
	return e.plain(v, ti)
}

func isValidNumber(s string) bool {
	sc := scanner{data: []byte(s)}
	return len(s) > 0 && (s[0] == '-' || '0' <= s[0] && s[0] <= '9') && sc.number() == nil && sc.pos == len(s)
}

// float appends f as encoding/json does (like JavaScript's Number toString:
// exponent form below 1e-6 and from 1e21 on).
func (e *encodeState) float(f float64, bits int) error {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, bits)}
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b := strconv.AppendFloat(e.buf, f, format, -1, bits)
	if format == 'e' {
		// e-09 becomes e-9, as in JavaScript.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	e.buf = b
	return nil
}

// binary appends a placeholder for b and attaches b.
func (e *encodeState) binary(b []byte) error {
	if e.atts == nil {
		return errNoAttachments
	}
	e.buf = append(e.buf, `{"_placeholder":true,"num":`...)
	e.buf = strconv.AppendInt(e.buf, int64(e.attach(b)), 10)
	e.buf = append(e.buf, '}')
	return nil
}

// attach returns the index of b in *e.atts, appending it unless this call
// already attached the same memory.
func (e *encodeState) attach(b []byte) int {
	atts := *e.atts
	if len(b) > 0 {
		key := attKey{&b[0], len(b)}
		if e.index != nil {
			if n, ok := e.index[key]; ok {
				return n
			}
		} else {
			for i := e.base; i < len(atts); i++ {
				if len(atts[i]) == len(b) && &atts[i][0] == &b[0] {
					return i
				}
			}
			if len(atts)-e.base >= dedupLinear {
				e.index = make(map[attKey]int)
				for i := e.base; i < len(atts); i++ {
					if len(atts[i]) > 0 {
						e.index[attKey{&atts[i][0], len(atts[i])}] = i
					}
				}
			}
		}
		if e.index != nil {
			e.index[key] = len(atts)
		}
	}
	*e.atts = append(atts, b)
	return len(atts)
}

func (e *encodeState) array(v reflect.Value) error {
	e.buf = append(e.buf, '[')
	for i := range v.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(v.Index(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encodeState) structValue(v reflect.Value, fs *structFields) error {
	e.buf = append(e.buf, '{')
	first := true
fields:
	for i := range fs.list {
		f := &fs.list[i]
		fv := v
		for _, j := range f.index {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue fields // promoted through a nil embedded pointer
				}
				fv = fv.Elem()
			}
			fv = fv.Field(j)
		}
		if f.omitEmpty && isEmptyValue(fv) ||
			f.omitZero && (f.isZero == nil || !fv.CanInterface()) && fv.IsZero() ||
			f.omitZero && f.isZero != nil && fv.CanInterface() && f.isZero(fv) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, f.nameJSON...)
		var err error
		if f.quoted {
			err = e.quoted(fv)
		} else {
			err = e.value(fv)
		}
		if err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

func (e *encodeState) mapValue(v reflect.Value) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	t := v.Type()
	switch t.Key().Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		if !t.Key().Implements(textMarshalerType) {
			return &json.UnsupportedTypeError{Type: t}
		}
	}
	type entry struct {
		key string
		val reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k, err := mapKey(it.Key())
		if err != nil {
			return fmt.Errorf("json: encoding error for type %q: %q", t.String(), err.Error())
		}
		entries = append(entries, entry{k, it.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	e.buf = append(e.buf, '{')
	for i, en := range entries {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, en.key)
		e.buf = append(e.buf, ':')
		if err := e.value(en.val); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// mapKey is encoding/json's resolveKeyName: string kinds as they are, then
// encoding.TextMarshaler, then integers in decimal.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := reflect.TypeAssert[encoding.TextMarshaler](k); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	default:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
}

const hexDigits = "0123456789abcdef"

// safeASCII marks the ASCII bytes a JSON string holds unescaped (HTML
// characters included, as in JSON.stringify).
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string the way encoding/json does with
// SetEscapeHTML(false): short escapes for \b \f \n \r \t, \u00XX for other
// control characters, U+2028 and U+2029 escaped, invalid UTF-8 replaced by
// U+FFFD.
func appendString[S []byte | string](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if safeASCII[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		n := min(len(s)-i, utf8.UTFMax)
		c, size := utf8.DecodeRuneInString(string(s[i : i+n]))
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
