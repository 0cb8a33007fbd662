package main

import (
	"context"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/redistest"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// TestChatNodesShareRedis runs two chat servers as main does with -redis:
// a line sent to one reaches the users of both, once, through the same
// generated code as a single node.
func TestChatNodesShareRedis(t *testing.T) {
	r := redistest.Start(t)
	var urls []string
	for range 2 {
		logs := &syncBuffer{}
		logger := log.New(logs, "", 0)
		opts, cluster := joinCluster(r.Addr)
		handler, srv := newServer(logger, opts)
		ts := httptest.NewServer(handler)
		t.Cleanup(func() {
			ts.Close()
			srv.Shutdown(t.Context())
			cluster.Close()
		})
		reportJoined(logger, cluster, r.Addr)
		if !strings.Contains(logs.String(), "joined the cluster through redis "+r.Addr) {
			t.Fatalf("node log: %s", logs.String())
		}
		urls = append(urls, ts.URL)
	}
	got := make([]chan string, 2)
	socks := make([]*socketio.ClientSocket, 2)
	for i, url := range urls {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		s, err := socketio.Dial(ctx, url, &socketio.ManagerOptions{Engine: engineio.DialOptions{Transports: []string{engineio.WebSocket}}})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Manager().Close() })
		got[i] = make(chan string, 8)
		s.On("chat message", func(e *socketio.Event) {
			var msg string
			e.Decode(0, &msg)
			got[i] <- msg
		})
		socks[i] = s
	}
	socks[0].Emit("chat message", "from node 0")
	socks[1].Emit("chat message", "from node 1")
	for i := range got {
		seen := map[string]int{}
		for len(seen) < 2 {
			select {
			case msg := <-got[i]:
				seen[msg]++
			case <-time.After(10 * time.Second):
				t.Fatalf("client on node %d got %v", i, seen)
			}
		}
		select {
		case msg := <-got[i]:
			seen[msg]++
		case <-time.After(200 * time.Millisecond):
		}
		if seen["from node 0"] != 1 || seen["from node 1"] != 1 {
			t.Fatalf("client on node %d got %v, want each line once", i, seen)
		}
	}
}
