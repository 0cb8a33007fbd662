package engineio

import (
	"net"

	"golang.org/x/sys/unix"
)

// waitReadable returns once c has data to read, an error, or end of file,
// or at once when it cannot tell (a TLS or other wrapped connection).
//
// It parks the goroutine in the network poller a few frames deep, instead
// of inside gorilla's frame reader: the runtime sizes new goroutines' stacks
// by the average stack in use, and an idle session waiting here keeps that
// average, and its own stack, at the 2 KiB minimum.
func waitReadable(c net.Conn) {
	if rc := rawConn(c); rc != nil {
		rc.Read(peekReadable) // an error (closed, deadline) shows in the read that follows
	}
}

// peekReadable reports whether a non-blocking peek at fd finds anything
// other than "would block".
func peekReadable(fd uintptr) bool {
	var b [1]byte
	_, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	return err != unix.EAGAIN
}
