//go:build !linux

package engineio

import "net"

// waitReadable returns at once: elsewhere than Linux the session waits for
// data inside gorilla's read, which costs an idle session a larger stack.
func waitReadable(net.Conn) {}
