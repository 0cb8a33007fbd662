package socketio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/siogen/siogen/internal/testutil"
)

// rejection emits event with args asking for an ack, and returns the
// message of the ack error that answers, failing the test when none does.
func rejection(t *testing.T, c *ClientSocket, event string, args ...any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), clientWait)
	defer cancel()
	a, err := c.EmitWithAck(ctx, event, args...)
	var rej *RejectedError
	if !errors.As(err, &rej) || a != nil {
		t.Fatalf("got %v, %v; want a *RejectedError", a, err)
	}
	return rej.Message
}

// TestEventMiddleware: event middleware runs in the order added before the
// handler, for events with and without a handler; the first error refuses
// the event: no handler, OnError told, the ack carries a ClientError's
// message or the generic one; a panic refuses it too and is logged.
func TestEventMiddleware(t *testing.T) {
	for _, setup := range clientTransportSetups {
		t.Run(setup.name, func(t *testing.T) {
			clientLeakCheck(t)
			logs := &testutil.Buffer{}
			srv := NewServer(&Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
			nsp := srv.Of("/")
			var mu sync.Mutex
			var trace []string
			note := func(s string) { mu.Lock(); trace = append(trace, s); mu.Unlock() }
			nsp.UseEvent(func(e *Event) error {
				note("first " + e.Name)
				if e.Socket() == nil {
					return errors.New("no socket")
				}
				switch e.Name {
				case "forbidden":
					return fmt.Errorf("policy: %w", NewClientError("not for you"))
				case "broken":
					return errors.New("db password is hunter2")
				case "panic":
					panic("middleware kaboom")
				}
				return nil
			})
			nsp.UseEvent(func(e *Event) error { note("second " + e.Name); return nil })
			reported := make(chan error, 8)
			nsp.OnConnection(func(s *Socket) {
				s.OnError(func(err error) { reported <- err })
				for _, name := range []string{"ok", "forbidden", "broken", "panic"} {
					s.On(name, func(e *Event) { note("handler " + e.Name); e.Ack("done") })
				}
			})
			c := clientDial(t, serveForTest(t, srv), clientTestOptions(setup.transports))

			if got := clientArg[string](t, clientAsk(t, c, "ok"), 0); got != "done" {
				t.Fatalf("ok: %q", got)
			}
			if msg := rejection(t, c, "forbidden"); msg != "not for you" {
				t.Errorf("forbidden: the ack says %q, want the ClientError's message alone", msg)
			}
			if err := testutil.Recv(t, reported, "OnError for forbidden"); err.Error() != "policy: not for you" {
				t.Errorf("OnError got %v", err)
			}
			if msg := rejection(t, c, "broken"); msg != InternalErrorMessage {
				t.Errorf("broken: the ack says %q, want %q", msg, InternalErrorMessage)
			}
			if err := testutil.Recv(t, reported, "OnError for broken"); !strings.Contains(err.Error(), "hunter2") {
				t.Errorf("OnError got %v, want the internal error itself", err)
			}
			if msg := rejection(t, c, "panic"); msg != InternalErrorMessage {
				t.Errorf("panic: the ack says %q", msg)
			}
			if err := testutil.Recv(t, reported, "OnError for the panic"); !errors.Is(err, errMiddlewarePanic) {
				t.Errorf("OnError got %v", err)
			}
			clientEmit(t, c, "unhandled")
			if got := clientArg[string](t, clientAsk(t, c, "ok"), 0); got != "done" {
				t.Fatalf("ok after the refusals: %q", got)
			}
			mu.Lock()
			got := slices.Clone(trace)
			mu.Unlock()
			want := []string{
				"first ok", "second ok", "handler ok",
				"first forbidden", "first broken", "first panic",
				"first unhandled", "second unhandled",
				"first ok", "second ok", "handler ok",
			}
			if !slices.Equal(got, want) {
				t.Errorf("trace:\n%q\nwant\n%q", got, want)
			}
			if !strings.Contains(logs.String(), "middleware kaboom") {
				t.Errorf("the panic was not logged:\n%s", logs.String())
			}
		})
	}
}

// TestOnAnyAndOnAnyOutgoing: OnAny sees every event the socket receives,
// refused ones included, before middleware; OnAnyOutgoing sees the
// socket's own emits and the broadcasts that reach it (with acks too),
// with their arguments, and not those that leave it out.
func TestOnAnyAndOnAnyOutgoing(t *testing.T) {
	clientLeakCheck(t)
	srv := NewServer(&Options{Logger: clientTestLogger()})
	nsp := srv.Of("/")
	nsp.UseEvent(func(e *Event) error {
		if e.Name == "refused" {
			return NewClientError("no")
		}
		return nil
	})
	incoming := make(chan string, 16)
	outgoing := make(chan string, 16)
	sockets := make(chan *Socket, 2)
	nsp.OnConnection(func(s *Socket) {
		s.OnAny(func(event string, args *Args) { incoming <- event + " " + string(slices.Concat(args.Raw...)) })
		if s.Handshake().Query.Get("watch") != "" {
			s.OnAnyOutgoing(func(event string, args *Args) {
				outgoing <- fmt.Sprintf("%s %s %d", event, slices.Concat(args.Raw...), len(args.Attachments))
			})
		}
		s.On("join", func(e *Event) { s.Join("room"); e.Ack() })
		sockets <- s
	})
	url := serveForTest(t, srv)
	watched := clientDial(t, url+"?watch=1", clientTestOptions(nil))
	sw := testutil.Recv(t, sockets, "the watched socket")
	other := clientDial(t, url, clientTestOptions(nil))
	so := testutil.Recv(t, sockets, "the other socket")
	if nsp.outgoingListeners.Load() != 1 {
		t.Fatalf("%d sockets counted with outgoing listeners, want 1", nsp.outgoingListeners.Load())
	}

	clientAsk(t, watched, "join")
	clientEmit(t, watched, "refused", 1)
	clientEmit(t, watched, "nobody listens", "x")
	for _, want := range []string{`join `, `refused 1`, `nobody listens "x"`} {
		if got := testutil.Recv(t, incoming, "OnAny"); got != want {
			t.Errorf("OnAny got %q, want %q", got, want)
		}
	}

	sw.Emit("direct", "a", []byte{1})
	other.On("reply", func(e *Event) { e.Ack(true) })
	go sw.EmitWithAck(t.Context(), "asked", 2)
	nsp.To("room").Emit("to room", 3)
	so.Broadcast().Emit("from other", 4) // reaches the watched socket
	sw.Broadcast().Emit("from watched", 5)
	nsp.Except("room").Emit("not to room", 6)
	nsp.Emit("everyone", 7)
	watched.On("vote", func(e *Event) { e.Ack(true) })
	other.On("vote", func(e *Event) { e.Ack(false) })
	if acks, err := nsp.EmitWithAck(t.Context(), "vote", 8); err != nil || len(acks.Replies) != 2 {
		t.Fatalf("broadcast with acks: %+v, %v", acks, err)
	}
	var got []string
	for range 6 {
		got = append(got, testutil.Recv(t, outgoing, "OnAnyOutgoing"))
	}
	testutil.None(t, outgoing, "an outgoing event that does not reach the watched socket")
	slices.Sort(got[1:]) // the goroutine's EmitWithAck races with the broadcasts
	want := []string{`direct "a"{"_placeholder":true,"num":0} 1`}
	want2 := []string{`asked 2 0`, `everyone 7 0`, `from other 4 0`, `to room 3 0`, `vote 8 0`}
	if got[0] != want[0] || !slices.Equal(got[1:], want2) {
		t.Errorf("OnAnyOutgoing got\n%q\nwant\n%q then, in any order, %q", got, want, want2)
	}

	watched.Manager().Close()
	testutil.Eventually(t, clientWait, "the closed socket to leave the count", func() bool {
		return nsp.outgoingListeners.Load() == 0
	})
}

// TestHandlerErrorsStayOnServer: AckError sends a ClientError's message
// (found through wrapping), an ArgError's, and for anything else the
// generic message, logging the error with the socket and event.
func TestHandlerErrorsStayOnServer(t *testing.T) {
	clientLeakCheck(t)
	logs := &testutil.Buffer{}
	srv := NewServer(&Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	ids := make(chan string, 1)
	srv.Of("/").OnConnection(func(s *Socket) {
		ids <- s.ID()
		s.On("secret", func(e *Event) { e.AckError(fmt.Errorf("query users: password=hunter2")) })
		s.On("client", func(e *Event) {
			e.AckError(fmt.Errorf("save: %w", &ClientError{Message: "name taken", Err: errors.New("unique index users_name")}))
		})
		s.On("arg", func(e *Event) {
			var n int
			if err := e.Decode(0, &n); err != nil {
				e.RejectArg(0, err)
			}
		})
	})
	c := clientDial(t, serveForTest(t, srv), clientTestOptions(nil))
	id := testutil.Recv(t, ids, "the socket id")
	if msg := rejection(t, c, "secret"); msg != InternalErrorMessage {
		t.Errorf("secret: %q", msg)
	}
	if msg := rejection(t, c, "client"); msg != "name taken" {
		t.Errorf("client: %q", msg)
	}
	if msg := rejection(t, c, "arg", "seven"); msg != `"arg": argument 1: want an integer, got a string` {
		t.Errorf("arg: %q", msg)
	}
	log := logs.String()
	if !strings.Contains(log, "hunter2") || !strings.Contains(log, "id="+id) || !strings.Contains(log, "event=secret") {
		t.Errorf("the internal error was not logged with the socket and event:\n%s", log)
	}
	if strings.Contains(log, "unique index") {
		t.Errorf("a ClientError was logged as internal:\n%s", log)
	}
}

// TestConnectRefusalsStayOnServer: a connection middleware's ClientError
// reaches the client, wrapped or not, and so does an error with a Data
// method (its data too, for protocol 5); any other error's text does not.
func TestConnectRefusalsStayOnServer(t *testing.T) {
	clientLeakCheck(t)
	logs := &testutil.Buffer{}
	srv := NewServer(&Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	srv.Of("/plain").Use(func(*Socket) error { return errors.New("ldap bind failed: secret dn") })
	srv.Of("/client").Use(func(*Socket) error { return fmt.Errorf("auth: %w", NewClientError("bad token")) })
	srv.Of("/data").Use(func(*Socket) error { return lockedError{"locked"} })
	url := serveForTest(t, srv)
	for _, c := range []struct {
		nsp, want string
		data      string // protocol 5's
	}{
		{"/plain", InternalErrorMessage, ""},
		{"/client", "bad token", ""},
		{"/data", "locked", `{"retry":5}`},
	} {
		for _, protocol := range []int{4, 5} {
			if c.data != "" && protocol == 4 {
				continue // socket.io 2.x sends the data alone (TestConnectV5 and the conformance tests cover the forms)
			}
			opts := clientProtocolOptions(nil, protocol)
			opts.DisableReconnection = true
			_, err := Dial(t.Context(), url+c.nsp, opts)
			var ce *ConnectError
			if !errors.As(err, &ce) || ce.Message != c.want {
				t.Errorf("%s (protocol %d): %v, want the message %q", c.nsp, protocol, err, c.want)
				continue
			}
			if protocol == 5 && string(ce.Data) != c.data {
				t.Errorf("%s: data %v, want %v", c.nsp, ce.Data, c.data)
			}
		}
	}
	if !strings.Contains(logs.String(), "secret dn") {
		t.Errorf("the internal refusal was not logged:\n%s", logs.String())
	}
}

type lockedError struct{ msg string }

func (e lockedError) Error() string { return e.msg }
func (e lockedError) Data() any     { return map[string]any{"retry": 5} }

// TestRejectedErrorPassedOn: a rejection passed on, wrapped or as a
// ClientError's message, does not repeat a prefix.
func TestRejectedErrorPassedOn(t *testing.T) {
	rej := (&Args{Raw: [][]byte{[]byte(`{"error":"nope"}`)}}).Rejected()
	if rej.Error() != "nope" {
		t.Errorf("Error() = %q", rej.Error())
	}
	wrapped := fmt.Errorf("confirm: %w", rej)
	msg, _ := forPeer(&ClientError{Message: wrapped.Error(), Err: wrapped})
	again := (&RejectedError{Message: msg}).Error()
	if again != "confirm: nope" {
		t.Errorf("passed on twice: %q", again)
	}
	if (&RejectedError{}).Error() != "rejected" {
		t.Errorf("empty message: %q", (&RejectedError{}).Error())
	}
}
