package socketio

import (
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
)

// TestParseErrorClosesAtOnce: a packet that does not parse, or of a type a
// client never sends (ERROR), ends the session at once on both transports,
// though CloseTimeout is long: nothing sent after it is delivered, later
// polling requests get "Session ID unknown", and however many bad packets
// arrive, the log gets one line for the session. Bystanders notice nothing.
func TestParseErrorClosesAtOnce(t *testing.T) {
	logs := &testutil.Buffer{}
	reasons := newReasonLog()
	var after atomic.Int32 // "after" events that reached a handler
	srv := newEchoServer(&Options{
		Engine: engineio.Options{CloseTimeout: time.Hour},
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	}, reasons)
	srv.Of("/").OnConnection(func(s *Socket) {
		s.OnDisconnect(func(reason string) { reasons.add(s.ID(), reason) })
		s.On("echo", func(e *Event) {
			var v any
			e.Decode(0, &v)
			s.Emit("echo", v)
		})
		s.On("after", func(*Event) { after.Add(1) })
	})
	ts := startServer(t, srv)
	wsBystander := dialWS(t, ts, "", nil)
	pollBystander := dialPolling(t, ts, "")

	bad := map[string]string{
		"unknown type":         `9`,
		"bad ack id":           `2-1["echo"]`,
		"client ERROR":         `4"boom"`,
		"client ERROR on /a":   `4/a,"boom"`,
		"client CONNECT_ERROR": `4{"message":"boom"}`,
	}
	for name, pkt := range bad {
		t.Run("polling: "+name, func(t *testing.T) {
			c := dialPolling(t, ts, "")
			c.send("0/a")
			if got := c.all(1); got[0] != "0/a," {
				t.Fatalf("CONNECT /a: %q", got)
			}
			// A thousand bad packets, then an event, in one POST.
			pkts := make([]string, 0, 1001)
			for range 1000 {
				pkts = append(pkts, pkt)
			}
			c.send(append(pkts, `2["after"]`)...)
			// The POST is answered once the packets were handled: the
			// session is gone by now, not CloseTimeout later.
			if status, body := c.post("text/plain;charset=UTF-8", []byte(`11:2["after"]`)); status != 400 || body != `{"code":1,"message":"Session ID unknown"}` {
				t.Errorf("POST after the bad packet: %d %s, want 400 Session ID unknown", status, body)
			}
			if status, _ := c.get(); status != 400 {
				t.Errorf("GET after the bad packet: %d, want 400", status)
			}
			for _, id := range []string{c.sid, "/a#" + c.sid} {
				if r := reasons.wait(t, id); r != ReasonParseError {
					t.Errorf("%s: reason %q, want %q", id, r, ReasonParseError)
				}
			}
			if n := strings.Count(logs.String(), c.sid); n != 1 {
				t.Errorf("%d log lines name the session, want 1:\n%.3000s", n, logs.String())
			}
			pollBystander.echo()
			wsBystander.echo("/")
		})
		t.Run("websocket: "+name, func(t *testing.T) {
			c := dialWS(t, ts, "", nil)
			for range 100 {
				// The server may close the connection before the last ones.
				c.ws.WriteMessage(1, []byte("4"+pkt))
			}
			if pkts, _ := c.closed(); len(pkts) != 0 {
				t.Errorf("received %q before the close, want nothing (no DISCONNECT)", pkts)
			}
			if r := reasons.wait(t, c.sid); r != ReasonParseError {
				t.Errorf("reason %q, want %q", r, ReasonParseError)
			}
			if n := strings.Count(logs.String(), c.sid); n != 1 {
				t.Errorf("%d log lines name the session, want 1", n)
			}
			wsBystander.echo("/")
			pollBystander.echo()
		})
	}
	if n := after.Load(); n != 0 {
		t.Errorf("%d events sent after a bad packet reached a handler", n)
	}
}
