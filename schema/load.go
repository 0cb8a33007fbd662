package schema

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// BuildTag is the build tag under which schemas are loaded. Generated files
// carry the constraint "//go:build !" + BuildTag, so a stale or broken
// generated file never stops its schema from loading.
const BuildTag = "siogen"

// siogenPath is the import path of the package declaring the Namespace marker.
const siogenPath = "github.com/siogen/siogen"

// Config says which package to load and where its generated code goes.
type Config struct {
	// Dir is the directory in which the go command runs, which decides the
	// module and resolves relative patterns. Empty means the current
	// directory.
	Dir string
	// Patterns select the schema package, as for go list. Empty means
	// "." (the package in Dir). They must match exactly one package.
	Patterns []string
	// OutputPkgPath is the import path of the package the generated code
	// goes into. Empty means the schema package itself. When it is another
	// package, payload types that code outside the schema package cannot
	// name (unexported types, for one) are errors.
	OutputPkgPath string
}

// Load loads, type-checks and validates the schema package selected by cfg.
//
// Mistakes in the schema, including type-check errors, are returned
// together as an [ErrorList], sorted by position. Other failures (no go
// command, a pattern that matches several packages) are returned as plain
// errors.
func Load(cfg Config) (*Package, error) {
	patterns := cfg.Patterns
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	pcfg := &packages.Config{
		// Syntax and TypesInfo give positions and doc comments; imported
		// packages need only their types, which the go command provides
		// from export data, so NeedDeps is not requested.
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax |
			packages.NeedTypes | packages.NeedTypesInfo | packages.NeedImports,
		Dir:        cfg.Dir,
		BuildFlags: []string{"-tags=" + BuildTag},
	}
	pkgs, err := packages.Load(pcfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("schema: loading %s: %w", strings.Join(patterns, " "), err)
	}
	switch len(pkgs) {
	case 0:
		return nil, fmt.Errorf("schema: %s matches no package", strings.Join(patterns, " "))
	case 1:
	default:
		paths := make([]string, len(pkgs))
		for i, p := range pkgs {
			paths[i] = p.PkgPath
		}
		return nil, fmt.Errorf("schema: %s matches %d packages (%s); siogen reads one schema package at a time",
			strings.Join(patterns, " "), len(pkgs), strings.Join(paths, ", "))
	}
	pkg := pkgs[0]
	if errs := packageErrors(pkg); len(errs) > 0 {
		return nil, errs
	}

	l := newLoader(pkg, cfg.OutputPkgPath)
	p := l.load()
	if len(l.errs) > 0 {
		l.errs.Sort()
		return nil, l.errs
	}
	return p, nil
}

// packageErrors converts the errors go/packages found while listing,
// parsing and type-checking pkg and the packages it imports: a schema whose
// payload types come from a broken package cannot be loaded either.
func packageErrors(pkg *packages.Package) ErrorList {
	var listed, typed ErrorList
	packages.Visit([]*packages.Package{pkg}, nil, func(p *packages.Package) {
		var own, compilerOutput ErrorList
		for _, e := range p.Errors {
			if e.Kind == packages.TypeError {
				continue // taken from p.TypeErrors, with exact positions
			}
			// The go command compiles packages for their export data,
			// so a broken package also fails with the compiler's
			// output ("# pkg" and its errors again, in other words).
			// It is worth showing only when nothing better was found.
			if strings.HasPrefix(e.Msg, "# ") {
				compilerOutput = append(compilerOutput, &Error{Pos: parsePos(e.Pos), Msg: e.Msg})
				continue
			}
			own = append(own, &Error{Pos: parsePos(e.Pos), Msg: oneLine(e.Msg)})
		}
		if len(own) == 0 && len(p.TypeErrors) == 0 {
			own = compilerOutput
		}
		listed = append(listed, own...)
		for _, te := range p.TypeErrors {
			typed = append(typed, &Error{Pos: te.Fset.Position(te.Pos), Msg: te.Msg})
		}
	})

	errs := listed
	for _, e := range typed {
		// An import the go command could not resolve has been reported
		// already, with its reason; go/types only adds that it failed.
		if len(listed) > 0 && strings.HasPrefix(e.Msg, "could not import ") {
			continue
		}
		errs = append(errs, e)
	}
	if len(errs) == 0 && pkg.IllTyped {
		errs = append(errs, &Error{Msg: "package " + pkg.PkgPath + " could not be type-checked"})
	}
	errs.Sort()
	return errs
}

