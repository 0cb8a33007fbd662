package event_variadic

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ServerToClient struct {
		Lines func(lines ...string) `sio:"lines"`
	}
}
