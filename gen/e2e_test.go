package gen_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/gen/testdata/features"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// transportSetups are the client transport configurations every end-to-end
// test runs under.
var transportSetups = []struct {
	name       string
	transports []string
	b64        bool
}{
	{"polling+upgrade", nil, false},
	{"websocket", []string{engineio.WebSocket}, false},
	{"polling", []string{engineio.Polling}, false},
	{"polling-b64", []string{engineio.Polling}, true},
}

// featureServer serves the features schema with every handler implemented.
func featureServer(t *testing.T) (*httptest.Server, *features.RoomServer, chan error) {
	srv := socketio.NewServer(nil)
	room := features.NewRoomServer(srv)
	errs := make(chan error, 16)
	room.OnConnection(func(s *features.RoomSocket) {
		s.OnError(func(err error) {
			select {
			case errs <- err:
			default: // enough to fail the test; never block the socket
			}
		})
		s.OnSay(func(text string) { s.Broadcast().EmitSaid(s.ID(), text) })
		s.OnJoin(func(r string) (int, error) {
			s.Join(r)
			ids, err := room.Namespace().SocketsIn(context.Background(), r)
			return len(ids), err
		})
		s.OnPost(func(r string, m features.Message) (int64, time.Time, error) {
			if m.Text == "fail" {
				return 0, time.Time{}, socketio.NewClientError("refused")
			}
			s.To(r).EmitPosted(r, m)
			return 42, time.Date(2026, 11, 25, 4, 49, 49, 0, time.UTC), nil
		})
		s.OnPing(func() error { return nil })
		s.OnEcho(func(v any) (any, error) { return v, nil })
		s.OnCount(func(a int8, b uint16, c float32, d bool, e *int, f map[string][]int) {
			total := int(a) + int(b) + int(c)
			if d && e != nil {
				total += *e
			}
			for _, v := range f {
				for _, x := range v {
					total += x
				}
			}
			s.EmitSaid("count", time.Duration(total).String())
		})
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			yes, why, err := s.EmitQuestion(ctx, "ready?")
			if err == nil && yes {
				s.EmitSaid("server", "answer: "+why)
			}
			s.EmitBlob([]byte{0, 1, 2, 0xff})
		}()
	})
	vault := features.NewVaultServer(srv)
	vault.Use(func(s *features.VaultSocket) error {
		if s.Handshake().Query.Get("token") != "open sesame" {
			return socketio.NewClientError("no entry")
		}
		return nil
	})
	vault.OnConnection(func(s *features.VaultSocket) {
		s.OnOpen(func() (string, error) { return "gold", nil })
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		ts.Close()
	})
	return ts, room, errs
}

func dialOptions(transports []string, b64 bool) *socketio.ManagerOptions {
	return &socketio.ManagerOptions{
		Engine:              engineio.DialOptions{Transports: transports, ForceBase64: b64},
		DisableReconnection: true,
	}
}

