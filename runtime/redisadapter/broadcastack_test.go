package redisadapter

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/redistest"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio"
)

// dialAnswering connects a Go client to url whose "ask" handler is answer
// (nil: the client never answers).
func dialAnswering(t *testing.T, url string, answer func(c *socketio.ClientSocket, e *socketio.Event)) *socketio.ClientSocket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, err := socketio.Dial(ctx, url, &socketio.ManagerOptions{
		Engine:              engineio.DialOptions{Transports: []string{engineio.WebSocket}},
		DisableReconnection: true,
		Logger:              slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if answer != nil {
		c.On("ask", func(e *socketio.Event) { answer(c, e) })
	}
	t.Cleanup(func() { c.Manager().Close() })
	return c
}

// echoBytes answers "ask" with "re:" + its string and its bytes.
func echoBytes(_ *socketio.ClientSocket, e *socketio.Event) {
	var q string
	var b []byte
	e.Decode(0, &q)
	e.Decode(1, &b)
	e.Ack("re:"+q, b)
}

// ackReplies maps the socket id of each reply to its two arguments.
func ackReplies(t *testing.T, acks []socketio.SocketAck) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, a := range acks {
		var s string
		var b []byte
		if err := a.Args.Decode(0, &s); err != nil {
			t.Errorf("reply of %q: %v", a.SocketID, err)
		}
		a.Args.Decode(1, &b)
		out[a.SocketID] = s + "+" + string(b)
	}
	return out
}

// TestBroadcastEmitWithAckTwoGoNodes: under the default protocol, a
// broadcast with acks from one Go node reaches the sockets of both, binary
// both ways, and returns each ack with its socket's id as soon as the last
// arrives; a socket that leaves is unanswered at once, a silent one when
// the deadline passes; a Local broadcast stays on its node.
func TestBroadcastEmitWithAckTwoGoNodes(t *testing.T) {
	r := redistest.Start(t)
	a, b := startGoNode(t, r, nil), startGoNode(t, r, nil)
	ca := dialAnswering(t, a.url, echoBytes)
	cb1, cb2 := dialAnswering(t, b.url, echoBytes), dialAnswering(t, b.url, echoBytes)
	b.nsp.Socket(cb2.ID()).Join("room")

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	got, err := a.nsp.EmitWithAck(ctx, "ask", "q", []byte("bin"))
	if err != nil || ctx.Err() != nil {
		t.Fatalf("err %v, ctx %v: want every ack before the deadline", err, ctx.Err())
	}
	want := map[string]string{ca.ID(): "re:q+bin", cb1.ID(): "re:q+bin", cb2.ID(): "re:q+bin"}
	if r := ackReplies(t, got.Replies); !equalMaps(r, want) || len(got.Unanswered) != 0 || got.UnansweredCount != 0 {
		t.Fatalf("replies %v, unanswered %v (%d); want %v", r, got.Unanswered, got.UnansweredCount, want)
	}

	got, err = a.nsp.To("room").EmitWithAck(ctx, "ask", "r", []byte{})
	if r := ackReplies(t, got.Replies); err != nil || !equalMaps(r, map[string]string{cb2.ID(): "re:r+"}) {
		t.Fatalf("to room: %v, %v", r, err)
	}
	// A node without targets says so: no wait for RequestsTimeout.
	got, err = b.nsp.To("nobody").EmitWithAck(ctx, "ask", "none")
	if err != nil || len(got.Replies)+got.UnansweredCount != 0 {
		t.Fatalf("to a room without sockets: %+v, %v", got, err)
	}
	got, err = a.nsp.To("room").Local().EmitWithAck(ctx, "ask", "local")
	if err != nil || len(got.Replies)+got.UnansweredCount != 0 {
		t.Fatalf("local broadcast to a room of the other node: %+v, %v", got, err)
	}

	// A socket of the other node that leaves when asked is unanswered at
	// once: the call returns well before its deadline.
	leaver := dialAnswering(t, b.url, func(c *socketio.ClientSocket, _ *socketio.Event) { go c.Manager().Close() })
	leaverID := leaver.ID() // empty once it left
	b.nsp.Socket(leaverID).Join("exit")
	got, err = a.nsp.To("exit", "room").EmitWithAck(ctx, "ask", "l", []byte("y"))
	if err != nil || ctx.Err() != nil {
		t.Fatalf("err %v, ctx %v: want the leaver unanswered at once", err, ctx.Err())
	}
	if r := ackReplies(t, got.Replies); !equalMaps(r, map[string]string{cb2.ID(): "re:l+y"}) ||
		!slices.Equal(got.Unanswered, []string{leaverID}) || got.UnansweredCount != 1 {
		t.Fatalf("replies %v, unanswered %v (%d); want %s unanswered", r, got.Unanswered, got.UnansweredCount, leaverID)
	}

	// A silent socket of the other node is unanswered at the deadline.
	silent := dialAnswering(t, b.url, nil)
	short, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	got, err = a.nsp.Except(ca.ID()).EmitWithAck(short, "ask", "s", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if r := ackReplies(t, got.Replies); !equalMaps(r, map[string]string{cb1.ID(): "re:s+x", cb2.ID(): "re:s+x"}) ||
		!slices.Equal(got.Unanswered, []string{silent.ID()}) || got.UnansweredCount != 1 {
		t.Fatalf("replies %v, unanswered %v (%d); want %s unanswered", r, got.Unanswered, got.UnansweredCount, silent.ID())
	}
	for _, n := range []*goNode{a, b} {
		n.adapter().mu.Lock()
		pending := len(n.adapter().requests)
		n.adapter().mu.Unlock()
		if pending != 0 {
			t.Errorf("node %s: %d requests still registered", n.url, pending)
		}
	}
}

// TestBroadcastEmitWithAckSilentNode: a subscriber of the request channel
// that never answers (as a socket.io 2.x node, which ignores the request)
// is given up after RequestsTimeout: the acks of the Go nodes come back
// with an error wrapping ErrTimeout. With Redis gone, the local sockets
// still answer, with ErrUnavailable.
func TestBroadcastEmitWithAckSilentNode(t *testing.T) {
	r := redistest.Start(t)
	a := startGoNode(t, r, &Options{RequestsTimeout: 300 * time.Millisecond})
	b := startGoNode(t, r, nil)
	ca, cb := dialAnswering(t, a.url, echoBytes), dialAnswering(t, b.url, echoBytes)
	mute := redisClient(t, r).Subscribe(context.Background(), "socket.io-request#/#")
	defer mute.Close()
	if _, err := mute.Receive(context.Background()); err != nil {
		t.Fatal(err)
	}

	got, err := a.nsp.EmitWithAck(ctxFor(t, wait), "ask", "q")
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "1 of 2 nodes") {
		t.Fatalf("err %v: want ErrTimeout for 1 of 2 nodes", err)
	}
	if r := ackReplies(t, got.Replies); !equalMaps(r, map[string]string{ca.ID(): "re:q+", cb.ID(): "re:q+"}) {
		t.Fatalf("replies %v", r)
	}

	r.Stop()
	if !waitUntil(wait, func() bool { return strings.Contains(a.logs.String(), "lost the Redis subscription") }) {
		t.Fatal("no log of the loss")
	}
	got, err = a.nsp.EmitWithAck(ctxFor(t, wait), "ask", "alone")
	if !errors.Is(err, ErrUnavailable) || len(got.Replies) != 1 || got.Replies[0].SocketID != ca.ID() {
		t.Fatalf("without Redis: %+v, %v; want the local ack and ErrUnavailable", got, err)
	}
}

