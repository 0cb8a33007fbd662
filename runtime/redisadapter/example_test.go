package redisadapter_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/siogen/siogen/internal/redistest"
	"github.com/siogen/siogen/runtime/redisadapter"
	"github.com/siogen/siogen/runtime/socketio"
)

// Two servers joined through Redis (at $REDIS_ADDR): a broadcast on one
// reaches a client of the other. (TestExample runs this example against a
// private redis-server.)
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var nodes [2]*socketio.Server
	var urls [2]string
	for i := range nodes {
		cluster := redisadapter.New(rdb, nil)
		defer cluster.Close()
		nodes[i] = socketio.NewServer(&socketio.Options{Adapter: cluster.Adapter})
		nodes[i].Of("/").OnConnection(func(s *socketio.Socket) {})
		// Subscribed for every namespace made so far: it hears the other
		// node from now on.
		if err := cluster.Ready(ctx); err != nil {
			log.Fatal(err)
		}
		ts := httptest.NewServer(nodes[i])
		defer ts.Close()
		defer nodes[i].Shutdown(context.Background())
		urls[i] = ts.URL
	}

	// A client of the second node.
	client, err := socketio.Dial(ctx, urls[1], nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Manager().Close()
	got := make(chan string, 1)
	client.On("news", func(e *socketio.Event) {
		var s string
		e.Decode(0, &s)
		got <- s
	})

	// A broadcast on the first.
	nodes[0].Of("/").Emit("news", "from node 0")
	select {
	case s := <-got:
		fmt.Println(s)
	case <-ctx.Done():
		log.Fatal("the broadcast did not arrive")
	}
}

// TestExample runs Example against a private redis-server and checks what
// it prints: an example without an Output comment is only compiled.
func TestExample(t *testing.T) {
	r := redistest.Start(t)
	t.Setenv("REDIS_ADDR", r.Addr)
	out := captureStdout(t, Example)
	if want := "from node 0\n"; out != want {
		t.Fatalf("Example printed %q, want %q", out, want)
	}
}

// captureStdout returns what fn writes to os.Stdout.
func captureStdout(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = stdout }()
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	fn()
	w.Close()
	return <-done
}
