//go:build unix

package engineio

import "syscall"

// stopProcess freezes process pid (SIGSTOP): its sockets stay open, and it
// answers nothing.
func stopProcess(pid int) error { return syscall.Kill(pid, syscall.SIGSTOP) }

// killProcess ends process pid at once (SIGKILL).
func killProcess(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// setReceiveBuffer sets the receive buffer of socket fd to n bytes.
func setReceiveBuffer(fd uintptr, n int) error {
	return syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
}
