package main

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/examples/chat/chatapi"
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
	clients := make([]*chatapi.ChatClient, 2)
	for i, url := range urls {
		got[i] = make(chan string, 8)
		c := chatapi.NewChatClient(socketio.NewManager(url, &socketio.ManagerOptions{
			Engine: engineio.DialOptions{Transports: []string{engineio.WebSocket}},
		}))
		t.Cleanup(func() { c.Close() })
		c.OnChatMessage(func(msg string) { got[i] <- msg })
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		err := c.Connect(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = c
	}
	for i, c := range clients {
		if err := c.EmitChatMessageNoAck(fmt.Sprintf("from node %d", i)); err != nil {
			t.Fatal(err)
		}
	}
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
