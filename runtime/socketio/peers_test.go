package socketio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
)

// TestSlowConsumer: a websocket client that stops reading (its TCP window
// full) and a polling client that stops polling, while others chat through
// broadcasts. The chatters receive every message, never blocked by the
// two; each of the two is disconnected once its bounded send queue
// overflows, instead of making the server hold more and more for it. The
// write timeout is far beyond the test's waits, so only the queue limit can
// close the stalled websocket.
func TestSlowConsumer(t *testing.T) {
	log := newReasonLog()
	logs := &testutil.Buffer{}
	srv := NewServer(&Options{
		Engine: engineio.Options{SendQueueSize: 64, WriteTimeout: 5 * time.Minute},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	root := srv.Of("/")
	root.OnConnection(func(s *Socket) {
		s.OnDisconnect(func(reason string) { log.add(s.ID(), reason) })
		s.On("chat", func(e *Event) {
			var msg string
			e.Decode(0, &msg)
			root.Emit("chat", msg)
		})
	})
	// Small socket buffers on both sides, so that a stalled reader's TCP
	// window fills after a few messages.
	ts := httptest.NewUnstartedServer(srv)
	ts.Listener = smallBufferListener{ts.Listener}
	ts.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		ts.Close()
	})

	// The stalled reader: a tiny receive buffer, and it never reads past
	// the handshake.
	stalled := dialWS(t, ts, "", &websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			c.(*net.TCPConn).SetReadBuffer(4096)
		}
		return c, err
	}})
	stalledPoll := dialPolling(t, ts, "")

	// Each chatter sends its next message once its previous one came back
	// to it, as a person would: the chatters themselves never fall behind.
	const chatters, perChatter = 3, 40
	pad := strings.Repeat("m", 16<<10) // 3×40×16 KiB: far beyond the buffers
	conns := make([]*rawWS, chatters)
	for i := range conns {
		conns[i] = dialWS(t, ts, "", nil)
	}
	errs := make(chan error, 2*chatters)
	var wg sync.WaitGroup
	for i, c := range conns {
		own := make(chan struct{}, perChatter)
		wg.Add(2)
		go func() { // reader: every message of every chatter
			defer wg.Done()
			want := chatters * perChatter
			mine := fmt.Sprintf(`42["chat","%d:`, i)
			for n := 0; n < want; {
				c.ws.SetReadDeadline(time.Now().Add(hardWait))
				_, b, err := c.ws.ReadMessage()
				if err != nil {
					errs <- fmt.Errorf("chatter %d after %d of %d messages: %v", i, n, want, err)
					return
				}
				if strings.HasPrefix(string(b), `42["chat",`) {
					n++
				}
				if strings.HasPrefix(string(b), mine) {
					own <- struct{}{}
				}
			}
		}()
		go func() { // writer
			defer wg.Done()
			for k := range perChatter {
				if err := c.ws.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `42["chat","%d:%d:%s"]`, i, k, pad)); err != nil {
					errs <- fmt.Errorf("chatter %d: write: %v", i, err)
					return
				}
				select {
				case <-own:
				case <-time.After(hardWait):
					errs <- fmt.Errorf("chatter %d: message %d did not come back", i, k)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, id := range []string{stalled.sid, stalledPoll.sid} {
		if r := log.wait(t, id); r != ReasonTransportError {
			t.Errorf("stalled %s: reason %q, want %q", id, r, ReasonTransportError)
		}
		// The engine logs the overflow of the session it closes.
		if l := logs.String(); !slices.ContainsFunc(strings.Split(l, "\n"), func(line string) bool {
			return strings.Contains(line, "send queue full") && strings.Contains(line, "sid="+id)
		}) {
			t.Errorf("stalled %s: closed, but not by its send queue; log:\n%s", id, l)
		}
	}
	for i, c := range conns {
		if r, ok := log.has(c.sid); ok {
			t.Errorf("chatter %d disconnected: %s", i, r)
		}
	}
	waitFor(t, "the stalled sessions to end", func() bool { return srv.Engine().Len() == chatters })
}

// smallBufferListener shrinks the send buffer of every accepted connection.
type smallBufferListener struct{ net.Listener }

func (l smallBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		c.(*net.TCPConn).SetWriteBuffer(4096)
	}
	return c, err
}

