package engineio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio/codec"
)

func TestClientURL(t *testing.T) {
	tsRE := regexp.MustCompile(`&t=[0-9A-Za-z_-]+(\.\d+)?`)
	cases := []struct {
		raw, polling, websocket string
	}{
		{"http://127.0.0.1:3000",
			"http://127.0.0.1:3000/socket.io/?EIO=3&transport=polling&t=T",
			"ws://127.0.0.1:3000/socket.io/?EIO=3&transport=websocket"},
		{"ws://h/?token=secret",
			"http://h/socket.io/?token=secret&EIO=3&transport=polling&t=T",
			"ws://h/socket.io/?token=secret&EIO=3&transport=websocket"},
		{"wss://h:443/engine.io?a=1&EIO=4&transport=x&sid=old&b=%20#frag",
			"https://h:443/engine.io/?a=1&b=%20&EIO=3&transport=polling&t=T",
			"wss://h:443/engine.io/?a=1&b=%20&EIO=3&transport=websocket"},
		{"https://h/socket.io/",
			"https://h/socket.io/?EIO=3&transport=polling&t=T",
			"wss://h/socket.io/?EIO=3&transport=websocket"},
	}
	for _, tc := range cases {
		c := &Client{version: codec.V3}
		if err := c.setup(tc.raw); err != nil {
			t.Fatalf("%s: %v", tc.raw, err)
		}
		if got := tsRE.ReplaceAllString(c.requestURL(Polling), "&t=T"); got != tc.polling {
			t.Errorf("%s polling:\n got %s\nwant %s", tc.raw, got, tc.polling)
		}
		if got := c.requestURL(WebSocket); got != tc.websocket {
			t.Errorf("%s websocket:\n got %s\nwant %s", tc.raw, got, tc.websocket)
		}
		c.cancel()
	}

	c := &Client{version: codec.V3, opts: DialOptions{ForceBase64: true}}
	if err := c.setup("http://h/?x=1"); err != nil {
		t.Fatal(err)
	}
	defer c.cancel()
	c.sid = "ab-_CD"
	want := "http://h/socket.io/?x=1&EIO=3&transport=polling&t=T&b64=1&sid=ab-_CD"
	if got := tsRE.ReplaceAllString(c.requestURL(Polling), "&t=T"); got != want {
		t.Errorf("with sid and b64:\n got %s\nwant %s", got, want)
	}

	for _, bad := range []string{"ftp://h/", "http:///socket.io/", "://x", "h:3000"} {
		if _, err := Dial(context.Background(), bad, nil); err == nil {
			t.Errorf("Dial(%q) succeeded", bad)
		}
	}
	if _, err := Dial(context.Background(), "http://h/", &DialOptions{Transports: []string{"jsonp"}}); err == nil {
		t.Error("Dial with transport jsonp succeeded")
	}
}

func TestClientTimestamp(t *testing.T) {
	c := &Client{}
	seen := map[string]bool{}
	for range 1000 {
		ts := c.cacheBuster()
		if seen[ts] {
			t.Fatalf("cache buster %q repeated", ts)
		}
		seen[ts] = true
		if !regexp.MustCompile(`^[0-9A-Za-z_-]+(\.\d+)?$`).MatchString(ts) {
			t.Fatalf("bad cache buster %q", ts)
		}
	}
}

func TestClientStatusError(t *testing.T) {
	e := clientStatusError(400, []byte(`{"code":1,"message":"Session ID unknown"}`))
	if e.StatusCode != 400 || e.Code != 1 || e.Message != "Session ID unknown" {
		t.Errorf("JSON body: %+v", e)
	}
	e = clientStatusError(400, []byte("Session ID unknown\n"))
	if e.Code != -1 || e.Message != "Session ID unknown" {
		t.Errorf("text body: %+v", e)
	}
	if got := e.Error(); got != "engineio: HTTP 400: Session ID unknown" {
		t.Errorf("Error() = %q", got)
	}
}

