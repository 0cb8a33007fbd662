package scratch

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/scratch/api"
	"github.com/siogen/siogen/runtime/socketio"
)

// TestGreet runs the generated server and client against each other.
func TestGreet(t *testing.T) {
	srv := socketio.NewServer(nil)
	greeter := api.NewGreeterServer(srv)
	greeter.OnConnection(func(s *api.GreeterSocket) {
		s.OnGreet(func(name string) (string, error) {
			greeter.EmitGreeted(name)
			return "hello, " + name, nil
		})
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := api.NewGreeterClient(socketio.NewManager(ts.URL, nil))
	defer c.Close()
	greeted := make(chan string, 1)
	c.OnGreeted(func(name string) { greeted <- name })
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := c.EmitGreet(ctx, "gopher")
	if err != nil || got != "hello, gopher" {
		t.Fatalf("greet: %q, %v", got, err)
	}
	select {
	case name := <-greeted:
		if name != "gopher" {
			t.Fatalf("greeted %q", name)
		}
	case <-ctx.Done():
		t.Fatal("no greeted event")
	}
}
