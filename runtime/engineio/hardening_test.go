package engineio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/testutil"
)

// TestSessionBoundToTransport: a session id works only on its own
// transport, or on a websocket through the upgrade handshake; any other use
// gets engine.io 3.6.2's refusal and leaves the session as it was.
func TestSessionBoundToTransport(t *testing.T) {
	noLeaks(t) // after the server is closed, no session goroutine is left
	h := newEchoHandler()
	srv, ts := newTestServer(t, h, &Options{UpgradeTimeout: 200 * time.Millisecond})

	t.Run("websocket sid on polling", func(t *testing.T) {
		ws, _, err := websocket.DefaultDialer.Dial(wsURL(ts, ""), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		_, open := readWS(t, ws)
		sid := openRE.FindStringSubmatch("97:" + open)[2]
		u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
		for _, method := range []string{"GET", "POST"} {
			if res := do(t, method, u, "2:4x"); res.status != 400 || res.body != `{"code":3,"message":"Bad request"}` {
				t.Errorf("%s with a websocket sid: %d %s", method, res.status, res.body)
			}
		}
		// A second websocket on the same sid is accepted, then closed.
		other, _, err := websocket.DefaultDialer.Dial(wsURL(ts, "&sid="+sid), nil)
		if err != nil {
			t.Fatal(err)
		}
		other.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := other.ReadMessage(); err == nil {
			t.Error("second websocket on a websocket session was not closed")
		}
		other.Close()
		// Nothing reached the session, which still works.
		ws.WriteMessage(websocket.TextMessage, []byte("4ok"))
		if _, m := readWS(t, ws); m != "4ok" {
			t.Errorf("echo %q", m)
		}
		if srv.Conn(sid) == nil {
			t.Error("session closed")
		}
	})

	t.Run("polling sid on websocket without probe", func(t *testing.T) {
		sid, _ := handshake(t, ts.URL, "")
		u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
		for _, first := range []string{"4hijack", "5", ""} {
			ws, _, err := websocket.DefaultDialer.Dial(wsURL(ts, "&sid="+sid), nil)
			if err != nil {
				t.Fatal(err)
			}
			if first != "" {
				ws.WriteMessage(websocket.TextMessage, []byte(first))
			} // else: silence until UpgradeTimeout
			ws.SetReadDeadline(time.Now().Add(5 * time.Second))
			if typ, m, err := ws.ReadMessage(); err == nil {
				t.Errorf("websocket after %q without probe got %d %q, want closed", first, typ, m)
			}
			ws.Close()
			if c := srv.Conn(sid); c == nil || c.Transport() != Polling {
				t.Fatalf("after %q: session gone or upgraded", first)
			}
		}
		// The hijacking message was not delivered; polling goes on.
		do(t, "POST", u, "3:4ok")
		if res := do(t, "GET", u, ""); res.body != "3:4ok" {
			t.Errorf("GET = %q, want only the polling message", res.body)
		}
	})
}

// TestOversizedProbeFrame: a frame over MaxBufferSize on an upgrade probe,
// before or after "2probe", gets close 1009 and ends the probe only: the
// session goes on over polling (docs/limits.md).
func TestOversizedProbeFrame(t *testing.T) {
	noLeaks(t)
	h := newEchoHandler()
	// A frame that fits the server's read buffer, so that the close frame
	// is not overtaken by a reset for unread bytes.
	srv, ts := newTestServer(t, h, &Options{MaxBufferSize: 64})
	for _, probeFirst := range []bool{false, true} {
		name := "first frame"
		if probeFirst {
			name = "after 2probe"
		}
		t.Run(name, func(t *testing.T) {
			sid, _ := handshake(t, ts.URL, "")
			u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
			ws, _, err := websocket.DefaultDialer.Dial(wsURL(ts, "&sid="+sid), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			if probeFirst {
				ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
				if _, m := readWS(t, ws); m != "3probe" {
					t.Fatalf("probe answer %q", m)
				}
			}
			ws.WriteMessage(websocket.TextMessage, append([]byte("4"), bytes.Repeat([]byte("x"), 100)...))
			ws.SetReadDeadline(time.Now().Add(15 * time.Second))
			_, _, err = ws.ReadMessage()
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Fatalf("oversized probe frame: read %v, want close 1009", err)
			}

			// The session polls on: an echo comes back by polling (after
			// the noops that released the GET during the probe).
			do(t, "POST", u, "3:4ok")
			for deadline := time.Now().Add(15 * time.Second); ; {
				res := do(t, "GET", u, "")
				if res.body == "3:4ok" {
					break
				}
				if res.status != 200 || strings.ReplaceAll(res.body, "1:6", "") != "" || time.Now().After(deadline) {
					t.Fatalf("GET after the failed probe: %d %q, want the echo", res.status, res.body)
				}
			}
			if c := srv.Conn(sid); c == nil || c.Transport() != Polling {
				t.Fatal("session gone or upgraded")
			}
			select {
			case r := <-h.closedC:
				t.Fatalf("session closed: %s", r)
			default:
			}
		})
	}
}

// TestAllowedOriginsOnWebSocket: the origin check holds on websocket
// handshakes as on polling ones (TestErrorResponses), and a refused
// handshake creates no session.
func TestAllowedOriginsOnWebSocket(t *testing.T) {
	noLeaks(t) // after the server is closed, no session goroutine is left
	h := newEchoHandler()
	srv, ts := newTestServer(t, h, &Options{AllowedOrigins: []string{"http://good.example:80", "*:8443"}})
	dial := func(origin string) (*websocket.Conn, *http.Response, error) {
		header := http.Header{}
		if origin != "" {
			header.Set("Origin", origin)
		}
		return websocket.DefaultDialer.Dial(wsURL(ts, ""), header)
	}
	for _, origin := range []string{"http://evil.example", "http://good.example:8080", "https://good.example", "null", ""} {
		_, res, err := dial(origin)
		if err == nil || res == nil || res.StatusCode != 403 {
			t.Errorf("origin %q: err %v, res %v, want 403", origin, err, res)
			continue
		}
		if b, _ := io.ReadAll(res.Body); string(b) != "Forbidden" {
			t.Errorf("origin %q: body %q", origin, b)
		}
	}
	for _, origin := range []string{"http://good.example", "http://good.example:80", "https://other.example:8443"} {
		ws, _, err := dial(origin)
		if err != nil {
			t.Errorf("origin %q refused: %v", origin, err)
			continue
		}
		readWS(t, ws)
		ws.Close()
	}
	waitLen(t, srv, 0)
	h.mu.Lock()
	opened := len(h.opened)
	h.mu.Unlock()
	if opened != 3 {
		t.Errorf("%d sessions opened, want 3", opened)
	}
}

// waitLen waits until srv has n sessions.
func waitLen(t *testing.T, srv *Server, n int) {
	t.Helper()
	testutil.Eventually(t, 5*time.Second, fmt.Sprintf("%d sessions (have %d)", n, srv.Len()), func() bool { return srv.Len() == n })
}

// TestStalledPostBody: a POST whose body stops half-way does not hold its
// connection (and the server's goroutine) past the heartbeat timeout, and
// the connection is dropped without an answer (docs/limits.md), as engine.io
// 3.x does: an empty 200 would tell the client its packets arrived.
func TestStalledPostBody(t *testing.T) {
	noLeaks(t) // after the server is closed, no session goroutine is left
	h := newEchoHandler()
	_, ts := newTestServer(t, h, &Options{PingInterval: 100 * time.Millisecond, PingTimeout: 100 * time.Millisecond})
	sid, _ := handshake(t, ts.URL, "")
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /socket.io/?EIO=3&transport=polling&sid=%s HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n10:4aaa", sid)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	answer, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server still holds the stalled POST")
	}
	if len(answer) != 0 {
		t.Errorf("the stalled POST was answered %q; want the connection dropped", answer)
	}
	if r := h.waitClosed(t); r != ReasonTransportError && r != ReasonPingTimeout {
		t.Errorf("reason %q", r)
	}
}

