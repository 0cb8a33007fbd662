package socketio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
)

// clientWait bounds every wait of the client tests.
const clientWait = 5 * time.Second

// clientQuiet is how long a test waits to see that something does not
// happen.
const clientQuiet = 300 * time.Millisecond

// clientTransportSetups are the transport configurations every client test
// runs on.
var clientTransportSetups = []struct {
	name       string
	transports []string
}{
	{"polling+upgrade", []string{engineio.Polling, engineio.WebSocket}},
	{"websocket", []string{engineio.WebSocket}},
	{"polling", []string{engineio.Polling}},
}

// clientLeakCheck fails t if goroutines started during the test outlive
// it. It runs after every other cleanup (node processes included).
func clientLeakCheck(t *testing.T) {
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		if !t.Failed() {
			goleak.VerifyNone(t, opt)
		}
	})
}

// clientTestLogger drops everything below warnings.
func clientTestLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// clientTestOptions returns options with the given transports and fast
// reconnection, speaking the protocol of socket.io 2.x, which most client
// tests pin (clientProtocolOptions chooses).
func clientTestOptions(transports []string) *ManagerOptions {
	return clientProtocolOptions(transports, 4)
}

// clientProtocolOptions is clientTestOptions speaking Socket.IO revision
// protocol (4 or 5).
func clientProtocolOptions(transports []string, protocol int) *ManagerOptions {
	return &ManagerOptions{
		Protocol:             protocol,
		Engine:               engineio.DialOptions{Transports: transports},
		ReconnectionDelay:    50 * time.Millisecond,
		ReconnectionDelayMax: 200 * time.Millisecond,
		Timeout:              clientWait,
	}
}

// clientDial dials rawURL and closes the socket's manager at cleanup.
func clientDial(t *testing.T, rawURL string, opts *ManagerOptions) *ClientSocket {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), clientWait)
	defer cancel()
	s, err := Dial(ctx, rawURL, opts)
	if err != nil {
		t.Fatalf("Dial %s: %v", rawURL, err)
	}
	t.Cleanup(func() { s.Manager().Close() })
	return s
}

// clientExpect registers a handler for event that hands its events over a
// channel.
func clientExpect(s *ClientSocket, event string) <-chan *Event {
	ch := make(chan *Event, 16)
	s.On(event, func(e *Event) { ch <- e })
	return ch
}

// clientArg decodes argument i of a into a new T.
func clientArg[T any](t *testing.T, a *Args, i int) T {
	t.Helper()
	var v T
	if err := a.Decode(i, &v); err != nil {
		t.Fatalf("decode argument %d (%s): %v", i, a.Raw, err)
	}
	return v
}

// clientAsk calls EmitWithAck, failing t on error.
func clientAsk(t *testing.T, s *ClientSocket, event string, args ...any) *Args {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), clientWait)
	defer cancel()
	a, err := s.EmitWithAck(ctx, event, args...)
	if err != nil {
		t.Fatalf("EmitWithAck %q: %v", event, err)
	}
	return a
}

func clientEmit(t *testing.T, s *ClientSocket, event string, args ...any) {
	t.Helper()
	if err := s.Emit(event, args...); err != nil {
		t.Fatalf("Emit %q: %v", event, err)
	}
}

// clientRefused dials rawURL and checks that the server refuses it with
// the ERROR message want for namespace nsp.
func clientRefused(t *testing.T, rawURL string, opts *ManagerOptions, nsp, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), clientWait)
	defer cancel()
	s, err := Dial(ctx, rawURL, opts)
	if err == nil {
		s.Manager().Close()
		t.Fatalf("Dial %s: connected, want refusal %q", rawURL, want)
	}
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Message != want || ce.Namespace != nsp {
		t.Fatalf("Dial %s: %v (%#v), want ConnectError %s %q", rawURL, err, ce, nsp, want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not carry the server's message %q", err, want)
	}
}

var clientRun atomic.Int64

