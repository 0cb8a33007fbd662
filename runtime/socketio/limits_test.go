package socketio

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	enginecodec "github.com/siogen/siogen/runtime/engineio/codec"
)

// TestLimits drives each peer-facing limit past its bound and checks that
// the offender is refused or disconnected with the documented error while
// two bystanders, one per transport, notice nothing.
func TestLimits(t *testing.T) {
	log := newReasonLog()
	srv := newEchoServer(&Options{
		Engine:           engineio.Options{MaxBufferSize: 4096},
		MaxAttachments:   2,
		MaxDepth:         4,
		MaxNamespaces:    3,
		MaxPendingEvents: 8,
		MaxPendingAcks:   2,
	}, log)
	srv.Of("/").OnConnection(func(s *Socket) {
		s.OnDisconnect(func(reason string) { log.add(s.ID(), reason) })
		s.On("echo", func(e *Event) {
			var v any
			e.Decode(0, &v)
			s.Emit("echo", v)
		})
		s.On("hold", func(*Event) { <-s.Done() })
	})
	ts := startServer(t, srv)
	wsBystander := dialWS(t, ts, "", nil)
	pollBystander := dialPolling(t, ts, "")
	t.Cleanup(func() {
		wsBystander.echo("/")
		pollBystander.echo()
		for _, id := range []string{wsBystander.sid, pollBystander.sid} {
			if r, ok := log.has(id); ok {
				t.Errorf("bystander %s disconnected: %s", id, r)
			}
		}
	})
	big := strings.Repeat("x", 5000)

	t.Run("websocket frame over MaxBufferSize", func(t *testing.T) {
		c := dialWS(t, ts, "", nil)
		c.echo("/")
		c.send(`2["echo","` + big + `"]`)
		if _, code := c.closed(); code != websocket.CloseMessageTooBig {
			t.Errorf("close code %d, want %d", code, websocket.CloseMessageTooBig)
		}
		if r := log.wait(t, c.sid); r != ReasonTransportError {
			t.Errorf("reason %q, want %q", r, ReasonTransportError)
		}
		wsBystander.echo("/")
	})

	t.Run("polling body over MaxBufferSize", func(t *testing.T) {
		msg := []enginecodec.Packet{{Type: enginecodec.Message, Data: []byte(`2["echo","` + big + `"]`)}}
		text := string(enginecodec.AppendStringPayload(nil, msg, enginecodec.V3))
		for _, post := range []struct {
			name, query, contentType, body string
		}{
			{"text", "", "text/plain;charset=UTF-8", text},
			{"binary", "", "application/octet-stream", string(enginecodec.AppendBinaryPayload(nil, msg))},
			{"jsonp", "&j=0", "application/x-www-form-urlencoded", "d=" + url.QueryEscape(text)},
		} {
			c := dialPolling(t, ts, "")
			c.echo()
			c.url += post.query
			if status, body := c.post(post.contentType, []byte(post.body)); status != 413 || body != `{"code":3,"message":"Payload too large"}` {
				t.Errorf("%s: POST over the limit: %d %s", post.name, status, body)
			}
			if r := log.wait(t, c.sid); r != ReasonTransportError {
				t.Errorf("%s: reason %q, want %q", post.name, r, ReasonTransportError)
			}
			if status, _ := c.get(); status != 400 {
				t.Errorf("%s: GET after the close: %d, want 400", post.name, status)
			}
		}
		pollBystander.echo()
	})

	t.Run("attachments over MaxAttachments", func(t *testing.T) {
		c := dialWS(t, ts, "", nil)
		// Exactly the limit passes.
		two := `2-["echo",[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]]`
		c.send("5" + two)
		c.sendBinary([]byte{1})
		c.sendBinary([]byte{2})
		c.expect("5" + two)
		if a, b := c.frame(), c.frame(); a != "\x04\x01" || b != "\x04\x02" {
			t.Fatalf("attachments echoed as %q %q", a, b)
		}
		c.send(`53-["echo",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]`)
		if pkts, _ := c.closed(); len(pkts) != 0 {
			t.Errorf("received %q before the close", pkts)
		}
		if r := log.wait(t, c.sid); r != ReasonParseError {
			t.Errorf("reason %q, want %q", r, ReasonParseError)
		}
		wsBystander.echo("/")
	})

	t.Run("JSON nesting over MaxDepth", func(t *testing.T) {
		c := dialWS(t, ts, "", nil)
		c.send(`2["echo",[[[1]]]]`) // 4 levels
		c.expect(`2["echo",[[[1]]]]`)
		c.send(`2["echo",[[[[1]]]]]`) // 5 levels
		if pkts, _ := c.closed(); len(pkts) != 0 {
			t.Errorf("received %q before the close", pkts)
		}
		if r := log.wait(t, c.sid); r != ReasonParseError {
			t.Errorf("reason %q, want %q", r, ReasonParseError)
		}
		wsBystander.echo("/")
	})

	t.Run("namespaces over MaxNamespaces", func(t *testing.T) {
		c := dialWS(t, ts, "", nil)
		c.send("0/a")
		c.expect("0/a,")
		c.send("0/a") // already connected: ignored, not counted
		c.send("0/b")
		c.expect("0/b,")
		c.echo("/a")
		c.send("0/c")
		c.expect(`4/c,"Too many namespaces"`)
		// Every namespace is left, so that a client does not reconnect.
		pkts, _ := c.closed()
		slices.Sort(pkts)
		if want := []string{"1", "1/a,", "1/b,"}; !slices.Equal(pkts, want) {
			t.Errorf("packets before the close %q, want %q", pkts, want)
		}
		for _, id := range []string{c.sid, "/a#" + c.sid, "/b#" + c.sid} {
			if r := log.wait(t, id); r != ReasonTransportError {
				t.Errorf("%s: reason %q, want %q", id, r, ReasonTransportError)
			}
		}
		wsBystander.echo("/")
	})

	t.Run("events over MaxPendingEvents", func(t *testing.T) {
		c := dialWS(t, ts, "", nil)
		c.send(`2["hold"]`)
		for range 20 {
			// The server may close the connection before the last ones.
			c.ws.WriteMessage(websocket.TextMessage, []byte(`42["echo","queued"]`))
		}
		if pkts, _ := c.closed(); !slices.Equal(pkts, []string{"1"}) {
			t.Errorf("packets before the close %q, want the DISCONNECT only", pkts)
		}
		if r := log.wait(t, c.sid); r != ReasonTransportError {
			t.Errorf("reason %q, want %q", r, ReasonTransportError)
		}
		wsBystander.echo("/")
	})

	// The socket-level limits again, the offender polling.
	t.Run("polling: attachments over MaxAttachments", func(t *testing.T) {
		c := dialPolling(t, ts, "")
		two := `52-["echo",[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]]`
		c.sendBinary(two, []byte{1}, []byte{2})
		if got := c.all(3); got[0] != two || got[1] != "\x01" || got[2] != "\x02" {
			t.Fatalf("echo of two attachments: %q", got)
		}
		c.send(`53-["echo",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]`)
		if pkts := c.closed(); len(pkts) != 0 {
			t.Errorf("received %q before the close", pkts)
		}
		if r := log.wait(t, c.sid); r != ReasonParseError {
			t.Errorf("reason %q, want %q", r, ReasonParseError)
		}
		pollBystander.echo()
		wsBystander.echo("/")
	})

	t.Run("polling: JSON nesting over MaxDepth", func(t *testing.T) {
		c := dialPolling(t, ts, "")
		c.send(`2["echo",[[[1]]]]`)
		if got := c.all(1); got[0] != `2["echo",[[[1]]]]` {
			t.Fatalf("echo at the limit: %q", got)
		}
		c.send(`2["echo",[[[[1]]]]]`)
		if pkts := c.closed(); len(pkts) != 0 {
			t.Errorf("received %q before the close", pkts)
		}
		if r := log.wait(t, c.sid); r != ReasonParseError {
			t.Errorf("reason %q, want %q", r, ReasonParseError)
		}
		pollBystander.echo()
		wsBystander.echo("/")
	})

	t.Run("polling: namespaces over MaxNamespaces", func(t *testing.T) {
		c := dialPolling(t, ts, "")
		c.send("0/a", "0/a", "0/b")
		if got := c.all(2); !slices.Equal(got, []string{"0/a,", "0/b,"}) {
			t.Fatalf("CONNECTs: %q", got)
		}
		c.send("0/c")
		pkts := c.closed()
		if len(pkts) == 0 || pkts[0] != `4/c,"Too many namespaces"` {
			t.Fatalf("packets before the close %q, want the ERROR first", pkts)
		}
		rest := slices.Sorted(slices.Values(pkts[1:]))
		if want := []string{"1", "1/a,", "1/b,"}; !slices.Equal(rest, want) {
			t.Errorf("packets after the ERROR %q, want %q", rest, want)
		}
		for _, id := range []string{c.sid, "/a#" + c.sid, "/b#" + c.sid} {
			if r := log.wait(t, id); r != ReasonTransportError {
				t.Errorf("%s: reason %q, want %q", id, r, ReasonTransportError)
			}
		}
		pollBystander.echo()
		wsBystander.echo("/")
	})

	t.Run("polling: events over MaxPendingEvents", func(t *testing.T) {
		c := dialPolling(t, ts, "")
		pkts := []string{`2["hold"]`}
		for range 20 {
			pkts = append(pkts, `2["echo","queued"]`)
		}
		c.send(pkts...)
		if got := c.closed(); !slices.Equal(got, []string{"1"}) {
			t.Errorf("packets before the close %q, want the DISCONNECT only", got)
		}
		if r := log.wait(t, c.sid); r != ReasonTransportError {
			t.Errorf("reason %q, want %q", r, ReasonTransportError)
		}
		pollBystander.echo()
		wsBystander.echo("/")
	})

	t.Run("acks over MaxPendingAcks", func(t *testing.T) {
		c := dialWS(t, ts, "", nil)
		s := srv.Of("/").Socket(c.sid)
		ctx, cancel := context.WithTimeout(context.Background(), hardWait)
		defer cancel()
		results := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := s.EmitWithAck(ctx, "ask")
				results <- err
			}()
		}
		first, second := c.next(), c.next() // 2<id>["ask"]
		ids := []string{strings.TrimSuffix(first[1:], `["ask"]`), strings.TrimSuffix(second[1:], `["ask"]`)}
		if _, err := s.EmitWithAck(ctx, "ask"); !errors.Is(err, ErrTooManyAcks) {
			t.Fatalf("third EmitWithAck: %v, want ErrTooManyAcks", err)
		}
		// An answer frees a slot; the socket was never disconnected.
		c.send("3" + ids[0] + `["ok"]`)
		if err := <-results; err != nil {
			t.Fatalf("answered EmitWithAck: %v", err)
		}
		go func() {
			_, err := s.EmitWithAck(ctx, "ask")
			results <- err
		}()
		third := c.next()
		c.send("3" + ids[1] + `["ok"]`)
		c.send("3" + strings.TrimSuffix(third[1:], `["ask"]`) + `["ok"]`)
		for range 2 {
			if err := <-results; err != nil {
				t.Fatalf("EmitWithAck: %v", err)
			}
		}
		c.echo("/")
	})
}

