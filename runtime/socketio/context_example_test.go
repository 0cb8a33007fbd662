package socketio_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

type userKey struct{}

// What net/http middleware put in the handshake request's context reaches
// the namespace's middleware through Socket.Context; the middleware hands
// it to the handlers with SetData.
func ExampleSocket_Context() {
	// Ordinary net/http middleware: the bearer token names the user.
	authenticate := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if user := r.Header.Get("Authorization"); user != "" {
				r = r.WithContext(context.WithValue(r.Context(), userKey{}, user[len("Bearer "):]))
			}
			next.ServeHTTP(w, r)
		})
	}
	srv := socketio.NewServer(nil)
	srv.Of("/").Use(func(s *socketio.Socket) error {
		user, ok := s.Context().Value(userKey{}).(string)
		if !ok {
			return socketio.NewClientError("unauthenticated")
		}
		s.SetData(user)
		return nil
	})
	srv.Of("/").OnConnection(func(s *socketio.Socket) {
		s.On("whoami", func(e *socketio.Event) { e.Ack(s.Data()) })
	})
	ts := httptest.NewServer(authenticate(srv)) // in a program: http.Handle(srv.Path(), authenticate(srv))
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := &socketio.ManagerOptions{Engine: engineio.DialOptions{Header: http.Header{"Authorization": {"Bearer ann"}}}}
	client, err := socketio.Dial(ctx, ts.URL, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Manager().Close()
	reply, err := client.EmitWithAck(ctx, "whoami")
	if err != nil {
		log.Fatal(err)
	}
	var user string
	reply.Decode(0, &user)
	fmt.Println("hello", user)
	// Output: hello ann
}