// TestDeadPeers: a websocket client that stops pinging, and polling
// clients that stop polling or sit on a poll without pinging, are closed
// with "ping timeout" once pingInterval+pingTimeout has passed without a
// packet from them; a client that keeps pinging stays.
func TestDeadPeers(t *testing.T) {
	const interval, timeout = 100 * time.Millisecond, 150 * time.Millisecond
	log := newReasonLog()
	srv := newEchoServer(&Options{Engine: engineio.Options{PingInterval: interval, PingTimeout: timeout}}, log)
	ts := startServer(t, srv)

	start := time.Now()
	live := dialWS(t, ts, "", nil)
	deadWS := dialWS(t, ts, "", nil)
	deadPoll := dialPolling(t, ts, "")
	heldPoll := dialPolling(t, ts, "")
	held := make(chan bool, 1)
	go func() {
		// A poll held open is not a sign of life: only packets are.
		res, err := heldPoll.client.Get(heldPoll.url)
		if err == nil {
			res.Body.Close()
		}
		held <- err == nil && res.StatusCode == 200
	}()
	stop := make(chan struct{})
	pinged := make(chan struct{})
	go func() {
		defer close(pinged)
		for {
			select {
			case <-stop:
				return
			case <-time.After(interval / 2):
				live.ws.WriteMessage(websocket.TextMessage, []byte("2"))
			}
		}
	}()

	for _, id := range []string{deadWS.sid, deadPoll.sid, heldPoll.sid} {
		if r := log.wait(t, id); r != ReasonPingTimeout {
			t.Errorf("%s: reason %q, want %q", id, r, ReasonPingTimeout)
		}
	}
	if d := time.Since(start); d < interval+timeout {
		t.Errorf("dead peers closed after %v, before pingInterval+pingTimeout", d)
	}
	if pkts, _ := deadWS.closed(); len(pkts) != 0 {
		t.Errorf("dead websocket received %q", pkts)
	}
	if !<-held {
		t.Error("the held poll was not answered")
	}
	if status, _ := deadPoll.get(); status != 400 {
		t.Errorf("poll of a dead session: %d, want 400", status)
	}
	// Well past the timeout, the pinging client is still there.
	time.Sleep(2 * (interval + timeout)) // the duration under test: past pingInterval+pingTimeout twice
	close(stop)
	<-pinged
	live.echo("/")
	if r, ok := log.has(live.sid); ok {
		t.Errorf("live client disconnected: %s", r)
	}
	if n := srv.Engine().Len(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
}

// TestShutdown: Shutdown delivers what was queued, then a DISCONNECT for
// every namespace of every client, on both transports; closes the sessions;
// refuses new handshakes; and returns once drained. A client that never
// fetches its DISCONNECT does not hold Shutdown past its context.
func TestShutdown(t *testing.T) {
	log := newReasonLog()
	srv := newEchoServer(nil, log)
	ts := httptest.NewServer(srv)
	defer ts.Close()

	ws := dialWS(t, ts, "", nil)
	ws.send("0/a")
	ws.expect("0/a,")
	poll := dialPolling(t, ts, "")
	srv.Of("/").Emit("bye")

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), hardWait)
		defer cancel()
		done <- srv.Shutdown(ctx)
	}()

	wsPkts, code := ws.closed()
	if len(wsPkts) != 3 || wsPkts[0] != `2["bye"]` || !slices.Contains(wsPkts, "1") || !slices.Contains(wsPkts, "1/a,") {
		t.Errorf("websocket received %q, want bye then the DISCONNECTs of / and /a", wsPkts)
	}
	if code != websocket.CloseNoStatusReceived {
		t.Errorf("websocket close code %d", code)
	}
	var pollPkts []string
	for closed := false; !closed; {
		var pkts []string
		pkts, closed = poll.messages()
		pollPkts = append(pollPkts, pkts...)
	}
	if !slices.Equal(pollPkts, []string{`2["bye"]`, "1"}) {
		t.Errorf("polling received %q, want bye then the DISCONNECT", pollPkts)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	for _, id := range []string{ws.sid, "/a#" + ws.sid, poll.sid} {
		if r, _ := log.has(id); r != ReasonServerShutdown {
			t.Errorf("%s: reason %q, want %q", id, r, ReasonServerShutdown)
		}
	}
	if n := srv.Engine().Len(); n != 0 {
		t.Errorf("%d sessions after Shutdown", n)
	}

	// New clients are refused.
	res, err := http.Get(ts.URL + "/socket.io/?EIO=3&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 100)
	n, _ := res.Body.Read(body)
	res.Body.Close()
	if res.StatusCode != 503 || string(body[:n]) != `{"code":4,"message":"Server shutting down"}` {
		t.Errorf("handshake after Shutdown: %d %s", res.StatusCode, body[:n])
	}
	if _, res, err := websocket.DefaultDialer.Dial(wsBase(ts), nil); err == nil || res == nil || res.StatusCode != 503 {
		t.Errorf("websocket handshake after Shutdown: %v %v", err, res)
	}

	// A polling client that never comes back for its DISCONNECT.
	srv = newEchoServer(nil, log)
	ts2 := httptest.NewServer(srv)
	defer ts2.Close()
	gone := dialPolling(t, ts2, "")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown with an absent client: %v, want the context's error", err)
	}
	if r := log.wait(t, gone.sid); r != ReasonServerShutdown {
		t.Errorf("absent client: reason %q", r)
	}
	if n := srv.Engine().Len(); n != 0 {
		t.Errorf("%d sessions after Shutdown", n)
	}
}

