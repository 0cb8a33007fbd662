// Package identity is the golden schema of per-socket state (Data) and of
// handlers that take the socket's context.
package identity

import (
	"time"

	"github.com/siogen/siogen"
)

// Chat keeps who each socket is.
type Chat struct {
	siogen.Namespace `sio:"/"`

	Data Session

	ClientToServer struct {
		// Say sends a line to everyone else.
		Say func(text string) `sio:"say"`
		// WhoAmI answers with the socket's user.
		WhoAmI func(ack func(user string)) `sio:"whoami"`
		// Shadow's arguments take the names the generated code uses.
		Shadow func(ctx string, s int, fn bool, ack func(ok bool)) `sio:"shadow"`
		Knock  func()                                              `sio:"knock"`
	}
	ServerToClient struct {
		Said func(user string, text string) `sio:"said"`
	}
}

// Admin has a CONNECT payload and state written in place.
type Admin struct {
	siogen.Namespace `sio:"/admin"`

	Auth Credentials
	Data struct {
		Role  string
		Since time.Time
	}

	ClientToServer struct {
		Kick func(user string, ack func(kicked bool)) `sio:"kick"`
	}
}

// Plain declares no Data: its socket has no Data method.
type Plain struct {
	siogen.Namespace `sio:"/plain"`

	ClientToServer struct {
		Ping func() `sio:"knock"`
	}
}

// Credentials is Admin's CONNECT payload.
type Credentials struct {
	Token string `json:"token"`
}

// Session is what middleware learned about a socket of Chat.
type Session struct {
	User   string
	Joined time.Time
}
