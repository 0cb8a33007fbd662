package hello_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/siogen/siogen/examples/hello"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

type userKey struct{}

// A handler that takes the socket's context: it carries what net/http
// middleware put in the handshake request's context (here the user a
// header names), and ends when the socket disconnects.
func ExampleGreeterSocket_OnGreetContext() {
	authenticate := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := context.WithValue(r.Context(), userKey{}, r.Header.Get("X-User"))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	srv := socketio.NewServer(nil)
	greeter := hello.NewGreeterServer(srv)
	greeter.OnConnection(func(s *hello.GreeterSocket) {
		s.OnGreetContext(func(ctx context.Context, name string) (string, error) {
			return fmt.Sprintf("hello, %s, from %s", name, ctx.Value(userKey{})), nil
		})
	})
	ts := httptest.NewServer(authenticate(greeter)) // in a program: http.Handle(srv.Path(), authenticate(greeter))
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := &socketio.ManagerOptions{Engine: engineio.DialOptions{Header: http.Header{"X-User": {"ann"}}}}
	client, err := hello.DialGreeter(ctx, ts.URL, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	fmt.Println(client.EmitGreet(ctx, "gopher"))
	// Output: hello, gopher, from ann <nil>
}
