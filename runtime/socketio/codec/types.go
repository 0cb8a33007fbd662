package codec

import (
	"cmp"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

var (
	marshalerType       = reflect.TypeFor[json.Marshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	numberType          = reflect.TypeFor[json.Number]()
	bytesType           = reflect.TypeFor[[]byte]()
	isZeroerType        = reflect.TypeFor[interface{ IsZero() bool }]()
)

// typeInfo is what the encoder needs to know about a type, computed once per
// type.
type typeInfo struct {
	// binary: a value of the type may hold a []byte to send as an attachment,
	// through fields, elements, pointers or interfaces (an interface counts,
	// and its dynamic value decides). When false, encoding/json encodes the
	// value exactly as this package would.
	binary bool
	// marshaler: the type implements json.Marshaler or
	// encoding.TextMarshaler, so its own method decides its JSON.
	marshaler bool
	// addrMarshaler: only the pointer type does; encoding/json then calls the
	// method for addressable values only.
	addrMarshaler bool
	// byteSlice: a slice that encoding/json writes as base64, and this package
	// as a placeholder.
	byteSlice bool
	// simple: a bool, number or string kind that this package writes itself.
	simple bool
	// fields of a struct type, nil otherwise.
	fields *structFields
}

var typeCache sync.Map // reflect.Type -> *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{
		marshaler: implementsMarshaler(t),
		binary:    reachesBinary(t, map[reflect.Type]bool{}),
	}
	ti.addrMarshaler = !ti.marshaler && t.Kind() != reflect.Pointer && implementsMarshaler(reflect.PointerTo(t))
	ti.byteSlice = !ti.marshaler && isByteSlice(t)
	if !ti.marshaler && !ti.addrMarshaler && t != numberType {
		switch t.Kind() {
		case reflect.Bool, reflect.String,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
			reflect.Float32, reflect.Float64:
			ti.simple = true
		}
	}
	if t.Kind() == reflect.Struct {
		ti.fields = cachedFields(t)
	}
	actual, _ := typeCache.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}

func implementsMarshaler(t reflect.Type) bool {
	return t.Implements(marshalerType) || t.Implements(textMarshalerType)
}

// isByteSlice reports whether encoding/json would write t as base64 (when t
// itself has no marshaler): a slice of a uint8 kind whose element has none.
func isByteSlice(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 &&
		!implementsMarshaler(reflect.PointerTo(t.Elem()))
}

// reachesBinary reports whether a byte slice or an interface can be reached
// from t through what encoding/json walks. It is plain reachability over the
// type graph, so recursive types need only the seen set, and no intermediate
// result is cached (one computed while a cycle is open could be wrong).
func reachesBinary(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	if implementsMarshaler(t) {
		return false // opaque: its method writes the JSON
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Slice:
		return isByteSlice(t) || reachesBinary(t.Elem(), seen)
	case reflect.Array, reflect.Pointer, reflect.Map:
		return reachesBinary(t.Elem(), seen)
	case reflect.Struct:
		fs := cachedFields(t)
		for i := range fs.list {
			if reachesBinary(fs.list[i].typ, seen) {
				return true
			}
		}
	}
	return false
}

// structFields are the JSON-visible fields of a struct type, in the order
// encoding/json writes them.
type structFields struct {
	list   []field
	byName map[string]int // exact name -> index into list
}

// byKey finds the field for an object key as encoding/json does: the exact
// name, else the first field whose name equals the key under Unicode case
// folding.
func (sf *structFields) byKey(key string) *field {
	if i, ok := sf.byName[key]; ok {
		return &sf.list[i]
	}
	for i := range sf.list {
		if strings.EqualFold(sf.list[i].name, key) {
			return &sf.list[i]
		}
	}
	return nil
}

// byRawKey is byKey for a raw key (a JSON string literal), which it decodes
// only when it holds escapes or non-ASCII bytes.
func (sf *structFields) byRawKey(raw []byte) *field {
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c == '\\' || c >= utf8.RuneSelf {
			key, err := unquote(raw)
			if err != nil {
				return nil
			}
			return sf.byKey(key)
		}
	}
	if i, ok := sf.byName[string(body)]; ok {
		return &sf.list[i]
	}
	for i := range sf.list {
		if asciiEqualFold(sf.list[i].name, body) {
			return &sf.list[i]
		}
	}
	return nil
}

