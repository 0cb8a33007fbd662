package engineio

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// rawCase is one request written byte for byte to a server and the answer
// engine.io 3.6.2 gives to it, read off its source (lib/server.js
// sendErrorMessage and abortConnection, transports/polling-xhr.js, ws 7.x's
// abortHandshake).
type rawCase struct {
	name   string
	method string
	query  string // PSID and WSID stand for a live polling and websocket session
	header string // extra request header lines, each ending in \r\n
	status string // the status line, exactly
	want   map[string]string
	body   string
}

// wsHeaders make a request a valid websocket handshake, as far as headers go.
const wsHeaders = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"

// rawRefusal is the header set of engine.io's abortConnection and ws's
// abortHandshake.
func rawRefusal(n string) map[string]string {
	return map[string]string{"Connection": "close", "Content-Type": "text/html", "Content-Length": n}
}

// corsOrigin is what engine.io 3.6.2 adds for a request with Origin
// http://app.example.
var corsOrigin = map[string]string{
	"Access-Control-Allow-Origin":      "http://app.example",
	"Access-Control-Allow-Credentials": "true",
	"Access-Control-Allow-Headers":     "",
}

// TestWebSocketRefusalsMatchReference: a refused websocket upgrade gets
// engine.io 3.6.2's raw answer: status line, headers and the error message as
// the body; a handshake the ws library rejects gets ws's; an upgrade for the
// polling transport is accepted and closed at once.
func TestWebSocketRefusalsMatchReference(t *testing.T) {
	cases := []rawCase{
		{name: "unknown sid", method: "GET", query: "EIO=3&transport=websocket&sid=nope", header: wsHeaders,
			status: "HTTP/1.1 400 Bad Request", want: rawRefusal("18"), body: "Session ID unknown"},
		{name: "unknown transport", method: "GET", query: "EIO=3&transport=flash", header: wsHeaders,
			status: "HTTP/1.1 400 Bad Request", want: rawRefusal("17"), body: "Transport unknown"},
		{name: "no transport", method: "GET", query: "EIO=3", header: wsHeaders,
			status: "HTTP/1.1 400 Bad Request", want: rawRefusal("17"), body: "Transport unknown"},
		{name: "unknown sid on polling", method: "GET", query: "EIO=3&transport=polling&sid=nope", header: wsHeaders,
			status: "HTTP/1.1 400 Bad Request", want: rawRefusal("18"), body: "Session ID unknown"},
		{name: "POST handshake", method: "POST", query: "EIO=3&transport=websocket", header: wsHeaders + "Content-Length: 0\r\n",
			status: "HTTP/1.1 400 Bad Request", want: rawRefusal("20"), body: "Bad handshake method"},
		{name: "no key", method: "GET", query: "EIO=3&transport=websocket",
			header: "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n",
			status: "HTTP/1.1 400 Bad Request", want: rawRefusal("11"), body: "Bad Request"},
		{name: "bad version", method: "GET", query: "EIO=3&transport=websocket",
			header: "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 12\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
			status: "HTTP/1.1 400 Bad Request", want: rawRefusal("11"), body: "Bad Request"},
		// Polling does not take websockets: accepted, then closed with
		// an empty close frame (body: the frame's bytes).
		{name: "polling handshake as websocket", method: "GET", query: "EIO=3&transport=polling", header: wsHeaders,
			status: "HTTP/1.1 101 Switching Protocols", want: map[string]string{"Upgrade": "websocket", "Set-Cookie": ""}, body: "\x88\x00"},
		{name: "polling sid as websocket", method: "GET", query: "EIO=3&transport=polling&sid=PSID", header: wsHeaders,
			status: "HTTP/1.1 101 Switching Protocols", want: map[string]string{"Upgrade": "websocket"}, body: "\x88\x00"},
	}
	checkReference(t, cases)
}

