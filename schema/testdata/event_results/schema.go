package event_results

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Ask   func(q string) string        `sio:"ask"`
		Check func(q string) (bool, error) `sio:"check"`
	}
}
