package namespace_field

import (
	"sync"

	"github.com/siogen/siogen"
)

type Chat struct {
	siogen.Namespace `sio:"/"`
	sync.Mutex

	ClientToServer struct {
		Hello func(msg string) `sio:"hello"`
	}
	Rooms     []string
	Broadcast struct{}
}