// oneLine joins the lines of a go command message, which sometimes puts
// advice on an indented second line, so every error stays one line.
func oneLine(msg string) string {
	msg = strings.ReplaceAll(msg, ":\n\t", ": ")
	return strings.ReplaceAll(msg, "\n", "; ")
}

// parsePos parses the "file:line:col", "file:line", "file" or "-" forms of
// a position that packages.Error uses. It splits from the right because
// file names may contain colons.
func parsePos(s string) token.Position {
	if s == "" || s == "-" {
		return token.Position{}
	}
	var nums []int
	rest := s
	for len(nums) < 2 {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(rest[i+1:])
		if err != nil {
			break
		}
		nums = append(nums, n)
		rest = rest[:i]
	}
	p := token.Position{Filename: rest}
	switch len(nums) {
	case 1:
		p.Line = nums[0]
	case 2:
		p.Line, p.Column = nums[1], nums[0]
	}
	return p
}

// A loader turns one type-checked package into the model, collecting errors
// as it goes so that one run reports every mistake.
type loader struct {
	pkg     *packages.Package
	fset    *token.FileSet
	outPath string // import path of the generated code
	errs    ErrorList

	// fields maps the position of each struct field's name (or, for an
	// embedded field, of each identifier in its type) to the field's
	// syntax, where its doc comment and tag position live.
	fields map[token.Pos]*ast.Field

	ifaces encodingInterfaces
}

func newLoader(pkg *packages.Package, outPath string) *loader {
	if outPath == "" {
		outPath = pkg.PkgPath
	}
	l := &loader{
		pkg:     pkg,
		fset:    pkg.Fset,
		outPath: outPath,
		fields:  make(map[token.Pos]*ast.Field),
		ifaces:  newEncodingInterfaces(),
	}
	for _, f := range pkg.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			st, ok := n.(*ast.StructType)
			if !ok {
				return true
			}
			for _, field := range st.Fields.List {
				for _, name := range field.Names {
					l.fields[name.Pos()] = field
				}
				if len(field.Names) == 0 {
					ast.Inspect(field.Type, func(n ast.Node) bool {
						if id, ok := n.(*ast.Ident); ok {
							l.fields[id.Pos()] = field
						}
						return true
					})
				}
			}
			return true
		})
	}
	return l
}

// errorf records an error at pos.
func (l *loader) errorf(pos token.Pos, format string, args ...any) {
	l.errorAt(l.fset.Position(pos), format, args...)
}

// errorAt records an error at an already resolved position.
func (l *loader) errorAt(pos token.Position, format string, args ...any) {
	l.errs = append(l.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// short formats a position for use inside a message. Every file of a
// package shares one directory, so the base name is enough.
func short(p token.Position) string {
	return fmt.Sprintf("%s:%d:%d", filepath.Base(p.Filename), p.Line, p.Column)
}

// typeString formats t for messages: types of the schema package bare,
// others qualified by package name, as the user writes them.
func (l *loader) typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string {
		if p == l.pkg.Types {
			return ""
		}
		return p.Name()
	})
}

// resultString formats the results of a func as they are written: "error",
// or "(bool, error)" when there are several.
func (l *loader) resultString(t *types.Tuple) string {
	if t.Len() == 1 && t.At(0).Name() == "" {
		return l.typeString(t.At(0).Type())
	}
	return l.typeString(t)
}

