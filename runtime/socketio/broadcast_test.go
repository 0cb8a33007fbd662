package socketio

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/siogen/siogen/runtime/socketio/codec"
)

// TestBroadcastEncodesOnce: a broadcast to N sockets encodes its packet
// once, and every target receives it, attachment included.
func TestBroadcastEncodesOnce(t *testing.T) {
	var encodes atomic.Int64
	hook := func(p *codec.Packet) {
		if strings.Contains(string(p.Data), `"news"`) {
			encodes.Add(1)
		}
	}
	testHookEncode.Store(&hook)
	t.Cleanup(func() { testHookEncode.Store(nil) })

	srv := newEchoServer(nil, newReasonLog())
	ts := startServer(t, srv)
	const n = 5
	var clients []*rawWS
	for range n {
		clients = append(clients, dialWS(t, ts, "", nil))
	}
	for _, c := range clients {
		srv.Of("/").Socket(c.sid).Join("room")
	}
	check := func(what string, emit func() error) {
		t.Helper()
		encodes.Store(0)
		if err := emit(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for i, c := range clients {
			if got := c.next(); got != `51-["news",{"_placeholder":true,"num":0}]` {
				t.Fatalf("%s: client %d got %q", what, i, got)
			}
			if got := c.frame(); got != "\x04\x07" {
				t.Fatalf("%s: client %d attachment %q", what, i, got)
			}
		}
		if got := encodes.Load(); got != 1 {
			t.Errorf("%s to %d sockets: %d encodes, want 1", what, n, got)
		}
	}
	check("Namespace.Emit", func() error { return srv.Of("/").Emit("news", []byte{7}) })
	check("Namespace.To(room).Emit", func() error { return srv.Of("/").To("room").Emit("news", []byte{7}) })
}

// TestSocketLeave: a socket that left rooms no longer receives what is
// emitted to them; the others still do.
func TestSocketLeave(t *testing.T) {
	srv := newEchoServer(nil, newReasonLog())
	ts := startServer(t, srv)
	stays, leaves := dialWS(t, ts, "", nil), dialWS(t, ts, "", nil)
	root := srv.Of("/")
	for _, c := range []*rawWS{stays, leaves} {
		root.Socket(c.sid).Join("room", "other", "third")
	}
	root.To("room").Emit("news", 1)
	stays.expect(`2["news",1]`)
	leaves.expect(`2["news",1]`)

	root.Socket(leaves.sid).Leave("room", "third")
	if got, want := strings.Join(root.Socket(leaves.sid).Rooms(), ","), leaves.sid+",other"; !sameSet(got, want) {
		t.Errorf("rooms after Leave: %s, want %s", got, want)
	}
	root.To("room").Emit("news", 2)
	root.To("third").Emit("third", 3)
	root.To("other").Emit("other", 4) // only "room" and "third" were left
	stays.expect(`2["news",2]`)
	stays.expect(`2["third",3]`)
	stays.expect(`2["other",4]`)
	// The next packet of the one that left is "other", not "news" or "third".
	leaves.expect(`2["other",4]`)
	leaves.echo("/")
}

// sameSet reports whether two comma-separated lists hold the same items.
func sameSet(a, b string) bool {
	as, bs := strings.Split(a, ","), strings.Split(b, ",")
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs)
}
