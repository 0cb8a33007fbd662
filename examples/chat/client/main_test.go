package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/socketio"
)

const wait = 10 * time.Second

// waitFor waits until buf has a line equal to line (or containing it, when
// partial).
func waitFor(t *testing.T, buf *testutil.Buffer, line string, partial bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		for _, l := range strings.Split(buf.String(), "\n") {
			if l == line || partial && strings.Contains(l, line) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond) // poll period: the command's output has no event
	}
	t.Fatalf("no line %q in:\n%s", line, buf.String())
}

// client is a running instance of the command.
type client struct {
	in          *io.PipeWriter
	out, status *testutil.Buffer
	done        chan error
}

func startClient(t *testing.T, url, name string) *client {
	t.Helper()
	return startClientProtocol(t, url, name, 5)
}

// startClientProtocol is startClient speaking Socket.IO revision protocol.
func startClientProtocol(t *testing.T, url, name string, protocol int) *client {
	t.Helper()
	pr, pw := io.Pipe()
	c := &client{in: pw, out: &testutil.Buffer{}, status: &testutil.Buffer{}, done: make(chan error, 1)}
	cfg := config{URL: url, Name: name, AckTimeout: time.Second, Options: &socketio.ManagerOptions{
		Protocol:             protocol,
		ReconnectionDelay:    50 * time.Millisecond,
		ReconnectionDelayMax: 300 * time.Millisecond,
	}}
	go func() { c.done <- run(context.Background(), cfg, pr, c.out, c.status) }()
	t.Cleanup(func() {
		pw.Close()
		select {
		case err := <-c.done:
			if err != nil {
				t.Errorf("client %s: %v", name, err)
			}
		case <-time.After(wait):
			t.Errorf("client %s did not end with its input", name)
		}
	})
	waitFor(t, c.status, "connected to "+url, true)
	return c
}

func (c *client) send(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

// chatServer runs the chat command (go run ./examples/chat, built once).
type chatServer struct {
	t    *testing.T
	bin  string
	addr string
	cmd  *exec.Cmd
	log  *testutil.Buffer
	done chan struct{} // closed when cmd has exited
}

func startChatServer(t *testing.T) *chatServer {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "chat")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	build.Dir = filepath.Join(filepath.Dir(file), "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the chat: %v\n%s", err, out)
	}
	s := &chatServer{t: t, bin: bin, addr: nodetest.FreeAddr(t)}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *chatServer) start() {
	s.t.Helper()
	s.log = &testutil.Buffer{}
	s.cmd = exec.Command(s.bin, "-addr", s.addr)
	pr, pw := io.Pipe()
	s.cmd.Stdout, s.cmd.Stderr = pw, pw
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.log.Write([]byte(sc.Text() + "\n"))
		}
	}()
	done := make(chan struct{})
	s.done = done
	go func(cmd *exec.Cmd) {
		cmd.Wait()
		pw.Close()
		close(done)
	}(s.cmd)
	_, port, _ := net.SplitHostPort(s.addr)
	waitFor(s.t, s.log, "listening on *:"+port, false)
}

func (s *chatServer) stop() {
	if s.cmd != nil {
		s.cmd.Process.Signal(os.Kill)
		<-s.done
	}
}

// TestChat: two clients of the chat command see each other's messages and
// nicknames, and keep chatting after the server restarts.
func TestChat(t *testing.T) {
	srv := startChatServer(t)
	url := "http://" + srv.addr
	bob := startClient(t, url, "")
	alice := startClient(t, url, "alice")
	waitFor(t, alice.status, "you are alice", false)
	waitFor(t, bob.out, "* alice joined (2 online)", false)

	alice.send(t, "hello")
	waitFor(t, alice.out, "hello", false)
	waitFor(t, bob.out, "hello", false)
	waitFor(t, srv.log, "message:hello", false)

	// The server restarts: both reconnect, alice takes her name again, and
	// a line bob types while it is down is delivered once it is back.
	srv.stop()
	waitFor(t, alice.status, "disconnected (transport", true)
	waitFor(t, bob.status, "disconnected (transport", true)
	bob.send(t, "typed during the outage")
	waitFor(t, bob.status, "not connected: the message goes out on reconnection", false)
	if strings.Contains(bob.out.String(), "typed during the outage") {
		t.Fatal("a line typed with the server down was echoed before it restarted")
	}
	srv.start()
	waitFor(t, bob.out, "typed during the outage", false)
	waitFor(t, srv.log, "message:typed during the outage", false)
	waitFor(t, bob.status, "reconnecting (attempt", true)
	for _, c := range []*client{alice, bob} {
		testutil.Eventually(t, wait, "a reconnection", func() bool {
			return strings.Count(c.status.String(), "connected to ") >= 2
		})
	}
	testutil.Eventually(t, wait, "alice taking her name again", func() bool {
		return strings.Count(alice.status.String(), "you are alice") >= 2
	})
	bob.send(t, "after the restart")
	waitFor(t, alice.out, "after the restart", false)
	alice.send(t, "/nick alicia")
	waitFor(t, alice.status, "you are alicia", false)
}

// TestNodeChat: the client talks to the reference chats, which have no
// acks and no nicknames: socket.io 2.5.1 (node-chat, protocol 4) and
// socket.io 4.8.3 (node-chat-v4, protocol 5).
func TestNodeChat(t *testing.T) {
	for _, ref := range []struct {
		script   string
		protocol int
	}{{"node-chat.js", 4}, {"node-chat-v4.js", 5}} {
		t.Run(ref.script, func(t *testing.T) {
			nodetest.Require(t)
			addr := nodetest.FreeAddr(t)
			_, port, _ := net.SplitHostPort(addr)
			nodetest.Start(t, ref.script, "listening", []string{"PORT=" + port, "QUIET=1"})
			url := "http://" + addr
			a, b := startClientProtocol(t, url, "", ref.protocol), startClientProtocol(t, url, "", ref.protocol)
			a.send(t, "first")
			waitFor(t, b.out, "first", false)
			waitFor(t, a.out, "first", false)
			waitFor(t, a.status, "the server does not acknowledge messages", true)
			a.send(t, "second")
			b.send(t, "third")
			waitFor(t, b.out, "second", false)
			waitFor(t, a.out, "third", false)
		})
	}
}
