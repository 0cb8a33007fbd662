package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	enginecodec "github.com/siogen/siogen/runtime/engineio/codec"
)

// The hardening tests talk to the server with hand-written clients, so that
// they see the wire (and can misbehave) where the Go client would hide it.

// hardWait bounds every wait of the hardening tests.
const hardWait = 15 * time.Second

// reasonLog records the disconnect reason of every socket of a server.
type reasonLog struct {
	mu sync.Mutex
	m  map[string]string
	ch chan struct{} // signalled on every record
}

func newReasonLog() *reasonLog {
	return &reasonLog{m: make(map[string]string), ch: make(chan struct{}, 1)}
}

func (l *reasonLog) add(id, reason string) {
	l.mu.Lock()
	l.m[id] = reason
	l.mu.Unlock()
	select {
	case l.ch <- struct{}{}:
	default:
	}
}

// wait returns the disconnect reason of socket id, waiting for it.
func (l *reasonLog) wait(t *testing.T, id string) string {
	t.Helper()
	deadline := time.After(hardWait)
	for {
		l.mu.Lock()
		r, ok := l.m[id]
		l.mu.Unlock()
		if ok {
			return r
		}
		select {
		case <-l.ch:
		case <-deadline:
			t.Fatalf("socket %s did not disconnect", id)
		}
	}
}

// has reports the reason of socket id, if it disconnected.
func (l *reasonLog) has(id string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.m[id]
	return r, ok
}

// newEchoServer returns a server with namespaces "/", "/a", "/b" and "/c"
// whose sockets answer "echo" with "echo" and the same argument, and record
// their disconnect reasons in log.
func newEchoServer(opts *Options, log *reasonLog) *Server {
	if opts == nil {
		opts = &Options{}
	}
	if opts.Logger == nil {
		opts.Logger = clientTestLogger()
	}
	srv := NewServer(opts)
	for _, name := range []string{"/", "/a", "/b", "/c"} {
		srv.Of(name).OnConnection(func(s *Socket) {
			s.OnDisconnect(func(reason string) { log.add(s.ID(), reason) })
			s.On("echo", func(e *Event) {
				var v any
				e.Decode(0, &v)
				s.Emit("echo", v)
			})
		})
	}
	return srv
}

// startServer serves srv on a loopback httptest server, shut down at the
// end of the test.
func startServer(t *testing.T, srv *Server) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		ts.Close()
	})
	return ts
}

// rawWS is a Socket.IO client over a websocket, written by hand.
type rawWS struct {
	t   *testing.T
	ws  *websocket.Conn
	sid string
}

func wsBase(ts *httptest.Server) string {
	return "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=3&transport=websocket"
}

// dialWS opens a websocket session and reads the open packet and the
// CONNECT of "/".
func dialWS(t *testing.T, ts *httptest.Server, query string, dialer *websocket.Dialer) *rawWS {
	t.Helper()
	if dialer == nil {
		dialer = websocket.DefaultDialer
	}
	ws, res, err := dialer.Dial(wsBase(ts)+query, nil)
	if err != nil {
		t.Fatalf("dial websocket: %v (%v)", err, res)
	}
	t.Cleanup(func() { ws.Close() })
	c := &rawWS{t: t, ws: ws}
	open := c.frame()
	var hs struct{ SID string }
	if err := json.Unmarshal([]byte(strings.TrimPrefix(open, "0")), &hs); err != nil || open[0] != '0' {
		t.Fatalf("open packet %q", open)
	}
	c.sid = hs.SID
	c.expect("0")
	return c
}

// frame reads one websocket frame.
func (c *rawWS) frame() string {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(hardWait))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatalf("read websocket: %v", err)
	}
	return string(b)
}

// send sends Socket.IO packets, each as an Engine.IO message.
func (c *rawWS) send(pkts ...string) {
	c.t.Helper()
	for _, p := range pkts {
		if err := c.ws.WriteMessage(websocket.TextMessage, []byte("4"+p)); err != nil {
			c.t.Fatalf("write websocket: %v", err)
		}
	}
}

// sendBinary sends an attachment.
func (c *rawWS) sendBinary(b []byte) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, append([]byte{4}, b...)); err != nil {
		c.t.Fatalf("write websocket: %v", err)
	}
}

// next returns the next Socket.IO packet, skipping pongs.
func (c *rawWS) next() string {
	c.t.Helper()
	for {
		f := c.frame()
		if f == "3" {
			continue
		}
		if f == "" || f[0] != '4' {
			c.t.Fatalf("engine packet %q, want a message", f)
		}
		return f[1:]
	}
}

func (c *rawWS) expect(want string) {
	c.t.Helper()
	if got := c.next(); got != want {
		c.t.Fatalf("got packet %q, want %q", got, want)
	}
}

// echo checks that the session still works: an "echo" comes back.
func (c *rawWS) echo(nsp string) {
	c.t.Helper()
	prefix := ""
	if nsp != "/" {
		prefix = nsp + ","
	}
	c.send("2" + prefix + `["echo","still here"]`)
	c.expect("2" + prefix + `["echo","still here"]`)
}

// closed reads until the server closes the websocket and returns the
// Socket.IO packets received meanwhile and the close code (-1 without a
// close frame).
func (c *rawWS) closed() (pkts []string, code int) {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(hardWait))
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return pkts, ce.Code
			}
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				c.t.Fatalf("websocket still open; received %q", pkts)
			}
			return pkts, -1
		}
		if len(b) > 0 && b[0] == '4' {
			pkts = append(pkts, string(b[1:]))
		}
	}
}

