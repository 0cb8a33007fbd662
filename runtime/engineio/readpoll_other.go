//go:build !linux

package engineio

import "net"

// readPoller is Linux only: elsewhere an idle session's reader waits on a
// goroutine of its own.
type readPoller struct{}

func (p *readPoller) arm(net.Conn, func()) bool { return false }

func (p *readPoller) stop() {}
