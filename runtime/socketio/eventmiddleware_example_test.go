package socketio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/siogen/siogen/runtime/socketio"
)

// Event middleware refuses an event before its handler runs; the ack
// carries a ClientError's message, while an internal error's text stays on
// the server (logged) and the client reads "internal error".
func ExampleNamespace_UseEvent() {
	srv := socketio.NewServer(&socketio.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	shop := srv.Of("/")
	shop.UseEvent(func(e *socketio.Event) error {
		if e.Name == "delete" && e.Socket().Handshake().Query.Get("role") != "admin" {
			return socketio.NewClientError("admins only")
		}
		return nil
	})
	shop.OnConnection(func(s *socketio.Socket) {
		s.On("delete", func(e *socketio.Event) { e.Ack("deleted") })
		s.On("report", func(e *socketio.Event) {
			e.AckError(errors.New("connect to db: password authentication failed"))
		})
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := socketio.Dial(ctx, ts.URL+"?role=guest", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Manager().Close()
	_, err = c.EmitWithAck(ctx, "delete")
	fmt.Println(err)
	_, err = c.EmitWithAck(ctx, "report")
	fmt.Println(err)
	// Output:
	// admins only
	// internal error
}
