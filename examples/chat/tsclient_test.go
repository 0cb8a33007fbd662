package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
)

// TestTypedClient compiles the chat's typed TypeScript client (ts/client.ts
// over the generated ts/chatapi.ts) with tsc --strict and runs it with node
// on socket.io-client 4.8.3 (Engine.IO v4 / Socket.IO v5) against the Go
// chat, acks included; against the reference node-chat-v4 (socket.io
// 4.8.3), which relays messages but answers no acks; and against
// ts/server.ts, the chat's events on socket.io 4.8.3 typed with the same
// generated maps.
func TestTypedClient(t *testing.T) {
	out := t.TempDir()
	nodetest.TypeScript(t, out, filepath.Join("ts", "client.ts"), filepath.Join("ts", "server.ts"), filepath.Join("ts", "chatapi.ts"))

	t.Run("node-chat-v4", func(t *testing.T) {
		addr := nodetest.FreeAddr(t)
		_, port, _ := net.SplitHostPort(addr)
		nodetest.Start(t, "node-chat-v4.js", "listening", []string{"PORT=" + port, "QUIET=1"})
		c := startTSClient(t, out, []string{"ACK_TIMEOUT_MS=500"}, "http://"+addr)
		c.waitLine("connected ")
		c.send("hello from typescript")
		c.waitLine("message: hello from typescript")
		// The reference never acks "chat message"; the typed timeout
		// callback reports it, and the client then leaves.
		c.waitLine("no ack: operation has timed out")
		c.end()
	})

	t.Run("typed node server", func(t *testing.T) {
		addr := nodetest.FreeAddr(t)
		_, port, _ := net.SplitHostPort(addr)
		nodetest.Start(t, filepath.Join(out, "server.js"), "listening", []string{"PORT=" + port, "NODE_PATH=" + filepath.Join(nodetest.InteropDir(), "node_modules")})
		typedChat(t, out, "http://"+addr)
	})

	t.Run("siogen", func(t *testing.T) {
		addr, _ := startChat(t)
		typedChat(t, out, "http://"+addr)
	})
}

// typedChat runs two typed clients against the chat at url: nicknames and
// message delivery confirmed by acks, join and leave notices.
func typedChat(t *testing.T, out, url string) {
	ann := startTSClient(t, out, nil, url, "ann")
	ann.waitLine("name: ann")
	bob := startTSClient(t, out, nil, url, "  bob  ")
	bob.waitLine("name: bob")
	ann.waitLine("joined: bob (2 users)")
	ann.send("hello")
	ann.waitLine("sent to 2")
	bob.waitLine("message: hello")
	ann.waitLine("message: hello")
	bob.end()
	ann.waitLine("left: bob (1 users)")
	ann.end()
}

// tsClient is a running ts/client.js.
type tsClient struct {
	t     *testing.T
	stdin io.WriteCloser
	done  chan struct{} // closed when it has exited and its output is read
	err   error

	mu    sync.Mutex
	lines []string
	added chan struct{} // closed and replaced when a line arrives
}

// startTSClient runs the compiled client in dir with args; node finds
// socket.io-client-v4 in interop/node_modules.
func startTSClient(t *testing.T, dir string, env []string, args ...string) *tsClient {
	t.Helper()
	node := nodetest.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, append([]string{filepath.Join(dir, "client.js")}, args...)...)
	cmd.Env = append(append(os.Environ(), "NODE_PATH="+filepath.Join(nodetest.InteropDir(), "node_modules")), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	c := &tsClient{t: t, stdin: stdin, done: make(chan struct{}), added: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			close(c.added)
			c.added = make(chan struct{})
			c.mu.Unlock()
		}
		io.Copy(io.Discard, pr)
	}()
	go func() {
		c.err = cmd.Wait()
		pw.Close()
		<-scanned // every line is in c.lines once done is closed
		close(c.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-c.done
		if t.Failed() {
			t.Logf("client %v printed:\n%s", args, c.output())
		}
	})
	return c
}

func (c *tsClient) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}

// has reports whether the client printed a line that starts with prefix.
func (c *tsClient) has(prefix string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

func (c *tsClient) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		c.t.Fatal(err)
	}
}

// waitLine waits up to 20 s for a printed line that starts with prefix.
func (c *tsClient) waitLine(prefix string) {
	c.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		added := c.added
		c.mu.Unlock()
		if c.has(prefix) {
			return
		}
		select {
		case <-added:
		case <-c.done:
			if c.has(prefix) { // printed just before the end
				return
			}
			c.t.Fatalf("client exited (%v) before printing %q:\n%s", c.err, prefix, c.output())
		case <-deadline:
			c.t.Fatalf("client did not print %q within 20s:\n%s", prefix, c.output())
		}
	}
}

// end closes the client's input and waits for it to leave.
func (c *tsClient) end() {
	c.t.Helper()
	c.stdin.Close()
	select {
	case <-c.done:
		if c.err != nil {
			c.t.Fatalf("client: %v\n%s", c.err, c.output())
		}
	case <-time.After(20 * time.Second):
		c.t.Fatalf("client did not leave within 20s:\n%s", c.output())
	}
}
