package hello_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/siogen/siogen/examples/hello"
	"github.com/siogen/siogen/runtime/socketio"
)

// Event middleware sees every event before its handler and may refuse it:
// the client's ack then carries the refusal. OnAny sees every event the
// client sends, refused or not.
func ExampleGreeterServer_UseEvent() {
	srv := socketio.NewServer(nil)
	greeter := hello.NewGreeterServer(srv)
	greeter.UseEvent(func(s *hello.GreeterSocket, e *socketio.Event) error {
		if e.Name == "enter" && s.Handshake().Query.Get("member") == "" {
			return socketio.NewClientError("members only")
		}
		return nil
	})
	var mu sync.Mutex
	var seen []string
	greeter.OnConnection(func(s *hello.GreeterSocket) {
		s.OnAny(func(event string, _ *socketio.Args) {
			mu.Lock()
			seen = append(seen, event)
			mu.Unlock()
		})
		s.OnGreet(func(name string) (string, error) { return "hello, " + name, nil })
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
	client, err := hello.DialGreeter(ctx, ts.URL, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	fmt.Println(client.EmitEnter(ctx, "lounge"))
	fmt.Println(client.EmitGreet(ctx, "gopher"))
	mu.Lock()
	fmt.Println(strings.Join(seen, ", "))
	mu.Unlock()
	// Output:
	// members only
	// hello, gopher <nil>
	// enter, greet
}
