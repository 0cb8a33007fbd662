package engineio_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/siogen/siogen/runtime/engineio"
)

// shout is a Handler that answers every text message with it in capitals.
type shout struct{}

func (shout) OnOpen(c *engineio.Conn) {}

func (shout) OnMessage(c *engineio.Conn, m engineio.Message) {
	c.Send(engineio.Message{Data: []byte(strings.ToUpper(string(m.Data)))})
}

func (shout) OnClose(c *engineio.Conn, reason string) {}

// A server whose Handler answers each message, and a Go client (which
// starts on long-polling and upgrades to a websocket in the background).
func ExampleNewServer() {
	srv := engineio.NewServer(shout{}, nil)
	ts := httptest.NewServer(srv) // in a program: http.Handle(srv.Path(), srv)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	replies := make(chan string, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := engineio.Dial(ctx, ts.URL, &engineio.DialOptions{
		OnMessage: func(m engineio.Message) { replies <- string(m.Data) },
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	client.Send(engineio.Message{Data: []byte("hello")})
	fmt.Println(<-replies)
	// Output:
	// HELLO
}
