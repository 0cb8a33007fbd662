// Package shapes holds payload types declared outside the schema package.
package shapes

// Point is a plain struct from another package.
type Point struct {
	X, Y float64
}

// Cell is a map key that encodes itself as text.
type Cell struct{ Row, Col int }

// MarshalText implements encoding.TextMarshaler.
func (c Cell) MarshalText() ([]byte, error) { return []byte("cell"), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Cell) UnmarshalText([]byte) error { return nil }
