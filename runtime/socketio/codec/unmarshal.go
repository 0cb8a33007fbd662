package codec

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
)

// Unmarshal decodes one JSON value into dst (a non-nil pointer), resolving
// binary placeholders {"_placeholder":true,"num":N} against attachments: a
// []byte target (or any slice of a uint8 kind) receives attachment N, an
// `any` target receives it as a []byte, a json.Unmarshaler receives it as a
// base64 JSON string. Everything else follows encoding/json: field names
// match case-insensitively, numbers in an `any` are float64, a []byte target
// also accepts a base64 string, and so on. A placeholder whose num is not an
// integer in [0, len(attachments)) is an error, as is one meeting a target
// that cannot hold bytes.
//
// With no attachments, data is plain JSON (the payload of a non-binary
// packet) and placeholder-shaped objects are ordinary objects, as in the
// reference. The []byte values Unmarshal stores alias the attachments (a nil
// attachment becomes an empty slice): they share memory with the Decoder's
// input and with each other when placeholders repeat a num.
//
// Errors say what went wrong and where, as a path from the root, e.g.
// "codec: unmarshal $[1].message: json: cannot unmarshal binary attachment
// into Go value of type string"; they wrap the underlying error
// (*json.UnmarshalTypeError, *json.SyntaxError, ...) and have a method
// Path() string returning the path alone. Nesting is limited to
// encoding/json's 10000 levels. On error dst may be partly filled.
func Unmarshal(data []byte, attachments [][]byte, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &json.InvalidUnmarshalError{Type: reflect.TypeOf(dst)}
	}
	if len(attachments) == 0 || !mayHoldPlaceholder(data) {
		return wrapPath(nil, json.Unmarshal(data, dst))
	}
	var marks [8]mark // enough for most packets, without an allocation
	sc := scanner{data: data, maxDepth: maxNesting, placeholders: true, attachments: len(attachments), collect: true, marks: marks[:0]}
	if _, err := sc.document(); err != nil {
		return wrapPath(nil, err)
	}
	if len(sc.marks) == 0 {
		return wrapPath(nil, json.Unmarshal(data, dst))
	}
	// The scanner records containers as they end; lookups go by start.
	slices.SortFunc(sc.marks, func(a, b mark) int { return cmp.Compare(a.start, b.start) })
	d := decodeState{data: data, atts: attachments, marks: sc.marks, budget: len(data)}
	for _, a := range attachments {
		d.budget += len(a)
	}
	start := d.ws(0)
	end := len(bytes.TrimRight(data, " \t\r\n"))
	return d.value(start, end, rv.Elem(), nil)
}

// mayHoldPlaceholder is a cheap pre-check: a placeholder needs the key
// "_placeholder", spelled out or with \u escapes.
func mayHoldPlaceholder(data []byte) bool {
	return bytes.Contains(data, []byte("_placeholder")) || bytes.Contains(data, []byte(`\u`))
}

// pathError places an Unmarshal error in the JSON value.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return "codec: unmarshal " + e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

// Path returns where in the value the error is, such as "$" or
// "$[1].message".
func (e *pathError) Path() string { return e.path }

// wrapPath returns err, if any, placed at path.
func wrapPath(path *jsonPath, err error) error {
	if err == nil {
		return nil
	}
	return &pathError{path.String(), err}
}

// jsonPath locates a value in the JSON being decoded: a chain from the value
// up to the root (nil), kept on the stack and formatted only for an error.
type jsonPath struct {
	parent *jsonPath
	key    []byte // raw member key (a JSON string literal), nil for an element
	index  int
}

// String formats p as "$", "$[1].message", `$["a b"]`.
func (p *jsonPath) String() string { return string(p.append(nil)) }

// append appends p to b. It recurses rather than collecting the chain, so
// that the chain can stay on the stack.
func (p *jsonPath) append(b []byte) []byte {
	if p == nil {
		return append(b, '$')
	}
	b = p.parent.append(b)
	if p.key == nil {
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(p.index), 10)
		return append(b, ']')
	}
	key, err := unquote(p.key)
	if err != nil {
		key = string(p.key)
	}
	if isIdentifier(key) {
		return append(append(b, '.'), key...)
	}
	b = append(b, '[')
	b = strconv.AppendQuote(b, key)
	return append(b, ']')
}

