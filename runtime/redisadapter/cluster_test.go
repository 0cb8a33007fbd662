package redisadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redis/go-redis/v9"

	"github.com/siogen/siogen/internal/redistest"
	"github.com/siogen/siogen/runtime/socketio"
)

// TestTwoGoNodes runs two servers joined through Redis, one client on node
// A and two on node B, and checks broadcasts, rooms, exceptions and the
// cluster-wide queries across them.
func TestTwoGoNodes(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		if !t.Failed() {
			goleak.VerifyNone(t, leaks)
		}
	})
	r := redistest.Start(t)
	a, b := startGoNode(t, r, nil), startGoNode(t, r, nil)
	a1, b1, b2 := dial(t, a.url), dial(t, b.url), dial(t, b.url)
	all := func(n int) map[*client]int { return map[*client]int{a1: n, b1: n, b2: n} }
	settled := func(t *testing.T) { settleGo(t, []*goNode{a, b}, a1, b1, b2) }

	t.Run("broadcast", func(t *testing.T) {
		// A client on A broadcasts: every client of both nodes gets it
		// once, the sender's node not twice.
		a1.Emit("say", "hello")
		settled(t)
		expect(t, "hello", all(1))
		// And the other way, with binary data.
		b2.Emit("say bin", []byte{0, 1, 0xfe, 0xff})
		settled(t)
		expect(t, "bin:0001feff", all(1))
	})

	t.Run("rooms", func(t *testing.T) {
		b1.join(t, "r")
		a1.join(t, "s")
		a1.Emit("say to", "r", "to r") // one room: the room's own channel
		a.nsp.To("r", "s").Emit("said", "to r and s")
		b1.join(t, "s")
		a.nsp.To("r", "s").Emit("said", "to r and s, b1 in both")
		settled(t)
		expect(t, "to r", map[*client]int{a1: 0, b1: 1, b2: 0})
		expect(t, "to r and s", map[*client]int{a1: 1, b1: 1, b2: 0})
		expect(t, "to r and s, b1 in both", map[*client]int{a1: 1, b1: 1, b2: 0})
	})

	t.Run("except", func(t *testing.T) {
		b2.Emit("say others", "not b2") // socket.broadcast: except the sender's id
		a.nsp.Except("r").Emit("said", "not in r")
		a.nsp.To("s").Except(a1.ID()).Emit("said", "s but a1")
		a.nsp.To().Local().Emit("said", "A only")
		settled(t)
		expect(t, "not b2", map[*client]int{a1: 1, b1: 1, b2: 0})
		expect(t, "not in r", map[*client]int{a1: 1, b1: 0, b2: 1})
		expect(t, "s but a1", map[*client]int{a1: 0, b1: 1, b2: 0})
		expect(t, "A only", map[*client]int{a1: 1, b1: 0, b2: 0})
	})

	t.Run("queries", func(t *testing.T) {
		ctx := ctxFor(t, wait)
		for _, n := range []*goNode{a, b} {
			ids, err := n.nsp.SocketsIn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := sorted(a1.ID(), b1.ID(), b2.ID()); !slices.Equal(ids, want) {
				t.Fatalf("sockets %q, want %q", ids, want)
			}
			if ids, err = n.nsp.SocketsIn(ctx, "r", "s"); err != nil || !slices.Equal(ids, sorted(a1.ID(), b1.ID())) {
				t.Fatalf("sockets in r, s: %q, %v", ids, err)
			}
			rooms, err := n.adapter().Rooms(ctx)
			if want := sorted("r", "s", a1.ID(), b1.ID(), b2.ID()); err != nil || !slices.Equal(rooms, want) {
				t.Fatalf("rooms %q, %v; want %q", rooms, err, want)
			}
		}
		rooms, err := a.adapter().SocketRoomsOf(ctx, b1.ID())
		slices.Sort(rooms)
		if want := sorted("r", "s", b1.ID()); err != nil || !slices.Equal(rooms, want) {
			t.Fatalf("rooms of b1: %q, %v; want %q", rooms, err, want)
		}
	})

	t.Run("remote join and leave", func(t *testing.T) {
		ctx := ctxFor(t, wait)
		if err := a.adapter().RemoteJoin(ctx, b2.ID(), "q"); err != nil {
			t.Fatal(err)
		}
		a.nsp.To("q").Emit("said", "to q")
		settled(t)
		expect(t, "to q", map[*client]int{a1: 0, b1: 0, b2: 1})
		if err := a.adapter().RemoteLeave(ctx, b2.ID(), "q"); err != nil {
			t.Fatal(err)
		}
		a.nsp.To("q").Emit("said", "to q again")
		settled(t)
		expect(t, "to q again", map[*client]int{a1: 0, b1: 0, b2: 0})

		// Nobody has the socket: the query ends with its context.
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if err := a.adapter().RemoteJoin(short, "nobody", "q"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("remote join of an unknown socket: %v", err)
		}
	})

	t.Run("custom request", func(t *testing.T) {
		for name, n := range map[string]*goNode{"A": a, "B": b} {
			n.adapter().SetCustomHook(func(data json.RawMessage) any {
				var s string
				json.Unmarshal(data, &s)
				return name + ":" + s
			})
		}
		replies, err := b.adapter().CustomRequest(ctxFor(t, wait), "ping")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range replies {
			var s string
			json.Unmarshal(r, &s)
			got = append(got, s)
		}
		if slices.Sort(got); !slices.Equal(got, []string{"A:ping", "B:ping"}) {
			t.Fatalf("replies %q", got)
		}
	})

	t.Run("remote disconnect", func(t *testing.T) {
		ctx := ctxFor(t, wait)
		if err := a.adapter().RemoteDisconnect(ctx, b2.ID(), false); err != nil {
			t.Fatal(err)
		}
		select {
		case reason := <-b2.gone:
			if reason != "io server disconnect" {
				t.Errorf("b2 disconnected with %q", reason)
			}
		case <-time.After(wait):
			t.Fatal("b2 was not disconnected")
		}
		ids, err := a.nsp.SocketsIn(ctx)
		if want := sorted(a1.ID(), b1.ID()); err != nil || !slices.Equal(ids, want) {
			t.Fatalf("sockets after disconnect %q, %v; want %q", ids, err, want)
		}
	})
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// TestRequestsTimeout: a query that a node cannot answer in time returns
// what it gathered with ErrTimeout after RequestsTimeout; one for an
// unknown socket also says the socket is unknown.
func TestRequestsTimeout(t *testing.T) {
	r := redistest.Start(t)
	a := startGoNode(t, r, &Options{RequestsTimeout: 300 * time.Millisecond})
	a1 := dial(t, a.url)
	ctx := ctxFor(t, wait)
	err := a.adapter().RemoteLeave(ctx, "nobody", "q")
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, socketio.ErrUnknownSocket) {
		t.Fatalf("remote leave of an unknown socket: %v", err)
	}
	// A silent subscriber of the request channel is a node that never answers.
	silent := redisClient(t, r).Subscribe(ctx, a.adapter().requestChannel)
	defer silent.Close()
	if _, err := silent.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	ids, err := a.nsp.SocketsIn(ctx)
	if !errors.Is(err, ErrTimeout) || !slices.Equal(ids, []string{a1.ID()}) || !strings.Contains(err.Error(), "1 of 2 nodes") {
		t.Fatalf("sockets with a silent node: %q, %v", ids, err)
	}
}

