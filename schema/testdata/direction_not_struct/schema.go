package direction_not_struct

import (
	"github.com/siogen/siogen"
	"github.com/siogen/siogen/schema/testdata/direction_not_struct/events"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer func(msg string)
	ServerToClient *ServerEvents
}

type ServerEvents struct {
	Hello func(msg string) `sio:"hello"`
}

type Admin struct {
	siogen.Namespace `sio:"/admin"`

	ClientToServer events.Admin
}
