package engineio

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// An idle websocket session holds no goroutine: it waits in the shared
// epoll set, wakes for its next packet, notices its peer leaving, and the
// poll goroutine is gone once no session waits.
func TestIdleWebSocketsHoldNoGoroutines(t *testing.T) {
	testIdleWebSockets(t, nil)
}

// With DisableEpoll, each idle session waits on a goroutine of its own, as
// on systems other than Linux, and the epoll set is never used; the
// sessions behave the same.
func TestIdleWebSocketsWithoutEpoll(t *testing.T) {
	testIdleWebSockets(t, &Options{DisableEpoll: true})
}

func testIdleWebSockets(t *testing.T, opts *Options) {
	const n = 200
	epoll := opts == nil || !opts.DisableEpoll
	h := newEchoHandler()
	srv, ts := newTestServer(t, h, opts)
	baseline := runtime.NumGoroutine()

	clients := make([]*websocket.Conn, n)
	for i := range clients {
		var ws *websocket.Conn
		var err error
		if i%10 == 0 {
			// Some by upgrade from polling, whose reader starts after the probe.
			sid, _ := handshake(t, ts.URL, "")
			ws, _, err = websocket.DefaultDialer.Dial(wsURL(ts, "&sid="+sid), nil)
			if err == nil {
				ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
				if _, m := readWS(t, ws); m != "3probe" {
					t.Fatalf("probe answer %q", m)
				}
				ws.WriteMessage(websocket.TextMessage, []byte("5"))
			}
		} else {
			ws, _, err = websocket.DefaultDialer.Dial(wsURL(ts, ""), nil)
			if err == nil {
				readWS(t, ws) // open
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		clients[i] = ws
	}

	extra := func() int { return runtime.NumGoroutine() - baseline }
	if epoll {
		for deadline := time.Now().Add(5 * time.Second); extra() > 10 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond) // poll period: goroutines leave without an event
		}
		if e := extra(); e > 10 {
			t.Fatalf("%d idle websocket sessions hold %d goroutines more than none", n, e)
		}
	} else {
		if e := extra(); e < n {
			t.Fatalf("%d idle websocket sessions hold %d goroutines more than none, want one each", n, e)
		}
		if pollWaiting() {
			t.Fatal("with DisableEpoll, a session waits in the epoll set")
		}
	}

	for round := range 2 {
		for i, ws := range clients {
			if err := ws.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "4m%d-%d", round, i)); err != nil {
				t.Fatal(err)
			}
		}
		for i, ws := range clients {
			if _, m := readWS(t, ws); m != fmt.Sprintf("4m%d-%d", round, i) {
				t.Fatalf("client %d: echo %q", i, m)
			}
		}
	}

	// Peers that leave while their sessions wait are noticed at once.
	for _, ws := range clients[:n/2] {
		ws.Close()
	}
	for i := 0; i < n/2; i++ {
		if r := h.waitClosedWithin(t, 5*time.Second, fmt.Sprintf("%d of %d closed clients noticed", i, n/2)); r != ReasonTransportClose {
			t.Errorf("session closed with %q, want %q", r, ReasonTransportClose)
		}
	}
	if got := srv.Len(); got != n-n/2 {
		t.Fatalf("%d sessions open, want %d", got, n-n/2)
	}

	// Sessions the server ends forget their waits.
	srv.Shutdown(t.Context())
	for deadline := time.Now().Add(5 * time.Second); pollWaiting() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // poll period: the epoll set empties without an event
	}
	if pollWaiting() {
		sharedPoll.mu.Lock()
		defer sharedPoll.mu.Unlock()
		t.Fatalf("after shutdown: %d waits, poll goroutine running %v", len(sharedPoll.waits), sharedPoll.running)
	}
}

func pollWaiting() bool {
	sharedPoll.mu.Lock()
	defer sharedPoll.mu.Unlock()
	return len(sharedPoll.waits) > 0 || sharedPoll.running
}
