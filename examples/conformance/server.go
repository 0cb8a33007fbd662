package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/siogen/siogen/examples/conformance/contract"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// newServer returns the conformance server: every row and namespace rule of
// both contracts, built only from the generated typed API. Each connection
// gets the contract of its protocol: socket.io 2.x clients the 2.x one,
// 3.x/4.x clients the 4.x one (socket ids, auth).
// Long on purpose: one handler per contract row, in the order of
// the contract, so that it reads beside the reference server's script.
func newServer() *socketio.Server {
	srv := socketio.NewServer(&socketio.Options{
		Engine: engineio.Options{PingInterval: 2 * time.Second}, // as the reference
		// The 4.x contract's connection state recovery, at socket.io's
		// defaults; it concerns 4.x clients only.
		Recovery: &socketio.RecoveryOptions{},
	})
	asdf := []byte("asdfasdf")

	// These accept every connection and have no events.
	contract.NewAsdServer(srv)
	contract.NewValidServer(srv)
	contract.NewTimeoutSocketServer(srv)

	foo := contract.NewFooServer(srv)
	foo.OnConnection(func(s *contract.FooSocket) {
		s.OnGetId(func() (string, error) { return s.Socket().ID(), nil })
	})

	abc := contract.NewAbcServer(srv)
	abc.OnConnection(func(s *contract.AbcSocket) { s.EmitHandshake(handshake(s.Handshake())) })

	contract.NewNoServer(srv).Use(func(*contract.NoSocket) error {
		return socketio.NewClientError("Auth failed (custom namespace)")
	})

	admin := contract.NewAdminServer(srv)
	admin.Use(func(s *contract.AdminSocket) error {
		if s.Handshake().Query.Get("token") != "secret" {
			return socketio.NewClientError("not authorized")
		}
		return nil
	})
	admin.OnConnection(func(s *contract.AdminSocket) {
		s.OnWhoAmI(func() (string, error) { return "admin", nil })
	})

	main := contract.NewMainServer(srv)
	main.Use(func(s *contract.MainSocket) error {
		// As the reference's `if (socket.request._query.fail)`: an empty
		// value is falsy there, so ?fail= connects.
		if s.Handshake().Query.Get("fail") != "" {
			return socketio.NewClientError("Auth failed (main namespace)")
		}
		return nil
	})
	main.OnConnection(func(s *contract.MainSocket) {
		s.OnHi(func() { s.EmitHi() })
		s.OnAck(func() {
			// Handlers may block: acks are resolved as they arrive, not by
			// this socket's event goroutine.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			n, obj, err := s.EmitAck(ctx)
			if err == nil && n == 5 && obj.Test {
				s.EmitGotIt()
			}
		})
		s.OnGetAckDate(func(any) (string, error) { return jsDate(time.Now()), nil })
		s.OnGetDate(func() { s.EmitTakeDate(jsDate(time.Now())) })
		s.OnGetDateObj(func() { s.EmitTakeDateObj(contract.DateObject{Date: jsDate(time.Now())}) })
		s.OnGetUtf8(func() {
			for _, u := range []string{"てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"} {
				s.EmitTakeUtf8(u)
			}
		})
		s.OnFalse(func() { s.EmitFalse(false) })
		s.OnDoge(func() { s.EmitDoge(asdf) })
		s.OnBuffa(func(data any) {
			if _, ok := data.([]byte); ok {
				s.EmitBuffack()
			}
		})
		s.OnJSONBuff(func(v contract.JSONBuffer) {
			if _, ok := v.Message.([]byte); ok && v.Hello == "lol" && v.Goodbye == "gotcha" {
				s.EmitJSONBuffAck()
			}
		})
		gotAbuff1 := false // touched only by this socket's handlers, one at a time
		s.OnAbuff1(func(data any) { _, gotAbuff1 = data.([]byte) })
		s.OnAbuff2(func(any) {
			if gotAbuff1 {
				s.EmitAbuff2Ack()
			}
		})
		s.OnGetBin(func() { s.EmitTakeBin(asdf) })
		s.OnEcho(func(v any) (any, error) { return v, nil })
		s.OnGetHandshake(func() (contract.Handshake, error) { return handshake(s.Handshake()), nil })
		s.OnJoin(func(room string) (int, error) {
			s.Join(room)
			ids, err := s.Socket().Namespace().SocketsIn(context.Background(), room)
			return len(ids), err
		})
		s.OnRoomMessage(func(room string, msg any) { s.To(room).EmitRoomMessage(room, msg) })
		s.OnBroadcast(func(msg any) { s.Broadcast().EmitBroadcast(msg) })
		s.OnDisconnectMe(func() { s.Disconnect(true) })
		s.OnGetId(func() (string, error) { return s.Socket().ID(), nil })
		s.OnServerAck(func(n float64) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if m, err := s.EmitDouble(ctx, n); err == nil {
				s.EmitDoubleResult(m)
			}
		})
	})
	return srv
}

// jsDate formats t as JavaScript's Date.toJSON does.
func jsDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// handshake converts the runtime's handshake into the contract's JSON shape
// (socket.io's, with auth for 4.x clients).
func handshake(h *socketio.Handshake) contract.Handshake {
	var out contract.Handshake
	b, _ := json.Marshal(h)
	json.Unmarshal(b, &out)
	return out
}
