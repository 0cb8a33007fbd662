// Package unexported_output is generated into another package (output.txt),
// which cannot name the unexported types used here.
package unexported_output

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Send  func(m message)                        `sio:"send"`
		Batch func(ms []*message, ack func(s state)) `sio:"batch"`
		Anon  func(p struct{ name string })          `sio:"anon"`
		Box   func(b Box[message])                   `sio:"box"`
	}
}

type message struct{ Text string }

type state int

type Box[T any] struct{ Item T }