// TestCORSPreflight: an OPTIONS request gets engine.io 3.6.2's answer. On a
// polling session: 200 with the request's origin, credentials and
// Access-Control-Allow-Headers: Content-Type (whatever headers were asked
// for); without sid it is a handshake that is not a GET: 400 code 2, with
// CORS headers so that the page can read it.
func TestCORSPreflight(t *testing.T) {
	const preflight = "Origin: http://app.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type, x-token\r\n"
	cases := []rawCase{
		{name: "on a session", method: "OPTIONS", query: "EIO=3&transport=polling&sid=PSID", header: preflight,
			status: "HTTP/1.1 200 OK", want: map[string]string{
				"Access-Control-Allow-Origin":      "http://app.example",
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Headers":     "Content-Type",
				"Content-Type":                     "",
			}},
		{name: "on a session without Origin", method: "OPTIONS", query: "EIO=3&transport=polling&sid=PSID",
			header: "Access-Control-Request-Headers: content-type\r\n",
			status: "HTTP/1.1 200 OK", want: map[string]string{
				"Access-Control-Allow-Origin":      "*",
				"Access-Control-Allow-Credentials": "",
				"Access-Control-Allow-Headers":     "Content-Type",
			}},
		{name: "without sid", method: "OPTIONS", query: "EIO=3&transport=polling", header: preflight,
			status: "HTTP/1.1 400 Bad Request", want: withJSON(corsOrigin), body: `{"code":2,"message":"Bad handshake method"}`},
		{name: "unknown sid", method: "OPTIONS", query: "EIO=3&transport=polling&sid=nope", header: preflight,
			status: "HTTP/1.1 400 Bad Request", want: withJSON(corsOrigin), body: `{"code":1,"message":"Session ID unknown"}`},
		{name: "websocket sid", method: "OPTIONS", query: "EIO=3&transport=polling&sid=WSID", header: preflight,
			status: "HTTP/1.1 400 Bad Request", want: withJSON(corsOrigin), body: `{"code":3,"message":"Bad request"}`},
		{name: "websocket without upgrade", method: "GET", query: "EIO=3&transport=websocket", header: preflight,
			status: "HTTP/1.1 400 Bad Request", want: withJSON(corsOrigin), body: `{"code":3,"message":"Bad request"}`},
	}
	checkReference(t, cases)
}

func withJSON(h map[string]string) map[string]string {
	m := map[string]string{"Content-Type": "application/json"}
	for k, v := range h {
		m[k] = v
	}
	return m
}

// checkReference runs the cases against the Go server and, with node
// available, against engine.io 3.6.2 itself (interop/eio-server.js), so that
// the literal answers above are the reference's.
func checkReference(t *testing.T, cases []rawCase) {
	t.Run("go", func(t *testing.T) {
		_, ts := newTestServer(t, newEchoHandler(), nil)
		runRawCases(t, ts.Listener.Addr().String(), cases)
	})
	t.Run("engine.io", func(t *testing.T) {
		node := clientStartNode(t)
		u, err := url.Parse(node.url)
		if err != nil {
			t.Fatal(err)
		}
		runRawCases(t, u.Host, cases)
	})
}

func runRawCases(t *testing.T, addr string, cases []rawCase) {
	res, err := http.Get("http://" + addr + "/socket.io/?EIO=3&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := openRE.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("polling handshake: %q", b)
	}
	psid := m[2]
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/socket.io/?EIO=3&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, open := readWS(t, ws)
	m = openRE.FindStringSubmatch("97:" + open)
	if m == nil {
		t.Fatalf("websocket handshake: %q", open)
	}
	wsid := m[2]

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			query := strings.NewReplacer("PSID", psid, "WSID", wsid).Replace(c.query)
			status, header, body := rawExchange(t, addr, c.method+" /socket.io/?"+query+" HTTP/1.1\r\nHost: "+addr+"\r\n"+c.header)
			if status != c.status {
				t.Errorf("status line %q, want %q", status, c.status)
			}
			for k, v := range c.want {
				if got := header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if body != c.body {
				t.Errorf("body %q, want %q", body, c.body)
			}
		})
	}
}

// rawExchange writes req (the request line and headers, without the blank
// line) on a new connection and returns the answer's status line, headers
// and body. After a 101 the body is the first two bytes of websocket data.
func rawExchange(t *testing.T, addr, req string) (status string, header http.Header, body string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if !strings.Contains(req, "Upgrade: websocket") {
		req += "Connection: close\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("read status line: %v", err)
	}
	mh, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		t.Fatalf("read headers: %v", err)
	}
	header = http.Header(mh)
	var b []byte
	switch {
	case strings.Contains(line, " 101 "):
		// Frames follow, and the reference then waits for our close.
		b = make([]byte, 2)
		n, _ := io.ReadFull(br, b)
		b = b[:n]
	case header.Get("Content-Length") != "":
		n, _ := strconv.Atoi(header.Get("Content-Length"))
		b = make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			t.Fatalf("read body: %v", err)
		}
	case header.Get("Transfer-Encoding") == "chunked":
		b, err = io.ReadAll(httputil.NewChunkedReader(br))
	default:
		b, err = io.ReadAll(br)
	}
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return strings.TrimRight(line, "\r\n"), header, string(b)
}
