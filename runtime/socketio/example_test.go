package socketio_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/siogen/siogen/runtime/socketio"
)

// A server with an event handler that answers the client's ack, and a Go
// client that asks.
func Example() {
	srv := socketio.NewServer(nil)
	srv.Of("/").OnConnection(func(s *socketio.Socket) {
		s.On("add", func(e *socketio.Event) {
			var a, b int
			if err := e.Decode(0, &a); err != nil {
				e.Reject(err)
				return
			}
			if err := e.Decode(1, &b); err != nil {
				e.Reject(err)
				return
			}
			e.Ack(a + b)
		})
	})
	ts := httptest.NewServer(srv) // in a program: http.Handle(srv.Path(), srv)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := socketio.Dial(ctx, ts.URL, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Manager().Close()

	reply, err := client.EmitWithAck(ctx, "add", 2, 3)
	if err != nil {
		log.Fatal(err)
	}
	var sum int
	reply.Decode(0, &sum)
	fmt.Println("2 + 3 =", sum)

	// A handler's Reject answers the ack with {"error": message}, which
	// EmitWithAck returns as a *RejectedError.
	_, err = client.EmitWithAck(ctx, "add", "two", 3)
	var rejected *socketio.RejectedError
	fmt.Println("rejected:", errors.As(err, &rejected))
	// Output:
	// 2 + 3 = 5
	// rejected: true
}

// Rooms: a socket joins rooms, and a broadcast to a room reaches the
// sockets in it.
func ExampleSocket_Join() {
	srv := socketio.NewServer(nil)
	news := srv.Of("/")
	news.OnConnection(func(s *socketio.Socket) {
		s.On("subscribe", func(e *socketio.Event) {
			var topic string
			e.Decode(0, &topic)
			s.Join(topic)
			e.Ack()
		})
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan string, 2)
	for _, topic := range []string{"go", "rust"} {
		c, err := socketio.Dial(ctx, ts.URL, nil)
		if err != nil {
			log.Fatal(err)
		}
		defer c.Manager().Close()
		c.On("headline", func(e *socketio.Event) {
			var h string
			e.Decode(0, &h)
			got <- topic + " reader: " + h
		})
		if _, err := c.EmitWithAck(ctx, "subscribe", topic); err != nil { // joined once acked
			log.Fatal(err)
		}
	}

	news.To("go").Emit("headline", "Go 1.25 released")
	fmt.Println(<-got)
	// Output:
	// go reader: Go 1.25 released
}

// Middleware runs before a client is admitted to a namespace; an error
// refuses the client, which receives its message when it is a
// *socketio.ClientError (any other error's text stays on the server).
func ExampleNamespace_Use() {
	srv := socketio.NewServer(nil)
	admin := srv.Of("/admin")
	admin.Use(func(s *socketio.Socket) error {
		if s.Handshake().Query.Get("token") != "secret" {
			return socketio.NewClientError("not authorized")
		}
		return nil
	})
	admin.OnConnection(func(s *socketio.Socket) {})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := socketio.Dial(ctx, ts.URL+"/admin?token=guess", nil)
	var refused *socketio.ConnectError
	if errors.As(err, &refused) {
		fmt.Println("refused:", refused.Message)
	}
	c, err := socketio.Dial(ctx, ts.URL+"/admin?token=secret", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Manager().Close()
	fmt.Println("admitted to", c.Namespace())
	// Output:
	// refused: not authorized
	// admitted to /admin
}