func isIdentifier(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return s != ""
}

// plainBuffers recycles the objects Unmarshal builds for encoding/json (which
// does not keep its input; json.Unmarshaler implementations must copy it).
var plainBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// decodeState is the slow path of Unmarshal, for data holding placeholders.
// It walks only the containers on the way to a placeholder (the marks) and
// hands every other value to encoding/json, so that everything without
// binary data is decoded by encoding/json itself.
type decodeState struct {
	data  []byte
	atts  [][]byte
	marks []mark // sorted by start
	// budget bounds the bytes of attachments copied into base64 for
	// json.Unmarshalers: without it a few kilobytes of placeholders naming one
	// large attachment could make Unmarshal write gigabytes.
	budget int
}

func (d *decodeState) markAt(pos int) (mark, bool) {
	i, ok := slices.BinarySearchFunc(d.marks, pos, func(m mark, p int) int { return cmp.Compare(m.start, p) })
	if !ok {
		return mark{}, false
	}
	return d.marks[i], true
}

func (d *decodeState) ws(pos int) int {
	for pos < len(d.data) {
		switch d.data[pos] {
		case ' ', '\t', '\n', '\r':
			pos++
		default:
			return pos
		}
	}
	return pos
}

// skip returns the end of the (valid) value at pos, jumping over marked
// containers instead of scanning them.
func (d *decodeState) skip(pos int) int {
	if c := d.data[pos]; c == '{' || c == '[' {
		if m, ok := d.markAt(pos); ok {
			return m.end
		}
	}
	s := scanner{data: d.data, pos: pos, maxDepth: maxNesting}
	s.value(0) // valid: checked by Unmarshal
	return s.pos
}

// attachment returns attachment n, never nil, so that an empty attachment
// stays binary (a nil []byte would encode as null).
func (d *decodeState) attachment(n int) []byte {
	if b := d.atts[n]; b != nil {
		return b
	}
	return []byte{}
}

// value stores the JSON value data[start:end] into v, which is addressable.
func (d *decodeState) value(start, end int, v reflect.Value, path *jsonPath) error {
	var m mark
	ok := false
	if c := d.data[start]; c == '{' || c == '[' { // only containers are marked
		m, ok = d.markAt(start)
	}
	if !ok {
		if !v.CanInterface() { // not reached: see object
			return wrapPath(path, fmt.Errorf("json: cannot decode into %v, reached through an unexported field", v.Type()))
		}
		return wrapPath(path, json.Unmarshal(d.data[start:end], v.Addr().Interface()))
	}
	u, ut, pv := indirect(v)
	if u != nil {
		raw, err := d.expand(m)
		if err == nil {
			err = u.UnmarshalJSON(raw)
		}
		return wrapPath(path, err)
	}
	if ut != nil {
		return wrapPath(path, d.typeError(m, v.Type()))
	}
	v = pv
	if m.num >= 0 {
		return d.binary(m, v, path)
	}
	if v.Kind() == reflect.Interface && v.NumMethod() == 0 {
		g, _, err := d.generic(start)
		if err != nil {
			return wrapPath(path, err)
		}
		v.Set(reflect.ValueOf(g))
		return nil
	}
	if d.data[start] == '[' {
		return d.array(m, v, path)
	}
	return d.object(m, v, path)
}

func (d *decodeState) typeError(m mark, t reflect.Type) error {
	what := "binary attachment"
	if m.num < 0 {
		what = kindName(d.data[m.start])
	}
	return &json.UnmarshalTypeError{Value: what, Type: t, Offset: int64(m.start)}
}

// binary stores the attachment of placeholder m into v.
func (d *decodeState) binary(m mark, v reflect.Value, path *jsonPath) error {
	switch {
	case v.Kind() == reflect.Interface && v.NumMethod() == 0:
		v.Set(reflect.ValueOf(d.attachment(m.num)))
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		v.SetBytes(d.attachment(m.num))
	default:
		return wrapPath(path, d.typeError(m, v.Type()))
	}
	return nil
}

