package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/examples/chat/chatapi"
	"github.com/siogen/siogen/internal/nodetest"
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

// TestChatWithSocketIO4Node joins the chat, as main does with -redis and
// -redis-protocol, to the reference chat on socket.io 4.8.3 with
// @socket.io/redis-adapter 8.3.0 (interop/node-chat-v4.js, a copy of
// shared/peers/node-chat-v4) through one Redis, in both of the adapter's
// protocols (broadcasts are the same in both). A Go client on the Go node
// and socket.io-client 4.8.3 on the Node node each get the other's line
// and their own, once.
func TestChatWithSocketIO4Node(t *testing.T) {
	nodetest.Require(t)
	for _, protocol := range []string{"redis-adapter", "socket.io-redis"} {
		t.Run(protocol, func(t *testing.T) {
			r := redistest.Start(t)
			defer func(p string) { *redisProtocol = p }(*redisProtocol)
			*redisProtocol = protocol
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

			nodeAddr := nodetest.FreeAddr(t)
			_, port, _ := net.SplitHostPort(nodeAddr)
			nodetest.Start(t, "node-chat-v4.js", "listening on", []string{"PORT=" + port, "REDIS=" + r.Addr, "QUIET=1"})

			got := make(chan string, 8)
			c := chatapi.NewChatClient(socketio.NewManager(ts.URL, &socketio.ManagerOptions{
				Engine: engineio.DialOptions{Transports: []string{engineio.WebSocket}},
			}))
			t.Cleanup(func() { c.Close() })
			c.OnChatMessage(func(msg string) { got <- msg })
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if err := c.Connect(ctx); err != nil {
				t.Fatal(err)
			}
			js := nodetest.Start(t, "chat-line-v4.js", "connected", nil, "http://"+nodeAddr, "from node")
			if err := c.EmitChatMessageNoAck("from go"); err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for len(seen) < 2 {
				select {
				case msg := <-got:
					seen[msg]++
				case <-time.After(10 * time.Second):
					t.Fatalf("the Go client got %v\nnode client:\n%s", seen, js.Output())
				}
			}
			// The node client prints each line it gets; it must get both.
			jsGot := func(msg string) int { return strings.Count(js.Output(), "got \""+msg+"\"\n") }
			deadline := time.Now().Add(10 * time.Second)
			for jsGot("from go") == 0 || jsGot("from node") == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("node client output:\n%s", js.Output())
				}
				time.Sleep(10 * time.Millisecond)
			}
			select {
			case msg := <-got:
				seen[msg]++
			case <-time.After(200 * time.Millisecond):
			}
			if seen["from go"] != 1 || seen["from node"] != 1 || jsGot("from go") != 1 || jsGot("from node") != 1 {
				t.Fatalf("the Go client got %v, want each line once; node client output:\n%s", seen, js.Output())
			}
		})
	}
}

// TestChatThroughSentinel joins two chat nodes as main does with -redis
// SENTINEL -redis-master NAME: they find the master through the Sentinel
// and share their users.
func TestChatThroughSentinel(t *testing.T) {
	rs := redistest.StartSentinel(t)
	defer func(m string) { *redisMaster = m }(*redisMaster)
	*redisMaster = rs.MasterName
	var clients []*chatapi.ChatClient
	got := make(chan string, 8)
	for range 2 {
		logs := &syncBuffer{}
		logger := log.New(logs, "", 0)
		opts, cluster := joinCluster(rs.Addr)
		handler, srv := newServer(logger, opts)
		ts := httptest.NewServer(handler)
		t.Cleanup(func() {
			ts.Close()
			srv.Shutdown(t.Context())
			cluster.Close()
		})
		reportJoined(logger, cluster, rs.Addr)
		if !strings.Contains(logs.String(), "joined the cluster") {
			t.Fatalf("node log: %s", logs.String())
		}
		c := chatapi.NewChatClient(socketio.NewManager(ts.URL, &socketio.ManagerOptions{
			Engine: engineio.DialOptions{Transports: []string{engineio.WebSocket}},
		}))
		t.Cleanup(func() { c.Close() })
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		err := c.Connect(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	clients[1].OnChatMessage(func(msg string) { got <- msg })
	if err := clients[0].EmitChatMessageNoAck("through the sentinel"); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-got:
		if msg != "through the sentinel" {
			t.Fatalf("got %q", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the other node's user got nothing")
	}
}
