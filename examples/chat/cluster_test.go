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
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// startChatNode starts a chat server joined to the Redis at addr as main
// does with -redis (and the flags the test set), and returns its URL and
// what it logged while joining.
func startChatNode(t *testing.T, addr string) (url, joinLog string) {
	t.Helper()
	logs := &testutil.Buffer{}
	logger := log.New(logs, "", 0)
	opts, cluster := joinCluster(addr)
	handler, srv := newServer(logger, opts)
	ts := httptest.NewServer(handler)
	t.Cleanup(func() {
		ts.Close()
		srv.Shutdown(t.Context())
		cluster.Close()
	})
	reportJoined(logger, cluster, addr)
	return ts.URL, logs.String()
}

// dialChat connects a generated chat client over websocket to url and hands
// every chat line it gets to got.
func dialChat(t *testing.T, url string, got chan<- string) *chatapi.ChatClient {
	t.Helper()
	c := chatapi.NewChatClient(socketio.NewManager(url, &socketio.ManagerOptions{
		Engine: engineio.DialOptions{Transports: []string{engineio.WebSocket}},
	}))
	t.Cleanup(func() { c.Close() })
	c.OnChatMessage(func(msg string) { got <- msg })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// receiveUntil counts the lines from got until every one of last has
// arrived (they are counted too). A node delivers the lines of one sender in
// the order it sent them, locally and through Redis, so when each sender
// ends with a line of its own in last, a duplicate of anything it sent
// before shows up before that line.
func receiveUntil(t *testing.T, got <-chan string, last ...string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, l := range last {
		for seen[l] == 0 {
			select {
			case msg := <-got:
				seen[msg]++
			case <-time.After(10 * time.Second):
				t.Fatalf("got %v, still waiting for %q", seen, l)
			}
		}
	}
	return seen
}

// TestChatNodesShareRedis runs two chat servers as main does with -redis:
// a line sent to one reaches the users of both, once, through the same
// generated code as a single node.
func TestChatNodesShareRedis(t *testing.T) {
	r := redistest.Start(t)
	var clients []*chatapi.ChatClient
	var got []chan string
	for range 2 {
		url, joinLog := startChatNode(t, r.Addr)
		if !strings.Contains(joinLog, "joined the cluster through redis "+r.Addr) {
			t.Fatalf("node log: %s", joinLog)
		}
		ch := make(chan string, 8)
		clients = append(clients, dialChat(t, url, ch))
		got = append(got, ch)
	}
	for i, c := range clients {
		for _, line := range []string{"from node %d", "end %d"} {
			if err := c.EmitChatMessageNoAck(fmt.Sprintf(line, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range got {
		seen := receiveUntil(t, got[i], "end 0", "end 1")
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
			url, _ := startChatNode(t, r.Addr)

			nodeAddr := nodetest.FreeAddr(t)
			_, port, _ := net.SplitHostPort(nodeAddr)
			nodetest.Start(t, "node-chat-v4.js", "listening on", []string{"PORT=" + port, "REDIS=" + r.Addr, "QUIET=1"})

			got := make(chan string, 8)
			c := dialChat(t, url, got)
			js := nodetest.Start(t, "chat-line-v4.js", "connected", nil, "http://"+nodeAddr, "from node")
			for _, line := range []string{"from go", "end go"} {
				if err := c.EmitChatMessageNoAck(line); err != nil {
					t.Fatal(err)
				}
			}
			// The node client answers the first line with "from node"
			// and "end node".
			seen := receiveUntil(t, got, "end go", "end node")
			if seen["from go"] != 1 || seen["from node"] != 1 {
				t.Fatalf("the Go client got %v, want each line once; node client output:\n%s", seen, js.Output())
			}
			jsGot := func(msg string) int { return strings.Count(js.Output(), "got \""+msg+"\"\n") }
			testutil.Eventually(t, 10*time.Second, "both end lines at the node client", func() bool {
				return jsGot("end go") > 0 && jsGot("end node") > 0
			})
			if jsGot("from go") != 1 || jsGot("from node") != 1 {
				t.Fatalf("the node client did not get each line once:\n%s", js.Output())
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
	var got []chan string
	var clients []*chatapi.ChatClient
	for range 2 {
		url, joinLog := startChatNode(t, rs.Addr)
		if !strings.Contains(joinLog, "joined the cluster") {
			t.Fatalf("node log: %s", joinLog)
		}
		ch := make(chan string, 8)
		clients = append(clients, dialChat(t, url, ch))
		got = append(got, ch)
	}
	if err := clients[0].EmitChatMessageNoAck("through the sentinel"); err != nil {
		t.Fatal(err)
	}
	if seen := receiveUntil(t, got[1], "through the sentinel"); len(seen) != 1 {
		t.Fatalf("the other node's user got %v", seen)
	}
}
