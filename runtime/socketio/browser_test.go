package socketio

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/runtime/engineio"
)

// TestServeBrowserClient checks that the runtime serves its own browser
// client at <path>socket.io.js, revalidated by ETag, and not when disabled.
func TestServeBrowserClient(t *testing.T) {
	get := func(h http.Handler, path, etag string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		if etag != "" {
			r.Header.Set("If-None-Match", etag)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	srv := NewServer(nil)
	defer srv.Shutdown(t.Context())
	w := get(srv, "/socket.io/socket.io.js", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /socket.io/socket.io.js: %d %s", w.Code, w.Body)
	}
	if !strings.Contains(w.Body.String(), "siogen browser client") || w.Body.Len() != len(browserClient) {
		t.Fatalf("GET /socket.io/socket.io.js is not the embedded client (%d bytes)", w.Body.Len())
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/javascript") {
		t.Errorf("Content-Type %q", ct)
	}
	etag := w.Header().Get("ETag")
	if etag == "" || etag[0] != '"' {
		t.Fatalf("ETag %q", etag)
	}
	if w := get(srv, "/socket.io/socket.io.js", etag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match: %s: %d with %d bytes, want 304 and no body", etag, w.Code, w.Body.Len())
	}
	if w := get(srv, "/socket.io/socket.io.js", `"stale"`); w.Code != http.StatusOK || w.Body.Len() != len(browserClient) {
		t.Errorf(`If-None-Match: "stale": %d with %d bytes, want 200 and the client`, w.Code, w.Body.Len())
	}

	custom := NewServer(&Options{Engine: engineio.Options{Path: "/rt/"}})
	defer custom.Shutdown(t.Context())
	if w := get(custom, "/rt/socket.io.js", ""); w.Code != http.StatusOK || w.Body.Len() != len(browserClient) {
		t.Errorf("GET /rt/socket.io.js with Engine.Path /rt/: %d with %d bytes", w.Code, w.Body.Len())
	}

	off := NewServer(&Options{DisableServeClient: true})
	defer off.Shutdown(t.Context())
	if w := get(off, "/socket.io/socket.io.js", ""); w.Code == http.StatusOK && strings.Contains(w.Body.String(), "siogen browser client") {
		t.Error("DisableServeClient still serves the client")
	}
}

// connKey carries the request's net.Conn in its context (for /drop).
type connKey struct{}

// TestBrowserClient runs interop/browser-client.js: the project's browser
// client, in Chromium, against the conformance server over the upgrade
// path, polling alone, websocket alone, and an upgrade that fails after
// polling began to pause: events, acks both ways, UTF-8, binary both ways,
// namespaces, refusals, buffering, reconnection after the network drops and
// giving up, the server's disconnect.
func TestBrowserClient(t *testing.T) {
	chromium := nodetest.Chromium(t)
	nodetest.Require(t)
	var args []string
	for _, c := range []struct{ name, transports string }{
		{"upgrade", "polling,websocket"},
		{"polling", "polling"},
		{"websocket", "websocket"},
		// Every websocket is cut right after "3probe": the upgrade fails
		// once polling is pausing, and the client must carry on polling.
		{"probe-cut", "polling,websocket,cut-probe"},
	} {
		args = append(args, c.name+","+startBrowserClientServer(t)+","+c.transports)
	}
	p := nodetest.Start(t, "browser-client.js", "", []string{"CHROMIUM_PATH=" + chromium}, args...)
	err := p.Wait(90 * time.Second)
	out := p.Output()
	if err != nil || strings.Contains(out, "FAIL") || !strings.Contains(out, " 0 failed") {
		t.Fatalf("browser-client.js: %v\n%s", err, out)
	}
	t.Log(lastLine(out))
}

// startBrowserClientServer serves the conformance server, a page that loads
// the browser client at /, and /drop, which plays a network failure: it
// closes every connection but its own (websockets included), and the
// Socket.IO endpoint answers 503 for the next 500 ms (or ?down=MS), so that
// a retried poll and reconnection attempts fail meanwhile. It returns the
// page's URL.
func startBrowserClientServer(t *testing.T) string {
	srv := newConformanceServer()
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	var downUntil time.Time // guarded by mu
	mux := http.NewServeMux()
	mux.HandleFunc("/socket.io/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		down := time.Now().Before(downUntil)
		mu.Unlock()
		if down {
			http.Error(w, "down for the test", http.StatusServiceUnavailable)
			return
		}
		srv.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!DOCTYPE html><title>siogen browser client</title><script src="/socket.io/socket.io.js"></script>`)
	})
	mux.HandleFunc("GET /drop", func(w http.ResponseWriter, r *http.Request) {
		self := r.Context().Value(connKey{}).(net.Conn)
		down := 500 * time.Millisecond
		if ms, err := strconv.Atoi(r.URL.Query().Get("down")); err == nil {
			down = time.Duration(ms) * time.Millisecond
		}
		mu.Lock()
		downUntil = time.Now().Add(down)
		n := 0
		for c := range conns {
			if c != self {
				c.Close()
				delete(conns, c)
				n++
			}
		}
		mu.Unlock()
		fmt.Fprintf(w, "closed %d connections", n)
	})
	ts := httptest.NewUnstartedServer(mux)
	ts.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, c)
	}
	ts.Config.ConnState = func(c net.Conn, state http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch state {
		case http.StateNew:
			conns[c] = true
		case http.StateClosed:
			delete(conns, c) // hijacked (websocket) ones stay, for /drop
		}
	}
	ts.Start()
	t.Cleanup(func() {
		srv.Shutdown(t.Context())
		ts.Close()
	})
	return ts.URL + "/"
}

// TestOfficialBrowserClientPolling runs the official socket.io-client 2.5.0
// browser bundle in Chromium (interop/official-browser.js) against the
// conformance server over polling alone: with XHR2, the one official
// client that exchanges binary payloads, and with JSONP (base64 inside the
// script). The server side checks what it answered: XHR2 polls that carry
// binary get application/octet-stream, and JSONP polls never do.
func TestOfficialBrowserClientPolling(t *testing.T) {
	chromium := nodetest.Chromium(t)
	nodetest.Require(t)
	bundle, err := os.ReadFile(filepath.Join(nodetest.InteropDir(), "node_modules", "socket.io-client", "dist", "socket.io.js"))
	if err != nil {
		t.Fatal(err)
	}
	type served struct {
		mu    sync.Mutex
		types map[string]int // Content-Type of polling GET responses
	}
	start := func() (string, *served) {
		srv := newConformanceServer()
		rec := &served{types: map[string]int{}}
		mux := http.NewServeMux()
		mux.HandleFunc("/socket.io/", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Query().Get("transport") == "polling" {
				w = &contentTypeRecorder{ResponseWriter: w, record: func(ct string) {
					rec.mu.Lock()
					rec.types[ct]++
					rec.mu.Unlock()
				}}
			}
			srv.ServeHTTP(w, r)
		})
		mux.HandleFunc("GET /official/socket.io.js", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/javascript")
			w.Write(bundle)
		})
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, `<!DOCTYPE html><title>official client</title><body><script src="/official/socket.io.js"></script></body>`)
		})
		ts := httptest.NewServer(mux)
		t.Cleanup(func() {
			shutdownSoon(srv)
			ts.Close()
		})
		return ts.URL + "/", rec
	}
	xhr2URL, xhr2 := start()
	jsonpURL, jsonp := start()
	p := nodetest.Start(t, "official-browser.js", "", []string{"CHROMIUM_PATH=" + chromium},
		"xhr2,"+xhr2URL+",xhr2", "jsonp,"+jsonpURL+",jsonp")
	err = p.Wait(90 * time.Second)
	out := p.Output()
	if err != nil || strings.Contains(out, "FAIL") || !strings.Contains(out, " 0 failed") {
		t.Fatalf("official-browser.js: %v\n%s", err, out)
	}
	t.Log(lastLine(out))
	xhr2.mu.Lock()
	defer xhr2.mu.Unlock()
	jsonp.mu.Lock()
	defer jsonp.mu.Unlock()
	if xhr2.types["application/octet-stream"] == 0 {
		t.Errorf("XHR2: no polling response was application/octet-stream: %v", xhr2.types)
	}
	if jsonp.types["application/octet-stream"] != 0 || len(jsonp.types) == 0 {
		t.Errorf("JSONP: polling responses %v, want text only", jsonp.types)
	}
	for ct := range jsonp.types {
		// engine.io 3.6.2 (transports/polling.js) sends every string
		// payload, the JSONP script included, as text/plain.
		if ct != "text/plain; charset=UTF-8" {
			t.Errorf("JSONP: polling response of type %q", ct)
		}
	}
}

// contentTypeRecorder reports the Content-Type a handler answers with.
type contentTypeRecorder struct {
	http.ResponseWriter
	record func(string)
	done   bool
}

func (w *contentTypeRecorder) WriteHeader(code int) {
	if !w.done {
		w.done = true
		if code == http.StatusOK {
			w.record(w.Header().Get("Content-Type"))
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *contentTypeRecorder) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *contentTypeRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
