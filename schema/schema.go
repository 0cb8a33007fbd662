// Package schema loads a siogen schema package, checks it, and returns the
// model the code generator works from. It generates no code.
//
// A schema is ordinary Go: each struct type that embeds siogen.Namespace,
// tagged `sio:"/path"`, is a namespace; the func-typed fields of its
// ClientToServer and ServerToClient structs are its events, each tagged with
// its wire name. docs/schema.md describes the form and every rule.
//
// [Load] type-checks the package with golang.org/x/tools/go/packages under
// the build tag [BuildTag] and either returns a [*Package] or an [ErrorList]
// that names every mistake at file:line:col. The model keeps source order
// everywhere, so that generated output is stable.
package schema

import (
	"go/token"
	"go/types"
)

// Package is a loaded, valid schema package.
type Package struct {
	// Name is the package name, as in its package clause.
	Name string
	// PkgPath is the package's import path.
	PkgPath string
	// Dir is the absolute path of the package's directory.
	Dir string
	// Files are the absolute paths of the Go files that make up the schema
	// (those built with the tag siogen, so generated files are not among
	// them), in the order the go command lists them.
	Files []string
	// Namespaces are the package's namespaces in source order. There is at
	// least one.
	Namespaces []*Namespace
	// Types is the type-checked package; the Type of every Param refers
	// to it or to the packages it imports.
	Types *types.Package
	// Fset holds the positions of Types and of the packages it imports,
	// for generators that read declarations' source (doc comments).
	Fset *token.FileSet
}

// Namespace is one struct of the schema that embeds siogen.Namespace.
type Namespace struct {
	// GoName is the name of the struct type, e.g. "Chat".
	GoName string
	// Path is the namespace's path from the tag of the embedded
	// siogen.Namespace, e.g. "/" or "/admin". It always starts with "/".
	Path string
	// Doc is the struct's doc comment as plain text, without comment markers
	// and without a trailing newline; empty when there is none.
	Doc string
	// Pos is the position of the struct type's name.
	Pos token.Position
	// ClientToServer are the events the client emits and the server
	// handles, in declaration order.
	ClientToServer []*Event
	// ServerToClient are the events the server emits and the client
	// handles, in declaration order.
	ServerToClient []*Event
	// Auth is the type of the namespace's CONNECT payload, the auth object
	// socket.io 3.x/4.x clients send, declared by a field Auth T of the
	// namespace struct; its Name is "auth". Nil when the namespace declares
	// none.
	Auth *Param
	// Data is the type of the state each socket of the namespace carries on
	// the server (set by middleware, read by handlers), declared by a field
	// Data T of the namespace struct; its Name is "data". T is neither a
	// pointer nor an interface. It never travels, so HasBinary is false.
	// Nil when the namespace declares none.
	Data *Param
}

// Direction says which side emits an event.
type Direction int

// The two directions. Their names match the fields of a namespace struct.
const (
	// ClientToServer events are emitted by the client and handled by the
	// server.
	ClientToServer Direction = iota + 1
	// ServerToClient events are emitted by the server and handled by the
	// client.
	ServerToClient
)

// String returns the name of the namespace field that declares events of
// direction d: "ClientToServer" or "ServerToClient".
func (d Direction) String() string {
	switch d {
	case ClientToServer:
		return "ClientToServer"
	case ServerToClient:
		return "ServerToClient"
	}
	return "Direction(invalid)"
}

// Event is one func-typed field of a ClientToServer or ServerToClient struct.
type Event struct {
	// GoName is the name of the field, e.g. "ChatMessage". It is exported.
	GoName string
	// Wire is the event name sent on the wire, from the field's sio tag,
	// e.g. "chat message". It is never empty and never a name socket.io
	// reserves. The same Wire may be used by one event of each direction.
	Wire string
	// Direction says which side emits the event.
	Direction Direction
	// Doc is the field's doc comment as plain text (or, when it has none,
	// the comment at the end of its line), without comment markers and
	// without a trailing newline.
	Doc string
	// Pos is the position of the field's name.
	Pos token.Position
	// Args are the payload: the func's parameters except a trailing ack.
	// There may be none.
	Args []*Param
	// Ack describes the acknowledgement the receiver sends back, or is nil
	// when the event takes none.
	Ack *Ack
}

// Ack is the trailing func parameter of an event. The receiver of the event
// calls it once; its parameters are the values sent back to the emitter.
type Ack struct {
	// Name is the name of the ack parameter in the event's func type, or
	// "ack" when it is unnamed or blank (with underscores appended while an
	// argument of the event already has that name).
	Name string
	// Params are the reply values. There may be none: an ack can be a bare
	// "done" signal.
	Params []*Param
	// Pos is the position of the ack parameter.
	Pos token.Position
}

// Param is one payload value: an argument of an event or a reply value of an
// ack.
type Param struct {
	// Name is the parameter's name, or argN (N its 0-based index) when it
	// is unnamed or blank. Names are unique within one func: a generated
	// name that is taken gets underscores appended.
	Name string
	// Type is the parameter's type as written, aliases included (use
	// types.Unalias to look through them). Types of other packages keep
	// their package, so the generator can qualify them.
	Type types.Type
	// Pos is the position of the parameter's name, or of its type when it
	// is unnamed.
	Pos token.Position
	// Kind classifies Type for decoding without reflection.
	Kind Kind
	// HasBinary reports whether a value of Type may hold binary data,
	// which socket.io sends as attachments rather than inside the JSON:
	// it contains a byte slice at some depth (through pointers, slices,
	// arrays, map values and the struct fields JSON encodes) or an
	// interface (any), whose dynamic value may be anything. A type with a
	// value-receiver MarshalJSON or MarshalText writes its own JSON and
	// holds none. This is the runtime encoder's view
	// (runtime/socketio/codec), so false means the value can be encoded
	// as plain JSON.
	HasBinary bool
}

// Kind is the broad class of a Param's type, enough for generated code to
// decode common values directly. It looks through named types and aliases:
// type UserID string is a String. Types that encode themselves (they have a
// MarshalJSON, UnmarshalJSON, MarshalText or UnmarshalText method) are
// always Other, because their JSON form is theirs to choose.
type Kind int

// The kinds of parameter types.
const (
	// Other is every type not covered below: structs, pointers, slices
	// other than []byte, arrays, maps, interfaces and self-encoding types.
	Other Kind = iota
	// Bool is a boolean type.
	Bool
	// String is a string type.
	String
	// Int is a signed integer type (int, int8 ... int64).
	Int
	// Uint is an unsigned integer type (uint, uint8 ... uint64, uintptr).
	Uint
	// Float is a floating-point type (float32, float64).
	Float
	// Bytes is a slice of bytes, such as []byte. Socket.IO sends it as a
	// binary attachment, not as base64 in the JSON.
	Bytes
)

var kindNames = [...]string{
	Other:  "Other",
	Bool:   "Bool",
	String: "String",
	Int:    "Int",
	Uint:   "Uint",
	Float:  "Float",
	Bytes:  "Bytes",
}

// String returns the name of the kind, e.g. "Bytes".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(invalid)"
}
