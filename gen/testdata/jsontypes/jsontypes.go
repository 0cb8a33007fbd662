// Package jsontypes is a schema whose payloads use every kind of Go type a
// schema allows; the golden TypeScript and AsyncAPI outputs show the JSON
// form of each, as encoding/json writes it.
package jsontypes

import (
	"encoding/json"
	"net/netip"
	"time"

	"github.com/siogen/siogen"
	"github.com/siogen/siogen/gen/testdata/jsontypes/shapes"
)

// Kinds is the namespace whose events carry every kind of value.
type Kinds struct {
	siogen.Namespace `sio:"/kinds"`

	ClientToServer struct {
		// Basics sends every basic type.
		Basics func(b bool, s string, i int, i8 int8, i16 int16, i32 int32, i64 int64,
			u uint, u8 uint8, u16 uint16, u32 uint32, u64 uint64, up uintptr,
			f32 float32, f64 float64, r rune, by byte) `sio:"basics"`
		// Containers sends pointers, slices, arrays and maps.
		Containers func(p *int, pp **string, sl []string, arr [3]int, bytes [4]byte, nested [][]*int,
			byName map[string]int, byInt map[int64]bool, byText map[shapes.Cell]string, deep map[string]map[uint8][]float64) `sio:"containers"`
		// Binary sends byte slices, which travel as attachments.
		Binary func(raw []byte, blob Blob, list [][]byte, file File, ack func(sizes []int)) `sio:"binary"`
		// Special sends the types with a JSON form of their own.
		Special func(at time.Time, maybe *time.Time, d time.Duration, raw json.RawMessage, v any, e interface{},
			self SelfJSON, selfPtr *PtrJSON, text Level, addr netip.Addr, ver Version, pair *Pair, ptrText PtrText) `sio:"special"`
		// Structs sends structs: tags, embedding and anonymous ones.
		Structs func(t Tagged, e Embedder, c Conflicts, anon struct {
			Name string `json:"name"`
			Age  int    `json:"age,omitempty"`
		}, empty struct{}) `sio:"structs"`
		// Named sends named types: aliases, generics, recursion, and types
		// from another package.
		Named func(id ID, alias Alias, box Box[shapes.Point], boxes Box[[]Level], tree *Tree, p shapes.Point) `sio:"named"`
		// Keywords has parameters whose names TypeScript reserves.
		Keywords func(new string, class int, ack func(this bool)) `sio:"keywords"`
	}
	ServerToClient struct {
		// Everything echoes one value of each kind, and asks for an ack of
		// several values.
		Everything func(t Tagged, ack func(ok bool, at time.Time, missing []string)) `sio:"everything"`
		// Nothing has no arguments and a bare ack.
		Nothing func(ack func()) `sio:"nothing"`
	}
}

// Blob is a named byte slice: binary too.
type Blob []byte

// File holds binary data inside a struct.
type File struct {
	Name string `json:"name"`
	Data []byte `json:"data,omitempty"`
}

// ID is a named basic type.
type ID int64

// Alias is an alias: it is written as the type it stands for.
type Alias = string

// Level encodes itself as text, so it is a JSON string.
type Level int

// MarshalText implements encoding.TextMarshaler.
func (l Level) MarshalText() ([]byte, error) { return []byte("info"), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Level) UnmarshalText([]byte) error { return nil }

// SelfJSON writes its own JSON, which the schema cannot see: unknown.
type SelfJSON struct {
	secret string
}

// MarshalJSON implements json.Marshaler.
func (s SelfJSON) MarshalJSON() ([]byte, error) { return []byte(`{}`), nil }

// UnmarshalJSON implements json.Unmarshaler.
func (s *SelfJSON) UnmarshalJSON([]byte) error { return nil }

// PtrJSON writes its own JSON through a pointer method.
type PtrJSON struct {
	N int
}

// MarshalJSON implements json.Marshaler.
func (p *PtrJSON) MarshalJSON() ([]byte, error) { return []byte(`1`), nil }

// UnmarshalJSON implements json.Unmarshaler.
func (p *PtrJSON) UnmarshalJSON([]byte) error { return nil }

// Tagged shows the json tag options.
type Tagged struct {
	// Renamed has a name of its own on the wire.
	Renamed string `json:"renamed"`
	Plain   int
	Hidden  string `json:"-"`
	Dash    string `json:"-,"`
	// Bad has a tag name encoding/json refuses, so its Go name is used.
	Bad      string `json:"bad\\name"`
	Quoted   int64  `json:"quoted,string"`
	QuotedP  *bool  `json:"quotedP,string"`
	Dashed   string `json:"content-type"`
	OptStr   string `json:"optStr,omitempty"`
	OptPtr   *int   `json:"optPtr,omitempty"`
	OptSlice []int  `json:"optSlice,omitempty"`
	// OptStruct is never left out: omitempty does not apply to structs.
	OptStruct  File              `json:"optStruct,omitempty"`
	ZeroStr    string            `json:"zeroStr,omitzero"`
	ZeroMap    map[string]string `json:"zeroMap,omitzero"`
	ZeroTime   time.Time         `json:"zeroTime,omitzero"`
	Nullable   []string          `json:"nullable"`
	unexported int
}

// Embedder flattens embedded structs as encoding/json does.
type Embedder struct {
	Base
	*Extra
	inner
	// Named is embedded under a tag, so it stays an object.
	Named Base `json:"named"`
	Own   string
	// Shadow hides Base's Shadow, which is deeper.
	Shadow bool
}

// Base is embedded in Embedder.
type Base struct {
	ID     ID `json:"id"`
	Shadow string
}

// Extra is embedded through a pointer.
type Extra struct {
	Note string `json:"note,omitempty"`
}

type inner struct {
	Inner int `json:"inner"`
}

// Conflicts embeds two structs with a field of the same name at the same
// depth: encoding/json writes neither, unless one is tagged.
type Conflicts struct {
	Left
	Right
}

// Left is embedded in Conflicts.
type Left struct {
	Same  string
	Label string `json:"label"`
}

// Right is embedded in Conflicts.
type Right struct {
	Same  int
	Label int
}

// Box is generic; each instance is a type of its own.
type Box[T any] struct {
	Item  T   `json:"item"`
	Items []T `json:"items"`
}

// Tree is recursive.
type Tree struct {
	Value    int     `json:"value"`
	Children []*Tree `json:"children,omitempty"`
}

// Version writes itself as "major.minor"; the directive below tells siogen
// so, where it would otherwise say unknown.
//
//siogen:json string
type Version struct {
	Major, Minor int
}

// MarshalJSON implements json.Marshaler.
func (v Version) MarshalJSON() ([]byte, error) { return []byte(`"1.2"`), nil }

// Pair writes itself as a JSON array of two numbers.
//
//siogen:json [2]float64
type Pair struct {
	A, B float64
}

// MarshalJSON implements json.Marshaler.
func (p *Pair) MarshalJSON() ([]byte, error) { return []byte(`[1,2]`), nil }

// PtrText has MarshalText on its pointer only: encoding/json writes a
// PtrText that is not addressable as the number it is.
type PtrText int

// MarshalText implements encoding.TextMarshaler.
func (p *PtrText) MarshalText() ([]byte, error) { return []byte("text"), nil }