// clientFake is a scripted Engine.IO v3 polling server.
type clientFake struct {
	open     string              // data of the open packet
	extra    string              // string payload sent after the open packet
	polls    chan clientFakeBody // answers to the GETs of the session
	posts    chan string         // bodies of the POSTs
	reqs     chan string         // "METHOD query" of every request
	wsStatus int                 // answer to websocket requests
	status   int                 // if set, answer to the handshake, with body
	body     string
}

type clientFakeBody struct {
	body   []byte
	binary bool
}

func newClientFake(t *testing.T, pingInterval, pingTimeout int, upgrades string) (*clientFake, string) {
	f := &clientFake{
		open: fmt.Sprintf(`{"sid":"FAKE","upgrades":[%s],"pingInterval":%d,"pingTimeout":%d}`,
			upgrades, pingInterval, pingTimeout),
		polls:    make(chan clientFakeBody, 16),
		posts:    make(chan string, 64),
		reqs:     make(chan string, 256),
		wsStatus: http.StatusBadRequest,
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL + "/socket.io/"
}

func (f *clientFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	select {
	case f.reqs <- r.Method + " " + r.URL.RawQuery:
	default:
	}
	switch {
	case q.Get("transport") == WebSocket:
		http.Error(w, "Session ID unknown", f.wsStatus)
	case f.status != 0:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		io.WriteString(w, f.body)
	case q.Get("sid") == "":
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		fmt.Fprintf(w, "%d:0%s%s", len(f.open)+1, f.open, f.extra)
	case r.Method == http.MethodPost:
		b, _ := io.ReadAll(r.Body)
		f.posts <- string(b)
		io.WriteString(w, "ok")
	default:
		select {
		case b := <-f.polls:
			if b.binary {
				w.Header().Set("Content-Type", "application/octet-stream")
			}
			w.Write(b.body)
		case <-r.Context().Done():
		}
	}
}

func (f *clientFake) poll(s string) { f.polls <- clientFakeBody{body: []byte(s)} }

// nextPost returns the next POST body that is not a lone ping.
func (f *clientFake) nextPost(t *testing.T) string {
	t.Helper()
	for {
		select {
		case b := <-f.posts:
			if b != "1:2" {
				return b
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no POST within 5s")
		}
	}
}

func TestClientFakePolling(t *testing.T) {
	noLeaks(t)
	f, url := newClientFake(t, 25000, 20000, "")
	f.extra = "2:40"
	c, r := clientDial(t, url+"?token=x", DialOptions{})
	if c.ID() != "FAKE" || c.Transport() != Polling || c.PingInterval() != 25*time.Second || c.PingTimeout() != 20*time.Second {
		t.Fatalf("id %q transport %q ping %v/%v", c.ID(), c.Transport(), c.PingInterval(), c.PingTimeout())
	}
	clientExpect(t, r, clientText("0")) // the message that came with the open packet
	if q := <-f.reqs; !regexp.MustCompile(`^GET token=x&EIO=3&transport=polling&t=[^&]+$`).MatchString(q) {
		t.Errorf("handshake request %q", q)
	}
	if q := <-f.reqs; !regexp.MustCompile(`^GET token=x&EIO=3&transport=polling&t=[^&]+&sid=FAKE$`).MatchString(q) {
		t.Errorf("poll request %q", q)
	}

	// A string payload, then an XHR2 binary one.
	f.poll("6:4hello2:4€")
	bin := codec.AppendBinaryPayload(nil, []codec.Packet{
		{Type: codec.Message, Data: []byte("€")},
		{Type: codec.Message, Data: []byte{1, 2, 3, 4}, Binary: true},
	})
	f.polls <- clientFakeBody{body: bin, binary: true}
	clientExpect(t, r, clientText("hello"), clientText("€"), clientText("€"), clientBin(1, 2, 3, 4))

	// Sends: text as a string payload, binary as an XHR2 payload.
	if err := c.Send(clientText("a"), clientText("😀")); err != nil {
		t.Fatal(err)
	}
	if got := f.nextPost(t); got != "2:4a3:4😀" {
		t.Errorf("POST %q, want %q", got, "2:4a3:4😀")
	}
	if err := c.Send(clientText("€"), clientBin(1, 2, 3, 4)); err != nil {
		t.Fatal(err)
	}
	if got, want := f.nextPost(t), "\x00\x04\xff4€\x01\x05\xff\x04\x01\x02\x03\x04"; got != want {
		t.Errorf("POST %q, want %q", got, want)
	}

	// The server ends the session: the messages before the close packet
	// are delivered first.
	f.poll("4:4bye1:1")
	clientExpect(t, r, clientText("bye"))
	if ev := r.waitClose(t, 5*time.Second); ev.reason != ReasonServerClose || ev.err != nil {
		t.Errorf("OnClose(%q, %v), want %q", ev.reason, ev.err, ReasonServerClose)
	}
}

func TestClientFakeBase64Polling(t *testing.T) {
	noLeaks(t)
	f, url := newClientFake(t, 25000, 20000, "")
	c, r := clientDial(t, url, DialOptions{ForceBase64: true})
	if q := <-f.reqs; !strings.HasSuffix(q, "&b64=1") {
		t.Errorf("handshake request %q lacks b64=1", q)
	}
	f.poll("10:b4AQIDBA==")
	clientExpect(t, r, clientBin(1, 2, 3, 4))
	if err := c.Send(clientText("€"), clientBin(1, 2, 3, 4)); err != nil {
		t.Fatal(err)
	}
	if got, want := f.nextPost(t), "2:4€10:b4AQIDBA=="; got != want {
		t.Errorf("POST %q, want %q", got, want)
	}
}

func TestClientFakeParseError(t *testing.T) {
	noLeaks(t)
	f, url := newClientFake(t, 25000, 20000, "")
	_, r := clientDial(t, url, DialOptions{})
	f.poll("6:4hello3:9xx")
	clientExpect(t, r, clientText("hello"))
	ev := r.waitClose(t, 5*time.Second)
	var pe *codec.ProtocolError
	if ev.reason != ReasonParseError || !errors.As(ev.err, &pe) {
		t.Errorf("OnClose(%q, %v), want %q with a *codec.ProtocolError", ev.reason, ev.err, ReasonParseError)
	}
}

func TestClientFakeProbeRefused(t *testing.T) {
	noLeaks(t)
	f, url := newClientFake(t, 25000, 20000, `"websocket"`)
	c, r := clientDial(t, url, DialOptions{})
	deadline := time.After(5 * time.Second)
	for probed := false; !probed; {
		select {
		case q := <-f.reqs:
			probed = strings.Contains(q, "transport=websocket&sid=FAKE")
		case <-deadline:
			t.Fatal("no websocket probe")
		}
	}
	// A quiet spell, not an ordering: a refused probe must leave the client
	// on polling, and nothing signals that it did not switch.
	time.Sleep(testutil.Quiet) // see above
	if c.Transport() != Polling {
		t.Fatalf("transport %s after a refused probe", c.Transport())
	}
	if err := c.Send(clientText("still")); err != nil {
		t.Fatal(err)
	}
	if got := f.nextPost(t); got != "6:4still" {
		t.Errorf("POST %q", got)
	}
	f.poll("5:4here")
	clientExpect(t, r, clientText("here"))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got := f.nextPost(t); got != "1:1" {
		t.Errorf("close POST %q, want 1:1", got)
	}
	if ev := r.waitClose(t, 5*time.Second); ev.reason != ReasonForcedClose {
		t.Errorf("OnClose(%q, %v)", ev.reason, ev.err)
	}
}

func TestClientFakeHandshakeErrors(t *testing.T) {
	noLeaks(t)
	f, url := newClientFake(t, 25000, 20000, "")
	f.status, f.body = http.StatusForbidden, `{"code":4,"message":"Forbidden"}`
	_, err := Dial(context.Background(), url, &DialOptions{Protocol: 3})
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 403 || se.Code != 4 || se.Message != "Forbidden" {
		t.Errorf("polling: err = %v, want a StatusError 403 code 4", err)
	}
	_, err = Dial(context.Background(), url, &DialOptions{Protocol: 3, Transports: []string{WebSocket}})
	if !errors.As(err, &se) || se.StatusCode != 400 || se.Code != -1 || se.Message != "Session ID unknown" {
		t.Errorf("websocket: err = %v, want a StatusError 400", err)
	}
}

func TestClientFakePingTimeout(t *testing.T) {
	noLeaks(t)
	f, url := newClientFake(t, 50, 50, "")
	start := time.Now()
	_, r := clientDial(t, url, DialOptions{})
	if got := <-f.posts; got != "1:2" {
		t.Errorf("first POST %q, want the ping 1:2", got)
	}
	ev := r.waitClose(t, 5*time.Second)
	if ev.reason != ReasonPingTimeout {
		t.Errorf("OnClose(%q, %v), want %q", ev.reason, ev.err, ReasonPingTimeout)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Errorf("ping timeout after %v, want about 100ms", d)
	}
}

func TestClientFakeQueueFull(t *testing.T) {
	noLeaks(t)
	_, url := newClientFake(t, 25000, 20000, "")
	c, r := clientDial(t, url, DialOptions{SendQueueSize: 2})
	if err := c.Send(clientText("a"), clientText("b"), clientText("c")); err != ErrQueueFull {
		t.Fatalf("Send = %v, want ErrQueueFull", err)
	}
	if ev := r.waitClose(t, 5*time.Second); ev.reason != ReasonTransportError || ev.err != ErrQueueFull {
		t.Errorf("OnClose(%q, %v), want %q, ErrQueueFull", ev.reason, ev.err, ReasonTransportError)
	}
	if err := c.Send(clientText("d")); err != ErrClosed {
		t.Errorf("Send after the end = %v, want ErrClosed", err)
	}
}

func TestClientFakeCloseFromOnMessage(t *testing.T) {
	noLeaks(t)
	f, url := newClientFake(t, 25000, 20000, "")
	cc := make(chan *Client, 1)
	closed := make(chan error, 1)
	reason := make(chan string, 1)
	c, err := Dial(context.Background(), url, &DialOptions{
		Protocol:  3,
		OnMessage: func(Message) { closed <- (<-cc).Close() },
		OnClose:   func(r string, _ error) { reason <- r },
	})
	if err != nil {
		t.Fatal(err)
	}
	cc <- c
	f.poll("5:4stop")
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close from OnMessage did not return")
	}
	if r := <-reason; r != ReasonForcedClose {
		t.Errorf("OnClose(%q)", r)
	}
	<-c.Done()
}

// TestClientDefaultProtocol: Dial speaks Engine.IO v4 unless told v3, as
// socketio.Manager's default (Socket.IO v5) does.
func TestClientDefaultProtocol(t *testing.T) {
	noLeaks(t)
	h := newEchoHandler()
	opened := make(chan int, 2)
	h.onOpen = func(c *Conn) { opened <- c.Protocol() }
	_, ts := newTestServer(t, h, nil)
	for _, tc := range []struct {
		opts *DialOptions
		want int
	}{{nil, 4}, {&DialOptions{Protocol: 3}, 3}} {
		c, err := Dial(t.Context(), ts.URL, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-opened:
			if got != tc.want {
				t.Errorf("Dial(%+v): the server saw Engine.IO v%d, want v%d", tc.opts, got, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no session opened")
		}
		c.Close()
		<-c.Done()
	}
}
