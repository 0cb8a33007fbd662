// Package nodetest runs the official socket.io 2.x packages from npm (installed
// in interop/node_modules by scripts/test.sh) as peers of Go tests.
//
// Under CI=true a missing node or missing node_modules fails the test; on a
// developer machine it skips with the command that fixes it.
package nodetest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/testutil"
)

// InteropDir is the absolute path of the repository's interop/ folder, which
// holds package.json and the node scripts.
func InteropDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "interop")
}

// Require returns the path of node, after checking that interop/node_modules
// is installed. It fails the test under CI=true and skips it otherwise.
func Require(t testing.TB) string {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		msg := what + " (run scripts/test.sh, or: cd interop && npm ci)"
		testutil.Missing(t, msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	if _, err := os.Stat(filepath.Join(InteropDir(), "node_modules", "socket.io")); err != nil {
		missing("interop/node_modules is missing")
	}
	return node
}

// FreeAddr returns a free 127.0.0.1 address.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Process is a running node script.
type Process struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	done chan struct{}
	err  error
}

// Output returns everything the script printed so far (stdout and stderr).
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Wait waits for the script to exit, at most d, and returns its error
// (nil for exit code 0). The script is killed when d passes.
func (p *Process) Wait(d time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("node script did not finish within %v", d)
	}
}

// Start runs `node script args...` in interop/ with env added to the
// environment. When ready is not empty, Start waits (up to 20 s) until the
// script prints a line containing it. The process is killed at test cleanup,
// and its output is logged if the test failed.
func Start(t testing.TB, script string, ready string, env []string, args ...string) *Process {
	t.Helper()
	node := Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	cmd.Dir = InteropDir()
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	p := &Process{cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start node %s: %v", script, err)
	}
	readyc := make(chan struct{})
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 4<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.out.WriteString(line)
			p.out.WriteByte('\n')
			p.mu.Unlock()
			if ready != "" && strings.Contains(line, ready) {
				once.Do(func() { close(readyc) })
			}
		}
		io.Copy(io.Discard, pr)
	}()
	go func() {
		p.err = cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
		if t.Failed() {
			t.Logf("output of node %s:\n%s", script, p.Output())
		}
	})
	if ready != "" {
		select {
		case <-readyc:
		case <-p.done:
			t.Fatalf("node %s exited before %q: %v\n%s", script, ready, p.err, p.Output())
		case <-time.After(20 * time.Second):
			t.Fatalf("node %s did not print %q within 20s\n%s", script, ready, p.Output())
		}
	}
	return p
}

// Kill stops the script and waits for it to exit.
func (p *Process) Kill() {
	p.cmd.Process.Kill()
	<-p.done
}
