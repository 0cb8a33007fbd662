package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
	"github.com/siogen/siogen/internal/promtest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/socketio"
)

// TestMetricsAfterOfficialClients starts the chat as main does with
// -metrics, runs a known workload with the official socket.io-client 2.5.0
// (interop/chat-metrics-client.js: three clients over polling, websocket
// and the upgrade, names, four lines with acks, an event the schema does
// not have), scrapes /metrics and asserts the exact value of every
// socketio_ series; then, once the clients have left, that every session
// was counted closed.
func TestMetricsAfterOfficialClients(t *testing.T) {
	nodetest.Require(t)
	opts := &socketio.Options{}
	ms, err := newMetricsServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ms.Serve(l)
	t.Cleanup(func() { ms.Close() })
	metricsURL := "http://" + l.Addr().String() + "/metrics"

	handler, srv := newServer(log.New(io.Discard, "", 0), opts)
	ts := httptest.NewServer(handler)
	t.Cleanup(func() {
		ts.Close()
		srv.Shutdown(t.Context())
	})

	p := nodetest.Start(t, "chat-metrics-client.js", "workload done", nil, ts.URL)
	// Every ack is back and every line received, but the last ack may have
	// left before the socket's handler returned and was counted.
	var got map[string]float64
	testutil.Eventually(t, 5*time.Second, "the last handler to be counted", func() bool {
		got = promtest.Scrape(t, metricsURL, "socketio_")
		return got[`socketio_handler_duration_seconds_count{event="chat message",namespace="/"}`] == 4
	})

	want := map[string]float64{}
	for _, tr := range []string{"polling", "websocket"} {
		for _, proto := range []string{"3", "4"} {
			want[fmt.Sprintf(`socketio_connections_opened_total{protocol=%q,transport=%q}`, proto, tr)] = 0
			want[fmt.Sprintf(`socketio_connections{protocol=%q,transport=%q}`, proto, tr)] = 0
		}
	}
	want[`socketio_connections_opened_total{protocol="3",transport="polling"}`] = 2
	want[`socketio_connections_opened_total{protocol="3",transport="websocket"}`] = 1
	want[`socketio_connections{protocol="3",transport="polling"}`] = 1
	want[`socketio_connections{protocol="3",transport="websocket"}`] = 2
	want[`socketio_connections_upgraded_total{protocol="3"}`] = 1
	for _, e := range []string{"chat message", "set name", "user joined", "_unknown"} {
		for _, name := range []string{"socketio_events_received_total", "socketio_events_sent_total",
			"socketio_handler_duration_seconds_count", "socketio_handler_panics_total", "socketio_ack_duration_seconds_count"} {
			want[fmt.Sprintf(`%s{event=%q,namespace="/"}`, name, e)] = 0
		}
	}
	set := func(name, event string, v float64) {
		want[fmt.Sprintf(`%s{event=%q,namespace="/"}`, name, event)] = v
	}
	set("socketio_events_received_total", "chat message", 4)
	set("socketio_handler_duration_seconds_count", "chat message", 4)
	set("socketio_events_sent_total", "chat message", 4*3) // every line to the 3 clients
	set("socketio_events_received_total", "set name", 3)
	set("socketio_handler_duration_seconds_count", "set name", 3)
	set("socketio_events_sent_total", "user joined", 3*2) // every name to the 2 others
	set("socketio_events_received_total", "_unknown", 1)

	// The engine's traffic depends on the client's timing (polls, the
	// upgrade); its exact counts are engineio's and prommetrics' tests.
	// Here: every series is there, and the websocket carried traffic both
	// ways.
	for k, v := range got {
		if strings.HasPrefix(k, "socketio_packets_") || strings.HasSuffix(k[:strings.IndexByte(k+"{", '{')], "_bytes_total") {
			if v <= 0 {
				t.Errorf("%s = %v, want traffic", k, v)
			}
			delete(got, k)
		}
		if strings.Contains(k, "_sum{") {
			delete(got, k) // durations
		}
	}
	for k, w := range want {
		if v, ok := got[k]; !ok {
			t.Errorf("missing %s (want %v)", k, w)
		} else if v != w {
			t.Errorf("%s = %v, want %v", k, v, w)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s = %v", k, v)
		}
	}

	// The clients leave on the line "bye".
	if err := srv.Of("/").Emit("chat message", "bye"); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(20 * time.Second); err != nil || !strings.Contains(p.Output(), "bye") {
		t.Fatalf("client: %v\n%s", err, p.Output())
	}
	testutil.Eventually(t, 10*time.Second, "every session counted closed", func() bool {
		s := promtest.Scrape(t, metricsURL, "socketio_connections")
		open, closed := 0.0, 0.0
		for k, v := range s {
			switch {
			case strings.HasPrefix(k, "socketio_connections{"):
				open += v
			case strings.HasPrefix(k, "socketio_connections_closed_total{"):
				closed += v
			}
		}
		return open == 0 && closed == 3
	})
}
