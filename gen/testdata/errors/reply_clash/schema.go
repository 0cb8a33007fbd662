// Package replyclash declares a type named as the reply type generated for
// the broadcast acks of the acked event Send.
package replyclash

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ServerToClient struct {
		Send func(text string, ack func(ok bool)) `sio:"send"`
	}
}

// ChatSendReply is taken.
type ChatSendReply struct{}
