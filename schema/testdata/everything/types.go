package everything

import (
	"encoding/json"
	"time"

	"github.com/siogen/siogen/schema/testdata/everything/geo"
)

// File travels as a binary attachment: it holds a []byte.
type File struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// Line has no binary data: its []byte fields are hidden from JSON.
type Line struct {
	Text    string
	At      time.Time
	Meta    json.RawMessage // encodes itself, so not an attachment
	Skipped []byte          `json:"-"`
	secret  []byte
	Sum     [4]byte // an array of bytes is a JSON array, not binary
	Flags   Flags
}

// Flags is a named basic type.
type Flags uint16

// Node is recursive; it holds binary data below the top.
type Node struct {
	Children []*Node
	Leaf     *Leaf
}

// Leaf has a nested []byte.
type Leaf struct {
	Blob Blob
}

// Blob is a named byte slice.
type Blob []byte

// UserID is a named string.
type UserID = string

// Box is generic.
type Box[T any] struct {
	Item T
	embedded
}

type embedded struct {
	Tiles []geo.Tile
}

// Status is an enum that encodes itself as text, so its Kind is Other.
type Status int

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return []byte("ok"), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText([]byte) error { return nil }

// Signed encodes itself through pointer methods, so its insides are not
// checked (Done would be an error otherwise). The runtime's encoder still
// walks into values it cannot address, so HasBinary is true.
type Signed struct {
	Sig  []byte
	Done chan bool
}

// MarshalJSON implements json.Marshaler.
func (s *Signed) MarshalJSON() ([]byte, error) { return []byte(`"signed"`), nil }

// UnmarshalJSON implements json.Unmarshaler.
func (s *Signed) UnmarshalJSON([]byte) error { return nil }

// Opaque encodes itself by value, so its []byte never becomes an attachment.
type Opaque struct {
	Data []byte
}

// MarshalJSON implements json.Marshaler.
func (o Opaque) MarshalJSON() ([]byte, error) { return []byte(`"opaque"`), nil }

// UnmarshalJSON implements json.Unmarshaler.
func (o *Opaque) UnmarshalJSON([]byte) error { return nil }
