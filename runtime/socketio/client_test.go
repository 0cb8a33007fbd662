package socketio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/testutil"
)

// TestClientContractGo runs the conformance contract with the Go client
// against the runtime's own conformance server, in both protocols.
func TestClientContractGo(t *testing.T) {
	for _, setup := range clientTransportSetups {
		for _, protocol := range []int{4, 5} {
			t.Run(fmt.Sprintf("%s/v%d", setup.name, protocol), func(t *testing.T) {
				clientLeakCheck(t)
				srv := newConformanceServer()
				ts := httptest.NewServer(srv)
				t.Cleanup(func() {
					ts.Close()
					srv.Shutdown(context.Background())
				})
				clientRunContract(t, ts.URL, setup.transports, protocol, false)
			})
		}
	}
}

// TestClientContractReference runs the conformance contract with the Go
// client against the reference server on socket.io 2.5.1
// (interop/sio-conformance-server.js, a copy of
// shared/peers/node-conformance).
func TestClientContractReference(t *testing.T) {
	nodetest.Require(t)
	addr := nodetest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	nodetest.Start(t, "sio-conformance-server.js", "listening", []string{"PORT=" + port})
	for _, setup := range clientTransportSetups {
		t.Run(setup.name, func(t *testing.T) {
			clientLeakCheck(t)
			clientRunContract(t, "http://"+addr, setup.transports, 4, false)
		})
	}
}

// TestClientContractReferenceV4 runs the rows of the 4.x conformance
// contract with the Go client in protocol 5 against the reference server on
// socket.io 4.8.3 (interop/sio-conformance-server-v4.js, a copy of
// shared/peers/node-conformance-v4), which keeps sessions for recovery and
// so appends an offset to every event it sends.
func TestClientContractReferenceV4(t *testing.T) {
	nodetest.Require(t)
	addr := nodetest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	nodetest.Start(t, "sio-conformance-server-v4.js", "listening", []string{"PORT=" + port})
	for _, setup := range clientTransportSetups {
		t.Run(setup.name, func(t *testing.T) {
			clientLeakCheck(t)
			clientRunContract(t, "http://"+addr, setup.transports, 5, true)
		})
	}
}

func TestClientBackoff(t *testing.T) {
	const min, max = time.Second, 5 * time.Second
	// Without jitter the delay doubles from min and stops at max.
	var got []time.Duration
	for attempt := range 5 {
		got = append(got, clientBackoff(min, max, 0, attempt, 0.3))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	if !slices.Equal(got, want) {
		t.Fatalf("delays %v, want %v", got, want)
	}
	// With jitter 0.5, as backo2: r picks the size of the deviation and, by
	// the parity of floor(r*10), its direction.
	if d := clientBackoff(min, max, 0.5, 0, 0.2); d != 900*time.Millisecond {
		t.Fatalf("r=0.2: %v, want 900ms (down 10%%)", d)
	}
	if d := clientBackoff(min, max, 0.5, 0, 0.3); d != 1150*time.Millisecond {
		t.Fatalf("r=0.3: %v, want 1.15s (up 15%%)", d)
	}
	for attempt := range 10 {
		for _, r := range []float64{0, 0.19, 0.5, 0.99} {
			d := clientBackoff(min, max, 0.5, attempt, r)
			if d <= 0 || d > max {
				t.Fatalf("attempt %d r %v: %v out of (0, max]", attempt, r, d)
			}
		}
	}
}

// restartableServer serves on a fixed loopback address that can go away
// and come back, as a server process that crashes and restarts.
type restartableServer struct {
	t     *testing.T
	addr  string
	mu    sync.Mutex
	l     net.Listener
	conns []net.Conn
	wg    sync.WaitGroup
}

func newRestartableServer(t *testing.T) *restartableServer {
	r := &restartableServer{t: t, addr: nodetest.FreeAddr(t)}
	t.Cleanup(r.stop)
	return r
}

// start serves h until stop.
func (r *restartableServer) start(h http.Handler) {
	r.t.Helper()
	var l net.Listener
	var err error
	for range 50 { // the port may linger briefly after stop
		if l, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond) // a retry period while the port lingers, not an ordering
	}
	if err != nil {
		r.t.Fatalf("listen %s: %v", r.addr, err)
	}
	r.mu.Lock()
	r.l = l
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		http.Serve(trackingListener{l, r}, h)
	}()
}

