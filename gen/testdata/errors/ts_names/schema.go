package ts_names

import (
	"github.com/siogen/siogen"
	"github.com/siogen/siogen/gen/testdata/errors/ts_names/other"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Move   func(from Point, to other.Point) `sio:"move"`
		Clash  func(e ChatNamespace)            `sio:"clash"`
		Record func(r Record, s string_)        `sio:"record"`
	}
}

type Point struct{ X, Y int }

type ChatNamespace struct{ Path string }

type Record map[string]string

type string_ = number

type number int
