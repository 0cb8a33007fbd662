package socketio

import (
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// Args are the arguments of an incoming event or ack, still encoded: the
// JSON of each, and the binary attachments their placeholders point to.
// Decode them into Go values with Decode.
type Args struct {
	Raw         [][]byte
	Attachments [][]byte
}

// Len returns the number of arguments.
func (a *Args) Len() int { return len(a.Raw) }

// Decode decodes argument i into dst, a non-nil pointer. A []byte anywhere in
// dst receives the binary attachment sent for it, and an `any` receives a
// []byte where the peer sent binary. A missing argument (the peer sent fewer)
// leaves dst unchanged, as JavaScript's undefined.
func (a *Args) Decode(i int, dst any) error {
	if i >= len(a.Raw) {
		return nil
	}
	return codec.Unmarshal(a.Raw[i], a.Attachments, dst)
}
