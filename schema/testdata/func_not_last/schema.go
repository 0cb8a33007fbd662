package func_not_last

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		SetName func(ack func(ok bool), name string) `sio:"set name"`
	}
}
