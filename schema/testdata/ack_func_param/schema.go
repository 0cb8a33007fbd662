package ack_func_param

import "github.com/siogen/siogen"

// Callback is a named func type; it is a func all the same.
type Callback func()

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Ask  func(q string, ack func(answer string, again func(ok bool))) `sio:"ask"`
		Ping func(ack func(Callback))                                     `sio:"my ping"`
	}
}
