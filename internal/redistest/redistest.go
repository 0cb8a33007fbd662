// Package redistest runs a private redis-server (Debian's, installed by
// scripts/test.sh) for a Go test, on a free 127.0.0.1 port, with nothing
// persisted.
//
// Under CI=true a missing redis-server fails the test; on a developer
// machine it skips with the command that fixes it.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/testutil"
)

// Require returns the path of redis-server. It fails the test under
// CI=true and skips it otherwise.
func Require(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server is not installed (run scripts/test.sh, or: apt-get install redis-server)"
		testutil.Missing(t, msg)
	}
	return path
}

// Server is a running redis-server. Stop and Start may be called any number
// of times, one at a time; the server is stopped at test cleanup.
type Server struct {
	// Addr is the server's 127.0.0.1:port; it stays the same across Start.
	Addr string

	t    testing.TB
	path string
	dir  string
	args []string // after the common ones

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *testutil.Buffer
}

// Start runs a redis-server on a free loopback port and waits until it
// answers PING.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t)
}

// StartWith is Start with more redis-server arguments (such as
// "--cluster-enabled", "yes").
func StartWith(t testing.TB, args ...string) *Server {
	t.Helper()
	s := &Server{t: t, path: Require(t), dir: t.TempDir(), args: args}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			s.mu.Lock()
			out := s.out
			s.mu.Unlock()
			if out != nil {
				t.Logf("redis-server output:\n%s", out.String())
			}
		}
	})
	var err error
	for range 3 { // another process may take the free port first
		s.Addr = freeAddr(t)
		if err = s.start(); err == nil {
			return s
		}
	}
	t.Fatalf("redis-server: %v", err)
	return nil
}

// Start starts the server again on the same address after Stop.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("redis-server restart: %v", err)
	}
}

func (s *Server) start() error {
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command(s.path,
		"--bind", "127.0.0.1", "--port", port, "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	cmd.Args = append(cmd.Args, s.args...)
	cmd.Dir = s.dir
	out := &testutil.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ping(s.Addr) == nil {
			break
		}
		select {
		case <-done:
			return fmt.Errorf("exited: %s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return fmt.Errorf("no answer on %s within 10s", s.Addr)
		}
	}
	s.mu.Lock()
	s.cmd, s.done, s.out = cmd, done, out
	s.mu.Unlock()
	return nil
}

// Stop kills the server (as a crash would: clients see their connections
// drop) and waits for it to exit.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-done
}

// Output returns what the server has printed since it last started.
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out == nil {
		return ""
	}
	return s.out.String()
}

func (s *Server) signal(sig os.Signal) {
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd != nil {
		cmd.Process.Signal(sig)
	}
}

// ping sends PING and expects +PONG.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
