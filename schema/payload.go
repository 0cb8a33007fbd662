package schema

import (
	"fmt"
	"go/token"
	"go/types"
	"reflect"
)

// encodingInterfaces are the method sets through which a type takes over
// its own JSON encoding (encoding/json's Marshaler and Unmarshaler,
// encoding's TextMarshaler and TextUnmarshaler). They are built by hand
// because the schema package need not import encoding/json; go/types
// compares interfaces by method set, so the result is the same.
type encodingInterfaces struct {
	marshalJSON, unmarshalJSON, marshalText, unmarshalText *types.Interface
}

func newEncodingInterfaces() encodingInterfaces {
	bytes := types.NewSlice(types.Typ[types.Byte])
	errType := types.Universe.Lookup("error").Type()
	marshal := func(name string) *types.Interface {
		res := types.NewTuple(types.NewParam(token.NoPos, nil, "", bytes), types.NewParam(token.NoPos, nil, "", errType))
		sig := types.NewSignatureType(nil, nil, nil, nil, res, false)
		return types.NewInterfaceType([]*types.Func{types.NewFunc(token.NoPos, nil, name, sig)}, nil).Complete()
	}
	unmarshal := func(name string) *types.Interface {
		params := types.NewTuple(types.NewParam(token.NoPos, nil, "", bytes))
		res := types.NewTuple(types.NewParam(token.NoPos, nil, "", errType))
		sig := types.NewSignatureType(nil, nil, nil, params, res, false)
		return types.NewInterfaceType([]*types.Func{types.NewFunc(token.NoPos, nil, name, sig)}, nil).Complete()
	}
	return encodingInterfaces{
		marshalJSON:   marshal("MarshalJSON"),
		unmarshalJSON: unmarshal("UnmarshalJSON"),
		marshalText:   marshal("MarshalText"),
		unmarshalText: unmarshal("UnmarshalText"),
	}
}

// implements reports whether a value of type t, or a pointer to one, has
// the methods of iface. encoding/json looks for both, since it calls
// pointer methods on addressable values and always decodes through a
// pointer.
func implements(t types.Type, iface *types.Interface) bool {
	if types.Implements(t, iface) {
		return true
	}
	if _, isPtr := t.Underlying().(*types.Pointer); isPtr {
		return false
	}
	return types.Implements(types.NewPointer(t), iface)
}

// selfEncoding reports whether t takes part in choosing its own JSON form,
// in either direction. Such a type is trusted: its insides are not checked.
func (e encodingInterfaces) selfEncoding(t types.Type) bool {
	return implements(t, e.marshalJSON) || implements(t, e.unmarshalJSON) ||
		implements(t, e.marshalText) || implements(t, e.unmarshalText)
}

// opaque reports whether a value of type t is always encoded by its own
// MarshalJSON or MarshalText method, so no []byte inside it can become an
// attachment. Only value methods count: the runtime's encoder (package
// runtime/socketio/codec) walks into a type whose marshaler needs a
// pointer, and HasBinary must never say false where it finds binary data.
func (e encodingInterfaces) opaque(t types.Type) bool {
	return types.Implements(t, e.marshalJSON) || types.Implements(t, e.marshalText)
}

// marshals reports whether encoding/json would call a marshaler of t or *t.
func (e encodingInterfaces) marshals(t types.Type) bool {
	return implements(t, e.marshalJSON) || implements(t, e.marshalText)
}

// textKey reports whether t may be a JSON object key by way of its
// MarshalText and UnmarshalText methods.
func (e encodingInterfaces) textKey(t types.Type) bool {
	return implements(t, e.marshalText) && implements(t, e.unmarshalText)
}

// checkPayload walks type t of a payload value the way encoding/json would,
// reports every part of it that cannot travel as JSON, and classifies it.
// what names the value for messages (`event "X": parameter "p"`) and name is
// how paths inside it start ("p").
func (l *loader) checkPayload(pos token.Position, what, name string, t types.Type) (Kind, bool) {
	w := &payloadWalker{
		l:    l,
		pos:  pos,
		what: what,
		root: spot{path: name, typ: t},
		seen: make(map[string]walkMode),
	}
	w.walk(t, w.root)
	return l.kind(t), w.binary
}

// kind classifies a payload type; see Kind.
func (l *loader) kind(t types.Type) Kind {
	if l.ifaces.selfEncoding(t) {
		return Other
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch info := u.Info(); {
		case info&types.IsBoolean != 0:
			return Bool
		case info&types.IsString != 0:
			return String
		case info&types.IsInteger != 0 && info&types.IsUnsigned != 0:
			return Uint
		case info&types.IsInteger != 0:
			return Int
		case info&types.IsFloat != 0:
			return Float
		}
	case *types.Slice:
		if l.isByteSlice(u) {
			return Bytes
		}
	}
	return Other
}

