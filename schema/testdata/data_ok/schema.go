// Package data_ok declares per-socket Data of several kinds, beside an
// Auth payload.
package data_ok

import (
	"time"

	"github.com/siogen/siogen"
)

// Chat keeps who each socket is.
type Chat struct {
	siogen.Namespace `sio:"/"`

	Auth Credentials
	Data Session

	ClientToServer struct {
		Hello func(msg string) `sio:"hello"`
	}
}

// Counter counts, in a struct written in place.
type Counter struct {
	siogen.Namespace `sio:"/counter"`

	Data struct {
		N     int
		Since time.Time
		Seen  map[string]bool
	}
}

// Tally keeps a basic type.
type Tally struct {
	siogen.Namespace `sio:"/tally"`

	Data int
}

type Credentials struct {
	Token string `json:"token"`
}

// Session is what middleware learned about a socket.
type Session struct {
	User string
	done chan struct{}
}