// load builds the model from the package's syntax and types.
func (l *loader) load() *Package {
	p := &Package{
		Name:    l.pkg.Name,
		PkgPath: l.pkg.PkgPath,
		Dir:     l.pkg.Dir,
		Files:   slices.Clone(l.pkg.GoFiles),
		Types:   l.pkg.Types,
		Fset:    l.fset,
	}
	if p.Dir == "" && len(p.Files) > 0 {
		p.Dir = filepath.Dir(p.Files[0])
	}

	byPath := make(map[string]*Namespace)
	for _, file := range l.pkg.Syntax {
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				ns := l.namespace(ts, doc)
				if ns == nil {
					continue
				}
				p.Namespaces = append(p.Namespaces, ns)
				if ns.Path == "" {
					continue // already reported
				}
				if other, dup := byPath[ns.Path]; dup {
					l.errorAt(ns.Pos, "namespaces %s and %s both use the path %q (%s is at %s); each namespace needs its own path",
						other.GoName, ns.GoName, ns.Path, other.GoName, short(other.Pos))
					continue
				}
				byPath[ns.Path] = ns
			}
		}
	}
	if len(p.Namespaces) == 0 {
		var pos token.Position
		if len(l.pkg.Syntax) > 0 {
			pos = l.fset.Position(l.pkg.Syntax[0].Name.Pos())
		}
		l.errorAt(pos, "no namespace in package %s: embed siogen.Namespace in a struct, like type Chat struct { siogen.Namespace `sio:\"/\"`; ClientToServer struct{ ... } }",
			l.pkg.Name)
	}
	return p
}

// namespace returns the namespace declared by ts, or nil when ts does not
// declare one. It reports the namespace's mistakes as it goes.
func (l *loader) namespace(ts *ast.TypeSpec, doc *ast.CommentGroup) *Namespace {
	obj, ok := l.pkg.TypesInfo.Defs[ts.Name].(*types.TypeName)
	if !ok || obj.IsAlias() {
		return nil
	}
	st, ok := obj.Type().Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	marker := -1
	for i := range st.NumFields() {
		if f := st.Field(i); f.Embedded() && markerType(f.Type()) != notMarker {
			marker = i
			break
		}
	}
	if marker < 0 {
		return nil
	}

	ns := &Namespace{
		GoName: obj.Name(),
		Doc:    docText(doc),
		Pos:    l.fset.Position(obj.Pos()),
	}
	if ts.TypeParams != nil {
		l.errorf(ts.Name.Pos(), "namespace %s has type parameters; a namespace struct cannot be generic, remove them", ns.GoName)
	}
	if !obj.Exported() {
		l.errorf(ts.Name.Pos(), "namespace type %s is unexported; start its name with a capital letter, since generated names are made from it", ns.GoName)
	}

	mf := st.Field(marker)
	if markerType(mf.Type()) == markerPointer {
		l.errorf(l.fieldPos(mf), "namespace %s embeds *siogen.Namespace; embed siogen.Namespace, without the *", ns.GoName)
	}
	ns.Path = l.namespacePath(ns, mf, st.Tag(marker))

	for i := range st.NumFields() {
		f := st.Field(i)
		switch {
		case i == marker:
		case !f.Embedded() && f.Name() == "ClientToServer":
			ns.ClientToServer = l.events(ns, ClientToServer, f)
		case !f.Embedded() && f.Name() == "ServerToClient":
			ns.ServerToClient = l.events(ns, ServerToClient, f)
		case !f.Embedded() && f.Name() == "Auth":
			ns.Auth = l.auth(ns, f)
		case !f.Embedded() && f.Name() == "Data":
			ns.Data = l.data(ns, f)
		case f.Embedded():
			l.errorf(l.fieldPos(f), "namespace %s embeds %s; a namespace struct may only hold siogen.Namespace and the fields ClientToServer, ServerToClient, Auth and Data",
				ns.GoName, l.typeString(f.Type()))
		default:
			l.errorf(f.Pos(), "namespace %s has a field %s; a namespace struct may only hold siogen.Namespace and the fields ClientToServer, ServerToClient, Auth and Data",
				ns.GoName, f.Name())
		}
	}
	return ns
}