// isByteSlice reports whether encoding/json writes slice s as base64 (and
// socket.io as an attachment): its element is a byte type without a
// marshaler of its own.
func (l *loader) isByteSlice(s *types.Slice) bool {
	b, ok := s.Elem().Underlying().(*types.Basic)
	return ok && b.Kind() == types.Byte && !l.ifaces.marshals(s.Elem())
}

// A spot is a place inside a payload value, for messages.
type spot struct {
	path  string     // how to reach it from the parameter: "f.Items[i].Data"
	typ   types.Type // its type as written there (pointers are followed silently)
	field bool       // the path ends in a struct field, which json:"-" could hide
	quiet bool       // inside a self-encoding type: look for binary data only
}

// walkMode records how far a named type has been walked.
type walkMode int

const (
	unwalked walkMode = iota
	walkedQuiet
	walkedLoud // checked for errors too, which covers a quiet walk
)

// A payloadWalker visits one payload type.
type payloadWalker struct {
	l      *loader
	pos    token.Position
	what   string
	root   spot
	seen   map[string]walkMode // named types entered, so recursive types end
	binary bool
}

// walk visits t, which is found at spot at. It reports what cannot be
// encoded and notes binary data, following encoding/json: pointers,
// slices, arrays, map values and the struct fields JSON encodes.
func (w *payloadWalker) walk(t types.Type, at spot) {
	t = types.Unalias(t)
	if n, ok := t.(*types.Named); ok {
		// Keyed by the type's full name rather than its pointer, because
		// go/types may create several identical instances of one generic
		// type.
		key := types.TypeString(n, nil)
		mode := walkedLoud
		if at.quiet {
			mode = walkedQuiet
		}
		if w.seen[key] >= mode {
			return
		}
		w.seen[key] = mode
	}

	// Interfaces come first: an interface type with a MarshalJSON method
	// still cannot be decoded into.
	if it, ok := t.Underlying().(*types.Interface); ok {
		if _, isParam := t.(*types.TypeParam); isParam {
			w.report(at, "which is a type parameter", "use a concrete type")
			return
		}
		if it.Empty() {
			w.binary = true // an any may hold a []byte
			return
		}
		hint := "use a concrete type, or any"
		if t == types.Universe.Lookup("error").Type() {
			hint = "send the error's text as a string, or use any"
		}
		w.report(at, "which is an interface with methods and cannot be decoded", hint)
		return
	}
	if w.l.ifaces.opaque(t) {
		return
	}
	if w.l.ifaces.selfEncoding(t) {
		// Its methods choose its JSON form, so its insides are its own
		// business; but the encoder may still walk into it for binary
		// data, so keep looking for that.
		at.quiet = true
	}

	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsComplex != 0:
			w.report(at, "which cannot be sent as JSON (JSON has no complex numbers)", "use two float64 values")
		case u.Kind() == types.UnsafePointer:
			w.report(at, "which cannot be sent as JSON", "use a concrete type")
		}
	case *types.Chan:
		w.report(at, "which cannot be sent as JSON", "use a slice or a struct")
	case *types.Signature:
		w.report(at, "which cannot be sent as JSON", "send data, not code (an event's ack is its last parameter)")
	case *types.Pointer:
		w.walk(u.Elem(), at)
	case *types.Slice:
		if w.l.isByteSlice(u) {
			w.binary = true
			return
		}
		w.walk(u.Elem(), spot{path: at.path + "[i]", typ: u.Elem(), quiet: at.quiet})
	case *types.Array:
		w.walk(u.Elem(), spot{path: at.path + "[i]", typ: u.Elem(), quiet: at.quiet})
	case *types.Map:
		w.mapKey(u.Key(), at)
		w.walk(u.Elem(), spot{path: at.path + "[k]", typ: u.Elem(), quiet: at.quiet})
	case *types.Struct:
		w.structFields(u, at)
	}
}

// mapKey checks that key can be a JSON object key, as encoding/json
// requires: a string or integer type, or a type with MarshalText and
// UnmarshalText.
func (w *payloadWalker) mapKey(key types.Type, at spot) {
	if w.l.ifaces.textKey(key) {
		return
	}
	if b, ok := key.Underlying().(*types.Basic); ok && b.Info()&(types.IsString|types.IsInteger) != 0 {
		return
	}
	w.report(at, fmt.Sprintf("whose key type %s cannot be a JSON object key", w.l.typeString(key)),
		"use string, an integer type, or a type with MarshalText and UnmarshalText methods")
}

