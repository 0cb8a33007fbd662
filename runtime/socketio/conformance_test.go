package socketio

import (
	"context"
	"time"
)

// jsDate formats t as JavaScript's Date.toJSON does.
func jsDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newConformanceServer implements the conformance contract of
// shared/peers/node-conformance/README.md directly on the runtime, with
// untyped events: the reference the generated examples/conformance must
// match.
func newConformanceServer() *Server {
	srv := NewServer(&Options{})
	asdf := []byte("asdfasdf")
	for _, name := range []string{"/foo", "/asd", "/valid", "/timeout_socket"} {
		srv.Of(name)
	}
	root := srv.Of("/")
	root.Use(func(s *Socket) error {
		// As the reference's `if (socket.request._query.fail)`: an empty
		// value is falsy there, so ?fail= connects.
		if s.Handshake().Query.Get("fail") != "" {
			return NewClientError("Auth failed (main namespace)")
		}
		return nil
	})
	srv.Of("/foo").OnConnection(func(s *Socket) {
		s.On("getId", func(e *Event) { e.Ack(s.ID()) })
	})
	srv.Of("/abc").OnConnection(func(s *Socket) { s.Emit("handshake", s.Handshake()) })
	srv.Of("/no").Use(func(*Socket) error { return NewClientError("Auth failed (custom namespace)") })
	admin := srv.Of("/admin")
	admin.Use(func(s *Socket) error {
		if s.Handshake().Query.Get("token") != "secret" {
			return NewClientError("not authorized")
		}
		return nil
	})
	admin.OnConnection(func(s *Socket) {
		s.On("whoami", func(e *Event) { e.Ack("admin") })
	})

	root.OnConnection(func(s *Socket) {
		s.On("hi", func(*Event) { s.Emit("hi") })
		s.On("ack", func(*Event) {
			// Handlers may block: the ack is resolved by the reader, not by
			// this socket's event goroutine.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			a, err := s.EmitWithAck(ctx, "ack")
			if err != nil {
				return
			}
			var n int
			var obj struct{ Test bool }
			if a.Decode(0, &n) == nil && a.Decode(1, &obj) == nil && n == 5 && obj.Test {
				s.Emit("got it")
			}
		})
		s.On("getAckDate", func(e *Event) { e.Ack(jsDate(time.Now())) })
		s.On("getDate", func(*Event) { s.Emit("takeDate", jsDate(time.Now())) })
		s.On("getDateObj", func(*Event) { s.Emit("takeDateObj", map[string]string{"date": jsDate(time.Now())}) })
		s.On("getUtf8", func(*Event) {
			for _, u := range []string{"てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"} {
				s.Emit("takeUtf8", u)
			}
		})
		s.On("false", func(*Event) { s.Emit("false", false) })
		s.On("doge", func(*Event) { s.Emit("doge", asdf) })
		s.On("buffa", func(e *Event) {
			var v any
			if e.Decode(0, &v) == nil {
				if _, ok := v.([]byte); ok {
					s.Emit("buffack")
				}
			}
		})
		s.On("jsonbuff", func(e *Event) {
			var v struct {
				Hello   string `json:"hello"`
				Message any    `json:"message"`
				Goodbye string `json:"goodbye"`
			}
			if e.Decode(0, &v) == nil {
				if _, ok := v.Message.([]byte); ok && v.Hello == "lol" && v.Goodbye == "gotcha" {
					s.Emit("jsonbuff-ack")
				}
			}
		})
		gotAbuff1 := false // only touched on the socket's event goroutine
		s.On("abuff1", func(e *Event) {
			var v any
			e.Decode(0, &v)
			_, gotAbuff1 = v.([]byte)
		})
		s.On("abuff2", func(*Event) {
			if gotAbuff1 {
				s.Emit("abuff2-ack")
			}
		})
		s.On("getbin", func(*Event) { s.Emit("takebin", asdf) })
		s.On("echo", func(e *Event) {
			var v any
			e.Decode(0, &v)
			e.Ack(v)
		})
		s.On("getHandshake", func(e *Event) { e.Ack(s.Handshake()) })
		s.On("getId", func(e *Event) { e.Ack(s.ID()) }) // the 4.x contract
		s.On("join", func(e *Event) {
			var room string
			e.Decode(0, &room)
			s.Join(room)
			ids, err := s.Namespace().SocketsIn(context.Background(), room)
			if err != nil {
				e.Ack(-1)
				return
			}
			e.Ack(len(ids))
		})
		s.On("room message", func(e *Event) {
			var room string
			var msg any
			e.Decode(0, &room)
			e.Decode(1, &msg)
			s.To(room).Emit("room message", room, msg)
		})
		s.On("broadcast", func(e *Event) {
			var msg any
			e.Decode(0, &msg)
			s.Broadcast().Emit("broadcast", msg)
		})
		s.On("disconnect me", func(*Event) { s.Disconnect(true) })
		s.On("server ack", func(e *Event) {
			var n float64
			e.Decode(0, &n)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			a, err := s.EmitWithAck(ctx, "double", n)
			if err != nil {
				return
			}
			var m any
			a.Decode(0, &m)
			s.Emit("double result", m)
		})
	})
	return srv
}