// smallBufferDialer dials with a 4 KiB receive buffer, so that a peer
// that stops reading fills its TCP window after little data.
var smallBufferDialer = &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = setReceiveBuffer(fd, 4096)
	})
	if err != nil {
		return err
	}
	return serr
}}

// TestWriteTimeout: a peer that stops reading holds a write no longer than
// WriteTimeout. On websocket the session is then closed with "transport
// error", long before its queue (SendQueueSize) or its heartbeat would end
// it; on polling the response's connection is dropped and the session is
// closed with "transport error" too, as engine.io closes a session whose
// poll fails, long before its heartbeat would (docs/limits.md).
func TestWriteTimeout(t *testing.T) {
	noLeaks(t)
	const writeTimeout = 200 * time.Millisecond
	big := bytes.Repeat([]byte("x"), 64<<10)

	t.Run("websocket", func(t *testing.T) {
		h := newEchoHandler()
		opened := make(chan *Conn, 1)
		h.onOpen = func(c *Conn) { opened <- c }
		_, ts := newTestServer(t, h, &Options{WriteTimeout: writeTimeout, SendQueueSize: 1 << 20})
		d := websocket.Dialer{NetDialContext: smallBufferDialer.DialContext}
		ws, _, err := d.Dial(wsURL(ts, ""), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close() // and never read
		c := <-opened

		// Queue at a pace that the queue bound cannot be what ends it.
		sent := make(chan int, 1)
		go func() {
			n := 0
			for c.Send(Message{Data: big}) == nil {
				n++
				select {
				case <-c.Done():
				case <-time.After(time.Millisecond):
					continue
				}
				break
			}
			sent <- n
		}()
		start := time.Now()
		select {
		case r := <-h.closedC:
			if r != ReasonTransportError {
				t.Errorf("reason %q, want %q", r, ReasonTransportError)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("session whose peer stopped reading still open after 15s")
		}
		if n := <-sent; n >= 1<<20 {
			t.Errorf("%d messages queued: the queue bound, not the write deadline, ended the session", n)
		}
		t.Logf("closed %v after the first send", time.Since(start))
	})

	t.Run("polling", func(t *testing.T) {
		h := newEchoHandler()
		opened := make(chan *Conn, 1)
		h.onOpen = func(c *Conn) { opened <- c }
		_, ts := newTestServer(t, h, &Options{
			WriteTimeout: writeTimeout,
			PingInterval: 20 * time.Second, PingTimeout: 20 * time.Second,
		})
		sid, _ := handshake(t, ts.URL, "")
		c := <-opened
		// 16 MiB: far more than the socket buffers of both ends hold.
		huge := bytes.Repeat([]byte("y"), 2<<20)
		for range 8 {
			if err := c.Send(Message{Data: huge}); err != nil {
				t.Fatal(err)
			}
		}
		conn, err := smallBufferDialer.Dial("tcp", ts.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /socket.io/?EIO=3&transport=polling&sid=%s HTTP/1.1\r\nHost: x\r\n\r\n", sid)
		// Read nothing until the server gives up (not for a fixed time: on
		// a loaded machine encoding the response can take longer than
		// many WriteTimeouts, and a reader that starts then takes it all).
		if r := h.waitClosedWithin(t, 15*time.Second, "the server still holds the response to a peer that stopped reading, after 15s"); r != ReasonTransportError {
			t.Errorf("reason %q, want %q", r, ReasonTransportError)
		}
		// What arrives now is what the server wrote before it gave up,
		// and then the connection ends.
		conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		got, err := io.Copy(io.Discard, conn)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the session closed but its response's connection stayed open")
		}
		if got >= 16<<20 {
			t.Fatalf("read %d bytes: the whole response went out, no write deadline", got)
		}
	})
}

// TestAbortedPollClosesSession: a client that closes the connection of a
// held GET ends its session with "transport error", as engine.io 3.6.2 does
// ("poll connection closed prematurely"), instead of lingering until the
// ping timeout; other sessions go on.
func TestAbortedPollClosesSession(t *testing.T) {
	h := newEchoHandler()
	srv, ts := newTestServer(t, h, nil)
	other, _ := handshake(t, ts.URL, "")
	sid, _ := handshake(t, ts.URL, "")

	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /socket.io/?EIO=3&transport=polling&sid=%s HTTP/1.1\r\nHost: x\r\n\r\n", sid)
	waitUntilHeld(t, srv, sid)
	conn.Close()
	if reason := h.waitClosed(t); reason != ReasonTransportError {
		t.Errorf("close reason %q, want %q", reason, ReasonTransportError)
	}
	if srv.Conn(sid) != nil {
		t.Error("session still registered")
	}
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + other
	do(t, "POST", u, "3:4ok")
	if res := do(t, "GET", u, ""); res.body != "3:4ok" {
		t.Errorf("other session: GET = %d %q", res.status, res.body)
	}
}