// stop closes the listener and every connection it accepted, hijacked
// websockets included, as a crash would.
func (r *restartableServer) stop() {
	r.mu.Lock()
	if r.l != nil {
		r.l.Close()
		r.l = nil
	}
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
	r.mu.Unlock()
	r.wg.Wait()
}

type trackingListener struct {
	net.Listener
	r *restartableServer
}

func (l trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.r.mu.Lock()
	defer l.r.mu.Unlock()
	if l.r.l != l.Listener {
		// Accepted as stop ran: stop did not see it, so it goes now.
		c.Close()
		return nil, net.ErrClosed
	}
	l.r.conns = append(l.r.conns, c)
	return c, nil
}

// shutdownSoon shuts srv down, giving up quickly on sessions whose
// connections were cut: a polling session that is never polled again
// would hold Shutdown for the heartbeat timeout.
func shutdownSoon(srv *Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	srv.Shutdown(ctx)
}

// newNotesServer returns a server whose sockets report their "note"
// events on got and answer "hi" with "hi".
func newNotesServer(got chan<- string) *Server {
	srv := NewServer(&Options{Logger: clientTestLogger()})
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("note", func(e *Event) {
			var v string
			e.Decode(0, &v)
			got <- v
		})
		s.On("hi", func(*Event) { s.Emit("hi") })
	})
	return srv
}

// TestClientReconnectsAfterRestart: the server crashes; the client reports
// the loss, tries again with backoff, reconnects once the server is back,
// sends what was emitted meanwhile, and its handlers keep working.
func TestClientReconnectsAfterRestart(t *testing.T) {
	for _, setup := range clientTransportSetups {
		t.Run(setup.name, func(t *testing.T) {
			clientLeakCheck(t)
			got := make(chan string, 16)
			srv1, srv2 := newNotesServer(got), newNotesServer(got)
			t.Cleanup(func() {
				shutdownSoon(srv1)
				shutdownSoon(srv2)
			})
			rs := newRestartableServer(t)
			rs.start(srv1)

			m := NewManager("http://"+rs.addr, clientTestOptions(setup.transports))
			t.Cleanup(func() { m.Close() })
			attempts := make(chan int, 64)
			reconnected := make(chan int, 4)
			m.OnReconnectAttempt(func(n int) { attempts <- n })
			m.OnReconnect(func(n int) { reconnected <- n })
			s := m.Socket("/")
			connects := make(chan string, 4)
			disconnects := make(chan string, 4)
			s.OnConnect(func() { connects <- s.ID() })
			s.OnDisconnect(func(reason string) { disconnects <- reason })
			hi := clientExpect(s, "hi")
			if err := s.Connect(t.Context()); err != nil {
				t.Fatal(err)
			}
			first := testutil.Recv(t, connects, "connect")
			clientEmit(t, s, "note", "before")
			if v := testutil.Recv(t, got, "note"); v != "before" {
				t.Fatalf("note %q", v)
			}

			rs.stop()
			if r := testutil.Recv(t, disconnects, "disconnect"); r != ReasonTransportClose && r != ReasonTransportError {
				t.Fatalf("disconnect reason %q, want transport close or error", r)
			}
			if s.Connected() || s.ID() != "" {
				t.Fatalf("connected %v, id %q after the loss", s.Connected(), s.ID())
			}
			clientEmit(t, s, "note", "while down") // buffered
			// At least two failed attempts, numbered from 1.
			if n := testutil.Recv(t, attempts, "reconnect attempt"); n != 1 {
				t.Fatalf("first attempt numbered %d", n)
			}
			if n := testutil.Recv(t, attempts, "reconnect attempt"); n != 2 {
				t.Fatalf("second attempt numbered %d", n)
			}

			rs.start(srv2)
			if n := testutil.Recv(t, reconnected, "reconnect"); n < 2 {
				t.Fatalf("reconnected on attempt %d, want at least 2", n)
			}
			second := testutil.Recv(t, connects, "connect")
			if second == "" || second == first {
				t.Fatalf("ids %q then %q: want a new session", first, second)
			}
			if v := testutil.Recv(t, got, "note"); v != "while down" {
				t.Fatalf("note %q, want the buffered one", v)
			}
			clientEmit(t, s, "hi")
			testutil.Recv(t, hi, "hi")
			testutil.None(t, got, "note delivered twice")
		})
	}
}

