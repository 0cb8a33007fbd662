package gen

import (
	"fmt"
	"go/token"
	"go/types"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/siogen/siogen/schema"
)

// This file describes payload types as the JSON values encoding/json (and
// the runtime's encoder, which follows it) writes for them. The TypeScript
// and AsyncAPI outputs both print from this one description, so the two
// cannot disagree about a field's name, optionality or nullability.

// jsonKind is the broad form of a JSON value.
type jsonKind int

const (
	// jsonUnknown is any JSON value: any, json.RawMessage, a type that
	// writes its own JSON.
	jsonUnknown jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	// jsonBinary is a []byte, which Socket.IO sends as a binary attachment.
	jsonBinary
	jsonArray
	// jsonRecord is an object with arbitrary keys: a Go map.
	jsonRecord
	// jsonObject is an object with known properties: a Go struct.
	jsonObject
	// jsonRef is a named Go type, declared once under its own name.
	jsonRef
)

// jsonType is the JSON form of one Go type at one place of use.
type jsonType struct {
	kind jsonKind
	// nullable says that null is a possible value: a nil pointer, slice or
	// map.
	nullable bool
	elem     *jsonType    // jsonArray, jsonRecord
	length   int          // jsonArray from a Go array: its length; -1 for a slice
	fields   []*jsonField // jsonObject
	named    *namedJSON   // jsonRef
	// format refines jsonString ("date-time") and jsonNumber ("int64",
	// "uint8", "float32", ...).
	format string
	// integerKeys marks a jsonRecord whose keys are decimal integers.
	integerKeys bool
}

// jsonField is one property of a jsonObject.
type jsonField struct {
	name     string
	typ      *jsonType
	optional bool // omitempty or omitzero may leave it out
	doc      string
}

// namedJSON is a named Go type, declared once in the output.
type namedJSON struct {
	name   string // its name in the output: the Go name, or Box_int for Box[int]
	goName string // as Go code outside its package writes it: geo.Point
	doc    string
	def    *jsonType
}

// jsonTypes walks the payload types of one schema package, collecting the
// named types they use.
type jsonTypes struct {
	pkg    *schema.Package
	docs   *docReader
	ifaces encodingMethods
	byKey  map[string]*namedJSON // by types.TypeString, fully qualified
	byName map[string]*namedJSON
	keyOf  map[*namedJSON]string
	order  []*namedJSON // in order of first use
	// taken are the names the output declares itself, with what they are.
	taken map[string]string
	errs  schema.ErrorList
}

func newJSONTypes(pkg *schema.Package, taken map[string]string) *jsonTypes {
	return &jsonTypes{
		pkg:    pkg,
		docs:   newDocReader(pkg.Fset),
		ifaces: newEncodingMethods(),
		byKey:  map[string]*namedJSON{},
		byName: map[string]*namedJSON{},
		keyOf:  map[*namedJSON]string{},
		taken:  taken,
	}
}

// param describes one payload value of the schema.
func (j *jsonTypes) param(p *schema.Param, what string) *jsonType {
	return j.walk(p.Type, p.Pos, fmt.Sprintf("%s %q", what, p.Name))
}

// walk describes t as found at one place of use. pos and what say where,
// for errors.
func (j *jsonTypes) walk(t types.Type, pos token.Position, what string) *jsonType {
	t = types.Unalias(t)
	n, ok := t.(*types.Named)
	if !ok {
		jt := j.shape(t, pos, what)
		jt.nullable = jt.nullable || j.nilable(t)
		return jt
	}
	if obj := n.Obj(); obj.Pkg() != nil {
		switch obj.Pkg().Path() + "." + obj.Name() {
		case "time.Time":
			// Its MarshalJSON writes RFC 3339 text.
			return &jsonType{kind: jsonString, format: "date-time"}
		case "encoding/json.RawMessage":
			return &jsonType{kind: jsonUnknown}
		}
	}
	return &jsonType{kind: jsonRef, named: j.declare(n, pos, what), nullable: j.nilable(n)}
}

// nilable reports whether encoding/json writes null for the zero value of
// t: a pointer, or a slice or map that does not write itself.
func (j *jsonTypes) nilable(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Pointer:
		return true
	case *types.Slice, *types.Map:
		return !j.ifaces.marshals(t)
	}
	return false
}

