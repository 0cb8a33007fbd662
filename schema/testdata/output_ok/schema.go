// Package output_ok is generated into another package (output.txt) and uses
// only types that package can name.
package output_ok

import (
	"time"

	"github.com/siogen/siogen"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Send func(m Message, p Public, a Alias, at time.Time, ack func(s []State)) `sio:"send"`
	}
}

type Message struct{ Text string }

type State int

// Public is exported, so its unexported insides do not matter.
type Public struct {
	m message
	M message
}

type message struct{ Text string }

// Alias is exported, so the generated code can use it for message.
type Alias = message