// TestClientReconnectFailed: with ReconnectionAttempts set, the Manager
// gives up after that many attempts and reports it.
func TestClientReconnectFailed(t *testing.T) {
	clientLeakCheck(t)
	got := make(chan string, 4)
	srv := newNotesServer(got)
	t.Cleanup(func() { shutdownSoon(srv) })
	rs := newRestartableServer(t)
	rs.start(srv)
	opts := clientTestOptions(nil)
	opts.ReconnectionAttempts = 2
	m := NewManager("http://"+rs.addr, opts)
	t.Cleanup(func() { m.Close() })
	attempts := make(chan int, 8)
	failed := make(chan struct{}, 2)
	m.OnReconnectAttempt(func(n int) { attempts <- n })
	m.OnReconnectFailed(func() { failed <- struct{}{} })
	s := m.Socket("/")
	if err := s.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	rs.stop()
	testutil.Recv(t, failed, "reconnect failed")
	if n := len(attempts); n != 2 {
		t.Fatalf("%d attempts, want 2", n)
	}
	<-attempts
	<-attempts
	testutil.None(t, attempts, "attempt after giving up")
	// Connect starts over.
	rs.start(srv)
	if err := s.Connect(t.Context()); err != nil {
		t.Fatalf("connect after giving up: %v", err)
	}
}

// TestClientAckDeadline: EmitWithAck ends with the context when the
// server never answers, and with ErrDisconnected when the connection
// carrying the packet is lost.
func TestClientAckDeadline(t *testing.T) {
	clientLeakCheck(t)
	srv := NewServer(&Options{Logger: clientTestLogger()})
	arrived := make(chan struct{}, 2) // each "never" the server receives
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("never", func(*Event) { arrived <- struct{}{} })
	})
	rs := newRestartableServer(t)
	rs.start(srv)
	t.Cleanup(func() { shutdownSoon(srv) })
	s := clientDial(t, "http://"+rs.addr, clientTestOptions(nil))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.EmitWithAck(ctx, "never"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("EmitWithAck: %v, want deadline exceeded", err)
	}
	testutil.Recv(t, arrived, "the first never at the server")
	errc := make(chan error, 1)
	go func() {
		_, err := s.EmitWithAck(t.Context(), "never")
		errc <- err
	}()
	testutil.Recv(t, arrived, "the second never at the server") // its ack is pending
	rs.stop()
	if err := testutil.Recv(t, errc, "EmitWithAck result"); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("EmitWithAck across a lost connection: %v, want ErrDisconnected", err)
	}
}

// TestClientReconnectsToReference: the Go client reconnects to the
// reference server after it restarts: socket.io 2.5.1 in protocol 4, and
// socket.io 4.8.3 in protocol 5 (whose new process cannot recover the
// session: a fresh id).
func TestClientReconnectsToReference(t *testing.T) {
	t.Run("socket.io 2.5.1", func(t *testing.T) { testClientReconnectsToReference(t, "sio-conformance-server.js", 4) })
	t.Run("socket.io 4.8.3", func(t *testing.T) { testClientReconnectsToReference(t, "sio-conformance-server-v4.js", 5) })
}