// asciiEqualFold is strings.EqualFold for an ASCII b. A non-ASCII name can
// still fold to ASCII (the Kelvin sign K to k), so those go the long way.
func asciiEqualFold(name string, b []byte) bool {
	if len(name) != len(b) {
		for i := range len(name) {
			if name[i] >= utf8.RuneSelf {
				return strings.EqualFold(name, string(b))
			}
		}
		return false // two ASCII strings of different lengths
	}
	for i := range len(b) {
		x, y := name[i], b[i]
		if x >= utf8.RuneSelf {
			return strings.EqualFold(name, string(b))
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// field is one JSON-visible struct field.
type field struct {
	name     string
	nameJSON string // `"name":`, as encoding/json writes it without HTML escaping
	tag      bool   // the name came from a json tag
	index    []int  // field index path through embedded structs
	typ      reflect.Type

	omitEmpty bool
	omitZero  bool
	isZero    func(reflect.Value) bool // the IsZero method for omitzero, if any
	quoted    bool                     // ",string" on a bool, number or string field
}

var fieldCache sync.Map // reflect.Type -> *structFields

func cachedFields(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f, _ := fieldCache.LoadOrStore(t, typeFields(t))
	return f.(*structFields)
}

// typeFields lists the fields encoding/json encodes for struct type t. It
// follows encoding/json's typeFields (Go 1.26): json tags ("-", name,
// omitempty, omitzero, string), unexported fields skipped, fields of embedded
// structs promoted breadth-first, and Go's rules for hidden and ambiguous
// names, modified by tags.
// Long on purpose: it mirrors encoding/json's typeFields step by step, so
// the two can be compared side by side.
func typeFields(t reflect.Type) *structFields {
	current := []field{}
	next := []field{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	var fields []field

	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}

		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := 0; i < f.typ.NumField(); i++ {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue // unexported non-struct embedded type: nothing to promote
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !isValidTag(name) {
					name = ""
				}
				index := make([]int, len(f.index)+1)
				copy(index, f.index)
				index[len(f.index)] = i

				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				quoted := false
				if hasOption(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool,
						reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64,
						reflect.String:
						quoted = true
					}
				}

				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					tagged := name != ""
					if name == "" {
						name = sf.Name
					}
					fld := field{
						name:      name,
						nameJSON:  `"` + name + `":`,
						tag:       tagged,
						index:     index,
						typ:       sf.Type,
						omitEmpty: hasOption(opts, "omitempty"),
						omitZero:  hasOption(opts, "omitzero"),
						quoted:    quoted,
					}
					if fld.omitZero {
						fld.isZero = isZeroFunc(sf.Type)
					}
					fields = append(fields, fld)
					if count[f.typ] > 1 {
						// Two embeddings of the same type at one level: add a
						// duplicate so the dominance pass drops the name.
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}
				// An untagged embedded struct: explore it at the next level.
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, field{name: ft.Name(), index: index, typ: ft})
				}
			}
		}
	}

	slices.SortFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tag != b.tag {
			if a.tag {
				return -1
			}
			return +1
		}
		return slices.Compare(a.index, b.index)
	})

	// For each name keep the dominant field: the shallowest, a tagged one
	// before an untagged one; two equally good fields cancel each other.
	out := fields[:0]
	for advance, i := 0, 0; i < len(fields); i += advance {
		fi := fields[i]
		for advance = 1; i+advance < len(fields); advance++ {
			if fields[i+advance].name != fi.name {
				break
			}
		}
		if advance > 1 && len(fields[i].index) == len(fields[i+1].index) && fields[i].tag == fields[i+1].tag {
			continue
		}
		out = append(out, fi)
	}
	fields = out
	slices.SortFunc(fields, func(a, b field) int { return slices.Compare(a.index, b.index) })

	sf := &structFields{list: fields, byName: make(map[string]int, len(fields))}
	for i := range fields {
		sf.byName[fields[i].name] = i
	}
	return sf
}

// isZeroFunc returns the IsZero method check that omitzero uses for t, or nil
// when t has none and reflect.Value.IsZero decides.
func isZeroFunc(t reflect.Type) func(reflect.Value) bool {
	type isZeroer = interface{ IsZero() bool }
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() ||
				(v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil()) ||
				v.Interface().(isZeroer).IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || v.Interface().(isZeroer).IsZero()
		}
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(isZeroer).IsZero() }
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				v2 := reflect.New(v.Type()).Elem()
				v2.Set(v)
				v = v2
			}
			return v.Addr().Interface().(isZeroer).IsZero()
		}
	}
	return nil
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// isValidTag is encoding/json's rule for a usable tag name.
func isValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// isEmptyValue is encoding/json's test for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