// waitFor polls cond until it holds or hardWait passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, hardWait, what, cond)
}

// TestNothingAfterDisconnect: a handler that is still running when the
// server disconnects its socket (here it waits for the socket's end) cannot
// send anything after the DISCONNECT: its emits and ack replies return
// ErrDisconnected and the client sees the DISCONNECT last.
func TestNothingAfterDisconnect(t *testing.T) {
	srv := NewServer(nil)
	sockets := make(chan *Socket, 1)
	errs := make(chan [2]error, 1)
	srv.Of("/").OnConnection(func(s *Socket) {
		s.On("hold", func(e *Event) {
			sockets <- s
			<-s.Done()
			errs <- [2]error{s.Emit("late"), e.Ack("late")}
		})
	})
	ts := startServer(t, srv)
	c := dialWS(t, ts, "", nil)
	c.send(`21["hold"]`)
	s := <-sockets
	s.Disconnect(true)
	pkts, _ := c.closed()
	if !slices.Equal(pkts, []string{"1"}) {
		t.Errorf("packets before the close %q, want the DISCONNECT only", pkts)
	}
	got := <-errs
	for i, what := range []string{"Emit", "Ack"} {
		if !errors.Is(got[i], ErrDisconnected) {
			t.Errorf("%s after the disconnect: %v, want ErrDisconnected", what, got[i])
		}
	}
}
