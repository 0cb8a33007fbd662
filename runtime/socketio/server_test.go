package socketio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
)

// serveForTest serves srv on a loopback port until the test ends.
func serveForTest(t *testing.T, srv *Server) string {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		shutdownSoon(srv)
	})
	return ts.URL
}

// TestHandlerPanicRecovered: a panicking handler is logged and the socket
// keeps working.
func TestHandlerPanicRecovered(t *testing.T) {
	clientLeakCheck(t)
	logs := &testutil.Buffer{}
	srv := NewServer(&Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("boom", func(*Event) { panic("kaboom") })
		s.On("hi", func(e *Event) { e.Ack("still here") })
	})
	url := serveForTest(t, srv)
	c := clientDial(t, url, clientTestOptions(nil))
	clientEmit(t, c, "boom")
	if got := clientArg[string](t, clientAsk(t, c, "hi"), 0); got != "still here" {
		t.Fatalf("after the panic: %q", got)
	}
	if !strings.Contains(logs.String(), "kaboom") {
		t.Fatalf("the panic was not logged:\n%s", logs.String())
	}
}

// TestEventsInArrivalOrder: the events of one socket reach its handlers in
// the order they were sent, on every transport, while handlers take time.
func TestEventsInArrivalOrder(t *testing.T) {
	for _, setup := range clientTransportSetups {
		t.Run(setup.name, func(t *testing.T) {
			clientLeakCheck(t)
			const n = 500
			got := make(chan int, n)
			srv := NewServer(&Options{Logger: clientTestLogger()})
			srv.Of("/").OnConnection(func(s *Socket) {
				s.On("n", func(e *Event) {
					var i int
					e.Decode(0, &i)
					if i%50 == 0 {
						time.Sleep(time.Millisecond) // a slow handler must not reorder
					}
					got <- i
				})
			})
			c := clientDial(t, serveForTest(t, srv), clientTestOptions(setup.transports))
			for i := range n {
				clientEmit(t, c, "n", i)
			}
			for want := range n {
				if i := testutil.Recv(t, got, "event"); i != want {
					t.Fatalf("event %d arrived as number %d", i, want)
				}
			}
		})
	}
}

// TestRoomsAndBroadcasts: emits to several rooms reach each target once,
// Except and Broadcast leave out whom they should, emits from outside any
// handler work, and a socket leaves its rooms when it disconnects.
func TestRoomsAndBroadcasts(t *testing.T) {
	clientLeakCheck(t)
	srv := NewServer(&Options{Logger: clientTestLogger()})
	nsp := srv.Of("/")
	nsp.OnConnection(func(s *Socket) {
		s.On("join", func(e *Event) {
			var rooms []string
			e.Decode(0, &rooms)
			s.Join(rooms...)
			e.Ack()
		})
		s.On("shout", func(e *Event) {
			var msg string
			e.Decode(0, &msg)
			s.Broadcast().Emit("msg", msg)
		})
	})
	url := serveForTest(t, srv)
	type member struct {
		c   *ClientSocket
		got <-chan *Event
	}
	join := func(rooms ...string) member {
		c := clientDial(t, url, clientTestOptions(nil))
		got := clientExpect(c, "msg")
		clientAsk(t, c, "join", rooms)
		return member{c, got}
	}
	a, b, c := join("r1", "r2"), join("r1"), join()
	if n, all := nsp.Len(), len(nsp.Sockets()); n != 3 || all != 3 {
		t.Fatalf("Len %d, Sockets %d, want 3 connected", n, all)
	}
	text := func(e *Event) string {
		var s string
		e.Decode(0, &s)
		return s
	}

	// From outside any handler, to two rooms: a is in both, and gets it once.
	if err := nsp.To("r1", "r2").Emit("msg", "rooms"); err != nil {
		t.Fatal(err)
	}
	for _, m := range []member{a, b} {
		if s := text(testutil.Recv(t, m.got, "msg")); s != "rooms" {
			t.Fatalf("got %q", s)
		}
	}
	testutil.None(t, a.got, "second copy")
	testutil.None(t, c.got, "message for rooms c is not in")

	// Except, and a socket's own room.
	nsp.To("r1").Except(b.c.ID()).Emit("msg", "except")
	if s := text(testutil.Recv(t, a.got, "msg")); s != "except" {
		t.Fatalf("got %q", s)
	}
	nsp.To(c.c.ID()).Emit("msg", "direct")
	if s := text(testutil.Recv(t, c.got, "msg")); s != "direct" {
		t.Fatalf("got %q", s)
	}
	testutil.None(t, b.got, "excepted message")

	// Broadcast from a socket: everyone but the sender.
	clientEmit(t, b.c, "shout", "all but b")
	for _, m := range []member{a, c} {
		if s := text(testutil.Recv(t, m.got, "msg")); s != "all but b" {
			t.Fatalf("got %q", s)
		}
	}
	testutil.None(t, b.got, "own broadcast")

	// A socket that disconnects leaves its rooms.
	ctx, cancel := context.WithTimeout(t.Context(), clientWait)
	defer cancel()
	ids, err := nsp.SocketsIn(ctx, "r1")
	if err != nil || len(ids) != 2 {
		t.Fatalf("r1 holds %v, %v", ids, err)
	}
	aID := a.c.ID()
	a.c.Disconnect()
	testutil.Eventually(t, clientWait, "r1 to lose "+aID+" after it disconnected", func() bool {
		ids, _ = nsp.SocketsIn(ctx, "r1")
		return !slices.Contains(ids, aID)
	})
}

