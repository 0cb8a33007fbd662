package engineio

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/siogen/siogen/internal/testutil"
)

// The tests of this file pin what differs in Engine.IO v4 sessions (EIO=4),
// served beside v3 ones by the same server, as engine.io 6.x does with
// allowEIO3. The v3 behaviour is pinned by the rest of the package's tests.

var openV4RE = regexp.MustCompile(`^0\{"sid":"([A-Za-z0-9_-]{20})","upgrades":\[(.*?)\],"pingInterval":(\d+),"pingTimeout":(\d+),"maxPayload":(\d+)\}$`)

// handshakeV4 opens a v4 polling session and returns its sid and the packets
// that followed the open packet in the same payload, \x1e-separated.
func handshakeV4(t *testing.T, base string) (sid, rest string) {
	t.Helper()
	res := do(t, "GET", base+"/socket.io/?EIO=4&transport=polling&t=x1", "")
	if res.status != 200 {
		t.Fatalf("handshake: %d %s", res.status, res.body)
	}
	open, rest, _ := strings.Cut(res.body, "\x1e")
	m := openV4RE.FindStringSubmatch(open)
	if m == nil {
		t.Fatalf("v4 handshake body %q", res.body)
	}
	return m[1], rest
}

func TestProtocolChosenPerSession(t *testing.T) {
	h := newEchoHandler()
	h.onOpen = func(c *Conn) { c.Send(Message{Data: []byte("v" + itoa(c.Protocol()))}) }
	_, ts := newTestServer(t, h, nil)

	for _, q := range []string{"", "EIO=3&"} {
		res := do(t, "GET", ts.URL+"/socket.io/?"+q+"transport=polling", "")
		if m := openRE.FindStringSubmatch(res.body); m == nil || m[6] != "3:4v3" {
			t.Errorf("%q: v3 handshake %q", q, res.body)
		}
	}
	res := do(t, "GET", ts.URL+"/socket.io/?EIO=4&transport=polling", "")
	open, rest, _ := strings.Cut(res.body, "\x1e")
	m := openV4RE.FindStringSubmatch(open)
	if m == nil || m[2] != `"websocket"` || m[3] != "25000" || m[4] != "20000" || m[5] != "1000000" || rest != "4v4" {
		t.Errorf("v4 handshake %q", res.body)
	}

	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, open := readWS(t, ws); !openV4RE.MatchString(open) || !strings.Contains(open, `"upgrades":[]`) {
		t.Errorf("v4 websocket open %q", open)
	}
	if _, m := readWS(t, ws); m != "4v4" {
		t.Errorf("v4 websocket first message %q", m)
	}
}

func TestUnsupportedProtocol(t *testing.T) {
	_, all := newTestServer(t, newEchoHandler(), nil)
	_, v4only := newTestServer(t, newEchoHandler(), &Options{Protocols: []int{4}})
	_, v3only := newTestServer(t, newEchoHandler(), &Options{Protocols: []int{3}})
	const body = `{"code":5,"message":"Unsupported protocol version"}`
	for _, c := range []struct {
		name, base, query string
	}{
		{"EIO=5", all.URL, "EIO=5"},
		{"EIO=abc", all.URL, "EIO=abc"},
		{"EIO=2", all.URL, "EIO=2"},
		{"v3 on a v4-only server", v4only.URL, "EIO=3"},
		{"no EIO on a v4-only server", v4only.URL, ""},
		{"v4 on a v3-only server", v3only.URL, "EIO=4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, "GET", c.base+"/socket.io/?"+c.query+"&transport=polling", "")
			if res.status != 400 || res.body != body || res.header.Get("Content-Type") != "application/json" {
				t.Errorf("polling: %d %q %q", res.status, res.header.Get("Content-Type"), res.body)
			}
			_, wres, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(c.base, "http")+"/socket.io/?"+c.query+"&transport=websocket", nil)
			if err == nil || wres == nil || wres.StatusCode != 400 {
				t.Fatalf("websocket: err %v, res %v", err, wres)
			}
		})
	}
	if sid, _ := handshakeV4(t, v4only.URL); sid == "" {
		t.Error("v4-only server refused v4")
	}
	if sid, _ := handshake(t, v3only.URL, ""); sid == "" {
		t.Error("v3-only server refused v3")
	}
}

