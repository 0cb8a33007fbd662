package engineio

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestDefaults pins what zero Options select: socket.io 2.5.1's defaults,
// each read off the reference's source, and this server's own bounds.
func TestDefaults(t *testing.T) {
	for _, opts := range []*Options{nil, {}} {
		o := opts.withDefaults()
		for _, c := range []struct {
			field, source string
			got, want     any
		}{
			{"Path", "socket.io lib/index.js: path || '/socket.io'", o.Path, "/socket.io/"},
			{"PingInterval", "engine.io lib/server.js: pingInterval || 25000", o.PingInterval, 25 * time.Second},
			{"PingTimeout", "engine.io lib/server.js: pingTimeout || 20000", o.PingTimeout, 20 * time.Second},
			{"UpgradeTimeout", "engine.io lib/server.js: upgradeTimeout || 10000", o.UpgradeTimeout, 10 * time.Second},
			{"CloseTimeout", "engine.io lib/transports/polling.js: closeTimeout = 30 * 1000", o.CloseTimeout, 30 * time.Second},
			{"MaxBufferSize", "engine.io lib/server.js: maxHttpBufferSize || 1e6", o.MaxBufferSize, int64(1e6)},
			{"Transports", "engine.io lib/server.js: Object.keys(transports)", o.Transports, []string{Polling, WebSocket}},
			{"DisableUpgrades", "engine.io lib/server.js: allowUpgrades defaults to true", o.DisableUpgrades, false},
			{"CookieName", "engine.io lib/server.js: cookie || 'io'", o.CookieName, "io"},
			{"DisableCookie", "engine.io lib/server.js: cookie unless false", o.DisableCookie, false},
			{"AllowedOrigins", "socket.io lib/index.js: origins || '*:*'", o.AllowedOrigins, []string(nil)},
			{"CompressionThreshold", "engine.io lib/server.js: httpCompression.threshold = 1024", o.CompressionThreshold, 1024},
			{"DisableCompression", "engine.io lib/server.js: httpCompression unless false", o.DisableCompression, false},
			// This server's own bounds (docs/limits.md).
			{"SendQueueSize", "docs/limits.md", o.SendQueueSize, 4096},
			{"WriteTimeout", "docs/limits.md", o.WriteTimeout, 10 * time.Second},
			{"MinWriteInterval", "options.go: 0 writes at once, as socket.io does", o.MinWriteInterval, time.Duration(0)},
		} {
			if !equalAny(c.got, c.want) {
				t.Errorf("%s = %v, want %v (%s)", c.field, c.got, c.want, c.source)
			}
		}
		if o.Logger == nil {
			t.Error("Logger is nil, want slog.Default()")
		}
	}
}

func equalAny(a, b any) bool {
	if as, ok := a.([]string); ok {
		bs, ok := b.([]string)
		return ok && (as == nil) == (bs == nil) && slices.Equal(as, bs)
	}
	return a == b
}

// TestDefaultsOnTheWire: a server with zero Options announces the default
// heartbeat in its open packets on both transports, answers at /socket.io/
// only, sets engine.io's cookie, accepts a POST of exactly 1e6 bytes and
// compresses polling responses from 1024 bytes.
func TestDefaultsOnTheWire(t *testing.T) {
	noLeaks(t)
	_, ts := newTestServer(t, newEchoHandler(), &Options{})

	res := do(t, "GET", ts.URL+"/socket.io/?EIO=3&transport=polling", "")
	m := openRE.FindStringSubmatch(res.body)
	if m == nil || m[3] != `"websocket"` || m[4] != "25000" || m[5] != "20000" {
		t.Fatalf("polling open %q, want upgrades [websocket], 25000, 20000", res.body)
	}
	sid := m[2]
	if got, want := res.header.Get("Set-Cookie"), "io="+sid+"; Path=/; HttpOnly; SameSite=Strict"; got != want {
		t.Errorf("Set-Cookie %q, want %q", got, want)
	}

	ws, _, err := websocket.DefaultDialer.Dial(wsURL(ts, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, open := readWS(t, ws)
	ws.Close()
	if m := openRE.FindStringSubmatch("97:" + open); m == nil || m[3] != "" || m[4] != "25000" || m[5] != "20000" {
		t.Errorf("websocket open %q, want upgrades [], 25000, 20000", open)
	}

	if res := do(t, "GET", ts.URL+"/engine.io/?EIO=3&transport=polling", ""); res.status != http.StatusNotFound {
		t.Errorf("GET /engine.io/: %d, want 404", res.status)
	}

	// Payloads of n bytes in all: "len:4" and the message.
	payload := func(n int) string {
		for l := 1; ; l++ {
			head := strconv.Itoa(l) + ":4"
			if len(head)+l-1 == n {
				return head + strings.Repeat("x", l-1)
			}
		}
	}
	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
	if res := do(t, "POST", u, payload(1e6)); res.status != 200 || res.body != "ok" {
		t.Fatalf("POST of 1e6 bytes: %d %q", res.status, res.body)
	}
	if res := do(t, "GET", u, ""); len(res.body) != 1e6 {
		t.Fatalf("echo of %d bytes", len(res.body))
	}
	for _, c := range []struct {
		size int
		enc  string
	}{{1023, ""}, {1024, "gzip"}} {
		do(t, "POST", u, payload(c.size))
		tr := &http.Transport{DisableCompression: true}
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		tr.CloseIdleConnections()
		if got := res.Header.Get("Content-Encoding"); got != c.enc {
			t.Errorf("response of %d bytes: Content-Encoding %q, want %q", c.size, got, c.enc)
		}
	}

	bad, _ := handshake(t, ts.URL, "")
	if res := do(t, "POST", ts.URL+"/socket.io/?EIO=3&transport=polling&sid="+bad, payload(1e6+1)); res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("POST of 1e6+1 bytes: %d, want 413", res.status)
	}
}
