package redisadapter

import (
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/redistest"
	"github.com/siogen/siogen/runtime/socketio"
)

// TestMixedClusterRedisAdapter8 joins a Go node speaking
// ProtocolRedisAdapter8 and a Node node on socket.io 4.8.3 with
// @socket.io/redis-adapter 8.3.0 (interop/redis-adapter-node.js) through one
// Redis. A Go client on each node (the Node node admits Engine.IO v3) sees
// the other node's broadcasts once, binary and rooms included; every
// request of the 8.x protocol works in both directions: sockets, rooms,
// fetch sockets, remote and bulk join, leave and disconnect, server-side
// emits with and without answers, and broadcasts with acks.
func TestMixedClusterRedisAdapter8(t *testing.T) {
	nodetest.Require(t)
	r := redistest.Start(t)
	g := startGoNode(t, r, &Options{Protocol: ProtocolRedisAdapter8, RequestsTimeout: wait})
	g.adapter().OnServerSideEmit(func(event string, args []json.RawMessage, ack func(any)) {
		var arg string
		if len(args) > 0 {
			json.Unmarshal(args[0], &arg)
		}
		switch {
		case event == "note":
			g.nsp.Emit("said", "go noted "+arg)
		case event == "ping" && ack != nil:
			ack("go:" + arg)
		}
	})
	nodeAddr := nodetest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(nodeAddr)
	nodetest.Start(t, "redis-adapter-node.js", "ready", []string{"PORT=" + port, "REDIS=" + r.Addr})
	gc := dial(t, g.url)              // on the Go node
	nc := dial(t, "http://"+nodeAddr) // on the Node node
	settled := func(t *testing.T) {
		settle(t,
			[]func(string){func(m string) { gc.Emit("say", m) }, func(m string) { nc.Emit("say", m) }},
			[]func(string){func(m string) { g.nsp.Emit("said", m) }, func(m string) { nc.Emit("say", m) }},
			gc, nc)
	}
	both := func(msg string, g, n int) map[*client]int { return map[*client]int{gc: g, nc: n} }
	// ask sends event to the Node node and returns the result its ack
	// carries after the error text, decoded into out.
	ask := func(t *testing.T, event string, out any, args ...any) {
		t.Helper()
		a, err := nc.EmitWithAck(ctxFor(t, wait), event, args...)
		if err != nil {
			t.Fatalf("%s: %v", event, err)
		}
		var nodeErr *string
		a.Decode(0, &nodeErr)
		if nodeErr != nil {
			t.Fatalf("%s: the Node node says %s", event, *nodeErr)
		}
		if out != nil {
			if err := a.Decode(1, out); err != nil {
				t.Fatalf("%s: result: %v", event, err)
			}
		}
	}

	t.Run("broadcast", func(t *testing.T) {
		gc.Emit("say", "from the go node")
		nc.Emit("say", "from the node node")
		gc.Emit("say bin", []byte{1, 2, 0xff})
		nc.Emit("say bin", []byte{0, 0x10, 0xff})
		settled(t)
		expect(t, "from the go node", both("", 1, 1))
		expect(t, "from the node node", both("", 1, 1))
		expect(t, "bin:0102ff", both("", 1, 1))
		expect(t, "bin:0010ff", both("", 1, 1))
	})

	t.Run("rooms and except", func(t *testing.T) {
		nc.join(t, "nr")
		gc.join(t, "gr")
		g.nsp.To("nr").Emit("said", "to nr")
		nc.Emit("say to", "gr", "to gr")
		g.nsp.Except(nc.ID()).Emit("said", "not nc") // socket.io 4.x reads except as rooms too
		settled(t)
		expect(t, "to nr", both("", 0, 1))
		expect(t, "to gr", both("", 1, 0))
		expect(t, "not nc", both("", 1, 0))
	})

	t.Run("requests of the Go node", func(t *testing.T) {
		ctx := ctxFor(t, 3*wait) // for all of them; each ends in milliseconds
		a := g.adapter()
		if ids, err := g.nsp.SocketsIn(ctx); err != nil || !slices.Equal(ids, sorted(gc.ID(), nc.ID())) {
			t.Fatalf("sockets %q, %v", ids, err)
		}
		if ids, err := g.nsp.SocketsIn(ctx, "nr"); err != nil || !slices.Equal(ids, []string{nc.ID()}) {
			t.Fatalf("sockets in nr %q, %v", ids, err)
		}
		if rooms, err := a.Rooms(ctx); err != nil || !slices.Contains(rooms, "nr") || !slices.Contains(rooms, "gr") {
			t.Fatalf("rooms %q, %v", rooms, err)
		}
		roomsOfNC := func() []string {
			t.Helper()
			sockets, err := a.FetchSockets(ctx, socketio.BroadcastOptions{})
			if err != nil || len(sockets) != 2 {
				t.Fatalf("fetch sockets: %+v, %v", sockets, err)
			}
			for _, s := range sockets {
				if s.ID == nc.ID() {
					var h struct{ Address string }
					if json.Unmarshal(s.Handshake, &h) != nil || h.Address == "" {
						t.Errorf("handshake of the Node node's socket: %s", s.Handshake)
					}
					slices.Sort(s.Rooms)
					return s.Rooms
				}
			}
			t.Fatalf("fetch sockets: no %s in %+v", nc.ID(), sockets)
			return nil
		}
		if rooms := roomsOfNC(); !slices.Equal(rooms, sorted(nc.ID(), "nr")) {
			t.Fatalf("rooms of the Node node's socket %q", rooms)
		}
		if err := a.RemoteJoin(ctx, nc.ID(), "rj"); err != nil {
			t.Fatal(err)
		}
		if rooms, err := a.SocketRoomsOf(ctx, nc.ID()); err != nil || !slices.Contains(rooms, "rj") {
			t.Fatalf("rooms after the remote join %q, %v", rooms, err)
		}
		if err := a.RemoteLeave(ctx, nc.ID(), "rj"); err != nil {
			t.Fatal(err)
		}
		if rooms := roomsOfNC(); !slices.Equal(rooms, sorted(nc.ID(), "nr")) {
			t.Fatalf("rooms after the remote leave %q", rooms)
		}
		// Bulk: not answered, so the test looks until it shows.
		if err := a.SocketsJoin(ctx, socketio.BroadcastOptions{Rooms: []string{"nr"}}, "bulk"); err != nil {
			t.Fatal(err)
		}
		if !waitUntil(wait, func() bool { return slices.Contains(roomsOfNC(), "bulk") }) {
			t.Fatalf("sockets join: rooms %q", roomsOfNC())
		}
		if err := a.SocketsLeave(ctx, socketio.BroadcastOptions{}, "bulk"); err != nil {
			t.Fatal(err)
		}
		if !waitUntil(wait, func() bool { return !slices.Contains(roomsOfNC(), "bulk") }) {
			t.Fatalf("sockets leave: rooms %q", roomsOfNC())
		}

		if err := a.ServerSideEmit(ctx, "note", "x"); err != nil {
			t.Fatal(err)
		}
		gc.waitFor(t, "noted x") // the Node node's io.emit
		nc.waitFor(t, "noted x")
		replies, err := a.ServerSideEmitWithAck(ctx, "ping", "y")
		if err != nil || len(replies) != 1 || string(replies[0]) != `"node:y"` {
			t.Fatalf("server-side emit with ack: %s, %v", replies, err)
		}

		acks, err := a.BroadcastWithAck(ctx, socketio.BroadcastOptions{}, "ask", "q")
		if err != nil || len(acks) != 2 {
			t.Fatalf("broadcast with ack: %d acks, %v", len(acks), err)
		}
		for _, ack := range acks {
			if s, _ := socketio.DecodeString[string](ack, 0); s != "go:q" {
				t.Errorf("broadcast with ack: ack %q", ack.Raw)
			}
		}
		acks, err = a.BroadcastWithAck(ctx, socketio.BroadcastOptions{Rooms: []string{"nr"}}, "ask", "r")
		if err != nil || len(acks) != 1 {
			t.Fatalf("broadcast with ack to nr: %d acks, %v", len(acks), err)
		}
		// Broadcast.EmitWithAck (socketio.AckBroadcaster): the Node node's
		// ack comes without a socket id.
		got, err := g.nsp.EmitWithAck(ctx, "ask", "e")
		if r := ackReplies(t, got.Replies); err != nil || !equalMaps(r, map[string]string{gc.ID(): "go:e+", "": "go:e+"}) || got.UnansweredCount != 0 {
			t.Fatalf("emit with ack: %v, %d unanswered, %v", r, got.UnansweredCount, err)
		}

		victim := dial(t, "http://"+nodeAddr)
		id := victim.ID()
		if err := a.RemoteDisconnect(ctx, id, false); err != nil {
			t.Fatal(err)
		}
		expectServerDisconnect(t, victim)
		victim = dial(t, "http://"+nodeAddr)
		if err := a.DisconnectSockets(ctx, socketio.BroadcastOptions{Rooms: []string{victim.ID()}}, true); err != nil {
			t.Fatal(err)
		}
		expectServerDisconnect(t, victim)
	})

	t.Run("requests of the Node node", func(t *testing.T) {
		var fetched []struct {
			ID    string
			Rooms []string
		}
		ask(t, "fetch", &fetched)
		var ids []string
		for _, s := range fetched {
			ids = append(ids, s.ID)
			if s.ID == gc.ID() && !slices.Contains(s.Rooms, "gr") {
				t.Errorf("fetched rooms of the Go node's socket: %q", s.Rooms)
			}
		}
		if slices.Sort(ids); !slices.Equal(ids, sorted(gc.ID(), nc.ID())) {
			t.Fatalf("fetched sockets %q", ids)
		}
		fetched = nil
		ask(t, "fetch in", &fetched, "gr") // the Go node's socket, by its room
		if len(fetched) != 1 || fetched[0].ID != gc.ID() {
			t.Fatalf("fetched sockets in gr: %+v", fetched)
		}
		var rooms []string
		ask(t, "all rooms", &rooms)
		if !slices.Contains(rooms, "gr") || !slices.Contains(rooms, "nr") {
			t.Fatalf("all rooms %q", rooms)
		}
		ask(t, "sockets join", nil, gc.ID(), "from node")
		if !waitUntil(wait, func() bool { return slices.Contains(g.adapter().SocketRooms(gc.ID()), "from node") }) {
			t.Fatalf("sockets join from the Node node: rooms %q", g.adapter().SocketRooms(gc.ID()))
		}
		ask(t, "sockets leave", nil, gc.ID(), "from node")
		if !waitUntil(wait, func() bool { return !slices.Contains(g.adapter().SocketRooms(gc.ID()), "from node") }) {
			t.Fatalf("sockets leave from the Node node: rooms %q", g.adapter().SocketRooms(gc.ID()))
		}
		ask(t, "server emit", nil, "note", "z")
		gc.waitFor(t, "go noted z")
		nc.waitFor(t, "go noted z")
		var replies []string
		ask(t, "server emit ack", &replies, "ping", "w")
		if !slices.Equal(replies, []string{"go:w"}) {
			t.Fatalf("server-side emit with ack: %q", replies)
		}
		var answers []string
		ask(t, "ask everyone", &answers, "a")
		if !slices.Equal(answers, []string{"go:a", "go:a"}) {
			t.Fatalf("broadcast with ack from the Node node: %q", answers)
		}
		victim := dial(t, g.url)
		ask(t, "disconnect sockets", nil, victim.ID(), true)
		expectServerDisconnect(t, victim)
	})
}

