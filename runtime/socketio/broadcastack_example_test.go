package socketio_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/siogen/siogen/runtime/socketio"
)

// A broadcast with acks: every socket is asked, and the acks come back
// with the ids of the sockets that sent them, until all answered or the
// context ends.
func ExampleBroadcast_EmitWithAck() {
	srv := socketio.NewServer(nil)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, name := range []string{"ann", "bob"} {
		client, err := socketio.Dial(ctx, ts.URL, nil)
		if err != nil {
			log.Fatal(err)
		}
		defer client.Manager().Close()
		client.On("ready?", func(e *socketio.Event) { e.Ack(name + " is ready") })
	}

	acks, err := srv.Of("/").EmitWithAck(ctx, "ready?")
	if err != nil {
		log.Fatal(err)
	}
	answers := map[string]bool{}
	for _, ack := range acks.Replies { // ack.SocketID says who answered
		var answer string
		ack.Args.Decode(0, &answer)
		answers[answer] = true
	}
	fmt.Println(len(acks.Replies), answers["ann is ready"], answers["bob is ready"], acks.Unanswered)
	// Output:
	// 2 true true []
}