// TestAuth: the AllowRequest hook sees the handshake request on both
// transports and refuses with its chosen status; namespace middleware sees
// the handshake's headers and query, merged with the CONNECT's query, and
// a refused namespace can be asked again.
func TestAuth(t *testing.T) {
	log := newReasonLog()
	srv := newEchoServer(&Options{Engine: engineio.Options{AllowRequest: func(r *http.Request) error {
		if r.Header.Get("Authorization") != "Bearer good" && r.URL.Query().Get("token") != "good" {
			return &engineio.RequestError{Status: http.StatusUnauthorized, Message: "bad token"}
		}
		return nil
	}}}, log)
	srv.Of("/a").Use(func(s *Socket) error {
		if s.Handshake().Query.Get("role") != "admin" {
			return NewClientError("not an admin")
		}
		return nil
	})
	srv.Of("/b").Use(func(s *Socket) error {
		if s.Handshake().Header.Get("Authorization") == "" {
			return NewClientError("no header")
		}
		return nil
	})
	ts := startServer(t, srv)

	res, err := http.Get(ts.URL + "/socket.io/?EIO=3&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 100)
	n, _ := res.Body.Read(body)
	res.Body.Close()
	if res.StatusCode != 401 || string(body[:n]) != `{"code":4,"message":"bad token"}` {
		t.Errorf("polling without a token: %d %s", res.StatusCode, body[:n])
	}
	if _, res, err := websocket.DefaultDialer.Dial(wsBase(ts), nil); err == nil || res == nil || res.StatusCode != 401 {
		t.Errorf("websocket without a token: %v %v", err, res)
	}

	header := http.Header{"Authorization": {"Bearer good"}}
	wsConn, _, err := websocket.DefaultDialer.Dial(wsBase(ts), header)
	if err != nil {
		t.Fatalf("websocket with the header: %v", err)
	}
	c := &rawWS{t: t, ws: wsConn}
	defer wsConn.Close()
	c.frame() // open
	c.expect("0")
	c.send("0/a")
	c.expect(`4/a,"not an admin"`)
	c.send("0/a?role=admin")
	c.expect("0/a,")
	c.echo("/a")
	c.send("0/b")
	c.expect("0/b,")

	p := dialPolling(t, ts, "&token=good")
	p.send("0/b")
	if pkts, _ := p.messages(); !slices.Equal(pkts, []string{`4/b,"no header"`}) {
		t.Errorf("polling client on /b: %q", pkts)
	}
	p.send("0/a?role=admin")
	if pkts, _ := p.messages(); !slices.Equal(pkts, []string{"0/a,"}) {
		t.Errorf("polling client on /a: %q", pkts)
	}
}
