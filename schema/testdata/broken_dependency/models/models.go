// Package models does not compile.
package models

// Message refers to a type that does not exist.
type Message struct {
	Text   string
	Author Person
}