// auth reads the namespace's Auth field: the type of its CONNECT payload,
// which is a JSON object on the wire, so a struct (or pointer to one) or a
// map with string keys. It returns nil after reporting an error.
func (l *loader) auth(ns *Namespace, f *types.Var) *Param {
	t := f.Type()
	u := t.Underlying()
	if p, ok := u.(*types.Pointer); ok {
		u = p.Elem().Underlying()
	}
	object := false
	switch u := u.(type) {
	case *types.Struct:
		object = true
	case *types.Map:
		if b, ok := u.Key().Underlying().(*types.Basic); ok && b.Info()&types.IsString != 0 {
			object = true
		}
	}
	if !object && !l.ifaces.selfEncoding(t) {
		l.errorf(f.Pos(), "namespace %s has Auth of type %s; the CONNECT payload is a JSON object, so Auth must be a struct or a map with string keys",
			ns.GoName, l.typeString(t))
		return nil
	}
	return l.param("Auth of namespace "+ns.GoName, f, "auth")
}

// data reads the namespace's Data field: the type of the state each of its
// sockets carries on the server. It never travels, so any type the
// generated code can name will do, but a pointer or an interface: Data()
// returns a pointer to the socket's own value, and an interface would bring
// back the type assertions the field exists to spare. It returns nil after
// reporting an error.
func (l *loader) data(ns *Namespace, f *types.Var) *Param {
	t := f.Type()
	switch t.Underlying().(type) {
	case *types.Pointer:
		l.errorf(f.Pos(), "namespace %s has Data of type %s; declare the type itself (Data %s): the generated Data method returns a pointer to each socket's own value",
			ns.GoName, l.typeString(t), l.typeString(t.Underlying().(*types.Pointer).Elem()))
		return nil
	case *types.Interface:
		l.errorf(f.Pos(), "namespace %s has Data of type %s, an interface; declare a concrete type, like a struct, so that handlers read it without type assertions",
			ns.GoName, l.typeString(t))
		return nil
	}
	pos := l.fset.Position(f.Pos())
	n := len(l.errs)
	l.checkNameable(pos, "Data of namespace "+ns.GoName, t)
	if len(l.errs) > n {
		return nil
	}
	return &Param{Name: "data", Type: t, Pos: pos, Kind: l.kind(t)}
}

// namespacePath reads the path from the tag of the embedded marker field mf.
// It returns "" after reporting an error when there is no usable path.
func (l *loader) namespacePath(ns *Namespace, mf *types.Var, tag string) string {
	pos := l.tagPos(mf)
	path, ok := reflect.StructTag(tag).Lookup("sio")
	switch {
	case !tagWellFormed(tag):
		l.errorf(pos, "namespace %s: malformed tag `%s`; write the path as `sio:\"/path\"`", ns.GoName, tag)
		return ""
	case !ok:
		l.errorf(pos, "namespace %s has no path: tag its siogen.Namespace field with the path, like `sio:\"/\"` or `sio:\"/admin\"`", ns.GoName)
		return ""
	case path == "":
		l.errorf(pos, "namespace %s has an empty path in `%s`; use \"/\" for the default namespace", ns.GoName, tag)
		return ""
	case !strings.HasPrefix(path, "/"):
		l.errorf(pos, "namespace %s has the path %q, which does not start with \"/\"; write `sio:\"/%s\"`", ns.GoName, path, path)
		return ""
	}
	return path
}

// tagPos returns the position of the tag of field v, or of the field itself
// when it has no tag.
func (l *loader) tagPos(v *types.Var) token.Pos {
	if af := l.fields[v.Pos()]; af != nil && af.Tag != nil {
		return af.Tag.Pos()
	}
	return l.fieldPos(v)
}

