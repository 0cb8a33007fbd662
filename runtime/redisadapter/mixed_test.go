package redisadapter

import (
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/redistest"
)

// jsClient is the official socket.io-client 2.5.0 (interop/redis-client.js)
// connected to a Go node; it prints what it receives and obeys "cue".
type jsClient struct {
	id   string
	proc *nodetest.Process
}

func startJSClient(t *testing.T, url string) *jsClient {
	t.Helper()
	p := nodetest.Start(t, "redis-client.js", "connected ", nil, url)
	for _, line := range strings.Split(p.Output(), "\n") {
		if id, ok := strings.CutPrefix(line, "connected "); ok {
			return &jsClient{id: id, proc: p}
		}
	}
	t.Fatalf("redis-client.js printed no id: %s", p.Output())
	return nil
}

func (c *jsClient) lines() []string { return strings.Split(c.proc.Output(), "\n") }

func jsLine(msg string) string {
	b, _ := json.Marshal(msg)
	return "said " + string(b)
}

// waitFor waits until the client printed that it got "said" msg, or the
// line itself when msg starts with "said bin ".
func (c *jsClient) waitFor(t *testing.T, msg string) {
	t.Helper()
	if !waitUntil(wait, func() bool { return c.count(msg) > 0 }) {
		t.Fatalf("js client: no %q within %v; output:\n%s", msg, wait, c.proc.Output())
	}
}

func (c *jsClient) count(msg string) int {
	line := msg
	if !strings.HasPrefix(msg, "said bin ") {
		line = jsLine(msg)
	}
	n := 0
	for _, l := range c.lines() {
		if l == line {
			n++
		}
	}
	return n
}

// expectServerDisconnect waits for c to be disconnected by its server.
func expectServerDisconnect(t *testing.T, c *client) {
	t.Helper()
	select {
	case reason := <-c.gone:
		if reason != "io server disconnect" {
			t.Fatalf("client %s disconnected with %q, want io server disconnect", c.ID(), reason)
		}
	case <-time.After(wait):
		t.Fatalf("client %s was not disconnected within %v", c.ID(), wait)
	}
}