// TestRedisAdapter8WithoutRedis: with Redis gone, the requests of the 8.x
// protocol fail at once with ErrUnavailable, returning what the local
// sockets give (their acks, their descriptions).
func TestRedisAdapter8WithoutRedis(t *testing.T) {
	r := redistest.Start(t)
	g := startGoNode(t, r, &Options{Protocol: ProtocolRedisAdapter8})
	gc := dial(t, g.url)
	r.Stop()
	if !waitUntil(wait, func() bool { return strings.Contains(g.logs.String(), "lost the Redis subscription") }) {
		t.Fatal("no log of the loss")
	}
	ctx := ctxFor(t, wait)
	a := g.adapter()
	acks, err := a.BroadcastWithAck(ctx, socketio.BroadcastOptions{}, "ask", "q")
	if !errors.Is(err, ErrUnavailable) || len(acks) != 1 {
		t.Errorf("broadcast with ack: %d acks, %v; want the local one and ErrUnavailable", len(acks), err)
	}
	sockets, err := a.FetchSockets(ctx, socketio.BroadcastOptions{})
	if !errors.Is(err, ErrUnavailable) || len(sockets) != 1 || sockets[0].ID != gc.ID() {
		t.Errorf("fetch sockets: %+v, %v", sockets, err)
	}
	if _, err := a.ServerSideEmitWithAck(ctx, "ping", "x"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("server-side emit with ack: %v", err)
	}
	if err := a.ServerSideEmit(ctx, "note", "x"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("server-side emit: %v", err)
	}
	if err := a.RemoteJoin(ctx, "elsewhere", "room"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("remote join: %v", err)
	}
}
