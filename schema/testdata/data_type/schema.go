// Package data_type declares per-socket Data of types the generated code
// cannot hand out as a pointer to each socket's own value, or cannot name
// from the output package (output.txt).
package data_type

import (
	"fmt"

	"github.com/siogen/siogen"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	Data *Session
}

type Admin struct {
	siogen.Namespace `sio:"/admin"`

	Data fmt.Stringer
}

type Ops struct {
	siogen.Namespace `sio:"/ops"`

	Data any
}

type Staff struct {
	siogen.Namespace `sio:"/staff"`

	Data session
}

// Fine: an exported struct, even with unexported fields and a channel,
// since Data never travels.
type Lobby struct {
	siogen.Namespace `sio:"/lobby"`

	Data Session
}

type Session struct {
	User  string
	quit  chan struct{}
	count int
}

type session struct{ user string }
