package reserved_wire

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Connect    func()              `sio:"connect"`
		Disconnect func(reason string) `sio:"disconnect"`
		Error      func(msg string)    `sio:"error"`
		Ping       func()              `sio:"ping"`
		Fine       func()              `sio:"Connect"`
	}
	ServerToClient struct {
		Listener  func() `sio:"newListener"`
		Reconnect func() `sio:"reconnect_attempt"`
	}
}
