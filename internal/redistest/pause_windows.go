package redistest

// Pause cannot stop a process here (there is no SIGSTOP): it fails the
// test. The Redis tests run on Linux.
func (s *Server) Pause() { s.t.Fatal("redistest: Pause needs SIGSTOP") }

// Resume fails the test, as Pause does.
func (s *Server) Resume() { s.t.Fatal("redistest: Resume needs SIGCONT") }
