package engineio

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/testutil"
)

// recordingHandler records the messages it receives; "abort me" aborts the
// session, "close me" closes it in order.
type recordingHandler struct {
	*echoHandler
	mu   sync.Mutex
	msgs []string
}

func (h *recordingHandler) OnMessage(c *Conn, m Message) {
	h.mu.Lock()
	h.msgs = append(h.msgs, string(m.Data))
	h.mu.Unlock()
	switch string(m.Data) {
	case "abort me":
		c.Abort()
	case "close me":
		c.Close()
	}
}

func (h *recordingHandler) received() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.msgs)
}

// TestAbort: Abort ends a polling session at once, though CloseTimeout is
// long: the held GET gets the close packet, nothing after the aborting
// message is delivered, and the session's next request is refused.
func TestAbort(t *testing.T) {
	h := &recordingHandler{echoHandler: newEchoHandler()}
	srv, ts := newTestServer(t, h, &Options{CloseTimeout: time.Hour})
	sid, _ := handshake(t, ts.URL, "")
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
	held := make(chan response, 1)
	go func() { held <- do(t, "GET", u, "") }()
	waitUntilHeld(t, srv, sid)
	if res := do(t, "POST", u, "9:4abort me4:4one"); res.status != 200 || res.body != "ok" {
		t.Fatalf("POST: %d %s", res.status, res.body)
	}
	if res := <-held; res.body != "1:1" {
		t.Errorf("held GET got %q, want the close packet", res.body)
	}
	if r := h.waitClosed(t); r != ReasonParseError {
		t.Errorf("reason %q, want %q", r, ReasonParseError)
	}
	if res := do(t, "POST", u, "4:4two"); res.status != 400 || res.body != `{"code":1,"message":"Session ID unknown"}` {
		t.Errorf("POST after Abort: %d %s, want 400 Session ID unknown", res.status, res.body)
	}
	if got := h.received(); !slices.Equal(got, []string{"abort me"}) {
		t.Errorf("delivered %q, want nothing after the aborting message", got)
	}
}

// TestNothingDeliveredWhileClosing: once Close has begun, what the peer
// sends is ignored, as engine.io ignores packets of a closing socket; its
// close packet still ends the session.
func TestNothingDeliveredWhileClosing(t *testing.T) {
	h := &recordingHandler{echoHandler: newEchoHandler()}
	_, ts := newTestServer(t, h, &Options{CloseTimeout: time.Hour})
	sid, _ := handshake(t, ts.URL, "")
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
	do(t, "POST", u, "9:4close me4:4one")
	if res := do(t, "POST", u, "4:4two"); res.status != 200 {
		t.Fatalf("POST while closing: %d %s", res.status, res.body)
	}
	if got := h.received(); !slices.Equal(got, []string{"close me"}) {
		t.Errorf("delivered %q, want nothing after Close", got)
	}
	do(t, "POST", u, "1:1")
	if r := h.waitClosed(t); r != ReasonTransportClose {
		t.Errorf("reason %q, want %q", r, ReasonTransportClose)
	}
}

// waitUntilHeld waits until the session's GET is held.
func waitUntilHeld(t *testing.T, srv *Server, sid string) {
	t.Helper()
	c := srv.Conn(sid)
	testutil.Eventually(t, 5*time.Second, "the GET to be held", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.getActive
	})
}
