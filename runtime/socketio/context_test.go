package socketio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/siogen/siogen/internal/testutil"
)

type ctxKey struct{}

// withUser is ordinary net/http middleware: it puts the X-User header of
// each request into the request's context, as authentication would.
func withUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := r.Header.Get("X-User"); u != "" {
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, u))
		}
		next.ServeHTTP(w, r)
	})
}

// TestSocketContext: what HTTP middleware put in the handshake request's
// context reaches the namespace's middleware and the handlers through
// Socket.Context, middleware hands state to handlers through Data, and the
// context ends when the client leaves, with the reason as its cause; for
// both protocols, over every transport setup (websocket alone: the upgrade
// request is the handshake).
func TestSocketContext(t *testing.T) {
	clientLeakCheck(t)
	srv := NewServer(&Options{Logger: clientTestLogger()})
	causes := make(chan error, 1)
	srv.Of("/").Use(func(s *Socket) error {
		u, _ := s.Context().Value(ctxKey{}).(string)
		if u == "" {
			return errors.New("who are you?")
		}
		s.SetData("user " + u)
		return nil
	})
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("who", func(e *Event) {
			e.Ack(s.Data(), s.Context().Value(ctxKey{}))
		})
		s.On("hold", func(e *Event) {
			ctx := s.Context()
			go func() {
				<-ctx.Done()
				causes <- context.Cause(ctx)
			}()
			e.Ack()
		})
	})
	ts := httptest.NewServer(withUser(srv))
	t.Cleanup(func() {
		ts.Close()
		shutdownSoon(srv)
	})
	for _, protocol := range []int{4, 5} {
		for _, setup := range clientTransportSetups {
			t.Run(fmt.Sprintf("v%d/%s", protocol, setup.name), func(t *testing.T) {
				opts := clientProtocolOptions(setup.transports, protocol)
				opts.Engine.Header = http.Header{"X-User": {"ann"}}
				s := clientDial(t, ts.URL, opts)
				a := clientAsk(t, s, "who")
				if data, user := clientArg[string](t, a, 0), clientArg[string](t, a, 1); data != "user ann" || user != "ann" {
					t.Fatalf("who: data %q, context value %q; want \"user ann\", \"ann\"", data, user)
				}
				clientAsk(t, s, "hold")
				if err := s.Disconnect(); err != nil {
					t.Fatal(err)
				}
				cause := testutil.Recv(t, causes, "the socket's context to end")
				if !errors.Is(cause, ErrDisconnected) || !strings.Contains(cause.Error(), ReasonClientNamespaceDisconnect) {
					t.Fatalf("cause %v, want ErrDisconnected with %q", cause, ReasonClientNamespaceDisconnect)
				}
			})
		}
	}
}

// TestSocketContextEnds: the context ends on a server Shutdown, and for a
// socket its middleware refused; one asked for after the end is done at
// once.
func TestSocketContextEnds(t *testing.T) {
	clientLeakCheck(t)
	srv := NewServer(&Options{Logger: clientTestLogger()})
	// One channel each: the connection handler of "/" runs on its socket's
	// goroutine, so it may come after the refusal.
	roots, refusals := make(chan *Socket, 1), make(chan *Socket, 1)
	srv.Of("/").OnConnection(func(s *Socket) { roots <- s })
	srv.Of("/refusing").Use(func(s *Socket) error {
		refusals <- s
		s.Context()
		return errors.New("no")
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	s := clientDial(t, ts.URL, clientProtocolOptions(nil, 5))
	if err := s.Manager().Socket("/refusing").Connect(t.Context()); err == nil {
		t.Fatal("the refusing namespace accepted the client")
	}
	root, refused := testutil.Recv(t, roots, "/"), testutil.Recv(t, refusals, "/refusing")
	checkEnded := func(ctx context.Context, reason string) {
		t.Helper()
		select {
		case <-ctx.Done():
		default:
			t.Fatalf("the context did not end (%s)", reason)
		}
		if cause := context.Cause(ctx); !errors.Is(cause, ErrDisconnected) || !strings.Contains(cause.Error(), reason) {
			t.Fatalf("cause %v, want ErrDisconnected with %q", cause, reason)
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("Err %v, want context.Canceled", ctx.Err())
		}
	}
	checkEnded(refused.Context(), reasonRefused)

	ctx := root.Context()
	if ctx != root.Context() {
		t.Fatal("two calls of Context return different contexts")
	}
	if err := ctx.Err(); err != nil {
		t.Fatalf("a connected socket's context has ended: %v", err)
	}
	if err := srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	checkEnded(ctx, ReasonServerShutdown)
}

// TestDataOf: DataOf allocates once and returns the same pointer; data of
// another type is a programming error.
func TestDataOf(t *testing.T) {
	type session struct{ n int }
	s := &Socket{id: "x"}
	DataOf[session](s).n = 7
	if got := DataOf[session](s).n; got != 7 {
		t.Fatalf("n = %d after setting 7", got)
	}
	if _, ok := s.Data().(*session); !ok {
		t.Fatalf("Data() is a %T, want *session", s.Data())
	}
	s.SetData("other")
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "string") {
			t.Fatalf("panic %v, want one naming the string", r)
		}
	}()
	DataOf[session](s)
}

// TestDataKeptOnRecovery: a socket restored by connection state recovery
// skips its middleware, so it keeps the data the middleware set, as
// socket.io keeps socket.data.
func TestDataKeptOnRecovery(t *testing.T) {
	clientLeakCheck(t)
	type session struct{ user string }
	srv := NewServer(&Options{Logger: clientTestLogger(), Recovery: &RecoveryOptions{}})
	srv.Of("/").Use(func(s *Socket) error {
		DataOf[session](s).user = "ann"
		return nil
	})
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("who", func(e *Event) { e.Ack(DataOf[session](s).user) })
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		shutdownSoon(srv)
	})
	m := NewManager(ts.URL, clientProtocolOptions([]string{"websocket"}, 5))
	t.Cleanup(func() { m.Close() })
	s := m.Socket("/")
	news := clientExpect(s, "news")
	connects := make(chan bool, 2)
	s.OnConnect(func() { connects <- s.Recovered() })
	if err := s.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	testutil.Recv(t, connects, "connect")
	id := s.ID()
	srv.Of("/").Emit("news") // recovery resumes from the offset of an event received
	testutil.Recv(t, news, "news")
	srv.Engine().Conn(m.engineID()).Close()
	waitFor(t, "the socket to leave", func() bool { return srv.Of("/").Socket(id) == nil })
	if !testutil.Recv(t, connects, "reconnect") {
		t.Fatal("not recovered")
	}
	if u := clientArg[string](t, clientAsk(t, s, "who"), 0); u != "ann" {
		t.Fatalf("data after recovery: user %q, want ann", u)
	}
}