// expand returns the JSON of marked container m with each placeholder replaced
// by the base64 string of its attachment, as encoding/json would marshal the
// []byte, for a json.Unmarshaler.
func (d *decodeState) expand(m mark) ([]byte, error) {
	out := make([]byte, 0, m.end-m.start)
	pos := m.start
	i, _ := slices.BinarySearchFunc(d.marks, m.start, func(m mark, p int) int { return cmp.Compare(m.start, p) })
	for ; i < len(d.marks) && d.marks[i].start < m.end; i++ {
		ph := d.marks[i]
		if ph.num < 0 || ph.start < pos {
			continue // a container, or inside a placeholder already replaced
		}
		att := d.atts[ph.num]
		if d.budget -= len(att); d.budget < 0 {
			return nil, fmt.Errorf("placeholders expand beyond the size of the input")
		}
		out = append(out, d.data[pos:ph.start]...)
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, att)
		out = append(out, '"')
		pos = ph.end
	}
	return append(out, d.data[pos:m.end]...), nil
}

func (d *decodeState) array(m mark, v reflect.Value, path *jsonPath) error {
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return wrapPath(path, d.typeError(m, v.Type()))
	}
	var buf [8][2]int
	spans := buf[:0]
	pos := d.ws(m.start + 1)
	for d.data[pos] != ']' {
		end := d.skip(pos)
		spans = append(spans, [2]int{pos, end})
		pos = d.ws(end)
		if d.data[pos] == ',' {
			pos = d.ws(pos + 1)
		}
	}
	if v.Kind() == reflect.Slice {
		s := reflect.MakeSlice(v.Type(), len(spans), len(spans))
		for i, sp := range spans {
			if err := d.value(sp[0], sp[1], s.Index(i), &jsonPath{parent: path, index: i}); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
	// A Go array takes what fits and zeroes the rest, as in encoding/json.
	for i := range v.Len() {
		if i >= len(spans) {
			v.Index(i).SetZero()
			continue
		}
		if err := d.value(spans[i][0], spans[i][1], v.Index(i), &jsonPath{parent: path, index: i}); err != nil {
			return err
		}
	}
	return nil
}

// member is an object member that Unmarshal decodes itself.
type member struct {
	key        []byte // raw key, a JSON string literal
	start, end int    // the value
}

// object stores marked object m into a struct or map. Members without
// placeholders are collected into a new object that encoding/json decodes in
// one call; the others are decoded here.
// Long on purpose: the struct and map cases share the member
// loop and the collected object; split, each would repeat them.
func (d *decodeState) object(m mark, v reflect.Value, path *jsonPath) error {
	t := v.Type()
	switch v.Kind() {
	case reflect.Map:
		switch t.Key().Kind() {
		case reflect.String,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			if !reflect.PointerTo(t.Key()).Implements(textUnmarshalerType) {
				return wrapPath(path, d.typeError(m, t))
			}
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
	case reflect.Struct:
	default:
		return wrapPath(path, d.typeError(m, t))
	}
	// An embedded field of an unexported struct type with a json tag cannot be
	// handed to encoding/json (reflect will not make it an interface), but
	// its exported fields can: such a struct is decoded member by member.
	perField := v.Kind() == reflect.Struct && !v.CanInterface()

	// (With duplicate keys this applies the members without placeholders
	// before the others, where JSON.parse and encoding/json let the last one
	// win; only a peer bent on it sends such objects, and it gains nothing.)
	var buf [8]member
	marked := buf[:0]
	var plain *[]byte
	pos := d.ws(m.start + 1)
	for d.data[pos] != '}' {
		ks := pos
		sc := scanner{data: d.data, pos: pos}
		sc.str() // valid: checked by Unmarshal
		ke := sc.pos
		vs := d.ws(d.ws(ke) + 1) // past ':'
		ve := d.skip(vs)
		if _, ok := d.markAt(vs); ok || perField {
			marked = append(marked, member{d.data[ks:ke], vs, ve})
		} else {
			if plain == nil {
				plain = plainBuffers.Get().(*[]byte)
				*plain = append((*plain)[:0], '{')
			} else {
				*plain = append(*plain, ',')
			}
			*plain = append(*plain, d.data[ks:ke]...)
			*plain = append(*plain, ':')
			*plain = append(*plain, d.data[vs:ve]...)
		}
		pos = d.ws(ve)
		if d.data[pos] == ',' {
			pos = d.ws(pos + 1)
		}
	}
	if plain != nil {
		*plain = append(*plain, '}')
		err := json.Unmarshal(*plain, v.Addr().Interface())
		if cap(*plain) <= 64<<10 {
			plainBuffers.Put(plain)
		}
		if err != nil {
			return wrapPath(path, err)
		}
	}

	if v.Kind() == reflect.Map {
		for _, mb := range marked {
			at := &jsonPath{parent: path, key: mb.key}
			key, err := unquote(mb.key)
			if err != nil {
				return wrapPath(at, err)
			}
			kv, err := mapKeyValue(t.Key(), key, mb.key)
			if err != nil {
				return wrapPath(path, err)
			}
			elem := reflect.New(t.Elem()).Elem()
			if err := d.value(mb.start, mb.end, elem, at); err != nil {
				return err
			}
			v.SetMapIndex(kv, elem)
		}
		return nil
	}
	fields := cachedFields(t)
	for _, mb := range marked {
		f := fields.byRawKey(mb.key)
		if f == nil {
			continue // unknown members are ignored, as in encoding/json
		}
		at := &jsonPath{parent: path, key: mb.key}
		fv, err := fieldByIndex(v, f.index)
		if err != nil {
			return wrapPath(at, err)
		}
		if _, ok := d.markAt(mb.start); !ok && f.quoted {
			if err := d.destring(mb.start, mb.end, fv); err != nil {
				return wrapPath(at, err)
			}
			continue
		}
		if err := d.value(mb.start, mb.end, fv, at); err != nil {
			return err
		}
	}
	return nil
}

// destring decodes the value of a ",string" field, JSON inside a JSON string,
// as encoding/json does.
func (d *decodeState) destring(start, end int, v reflect.Value) error {
	raw := d.data[start:end]
	switch raw[0] {
	case 'n':
		return json.Unmarshal(raw, v.Addr().Interface())
	case '"':
		s, err := unquote(raw)
		if err != nil {
			return err
		}
		return json.Unmarshal([]byte(s), v.Addr().Interface())
	}
	return fmt.Errorf("json: invalid use of ,string struct tag, trying to unmarshal unquoted value into %v", v.Type())
}

// fieldByIndex follows a field index path, allocating nil embedded pointers
// as encoding/json does.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, error) {
	for _, i := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, fmt.Errorf("json: cannot set embedded pointer to unexported struct: %v", v.Type().Elem())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, nil
}

// mapKeyValue converts an object key for a map with key type kt, as
// encoding/json does: an unmarshaler, a string kind, or a decimal integer.
func mapKeyValue(kt reflect.Type, key string, rawKey []byte) (reflect.Value, error) {
	if pt := reflect.PointerTo(kt); pt.Implements(unmarshalerType) || pt.Implements(textUnmarshalerType) {
		kv := reflect.New(kt)
		var err error
		if u, ok := reflect.TypeAssert[json.Unmarshaler](kv); ok {
			err = u.UnmarshalJSON(rawKey)
		} else {
			u, _ := reflect.TypeAssert[encoding.TextUnmarshaler](kv)
			err = u.UnmarshalText([]byte(key))
		}
		return kv.Elem(), err
	}
	kv := reflect.New(kt).Elem()
	switch kt.Kind() {
	case reflect.String:
		kv.SetString(key)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(key, 10, 64)
		if err != nil || kt.OverflowInt(n) {
			return kv, &json.UnmarshalTypeError{Value: "number " + key, Type: kt}
		}
		kv.SetInt(n)
	default:
		n, err := strconv.ParseUint(key, 10, 64)
		if err != nil || kt.OverflowUint(n) {
			return kv, &json.UnmarshalTypeError{Value: "number " + key, Type: kt}
		}
		kv.SetUint(n)
	}
	return kv, nil
}

// indirect is encoding/json's: it walks down v, allocating nil pointers and
// looking through interfaces that hold non-nil pointers, until it reaches a
// non-pointer or a type with an unmarshaler, which it returns. (Unmarshal
// never stores null here, so the null special cases are left out.)
func indirect(v reflect.Value) (json.Unmarshaler, encoding.TextUnmarshaler, reflect.Value) {
	v0 := v
	haveAddr := false
	// Start with the address of a named addressable value, so that methods
	// with pointer receivers are found.
	if v.Kind() != reflect.Pointer && v.Type().Name() != "" && v.CanAddr() {
		haveAddr = true
		v = v.Addr()
	}
	for {
		if v.Kind() == reflect.Interface && !v.IsNil() {
			if e := v.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() {
				haveAddr = false
				v = e
				continue
			}
		}
		if v.Kind() != reflect.Pointer {
			break
		}
		// An interface pointing to its own address (var x any; x = &x).
		if v.Elem().Kind() == reflect.Interface && v.Elem().Elem().Equal(v) {
			v = v.Elem()
			break
		}
		if v.IsNil() {
			if !v.CanSet() {
				// An unexported embedded pointer: encoding/json panics here;
				// the caller reports a type error instead.
				break
			}
			v.Set(reflect.New(v.Type().Elem()))
		}
		if v.Type().NumMethod() > 0 && v.CanInterface() {
			if u, ok := reflect.TypeAssert[json.Unmarshaler](v); ok {
				return u, nil, reflect.Value{}
			}
			if u, ok := reflect.TypeAssert[encoding.TextUnmarshaler](v); ok {
				return nil, u, reflect.Value{}
			}
		}
		if haveAddr {
			v = v0 // keep the original flags after the Addr round trip
			haveAddr = false
		} else {
			v = v.Elem()
		}
	}
	return nil, nil, v
}

var float64Type = reflect.TypeFor[float64]()

// generic decodes the value at pos as encoding/json decodes into an `any`
// (map[string]any, []any, float64, string, bool, nil), except that
// placeholders become their attachment as a []byte. It returns the value and
// its end.
func (d *decodeState) generic(pos int) (any, int, error) {
	switch c := d.data[pos]; c {
	case '{':
		if m, ok := d.markAt(pos); ok && m.num >= 0 {
			return d.attachment(m.num), m.end, nil
		}
		obj := make(map[string]any)
		pos = d.ws(pos + 1)
		for d.data[pos] != '}' {
			sc := scanner{data: d.data, pos: pos}
			sc.str()
			key, err := unquote(d.data[pos:sc.pos])
			if err != nil {
				return nil, 0, err
			}
			val, end, err := d.generic(d.ws(d.ws(sc.pos) + 1))
			if err != nil {
				return nil, 0, err
			}
			obj[key] = val
			pos = d.ws(end)
			if d.data[pos] == ',' {
				pos = d.ws(pos + 1)
			}
		}
		return obj, pos + 1, nil
	case '[':
		arr := make([]any, 0)
		pos = d.ws(pos + 1)
		for d.data[pos] != ']' {
			val, end, err := d.generic(pos)
			if err != nil {
				return nil, 0, err
			}
			arr = append(arr, val)
			pos = d.ws(end)
			if d.data[pos] == ',' {
				pos = d.ws(pos + 1)
			}
		}
		return arr, pos + 1, nil
	case '"':
		sc := scanner{data: d.data, pos: pos}
		sc.str()
		s, err := unquote(d.data[pos:sc.pos])
		return s, sc.pos, err
	case 't':
		return true, pos + 4, nil
	case 'f':
		return false, pos + 5, nil
	case 'n':
		return nil, pos + 4, nil
	default:
		sc := scanner{data: d.data, pos: pos}
		sc.number()
		raw := string(d.data[pos:sc.pos])
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, 0, &json.UnmarshalTypeError{Value: "number " + raw, Type: float64Type, Offset: int64(pos)}
		}
		return f, sc.pos, nil
	}
}