// TestProtocolMismatch: a request of a session must speak its revision
// (engine.io 6.x: 400 code 3); the session goes on.
func TestProtocolMismatch(t *testing.T) {
	_, ts := newTestServer(t, newEchoHandler(), nil)
	sid4, _ := handshakeV4(t, ts.URL)
	sid3, _ := handshake(t, ts.URL, "")
	for _, u := range []string{
		ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid4,
		ts.URL + "/socket.io/?transport=polling&sid=" + sid4,
		ts.URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid3,
	} {
		if res := do(t, "POST", u, "4x"); res.status != 400 || res.body != `{"code":3,"message":"Bad request"}` {
			t.Errorf("%s: %d %q", u, res.status, res.body)
		}
	}
	u := ts.URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid4
	do(t, "POST", u, "4still here")
	if res := do(t, "GET", u, ""); res.body != "4still here" {
		t.Errorf("session after the mismatch: %q", res.body)
	}
}

// TestPollingV4: payloads are \x1e-separated, binary is "b" + base64 both
// ways whatever b64 says, and there is no XHR2 payload: a binary POST
// closes the session with 400, as engine.io 6.x answers.
func TestPollingV4(t *testing.T) {
	h := newEchoHandler()
	_, ts := newTestServer(t, h, nil)
	sid, rest := handshakeV4(t, ts.URL)
	if rest != "" {
		t.Errorf("handshake carried %q after the open packet", rest)
	}
	u := ts.URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid
	res := do(t, "POST", u, "4hello\x1ebAQIDBA==\x1e4€😀", "Content-Type", "text/plain;charset=UTF-8")
	if res.status != 200 || res.body != "ok" {
		t.Fatalf("POST: %d %q", res.status, res.body)
	}
	res = do(t, "GET", u, "")
	if res.body != "4hello\x1ebAQIDBA==\x1e4€😀" || res.header.Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Errorf("echo %q %q", res.header.Get("Content-Type"), res.body)
	}

	// A JSONP poll wraps the same payload.
	do(t, "POST", u, "bAQI=")
	if res := do(t, "GET", u+"&j=3", ""); res.body != `___eio[3]("bAQI=");` {
		t.Errorf("JSONP poll %q", res.body)
	}

	res = do(t, "POST", u, "\x01\x05\xff\x04\x01\x02\x03\x04", "Content-Type", "application/octet-stream")
	if res.status != 400 || res.body != "" {
		t.Errorf("binary POST: %d %q, want 400 empty", res.status, res.body)
	}
	if r := h.waitClosed(t); r != ReasonTransportError {
		t.Errorf("close reason %q", r)
	}
}

func TestOverlappingRequestsV4(t *testing.T) {
	h := newEchoHandler()
	srv, ts := newTestServer(t, h, nil)
	sid, _ := handshakeV4(t, ts.URL)
	u := ts.URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid
	first := make(chan response, 1)
	go func() { first <- do(t, "GET", u, "") }()
	waitFor(t, func() bool {
		c := srv.Conn(sid)
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.getActive
	})
	if res := do(t, "GET", u, ""); res.status != 400 || res.body != "" {
		t.Errorf("second GET: %d %q, want 400 empty", res.status, res.body)
	}
	if res := <-first; res.body != "1" {
		t.Errorf("first GET = %q, want 1", res.body)
	}
	if r := h.waitClosed(t); r != ReasonTransportError {
		t.Errorf("reason %q", r)
	}
}

