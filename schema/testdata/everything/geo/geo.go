// Package geo holds payload types declared outside the schema package.
package geo

import "fmt"

// Point is a plain struct from another package.
type Point struct {
	Lat, Lng float64
}

// Cell is a map key that encodes itself as text.
type Cell struct{ X, Y int }

// MarshalText implements encoding.TextMarshaler.
func (c Cell) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "%d,%d", c.X, c.Y), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Cell) UnmarshalText(b []byte) error {
	_, err := fmt.Sscanf(string(b), "%d,%d", &c.X, &c.Y)
	return err
}

// Tile carries binary data from another package.
type Tile struct {
	Cell  Cell
	Image []byte
}
