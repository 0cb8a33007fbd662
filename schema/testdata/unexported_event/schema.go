package unexported_event

import "github.com/siogen/siogen"

type Events struct {
	Hello func() `sio:"hello"`
}

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		chatMessage func(msg string) `sio:"chat message"`
		_           func()           `sio:"blank"`
		Events
	}
}
