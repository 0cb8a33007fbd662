package engineio

import (
	"net"
	"syscall"
	"unsafe"
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
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&b[0])), 1,
		syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
	return errno != syscall.EAGAIN
}
