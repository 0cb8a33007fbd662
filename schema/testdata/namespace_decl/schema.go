// Package namespace_decl has namespace structs declared the wrong way.
package namespace_decl

import "github.com/siogen/siogen"

type Generic[T any] struct {
	siogen.Namespace `sio:"/generic"`
}

type lower struct {
	siogen.Namespace `sio:"/lower"`
}

type Pointer struct {
	*siogen.Namespace `sio:"/pointer"`
}
