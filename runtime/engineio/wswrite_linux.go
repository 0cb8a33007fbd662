package engineio

import (
	"errors"
	"net"
	"os"
	"sync"
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
	w := rawWritePool.Get().(*rawWrite)
	w.buf, w.n, w.err = buf, 0, nil
	err := rc.Write(w.fn)
	n, werr := w.n, w.err
	w.buf, w.err = nil, nil
	rawWritePool.Put(w)
	if err != nil {
		return n, err
	}
	return n, werr
}

// rawWrite is the state of one tryWriteRaw, pooled with its callback bound
// once: a closure over the call's variables would cost every write three
// allocations.
type rawWrite struct {
	buf []byte
	n   int
	err error
	fn  func(fd uintptr) bool // w.write
}

var rawWritePool = sync.Pool{New: func() any {
	w := new(rawWrite)
	w.fn = w.write
	return w
}}

func (w *rawWrite) write(fd uintptr) bool {
	for w.n < len(w.buf) {
		m, e := unix.Write(int(fd), w.buf[w.n:])
		if m > 0 {
			w.n += m
		}
		if e == unix.EINTR {
			continue
		}
		if e != nil {
			if e != unix.EAGAIN {
				w.err = e
			}
			break
		}
	}
	return true // never wait here: what is left goes to finishWrite
}
