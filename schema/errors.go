package schema

import (
	"cmp"
	"go/token"
	"slices"
	"strings"
)

// Error is one mistake in a schema, at the position where it was made.
type Error struct {
	// Pos is where the mistake is. It is invalid only for problems that
	// belong to no file, such as a pattern that matches no Go files.
	Pos token.Position
	// Msg says what is wrong and how to fix it.
	Msg string
}

// Error returns "file:line:col: message", or the message alone when the
// error has no position.
func (e *Error) Error() string {
	if e.Pos.Filename == "" && !e.Pos.IsValid() {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// ErrorList is every mistake found in a schema. [Load] returns it sorted by
// position, without duplicates.
type ErrorList []*Error

// Error returns one line per error, each formatted like [Error.Error].
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the errors of the list, so that errors.As can find an
// *Error in it.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Sort sorts the list by file, line and column, then by message, and drops
// exact duplicates. Duplicates arise when one event struct serves several
// namespaces and so is checked once for each.
func (l *ErrorList) Sort() {
	slices.SortFunc(*l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	*l = slices.CompactFunc(*l, func(a, b *Error) bool {
		return a.Pos == b.Pos && a.Msg == b.Msg
	})
}