// TestBroadcastEmitWithAckRedisAdapter8: under @socket.io/redis-adapter
// 8.x's protocol the other node's acks carry no socket id and only their
// first argument, and its silent sockets are counted, not named.
func TestBroadcastEmitWithAckRedisAdapter8(t *testing.T) {
	r := redistest.Start(t)
	opts := &Options{Protocol: ProtocolRedisAdapter8}
	a, b := startGoNode(t, r, opts), startGoNode(t, r, opts)
	ca := dialAnswering(t, a.url, echoBytes)
	// Only the first value of the other node's ack travels: it shows the
	// binary argument arrived.
	dialAnswering(t, b.url, func(_ *socketio.ClientSocket, e *socketio.Event) {
		var q string
		var bin []byte
		e.Decode(0, &q)
		e.Decode(1, &bin)
		e.Ack("re:"+q+"/"+string(bin), bin)
	})
	got, err := a.nsp.EmitWithAck(ctxFor(t, wait), "ask", "q", []byte("b"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ca.ID(): "re:q+b", "": "re:q/b+"}
	if r := ackReplies(t, got.Replies); !equalMaps(r, want) || got.UnansweredCount != 0 {
		t.Fatalf("replies %v (%d unanswered), want %v", r, got.UnansweredCount, want)
	}

	silentA, silentB := dialAnswering(t, a.url, nil), dialAnswering(t, b.url, nil)
	got, err = a.nsp.EmitWithAck(ctxFor(t, 500*time.Millisecond), "ask", "s")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Replies) != 2 || !slices.Equal(got.Unanswered, []string{silentA.ID()}) || got.UnansweredCount != 2 {
		t.Fatalf("got %d replies, unanswered %v (%d); want 2, [%s] (2)", len(got.Replies), got.Unanswered, got.UnansweredCount, silentA.ID())
	}
	_ = silentB
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
