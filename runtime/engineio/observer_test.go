package engineio

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// countingObserver sums what an Observer is told, by method and labels.
type countingObserver struct {
	mu     sync.Mutex
	counts map[string]int
}

func newCountingObserver() *countingObserver {
	return &countingObserver{counts: map[string]int{}}
}

func (o *countingObserver) add(key string, n int) {
	o.mu.Lock()
	o.counts[key] += n
	o.mu.Unlock()
}

func (o *countingObserver) SessionOpened(transport string, protocol int) {
	o.add(fmt.Sprintf("opened %s %d", transport, protocol), 1)
}

func (o *countingObserver) SessionUpgraded(protocol int) {
	o.add(fmt.Sprintf("upgraded %d", protocol), 1)
}

func (o *countingObserver) SessionClosed(transport string, protocol int, reason string) {
	o.add(fmt.Sprintf("closed %s %d %s", transport, protocol, reason), 1)
}

func (o *countingObserver) PacketsReceived(transport string, packets, bytes int) {
	o.add("packets in "+transport, packets)
	o.add("bytes in "+transport, bytes)
}

func (o *countingObserver) PacketsSent(transport string, packets, bytes int) {
	o.add("packets out "+transport, packets)
	o.add("bytes out "+transport, bytes)
}

func (o *countingObserver) SendQueueOverflowed(transport string, protocol int) {
	o.add(fmt.Sprintf("overflow %s %d", transport, protocol), 1)
}

func (o *countingObserver) snapshot() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.counts)
}

// TestObserverCountsSessionsAndTraffic drives sessions over both transports
// and both revisions, an upgrade and an overflow, and checks every count
// the observer was given against the bytes the test itself saw on the wire.
func TestObserverCountsSessionsAndTraffic(t *testing.T) {
	obs := newCountingObserver()
	h := newEchoHandler()
	srv, ts := newTestServer(t, h, &Options{Observer: obs, SendQueueSize: 2})
	want := map[string]int{}

	// A v3 polling session: the open packet, an echo, then the upgrade.
	res := do(t, "GET", ts.URL+"/socket.io/?EIO=3&transport=polling", "")
	m := openRE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("handshake %q", res.body)
	}
	sid := m[2]
	want["opened polling 3"] = 1
	want["packets out polling"] += 1
	want["bytes out polling"] += len(res.body)

	u := ts.URL + "/socket.io/?EIO=3&transport=polling&sid=" + sid
	do(t, "POST", u, "3:4hi")
	want["packets in polling"] += 1
	want["bytes in polling"] += len("3:4hi")
	if res := do(t, "GET", u, ""); res.body != "3:4hi" {
		t.Fatalf("poll %q", res.body)
	}
	want["packets out polling"] += 1
	want["bytes out polling"] += len("3:4hi")

	wsURL := "ws" + strings.TrimPrefix(ts.URL, "http") + "/socket.io/?EIO=3&transport=websocket&sid=" + sid
	ws, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteMessage(websocket.TextMessage, []byte("2probe"))
	if _, got := readWS(t, ws); got != "3probe" {
		t.Fatalf("probe answer %q", got)
	}
	ws.WriteMessage(websocket.TextMessage, []byte("5"))
	ws.WriteMessage(websocket.TextMessage, []byte("4abc"))
	if _, got := readWS(t, ws); got != "4abc" {
		t.Fatalf("echo %q", got)
	}
	want["packets in websocket"] += 3
	want["bytes in websocket"] += len("2probe") + len("5") + len("4abc")
	want["packets out websocket"] += 2
	want["bytes out websocket"] += 2 + len("3probe") + 2 + len("4abc") // 2-byte frame headers
	want["upgraded 3"] = 1
	ws.Close()
	if r := h.waitClosed(t); r != ReasonTransportClose {
		t.Fatalf("closed with %q", r)
	}
	want["closed websocket 3 transport close"] = 1

	// A v4 session whose queue overflows.
	res = do(t, "GET", ts.URL+"/socket.io/?EIO=4&transport=polling", "")
	m = openV4RE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("v4 handshake %q", res.body)
	}
	want["opened polling 4"] = 1
	want["packets out polling"] += 1
	want["bytes out polling"] += len(res.body)
	c := srv.Conn(m[1])
	for range 3 {
		c.Send(Message{Data: []byte("x")})
	}
	if r := h.waitClosed(t); r != ReasonTransportError {
		t.Fatalf("overflowed session closed with %q", r)
	}
	want["overflow polling 4"] = 1
	want["closed polling 4 transport error"] = 1

	if got := obs.snapshot(); !maps.Equal(got, want) {
		t.Errorf("observed\n%v\nwant\n%v", got, want)
	}
}

// TestObserverNil: without an Observer nothing is called (the fields stay
// nil and every hook is skipped); the rest of the package's tests run so.
func TestObserverNil(t *testing.T) {
	if (&Options{}).withDefaults().Observer != nil {
		t.Error("Observer has a default")
	}
}