// TestRedisRestart: Redis goes away during traffic, both nodes
// broadcasting steadily. Each node keeps serving its own clients (every
// local broadcast arrives, in order) and says so in its log, nothing
// panics, and once Redis is back the nodes re-subscribe and cross-node
// delivery resumes: what is sent from then on arrives exactly once.
func TestRedisRestart(t *testing.T) {
	r := redistest.Start(t)
	a, b := startGoNode(t, r, nil), startGoNode(t, r, nil)
	a1, b1 := dial(t, a.url), dial(t, b.url)

	// Each tick, node A broadcasts "a <tick>" and node B "b <tick>".
	var sent atomic.Int64 // ticks sent
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			a.nsp.Emit("said", fmt.Sprint("a ", i))
			b.nsp.Emit("said", fmt.Sprint("b ", i))
			sent.Store(int64(i + 1))
			time.Sleep(5 * time.Millisecond) // a steady pace, not a burst
		}
	}()
	stopTraffic := sync.OnceFunc(func() { close(stop); <-stopped })
	t.Cleanup(stopTraffic)
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		if !waitUntil(wait, cond) {
			t.Fatalf("no %s within %v; a1 got %d messages, b1 %d", what, wait, len(a1.received()), len(b1.received()))
		}
	}
	// crossFrom waits until each client got a tick of the other node sent
	// at or after tick from.
	crossFrom := func(what string, from int64) {
		t.Helper()
		waitFor(what, func() bool {
			return lastTick(b1.received(), "a") >= from && lastTick(a1.received(), "b") >= from
		})
	}
	logsSay := func(what string) func() bool {
		return func() bool {
			return strings.Contains(a.logs.String(), what) && strings.Contains(b.logs.String(), what)
		}
	}
	crossFrom("cross-node delivery before the restart", 20)
	goroutines := runtime.NumGoroutine()

	r.Stop()
	down := sent.Load()
	waitFor("log of the loss", logsSay("lost the Redis subscription"))
	waitFor("log of the failed publications", logsSay("publishing to Redis failed"))
	waitFor("traffic during the outage", func() bool { return sent.Load() >= down+20 })
	// Queries that need another node fail at once, saying why; those about
	// a local socket work.
	if ids, err := a.nsp.SocketsIn(ctxFor(t, wait)); !errors.Is(err, ErrUnavailable) || !slices.Equal(ids, []string{a1.ID()}) {
		t.Errorf("sockets without Redis: %q, %v; want the local ones with ErrUnavailable", ids, err)
	}
	if err := a.adapter().RemoteJoin(ctxFor(t, wait), b1.ID(), "remote"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("remote join of another node's socket without Redis: %v", err)
	}
	if _, err := a.adapter().CustomRequest(ctxFor(t, wait), "ping"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("custom request without Redis: %v", err)
	}
	if err := a.adapter().RemoteJoin(ctxFor(t, wait), a1.ID(), "local"); err != nil {
		t.Errorf("remote join of a local socket without Redis: %v", err)
	}

	r.Start()
	// Until both nodes have re-subscribed and reconnected their publishers,
	// a publication may be lost; from the first tick each client gets from
	// the other node after the restart on, none may be.
	crossFrom("cross-node delivery after the restart", sent.Load())
	recovered := sent.Load()
	waitFor("traffic after the recovery", func() bool { return sent.Load() >= recovered+50 })
	stopTraffic()
	last := int(sent.Load()) - 1
	for _, c := range []*client{a1, b1} {
		c.waitFor(t, fmt.Sprint("a ", last))
		c.waitFor(t, fmt.Sprint("b ", last))
	}

	for _, c := range []struct {
		name         string
		got          []string
		local, other string
	}{{"a1", a1.received(), "a", "b"}, {"b1", b1.received(), "b", "a"}} {
		local, other := ticks(c.got, c.local), ticks(c.got, c.other)
		if len(local) != last+1 || !slices.IsSorted(local) || local[0] != 0 || local[last] != last {
			t.Errorf("%s got %d of the %d local broadcasts (want each once, in order)", c.name, len(local), last+1)
		}
		for k := 1; k < len(other); k++ {
			if other[k] <= other[k-1] {
				t.Errorf("%s got %s %d after %s %d: duplicated or out of order", c.name, c.other, other[k], c.other, other[k-1])
				break
			}
		}
		after := other[sort.SearchInts(other, int(recovered)):]
		if want := last + 1 - int(recovered); len(after) != want {
			t.Errorf("%s got %d of the %d broadcasts of the other node sent after the recovery", c.name, len(after), want)
		}
		t.Logf("%s: %d local ticks; of the other node's, %d before the outage, %d of %d around it, all %d after the recovery",
			c.name, len(local), sort.SearchInts(other, int(down)), sort.SearchInts(other, int(recovered))-sort.SearchInts(other, int(down)), int(recovered-down), len(after))
	}
	waitFor("log of the recovery", logsSay("Redis subscription restored"))
	waitFor("log of the publications' recovery", logsSay("publishing to Redis again"))
	if ids, err := a.nsp.SocketsIn(ctxFor(t, wait)); err != nil || !slices.Equal(ids, sorted(a1.ID(), b1.ID())) {
		t.Errorf("sockets after the restart: %q, %v", ids, err)
	}
	// One outage, one line for each of its four events on each node.
	for _, n := range []*goNode{a, b} {
		for _, line := range []string{"lost the Redis subscription", "publishing to Redis failed", "Redis subscription restored", "publishing to Redis again"} {
			if got := strings.Count(n.logs.String(), line); got != 1 {
				t.Errorf("node %s logged %q %d times, want once", n.url, line, got)
			}
		}
	}
	// The outage left no goroutine behind: retries, reconnections and the
	// queries that failed have all ended (the traffic goroutine, counted
	// before, has ended too).
	if !waitUntil(wait, func() bool { return runtime.NumGoroutine() <= goroutines }) {
		t.Errorf("%d goroutines after the recovery, %d before the outage", runtime.NumGoroutine(), goroutines)
	}
}