// TestWebSocketV4: binary frames carry the data alone, without the v3 type
// byte; b64 turns them into "b" + base64 text frames.
func TestWebSocketV4(t *testing.T) {
	_, ts := newTestServer(t, newEchoHandler(), nil)
	base := "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=4&transport=websocket"
	ws, _, err := websocket.DefaultDialer.Dial(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	readWS(t, ws) // open
	ws.WriteMessage(websocket.BinaryMessage, []byte{4, 1, 2})
	if typ, m := readWS(t, ws); typ != websocket.BinaryMessage || m != "\x04\x01\x02" {
		t.Errorf("binary echo %d %q", typ, m)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("bAQI="))
	if typ, m := readWS(t, ws); typ != websocket.BinaryMessage || m != "\x01\x02" {
		t.Errorf("base64 message echo %d %q", typ, m)
	}

	b64, _, err := websocket.DefaultDialer.Dial(base+"&b64=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b64.Close()
	readWS(t, b64)
	b64.WriteMessage(websocket.BinaryMessage, []byte{1, 2})
	if typ, m := readWS(t, b64); typ != websocket.TextMessage || m != "bAQI=" {
		t.Errorf("b64 echo %d %q", typ, m)
	}
}

// TestUpgradeV4: the upgrade is v3's, with v4 packets.
func TestUpgradeV4(t *testing.T) {
	h := newEchoHandler()
	_, ts := newTestServer(t, h, nil)
	sid, _ := handshakeV4(t, ts.URL)
	u := ts.URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid
	held := make(chan response, 1)
	go func() { held <- do(t, "GET", u, "") }()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/socket.io/?EIO=4&transport=websocket&sid="+sid, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
	if _, m := readWS(t, ws); m != "3probe" {
		t.Fatalf("probe answer %q", m)
	}
	if res := <-held; res.body != "6" {
		t.Errorf("held GET = %q, want 6", res.body)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("5"))
	ws.WriteMessage(websocket.BinaryMessage, []byte{9})
	if typ, m := readWS(t, ws); typ != websocket.BinaryMessage || m != "\x09" {
		t.Errorf("echo after the upgrade %d %q", typ, m)
	}
	if res := do(t, "GET", u, ""); res.status != 400 {
		t.Errorf("poll after the upgrade: %d %q", res.status, res.body)
	}
}

// TestHeartbeatV4: the server pings every PingInterval and closes a session
// that does not answer within PingTimeout; a pong keeps it, a ping from the
// client is an error. v3 sessions of the same server are not pinged.
func TestHeartbeatV4(t *testing.T) {
	h := newEchoHandler()
	_, ts := newTestServer(t, h, &Options{PingInterval: 100 * time.Millisecond, PingTimeout: 300 * time.Millisecond})
	base := "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?transport=websocket"

	t.Run("pong keeps the session", func(t *testing.T) {
		ws, _, err := websocket.DefaultDialer.Dial(base+"&EIO=4", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		readWS(t, ws) // open
		for i := 0; i < 3; i++ {
			if _, m := readWS(t, ws); m != "2" {
				t.Fatalf("ping %d: %q", i, m)
			}
			ws.WriteMessage(websocket.TextMessage, []byte("3"))
		}
		ws.WriteMessage(websocket.TextMessage, []byte("4alive"))
		for {
			_, m := readWS(t, ws)
			if m == "4alive" {
				break
			}
			if m != "2" {
				t.Fatalf("got %q", m)
			}
			ws.WriteMessage(websocket.TextMessage, []byte("3"))
		}
		ws.Close()
		if r := h.waitClosed(t); r != ReasonTransportClose {
			t.Errorf("reason %q", r)
		}
	})

	t.Run("no pong", func(t *testing.T) {
		ws, _, err := websocket.DefaultDialer.Dial(base+"&EIO=4", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		readWS(t, ws)
		start := time.Now()
		if _, m := readWS(t, ws); m != "2" {
			t.Fatalf("ping %q", m)
		}
		if r := h.waitClosed(t); r != ReasonPingTimeout {
			t.Errorf("reason %q", r)
		}
		if d := time.Since(start); d < 250*time.Millisecond {
			t.Errorf("closed %v after the ping, before PingTimeout", d)
		}
	})

	t.Run("ping from the client", func(t *testing.T) {
		ws, _, err := websocket.DefaultDialer.Dial(base+"&EIO=4", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		readWS(t, ws)
		ws.WriteMessage(websocket.TextMessage, []byte("2"))
		if r := h.waitClosed(t); r != ReasonTransportError {
			t.Errorf("reason %q", r)
		}
	})

	t.Run("v3 is not pinged", func(t *testing.T) {
		ws, _, err := websocket.DefaultDialer.Dial(base+"&EIO=3", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		readWS(t, ws)
		// Within PingInterval+PingTimeout (400ms) the v3 client pings twice;
		// the server only answers.
		for i := 0; i < 3; i++ {
			ws.WriteMessage(websocket.TextMessage, []byte("2"))
			if _, m := readWS(t, ws); m != "3" {
				t.Fatalf("v3 session got %q, want the pong", m)
			}
			time.Sleep(150 * time.Millisecond) // the client's ping period, not an ordering
		}
	})
}

// waitFor polls cond until it holds, for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, 5*time.Second, "the condition", cond)
}

// TestOrderlyCloseV4: over polling, v4's orderly close goes out in a poll
// of its own after what was queued before it (socket.io-client 4.x would
// let it overtake them); v3 batches them, as engine.io 3.6.2 does.
func TestOrderlyCloseV4(t *testing.T) {
	h := newEchoHandler()
	_, ts := newTestServer(t, h, nil)
	sid, _ := handshakeV4(t, ts.URL)
	u := ts.URL + "/socket.io/?EIO=4&transport=polling&sid=" + sid
	do(t, "POST", u, "4bye\x1e4close me")
	if res := do(t, "GET", u, ""); res.body != "4bye" {
		t.Errorf("first poll %q, want the message alone", res.body)
	}
	if res := do(t, "GET", u, ""); res.body != "1" {
		t.Errorf("second poll %q, want the close packet", res.body)
	}
	if r := h.waitClosed(t); r != ReasonForcedClose {
		t.Errorf("reason %q", r)
	}

	sid3, _ := handshake(t, ts.URL, "")
	u3 := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid3
	do(t, "POST", u3, "4:4bye9:4close me")
	if res := do(t, "GET", u3, ""); res.body != "4:4bye1:1" {
		t.Errorf("v3 poll %q, want the message and the close packet", res.body)
	}
	h.waitClosed(t)
}

// TestUnsupportedProtocolMatchesReference: a handshake asking for a protocol
// revision the server does not serve gets engine.io 6.x's answer, checked
// against engine.io 6.6 itself (interop/eio-server.js with ENGINE=6 and
// ALLOW_EIO3=0) for a v3 handshake to a v4-only server. (engine.io 6 takes
// any EIO but "4" for v3; this server refuses any but 3 and 4 the same way.)
func TestUnsupportedProtocolMatchesReference(t *testing.T) {
	cases := []rawCase{
		{name: "polling", method: "GET", query: "EIO=3&transport=polling",
			status: "HTTP/1.1 400 Bad Request", want: map[string]string{"Content-Type": "application/json"},
			body: `{"code":5,"message":"Unsupported protocol version"}`},
	}
	// A websocket handshake is refused as every websocket refusal here:
	// raw 400 and the message (TestUnsupportedProtocol). engine.io 6.6
	// accepts the upgrade first (101) and then writes its raw 400 onto the
	// websocket as data, which no client can read as a refusal: a quirk
	// not copied.
	// Without the live sessions runRawCases opens: engine.io 6 with
	// allowEIO3 answers v3 handshakes with a maxPayload engine.io 3.6.2
	// never sent, which its pattern refuses.
	run := func(t *testing.T, addr string) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, header, body := rawExchange(t, addr, c.method+" /socket.io/?"+c.query+" HTTP/1.1\r\nHost: "+addr+"\r\n"+c.header)
				if status != c.status || body != c.body {
					t.Errorf("%q %q, want %q %q", status, body, c.status, c.body)
				}
				for k, v := range c.want {
					if got := header.Get(k); got != v {
						t.Errorf("%s: %q, want %q", k, got, v)
					}
				}
			})
		}
	}
	t.Run("go", func(t *testing.T) {
		_, ts := newTestServer(t, newEchoHandler(), &Options{Protocols: []int{4}})
		run(t, ts.Listener.Addr().String())
	})
	t.Run("engine.io 6", func(t *testing.T) {
		node := clientStartNode(t, "ENGINE=6", "ALLOW_EIO3=0")
		u, err := url.Parse(node.url)
		if err != nil {
			t.Fatal(err)
		}
		run(t, u.Host)
	})
}
