package prommetrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/siogen/siogen/internal/promtest"
	"github.com/siogen/siogen/internal/testutil"
	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/prommetrics"
	"github.com/siogen/siogen/runtime/socketio"
)

// trafficTally sums the packets and bytes the engine reports, beside the
// Metrics it forwards to, so that the scrape can be held to them exactly
// (engineio's tests hold these sums to the bytes on the wire).
type trafficTally struct {
	*prommetrics.Metrics
	mu     sync.Mutex
	counts map[string]float64
}

func (o *trafficTally) PacketsReceived(transport string, packets, bytes int) {
	o.add(`socketio_packets_received_total{transport="`+transport+`"}`, packets)
	o.add(`socketio_received_bytes_total{transport="`+transport+`"}`, bytes)
	o.Metrics.PacketsReceived(transport, packets, bytes)
}

func (o *trafficTally) PacketsSent(transport string, packets, bytes int) {
	o.add(`socketio_packets_sent_total{transport="`+transport+`"}`, packets)
	o.add(`socketio_sent_bytes_total{transport="`+transport+`"}`, bytes)
	o.Metrics.PacketsSent(transport, packets, bytes)
}

func (o *trafficTally) add(key string, n int) {
	o.mu.Lock()
	o.counts[key] += float64(n)
	o.mu.Unlock()
}

func (o *trafficTally) snapshot() map[string]float64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.counts)
}