func testClientReconnectsToReference(t *testing.T, script string, protocol int) {
	nodetest.Require(t)
	clientLeakCheck(t)
	addr := nodetest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	env := []string{"PORT=" + port}
	p := nodetest.Start(t, script, "listening", env)
	m := NewManager("http://"+addr, clientProtocolOptions(nil, protocol))
	t.Cleanup(func() { m.Close() })
	reconnected := make(chan int, 4)
	m.OnReconnect(func(n int) { reconnected <- n })
	s := m.Socket("/")
	connects := make(chan string, 4)
	s.OnConnect(func() { connects <- s.ID() })
	hi := clientExpect(s, "hi")
	if err := s.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	disconnects := make(chan string, 4)
	s.OnDisconnect(func(reason string) { disconnects <- reason })
	first := testutil.Recv(t, connects, "connect")
	p.Kill()
	testutil.Recv(t, disconnects, "disconnect")
	clientEmit(t, s, "hi") // buffered until the server is back
	nodetest.Start(t, script, "listening", env)
	testutil.Recv(t, reconnected, "reconnect")
	if second := testutil.Recv(t, connects, "connect"); second == first {
		t.Fatalf("same id %q after the restart", second)
	}
	testutil.Recv(t, hi, "hi")
}

// TestClientDefaults: zero ManagerOptions get socket.io-client 2.5.0's
// defaults (lib/manager.js): reconnection on, attempts unlimited, delay
// 1000 ms, delay max 5000 ms, randomization 0.5, timeout 20000 ms.
func TestClientDefaults(t *testing.T) {
	for _, opts := range []*ManagerOptions{nil, {}} {
		c := opts.withDefaults()
		for _, f := range []struct {
			name      string
			got, want any
		}{
			{"reconnection", !c.DisableReconnection, true},
			{"reconnectionAttempts (0: unlimited)", c.ReconnectionAttempts, 0},
			{"reconnectionDelay", c.ReconnectionDelay, time.Second},
			{"reconnectionDelayMax", c.ReconnectionDelayMax, 5 * time.Second},
			{"randomizationFactor", c.RandomizationFactor, 0.5},
			{"timeout", c.Timeout, 20 * time.Second},
			{"path", c.Path, "/socket.io/"},
		} {
			if f.got != f.want {
				t.Errorf("%v options: %s = %v, want %v", opts, f.name, f.got, f.want)
			}
		}
	}
}

// TestClientHandlerPanicRecovered: a panicking client handler is logged
// and the socket's next event is still delivered.
func TestClientHandlerPanicRecovered(t *testing.T) {
	clientLeakCheck(t)
	srv := NewServer(&Options{Logger: clientTestLogger()})
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("go", func(*Event) {
			s.Emit("boom")
			s.Emit("after", 1)
		})
	})
	logs := &testutil.Buffer{}
	o := clientTestOptions(nil)
	o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	c := clientDial(t, serveForTest(t, srv), o)
	c.On("boom", func(*Event) { panic("client kaboom") })
	after := clientExpect(c, "after")
	clientEmit(t, c, "go")
	if n := clientArg[int](t, &testutil.Recv(t, after, "the event after the panic").Args, 0); n != 1 {
		t.Fatalf("after the panic: %d", n)
	}
	if !strings.Contains(logs.String(), "client kaboom") {
		t.Fatalf("the panic was not logged:\n%s", logs.String())
	}
}

