package prommetrics_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/siogen/siogen/runtime/prommetrics"
	"github.com/siogen/siogen/runtime/socketio"
)

// A server whose metrics are served at /metrics: one event received, then
// a scrape.
func ExampleNew() {
	reg := prometheus.NewRegistry()
	m, err := prommetrics.New(reg, nil)
	if err != nil {
		log.Fatal(err)
	}
	srv := socketio.NewServer(&socketio.Options{Observer: m})
	srv.Of("/").OnConnection(func(s *socketio.Socket) {
		s.On("chat message", func(e *socketio.Event) { e.Ack() })
	})
	app := httptest.NewServer(srv)
	defer app.Close()
	defer srv.Shutdown(context.Background())
	metrics := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer metrics.Close()

	client := socketio.NewManager(app.URL, nil)
	defer client.Close()
	s := client.Socket("/")
	if err := s.Connect(context.Background()); err != nil {
		log.Fatal(err)
	}
	if _, err := s.EmitWithAck(context.Background(), "chat message", "hi"); err != nil {
		log.Fatal(err)
	}

	res, err := http.Get(metrics.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "socketio_events_received_total") {
			fmt.Println(sc.Text())
		}
	}
	// Output:
	// socketio_events_received_total{event="chat message",namespace="/"} 1
}
