// Package hello is a small siogen schema, and the code generated from it,
// whose documentation shows the generated API at work: a server with typed
// handlers, a typed client waiting for an ack, rooms and middleware.
package hello

//go:generate go tool siogen

import "github.com/siogen/siogen"

// Greeter is the default namespace.
type Greeter struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		// Greet asks for a greeting of name; the ack carries it.
		Greet func(name string, ack func(greeting string)) `sio:"greet"`
		// Enter puts the client in room; the ack says it is in.
		Enter func(room string, ack func()) `sio:"enter"`
	}

	ServerToClient struct {
		// Greeted tells a room who was greeted.
		Greeted func(name string) `sio:"greeted"`
	}
}
