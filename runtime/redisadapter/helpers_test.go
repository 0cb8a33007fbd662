package redisadapter

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/siogen/siogen/internal/redistest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// wait bounds every wait of these tests; the happy paths take milliseconds.
const wait = 10 * time.Second

// goNode is a socketio.Server joined to a cluster through Redis, serving
// the events of the tests in namespaces "/" and "/admin":
//
//	say msg            everyone gets "said" msg
//	say bin bytes      everyone gets "said bin" bytes
//	say to room msg    the sockets in room get "said" msg
//	say others msg     everyone but the sender gets "said" msg
//	join room (ack)    the socket joins room
type goNode struct {
	srv     *socketio.Server
	nsp     *socketio.Namespace
	cluster *Cluster
	url     string
	logs    *testutil.Buffer
}

func startGoNode(t *testing.T, r *redistest.Server, opts *Options) *goNode {
	t.Helper()
	return startGoNodeWith(t, redis.NewClient(&redis.Options{Addr: r.Addr, MaxRetries: -1, DialTimeout: time.Second}), opts)
}

// startGoNodeWith starts a node on rdb, which it closes at cleanup.
func startGoNodeWith(t *testing.T, rdb redis.UniversalClient, opts *Options) *goNode {
	t.Helper()
	n := &goNode{logs: &testutil.Buffer{}}
	var o Options
	if opts != nil {
		o = *opts
	}
	o.Logger = slog.New(slog.NewTextHandler(n.logs, nil))
	n.cluster = New(rdb, &o)
	n.srv = socketio.NewServer(&socketio.Options{Adapter: n.cluster.Adapter, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	n.nsp = n.srv.Of("/")
	n.nsp.OnConnection(handleTestEvents(n.nsp))
	admin := n.srv.Of("/admin")
	admin.OnConnection(handleTestEvents(admin))
	ts := httptest.NewServer(n.srv)
	n.url = ts.URL
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n.srv.Shutdown(ctx)
		ts.Close()
		n.cluster.Close()
		rdb.Close()
		if t.Failed() {
			t.Logf("logs of node %s:\n%s", n.url, n.logs.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := n.cluster.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	return n
}

// handleTestEvents returns the connection handler of the test events in nsp.
func handleTestEvents(nsp *socketio.Namespace) func(s *socketio.Socket) {
	return func(s *socketio.Socket) {
		s.On("say", func(e *socketio.Event) {
			var msg string
			e.Decode(0, &msg)
			nsp.Emit("said", msg)
		})
		s.On("say bin", func(e *socketio.Event) {
			var b []byte
			e.Decode(0, &b)
			nsp.Emit("said bin", b)
		})
		s.On("say to", func(e *socketio.Event) {
			var room, msg string
			e.Decode(0, &room)
			e.Decode(1, &msg)
			nsp.To(room).Emit("said", msg)
		})
		s.On("say others", func(e *socketio.Event) {
			var msg string
			e.Decode(0, &msg)
			s.Broadcast().Emit("said", msg)
		})
		s.On("join", func(e *socketio.Event) {
			var room string
			e.Decode(0, &room)
			s.Join(room)
			e.Ack()
		})
	}
}

func (n *goNode) adapter() *Adapter { return n.nsp.Adapter().(*Adapter) }

// client is a Go client that records the "said" and "said bin" events it
// gets, in order.
type client struct {
	*socketio.ClientSocket
	mu   sync.Mutex
	got  []string
	more chan struct{} // closed and replaced on each event
	gone chan string   // disconnect reasons
}

func dial(t *testing.T, url string) *client {
	t.Helper()
	// The mixed cluster's Node.js node is socket.io 2.x, and the tests
	// name sockets by socket.io 2.x's ids ("/nsp#" + engine id).
	return dialProtocol(t, url, 4)
}

// dialProtocol is dial speaking Socket.IO revision protocol (4 or 5).
func dialProtocol(t *testing.T, url string, protocol int) *client {
	t.Helper()
	c := &client{more: make(chan struct{}), gone: make(chan string, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s, err := socketio.Dial(ctx, url, &socketio.ManagerOptions{
		Protocol:            protocol,
		Engine:              engineio.DialOptions{Transports: []string{engineio.WebSocket}},
		DisableReconnection: true,
		Logger:              slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	c.ClientSocket = s
	s.On("said", func(e *socketio.Event) {
		var msg string
		e.Decode(0, &msg)
		c.add(msg)
	})
	s.On("said bin", func(e *socketio.Event) {
		var b []byte
		e.Decode(0, &b)
		c.add("bin:" + hex.EncodeToString(b))
	})
	s.On("ask", func(e *socketio.Event) { // a broadcast with acks
		var q string
		e.Decode(0, &q)
		e.Ack("go:" + q)
	})
	s.OnDisconnect(func(reason string) {
		select {
		case c.gone <- reason:
		default:
		}
	})
	t.Cleanup(func() { s.Manager().Close() })
	return c
}

func (c *client) add(msg string) {
	c.mu.Lock()
	c.got = append(c.got, msg)
	close(c.more)
	c.more = make(chan struct{})
	c.mu.Unlock()
}

// waitFor waits until msg has arrived.
func (c *client) waitFor(t *testing.T, msg string) {
	t.Helper()
	deadline := time.After(wait)
	for {
		c.mu.Lock()
		has, more := slices.Contains(c.got, msg), c.more
		c.mu.Unlock()
		if has {
			return
		}
		select {
		case <-more:
		case <-deadline:
			t.Fatalf("client %s: no %q within %v; got %q", c.ID(), msg, wait, c.received())
		}
	}
}

// count returns how many times msg arrived.
func (c *client) count(msg string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, m := range c.got {
		if m == msg {
			n++
		}
	}
	return n
}

func (c *client) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.got)
}

// join makes the client's socket join room through its server.
func (c *client) join(t *testing.T, room string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, err := c.EmitWithAck(ctx, "join", room); err != nil {
		t.Fatal(err)
	}
}

// receiver is a client whose received messages a test can wait for.
type receiver interface {
	waitFor(t *testing.T, msg string)
}

// settle returns once every publication made so far has been handled by
// every node. First each client sends a marker through its server (says),
// after the events it sent before, whose handlers have then published what
// they publish; a marker reaching every client proves that what came before
// it in Redis was handled by the other nodes. A node's own publications come
// back to it (to be ignored) before the next marker of another node, so
// then markers go out from each node (emitters), and from the first again,
// each after the previous one arrived.
func settle(t *testing.T, says, emitters []func(marker string), receivers ...receiver) {
	t.Helper()
	var sent []string
	for _, say := range says {
		marker := fmt.Sprintf("marker %d", markers.Add(1))
		say(marker)
		sent = append(sent, marker)
	}
	for _, m := range sent {
		for _, r := range receivers {
			r.waitFor(t, m)
		}
	}
	for _, emit := range append(emitters, emitters[0]) {
		marker := fmt.Sprintf("marker %d", markers.Add(1))
		emit(marker)
		for _, r := range receivers {
			r.waitFor(t, marker)
		}
	}
}

// settleGo is settle for Go nodes and their Go clients.
func settleGo(t *testing.T, nodes []*goNode, clients ...*client) {
	t.Helper()
	var says, emitters []func(string)
	var receivers []receiver
	for _, c := range clients {
		says = append(says, func(m string) { c.Emit("say", m) })
		receivers = append(receivers, c)
	}
	for _, n := range nodes {
		emitters = append(emitters, func(m string) { n.nsp.Emit("said", m) })
	}
	settle(t, says, emitters, receivers...)
}

var markers atomic.Int64

// expect checks that each client got msg the number of times given.
func expect(t *testing.T, msg string, counts map[*client]int) {
	t.Helper()
	for c, want := range counts {
		if got := c.count(msg); got != want {
			t.Errorf("client %s got %q %d times, want %d (all: %q)", c.ID(), msg, got, want, c.received())
		}
	}
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func redisClient(t *testing.T, r *redistest.Server) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	t.Cleanup(func() { c.Close() })
	return c
}
