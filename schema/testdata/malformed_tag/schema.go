package malformed_tag

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		NoQuotes  func(msg string) `sio:chat`
		Space     func(msg string) `sio: "chat"`
		Unclosed  func(msg string) `sio:"chat`
		NoSpace   func(msg string) `sio:"chat"json:"x"`
		SingleQ   func(msg string) `sio:'chat'`
		EmptyName func(msg string) `sio:""`
	}
}
