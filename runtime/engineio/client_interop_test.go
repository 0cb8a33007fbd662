package engineio

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
)

// clientSetups are the transport setups every interop test runs with.
var clientSetups = []struct {
	name  string
	opts  DialOptions
	final string // the transport the connection ends up on
}{
	{"PollingUpgrade", DialOptions{}, WebSocket},
	{"WebSocketOnly", DialOptions{Transports: []string{WebSocket}}, WebSocket},
	{"PollingOnly", DialOptions{Transports: []string{Polling}}, Polling},
	{"PollingBase64", DialOptions{Transports: []string{Polling}, ForceBase64: true}, Polling},
	{"UpgradeBase64", DialOptions{ForceBase64: true}, WebSocket},
}

// noLeaks fails t if goroutines started during t outlive it. It
// must be called first, so that its cleanup runs after all the others.
func noLeaks(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// clientNode is a running interop/eio-server.js.
type clientNode struct {
	proc *nodetest.Process
	url  string
	pid  int
}

var clientPidRE = regexp.MustCompile(`listening pid (\d+)`)

// clientStartNode starts interop/eio-server.js on a free port, with env added.
func clientStartNode(t *testing.T, env ...string) *clientNode {
	t.Helper()
	addr := nodetest.FreeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	p := nodetest.Start(t, "eio-server.js", "listening", append(env, "PORT="+port))
	m := clientPidRE.FindStringSubmatch(p.Output())
	if m == nil {
		t.Fatalf("no pid in %q", p.Output())
	}
	pid, _ := strconv.Atoi(m[1])
	return &clientNode{proc: p, url: "http://" + addr + "/socket.io/", pid: pid}
}

// waitOutput waits until the server printed line.
func (n *clientNode) waitOutput(t *testing.T, line string) {
	t.Helper()
	testutil.Eventually(t, 5*time.Second, fmt.Sprintf("the server to print %q", line), func() bool {
		return strings.Contains(n.proc.Output(), line+"\n")
	})
}

// clientCloseEvent is one OnClose call.
type clientCloseEvent struct {
	reason string
	err    error
}

// clientRecorder collects what a Client reports.
type clientRecorder struct {
	msgs   chan Message
	closed chan clientCloseEvent
}

func newClientRecorder() *clientRecorder {
	return &clientRecorder{msgs: make(chan Message, 4096), closed: make(chan clientCloseEvent, 2)}
}

// next returns the next message, failing t after d.
func (r *clientRecorder) next(t *testing.T, d time.Duration) Message {
	t.Helper()
	select {
	case m := <-r.msgs:
		return m
	case ev := <-r.closed:
		t.Fatalf("closed (%s, %v) while waiting for a message", ev.reason, ev.err)
	case <-time.After(d):
		t.Fatalf("no message within %v", d)
	}
	return Message{}
}

// waitClose returns the OnClose event, failing t after d.
func (r *clientRecorder) waitClose(t *testing.T, d time.Duration) clientCloseEvent {
	t.Helper()
	select {
	case ev := <-r.closed:
		return ev
	case <-time.After(d):
		t.Fatalf("OnClose not called within %v", d)
	}
	return clientCloseEvent{}
}

// clientDial dials url with opts and a recorder; the client is closed at
// cleanup. It speaks Engine.IO v3 unless opts.Protocol says otherwise: the
// fake server and the reference peers of these tests are engine.io 3.x.
func clientDial(t *testing.T, url string, opts DialOptions) (*Client, *clientRecorder) {
	t.Helper()
	if opts.Protocol == 0 {
		opts.Protocol = 3
	}
	r := newClientRecorder()
	opts.OnMessage = func(m Message) { r.msgs <- m }
	opts.OnClose = func(reason string, err error) { r.closed <- clientCloseEvent{reason, err} }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, url, &opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Errorf("client %s not done 5s after Close", c.ID())
		}
	})
	return c, r
}

// clientWaitTransport waits until c uses transport.
func clientWaitTransport(t *testing.T, c *Client, transport string) {
	t.Helper()
	testutil.Eventually(t, 5*time.Second, "transport "+transport, func() bool {
		select {
		case <-c.Done():
			t.Fatalf("connection ended while on %s, waiting for %s", c.Transport(), transport)
		default:
		}
		return c.Transport() == transport
	})
}

