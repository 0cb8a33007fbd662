// Package other declares a type whose name the schema uses too.
package other

// Point has the name of the schema's Point.
type Point struct{ Lat, Lng float64 }