// ticks returns the numbers of the "<node> <n>" messages of node in got, in
// arrival order.
func ticks(got []string, node string) []int {
	var out []int
	for _, m := range got {
		if rest, ok := strings.CutPrefix(m, node+" "); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// lastTick returns the last tick of node in got, or -1.
func lastTick(got []string, node string) int64 {
	t := ticks(got, node)
	if len(t) == 0 {
		return -1
	}
	return int64(t[len(t)-1])
}

// waitUntil polls cond for up to d.
func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond) // poll period of a wait whose caller judges the outcome
	}
	return true
}

// TestNamespaces: each namespace spans the nodes on channels of its own;
// its broadcasts and queries concern its sockets only.
func TestNamespaces(t *testing.T) {
	r := redistest.Start(t)
	a, b := startGoNode(t, r, nil), startGoNode(t, r, nil)
	a1, b1 := dial(t, a.url+"/admin"), dial(t, b.url+"/admin")
	b0 := dial(t, b.url) // in "/" only
	adminA, adminB := a.srv.Of("/admin"), b.srv.Of("/admin")
	a1.Emit("say", "admin hello")
	b1.join(t, "r")
	adminA.To("r").Emit("said", "admin r")
	settle(t,
		[]func(string){func(m string) { a1.Emit("say", m) }, func(m string) { b1.Emit("say", m) }},
		[]func(string){func(m string) { adminA.Emit("said", m) }, func(m string) { adminB.Emit("said", m) }},
		a1, b1)
	expect(t, "admin hello", map[*client]int{a1: 1, b1: 1, b0: 0})
	expect(t, "admin r", map[*client]int{a1: 0, b1: 1, b0: 0})
	if got := b0.received(); len(got) != 0 {
		t.Errorf("a socket of / got broadcasts of /admin: %q", got)
	}
	ctx := ctxFor(t, wait)
	ids, err := adminA.SocketsIn(ctx)
	if want := sorted(a1.ID(), b1.ID()); err != nil || !slices.Equal(ids, want) || !strings.HasPrefix(ids[0], "/admin#") {
		t.Fatalf("sockets of /admin %q, %v; want %q", ids, err, want)
	}
	// A client of /admin is in / too, by the same engine session id.
	root := sorted(b0.ID(), strings.TrimPrefix(a1.ID(), "/admin#"), strings.TrimPrefix(b1.ID(), "/admin#"))
	if ids, err := a.nsp.SocketsIn(ctx); err != nil || !slices.Equal(ids, root) {
		t.Fatalf("sockets of / %q, %v; want %q", ids, err, root)
	}
}

