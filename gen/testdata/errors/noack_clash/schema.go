// Package noackclash declares an acked event Send, whose EmitSendNoAck
// method another event's EmitX would also be.
package noackclash

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ServerToClient struct {
		Send      func(text string, ack func(ok bool)) `sio:"send"`
		SendNoAck func(text string)                    `sio:"send quietly"`
	}
	ClientToServer struct {
		Post      func(text string, ack func(ok bool)) `sio:"post"`
		PostNoAck func(text string)                    `sio:"post quietly"`
	}
}
