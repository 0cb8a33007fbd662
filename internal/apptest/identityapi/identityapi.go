// Package identityapi is the schema of the end-to-end test of who a socket
// is and what it keeps: the handshake request's context, typed per-socket
// Data set by middleware, and handlers that take the socket's context.
package identityapi

//go:generate go tool siogen

import "github.com/siogen/siogen"

// Identity is the default namespace.
type Identity struct {
	siogen.Namespace `sio:"/"`

	Data Session

	ClientToServer struct {
		// WhoAmI answers with the user middleware stored in the socket's
		// Data and the trace HTTP middleware put in the handshake request's
		// context.
		WhoAmI func(ack func(user string, trace string)) `sio:"whoami"`
		// Hold starts work named job that lasts until the socket's context
		// ends; the ack counts the socket's holds so far.
		Hold func(job string, ack func(holds int)) `sio:"hold"`
	}
}

// Session is what the server knows of one socket.
type Session struct {
	User  string
	Holds int
}
