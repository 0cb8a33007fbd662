package engineio

import (
	"net/http"
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
// websocket, kept with its header packed, reads as the handshake request,
// the same *http.Request for every caller.
func TestRequestOfWebSocketSession(t *testing.T) {
	h := newEchoHandler()
	opened := make(chan *Conn, 1)
	h.onOpen = func(c *Conn) { opened <- c }
	_, ts := newTestServer(t, h, nil)

	hdr := http.Header{"X-Token": {"secret"}, "X-Multi": {"a", "b"}, "Cookie": {"k=v"}}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/socket.io/?EIO=4&transport=websocket&user=ann", hdr)
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
	if got := r.URL.Query().Get("user"); got != "ann" || r.URL.Path != "/socket.io/" {
		t.Errorf("URL %v", r.URL)
	}
	if r.Method != http.MethodGet || r.Host == "" || r.RemoteAddr == "" || r.Body != http.NoBody {
		t.Errorf("method %q, host %q, remote address %q, body %v", r.Method, r.Host, r.RemoteAddr, r.Body)
	}
}
