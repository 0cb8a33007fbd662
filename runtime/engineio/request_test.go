package engineio

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestPackHeader: a header comes back from its packed form as it was, any
// byte in keys and values, lengths past one varint byte, empty value lists.
func TestPackHeader(t *testing.T) {
	for _, h := range []http.Header{
		{},
		{"Upgrade": {"websocket"}},
		{
			"Cookie":   {"a=1; b=2"},
			"X-Multi":  {"one", "", "three"},
			"X-Long":   {strings.Repeat("x", 300)},
			"X-Binary": {"\x00\xff\x80\n:"},
			"X-None":   {},
			"":         {"empty key"},
		},
	} {
		got := unpackHeader(packHeader(h))
		if !reflect.DeepEqual(got, h) {
			t.Errorf("packed and unpacked %q: got %q", h, got)
		}
	}
}

// TestRequestOfWebSocketSession: the request of a session opened over
// websocket, kept as its fields with the header packed, reads as the
// handshake request (header, URL, context values, a ServeMux pattern's path
// values, a form an AllowRequest hook parsed), the same *http.Request for
// every caller.
func TestRequestOfWebSocketSession(t *testing.T) {
	h := newEchoHandler()
	opened := make(chan *Conn, 1)
	h.onOpen = func(c *Conn) { opened <- c }
	srv := NewServer(h, &Options{Path: "/t/", AllowRequest: func(r *http.Request) error { return r.ParseForm() }})
	type ctxKey struct{}
	mux := http.NewServeMux()
	mux.Handle("/t/{tenant}/socket.io/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, "user-1")))
	}))
	ts := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Shutdown(t.Context())
		ts.Close()
	})

	hdr := http.Header{"X-Token": {"secret"}, "X-Multi": {"a", "b"}, "Cookie": {"k=v"}}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/t/acme/socket.io/?EIO=4&transport=websocket&user=ann", hdr)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var c *Conn
	select {
	case c = <-opened:
	case <-time.After(5 * time.Second):
		t.Fatal("no session opened")
	}

	var wg sync.WaitGroup
	reqs := make([]*http.Request, 8)
	for i := range reqs {
		wg.Add(1)
		go func() { defer wg.Done(); reqs[i] = c.Request() }()
	}
	wg.Wait()
	r := reqs[0]
	for _, o := range reqs[1:] {
		if o != r {
			t.Fatalf("Request returned different requests")
		}
	}
	if got := r.Header.Get("X-Token"); got != "secret" {
		t.Errorf("X-Token %q", got)
	}
	if got := r.Header.Values("X-Multi"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("X-Multi %q", got)
	}
	if got := r.Header.Get("Cookie"); got != "k=v" {
		t.Errorf("Cookie %q", got)
	}
	if got := r.Header.Get("Upgrade"); got != "websocket" {
		t.Errorf("Upgrade %q", got)
	}
	if got := r.URL.Query().Get("user"); got != "ann" || r.URL.Path != "/t/acme/socket.io/" {
		t.Errorf("URL %v", r.URL)
	}
	if r.Method != http.MethodGet || r.Host == "" || r.RemoteAddr == "" || r.Body != http.NoBody || r.ProtoMajor != 1 || r.RequestURI == "" {
		t.Errorf("method %q, host %q, remote address %q, body %v, protocol %d, URI %q", r.Method, r.Host, r.RemoteAddr, r.Body, r.ProtoMajor, r.RequestURI)
	}
	if got := r.Context().Value(ctxKey{}); got != "user-1" {
		t.Errorf("context value %v, want user-1", got)
	}
	if got := c.RequestContext().Value(ctxKey{}); got != "user-1" {
		t.Errorf("RequestContext value %v, want user-1", got)
	}
	if got := r.PathValue("tenant"); got != "acme" || r.Pattern != "/t/{tenant}/socket.io/" {
		t.Errorf("path value %q, pattern %q", got, r.Pattern)
	}
	if got := r.Form.Get("user"); got != "ann" {
		t.Errorf("form %v", r.Form)
	}
}

// TestWildcards reads the wildcard names of ServeMux patterns.
func TestWildcards(t *testing.T) {
	for pattern, want := range map[string][]string{
		"":                           nil,
		"/socket.io/":                nil,
		"GET /t/{tenant}/socket.io/": {"tenant"},
		"host.example/{a}/{b...}":    {"a", "b"},
		"/{x}/{$}":                   {"x"},
	} {
		if got := wildcards(pattern); !reflect.DeepEqual(got, want) {
			t.Errorf("wildcards(%q) = %q, want %q", pattern, got, want)
		}
	}
}