// structFields walks the fields encoding/json encodes: exported ones not
// tagged json:"-", and the fields of embedded structs.
func (w *payloadWalker) structFields(st *types.Struct, at spot) {
	for i := range st.NumFields() {
		f := st.Field(i)
		if reflect.StructTag(st.Tag(i)).Get("json") == "-" {
			continue
		}
		if f.Embedded() {
			// encoding/json promotes the fields of an embedded struct
			// even when the struct's type is unexported.
			et := f.Type()
			if p, ok := et.Underlying().(*types.Pointer); ok {
				et = p.Elem()
			}
			if _, isStruct := et.Underlying().(*types.Struct); !f.Exported() && !isStruct {
				continue
			}
		} else if !f.Exported() {
			continue
		}
		w.walk(f.Type(), spot{path: at.path + "." + f.Name(), typ: f.Type(), field: true, quiet: at.quiet})
	}
}

// report records one payload error at spot at, unless the spot is inside a
// self-encoding type. clause says what is wrong with the type there and
// hint how to fix it. At the top of the payload it reads `parameter "c"
// has type chan int, which ...`; deeper inside, the path is named too:
// `parameter "f" has type File, and f.Done has type chan int, which ...`.
func (w *payloadWalker) report(at spot, clause, hint string) {
	if at.quiet {
		return
	}
	if at.field {
		hint += `, or hide the field with the tag json:"-"`
	}
	if at.path == w.root.path {
		w.l.errorAt(w.pos, "%s has type %s, %s; %s", w.what, w.l.typeString(at.typ), clause, hint)
		return
	}
	w.l.errorAt(w.pos, "%s has type %s, and %s has type %s, %s; %s",
		w.what, w.l.typeString(w.root.typ), at.path, w.l.typeString(at.typ), clause, hint)
}

// checkNameable reports the parts of type t that the generated code cannot
// write: named types that are unexported (when the code goes into another
// package) or declared inside a function, and literal struct types with
// unexported fields. It looks at the type as written; the insides of named
// types are not written by the generated code, so they do not matter.
func (l *loader) checkNameable(pos token.Position, what string, t types.Type) {
	var visit func(t types.Type)
	visit = func(t types.Type) {
		switch t := t.(type) {
		case *types.Alias:
			if l.visible(t.Obj()) {
				visitTypeArgs(t.TypeArgs(), visit)
				return
			}
			visit(types.Unalias(t))
		case *types.Named:
			obj := t.Obj()
			if !l.visible(obj) {
				l.unnameable(pos, what, obj)
			}
			visitTypeArgs(t.TypeArgs(), visit)
		case *types.Pointer:
			visit(t.Elem())
		case *types.Slice:
			visit(t.Elem())
		case *types.Array:
			visit(t.Elem())
		case *types.Map:
			visit(t.Key())
			visit(t.Elem())
		case *types.Struct:
			for i := range t.NumFields() {
				f := t.Field(i)
				if !f.Exported() && f.Pkg() != nil && f.Pkg().Path() != l.outPath {
					l.errorAt(pos, "%s has type %s, a struct type with the unexported field %s, which the generated code in package %s cannot write; name the struct type, or generate into the schema package",
						what, l.typeString(t), f.Name(), l.outPath)
					return
				}
				visit(f.Type())
			}
		}
		// Basic types are always nameable; chan, func and interface
		// types are reported by checkPayload.
	}
	visit(t)
}

func visitTypeArgs(args *types.TypeList, visit func(types.Type)) {
	for i := range args.Len() {
		visit(args.At(i))
	}
}

// visible reports whether code in the output package can refer to the type
// name obj.
func (l *loader) visible(obj *types.TypeName) bool {
	pkg := obj.Pkg()
	if pkg == nil {
		return true // predeclared: any, error, comparable
	}
	if obj.Parent() != pkg.Scope() {
		return false // declared inside a function
	}
	return obj.Exported() || pkg.Path() == l.outPath
}

// unnameable reports a type name the generated code cannot refer to.
func (l *loader) unnameable(pos token.Position, what string, obj *types.TypeName) {
	if pkg := obj.Pkg(); obj.Parent() != pkg.Scope() {
		l.errorAt(pos, "%s: type %s is declared inside a function, so the generated code cannot name it; declare it at package level",
			what, obj.Name())
		return
	}
	l.errorAt(pos, "%s: type %s is unexported and the generated code in package %s cannot name it; export it or generate into the schema package",
		what, l.typeString(obj.Type()), l.outPath)
}
