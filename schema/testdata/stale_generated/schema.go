// Package stale_generated has a generated file that no longer compiles; the
// loader never sees it, because generated files are built with !siogen.
package stale_generated

import "github.com/siogen/siogen"

// Chat is the default namespace.
type Chat struct {
	siogen.Namespace `sio:"/"`

	ClientToServer struct {
		Hello func(msg string) `sio:"hello"`
	}
}