// TestDisconnectReasons: each way a socket ends is reported on both sides
// with socket.io 2.x's reason.
func TestDisconnectReasons(t *testing.T) {
	clientLeakCheck(t)
	serverReasons := make(chan string, 8)
	srv := NewServer(&Options{Logger: clientTestLogger()})
	srv.Of("/").OnConnection(func(s *Socket) {
		s.OnDisconnect(func(reason string) { serverReasons <- reason })
		s.On("kick", func(*Event) { s.Disconnect(false) })
	})
	url := serveForTest(t, srv)

	dial := func() (*ClientSocket, <-chan string) {
		o := clientTestOptions(nil)
		o.DisableReconnection = true
		c := clientDial(t, url, o)
		reasons := make(chan string, 2)
		c.OnDisconnect(func(r string) { reasons <- r })
		return c, reasons
	}

	c, reasons := dial()
	clientEmit(t, c, "kick")
	if r := testutil.Recv(t, reasons, "client reason"); r != ReasonIOServerDisconnect {
		t.Errorf("server disconnect: client reason %q", r)
	}
	if r := testutil.Recv(t, serverReasons, "server reason"); r != ReasonServerNamespaceDisconnect {
		t.Errorf("server disconnect: server reason %q", r)
	}

	c, reasons = dial()
	c.Disconnect()
	if r := testutil.Recv(t, reasons, "client reason"); r != ReasonIOClientDisconnect {
		t.Errorf("client disconnect: client reason %q", r)
	}
	if r := testutil.Recv(t, serverReasons, "server reason"); r != ReasonClientNamespaceDisconnect {
		t.Errorf("client disconnect: server reason %q", r)
	}

	// The connection itself closing (Manager.Close sends no DISCONNECT, as
	// the reference's Manager.close): transport close on the server.
	c, _ = dial()
	c.Manager().Close()
	if r := testutil.Recv(t, serverReasons, "server reason"); r != ReasonTransportClose {
		t.Errorf("connection closed: server reason %q", r)
	}
}

// TestServerEmitWithAck: the server waits for a client's ack, bounded by a
// context, and an emit to a socket that never answers ends with the context.
func TestServerEmitWithAck(t *testing.T) {
	clientLeakCheck(t)
	results := make(chan string, 4)
	srv := NewServer(&Options{Logger: clientTestLogger()})
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("go", func(*Event) {
			ctx, cancel := context.WithTimeout(context.Background(), clientWait)
			defer cancel()
			a, err := s.EmitWithAck(ctx, "question", 20)
			if err != nil {
				results <- "error: " + err.Error()
				return
			}
			var n int
			a.Decode(0, &n)
			results <- strings.Repeat("x", n)
			ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if _, err := s.EmitWithAck(ctx, "ignored"); err != context.DeadlineExceeded {
				results <- "unanswered: " + err.Error()
				return
			}
			results <- "deadline"
		})
	})
	c := clientDial(t, serveForTest(t, srv), clientTestOptions(nil))
	c.On("question", func(e *Event) {
		var n int
		e.Decode(0, &n)
		e.Ack(n + 2)
	})
	c.On("ignored", func(*Event) {})
	clientEmit(t, c, "go")
	if r := testutil.Recv(t, results, "ack"); r != strings.Repeat("x", 22) {
		t.Fatalf("ack result %q", r)
	}
	if r := testutil.Recv(t, results, "deadline"); r != "deadline" {
		t.Fatalf("unanswered emit: %q", r)
	}
}