// declare returns the declaration of named type n, making it on first use.
func (j *jsonTypes) declare(n *types.Named, pos token.Position, what string) *namedJSON {
	key := types.TypeString(n, nil)
	if d := j.byKey[key]; d != nil {
		return d
	}
	d := &namedJSON{name: outputName(n), goName: j.goName(n), doc: j.docs.typeDoc(n.Obj())}
	j.byKey[key] = d
	j.keyOf[d] = key
	switch other := j.byName[d.name]; {
	case other != nil:
		j.errs = append(j.errs, &schema.Error{Pos: pos, Msg: fmt.Sprintf(
			"%s uses the types %s and %s, which would both be named %s in TypeScript and AsyncAPI; rename one of them",
			what, other.goName, d.goName, d.name)})
	case j.taken[d.name] != "":
		j.errs = append(j.errs, &schema.Error{Pos: pos, Msg: fmt.Sprintf(
			"%s uses the type %s, whose name is taken by the generated TypeScript %s; rename the type",
			what, d.goName, j.taken[d.name])})
	case tsReservedTypeNames[d.name]:
		j.errs = append(j.errs, &schema.Error{Pos: pos, Msg: fmt.Sprintf(
			"%s uses the type %s, which cannot be declared in TypeScript under the name %s (a built-in type the generated file uses); rename the type",
			what, d.goName, d.name)})
	default:
		j.byName[d.name] = d
	}
	j.order = append(j.order, d)
	d.def = j.shape(n, pos, what)
	return d
}

// goName writes n as code outside its package would.
func (j *jsonTypes) goName(n *types.Named) string {
	return types.TypeString(n, func(p *types.Package) string {
		if p == j.pkg.Types {
			return ""
		}
		return p.Name()
	})
}

// outputName names a named type in the output: its Go name, with the type
// arguments of a generic instance appended (Box[geo.Point] is Box_Point),
// since neither JSON Schema nor an AsyncAPI component name has generics.
func outputName(n *types.Named) string {
	name := n.Obj().Name()
	args := n.TypeArgs()
	if args.Len() == 0 {
		return name
	}
	s := types.TypeString(n, func(*types.Package) string { return "" })
	s = s[len(name):]
	var b strings.Builder
	b.WriteString(name)
	under := true // collapse runs of punctuation into one underscore
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if under {
				b.WriteByte('_')
				under = false
			}
			b.WriteRune(r)
			continue
		}
		under = true
	}
	return b.String()
}

// shape describes the value of type t itself, without the special cases of
// walk: what its methods or its underlying type make it.
func (j *jsonTypes) shape(t types.Type, pos token.Position, what string) *jsonType {
	if p, ok := t.(*types.Pointer); ok {
		// An unnamed pointer has the methods of what it points to, which
		// describes itself.
		e := j.walk(p.Elem(), pos, what)
		e.nullable = true
		return e
	}
	// encoding/json prefers MarshalJSON to MarshalText, and either to the
	// type's structure; it calls pointer methods too when it can.
	n, named := t.(*types.Named)
	var dir jsonDirective
	hasDir := false
	if named {
		dir, hasDir = j.docs.jsonDirective(n.Obj())
	}
	if j.ifaces.marshals(t) {
		if hasDir {
			return j.directed(n, dir, pos, what)
		}
		if !j.ifaces.implements(t, j.ifaces.marshalJSON) && types.Implements(t, j.ifaces.marshalText) {
			return &jsonType{kind: jsonString}
		}
		// MarshalJSON writes anything; and a pointer method is called only
		// on addressable values, the others being written as their type.
		return &jsonType{kind: jsonUnknown}
	}
	if hasDir {
		j.errs = append(j.errs, &schema.Error{Pos: dir.pos, Msg: fmt.Sprintf(
			"type %s has a //siogen:json directive but no MarshalJSON or MarshalText method; its JSON form follows from its type, remove the directive",
			j.goName(n))})
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch info := u.Info(); {
		case info&types.IsBoolean != 0:
			return &jsonType{kind: jsonBool}
		case info&types.IsString != 0:
			return &jsonType{kind: jsonString}
		case info&(types.IsInteger|types.IsFloat) != 0:
			return &jsonType{kind: jsonNumber, format: numberFormat(u)}
		}
	case *types.Pointer:
		e := j.walk(u.Elem(), pos, what)
		e.nullable = true
		return e
	case *types.Slice:
		if b, ok := u.Elem().Underlying().(*types.Basic); ok && b.Kind() == types.Byte && !j.ifaces.marshals(u.Elem()) {
			return &jsonType{kind: jsonBinary}
		}
		return &jsonType{kind: jsonArray, elem: j.walk(u.Elem(), pos, what), length: -1}
	case *types.Array:
		return &jsonType{kind: jsonArray, elem: j.walk(u.Elem(), pos, what), length: int(u.Len())}
	case *types.Map:
		rec := &jsonType{kind: jsonRecord, elem: j.walk(u.Elem(), pos, what)}
		// encoding/json writes string keys as they are, then uses
		// MarshalText, then writes integers in decimal.
		if b, ok := u.Key().Underlying().(*types.Basic); ok && b.Info()&types.IsInteger != 0 && !j.ifaces.implements(u.Key(), j.ifaces.marshalText) {
			rec.integerKeys = true
		}
		return rec
	case *types.Struct:
		return &jsonType{kind: jsonObject, fields: j.structFields(u, pos, what)}
	case *types.Interface:
		return &jsonType{kind: jsonUnknown}
	}
	// The schema loader has refused every other type (channels, funcs,
	// complex numbers, unsafe.Pointer).
	j.errs = append(j.errs, &schema.Error{Pos: pos, Msg: fmt.Sprintf("%s: type %s has no JSON form", what, t)})
	return &jsonType{kind: jsonUnknown}
}