// fieldPos returns where the declaration of field v starts. For an
// embedded field go/types records the position of the type's name
// (Namespace in siogen.Namespace); the start of the line reads better.
func (l *loader) fieldPos(v *types.Var) token.Pos {
	if af := l.fields[v.Pos()]; af != nil && v.Embedded() {
		return af.Pos()
	}
	return v.Pos()
}

// markerKind says whether a type is the siogen.Namespace marker.
type markerKind int

const (
	notMarker markerKind = iota
	markerValue
	markerPointer
)

func markerType(t types.Type) markerKind {
	kind := markerValue
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t, kind = p.Elem(), markerPointer
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return notMarker
	}
	if obj := n.Obj(); obj.Pkg() == nil || obj.Pkg().Path() != siogenPath || obj.Name() != "Namespace" {
		return notMarker
	}
	return kind
}

// events checks the direction field f of a namespace and returns its
// events.
func (l *loader) events(ns *Namespace, dir Direction, f *types.Var) []*Event {
	st := l.directionStruct(ns, dir, f)
	if st == nil {
		return nil
	}
	var evs []*Event
	byWire := make(map[string]*Event)
	for i := range st.NumFields() {
		ev := l.event(dir, st.Field(i), st.Tag(i))
		if ev == nil {
			continue
		}
		if ev.Wire != "" {
			if other, dup := byWire[ev.Wire]; dup {
				l.errorAt(ev.Pos, "two events in %s of namespace %s use the wire name %q (the other is at %s); give each a different name",
					dir, ns.GoName, ev.Wire, short(other.Pos))
			} else {
				byWire[ev.Wire] = ev
			}
		}
		evs = append(evs, ev)
	}
	return evs
}

// directionStruct returns the struct type of the ClientToServer or
// ServerToClient field f, or nil after reporting why it cannot be used.
func (l *loader) directionStruct(ns *Namespace, dir Direction, f *types.Var) *types.Struct {
	t := types.Unalias(f.Type())
	if n, ok := t.(*types.Named); ok {
		// Doc comments and positions of events come from syntax, which is
		// loaded for the schema package only.
		if n.Obj().Pkg() != l.pkg.Types {
			l.errorf(f.Pos(), "%s of namespace %s has type %s, which is declared in another package; declare the event struct in the schema package",
				dir, ns.GoName, l.typeString(f.Type()))
			return nil
		}
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		l.errorf(f.Pos(), "%s of namespace %s has type %s; it must be a struct whose fields are the events, like %s struct { Hello func(msg string) `sio:\"hello\"` }",
			dir, ns.GoName, l.typeString(f.Type()), dir)
		return nil
	}
	return st
}

// reserved are the event names socket.io 2.x uses itself; an event with one
// of these names would never reach user code, or would confuse the peer.
var reserved = map[string]bool{
	"connect":           true,
	"connect_error":     true,
	"disconnect":        true,
	"disconnecting":     true,
	"error":             true,
	"newListener":       true,
	"removeListener":    true,
	"ping":              true,
	"pong":              true,
	"reconnect":         true,
	"reconnect_attempt": true,
	"reconnecting":      true,
	"reconnect_error":   true,
	"reconnect_failed":  true,
}

// event checks one field of a direction struct and returns the event it
// declares, or nil when it is not usable at all. An event whose tag is
// wrong is still returned (with an empty Wire) so that its signature is
// checked too.
func (l *loader) event(dir Direction, f *types.Var, tag string) *Event {
	if f.Embedded() {
		l.errorf(l.fieldPos(f), "%s embeds %s; events must be named func fields, like Hello func(msg string) `sio:\"hello\"`",
			dir, l.typeString(f.Type()))
		return nil
	}
	ev := &Event{
		GoName:    f.Name(),
		Direction: dir,
		Pos:       l.fset.Position(f.Pos()),
	}
	af := l.fields[f.Pos()]
	if af != nil {
		ev.Doc = docText(af.Doc)
		if ev.Doc == "" {
			ev.Doc = docText(af.Comment)
		}
	}
	switch {
	case f.Name() == "_":
		l.errorf(f.Pos(), "an event field cannot be blank (_); name it, since generated method names are made from its name")
	case !f.Exported():
		l.errorf(f.Pos(), "event field %s is unexported; start its name with a capital letter, since generated method names are made from it", f.Name())
	}

	ev.Wire = l.wireName(ev, f, tag)
	l.signature(ev, f)
	return ev
}