// TestEmitWithAckRejected: an ack answered with {"error": message} is a
// *RejectedError from the untyped EmitWithAck, both ways, as from the
// generated emitters; an object with other keys too is an ordinary reply.
func TestEmitWithAckRejected(t *testing.T) {
	clientLeakCheck(t)
	serverGot := make(chan error, 2)
	srv := NewServer(&Options{Logger: clientTestLogger()})
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("ask", func(e *Event) { e.AckError(NewClientError("not allowed")) })
		s.On("ask plain", func(e *Event) { e.Ack(map[string]any{"error": "none", "n": 1}) })
		s.On("go", func(*Event) {
			ctx, cancel := context.WithTimeout(context.Background(), clientWait)
			defer cancel()
			a, err := s.EmitWithAck(ctx, "question")
			if a != nil {
				err = fmt.Errorf("reply %v beside error %v", a.Raw, err)
			}
			serverGot <- err
		})
	})
	c := clientDial(t, serveForTest(t, srv), clientTestOptions(nil))
	c.On("question", func(e *Event) { e.AckError(NewClientError("no answer")) })

	a, err := c.EmitWithAck(t.Context(), "ask")
	var rej *RejectedError
	if !errors.As(err, &rej) || rej.Message != "not allowed" || a != nil {
		t.Fatalf("client EmitWithAck of a rejected ack: %v, %v; want a *RejectedError \"not allowed\" and no reply", a, err)
	}
	if a, err := c.EmitWithAck(t.Context(), "ask plain"); err != nil || len(a.Raw) != 1 {
		t.Fatalf("client EmitWithAck of {error, n}: %v, %v; want the reply", a, err)
	}
	clientEmit(t, c, "go")
	err = testutil.Recv(t, serverGot, "the server's EmitWithAck")
	if !errors.As(err, &rej) || rej.Message != "no answer" {
		t.Fatalf("server EmitWithAck of a rejected ack: %v; want a *RejectedError \"no answer\"", err)
	}
}

// TestTransportCloseReason: a websocket that goes away without a DISCONNECT
// packet (with a close frame, or just the TCP connection closing) ends its
// server socket with "transport close", as engine.io's ws onClose.
func TestTransportCloseReason(t *testing.T) {
	log := newReasonLog()
	ts := startServer(t, newEchoServer(nil, log))
	for _, close := range []struct {
		name string
		do   func(c *rawWS)
	}{
		{"close frame", func(c *rawWS) {
			c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
			c.ws.Close()
		}},
		{"TCP close", func(c *rawWS) { c.ws.NetConn().Close() }},
	} {
		c := dialWS(t, ts, "", nil)
		c.echo("/")
		close.do(c)
		if r := log.wait(t, c.sid); r != ReasonTransportClose {
			t.Errorf("%s: server reason %q, want %q", close.name, r, ReasonTransportClose)
		}
	}
}

// TestClientPingTimeoutReason: a server that stops answering pings ends
// the Go client's socket with "ping timeout" after pingInterval+pingTimeout.
func TestClientPingTimeoutReason(t *testing.T) {
	clientLeakCheck(t)
	up := websocket.Upgrader{}
	done := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		ws.WriteMessage(websocket.TextMessage, []byte(`0{"sid":"mute","upgrades":[],"pingInterval":100,"pingTimeout":200}`))
		ws.WriteMessage(websocket.TextMessage, []byte("40"))
		// Read (pings included) and never answer.
		go func() {
			<-done
			ws.Close()
		}()
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}))
	t.Cleanup(func() {
		close(done)
		ts.Close()
	})
	o := clientTestOptions([]string{engineio.WebSocket})
	o.DisableReconnection = true
	c := clientDial(t, ts.URL, o)
	reasons := make(chan string, 1)
	c.OnDisconnect(func(r string) { reasons <- r })
	if r := testutil.Recv(t, reasons, "the disconnect"); r != ReasonPingTimeout {
		t.Fatalf("client reason %q, want %q", r, ReasonPingTimeout)
	}
}

// TestServerPath checks the path a server is mounted at: DefaultPath, or
// the engine's Path option with its trailing slash, and that the browser
// client is served beside it.
func TestServerPath(t *testing.T) {
	if got := NewServer(nil).Path(); got != "/socket.io/" {
		t.Errorf("default Path() = %q, want %q", got, DefaultPath)
	}
	srv := NewServer(&Options{Engine: engineio.Options{Path: "/rt"}})
	if got := srv.Path(); got != "/rt/" {
		t.Errorf("Path() with Engine.Path %q = %q, want %q", "/rt", got, "/rt/")
	}
	mux := http.NewServeMux()
	mux.Handle(srv.Path(), srv)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/rt/socket.io.js", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET /rt/socket.io.js: status %d, want 200", rec.Code)
	}
}
