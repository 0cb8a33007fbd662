// Package fixedclash declares events whose methods would be ones every
// generated socket or client has.
package fixedclash

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Disconnect func() `sio:"leave"` // Socket.OnDisconnect
		Any        func() `sio:"any"`   // Socket.OnAny
	}
	ServerToClient struct {
		Connect func()           `sio:"hello"` // Client.OnConnect
		Error   func(msg string) `sio:"oops"`  // Client.OnError
	}
}
