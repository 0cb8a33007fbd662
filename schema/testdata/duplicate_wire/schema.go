package duplicate_wire

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		ChatMessage func(msg string) `sio:"chat message"`
		Say         func(msg string) `sio:"chat message"`
		Shout       func(msg string) `sio:"chat message"`
	}
	// The same wire name in the other direction is a different event: fine.
	ServerToClient struct {
		ChatMessage func(msg string) `sio:"chat message"`
	}
}

// Admin may reuse Chat's wire names: namespaces are separate.
type Admin struct {
	siogen.Namespace `sio:"/admin"`

	ClientToServer struct {
		ChatMessage func(msg string) `sio:"chat message"`
	}
}