// wireName reads the wire name from an event's tag. It returns "" after
// reporting an error when there is no usable name.
func (l *loader) wireName(ev *Event, f *types.Var, tag string) string {
	pos := l.tagPos(f)
	wire, ok := reflect.StructTag(tag).Lookup("sio")
	switch {
	case !tagWellFormed(tag):
		l.errorf(pos, "event %q: malformed tag `%s`; write the wire name as `sio:\"wire name\"`", ev.GoName, tag)
		return ""
	case !ok:
		l.errorf(pos, "event %q has no sio tag; add `sio:\"wire name\"` after its type to name the event on the wire", ev.GoName)
		return ""
	case wire == "":
		l.errorf(pos, "event %q: malformed tag `%s`: the wire name is empty; write the name socket.io sends, like `sio:\"chat message\"`", ev.GoName, tag)
		return ""
	case reserved[wire]:
		l.errorf(pos, "event %q uses the wire name %q, which socket.io reserves for itself; choose another name", ev.GoName, wire)
		return ""
	}
	return wire
}

// signature checks the func type of event field f and fills in ev.Args
// and ev.Ack.
func (l *loader) signature(ev *Event, f *types.Var) {
	sig, ok := f.Type().Underlying().(*types.Signature)
	if !ok {
		l.errorf(f.Pos(), "event %q has type %s; an event must be a func type whose parameters are the payload, like func(msg string)",
			ev.GoName, l.typeString(f.Type()))
		return
	}
	if sig.Results().Len() > 0 {
		l.errorf(f.Pos(), "event %q returns %s; event funcs must have no results (to reply, make the last parameter an ack func, like ack func(ok bool))",
			ev.GoName, l.resultString(sig.Results()))
	}
	if sig.Variadic() {
		l.errorf(f.Pos(), "event %q is variadic; use a slice parameter instead of ...", ev.GoName)
	}

	params := sig.Params()
	var funcs []int
	for i := range params.Len() {
		if isFunc(params.At(i).Type()) {
			funcs = append(funcs, i)
		}
	}
	last := params.Len() - 1
	switch {
	case len(funcs) > 1:
		l.errorf(f.Pos(), "event %q has %s ack funcs; only the last parameter may be a func", ev.GoName, count(len(funcs)))
	case len(funcs) == 1 && funcs[0] != last:
		p := params.At(funcs[0])
		l.errorf(p.Pos(), "event %q: parameter %q is a func but not the last parameter; only the last parameter may be a func (the ack)",
			ev.GoName, paramName(p, funcs[0]))
	}

	ackIndex := -1
	if last >= 0 && isFunc(params.At(last).Type()) {
		ackIndex = last
	}
	names := uniqueNames(params, ackIndex)
	what := fmt.Sprintf("event %q: parameter", ev.GoName)
	for i := range params.Len() {
		p := params.At(i)
		if i == ackIndex {
			ev.Ack = l.ack(ev, p, names[i])
			continue
		}
		if isFunc(p.Type()) {
			continue // reported above
		}
		ev.Args = append(ev.Args, l.param(what, p, names[i]))
	}
}

