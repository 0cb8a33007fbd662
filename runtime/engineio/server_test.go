package engineio

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/testutil"
)

// echoHandler echoes every message and closes the session on "close me".
// It records what it saw so tests can assert on it.
type echoHandler struct {
	mu      sync.Mutex
	opened  []string
	closed  map[string]string
	onOpen  func(c *Conn)
	closedC chan string
}

func newEchoHandler() *echoHandler {
	return &echoHandler{closed: map[string]string{}, closedC: make(chan string, 100)}
}

func (h *echoHandler) OnOpen(c *Conn) {
	h.mu.Lock()
	h.opened = append(h.opened, c.ID())
	h.mu.Unlock()
	if h.onOpen != nil {
		h.onOpen(c)
	}
}

func (h *echoHandler) OnMessage(c *Conn, m Message) {
	if !m.Binary && string(m.Data) == "close me" {
		c.Close()
		return
	}
	c.Send(m)
}

func (h *echoHandler) OnClose(c *Conn, reason string) {
	h.mu.Lock()
	h.closed[c.ID()] = reason
	h.mu.Unlock()
	h.closedC <- reason
}

func (h *echoHandler) waitClosed(t *testing.T) string {
	t.Helper()
	return h.waitClosedWithin(t, 5*time.Second, "session did not close")
}

// waitClosedWithin returns the reason of the next session to close, or
// fails with msg after d.
func (h *echoHandler) waitClosedWithin(t *testing.T, d time.Duration, msg string) string {
	t.Helper()
	select {
	case r := <-h.closedC:
		return r
	case <-time.After(d):
		t.Fatal(msg)
		return ""
	}
}

func newTestServer(t *testing.T, h Handler, opts *Options) (*Server, *httptest.Server) {
	t.Helper()
	srv := NewServer(h, opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Shutdown(t.Context())
		ts.Close()
	})
	return srv, ts
}

type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, u string, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

var openRE = regexp.MustCompile(`^(\d+):0\{"sid":"([A-Za-z0-9_-]{20})","upgrades":\[(.*?)\],"pingInterval":(\d+),"pingTimeout":(\d+)\}(.*)$`)

// handshake opens a polling session and returns its sid and the packets that
// followed the open packet in the same payload.
func handshake(t *testing.T, base string, query string) (sid, rest string) {
	t.Helper()
	res := do(t, "GET", base+"/socket.io/?EIO=3&transport=polling&t=x1"+query, "")
	if res.status != 200 {
		t.Fatalf("handshake: %d %s", res.status, res.body)
	}
	m := openRE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("handshake body %q", res.body)
	}
	return m[2], m[6]
}

func TestHandshakeMatchesReference(t *testing.T) {
	h := newEchoHandler()
	h.onOpen = func(c *Conn) { c.Send(Message{Data: []byte("0")}) } // socket.io's initial CONNECT
	_, ts := newTestServer(t, h, nil)

	res := do(t, "GET", ts.URL+"/socket.io/?EIO=3&transport=polling&t=Q8H444q", "")
	m := openRE.FindStringSubmatch(res.body)
	if res.status != 200 || m == nil {
		t.Fatalf("got %d %q", res.status, res.body)
	}
	if m[1] != "97" || m[3] != `"websocket"` || m[4] != "25000" || m[5] != "20000" || m[6] != "2:40" {
		t.Errorf("open payload %q: want 97:0{...websocket...25000,20000}2:40", res.body)
	}
	if got, want := res.header.Get("Set-Cookie"), "io="+m[2]+"; Path=/; HttpOnly; SameSite=Strict"; got != want {
		t.Errorf("Set-Cookie = %q, want %q", got, want)
	}
	if got := res.header.Get("Content-Type"); got != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := res.header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q", got)
	}

	// With an Origin, CORS reflects it with credentials.
	res = do(t, "GET", ts.URL+"/socket.io/?EIO=3&transport=polling", "", "Origin", "http://example.com")
	if res.header.Get("Access-Control-Allow-Origin") != "http://example.com" || res.header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("CORS headers %v", res.header)
	}
}