// TestEndToEnd drives the generated server with the generated client over
// real HTTP on every transport setup: events with zero, one and several
// arguments of many kinds, acks both ways with several values and errors,
// binary nested in structs and in any, rooms and broadcasts, and a
// namespace behind middleware.
func TestEndToEnd(t *testing.T) {
	for _, setup := range transportSetups {
		t.Run(setup.name, func(t *testing.T) {
			ts, _, serverErrs := featureServer(t)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			type said struct{ from, text string }
			saidA := make(chan said, 16)
			postedB := make(chan features.Message, 4)
			blobs := make(chan []byte, 1)

			a := features.NewRoomClient(socketio.NewManager(ts.URL, dialOptions(setup.transports, setup.b64)))
			a.OnSaid(func(from, text string) { saidA <- said{from, text} })
			a.OnQuestion(func(q string) (bool, string, error) { return q == "ready?", "always", nil })
			a.OnBlob(func(data []byte) { blobs <- data })
			if err := a.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			defer a.Close()

			b := features.NewRoomClient(socketio.NewManager(ts.URL, dialOptions(setup.transports, setup.b64)))
			b.OnPosted(func(room string, m features.Message) { postedB <- m })
			b.OnQuestion(func(string) (bool, string, error) { return false, "", nil })
			if err := b.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			defer b.Close()

			// A server-initiated ack with two values, then binary.
			if got := testutil.Recv(t, saidA, "the said event after the question's ack"); got != (said{"server", "answer: always"}) {
				t.Errorf("question round trip: %+v", got)
			}
			if got := testutil.Recv(t, blobs, "the blob event"); !bytes.Equal(got, []byte{0, 1, 2, 0xff}) {
				t.Errorf("blob = %v", got)
			}

			// Rooms: acks carry the member count.
			if n, err := a.EmitJoin(ctx, "lobby"); err != nil || n != 1 {
				t.Errorf("a joins: %d, %v", n, err)
			}
			if n, err := b.EmitJoin(ctx, "lobby"); err != nil || n != 2 {
				t.Errorf("b joins: %d, %v", n, err)
			}

			// Binary nested in a struct, a slice of binaries, a pointer; an
			// ack with two values of which one is a time.
			msg := features.Message{
				Text: "photo", Data: []byte("\x00jpeg\xff"), Tags: []string{"a"},
				Parts:   [][]byte{{1}, {2, 3}},
				ReplyTo: &features.Message{Text: "earlier", Data: []byte{9}},
			}
			id, at, err := a.EmitPost(ctx, "lobby", msg)
			if err != nil || id != 42 || !at.Equal(time.Date(2026, 11, 25, 4, 49, 49, 0, time.UTC)) {
				t.Errorf("post ack: %d %v %v", id, at, err)
			}
			if got := testutil.Recv(t, postedB, "b's posted event"); got.Text != "photo" || !bytes.Equal(got.Data, msg.Data) || len(got.Parts) != 2 || !bytes.Equal(got.Parts[1], []byte{2, 3}) ||
				got.ReplyTo == nil || !bytes.Equal(got.ReplyTo.Data, []byte{9}) {
				t.Errorf("posted = %+v", got)
			}

			// The same event without asking for the ack still reaches the
			// handler.
			if err := a.EmitPostNoAck("lobby", features.Message{Text: "no ack"}); err != nil {
				t.Fatal(err)
			}
			if got := testutil.Recv(t, postedB, "b's posted event of the post sent without ack"); got.Text != "no ack" {
				t.Errorf("posted = %+v", got)
			}

			// A handler's error answers the ack with {"error": ...}, which
			// the generated client reports as an error.
			var rejected *socketio.RejectedError
			if _, _, err := a.EmitPost(ctx, "lobby", features.Message{Text: "fail"}); !errors.As(err, &rejected) || rejected.Message != "refused" {
				t.Errorf("refused post: %v, want a RejectedError", err)
			}

			// An ack with no values, and an echo of any holding binary.
			if err := a.EmitPing(ctx); err != nil {
				t.Errorf("ping: %v", err)
			}
			v, err := a.EmitEcho(ctx, map[string]any{"n": 1.5, "bin": []byte{7, 7}, "list": []any{"x", []byte{8}}})
			m, _ := v.(map[string]any)
			if err != nil || m["n"] != 1.5 || !bytes.Equal(asBytes(m["bin"]), []byte{7, 7}) {
				t.Errorf("echo = %#v, %v", v, err)
			}

			// Basic kinds decoded directly, a pointer and a map of slices.
			five := 5
			if err := a.EmitCount(-3, 10, 2.5, true, &five, map[string][]int{"x": {1, 2}}); err != nil {
				t.Fatal(err)
			}
			if got := testutil.Recv(t, saidA, "the said event answering count"); got != (said{"count", time.Duration(17).String()}) {
				t.Errorf("count = %+v", got)
			}

			// Broadcast to everyone but the sender.
			if err := b.EmitSay("hello"); err != nil {
				t.Fatal(err)
			}
			if got := testutil.Recv(t, saidA, "b's broadcast said event"); got.text != "hello" || got.from != b.ID() {
				t.Errorf("said = %+v, want from %s", got, b.ID())
			}

			// A namespace behind middleware, refused then admitted.
			if _, err := features.DialVault(ctx, ts.URL+"/vault", dialOptions(setup.transports, setup.b64)); err == nil || !containsText(err, "no entry") {
				t.Errorf("vault without token: %v", err)
			}
			v2, err := features.DialVault(ctx, ts.URL+"/vault?token=open+sesame", dialOptions(setup.transports, setup.b64))
			if err != nil {
				t.Fatal(err)
			}
			defer v2.Close()
			if secret, err := v2.EmitOpen(ctx); err != nil || secret != "gold" {
				t.Errorf("vault open: %q %v", secret, err)
			}

			select {
			case err := <-serverErrs:
				t.Errorf("server socket error: %v", err)
			default:
			}
		})
	}
}