// TestBurstKeepsOrder: a burst far larger than the publish queue reaches
// the other node whole and in order while Redis works: a full queue slows
// the broadcaster down instead of dropping.
func TestBurstKeepsOrder(t *testing.T) {
	r := redistest.Start(t)
	a, b := startGoNode(t, r, &Options{PublishQueueSize: 8}), startGoNode(t, r, nil)
	b1 := dial(t, b.url)
	const n = 2000
	var want []string
	for i := range n {
		msg := fmt.Sprint("burst ", i)
		want = append(want, msg)
		a.nsp.Emit("said", msg)
	}
	b1.waitFor(t, want[n-1])
	if got := b1.received(); !slices.Equal(got, want) {
		t.Fatalf("b1 got %d messages, want %d in order", len(got), n)
	}
}

// TestDefaults: zero options select socket.io-redis 5.x's defaults (key
// "socket.io", requests timeout 5 s) and the documented publish queue, and
// a node publishes on the channels socket.io-redis 5.4.0 names.
func TestDefaults(t *testing.T) {
	r := redistest.Start(t)
	rdb := redisClient(t, r)
	for name, opts := range map[string]*Options{"nil": nil, "zero": {}} {
		c := New(rdb, opts)
		got := c.opts
		c.Close()
		if got.Key != "socket.io" || got.RequestsTimeout != 5*time.Second || got.PublishQueueSize != 4096 || cap(c.queue) != 4096 || got.Logger != slog.Default() {
			t.Errorf("%s options: key %q, requests timeout %v, publish queue %d (cap %d), logger %p; want socket.io, 5s, 4096, slog.Default()",
				name, got.Key, got.RequestsTimeout, got.PublishQueueSize, cap(c.queue), got.Logger)
		}
	}

	ctx := ctxFor(t, wait)
	spy := redisClient(t, r).PSubscribe(ctx, "*")
	defer spy.Close()
	if _, err := spy.Receive(ctx); err != nil { // the subscription's confirmation
		t.Fatal(err)
	}
	c := New(rdb, &Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer c.Close()
	srv := socketio.NewServer(&socketio.Options{Adapter: c.Adapter, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	root, admin := srv.Of("/"), srv.Of("/admin")
	if err := c.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	// socket.io-redis 5.4.0: prefix + '#' + nsp + '#' (+ room + '#' for a
	// single room), prefix + '-request#' + nsp + '#', prefix + '-response#'.
	want := map[string]bool{
		"socket.io#/#": true, "socket.io#/#room#": true,
		"socket.io-request#/#": true, "socket.io-response#/#": true,
		"socket.io#/admin#": true, "socket.io#/admin#room#": true,
		"socket.io-request#/admin#": true, "socket.io-response#/admin#": true,
	}
	for _, nsp := range []*socketio.Namespace{root, admin} {
		nsp.Emit("said", "all")
		nsp.To("room").Emit("said", "room")
		if _, err := nsp.SocketsIn(ctx); err != nil { // a request and this node's answer
			t.Fatal(err)
		}
	}
	seen := make(map[string]bool)
	for len(seen) < len(want) {
		msg, err := spy.ReceiveMessage(ctx)
		if err != nil {
			t.Fatalf("channels seen %v, want %v: %v", seen, want, err)
		}
		if !want[msg.Channel] {
			t.Errorf("publication on %q", msg.Channel)
		}
		seen[msg.Channel] = true
	}
}

// TestRedisHung: Redis stops answering without closing anything (SIGSTOP),
// and the node's client waits on Redis without timeouts. A burst far
// larger than the publish queue still goes out to the local clients, every
// broadcast returns (the stalled queue counts as failing), the log says so,
// and once Redis answers again cross-node delivery resumes.
func TestRedisHung(t *testing.T) {
	r := redistest.Start(t)
	patient := redis.NewClient(&redis.Options{Addr: r.Addr, ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1})
	a := startGoNodeWith(t, patient, &Options{PublishQueueSize: 8})
	b := startGoNode(t, r, nil)
	a1, b1 := dial(t, a.url), dial(t, b.url)
	settleGo(t, []*goNode{a, b}, a1, b1)

	r.Pause()
	t.Cleanup(r.Resume) // before the nodes' cleanup: Close waits for a pipeline in flight
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			a.nsp.Emit("said", fmt.Sprint("hung ", i))
		}
	}()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatalf("broadcasts blocked by a hung Redis for %v", wait)
	}
	a1.waitFor(t, "hung 199")
	if got := len(ticks(a1.received(), "hung")); got != 200 {
		t.Errorf("the local client got %d of the 200 broadcasts", got)
	}
	if !strings.Contains(a.logs.String(), "publishing to Redis stalled") {
		t.Errorf("no log of the stall:\n%s", a.logs.String())
	}

	r.Resume()
	// What was queued or in flight may arrive; from some point on, every
	// broadcast of node A reaches b1.
	i := 0
	if !waitUntil(wait, func() bool {
		i++
		a.nsp.Emit("said", fmt.Sprint("after ", i))
		return slices.ContainsFunc(b1.received(), func(m string) bool { return strings.HasPrefix(m, "after ") })
	}) {
		t.Fatalf("no broadcast of node A reached b1 after Redis came back; a's log:\n%s", a.logs.String())
	}
	if !waitUntil(wait, func() bool { return strings.Contains(a.logs.String(), "publishing to Redis again") }) {
		t.Errorf("no log of the recovery:\n%s", a.logs.String())
	}
}

