// Package typecheck does not compile: type errors are reported with their
// positions, before any schema rule is checked.
package typecheck

import "github.com/siogen/siogen"

type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Hello func(m Missing) `sio:"hello"`
		Bye   func(n int)     `sio:"bye"`
	}
}

var count int = "many"
