package event_not_func

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Hello   string          `sio:"hello"`
		Counter chan int        `sio:"counter"`
		Fine    func(n int)     `sio:"fine"`
		Holder  struct{ N int } `sio:"holder"`
	}
}