// directed describes named type n, which writes its own JSON, as the Go
// type its //siogen:json directive names.
func (j *jsonTypes) directed(n *types.Named, dir jsonDirective, pos token.Position, what string) *jsonType {
	fail := func(format string, args ...any) *jsonType {
		j.errs = append(j.errs, &schema.Error{Pos: dir.pos, Msg: fmt.Sprintf("type %s: //siogen:json %s: ", j.goName(n), dir.expr) + fmt.Sprintf(format, args...)})
		return &jsonType{kind: jsonUnknown}
	}
	obj := n.Obj()
	tv, err := types.Eval(j.pkg.Fset, obj.Pkg(), obj.Pos(), dir.expr)
	switch {
	case err != nil:
		msg := err.Error()
		if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "eval:") {
			msg = rest // the position inside the directive's text
		}
		return fail("%s; name a Go type whose JSON is what MarshalJSON writes, like //siogen:json string", msg)
	case !tv.IsType():
		return fail("%s is not a type; name a Go type whose JSON is what MarshalJSON writes, like //siogen:json string", dir.expr)
	case types.Identical(tv.Type, n):
		return fail("a type cannot stand for itself; name the Go type whose JSON it writes")
	}
	if _, isNamed := types.Unalias(tv.Type).(*types.Named); isNamed {
		return j.walk(tv.Type, pos, what)
	}
	return j.shape(tv.Type, pos, what)
}

// numberFormat names the Go number type, which says the range a value
// has: "int64", "uint8", "float32".
func numberFormat(b *types.Basic) string {
	switch b.Kind() {
	case types.Int, types.Uint, types.Uintptr:
		return b.Name() + "64"
	case types.Byte:
		return "uint8"
	case types.Rune:
		return "int32"
	}
	return b.Name()
}

// A candidate is a struct field that encoding/json may encode, before
// name conflicts between embedded structs are settled.
type candidate struct {
	name      string
	tagged    bool // the name comes from a json tag
	index     []int
	v         *types.Var
	omitEmpty bool
	omitZero  bool
	quoted    bool // the ",string" option applies
	// viaPointer says the field is promoted through an embedded pointer,
	// and left out when that pointer is nil.
	viaPointer bool
}