// TestScrapeAfterWorkload runs a known workload against a server with
// Metrics: sessions over polling, websocket and an upgrade, in both
// protocol revisions; events in and out, one without a handler; an ack
// and a broadcast with acks; a panic; a refused middleware; a send queue
// overflow. It then scrapes
// /metrics and asserts the exact value of every socketio_ series.
func TestScrapeAfterWorkload(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := prommetrics.New(reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	obs := &trafficTally{Metrics: m, counts: map[string]float64{}}
	const queueSize = 16
	srv := socketio.NewServer(&socketio.Options{
		Observer: obs,
		Engine:   engineio.Options{SendQueueSize: queueSize},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)), // the panic is logged
	})
	nsp := srv.Of("/")
	nsp.Use(func(s *socketio.Socket) error {
		var auth struct{ Deny bool }
		if s.DecodeAuth(&auth); auth.Deny {
			return errors.New("denied")
		}
		return nil
	})
	nsp.OnConnection(func(s *socketio.Socket) {
		s.On("msg", func(e *socketio.Event) { e.Ack("ok") })
		s.On("boom", func(e *socketio.Event) { panic("boom") })
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Shutdown(context.Background())
	metrics := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer metrics.Close()
	scrape := func() map[string]float64 { return promtest.Scrape(t, metrics.URL, "socketio_") }

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	news := make(chan string, 10)
	dial := func(transports []string, auth any) (*socketio.Manager, *socketio.ClientSocket, error) {
		mgr := socketio.NewManager(ts.URL, &socketio.ManagerOptions{
			Engine:              engineio.DialOptions{Transports: transports},
			Auth:                auth,
			DisableReconnection: true,
		})
		s := mgr.Socket("/")
		s.On("news", func(e *socketio.Event) {
			var v string
			e.Decode(0, &v)
			news <- v
		})
		s.On("q", func(e *socketio.Event) { e.Ack("a") })
		s.On("poll", func(e *socketio.Event) { e.Ack("yes") })
		err := s.Connect(ctx)
		return mgr, s, err
	}
	var sockets []*socketio.ClientSocket
	for _, transports := range [][]string{{engineio.Polling}, {engineio.WebSocket}, nil} {
		mgr, s, err := dial(transports, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer mgr.Close()
		sockets = append(sockets, s)
	}
	mgr, _, err := dial([]string{engineio.WebSocket}, map[string]bool{"deny": true})
	if err == nil {
		t.Fatal("the middleware admitted a socket it refuses")
	}
	defer mgr.Close()

	// 3 events with a handler from each socket, one without and one whose
	// handler panics from the first; each socket's last ack says its events
	// have all run (a socket's events run in order).
	sockets[0].Emit("nobody listens")
	sockets[0].Emit("boom")
	for _, s := range sockets {
		for range 3 {
			if _, err := s.EmitWithAck(ctx, "msg"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// One broadcast reaching the 3 sockets, and an ack asked of one.
	if err := nsp.Emit("news", "hello"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		select {
		case <-news:
		case <-ctx.Done():
			t.Fatal("broadcast not received")
		}
	}
	server := nsp.Sockets()
	if len(server) != 3 {
		t.Fatalf("%d sockets connected", len(server))
	}
	if _, err := server[0].EmitWithAck(ctx, "q"); err != nil {
		t.Fatal(err)
	}
	// A broadcast with acks, answered by the 3.
	if acks, err := nsp.EmitWithAck(ctx, "poll"); err != nil || len(acks.Replies) != 3 {
		t.Fatalf("broadcast with acks: %d replies, %v", len(acks.Replies), err)
	}

	// A socket.io 2.x polling session that stops polling after its
	// handshake: its queue overflows.
	res, err := http.Get(ts.URL + "/socket.io/?EIO=3&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	sid := regexp.MustCompile(`"sid":"([^"]+)"`).FindSubmatch(body)
	if sid == nil {
		t.Fatalf("handshake %q", body)
	}
	// The middleware admits the socket off the handshake: its CONNECT may
	// or may not have left with the open packet.
	var raw *socketio.Socket
	testutil.Eventually(t, 5*time.Second, "the raw session's socket", func() bool {
		raw = nsp.Socket(string(sid[1]))
		return raw != nil
	})
	fills := 0
	for raw.Emit("fill") == nil {
		fills++
	}
	if fills != queueSize && fills != queueSize-1 {
		t.Errorf("%d events queued before the overflow, want %d or %d", fills, queueSize, queueSize-1)
	}
	// The upgrade of the third client happens in the background.
	testutil.Eventually(t, 5*time.Second, "the upgrade and the overflow's close", func() bool {
		s := scrape()
		return s[`socketio_connections_upgraded_total{protocol="4"}`] == 1 &&
			s[`socketio_connections_closed_total{protocol="3",reason="transport error",transport="polling"}`] == 1
	})

	want := map[string]float64{
		`socketio_connections_opened_total{protocol="3",transport="polling"}`:                          1,
		`socketio_connections_opened_total{protocol="3",transport="websocket"}`:                        0,
		`socketio_connections_opened_total{protocol="4",transport="polling"}`:                          2,
		`socketio_connections_opened_total{protocol="4",transport="websocket"}`:                        2,
		`socketio_connections{protocol="3",transport="polling"}`:                                       0,
		`socketio_connections{protocol="3",transport="websocket"}`:                                     0,
		`socketio_connections{protocol="4",transport="polling"}`:                                       1,
		`socketio_connections{protocol="4",transport="websocket"}`:                                     3, // the refused socket's connection stays
		`socketio_connections_upgraded_total{protocol="4"}`:                                            1,
		`socketio_connections_closed_total{protocol="3",reason="transport error",transport="polling"}`: 1,
		`socketio_send_queue_overflows_total{protocol="3",transport="polling"}`:                        1,
		`socketio_refusals_total{namespace="/",reason="middleware"}`:                                   1,
	}
	// Every event name seen has all five series, at zero unless set below.
	for _, e := range []string{"msg", "boom", "_unknown", "news", "q", "poll", "fill"} {
		for _, name := range []string{"socketio_events_received_total", "socketio_events_sent_total",
			"socketio_handler_duration_seconds_count", "socketio_handler_panics_total", "socketio_ack_duration_seconds_count"} {
			want[fmt.Sprintf(`%s{event=%q,namespace="/"}`, name, e)] = 0
		}
	}
	for k, v := range map[string]float64{
		"socketio_events_received_total{%s}":          9, // msg
		"socketio_handler_duration_seconds_count{%s}": 9,
	} {
		want[fmt.Sprintf(k, `event="msg",namespace="/"`)] = v
	}
	for _, k := range []string{"socketio_events_received_total{%s}", "socketio_handler_duration_seconds_count{%s}", "socketio_handler_panics_total{%s}"} {
		want[fmt.Sprintf(k, `event="boom",namespace="/"`)] = 1
	}
	want[`socketio_events_received_total{event="_unknown",namespace="/"}`] = 1
	want[`socketio_events_sent_total{event="news",namespace="/"}`] = 3
	want[`socketio_events_sent_total{event="q",namespace="/"}`] = 1
	want[`socketio_ack_duration_seconds_count{event="q",namespace="/"}`] = 1
	want[`socketio_events_sent_total{event="poll",namespace="/"}`] = 3
	want[`socketio_ack_duration_seconds_count{event="poll",namespace="/"}`] = 3
	want[`socketio_events_sent_total{event="fill",namespace="/"}`] = float64(fills)

	// The traffic, once it has settled (pings and the upgrade's polls).
	var got map[string]float64
	testutil.Eventually(t, 5*time.Second, "the traffic counts to settle", func() bool {
		before := obs.snapshot()
		got = scrape()
		return maps.Equal(before, obs.snapshot())
	})
	for k, v := range obs.snapshot() {
		want[k] = v
	}
	for k := range got {
		if strings.HasSuffix(strings.SplitN(k, "{", 2)[0], "_sum") {
			delete(got, k) // durations: not exact
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s (want %v)", k, want[k])
		}
	}
	for k, v := range got {
		if w, ok := want[k]; !ok {
			t.Errorf("unexpected %s = %v", k, v)
		} else if v != w {
			t.Errorf("%s = %v, want %v", k, v, w)
		}
	}

	// Every session closed: the gauges are back to zero and each opened
	// session was counted closed once, whatever its reason.
	for _, s := range sockets {
		s.Disconnect()
	}
	srv.Shutdown(ctx)
	testutil.Eventually(t, 5*time.Second, "every session closed", func() bool {
		s := scrape()
		open, opened, closed := 0.0, 0.0, 0.0
		for k, v := range s {
			switch {
			case strings.HasPrefix(k, "socketio_connections{"):
				open += v
			case strings.HasPrefix(k, "socketio_connections_opened_total{"):
				opened += v
			case strings.HasPrefix(k, "socketio_connections_closed_total{"):
				closed += v
			}
		}
		return open == 0 && opened == 5 && closed == 5
	})
}

// TestEventNamesBounded: past MaxEventNames a namespace's events count
// under OtherEvent, so a server that emits made-up names cannot grow the
// series without bound.
func TestEventNamesBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := prommetrics.New(reg, &prommetrics.Options{MaxEventNames: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"a", "b", "c", "d", "a"} {
		m.EventSent("/", e, 1)
	}
	m.EventSent("/admin", "c", 1)
	metrics := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer metrics.Close()
	got := promtest.Scrape(t, metrics.URL, "socketio_events_sent_total")
	want := map[string]float64{
		`socketio_events_sent_total{event="a",namespace="/"}`:      2,
		`socketio_events_sent_total{event="b",namespace="/"}`:      1,
		`socketio_events_sent_total{event="_other",namespace="/"}`: 2,
		`socketio_events_sent_total{event="c",namespace="/admin"}`: 1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

// TestNewRegistersOnce: the metrics are registered with reg, and a second
// New on the same registry is an error, not a panic.
func TestNewRegistersOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := prommetrics.New(reg, nil); err != nil {
		t.Fatal(err)
	}
	var already prometheus.AlreadyRegisteredError
	if _, err := prommetrics.New(reg, nil); !errors.As(err, &already) {
		t.Errorf("second New: %v, want AlreadyRegisteredError", err)
	}
}

// BenchmarkPacketsSent is the cost Metrics adds to every write.
func BenchmarkPacketsSent(b *testing.B) {
	m, _ := prommetrics.New(prometheus.NewRegistry(), nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.PacketsSent(engineio.WebSocket, 3, 120)
		}
	})
}

// BenchmarkEventReceived is the cost Metrics adds to every event handled.
func BenchmarkEventReceived(b *testing.B) {
	m, _ := prommetrics.New(prometheus.NewRegistry(), nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.EventReceived("/", "chat message")
			m.HandlerDone("/", "chat message", time.Millisecond, false)
		}
	})
}

// TestRuntimeDoesNotImportPrometheus: a server without metrics does not
// link client_golang; only this package does.
func TestRuntimeDoesNotImportPrometheus(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps",
		"github.com/siogen/siogen/runtime/engineio",
		"github.com/siogen/siogen/runtime/socketio",
		"github.com/siogen/siogen/runtime/redisadapter").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "prometheus") {
			t.Errorf("the runtime depends on %s", pkg)
		}
	}
}
