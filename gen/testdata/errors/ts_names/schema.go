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
		Direct func(a Plain, b Bad, c Self)     `sio:"direct"`
	}
}

type Point struct{ X, Y int }

type ChatNamespace struct{ Path string }

type Record map[string]string

type string_ = number

type number int

//siogen:json string
type Plain struct{ A int }

//siogen:json nope
type Bad struct{ A int }

func (Bad) MarshalJSON() ([]byte, error) { return nil, nil }

//siogen:json Self
type Self struct{ A int }

func (Self) MarshalJSON() ([]byte, error) { return nil, nil }
