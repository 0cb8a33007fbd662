// Package api is the schema of a small app, as an application repository
// would write it.
package api

//go:generate go tool siogen

import "github.com/siogen/siogen"

// Greeter is the default namespace.
type Greeter struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		// Greet asks for a greeting of name.
		Greet func(name string, ack func(greeting string)) `sio:"greet"`
	}

	ServerToClient struct {
		// Greeted tells everyone who was greeted.
		Greeted func(name string) `sio:"greeted"`
	}
}