// TestClientRecovery: the Go client in protocol 5 gets its session back
// from a server with Options.Recovery after its connection drops: the same
// id, Recovered, and the events emitted to it meanwhile, in order, without
// their offsets.
func TestClientRecovery(t *testing.T) {
	clientLeakCheck(t)
	srv := NewServer(&Options{Logger: clientTestLogger(), Recovery: &RecoveryOptions{}})
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("join", func(e *Event) {
			var room string
			e.Decode(0, &room)
			s.Join(room)
			e.Ack()
		})
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Shutdown(context.Background())
	})
	for _, setup := range clientTransportSetups {
		t.Run(setup.name, func(t *testing.T) {
			m := NewManager(ts.URL, clientProtocolOptions(setup.transports, 5))
			t.Cleanup(func() { m.Close() })
			s := m.Socket("/")
			news := clientExpect(s, "news")
			connects := make(chan bool, 4)
			s.OnConnect(func() { connects <- s.Recovered() })
			if err := s.Connect(t.Context()); err != nil {
				t.Fatal(err)
			}
			if testutil.Recv(t, connects, "connect") {
				t.Fatal("a fresh socket reports Recovered")
			}
			id := s.ID()
			room := "room-" + setup.name
			clientAsk(t, s, "join", room)
			srv.Of("/").To(room).Emit("news", 0)
			if n := clientArg[int](t, &testutil.Recv(t, news, "news").Args, 0); n != 0 {
				t.Fatalf("news %d", n)
			}
			// The server drops the connection; the client reconnects.
			srv.Engine().Conn(m.engineID()).Close()
			waitFor(t, "the socket to leave", func() bool { return srv.Of("/").Socket(id) == nil })
			for i := 1; i <= 3; i++ {
				srv.Of("/").To(room).Emit("news", i)
			}
			if !testutil.Recv(t, connects, "reconnect") {
				t.Fatal("not recovered")
			}
			for i := 1; i <= 3; i++ {
				e := testutil.Recv(t, news, "missed news")
				if n := clientArg[int](t, &e.Args, 0); n != i || e.Len() != 1 {
					t.Fatalf("missed news %d: %s", i, e.Raw)
				}
			}
			if s.ID() != id {
				t.Errorf("id %q after recovery, was %q", s.ID(), id)
			}
		})
	}
}

// cutProxy forwards loopback TCP connections to a backend and can cut all
// of them at once, as a network that drops: neither side closes anything
// in order.
type cutProxy struct {
	ln      net.Listener
	backend string
	mu      sync.Mutex
	conns   []net.Conn
}

func startCutProxy(t *testing.T, backend string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, backend: backend}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, err := net.Dial("tcp", backend)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, b)
			p.mu.Unlock()
			go func() { io.Copy(b, c); b.Close() }()
			go func() { io.Copy(c, b); c.Close() }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.cut()
	})
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

// cut closes every forwarded connection.
func (p *cutProxy) cut() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// TestClientRecoversWithReference: the Go client in protocol 5 gets its
// session back from socket.io 4.8.3 (interop/sio-conformance-server-v4.js,
// connection state recovery on) after the network drops its websocket: the
// same id, and Recovered. (Over polling the server notices a dropped network
// only when a held poll breaks or its ping goes unanswered, and a session
// it has not noticed losing cannot be recovered yet: a client that comes
// back sooner gets a fresh one, from socket.io as from this server.)
func TestClientRecoversWithReference(t *testing.T) {
	nodetest.Require(t)
	addr := nodetest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	nodetest.Start(t, "sio-conformance-server-v4.js", "listening", []string{"PORT=" + port})
	for _, setup := range clientTransportSetups[1:2] { // websocket
		t.Run(setup.name, func(t *testing.T) {
			proxy := startCutProxy(t, addr)
			m := NewManager("http://"+proxy.addr(), clientProtocolOptions(setup.transports, 5))
			t.Cleanup(func() { m.Close() })
			s := m.Socket("/")
			hi := clientExpect(s, "hi")
			connects := make(chan bool, 4)
			s.OnConnect(func() { connects <- s.Recovered() })
			if err := s.Connect(t.Context()); err != nil {
				t.Fatal(err)
			}
			if testutil.Recv(t, connects, "connect") {
				t.Fatal("a fresh socket reports Recovered")
			}
			clientEmit(t, s, "hi")
			if e := testutil.Recv(t, hi, "hi"); e.Len() != 0 {
				t.Fatalf("hi with %d arguments: the offset was not taken off", e.Len())
			}
			id := s.ID()
			proxy.cut()
			if !testutil.Recv(t, connects, "reconnect") {
				t.Fatal("not recovered")
			}
			if s.ID() != id {
				t.Errorf("id %q after recovery, was %q", s.ID(), id)
			}
			clientEmit(t, s, "hi")
			testutil.Recv(t, hi, "hi after recovery")
		})
	}
}