// TestBadArgumentsNeverReachHandlers sends an event whose argument does not
// decode: the handler is not called, the server's OnError sees an
// *socketio.ArgError, and the ack carries the error.
func TestBadArgumentsNeverReachHandlers(t *testing.T) {
	ts, _, serverErrs := featureServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sock, err := socketio.Dial(ctx, ts.URL, dialOptions(nil, false))
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Manager().Close()
	// "join room" wants a string; send a number.
	_, err = sock.EmitWithAck(ctx, "join room", 12)
	var rej *socketio.RejectedError
	if want := `"join room": argument 1: want a string, got a number`; !errors.As(err, &rej) || rej.Message != want {
		t.Errorf("EmitWithAck: %v; want the ack rejected with %q", err, want)
	}
	err = testutil.Recv(t, serverErrs, "the server socket's OnError")
	var argErr *socketio.ArgError
	if !errors.As(err, &argErr) || argErr.Event != "join room" || argErr.Index != 0 {
		t.Errorf("server error = %v", err)
	}
}

// waitTimeout bounds every wait of these tests for something to arrive.
const waitTimeout = 10 * time.Second

func asBytes(v any) []byte { b, _ := v.([]byte); return b }

func containsText(err error, s string) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte(s))
}

// roomClient connects a generated client of the features schema that
// records, in order, every chat message ("said <from> <text>") and post
// ("posted <room> <text>") it receives. It declines the server's question,
// so that the server sends nothing on its own but the blob, which it
// ignores.
func roomClient(t *testing.T, ctx context.Context, url string, transports []string, b64 bool) (*features.RoomClient, chan string) {
	t.Helper()
	events := make(chan string, 64)
	c := features.NewRoomClient(socketio.NewManager(url, dialOptions(transports, b64)))
	c.OnSaid(func(from, text string) { events <- "said " + from + " " + text })
	c.OnPosted(func(room string, m features.Message) { events <- "posted " + room + " " + m.Text })
	c.OnQuestion(func(string) (bool, string, error) { return false, "", nil })
	c.OnBlob(func([]byte) {})
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, events
}

// expectEvents stops t unless the next events of ch are want, in order.
func expectEvents(t *testing.T, who string, ch chan string, want ...string) {
	t.Helper()
	for i, w := range want {
		if got := testutil.Recv(t, ch, fmt.Sprintf("event %d of %s (want %q)", i, who, w)); got != w {
			// The stream is out of step now: later checks would only echo this.
			t.Fatalf("%s got %q, want %q (expected in order: %q)", who, got, w, want)
		}
	}
}

