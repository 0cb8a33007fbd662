// Package contextclash declares an event Send, whose OnSendContext method
// another event's OnX would also be.
package contextclash

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Send        func(text string) `sio:"send"`
		SendContext func(text string) `sio:"send with context"`
	}
}
