package socketio

import (
	"slices"
	"testing"
	"time"
)

func TestEventBucket(t *testing.T) {
	var b eventBucket
	const rate, burst = 2, 3
	at := func(d time.Duration, want bool) {
		t.Helper()
		if got := b.take(d, rate, burst); got != want {
			t.Fatalf("take at %v = %v, want %v (tokens %.2f)", d, got, want, b.tokens)
		}
	}
	at(time.Second, true) // starts full: a burst of 3
	at(time.Second, true)
	at(time.Second, true)
	at(time.Second, false)
	at(time.Second+500*time.Millisecond, true) // 2/s: one more after 0.5 s
	at(time.Second+500*time.Millisecond, false)
	at(time.Minute, true) // refilled, but only up to the burst
	at(time.Minute, true)
	at(time.Minute, true)
	at(time.Minute, false)
}

// TestMaxEventRate: a socket that sends events faster than MaxEventRate is
// disconnected from every namespace with ReasonEventRateExceeded; one
// within it, and the bystanders, notice nothing.
func TestMaxEventRate(t *testing.T) {
	reasons := newReasonLog()
	srv := newEchoServer(&Options{MaxEventRate: 1, MaxEventBurst: 5}, reasons)
	ts := startServer(t, srv)
	wsBystander := dialWS(t, ts, "", nil)
	pollBystander := dialPolling(t, ts, "")

	t.Run("websocket", func(t *testing.T) {
		c := dialWS(t, ts, "", nil)
		c.send("0/a")
		c.expect("0/a,")
		for range 5 { // the burst passes
			c.echo("/")
		}
		for range 5 {
			// The server may close the connection before the last ones.
			c.ws.WriteMessage(1, []byte(`42["echo","flood"]`))
		}
		pkts, _ := c.closed()
		slices.Sort(pkts)
		if want := []string{"1", "1/a,"}; !slices.Equal(pkts, want) {
			t.Errorf("packets before the close %q, want the DISCONNECTs %q", pkts, want)
		}
		for _, id := range []string{c.sid, "/a#" + c.sid} {
			if r := reasons.wait(t, id); r != ReasonEventRateExceeded {
				t.Errorf("%s: reason %q, want %q", id, r, ReasonEventRateExceeded)
			}
		}
	})
	t.Run("polling", func(t *testing.T) {
		c := dialPolling(t, ts, "")
		pkts := make([]string, 6)
		for i := range pkts {
			pkts[i] = `2["echo","flood"]`
		}
		c.send(pkts...)
		got := c.closed()
		if n := len(got); n == 0 || got[n-1] != "1" {
			t.Errorf("packets before the close %q, want echoes then the DISCONNECT", got)
		}
		if r := reasons.wait(t, c.sid); r != ReasonEventRateExceeded {
			t.Errorf("reason %q, want %q", r, ReasonEventRateExceeded)
		}
	})
	wsBystander.echo("/")
	pollBystander.echo()
}