// TestMixedCluster joins a Go node and a Node node (socket.io 2.5.1 with
// socket.io-redis 5.4.0) through one Redis: the official client on the Go
// node and the Go client on the Node node get each other's broadcasts,
// binary included, exactly once; rooms, exceptions, cluster queries, client
// rooms, remote join, leave and disconnect and custom requests work in both
// directions.
func TestMixedCluster(t *testing.T) {
	nodetest.Require(t)
	r := redistest.Start(t)
	g := startGoNode(t, r, nil)
	nodeAddr := nodetest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(nodeAddr)
	nodetest.Start(t, "redis-node.js", "ready", []string{"PORT=" + port, "REDIS=" + r.Addr})
	js := startJSClient(t, g.url)
	gc := dial(t, "http://"+nodeAddr)
	cue := func(what, arg string) { g.nsp.To(js.id).Emit("cue", what, arg) }
	settled := func(t *testing.T) {
		settle(t,
			[]func(string){func(m string) { cue("say", m) }, func(m string) { gc.Emit("say", m) }},
			[]func(string){func(m string) { g.nsp.Emit("said", m) }, func(m string) { gc.Emit("say", m) }},
			js, gc)
	}
	type counts struct{ js, gc int }
	expectBoth := func(t *testing.T, msg string, want counts) {
		t.Helper()
		if got := (counts{js.count(msg), gc.count(msg)}); got != want {
			t.Errorf("%q received %+v times, want %+v\njs client output:\n%s\ngo client got %q", msg, got, want, js.proc.Output(), gc.received())
		}
	}

	t.Run("broadcast", func(t *testing.T) {
		cue("say", "from js")     // official client -> Go node -> Redis -> Node node -> Go client
		cue("say bin", "0102ff")  // with a Buffer: msgpack bin both ways
		gc.Emit("say", "from go") // Go client -> Node node -> Redis -> Go node -> official client
		gc.Emit("say bin", []byte{0, 0x10, 0xff})
		settled(t)
		expectBoth(t, "from js", counts{1, 1})
		expectBoth(t, "from go", counts{1, 1})
		for _, hex := range []string{"0102ff", "0010ff"} {
			if got := (counts{js.count("said bin " + hex), gc.count("bin:" + hex)}); got != (counts{1, 1}) {
				t.Errorf("binary %s received %+v times, want once each", hex, got)
			}
		}
	})

	t.Run("rooms and except", func(t *testing.T) {
		gc.join(t, "mixed")
		g.nsp.Socket(js.id).Join("gr")
		g.nsp.To("mixed").Emit("said", "to mixed")                   // a room channel of the Go node
		g.nsp.To("mixed", "other").Emit("said", "to mixed or other") // the namespace channel, with rooms
		g.nsp.Except(gc.ID()).Emit("said", "not gc")                 // socket.io reads except as ids
		gc.Emit("say to", "gr", "to gr")                             // a room channel of the Node node
		settled(t)
		expectBoth(t, "to mixed", counts{0, 1})
		expectBoth(t, "to mixed or other", counts{0, 1})
		expectBoth(t, "not gc", counts{1, 0})
		expectBoth(t, "to gr", counts{1, 0})
	})

	t.Run("queries from the Go node", func(t *testing.T) {
		ctx := ctxFor(t, wait)
		ids, err := g.nsp.SocketsIn(ctx)
		if want := sorted(js.id, gc.ID()); err != nil || !slices.Equal(ids, want) {
			t.Fatalf("sockets %q, %v; want %q", ids, err, want)
		}
		if ids, err = g.nsp.SocketsIn(ctx, "mixed"); err != nil || !slices.Equal(ids, []string{gc.ID()}) {
			t.Fatalf("sockets in mixed %q, %v", ids, err)
		}
		rooms, err := g.adapter().Rooms(ctx)
		if err != nil || !slices.Contains(rooms, "mixed") || !slices.Contains(rooms, "gr") {
			t.Fatalf("rooms %q, %v", rooms, err)
		}
		if err := g.adapter().RemoteJoin(ctx, gc.ID(), "rj"); err != nil {
			t.Fatal(err)
		}
		g.nsp.To("rj").Emit("said", "to rj")
		gc.waitFor(t, "to rj")
		roomsOfGC := func(want ...string) {
			t.Helper()
			rooms, err := g.adapter().SocketRoomsOf(ctx, gc.ID()) // clientRooms
			slices.Sort(rooms)
			if want := sorted(want...); err != nil || !slices.Equal(rooms, want) {
				t.Fatalf("rooms of the go client %q, %v; want %q", rooms, err, want)
			}
		}
		roomsOfGC(gc.ID(), "mixed", "rj")
		if err := g.adapter().RemoteLeave(ctx, gc.ID(), "rj"); err != nil {
			t.Fatal(err)
		}
		roomsOfGC(gc.ID(), "mixed")
		g.nsp.To("rj").Emit("said", "to rj after leave")
		settled(t)
		expectBoth(t, "to rj after leave", counts{0, 0})

		victim := dial(t, "http://"+nodeAddr)
		id := victim.ID() // the client forgets it once disconnected
		if err := g.adapter().RemoteDisconnect(ctx, id, false); err != nil {
			t.Fatal(err)
		}
		expectServerDisconnect(t, victim)
		if ids, err := g.nsp.SocketsIn(ctx); err != nil || slices.Contains(ids, id) {
			t.Fatalf("sockets after the remote disconnect %q, %v; want no %s", ids, err, id)
		}
		g.adapter().SetCustomHook(func(data json.RawMessage) any {
			var s string
			json.Unmarshal(data, &s)
			return "go:" + s
		})
		replies, err := g.adapter().CustomRequest(ctx, "x")
		var got []string
		for _, r := range replies {
			var s string
			json.Unmarshal(r, &s)
			got = append(got, s)
		}
		if slices.Sort(got); err != nil || !slices.Equal(got, []string{"go:x", "node:x"}) {
			t.Fatalf("custom replies %q, %v", got, err)
		}
	})

	t.Run("broadcast with acks from the Go node", func(t *testing.T) {
		// socket.io-redis 5.x ignores the request (its clients take no
		// part) and keeps working; the official client on the Go node has
		// no "ask" handler, so it stays silent.
		got, err := g.nsp.EmitWithAck(ctxFor(t, 300*time.Millisecond), "ask", "q")
		if !errors.Is(err, ErrTimeout) || len(got.Replies) != 0 || !slices.Equal(got.Unanswered, []string{js.id}) {
			t.Fatalf("got %+v, %v; want %s unanswered and ErrTimeout for the Node node", got, err, js.id)
		}
		settled(t)
	})

	t.Run("queries from the Node node", func(t *testing.T) {
		ctx := ctxFor(t, wait)
		ack := func(event string, args ...any) []string {
			t.Helper()
			a, err := gc.EmitWithAck(ctx, event, args...)
			if err != nil {
				t.Fatalf("%s: %v", event, err)
			}
			var nodeErr *string
			var list []string
			a.Decode(0, &nodeErr)
			if a.Len() > 1 {
				a.Decode(1, &list)
			}
			if nodeErr != nil {
				t.Fatalf("%s: node says %s", event, *nodeErr)
			}
			slices.Sort(list)
			return list
		}
		if ids, want := ack("clients"), sorted(js.id, gc.ID()); !slices.Equal(ids, want) {
			t.Fatalf("clients %q, want %q", ids, want)
		}
		if rooms := ack("all rooms"); !slices.Contains(rooms, "gr") || !slices.Contains(rooms, js.id) {
			t.Fatalf("all rooms %q", rooms)
		}
		ack("remote join", js.id, "rj2")
		if !slices.Contains(g.nsp.Socket(js.id).Rooms(), "rj2") {
			t.Fatalf("remote join from the Node node: rooms %q", g.nsp.Socket(js.id).Rooms())
		}
		if rooms, want := ack("client rooms", js.id), sorted(js.id, "gr", "rj2"); !slices.Equal(rooms, want) {
			t.Fatalf("client rooms %q, want %q", rooms, want)
		}
		ack("remote leave", js.id, "gr")
		if rooms := g.nsp.Socket(js.id).Rooms(); slices.Contains(rooms, "gr") {
			t.Fatalf("remote leave from the Node node: rooms %q", rooms)
		}
		gc.Emit("say to", "gr", "to gr after leave") // the room channel, from the Node node
		settled(t)
		expectBoth(t, "to gr after leave", counts{0, 0})

		// With close, the connection goes, the victim's other namespace too.
		victim := dial(t, g.url)
		if err := victim.Manager().Socket("/admin").Connect(ctx); err != nil {
			t.Fatal(err)
		}
		id := victim.ID() // the client forgets it once disconnected
		ack("remote disconnect", id, true)
		expectServerDisconnect(t, victim)
		if g.nsp.Socket(id) != nil || g.srv.Of("/admin").Socket("/admin#"+id) != nil {
			t.Fatalf("remote disconnect with close from the Node node: %s still connected", id)
		}
		if replies := ack("custom", "y"); !slices.Equal(replies, []string{"go:y", "node:y"}) {
			t.Fatalf("custom replies %q", replies)
		}
	})
}
