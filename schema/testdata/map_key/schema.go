package map_key

import (
	"net/netip"

	"github.com/siogen/siogen"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Bools  func(m map[bool]string)                                         `sio:"bools"`
		Floats func(m map[float64]int)                                         `sio:"floats"`
		Points func(m map[Point]int)                                           `sio:"points"`
		Deep   func(r Registry)                                                `sio:"deep"`
		Fine   func(a map[netip.Addr]int, b map[uint8]string, c map[Name]bool) `sio:"fine"`
	}
}

type Point struct{ X, Y int }

type Name string

type Registry struct {
	ByPos *map[[2]int]string
}
