package main

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/siogen/siogen/runtime/prommetrics"
	"github.com/siogen/siogen/runtime/socketio"
)

// newMetricsServer returns the -metrics server: GET /metrics serves, in
// Prometheus' text format, the chat's metrics (docs/metrics.md), which it
// makes opts.Observer, beside those of the Go runtime and the process. It
// has a registry of its own, and its own address, so that the chat's port
// serves only the chat.
func newMetricsServer(opts *socketio.Options) (*http.Server, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, err
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, err
	}
	m, err := prommetrics.New(reg, nil)
	if err != nil {
		return nil, err
	}
	opts.Observer = m
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, nil
}
