package interface_payload

import (
	"fmt"
	"io"

	"github.com/siogen/siogen"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Fail   func(err error)                       `sio:"fail"`
		Show   func(s fmt.Stringer)                  `sio:"show"`
		Nested func(r Report, ack func(w io.Writer)) `sio:"nested"`
		Fine   func(v any, m map[string]interface{}) `sio:"fine"`
	}
}

type Report struct {
	Cause error
	Items []Item
}

type Item interface {
	Name() string
}
