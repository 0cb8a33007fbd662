package engineio

import (
	"errors"
	"os"
	"syscall"
)

// stopProcess cannot freeze a process here; the test that needs it fails
// with this error (the interop tests run on Linux).
func stopProcess(int) error { return errors.ErrUnsupported }

func killProcess(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

// setReceiveBuffer sets the receive buffer of socket fd to n bytes.
func setReceiveBuffer(fd uintptr, n int) error {
	return syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
