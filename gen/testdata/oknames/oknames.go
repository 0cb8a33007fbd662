// Package oknames declares events whose names resemble the fixed methods
// without being one on the type that gets them, and parameters named like
// the generated code's locals: all of it must generate and compile.
package oknames

import (
	"time"

	"github.com/siogen/siogen"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Connection func(s string, time time.Time, ack func(ctx string, err string)) `sio:"connection"` // Socket.OnConnection: the server's OnConnection is elsewhere
		WithAck    func(e int, fn string, reply bool)                               `sio:"with ack"`
	}
	ServerToClient struct {
		Rooms func(b []string, c int) `sio:"rooms"` // Client.OnRooms, Socket.EmitRooms
	}
}
