package hello_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/siogen/siogen/examples/hello"
	"github.com/siogen/siogen/runtime/socketio"
)

// A server with typed handlers, and the typed Go client: EmitGreet waits
// for the server's ack and returns its value, or the handler's error.
func ExampleNewGreeterServer() {
	srv := socketio.NewServer(nil)
	greeter := hello.NewGreeterServer(srv)
	greeter.OnConnection(func(s *hello.GreeterSocket) {
		s.OnGreet(func(name string) (string, error) {
			if name == "" {
				return "", socketio.NewClientError("whom should I greet?")
			}
			return "hello, " + name, nil
		})
	})
	ts := httptest.NewServer(greeter) // in a program: http.Handle(srv.Path(), greeter)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := hello.DialGreeter(ctx, ts.URL, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	greeting, err := client.EmitGreet(ctx, "gopher")
	fmt.Println(greeting, err)
	_, err = client.EmitGreet(ctx, "")
	fmt.Println(err)
	// Output:
	// hello, gopher <nil>
	// whom should I greet?
}

// Rooms: a socket joins a room in a handler, and the server emits to the
// sockets in it.
func ExampleGreeterSocket_Join() {
	srv := socketio.NewServer(nil)
	greeter := hello.NewGreeterServer(srv)
	greeter.OnConnection(func(s *hello.GreeterSocket) {
		s.OnEnter(func(room string) error {
			s.Join(room)
			return nil
		})
	})
	ts := httptest.NewServer(greeter)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	greeted := make(chan string, 2)
	for _, room := range []string{"lobby", "kitchen"} {
		c, err := hello.DialGreeter(ctx, ts.URL, nil)
		if err != nil {
			log.Fatal(err)
		}
		defer c.Close()
		c.OnGreeted(func(name string) { greeted <- room + ": " + name + " was greeted" })
		if err := c.EmitEnter(ctx, room); err != nil { // in the room once acked
			log.Fatal(err)
		}
	}

	greeter.To("kitchen").EmitGreeted("ann")
	fmt.Println(<-greeted)
	// Output:
	// kitchen: ann was greeted
}

// Middleware admits or refuses each client before its handlers are set; a
// refusal reaches the client as a *socketio.ConnectError with the message.
func ExampleGreeterServer_Use() {
	srv := socketio.NewServer(nil)
	greeter := hello.NewGreeterServer(srv)
	greeter.Use(func(s *hello.GreeterSocket) error {
		if s.Handshake().Query.Get("name") == "" {
			return socketio.NewClientError("say who you are")
		}
		return nil
	})
	greeter.OnConnection(func(s *hello.GreeterSocket) {})
	ts := httptest.NewServer(greeter)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := hello.DialGreeter(ctx, ts.URL, &socketio.ManagerOptions{DisableReconnection: true})
	var refused *socketio.ConnectError
	if errors.As(err, &refused) {
		fmt.Println("refused:", refused.Message)
	}
	c, err := hello.DialGreeter(ctx, ts.URL+"?name=ann", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("connected:", c.Connected())
	// Output:
	// refused: say who you are
	// connected: true
}