func TestHandshakeOptions(t *testing.T) {
	_, ts := newTestServer(t, newEchoHandler(), &Options{
		PingInterval: 2 * time.Second, PingTimeout: 3 * time.Second,
		DisableUpgrades: true, CookieName: "sess", Path: "/rt",
	})
	res := do(t, "GET", ts.URL+"/rt/?EIO=3&transport=polling", "")
	m := openRE.FindStringSubmatch(res.body)
	if m == nil || m[3] != "" || m[4] != "2000" || m[5] != "3000" {
		t.Fatalf("open payload %q", res.body)
	}
	if !strings.HasPrefix(res.header.Get("Set-Cookie"), "sess="+m[2]+";") {
		t.Errorf("cookie %q", res.header.Get("Set-Cookie"))
	}
	_, ts = newTestServer(t, newEchoHandler(), &Options{DisableCookie: true})
	if res := do(t, "GET", ts.URL+"/socket.io/?EIO=3&transport=polling", ""); res.header.Get("Set-Cookie") != "" {
		t.Errorf("cookie sent although disabled")
	}
}

func TestErrorResponses(t *testing.T) {
	noLeaks(t) // after the server is closed, no session goroutine is left
	_, ts := newTestServer(t, newEchoHandler(), &Options{
		AllowedOrigins: []string{"http://good.example:80"},
		AllowRequest: func(r *http.Request) error {
			if r.URL.Query().Get("deny") != "" {
				return &RequestError{Status: 401, Message: "no token"}
			}
			return nil
		},
	})
	good := "http://good.example"
	cases := []struct {
		name, method, query, origin string
		status                      int
		body                        string
	}{
		{"no transport", "GET", "EIO=3", good, 400, `{"code":0,"message":"Transport unknown"}`},
		{"bad transport", "GET", "EIO=3&transport=flash", good, 400, `{"code":0,"message":"Transport unknown"}`},
		{"unknown sid", "GET", "EIO=3&transport=polling&sid=nope", good, 400, `{"code":1,"message":"Session ID unknown"}`},
		{"POST handshake", "POST", "EIO=3&transport=polling", good, 400, `{"code":2,"message":"Bad handshake method"}`},
		{"OPTIONS handshake", "OPTIONS", "EIO=3&transport=polling", good, 400, `{"code":2,"message":"Bad handshake method"}`},
		{"websocket without upgrade", "GET", "EIO=3&transport=websocket", good, 400, `{"code":3,"message":"Bad request"}`},
		{"origin refused", "GET", "EIO=3&transport=polling", "http://evil.example", 403, `{"code":4,"message":"Forbidden"}`},
		{"AllowRequest refused", "GET", "EIO=3&transport=polling&deny=1", good, 401, `{"code":4,"message":"no token"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, c.method, ts.URL+"/socket.io/?"+c.query, "", "Origin", c.origin)
			if res.status != c.status || res.body != c.body {
				t.Errorf("got %d %s, want %d %s", res.status, res.body, c.status, c.body)
			}
			if res.header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", res.header.Get("Content-Type"))
			}
			if acao := res.header.Get("Access-Control-Allow-Origin"); (c.status != 403) != (acao == c.origin) {
				t.Errorf("Access-Control-Allow-Origin %q on %d", acao, c.status)
			}
		})
	}

	// Websocket refusals are raw text, not JSON: the message is the body,
	// as engine.io's abortConnection writes it (TestWebSocketRefusalsMatchReference).
	wsURL := "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=3&transport=websocket&sid=nope"
	_, res, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err == nil || res == nil || res.StatusCode != 400 {
		t.Fatalf("websocket with unknown sid: err %v, res %v", err, res)
	}
	b, _ := io.ReadAll(res.Body)
	if string(b) != "Session ID unknown" || res.Header.Get("Content-Type") != "text/html" {
		t.Errorf("websocket refusal: %q, %q", res.Header.Get("Content-Type"), b)
	}
}

func TestPollingExchange(t *testing.T) {
	h := newEchoHandler()
	srv, ts := newTestServer(t, h, nil)
	sid, _ := handshake(t, ts.URL, "")
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid

	// A POST answers "ok" as text/html; the echo arrives on the next GET.
	res := do(t, "POST", u, "6:4hello2:4€1:2", "Content-Type", "text/plain;charset=UTF-8")
	if res.status != 200 || res.body != "ok" || res.header.Get("Content-Type") != "text/html" {
		t.Fatalf("POST: %d %q %v", res.status, res.body, res.header)
	}
	if res := do(t, "GET", u, ""); res.body != "6:4hello2:4€1:3" {
		t.Errorf("GET = %q, want echo then pong", res.body)
	}

	// A held GET is released by a later message.
	got := make(chan response, 1)
	go func() { got <- do(t, "GET", u, "") }()
	waitUntilHeld(t, srv, sid)
	select {
	case r := <-got:
		t.Fatalf("GET answered with nothing to send: %q", r.body)
	default:
	}
	do(t, "POST", u, "2:4x")
	if r := <-got; r.body != "2:4x" {
		t.Errorf("held GET = %q", r.body)
	}

	// Binary: an XHR2 POST is echoed in an XHR2 response.
	bin := []byte{0x01, 0x05, 0xff, 0x04, 1, 2, 3, 4}
	do(t, "POST", u, string(bin), "Content-Type", "application/octet-stream")
	res = do(t, "GET", u, "")
	if res.header.Get("Content-Type") != "application/octet-stream" || res.body != string(bin) {
		t.Errorf("binary echo %q %q", res.header.Get("Content-Type"), res.body)
	}

	// The client closes: the session ends with "transport close".
	do(t, "POST", u, "1:1")
	if r := h.waitClosed(t); r != ReasonTransportClose {
		t.Errorf("close reason %q", r)
	}
	if res := do(t, "GET", u, ""); res.status != 400 || !strings.Contains(res.body, `"code":1`) {
		t.Errorf("GET after close: %d %s", res.status, res.body)
	}
}

func TestPollingBase64(t *testing.T) {
	_, ts := newTestServer(t, newEchoHandler(), nil)
	sid, _ := handshake(t, ts.URL, "&b64=1")
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&b64=1&sid=" + sid
	do(t, "POST", u, "10:b4AQIDBA==")
	if res := do(t, "GET", u, ""); res.body != "10:b4AQIDBA==" || res.header.Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Errorf("b64 echo %q", res.body)
	}
}

func TestJSONP(t *testing.T) {
	h := newEchoHandler()
	h.onOpen = func(c *Conn) { c.Send(Message{Data: []byte("0")}) }
	_, ts := newTestServer(t, h, nil)
	res := do(t, "GET", ts.URL+"/socket.io/?EIO=3&transport=polling&j=abc1x2&b64=1", "")
	m := regexp.MustCompile(`^___eio\[12\]\("97:0\{\\"sid\\":\\"([^\\]+)\\",\\"upgrades\\":\[\\"websocket\\"\],\\"pingInterval\\":25000,\\"pingTimeout\\":20000\}2:40"\);$`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("JSONP handshake %q", res.body)
	}
	if res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("JSONP response carries CORS headers")
	}
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&j=0&sid=" + m[1]
	// The captured newline example: the client escapes real newlines as \n
	// and an original backslash-n as \\n; a base64 '+' survives as %2B.
	payload := `45:421["echo",{"text":"line1\nline2 \\n","n":1}]`
	escaped := strings.ReplaceAll(payload, `\n`, "\\\n")
	escaped = strings.ReplaceAll(escaped, "\n", `\n`)
	form := url.Values{"d": {escaped + "14:b4+/+/+/+/+/+A"}}.Encode()
	res = do(t, "POST", u, form, "Content-Type", "application/x-www-form-urlencoded")
	if res.body != "ok" {
		t.Fatalf("JSONP POST %d %q", res.status, res.body)
	}
	res = do(t, "GET", u, "")
	want := "___eio[0](" + mustJSON(payload+"14:b4+/+/+/+/+/+A") + ");"
	if res.body != want {
		t.Errorf("JSONP echo\n got %s\nwant %s", res.body, want)
	}
}

func mustJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

func TestOverlappingGETClosesSession(t *testing.T) {
	noLeaks(t) // after the server is closed, no session goroutine is left
	h := newEchoHandler()
	srv, ts := newTestServer(t, h, nil)
	sid, _ := handshake(t, ts.URL, "")
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
	first := make(chan response, 1)
	go func() { first <- do(t, "GET", u, "") }()
	waitUntilHeld(t, srv, sid)
	if res := do(t, "GET", u, ""); res.status != 500 || res.body != "" {
		t.Errorf("second GET: %d %q, want 500 empty", res.status, res.body)
	}
	if res := <-first; res.body != "1:1" {
		t.Errorf("first GET = %q, want 1:1", res.body)
	}
	if r := h.waitClosed(t); r != ReasonTransportError {
		t.Errorf("reason %q", r)
	}
}

func TestBadPayloadClosesOnlyThatSession(t *testing.T) {
	noLeaks(t) // after the server is closed, no session goroutine is left
	h := newEchoHandler()
	_, ts := newTestServer(t, h, nil)
	bad, _ := handshake(t, ts.URL, "")
	good, _ := handshake(t, ts.URL, "")
	for _, body := range []string{"", "4:4ab", "x:4", "2:9a", "2:4a9"} {
		sid := bad
		res := do(t, "POST", ts.URL+"/socket.io/?EIO=3&transport=polling&sid="+sid, body)
		if res.body != "ok" {
			t.Errorf("POST %q: %d %q, want ok", body, res.status, res.body)
		}
		if r := h.waitClosed(t); r != ReasonParseError {
			t.Errorf("POST %q closed with %q", body, r)
		}
		bad, _ = handshake(t, ts.URL, "")
	}
	// The well-behaved session is untouched.
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + good
	do(t, "POST", u, "3:4ok")
	if res := do(t, "GET", u, ""); res.body != "3:4ok" {
		t.Errorf("other session: %q", res.body)
	}
}

func TestPostOverMaxBufferSize(t *testing.T) {
	noLeaks(t) // after the server is closed, no session goroutine is left
	h := newEchoHandler()
	_, ts := newTestServer(t, h, &Options{MaxBufferSize: 100})
	sid, _ := handshake(t, ts.URL, "")
	body := "201:4" + strings.Repeat("a", 200)
	res := do(t, "POST", ts.URL+"/socket.io/?EIO=3&transport=polling&sid="+sid, body)
	if res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d", res.status)
	}
	if r := h.waitClosed(t); r != ReasonTransportError {
		t.Errorf("reason %q", r)
	}
}

func TestPingTimeout(t *testing.T) {
	noLeaks(t) // after the server is closed, no session goroutine is left
	h := newEchoHandler()
	_, ts := newTestServer(t, h, &Options{PingInterval: 150 * time.Millisecond, PingTimeout: 150 * time.Millisecond})
	sid, _ := handshake(t, ts.URL, "")
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
	// Pings keep the session alive past its timeout (8 × 50 ms > 300 ms),
	// with room for a loaded machine's stalls between them...
	for range 8 {
		time.Sleep(50 * time.Millisecond) // the client's ping period, the duration under test
		do(t, "POST", u, "1:2")
		if res := do(t, "GET", u, ""); res.body != "1:3" {
			t.Fatalf("pong %q", res.body)
		}
	}
	// ...and silence ends it; a held GET gets the close packet.
	if res := do(t, "GET", u, ""); res.body != "1:1" {
		t.Errorf("held GET at ping timeout = %q", res.body)
	}
	if r := h.waitClosed(t); r != ReasonPingTimeout {
		t.Errorf("reason %q", r)
	}
}

func TestServerCloseOverPolling(t *testing.T) {
	h := newEchoHandler()
	_, ts := newTestServer(t, h, nil)
	sid, _ := handshake(t, ts.URL, "")
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
	do(t, "POST", u, "9:4close me")
	if res := do(t, "GET", u, ""); res.body != "1:1" {
		t.Errorf("GET after server close = %q", res.body)
	}
	if r := h.waitClosed(t); r != ReasonForcedClose {
		t.Errorf("reason %q", r)
	}
}

func wsURL(ts *httptest.Server, query string) string {
	return "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=3&transport=websocket" + query
}

func readWS(t *testing.T, ws *websocket.Conn) (int, string) {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	typ, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read websocket: %v", err)
	}
	return typ, string(b)
}

func TestWebSocketOnly(t *testing.T) {
	h := newEchoHandler()
	h.onOpen = func(c *Conn) { c.Send(Message{Data: []byte("0")}) }
	_, ts := newTestServer(t, h, nil)
	ws, res, err := websocket.DefaultDialer.Dial(wsURL(ts, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if !strings.HasPrefix(res.Header.Get("Set-Cookie"), "io=") {
		t.Errorf("no cookie on the websocket handshake")
	}
	if _, open := readWS(t, ws); !regexp.MustCompile(`^0\{"sid":"[\w-]{20}","upgrades":\[\],"pingInterval":25000,"pingTimeout":20000\}$`).MatchString(open) {
		t.Errorf("open %q", open)
	}
	if _, m := readWS(t, ws); m != "40" {
		t.Errorf("initial packet %q", m)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("2"))
	if _, m := readWS(t, ws); m != "3" {
		t.Errorf("pong %q", m)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte{4, 'a', 's', 'd', 'f'})
	if typ, m := readWS(t, ws); typ != websocket.BinaryMessage || m != "\x04asdf" {
		t.Errorf("binary echo %d %q", typ, m)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("4close me"))
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := ws.ReadMessage(); err == nil {
		t.Errorf("server close sent a frame instead of closing")
	}
	if r := h.waitClosed(t); r != ReasonForcedClose {
		t.Errorf("reason %q", r)
	}
}

func TestWebSocketParseErrorAndFrameLimit(t *testing.T) {
	noLeaks(t) // after the server is closed, no session goroutine is left
	h := newEchoHandler()
	_, ts := newTestServer(t, h, &Options{MaxBufferSize: 64})
	for _, c := range []struct {
		frame  []byte
		reason string
	}{
		{[]byte("9x"), ReasonParseError},
		{[]byte{}, ReasonParseError},
		{bytes.Repeat([]byte("4"), 100), ReasonTransportError},
	} {
		ws, _, err := websocket.DefaultDialer.Dial(wsURL(ts, ""), nil)
		if err != nil {
			t.Fatal(err)
		}
		readWS(t, ws)
		ws.WriteMessage(websocket.TextMessage, c.frame)
		if r := h.waitClosed(t); r != c.reason {
			t.Errorf("frame %q: reason %q, want %q", c.frame, r, c.reason)
		}
		ws.Close()
	}
}

// TestUpgradeKeepsOrder performs the polling -> websocket upgrade by hand
// while the server sends a numbered stream, and checks that every message
// arrives once, in order, across the two transports.
func TestUpgradeKeepsOrder(t *testing.T) {
	h := newEchoHandler()
	var conn *Conn
	opened := make(chan struct{})
	h.onOpen = func(c *Conn) { conn = c; close(opened) }
	_, ts := newTestServer(t, h, nil)
	sid, _ := handshake(t, ts.URL, "")
	<-opened
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid

	const n = 1000
	stop := make(chan struct{})
	sent := make(chan int, 1)
	go func() {
		i := 0
		defer func() { sent <- i }()
		for ; i < n; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if conn.Send(Message{Data: []byte(itoa(i))}) != nil {
				return
			}
			if i%50 == 0 {
				time.Sleep(time.Millisecond) // a sender's pace, so that sends overlap the upgrade
			}
		}
	}()

	var got []string
	collect := func(payload string) {
		for len(payload) > 0 {
			colon := strings.IndexByte(payload, ':')
			l := atoi(payload[:colon])
			pkt := payload[colon+1 : colon+1+l]
			payload = payload[colon+1+l:]
			if pkt[0] == '4' {
				got = append(got, pkt[1:])
			}
		}
	}
	collect(do(t, "GET", u, "").body)

	// Start polling in the background as a client would; open the probe.
	polled := make(chan string, 1)
	go func() { polled <- do(t, "GET", u, "").body }()
	ws, _, err := websocket.DefaultDialer.Dial(wsURL(ts, "&sid="+sid), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
	if _, m := readWS(t, ws); m != "3probe" {
		t.Fatalf("probe answer %q", m)
	}
	// The held GET returns (with data or a noop); the client pauses polling.
	for {
		body := <-polled
		collect(body)
		if strings.HasSuffix(body, "1:6") {
			break
		}
		go func() { polled <- do(t, "GET", u, "").body }()
	}
	ws.WriteMessage(websocket.TextMessage, []byte("5"))
	testutil.Eventually(t, 5*time.Second, "the upgrade", func() bool { return conn.Transport() == WebSocket })
	if res := do(t, "GET", u, ""); res.status != 400 || !strings.Contains(res.body, `"code":3`) {
		t.Errorf("polling after upgrade: %d %s", res.status, res.body)
	}
	total := <-sent
	for len(got) < total {
		_, m := readWS(t, ws)
		if m[0] == '4' {
			got = append(got, m[1:])
		}
	}
	close(stop)
	if total != n {
		t.Fatalf("sent %d of %d", total, n)
	}
	for i, m := range got {
		if m != itoa(i) {
			t.Fatalf("message %d is %q", i, m)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestBackToBackPolls: a client sends its next GET the moment a response
// arrives, as every engine.io client does. That GET must never count as an
// overlapping one (500 and the session closed), however soon it comes after
// the response's last byte.
func TestBackToBackPolls(t *testing.T) {
	h := newEchoHandler()
	opened := make(chan *Conn, 1)
	h.onOpen = func(c *Conn) { opened <- c }
	_, ts := newTestServer(t, h, nil)
	sid, _ := handshake(t, ts.URL, "")
	c := <-opened
	go func() {
		for i := 0; ; i++ {
			if c.Send(Message{Data: []byte(strconv.Itoa(i))}) != nil {
				return
			}
			time.Sleep(100 * time.Microsecond) // a sender's pace, not an ordering
		}
	}()
	defer c.Close()
	for i := range 300 {
		res := do(t, "GET", ts.URL+"/socket.io/?EIO=3&transport=polling&sid="+sid, "")
		if res.status != 200 {
			t.Fatalf("poll %d: %d %q: a GET sent right after the previous response was taken for an overlapping one", i, res.status, res.body)
		}
	}
}
