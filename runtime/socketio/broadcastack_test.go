package socketio

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// ackRequest matches a Socket.IO v4 EVENT of "/" that asks for an ack:
// 2<id>[...].
var ackRequest = regexp.MustCompile(`^2(\d+)(\[.*\])$`)

// askedAck reads the next packet of c, an EVENT asking for an ack, and
// returns its ack id and its arguments' JSON.
func (c *rawWS) askedAck() (id, data string) {
	c.t.Helper()
	p := c.next()
	m := ackRequest.FindStringSubmatch(p)
	if m == nil {
		c.t.Fatalf("packet %q, want an event asking for an ack", p)
	}
	return m[1], m[2]
}

type ackResult struct {
	acks BroadcastAcks[SocketAck]
	err  error
}

// emitWithAckAsync runs Broadcast.EmitWithAck on a goroutine.
func emitWithAckAsync(ctx context.Context, b Broadcast, event string, args ...any) <-chan ackResult {
	out := make(chan ackResult, 1)
	go func() {
		acks, err := b.EmitWithAck(ctx, event, args...)
		out <- ackResult{acks, err}
	}()
	return out
}

// pendingBroadcastAcks counts the broadcast acks every socket of nsp still
// waits for.
func pendingBroadcastAcks(nsp *Namespace) int {
	n := 0
	for _, s := range nsp.Sockets() {
		s.mu.Lock()
		n += len(s.broadcastAcks)
		s.mu.Unlock()
	}
	return n
}

// TestBroadcastEmitWithAckAllAnswer: every selected socket gets one packet,
// encoded once, with one ack id; the call returns as soon as the last
// answers, each reply with its socket's id, binary included.
func TestBroadcastEmitWithAckAllAnswer(t *testing.T) {
	clientLeakCheck(t)
	var encodes atomic.Int64
	hook := func(p *codec.Packet) {
		if strings.Contains(string(p.Data), `"poll"`) {
			encodes.Add(1)
		}
	}
	testHookEncode.Store(&hook)
	t.Cleanup(func() { testHookEncode.Store(nil) })

	srv := newEchoServer(nil, newReasonLog())
	ts := startServer(t, srv)
	nsp := srv.Of("/")
	var clients []*rawWS
	for range 3 {
		c := dialWS(t, ts, "", nil)
		nsp.Socket(c.sid).Join("voters")
		clients = append(clients, c)
	}
	outsider := dialWS(t, ts, "", nil)

	ctx, cancel := context.WithTimeout(t.Context(), clientWait)
	defer cancel()
	res := emitWithAckAsync(ctx, nsp.To("voters"), "poll", "lunch?")
	var ackID string
	for i, c := range clients {
		id, data := c.askedAck()
		if data != `["poll","lunch?"]` {
			t.Fatalf("client %d got %s", i, data)
		}
		if ackID != "" && id != ackID {
			t.Errorf("ack ids %s and %s: want one for the broadcast", ackID, id)
		}
		ackID = id
	}
	for i, c := range clients {
		if i == 2 {
			c.send("61-" + ackID + `[{"_placeholder":true,"num":0}]`)
			c.sendBinary([]byte{9})
			continue
		}
		c.send("3" + ackID + `["yes",` + string(rune('0'+i)) + `]`)
	}
	r := testutil.Recv(t, res, "the acks")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.acks.Unanswered) != 0 || r.acks.UnansweredCount != 0 {
		t.Errorf("unanswered %v (%d), want none", r.acks.Unanswered, r.acks.UnansweredCount)
	}
	got := map[string]*Args{}
	for _, a := range r.acks.Replies {
		got[a.SocketID] = a.Args
	}
	if len(got) != 3 || len(r.acks.Replies) != 3 {
		t.Fatalf("replies %v, want one from each of 3 sockets", r.acks.Replies)
	}
	for i, c := range clients[:2] {
		var word string
		var n int
		if a := got[c.sid]; a == nil || a.Decode(0, &word) != nil || a.Decode(1, &n) != nil || word != "yes" || n != i {
			t.Errorf("reply of client %d: %v %q %d", i, a, word, n)
		}
	}
	var blob []byte
	if a := got[clients[2].sid]; a == nil || a.Decode(0, &blob) != nil || !slices.Equal(blob, []byte{9}) {
		t.Errorf("binary reply: %v", blob)
	}
	if n := encodes.Load(); n != 1 {
		t.Errorf("%d encodes of the broadcast, want 1", n)
	}
	outsider.echo("/")
	if n := pendingBroadcastAcks(nsp); n != 0 {
		t.Errorf("%d acks still pending", n)
	}
}

// TestBroadcastEmitWithAckSilentAndGone: a socket that disconnects while
// asked is unanswered at once (the call needs no deadline to return); a
// silent one is unanswered when ctx ends, and its late ack is ignored.
// Nothing is left pending.
func TestBroadcastEmitWithAckSilentAndGone(t *testing.T) {
	clientLeakCheck(t)
	srv := newEchoServer(nil, newReasonLog())
	ts := startServer(t, srv)
	nsp := srv.Of("/")
	answers, leaves := dialWS(t, ts, "", nil), dialWS(t, ts, "", nil)

	// No deadline: the call returns because every socket answered or left.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	res := emitWithAckAsync(ctx, Broadcast{nsp: nsp}, "ping")
	id, _ := answers.askedAck()
	leaves.askedAck()
	answers.send("3" + id + `["pong"]`)
	leaves.ws.Close()
	r := testutil.Recv(t, res, "the acks without a deadline")
	if r.err != nil || len(r.acks.Replies) != 1 || r.acks.Replies[0].SocketID != answers.sid {
		t.Fatalf("replies %v, err %v: want the one of %s", r.acks.Replies, r.err, answers.sid)
	}
	if !slices.Equal(r.acks.Unanswered, []string{leaves.sid}) || r.acks.UnansweredCount != 1 {
		t.Fatalf("unanswered %v (%d), want [%s]", r.acks.Unanswered, r.acks.UnansweredCount, leaves.sid)
	}

	// A deadline: the silent socket is unanswered when it passes.
	silent := dialWS(t, ts, "", nil)
	ctx, cancel = context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	res = emitWithAckAsync(ctx, nsp.Except(answers.sid), "ping")
	late, _ := silent.askedAck()
	r = testutil.Recv(t, res, "the acks at the deadline")
	if r.err != nil || len(r.acks.Replies) != 0 || !slices.Equal(r.acks.Unanswered, []string{silent.sid}) {
		t.Fatalf("got %+v, %v: want %s unanswered", r.acks, r.err, silent.sid)
	}
	if n := pendingBroadcastAcks(nsp); n != 0 {
		t.Errorf("%d acks still pending after the deadline", n)
	}
	silent.send("3" + late + `["too late"]`)
	silent.echo("/")
}

// TestBroadcastEmitWithAckNoTarget: nothing selected returns at once,
// empty; arguments that do not encode are an error.
func TestBroadcastEmitWithAckNoTarget(t *testing.T) {
	srv := newEchoServer(nil, newReasonLog())
	startServer(t, srv)
	acks, err := srv.Of("/").To("nobody").EmitWithAck(t.Context(), "ping")
	if err != nil || len(acks.Replies)+len(acks.Unanswered)+acks.UnansweredCount != 0 {
		t.Fatalf("got %+v, %v: want nothing", acks, err)
	}
	if _, err := srv.Of("/").EmitWithAck(t.Context(), "ping", make(chan int)); err == nil {
		t.Fatal("a channel argument encoded")
	}
}
