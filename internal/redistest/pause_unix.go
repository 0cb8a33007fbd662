//go:build unix

package redistest

import "syscall"

// Pause stops the server without ending it (SIGSTOP), as a hung server:
// connections stay open and nothing is answered. Resume continues it.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }
