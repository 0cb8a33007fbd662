package bad_payload

import (
	"unsafe"

	"github.com/siogen/siogen"
)

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Chan    func(c chan int)                          `sio:"chan"`
		Complex func(z complex128, ack func(w complex64)) `sio:"complex"`
		Unsafe  func(p unsafe.Pointer)                    `sio:"unsafe"`
		Nested  func(j Job)                               `sio:"nested"`
		Deep    func(jobs map[string][]*Job)              `sio:"deep"`
		Tree    func(t Tree)                              `sio:"tree"`
		Fine    func(h Hidden)                            `sio:"fine"`
	}
}

// Job has a field JSON cannot encode, and one inside an embedded struct.
type Job struct {
	ID    string
	Done  chan bool
	Steps []Step
	Meta
}

type Step struct {
	Run func() error
}

type Meta struct {
	Weight complex64
}

// Tree is recursive; the walk must end.
type Tree struct {
	Kids []Tree
	Next *Tree
	Ch   *chan Tree
}

// Hidden keeps its bad fields away from JSON.
type Hidden struct {
	Done   chan bool `json:"-"`
	cancel func()
	Name   string
}