// TestRoomSelectors checks the typed selectors: the server's To and Except,
// a broadcast narrowed by both, Except of a socket id, and a socket's To,
// which leaves out the sender. After each emit every client is sent a
// sentinel; a client that must not get the emit must see the sentinel
// next, so absence is asserted without waiting for nothing.
func TestRoomSelectors(t *testing.T) {
	for _, setup := range transportSetups {
		t.Run(setup.name, func(t *testing.T) {
			ts, room, serverErrs := featureServer(t)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			// a is in red, b in red and blue, c in no room.
			a, evA := roomClient(t, ctx, ts.URL, setup.transports, setup.b64)
			b, evB := roomClient(t, ctx, ts.URL, setup.transports, setup.b64)
			_, evC := roomClient(t, ctx, ts.URL, setup.transports, setup.b64)
			for _, j := range []struct {
				c    *features.RoomClient
				room string
			}{{a, "red"}, {b, "red"}, {b, "blue"}} {
				if _, err := j.c.EmitJoin(ctx, j.room); err != nil {
					t.Fatalf("join %s: %v", j.room, err)
				}
			}

			clients := []struct {
				name string
				ev   chan string
			}{{"a", evA}, {"b", evB}, {"c", evC}}
			step := 0
			// check sends a sentinel to everyone, then wants the clients
			// named in gets to have received want before it, and the others
			// nothing.
			check := func(what, want string, gets ...string) {
				t.Helper()
				step++
				sentinel := fmt.Sprintf("sentinel %d", step)
				if err := room.EmitSaid("sentinel", fmt.Sprint(step)); err != nil {
					t.Fatal(err)
				}
				for _, c := range clients {
					var seq []string
					if slices.Contains(gets, c.name) {
						seq = append(seq, want)
					}
					expectEvents(t, c.name+" after "+what, c.ev, append(seq, "said "+sentinel)...)
				}
			}

			if err := room.To("red").EmitSaid("server", "to red"); err != nil {
				t.Fatal(err)
			}
			check("To(red)", "said server to red", "a", "b")

			if err := room.Except("red").EmitSaid("server", "except red"); err != nil {
				t.Fatal(err)
			}
			check("Except(red)", "said server except red", "c")

			if err := room.To("red", "blue").Except("blue").EmitSaid("server", "red but not blue"); err != nil {
				t.Fatal(err)
			}
			check("To(red, blue).Except(blue)", "said server red but not blue", "a")

			if err := room.Except(b.ID()).To("red").EmitSaid("server", "red but not b"); err != nil {
				t.Fatal(err)
			}
			check("Except(b's id).To(red)", "said server red but not b", "a")

			if err := room.Except(a.ID(), b.ID()).EmitSaid("server", "not a, not b"); err != nil {
				t.Fatal(err)
			}
			check("Except(a's id, b's id)", "said server not a, not b", "c")

			// The post handler emits with the socket's To(room): the room's
			// members but the sender. The ack comes after that emit.
			if _, _, err := a.EmitPost(ctx, "red", features.Message{Text: "from a"}); err != nil {
				t.Fatal(err)
			}
			check("a's socket To(red)", "posted red from a", "b")
			if _, _, err := b.EmitPost(ctx, "blue", features.Message{Text: "from b"}); err != nil {
				t.Fatal(err)
			}
			check("b's socket To(blue), b its only member", "")

			// The socket's Broadcast: everyone but the sender.
			if err := a.EmitSay("hi"); err != nil {
				t.Fatal(err)
			}
			// Say has no ack; a's next emit is handled after it, in order,
			// so its ack says the broadcast went out.
			if err := a.EmitPing(ctx); err != nil {
				t.Fatal(err)
			}
			check("a's socket Broadcast()", "said "+a.ID()+" hi", "b", "c")

			select {
			case err := <-serverErrs:
				t.Errorf("server socket error: %v", err)
			default:
			}
		})
	}
}

// TestClientRejectsBadEvents has the server send events whose arguments do
// not decode into the types the generated client declares, at several
// positions and through both kinds of decoder (a basic kind, a struct): the
// client's OnError gets an *socketio.ArgError naming the event and the
// argument, and the handler is not called; the next good event is.
func TestClientRejectsBadEvents(t *testing.T) {
	ts, room, _ := featureServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	errs := make(chan error, 16)
	events := make(chan string, 16)
	c := features.NewRoomClient(socketio.NewManager(ts.URL, dialOptions(nil, false)))
	c.OnError(func(err error) { errs <- err })
	c.OnSaid(func(from, text string) { events <- "said " + from + " " + text })
	c.OnPosted(func(r string, m features.Message) { events <- "posted " + r + " " + m.Text })
	c.OnQuestion(func(string) (bool, string, error) { return false, "", nil })
	c.OnBlob(func([]byte) {})
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	raw := room.Namespace()
	for _, bad := range []struct {
		event string
		args  []any
		index int
	}{
		{"chat message", []any{12, "text"}, 0},                 // from: a number, not a string
		{"chat message", []any{"server", []int{1}}, 1},         // text: an array
		{"posted", []any{"red", "not a message"}, 1},           // m: a string, not an object
		{"posted", []any{"red", map[string]any{"text": 3}}, 1}, // m.text: a number
	} {
		if err := raw.Emit(bad.event, bad.args...); err != nil {
			t.Fatal(err)
		}
		// Handlers and OnError run in order on the client's event
		// goroutine, so the error is there before the good event's handler.
		if err := room.EmitSaid("server", "good"); err != nil {
			t.Fatal(err)
		}
		if got := testutil.Recv(t, events, "the good event after a bad "+bad.event); got != "said server good" {
			t.Errorf("after %q %v the handler got %q; want it not called for the bad event", bad.event, bad.args, got)
		}
		err := testutil.Recv(t, errs, "the client's OnError for "+bad.event)
		var argErr *socketio.ArgError
		if !errors.As(err, &argErr) || argErr.Event != bad.event || argErr.Index != bad.index {
			t.Errorf("%q %v: OnError got %v (%T), want an *socketio.ArgError for argument %d", bad.event, bad.args, err, err, bad.index)
		} else if !strings.Contains(err.Error(), fmt.Sprintf("%q", bad.event)) {
			t.Errorf("the error does not name the event %q: %v", bad.event, err)
		}
	}
	select {
	case err := <-errs:
		t.Errorf("one error too many: %v", err)
	default:
	}
}