// ack checks the trailing func parameter p of event ev.
func (l *loader) ack(ev *Event, p *types.Var, name string) *Ack {
	a := &Ack{Name: name, Pos: l.fset.Position(p.Pos())}
	sig := p.Type().Underlying().(*types.Signature)
	if sig.Results().Len() > 0 {
		l.errorf(p.Pos(), "event %q: the ack func returns %s; an ack must have no results, its parameters are the reply",
			ev.GoName, l.resultString(sig.Results()))
	}
	if sig.Variadic() {
		l.errorf(p.Pos(), "event %q: the ack func is variadic; use a slice parameter instead of ...", ev.GoName)
	}
	params := sig.Params()
	names := uniqueNames(params, -1)
	what := fmt.Sprintf("event %q: ack parameter", ev.GoName)
	for i := range params.Len() {
		q := params.At(i)
		if isFunc(q.Type()) {
			l.errorf(q.Pos(), "event %q: ack parameter %q is a func; an ack cannot take funcs, because a reply cannot be acknowledged",
				ev.GoName, names[i])
			continue
		}
		a.Params = append(a.Params, l.param(what, q, names[i]))
	}
	return a
}

// param checks one payload value and classifies it. what says where it is,
// e.g. `event "X": parameter`.
func (l *loader) param(what string, v *types.Var, name string) *Param {
	pos := l.fset.Position(v.Pos())
	what = fmt.Sprintf("%s %q", what, name)
	kind, binary := l.checkPayload(pos, what, name, v.Type())
	l.checkNameable(pos, what, v.Type())
	return &Param{
		Name:      name,
		Type:      v.Type(),
		Pos:       pos,
		Kind:      kind,
		HasBinary: binary,
	}
}

func isFunc(t types.Type) bool {
	_, ok := t.Underlying().(*types.Signature)
	return ok
}

// paramName is the model's name for parameter i: its own, or argN.
func paramName(v *types.Var, i int) string {
	if v.Name() == "" || v.Name() == "_" {
		return "arg" + strconv.Itoa(i)
	}
	return v.Name()
}

// uniqueNames names every parameter of a tuple. Unnamed and blank ones get
// argN, or "ack" for the one at index ack, made unique among the names in
// use: func(arg1 int, _ string) would otherwise yield arg1 twice.
func uniqueNames(params *types.Tuple, ack int) []string {
	taken := make(map[string]bool)
	for i := range params.Len() {
		if n := params.At(i).Name(); n != "" && n != "_" {
			taken[n] = true
		}
	}
	names := make([]string, params.Len())
	for i := range params.Len() {
		v := params.At(i)
		if n := v.Name(); n != "" && n != "_" {
			names[i] = n
			continue
		}
		n := paramName(v, i)
		if i == ack {
			n = "ack"
		}
		for taken[n] {
			n += "_"
		}
		taken[n] = true
		names[i] = n
	}
	return names
}

// count spells small numbers as words, which read better in messages.
func count(n int) string {
	words := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	if n < len(words) {
		return words[n]
	}
	return strconv.Itoa(n)
}

// docText returns a comment group as plain text without a trailing newline.
func docText(g *ast.CommentGroup) string {
	return strings.TrimRight(g.Text(), "\n")
}

// tagWellFormed reports whether tag follows the struct tag convention that
// reflect.StructTag understands: space-separated key:"value" pairs with
// Go-quoted values. reflect.StructTag.Lookup skips what it cannot parse
// silently, which would turn a typo into a confusing "no sio tag".
func tagWellFormed(tag string) bool {
	for {
		tag = strings.TrimLeft(tag, " ")
		if tag == "" {
			return true
		}
		i := 0
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
			i++
		}
		if i == 0 || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
			return false
		}
		tag = tag[i+1:]
		i = 1
		for i < len(tag) && tag[i] != '"' {
			if tag[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tag) {
			return false
		}
		if _, err := strconv.Unquote(tag[:i+1]); err != nil {
			return false
		}
		tag = tag[i+1:]
		if tag != "" && tag[0] != ' ' {
			return false // pairs must be separated by a space
		}
	}
}
