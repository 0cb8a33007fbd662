package engineio

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Over TLS the session cannot wait in the shared epoll set (the socket
// under a tls.Conn holds encrypted records, not frames), so its reader
// waits on a goroutine of its own; it must work the same.
func TestWebSocketOverTLS(t *testing.T) {
	h := newEchoHandler()
	srv := NewServer(h, nil)
	ts := httptest.NewTLSServer(srv)
	t.Cleanup(func() {
		srv.Shutdown(t.Context())
		ts.Close()
	})
	// The test server's client trusts its certificate.
	dialer := websocket.Dialer{TLSClientConfig: ts.Client().Transport.(*http.Transport).TLSClientConfig}
	url := "wss" + strings.TrimPrefix(ts.URL, "https") + "/socket.io/?EIO=3&transport=websocket"

	ws, _, err := dialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	readWS(t, ws) // open
	for _, m := range []string{"4one", "4two", "4three"} {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
			t.Fatal(err)
		}
		// Idle in between, so that each message wakes a waiting reader.
		time.Sleep(20 * time.Millisecond) // idle, the state under test; no event orders on it
		if _, got := readWS(t, ws); got != m {
			t.Fatalf("echo %q, want %q", got, m)
		}
	}
	ws.Close()
	if r := h.waitClosedWithin(t, 5*time.Second, "the server did not notice the client leaving"); r != ReasonTransportClose {
		t.Errorf("session closed with %q, want %q", r, ReasonTransportClose)
	}
}