func clientText(s string) Message { return Message{Data: []byte(s)} }
func clientBin(b ...byte) Message { return Message{Data: b, Binary: true} }

// clientExpect checks that r delivers want, in order.
func clientExpect(t *testing.T, r *clientRecorder, want ...Message) {
	t.Helper()
	for i, w := range want {
		// Generous: a 1 MiB message takes well under a second, but the race
		// detector on a loaded machine can make it many times slower.
		got := r.next(t, 20*time.Second)
		if got.Binary != w.Binary || !bytes.Equal(got.Data, w.Data) {
			t.Fatalf("message %d: got %s, want %s", i, clientShow(got), clientShow(w))
		}
	}
}

func clientShow(m Message) string {
	d := m.Data
	suffix := ""
	if len(d) > 40 {
		d, suffix = d[:40], fmt.Sprintf("... (%d bytes)", len(m.Data))
	}
	if m.Binary {
		return fmt.Sprintf("binary %x%s", d, suffix)
	}
	return fmt.Sprintf("text %q%s", d, suffix)
}

// TestClientInterop runs the Go client against the engine.io 3.6.2 server
// with every transport setup.
func TestClientInterop(t *testing.T) {
	nodetest.Require(t)
	noLeaks(t)
	for _, setup := range clientSetups {
		t.Run(setup.name, func(t *testing.T) {
			t.Parallel()
			node := clientStartNode(t)

			t.Run("Echo", func(t *testing.T) {
				c, r := clientDial(t, node.url, setup.opts)
				all := make([]byte, 256)
				for i := range all {
					all[i] = byte(i)
				}
				msgs := []Message{
					clientText("hello"), clientText("€ and 😀 count 1 and 2 UTF-16 units"),
					clientText(""), clientBin(all...), clientText("line1\nline2 \\n \"q\""),
				}
				for _, m := range msgs {
					if err := c.Send(m); err != nil {
						t.Fatal(err)
					}
				}
				clientExpect(t, r, msgs...)
				// A socket.io binary event: header and attachments in one Send.
				group := []Message{clientText(`51-["b",{"_placeholder":true,"num":0}]`), clientBin(1, 2, 3), clientBin(4)}
				if err := c.Send(group...); err != nil {
					t.Fatal(err)
				}
				clientExpect(t, r, group...)
			})

			t.Run("Large", func(t *testing.T) {
				c, r := clientDial(t, node.url, setup.opts)
				clientCheckLarge(t, c, r)
			})

			t.Run("Burst", func(t *testing.T) {
				c, r := clientDial(t, node.url, setup.opts)
				clientCheckBurst(t, c, r, setup.final)
			})

			t.Run("ServerClose", func(t *testing.T) {
				c, r := clientDial(t, node.url, setup.opts)
				clientWaitTransport(t, c, setup.final)
				if err := c.Send(clientText("close me")); err != nil {
					t.Fatal(err)
				}
				want := ReasonServerClose
				if setup.final == WebSocket {
					want = ReasonTransportClose // the reference sends no close packet over websocket
				}
				if ev := r.waitClose(t, 5*time.Second); ev.reason != want {
					t.Errorf("OnClose(%q, %v), want %q", ev.reason, ev.err, want)
				}
				node.waitOutput(t, "closed "+c.ID()+" forced close")
				if err := c.Send(clientText("late")); err != ErrClosed {
					t.Errorf("Send after the end = %v, want ErrClosed", err)
				}
			})

			t.Run("Close", func(t *testing.T) {
				c, r := clientDial(t, node.url, setup.opts)
				clientWaitTransport(t, c, setup.final)
				if err := c.Send(clientText("first")); err != nil {
					t.Fatal(err)
				}
				clientExpect(t, r, clientText("first"))
				// Queued right before Close: still written before the close packet.
				if err := c.Send(clientText("say: bye")); err != nil {
					t.Fatal(err)
				}
				if err := c.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if ev := r.waitClose(t, 5*time.Second); ev.reason != ReasonForcedClose || ev.err != nil {
					t.Errorf("OnClose(%q, %v), want %q", ev.reason, ev.err, ReasonForcedClose)
				}
				node.waitOutput(t, "said "+c.ID()+" say: bye")
				node.waitOutput(t, "closed "+c.ID()+" transport close")
				if err := c.Send(clientText("late")); err != ErrClosed {
					t.Errorf("Send after Close = %v, want ErrClosed", err)
				}
				if err := c.Close(); err != ErrClosed {
					t.Errorf("second Close = %v, want ErrClosed", err)
				}
			})
		})
	}
}