// TestTwoGoNodesMixedProtocols: the adapter carries broadcasts between
// nodes whatever protocol their clients speak: socket.io 2.x clients
// (Socket.IO v4) and 4.x ones (v5) on both nodes get every broadcast once,
// text, binary and to rooms, each in its own protocol.
func TestTwoGoNodesMixedProtocols(t *testing.T) {
	r := redistest.Start(t)
	a, b := startGoNode(t, r, nil), startGoNode(t, r, nil)
	a4, a5 := dialProtocol(t, a.url, 4), dialProtocol(t, a.url, 5)
	b4, b5 := dialProtocol(t, b.url, 4), dialProtocol(t, b.url, 5)
	clients := []*client{a4, a5, b4, b5}
	all := map[*client]int{a4: 1, a5: 1, b4: 1, b5: 1}
	settled := func(t *testing.T) { settleGo(t, []*goNode{a, b}, clients...) }

	a5.Emit("say", "from a v5 client")
	b4.Emit("say bin", []byte{7, 0xff})
	settled(t)
	expect(t, "from a v5 client", all)
	expect(t, "bin:07ff", all)

	b5.join(t, "r")
	a4.join(t, "r")
	a.nsp.To("r").Emit("said", "to r")
	settled(t)
	expect(t, "to r", map[*client]int{a4: 1, a5: 0, b4: 0, b5: 1})
}
