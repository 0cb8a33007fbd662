package gen_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/siogen/siogen/gen/testdata/features"
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
				return 0, time.Time{}, errors.New("refused")
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
			return errors.New("no entry")
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
			if got := recv(t, saidA, "the said event after the question's ack"); got != (said{"server", "answer: always"}) {
				t.Errorf("question round trip: %+v", got)
			}
			if got := recv(t, blobs, "the blob event"); !bytes.Equal(got, []byte{0, 1, 2, 0xff}) {
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
			if got := recv(t, postedB, "b's posted event"); got.Text != "photo" || !bytes.Equal(got.Data, msg.Data) || len(got.Parts) != 2 || !bytes.Equal(got.Parts[1], []byte{2, 3}) ||
				got.ReplyTo == nil || !bytes.Equal(got.ReplyTo.Data, []byte{9}) {
				t.Errorf("posted = %+v", got)
			}

			// The same event without asking for the ack still reaches the
			// handler.
			if err := a.EmitPostNoAck("lobby", features.Message{Text: "no ack"}); err != nil {
				t.Fatal(err)
			}
			if got := recv(t, postedB, "b's posted event of the post sent without ack"); got.Text != "no ack" {
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
			if got := recv(t, saidA, "the said event answering count"); got != (said{"count", time.Duration(17).String()}) {
				t.Errorf("count = %+v", got)
			}

			// Broadcast to everyone but the sender.
			if err := b.EmitSay("hello"); err != nil {
				t.Fatal(err)
			}
			if got := recv(t, saidA, "b's broadcast said event"); got.text != "hello" || got.from != b.ID() {
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
	reply, err := sock.EmitWithAck(ctx, "join room", 12)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if err := reply.Decode(0, &body); err != nil || body["error"] == "" {
		t.Errorf("ack = %v, %v; want an error object", body, err)
	}
	err = recv(t, serverErrs, "the server socket's OnError")
	var argErr *socketio.ArgError
	if !errors.As(err, &argErr) || argErr.Event != "join room" || argErr.Index != 0 {
		t.Errorf("server error = %v", err)
	}
}

// waitTimeout bounds every wait of these tests for something to arrive.
const waitTimeout = 10 * time.Second

// recv returns the next value of ch, or fails t naming what did not arrive
// within waitTimeout.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("no %s within %v", what, waitTimeout)
		panic("unreachable")
	}
}

func asBytes(v any) []byte { b, _ := v.([]byte); return b }

func containsText(err error, s string) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte(s))
}
