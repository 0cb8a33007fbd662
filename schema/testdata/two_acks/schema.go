package two_acks

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		SetName func(name string, ack func(ok bool), ack2 func(err string)) `sio:"set name"`
		Three   func(a, b, c func())                                        `sio:"three"`
	}
}
