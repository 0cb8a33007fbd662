package engineio

import (
	"errors"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// tryWrite writes as much of buf to nc as its socket takes without
// waiting, and returns how much that was. rc is nc's raw connection, nil
// when it has none (TLS or another wrapper): then nothing is written, and
// the caller writes it the blocking way.
func tryWrite(nc net.Conn, rc syscall.RawConn, buf []byte) (int, error) {
	if rc == nil {
		return 0, nil
	}
	n, err := tryWriteRaw(rc, buf)
	if n == 0 && errors.Is(err, os.ErrDeadlineExceeded) {
		// A deadline left by an earlier blocking write (finishWrite's, or
		// gorilla's for a control frame) has passed, and the socket refuses
		// every write until it is cleared.
		nc.SetWriteDeadline(time.Time{})
		n, err = tryWriteRaw(rc, buf)
	}
	return n, err
}

func tryWriteRaw(rc syscall.RawConn, buf []byte) (int, error) {
	var n int
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for n < len(buf) {
			m, e := unix.Write(int(fd), buf[n:])
			if m > 0 {
				n += m
			}
			if e == unix.EINTR {
				continue
			}
			if e != nil {
				if e != unix.EAGAIN {
					werr = e
				}
				break
			}
		}
		return true // never wait here: what is left goes to finishWrite
	})
	if err != nil {
		return n, err
	}
	return n, werr
}