// structFields lists the properties encoding/json writes for a struct, in
// its order: exported fields not tagged "-", the fields of embedded
// structs promoted, and of several fields with one name the shallowest
// (the tagged one among equals) or, when that is ambiguous, none.
// Long on purpose: one breadth-first walk with the dominance rules
// inline, as encoding/json's typeFields, which it must match.
func (j *jsonTypes) structFields(st *types.Struct, pos token.Position, what string) []*jsonField {
	type level struct {
		st         *types.Struct
		key        string // the struct type, for the embedded ones
		index      []int
		viaPointer bool
	}
	var cands []candidate
	next := []level{{st: st}}
	count, nextCount := map[string]int{}, map[string]int{}
	visited := map[string]bool{}
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[string]int{}
		for _, lv := range current {
			if lv.key != "" {
				if visited[lv.key] {
					continue
				}
				visited[lv.key] = true
			}
			for i := range lv.st.NumFields() {
				f := lv.st.Field(i)
				tag := reflect.StructTag(lv.st.Tag(i)).Get("json")
				if tag == "-" {
					continue
				}
				ft := types.Unalias(f.Type())
				p, isPtr := ft.(*types.Pointer) // an unnamed pointer
				if isPtr {
					ft = types.Unalias(p.Elem())
				}
				_, isStruct := ft.Underlying().(*types.Struct)
				if f.Embedded() {
					if !f.Exported() && !isStruct {
						continue
					}
				} else if !f.Exported() {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validJSONName(name) {
					name = ""
				}
				index := append(append([]int(nil), lv.index...), i)
				if name != "" || !f.Embedded() || !isStruct {
					c := candidate{name: name, tagged: name != "", index: index, v: f, viaPointer: lv.viaPointer}
					if c.name == "" {
						c.name = f.Name()
					}
					for _, o := range strings.Split(opts, ",") {
						switch o {
						case "omitempty":
							c.omitEmpty = true
						case "omitzero":
							c.omitZero = true
						case "string":
							if b, ok := ft.Underlying().(*types.Basic); ok && b.Info()&(types.IsBoolean|types.IsNumeric|types.IsString) != 0 {
								c.quoted = true
							}
						}
					}
					cands = append(cands, c)
					if count[lv.key] > 1 {
						// The struct is embedded more than once at this
						// depth: its fields annihilate each other.
						cands = append(cands, c)
					}
					continue
				}
				key := types.TypeString(ft, nil)
				nextCount[key]++
				if nextCount[key] == 1 {
					next = append(next, level{st: ft.Underlying().(*types.Struct), key: key, index: index, viaPointer: lv.viaPointer || isPtr})
				}
			}
		}
	}

	sort.SliceStable(cands, func(a, b int) bool {
		x, y := cands[a], cands[b]
		if x.name != y.name {
			return x.name < y.name
		}
		if len(x.index) != len(y.index) {
			return len(x.index) < len(y.index)
		}
		if x.tagged != y.tagged {
			return x.tagged
		}
		return lessIndex(x.index, y.index)
	})
	var kept []candidate
	for i := 0; i < len(cands); {
		k := i + 1
		for k < len(cands) && cands[k].name == cands[i].name {
			k++
		}
		group := cands[i:k]
		i = k
		if len(group) > 1 && len(group[0].index) == len(group[1].index) && group[0].tagged == group[1].tagged {
			continue // ambiguous: encoding/json writes neither
		}
		kept = append(kept, group[0])
	}
	sort.Slice(kept, func(a, b int) bool { return lessIndex(kept[a].index, kept[b].index) })

	fields := make([]*jsonField, 0, len(kept))
	for _, c := range kept {
		f := &jsonField{name: c.name, doc: j.docs.fieldDoc(c.v)}
		if c.quoted {
			f.typ = &jsonType{kind: jsonString, nullable: j.nilable(c.v.Type())}
		} else {
			f.typ = j.walk(c.v.Type(), pos, what)
		}
		switch {
		case c.omitZero:
			f.optional = true
			if !j.ifaces.hasIsZero(c.v.Type()) {
				f.typ.nullable = false // null is the zero value, left out
			}
		case c.omitEmpty && omittable(c.v.Type()):
			f.optional = true
			f.typ.nullable = false // nil is empty, left out
		case c.viaPointer:
			f.optional = true
		}
		fields = append(fields, f)
	}
	return fields
}

// omittable reports whether omitempty can leave out a value of type t:
// false, 0, "", nil, and empty slices, maps and arrays are left out, but
// never a struct.
func omittable(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic, *types.Pointer, *types.Interface, *types.Slice, *types.Map:
		return true
	case *types.Array:
		return u.Len() == 0
	}
	return false
}

func lessIndex(a, b []int) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// validJSONName reports whether encoding/json accepts name from a json tag;
// it uses the field's Go name otherwise.
func validJSONName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// encodingMethods are the method sets through which a type writes its own
// JSON (json.Marshaler, encoding.TextMarshaler) or says it is empty for
// omitzero (IsZero).
type encodingMethods struct {
	marshalJSON, marshalText, isZero *types.Interface
}

func newEncodingMethods() encodingMethods {
	bytes := types.NewSlice(types.Typ[types.Byte])
	errType := types.Universe.Lookup("error").Type()
	method := func(name string, results ...types.Type) *types.Interface {
		var vars []*types.Var
		for _, r := range results {
			vars = append(vars, types.NewParam(token.NoPos, nil, "", r))
		}
		sig := types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(vars...), false)
		return types.NewInterfaceType([]*types.Func{types.NewFunc(token.NoPos, nil, name, sig)}, nil).Complete()
	}
	return encodingMethods{
		marshalJSON: method("MarshalJSON", bytes, errType),
		marshalText: method("MarshalText", bytes, errType),
		isZero:      method("IsZero", types.Typ[types.Bool]),
	}
}

// implements reports whether t or *t has the methods of iface.
func (e encodingMethods) implements(t types.Type, iface *types.Interface) bool {
	if types.Implements(t, iface) {
		return true
	}
	if _, isPtr := t.Underlying().(*types.Pointer); isPtr {
		return false
	}
	if _, isIface := t.Underlying().(*types.Interface); isIface {
		return false
	}
	return types.Implements(types.NewPointer(t), iface)
}

func (e encodingMethods) marshals(t types.Type) bool {
	return e.implements(t, e.marshalJSON) || e.implements(t, e.marshalText)
}

func (e encodingMethods) hasIsZero(t types.Type) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	return e.implements(t, e.isZero)
}

// tsReservedTypeNames cannot name a declared type in the generated
// TypeScript: its predefined types, and the globals the file refers to.
var tsReservedTypeNames = map[string]bool{
	"any": true, "unknown": true, "never": true, "void": true, "object": true,
	"string": true, "number": true, "boolean": true, "bigint": true, "symbol": true,
	"undefined": true, "null": true, "Record": true, "Uint8Array": true,
}