// clientRunContract checks every row of the conformance contract
// (shared/peers/node-conformance/README.md) with the Go client against the
// server at base (http://host:port), over transports, in Socket.IO revision
// protocol: 4 for socket.io 2.x, 5 for 4.x, where a few rows differ (ids of
// their own, no namespace query, refusals of "/" for "/" alone). With
// only4x, the rows the 4.x contract lacks (getbin, rooms, broadcast,
// disconnect me, server ack, /admin, the fail middleware) do not apply: the
// reference node-conformance-v4 has none of them.
func clientRunContract(t *testing.T, base string, transports []string, protocol int, only4x bool) {
	opts := func() *ManagerOptions { return clientProtocolOptions(transports, protocol) }
	v5 := protocol == 5
	rows := testutil.NewContract(t, testutil.UntypedClient)
	// run2x runs a row that only the 2.x contract has; against the
	// reference node-conformance-v4 (only4x) it does not apply.
	run2x := func(name string, f func(t *testing.T)) {
		if only4x {
			rows.NotApplicable(name)
			return
		}
		rows.Run(name, f)
	}
	asdf := []byte("asdfasdf")
	run := fmt.Sprintf("%d-%d", time.Now().UnixNano(), clientRun.Add(1))

	rows.Run("hi", func(t *testing.T) {
		s := clientDial(t, base, opts())
		ch := clientExpect(s, "hi")
		clientEmit(t, s, "hi")
		if e := testutil.Recv(t, ch, "hi"); e.Len() != 0 || e.HasAck() {
			t.Fatalf("hi: %d args, ack %v", e.Len(), e.HasAck())
		}
	})
	rows.Run("ack", func(t *testing.T) {
		s := clientDial(t, base, opts())
		got := clientExpect(s, "got it")
		s.On("ack", func(e *Event) {
			if !e.HasAck() {
				t.Error("ack: the server asked for no ack")
			}
			e.Ack(5, map[string]bool{"test": true})
		})
		clientEmit(t, s, "ack")
		testutil.Recv(t, got, "got it")
	})
	rows.Run("getAckDate", func(t *testing.T) {
		s := clientDial(t, base, opts())
		a := clientAsk(t, s, "getAckDate", map[string]int{"test": 1})
		ts, err := time.Parse(time.RFC3339, clientArg[string](t, a, 0))
		if err != nil || time.Since(ts).Abs() > time.Minute {
			t.Fatalf("getAckDate: %s: %v", a.Raw[0], err)
		}
	})
	rows.Run("getDate", func(t *testing.T) {
		s := clientDial(t, base, opts())
		ch := clientExpect(s, "takeDate")
		clientEmit(t, s, "getDate")
		e := testutil.Recv(t, ch, "takeDate")
		if _, err := time.Parse(time.RFC3339, clientArg[string](t, &e.Args, 0)); err != nil {
			t.Fatal(err)
		}
		ch = clientExpect(s, "takeDateObj")
		clientEmit(t, s, "getDateObj")
		e = testutil.Recv(t, ch, "takeDateObj")
		if _, err := time.Parse(time.RFC3339, clientArg[struct{ Date string }](t, &e.Args, 0).Date); err != nil {
			t.Fatal(err)
		}
	})
	rows.Run("getUtf8", func(t *testing.T) {
		s := clientDial(t, base, opts())
		ch := clientExpect(s, "takeUtf8")
		clientEmit(t, s, "getUtf8")
		for _, want := range []string{"てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"} {
			if got := clientArg[string](t, &testutil.Recv(t, ch, "takeUtf8").Args, 0); got != want {
				t.Fatalf("takeUtf8: %q, want %q", got, want)
			}
		}
	})
	rows.Run("false", func(t *testing.T) {
		s := clientDial(t, base, opts())
		ch := clientExpect(s, "false")
		clientEmit(t, s, "false")
		e := testutil.Recv(t, ch, "false")
		if string(e.Raw[0]) != "false" {
			t.Fatalf("false: %s", e.Raw[0])
		}
	})
	rows.Run("binary in", func(t *testing.T) {
		s := clientDial(t, base, opts())
		doge := clientExpect(s, "doge")
		takebin := clientExpect(s, "takebin")
		clientEmit(t, s, "doge")
		checks := []struct {
			ch   <-chan *Event
			name string
		}{{doge, "doge"}}
		if !only4x {
			clientEmit(t, s, "getbin")
			checks = append(checks, struct {
				ch   <-chan *Event
				name string
			}{takebin, "takebin"})
		}
		for _, c := range checks {
			e := testutil.Recv(t, c.ch, c.name)
			if b := clientArg[[]byte](t, &e.Args, 0); !bytes.Equal(b, asdf) {
				t.Fatalf("%s: %q", c.name, b)
			}
			if v := clientArg[any](t, &e.Args, 0); !reflect.DeepEqual(v, asdf) {
				t.Fatalf("%s into any: %#v", c.name, v)
			}
		}
	})
	rows.Run("binary out", func(t *testing.T) {
		s := clientDial(t, base, opts())
		buffack := clientExpect(s, "buffack")
		jsonbuffAck := clientExpect(s, "jsonbuff-ack")
		abuff2Ack := clientExpect(s, "abuff2-ack")
		clientEmit(t, s, "buffa", []byte{1, 2, 3, 4})
		testutil.Recv(t, buffack, "buffack")
		type jsonbuff struct {
			Hello   string `json:"hello"`
			Message []byte `json:"message"`
			Goodbye string `json:"goodbye"`
		}
		clientEmit(t, s, "jsonbuff", &jsonbuff{"lol", []byte("hello world"), "gotcha"})
		testutil.Recv(t, jsonbuffAck, "jsonbuff-ack")
		clientEmit(t, s, "abuff1", []byte{0, 0xff})
		clientEmit(t, s, "abuff2", 1)
		testutil.Recv(t, abuff2Ack, "abuff2-ack")
	})
	rows.Run("echo", func(t *testing.T) {
		s := clientDial(t, base, opts())
		type inner struct {
			Data []byte `json:"data"`
			N    int    `json:"n"`
		}
		type nested struct {
			Name  string   `json:"name"`
			Blob  []byte   `json:"blob"`
			Inner []inner  `json:"inner"`
			Tags  []string `json:"tags"`
		}
		check := func(v any, into any) {
			t.Helper()
			a := clientAsk(t, s, "echo", v)
			if err := a.Decode(0, into); err != nil {
				t.Fatalf("echo %#v: %v (%s)", v, err, a.Raw)
			}
			got := reflect.ValueOf(into).Elem().Interface()
			if !reflect.DeepEqual(got, v) {
				t.Fatalf("echo: got %#v, want %#v", got, v)
			}
		}
		check("a string", new(string))
		check(42.5, new(float64))
		check(map[string]any{"a": "b", "n": 1.0, "list": []any{true, nil, "x"}}, new(map[string]any))
		check(asdf, new([]byte))
		check(nested{"n", []byte{1, 2}, []inner{{[]byte{3}, 1}, {[]byte{4, 5}, 2}}, []string{"x"}}, new(nested))
		check([]any{[]byte{9}, "s", map[string]any{"b": []byte{8}}}, new([]any))
	})
	rows.Run("getHandshake", func(t *testing.T) {
		s := clientDial(t, base+"/?foo=bar&run="+run, opts())
		a := clientAsk(t, s, "getHandshake")
		hs := clientArg[struct {
			Headers map[string]any
			Query   map[string]string
			Address string
			URL     string
			Issued  float64
		}](t, a, 0)
		eio := "3"
		if v5 {
			eio = "4"
		}
		if hs.Query["foo"] != "bar" || hs.Query["run"] != run || hs.Query["EIO"] != eio || hs.Query["transport"] != transports[0] {
			t.Fatalf("handshake query: %v", hs.Query)
		}
		if hs.Address == "" || hs.Issued == 0 || !strings.HasPrefix(hs.URL, "/socket.io/?foo=bar") || hs.Headers["host"] == nil {
			t.Fatalf("handshake: %s", a.Raw[0])
		}
	})
	run2x("rooms", func(t *testing.T) {
		a := clientDial(t, base, opts())
		b := clientDial(t, base, opts())
		room := "room-" + run
		if n := clientArg[int](t, clientAsk(t, a, "join", room), 0); n != 1 {
			t.Fatalf("join: %d in the room, want 1", n)
		}
		if n := clientArg[int](t, clientAsk(t, b, "join", room), 0); n != 2 {
			t.Fatalf("join: %d in the room, want 2", n)
		}
		atA := clientExpect(a, "room message")
		atB := clientExpect(b, "room message")
		clientEmit(t, a, "room message", room, map[string]any{"text": "hello", "bin": []byte{7}})
		e := testutil.Recv(t, atB, "room message")
		msg := clientArg[struct {
			Text string
			Bin  []byte
		}](t, &e.Args, 1)
		if r := clientArg[string](t, &e.Args, 0); r != room || msg.Text != "hello" || !bytes.Equal(msg.Bin, []byte{7}) {
			t.Fatalf("room message: %s %+v", r, msg)
		}
		testutil.None(t, atA, "room message at the sender")
	})
	run2x("broadcast", func(t *testing.T) {
		a := clientDial(t, base, opts())
		b := clientDial(t, base, opts())
		atA := clientExpect(a, "broadcast")
		atB := clientExpect(b, "broadcast")
		msg := "broadcast-" + run
		clientEmit(t, a, "broadcast", msg)
		for {
			// Other clients of the server may broadcast too.
			if got := clientArg[any](t, &testutil.Recv(t, atB, "broadcast").Args, 0); got == msg {
				break
			}
		}
		for {
			select {
			case e := <-atA:
				if clientArg[any](t, &e.Args, 0) == msg {
					t.Fatal("the sender received its own broadcast")
				}
				continue
			case <-time.After(clientQuiet):
			}
			break
		}
	})
	run2x("disconnect me", func(t *testing.T) {
		s := clientDial(t, base, opts())
		reasons := make(chan string, 4)
		attempts := make(chan int, 4)
		s.OnDisconnect(func(r string) { reasons <- r })
		s.Manager().OnReconnectAttempt(func(n int) { attempts <- n })
		clientEmit(t, s, "disconnect me")
		if r := testutil.Recv(t, reasons, "disconnect"); r != ReasonIOServerDisconnect {
			t.Fatalf("disconnect reason %q, want %q", r, ReasonIOServerDisconnect)
		}
		testutil.None(t, attempts, "reconnection attempt")
		if s.Connected() || s.ID() != "" {
			t.Fatalf("still connected (%q)", s.ID())
		}
	})
	run2x("server ack", func(t *testing.T) {
		s := clientDial(t, base, opts())
		result := clientExpect(s, "double result")
		s.On("double", func(e *Event) {
			var n float64
			e.Decode(0, &n)
			e.Ack(n * 2)
		})
		clientEmit(t, s, "server ack", 21)
		if got := clientArg[float64](t, &testutil.Recv(t, result, "double result").Args, 0); got != 42 {
			t.Fatalf("double result %v", got)
		}
	})
	rows.Run("namespace /abc?b=c", func(t *testing.T) {
		m := NewManager(base+"/?a=1", opts())
		defer m.Close()
		s := m.Socket("/abc?b=c")
		hs := clientExpect(s, "handshake")
		connected := make(chan string, 1)
		s.OnConnect(func() { connected <- s.ID() })
		if err := s.Connect(t.Context()); err != nil {
			t.Fatalf("connect /abc: %v", err)
		}
		id := testutil.Recv(t, connected, "connect")
		e := testutil.Recv(t, hs, "handshake")
		q := clientArg[struct{ Query map[string]string }](t, &e.Args, 0).Query
		if v5 {
			// v5 has no namespace query: the handshake's alone.
			if q["a"] != "1" || q["b"] != "" || len(id) != 20 {
				t.Fatalf("/abc handshake query %v (want a=1 alone), id %q", q, id)
			}
			return
		}
		if q["a"] != "1" || q["b"] != "c" {
			t.Fatalf("/abc handshake query %v, want a=1 (handshake) and b=c (CONNECT)", q)
		}
		if !strings.HasPrefix(id, "/abc#") || len(id) <= len("/abc#") {
			t.Fatalf("id %q", id)
		}
	})
	rows.Run("namespace /no", func(t *testing.T) {
		clientRefused(t, base+"/no", opts(), "/no", "Auth failed (custom namespace)")
	})
	run2x("namespace /admin", func(t *testing.T) {
		clientRefused(t, base+"/admin", opts(), "/admin", "not authorized")
		clientRefused(t, base+"/admin?token=wrong", opts(), "/admin", "not authorized")
		s := clientDial(t, base+"/admin?token=secret", opts())
		if got := clientArg[string](t, clientAsk(t, s, "whoami"), 0); got != "admin" {
			t.Fatalf("whoami: %q", got)
		}
		if !v5 && !strings.HasPrefix(s.ID(), "/admin#") || v5 && len(s.ID()) != 20 {
			t.Fatalf("id %q", s.ID())
		}
	})
	rows.Run("namespace /nope", func(t *testing.T) {
		clientRefused(t, base+"/nope", opts(), "/nope", "Invalid namespace")
	})
	run2x("fail on /", func(t *testing.T) {
		clientRefused(t, base+"/?fail=1", opts(), "/", "Auth failed (main namespace)")
		if !v5 {
			// An ERROR for "/" refuses every namespace of the connection
			// (in v5 a namespace does not wait for "/").
			clientRefused(t, base+"/foo?fail=1", opts(), "/", "Auth failed (main namespace)")
		}
	})
	rows.Run("multiplex", func(t *testing.T) {
		adminNsp, managerURL := "/admin?token=secret", base
		if v5 {
			// No namespace query in v5: the token rides in the handshake.
			adminNsp, managerURL = "/admin", base+"/?token=secret"
		}
		m := NewManager(managerURL, opts())
		defer m.Close()
		errs := make(chan error, 4)
		conns := make(chan string, 4)
		var sockets []*ClientSocket
		nsps := []string{adminNsp, "/", "/no", "/foo"}
		if only4x {
			nsps[0] = "/asd"
		}
		for _, nsp := range nsps {
			s := m.Socket(nsp)
			s.OnConnect(func() { conns <- s.Namespace() })
			s.OnConnectError(func(err error) { errs <- err })
			sockets = append(sockets, s)
			go s.Connect(t.Context()) // the outcome comes through the handlers
		}
		seen := map[string]bool{}
		for range 3 {
			seen[testutil.Recv(t, conns, "connect")] = true
		}
		if !seen["/"] || !seen[clientSplitNamespaceName(nsps[0])] || !seen["/foo"] {
			t.Fatalf("connected: %v", seen)
		}
		var ce *ConnectError
		if err := testutil.Recv(t, errs, "connect error"); !errors.As(err, &ce) || ce.Namespace != "/no" {
			t.Fatalf("connect error %v", err)
		}
		root, admin := sockets[1].ID(), sockets[0].ID()
		if !v5 && (root == "" || admin != "/admin#"+root) {
			t.Fatalf("ids %q and %q do not share one connection", root, admin)
		}
		if v5 && (root == "" || admin == "" || root == admin || m.engineID() == root) {
			t.Fatalf("ids %q and %q (engine %q)", root, admin, m.engineID())
		}
		if !only4x {
			if got := clientArg[string](t, clientAsk(t, sockets[0], "whoami"), 0); got != "admin" {
				t.Fatalf("whoami: %q", got)
			}
		}
		hi := clientExpect(sockets[1], "hi")
		clientEmit(t, sockets[1], "hi")
		testutil.Recv(t, hi, "hi")
	})
	if v5 {
		rows.Run("getId and auth", func(t *testing.T) {
			s := clientDial(t, base, opts())
			if got := clientArg[string](t, clientAsk(t, s, "getId"), 0); got != s.ID() || len(got) != 20 {
				t.Fatalf("getId %q, ID() %q", got, s.ID())
			}
			foo := s.Manager().Socket("/foo")
			if err := foo.Connect(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := clientArg[string](t, clientAsk(t, foo, "getId"), 0); got != foo.ID() || got == s.ID() {
				t.Fatalf("getId on /foo %q, ID() %q, / %q", got, foo.ID(), s.ID())
			}
			o := opts()
			o.Auth = map[string]string{"token": "abc"}
			m := NewManager(base, o)
			defer m.Close()
			abc := m.Socket("/abc")
			abc.SetAuth(map[string]any{"a": "b", "n": 1})
			hs := clientExpect(abc, "handshake")
			if err := abc.Connect(t.Context()); err != nil {
				t.Fatal(err)
			}
			auth := clientArg[struct{ Auth map[string]any }](t, &testutil.Recv(t, hs, "handshake").Args, 0).Auth
			if len(auth) != 2 || auth["a"] != "b" || auth["n"] != 1.0 {
				t.Fatalf("/abc auth %v", auth)
			}
			root := m.Socket("/")
			if err := root.Connect(t.Context()); err != nil {
				t.Fatal(err)
			}
			own := clientArg[struct{ Auth map[string]any }](t, clientAsk(t, root, "getHandshake"), 0).Auth
			if len(own) != 1 || own["token"] != "abc" {
				t.Fatalf("/ auth %v, want the Manager's", own)
			}
		})
	} else {
		rows.NotApplicable("getId and auth") // socket.io 4.x only
	}
	if len(transports) > 1 {
		rows.Run("upgrade", func(t *testing.T) {
			s := clientDial(t, base, opts())
			testutil.Eventually(t, clientWait, "the upgrade to websocket", func() bool { return s.Transport() == engineio.WebSocket })
			hi := clientExpect(s, "hi")
			clientEmit(t, s, "hi")
			testutil.Recv(t, hi, "hi")
		})
	} else {
		rows.NotApplicable("upgrade") // one transport only
	}
}

// engineID returns the id of the open Engine.IO session, or "" (tests).
func (m *Manager) engineID() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.engine == nil || m.engine.c == nil {
		return ""
	}
	return m.engine.c.ID()
}

// clientSplitNamespaceName returns the name of nsp without its query.
func clientSplitNamespaceName(nsp string) string {
	name, _ := clientSplitNamespace(nsp)
	return name
}
