package ack_results

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ServerToClient struct {
		Ask  func(q string, ack func(answer string) error) `sio:"ask"`
		Many func(ack func(values ...int))                 `sio:"many"`
	}
}
