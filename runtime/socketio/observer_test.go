package socketio

import (
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"
)

// countingObserver sums what an Observer is told, by method and labels;
// the traffic is left out (engineio's tests count it).
type countingObserver struct {
	mu     sync.Mutex
	counts map[string]int
}

func newCountingObserver() *countingObserver { return &countingObserver{counts: map[string]int{}} }

func (o *countingObserver) add(key string, n int) {
	o.mu.Lock()
	o.counts[key] += n
	o.mu.Unlock()
}

func (o *countingObserver) snapshot() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.counts)
}

func (o *countingObserver) SessionOpened(transport string, protocol int) {
	o.add(fmt.Sprintf("opened %s %d", transport, protocol), 1)
}
func (o *countingObserver) SessionUpgraded(protocol int) { o.add(fmt.Sprint("upgraded ", protocol), 1) }
func (o *countingObserver) SessionClosed(transport string, protocol int, reason string) {
	o.add(fmt.Sprintf("closed %s %d %s", transport, protocol, reason), 1)
}
func (o *countingObserver) PacketsReceived(string, int, int) {}
func (o *countingObserver) PacketsSent(string, int, int)     {}
func (o *countingObserver) SendQueueOverflowed(string, int)  {}
func (o *countingObserver) EventReceived(nsp, event string)  { o.add("received "+nsp+" "+event, 1) }
func (o *countingObserver) Refused(nsp, reason string)       { o.add("refused "+nsp+" "+reason, 1) }
func (o *countingObserver) AckReceived(nsp, event string, _ time.Duration) {
	o.add("ack "+nsp+" "+event, 1)
}
func (o *countingObserver) EventSent(nsp, event string, sockets int) {
	o.add("sent "+nsp+" "+event, sockets)
}
func (o *countingObserver) HandlerDone(nsp, event string, _ time.Duration, panicked bool) {
	o.add("handled "+nsp+" "+event, 1)
	if panicked {
		o.add("panicked "+nsp+" "+event, 1)
	}
}

// TestObserverRefusalsAndReasons: what the server turns down is reported
// with its reason, and a session's close with the Socket.IO reason its
// sockets got, not the engine's.
func TestObserverRefusalsAndReasons(t *testing.T) {
	obs := newCountingObserver()
	log := newReasonLog()
	srv := newEchoServer(&Options{Observer: obs, MaxEventRate: 1, MaxEventBurst: 2}, log)
	srv.Of("/a").UseEvent(func(e *Event) error { return NewClientError("not here") })
	ts := startServer(t, srv)

	// An unknown namespace is refused; the session goes on.
	c := dialWS(t, ts, "", nil)
	c.send("0/nope")
	c.expect(`4/nope,"Invalid namespace"`)
	c.echo("/") // one event of the burst of 2
	// An event middleware refuses an event: a refusal, not an event received.
	c.send("0/a")
	c.expect("0/a,")
	c.send(`2/a,0["x"]`)
	c.expect(`3/a,0[{"error":"not here"}]`)
	// A packet that does not parse closes the connection.
	c.send(`2["echo"`)
	c.closed()
	if r := log.wait(t, c.sid); r != ReasonParseError {
		t.Fatalf("socket disconnected with %q", r)
	}

	// Past the rate, the client is disconnected with its reason.
	c = dialWS(t, ts, "", nil)
	c.send(`2["unknown"]`, `2["unknown"]`, `2["echo",3]`)
	c.closed()
	if r := log.wait(t, c.sid); r != ReasonEventRateExceeded {
		t.Fatalf("socket disconnected with %q", r)
	}

	want := map[string]int{
		"opened websocket 3":                            2,
		"refused  " + RefusedInvalidNamespace:           1,
		"refused  " + RefusedBadPacket:                  1,
		"refused / " + RefusedRateLimit:                 1,
		"refused /a " + RefusedEventMiddleware:          1,
		"closed websocket 3 " + ReasonParseError:        1,
		"closed websocket 3 " + ReasonEventRateExceeded: 1,
		"received / echo":                               1,
		"handled / echo":                                1,
		"sent / echo":                                   1,
		"received / _unknown":                           2,
	}
	deadline := time.Now().Add(hardWait)
	for !maps.Equal(obs.snapshot(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("observed\n%v\nwant\n%v", obs.snapshot(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