// rawPolling is a Socket.IO client over long-polling, written by hand.
type rawPolling struct {
	t      *testing.T
	url    string
	sid    string
	client *http.Client
}

// dialPolling opens a polling session and reads the open packet and the
// CONNECT of "/".
func dialPolling(t *testing.T, ts *httptest.Server, query string) *rawPolling {
	t.Helper()
	c := &rawPolling{t: t, url: ts.URL + "/socket.io/?EIO=3&transport=polling" + query, client: ts.Client()}
	status, pkts := c.get()
	if status != 200 || len(pkts) == 0 || pkts[0].Type != enginecodec.Open {
		t.Fatalf("handshake: %d %v", status, pkts)
	}
	var hs struct{ SID string }
	json.Unmarshal(pkts[0].Data, &hs)
	c.sid = hs.SID
	c.url += "&sid=" + c.sid
	if len(pkts) < 2 || string(pkts[1].Data) != "0" {
		t.Fatalf("handshake payload %v, want the open packet and 40", pkts)
	}
	return c
}

// get polls once and returns the status and the Engine.IO packets.
func (c *rawPolling) get() (int, []enginecodec.Packet) {
	c.t.Helper()
	res, err := c.client.Get(c.url)
	if err != nil {
		c.t.Fatalf("GET: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return res.StatusCode, nil
	}
	binary := res.Header.Get("Content-Type") == "application/octet-stream"
	pkts, err := enginecodec.DecodePayload(body, binary, enginecodec.V3)
	if err != nil {
		c.t.Fatalf("GET payload %q: %v", body, err)
	}
	return res.StatusCode, pkts
}

// messages polls until it has Socket.IO packets (or the close packet) and
// returns them, with whether the session was closed.
func (c *rawPolling) messages() (pkts []string, closed bool) {
	c.t.Helper()
	for {
		status, got := c.get()
		if status != 200 {
			c.t.Fatalf("GET: status %d", status)
		}
		for _, p := range got {
			switch p.Type {
			case enginecodec.Message:
				pkts = append(pkts, string(p.Data))
			case enginecodec.Close:
				closed = true
			}
		}
		if len(pkts) > 0 || closed {
			return pkts, closed
		}
	}
}

// post sends a raw body and returns the status and the response body.
func (c *rawPolling) post(contentType string, body []byte) (int, string) {
	c.t.Helper()
	res, err := c.client.Post(c.url, contentType, strings.NewReader(string(body)))
	if err != nil {
		c.t.Fatalf("POST: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// send posts Socket.IO packets, each as an Engine.IO message.
func (c *rawPolling) send(pkts ...string) {
	c.t.Helper()
	eps := make([]enginecodec.Packet, len(pkts))
	for i, p := range pkts {
		eps[i] = enginecodec.Packet{Type: enginecodec.Message, Data: []byte(p)}
	}
	if status, body := c.post("text/plain;charset=UTF-8", enginecodec.AppendStringPayload(nil, eps, enginecodec.V3)); status != 200 || body != "ok" {
		c.t.Fatalf("POST: %d %q", status, body)
	}
}

// echo checks that the session still works: an "echo" comes back.
func (c *rawPolling) echo() {
	c.t.Helper()
	c.send(`2["echo","still here"]`)
	if pkts, _ := c.messages(); len(pkts) != 1 || pkts[0] != `2["echo","still here"]` {
		c.t.Fatalf("echo over polling: %q", pkts)
	}
}

// sendBinary posts a binary packet's header and attachments as one
// XHR2 binary payload.
func (c *rawPolling) sendBinary(header string, attachments ...[]byte) {
	c.t.Helper()
	eps := []enginecodec.Packet{{Type: enginecodec.Message, Data: []byte(header)}}
	for _, a := range attachments {
		eps = append(eps, enginecodec.Packet{Type: enginecodec.Message, Data: a, Binary: true})
	}
	if status, body := c.post("application/octet-stream", enginecodec.AppendBinaryPayload(nil, eps)); status != 200 || body != "ok" {
		c.t.Fatalf("POST: %d %q", status, body)
	}
}

// all polls until it has n Socket.IO packets and returns them; an
// attachment is returned as its bytes.
func (c *rawPolling) all(n int) []string {
	c.t.Helper()
	var pkts []string
	for len(pkts) < n {
		got, closed := c.messages()
		pkts = append(pkts, got...)
		if closed {
			c.t.Fatalf("session closed after %q, want %d packets", pkts, n)
		}
	}
	return pkts
}

// closed polls until the server ends the session (a close packet, or a
// refused poll) and returns the Socket.IO packets received meanwhile.
func (c *rawPolling) closed() []string {
	c.t.Helper()
	var pkts []string
	for deadline := time.Now().Add(hardWait); time.Now().Before(deadline); {
		status, got := c.get()
		if status != 200 {
			return pkts
		}
		for _, p := range got {
			switch p.Type {
			case enginecodec.Message:
				pkts = append(pkts, string(p.Data))
			case enginecodec.Close:
				return pkts
			}
		}
	}
	c.t.Fatalf("session still open; received %q", pkts)
	return nil
}