// TestAckRepliesThatDoNotDecode answers acked calls with values that do not
// decode into the ack's declared types: the generated method returns an
// *socketio.ArgError naming the event and the reply value, never a zero
// value with a nil error. Both ways: the client's EmitX against a server
// that replies wrongly, and the server socket's EmitX against such a client.
func TestAckRepliesThatDoNotDecode(t *testing.T) {
	srv := socketio.NewServer(nil)
	room := features.NewRoomServer(srv)
	questions := make(chan error, 1)
	room.OnConnection(func(s *features.RoomSocket) {
		// Untyped handlers answer with what the schema does not declare.
		raw := s.Socket()
		raw.On("join room", func(e *socketio.Event) { e.Ack("many") })           // members int
		raw.On("post", func(e *socketio.Event) { e.Ack(7, "not a time") })       // id int64, at time.Time
		raw.On("echo", func(e *socketio.Event) { e.Ack() })                      // v any: missing is undefined
		raw.On("ping me", func(e *socketio.Event) { e.Ack("ignored", "extra") }) // no values
		if s.Handshake().Query.Get("ask") == "" {
			return
		}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			yes, why, err := s.EmitQuestion(ctx, "ready?")
			if err == nil {
				err = fmt.Errorf("no error, and the values %v, %q", yes, why)
			}
			questions <- err
		}()
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		ts.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	c, err := features.DialRoom(ctx, ts.URL, dialOptions(nil, false))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var argErr *socketio.ArgError
	n, err := c.EmitJoin(ctx, "red")
	if !errors.As(err, &argErr) || argErr.Event != "join room" || argErr.Index != 0 {
		t.Errorf("join with the reply \"many\": %d, %v; want an *socketio.ArgError for reply value 0", n, err)
	}
	_, _, err = c.EmitPost(ctx, "red", features.Message{Text: "x"})
	if want := `"post" ack: argument 2: want an RFC 3339 date-time string, got "not a time"`; !errors.As(err, &argErr) || argErr.Event != "post" || argErr.Index != 1 || !argErr.Ack || err.Error() != want {
		t.Errorf("post with the reply 7, \"not a time\": %v; want an *socketio.ArgError for reply value 1: %s", err, want)
	}
	if v, err := c.EmitEcho(ctx, "x"); err != nil || v != nil {
		t.Errorf("echo with an empty reply: %v, %v; want nil, nil (a missing value is undefined)", v, err)
	}
	if err := c.EmitPing(ctx); err != nil {
		t.Errorf("ping with extra reply values: %v", err)
	}

	// The other way: a client that answers the server's question with a
	// string for yes bool.
	asked := socketio.NewManager(ts.URL+"/?ask=1", dialOptions(nil, false)).Socket("/")
	defer asked.Manager().Close()
	asked.On("question", func(e *socketio.Event) { e.Ack("yes", 3) })
	if err := asked.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	err = testutil.Recv(t, questions, "the server's EmitQuestion result")
	if !errors.As(err, &argErr) || argErr.Event != "question" || argErr.Index != 0 {
		t.Errorf("question answered \"yes\", 3: %v; want an *socketio.ArgError for reply value 0", err)
	}
}

// TestTypedAuth: a namespace with an Auth type hands its middleware the
// CONNECT payload decoded, refuses one that does not decode before any
// middleware runs, and gives socket.io 2.x clients (protocol 4, which send
// none) the zero value.
func TestTypedAuth(t *testing.T) {
	srv := socketio.NewServer(nil)
	keyring := features.NewKeyringServer(srv)
	seen := make(chan features.KeyringCredentials, 8)
	keyring.Use(func(s *features.KeyringSocket, auth features.KeyringCredentials) error {
		seen <- auth
		if auth.Key != 42 && s.Socket().Protocol() == 5 {
			return socketio.NewClientError("wrong key")
		}
		return nil
	})
	keyring.OnConnection(func(s *features.KeyringSocket) {
		s.OnWhoami(func() (string, error) { return s.Auth().User, nil })
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Shutdown(context.Background())
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	connect := func(protocol int, auth any) (*features.KeyringClient, error) {
		opts := dialOptions(nil, false)
		opts.Protocol = protocol
		c := features.NewKeyringClient(socketio.NewManager(ts.URL, opts))
		t.Cleanup(func() { c.Close() })
		if a, ok := auth.(features.KeyringCredentials); ok {
			c.SetAuth(a)
		} else if auth != nil {
			c.Socket().SetAuth(auth)
		}
		return c, c.Connect(ctx)
	}

	c, err := connect(5, features.KeyringCredentials{User: "ann", Key: 42})
	if err != nil {
		t.Fatal(err)
	}
	if got := <-seen; got != (features.KeyringCredentials{User: "ann", Key: 42}) {
		t.Errorf("middleware got %+v", got)
	}
	if user, err := c.EmitWhoami(ctx); user != "ann" || err != nil {
		t.Errorf("whoami = %q, %v", user, err)
	}

	var ce *socketio.ConnectError
	if _, err := connect(5, features.KeyringCredentials{User: "bob", Key: 7}); !errors.As(err, &ce) || ce.Message != "wrong key" {
		t.Errorf("wrong key: %v", err)
	}
	<-seen
	if _, err := connect(5, map[string]any{"user": "eve", "key": "not a number"}); !errors.As(err, &ce) || ce.Message != "invalid auth: $.key: want an integer, got a string" {
		t.Errorf("auth that does not decode: %v", err)
	}
	select {
	case a := <-seen:
		t.Errorf("the middleware ran for an auth that does not decode: %+v", a)
	default:
	}

	c, err = connect(4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := <-seen; got != (features.KeyringCredentials{}) {
		t.Errorf("protocol 4 client: middleware got %+v, want the zero value", got)
	}
	if user, err := c.EmitWhoami(ctx); user != "" || err != nil {
		t.Errorf("protocol 4 whoami = %q, %v", user, err)
	}
}

// TestDialOtherNamespace: a generated DialX given the URL of another
// namespace fails, naming both, instead of connecting to X's namespace;
// given the server's URL or X's own, it connects.
func TestDialOtherNamespace(t *testing.T) {
	ts, _, _ := featureServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if c, err := features.DialRoom(ctx, ts.URL+"/vault", dialOptions(nil, false)); err == nil || !strings.Contains(err.Error(), `names namespace "/vault", not "/"`) {
		t.Errorf("DialRoom(/vault): %v, %v; want an error naming both namespaces", c, err)
	}
	if c, err := features.DialVault(ctx, ts.URL+"/other?token=open+sesame", dialOptions(nil, false)); err == nil || !strings.Contains(err.Error(), `names namespace "/other", not "/vault"`) {
		t.Errorf("DialVault(/other): %v, %v; want an error naming both namespaces", c, err)
	}
	for _, url := range []string{ts.URL, ts.URL + "/", ts.URL + "/?x=1"} {
		c, err := features.DialRoom(ctx, url, dialOptions(nil, false))
		if err != nil {
			t.Fatalf("DialRoom(%s): %v", url, err)
		}
		c.Close()
	}
	c, err := features.DialVault(ctx, ts.URL+"/vault?token=open+sesame", dialOptions(nil, false))
	if err != nil {
		t.Fatalf("DialVault(/vault): %v", err)
	}
	c.Close()
}