// TestClientInteropHeartbeat checks the v3 heartbeat against engine.io
// with pingInterval 200ms and pingTimeout 300ms: the client's pings keep the
// session up, and a server that stops answering, or dies, is noticed. The
// base64 setups are left out: they heartbeat as their plain twins do, and
// fewer node processes keep the 300ms timings safe on a small machine.
func TestClientInteropHeartbeat(t *testing.T) {
	nodetest.Require(t)
	noLeaks(t)
	for _, setup := range clientSetups {
		if setup.opts.ForceBase64 {
			continue
		}
		// Both servers start before any 300ms window opens.
		stopNode := clientStartNode(t, "PING_INTERVAL=200", "PING_TIMEOUT=300")
		killNode := clientStartNode(t, "PING_INTERVAL=200", "PING_TIMEOUT=300")
		t.Run(setup.name, func(t *testing.T) {
			t.Parallel()

			t.Run("StopThenKill", func(t *testing.T) {
				t.Parallel()
				node := stopNode
				c, r := clientDial(t, node.url, setup.opts)
				if c.PingInterval() != 200*time.Millisecond || c.PingTimeout() != 300*time.Millisecond {
					t.Fatalf("ping interval/timeout = %v/%v, want 200ms/300ms", c.PingInterval(), c.PingTimeout())
				}
				time.Sleep(2 * time.Second) // 10 ping intervals, 4 server timeouts
				select {
				case ev := <-r.closed:
					t.Fatalf("closed within 2s: %s %v", ev.reason, ev.err)
				default:
				}
				if c.Transport() != setup.final {
					t.Errorf("transport %s after 2s, want %s", c.Transport(), setup.final)
				}
				if err := c.Send(clientText("alive")); err != nil {
					t.Fatal(err)
				}
				clientExpect(t, r, clientText("alive"))
				if out := node.proc.Output(); strings.Contains(out, "closed ") {
					t.Fatalf("server closed the session:\n%s", out)
				}

				if err := stopProcess(node.pid); err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				ev := r.waitClose(t, 3*time.Second)
				elapsed := time.Since(start)
				killProcess(node.pid)
				if ev.reason != ReasonPingTimeout {
					t.Errorf("OnClose(%q, %v), want %q", ev.reason, ev.err, ReasonPingTimeout)
				}
				// The next ping is at most 200ms away, then 300ms without a pong.
				if elapsed > 1500*time.Millisecond {
					t.Errorf("ping timeout noticed after %v, want about 500ms", elapsed)
				}
				t.Logf("ping timeout after %v", elapsed)
			})

			t.Run("Kill", func(t *testing.T) {
				t.Parallel()
				node := killNode
				c, r := clientDial(t, node.url, setup.opts)
				clientWaitTransport(t, c, setup.final)
				if err := c.Send(clientText("alive")); err != nil {
					t.Fatal(err)
				}
				clientExpect(t, r, clientText("alive"))
				if err := killProcess(node.pid); err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				ev := r.waitClose(t, 3*time.Second)
				elapsed := time.Since(start)
				// The OS closes the dead server's sockets: the pending read
				// sees EOF or a reset (transport close); a request in
				// between is refused (transport error).
				ok := []string{ReasonTransportClose, ReasonTransportError, ReasonPingTimeout}
				if !slices.Contains(ok, ev.reason) {
					t.Errorf("OnClose(%q, %v), want one of %q", ev.reason, ev.err, ok)
				}
				if elapsed > 1500*time.Millisecond {
					t.Errorf("server death noticed after %v", elapsed)
				}
				t.Logf("server death noticed after %v: %s (%v)", elapsed, ev.reason, ev.err)
			})
		})
	}
}
