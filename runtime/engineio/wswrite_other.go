//go:build !linux

package engineio

import (
	"net"
	"syscall"
)

// tryWrite writes nothing elsewhere than Linux: every write goes to
// finishWrite, on a goroutine of the session's own.
func tryWrite(net.Conn, syscall.RawConn, []byte) (int, error) { return 0, nil }

// rawConn is used on Linux only.
func rawConn(net.Conn) syscall.RawConn { return nil }
