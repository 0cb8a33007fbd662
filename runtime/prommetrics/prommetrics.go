// Package prommetrics exports a siogen server's metrics to Prometheus: a
// socketio.Observer (and engineio.Observer) that keeps counters, gauges and
// histograms in a prometheus.Registerer.
//
//	m, err := prommetrics.New(prometheus.DefaultRegisterer, nil)
//	if err != nil { ... }
//	srv := socketio.NewServer(&socketio.Options{Observer: m})
//	http.Handle("/metrics", promhttp.Handler())
//
// The runtime does not import this package, so a server without metrics
// does not depend on client_golang. docs/metrics.md lists every metric.
//
// Label values are bounded: transport, protocol and reason come from fixed
// sets; namespace is one the server defined; event is a name the server
// handles or sends (see socketio.Observer), at most Options.MaxEventNames
// of them per namespace, past which events count under OtherEvent.
package prommetrics

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/siogen/siogen/runtime/engineio"
)

// OtherEvent is the event label of the names of a namespace past
// Options.MaxEventNames.
const OtherEvent = "_other"

// Options configure Metrics. The zero value of every field selects the
// default stated on it.
type Options struct {
	// MaxEventNames bounds the event label values of one namespace; events
	// named otherwise count under OtherEvent. Default 256.
	MaxEventNames int
	// HandlerBuckets are the upper bounds, in seconds, of the buckets of
	// socketio_handler_duration_seconds. Default prometheus.DefBuckets
	// (5 ms to 10 s).
	HandlerBuckets []float64
	// AckBuckets are those of socketio_ack_duration_seconds. Default
	// prometheus.DefBuckets.
	AckBuckets []float64
}

// Metrics is a socketio.Observer that records into Prometheus metrics. Its
// methods are safe for concurrent use; those called for every write and
// every event take no lock and allocate nothing once the event's name has
// been seen.
type Metrics struct {
	maxEventNames int

	opened     *prometheus.CounterVec
	closed     *prometheus.CounterVec
	open       *prometheus.GaugeVec
	upgraded   *prometheus.CounterVec
	overflows  *prometheus.CounterVec
	packetsIn  *prometheus.CounterVec
	packetsOut *prometheus.CounterVec
	bytesIn    *prometheus.CounterVec
	bytesOut   *prometheus.CounterVec
	refusals   *prometheus.CounterVec

	eventsIn  *prometheus.CounterVec
	eventsOut *prometheus.CounterVec
	handler   *prometheus.HistogramVec
	panics    *prometheus.CounterVec
	acks      *prometheus.HistogramVec

	// The traffic counters of each transport, resolved once: they are
	// touched on every read and write.
	polling, websocket transportCounters

	// events maps a namespace to its event names to their metrics. It is
	// copied on write (a name seen for the first time), so that the
	// lookups of every event take no lock.
	events   atomic.Pointer[map[string]*namespaceEvents]
	eventsMu sync.Mutex
}

type transportCounters struct {
	packetsIn, packetsOut, bytesIn, bytesOut prometheus.Counter
}

type namespaceEvents struct {
	byName map[string]*eventMetrics
}

type eventMetrics struct {
	received, sent, panics prometheus.Counter
	handler, ack           prometheus.Observer
}

// New returns Metrics registered with reg. opts may be nil. The error is
// reg's, for instance when the metrics are already registered there.
func New(reg prometheus.Registerer, opts *Options) (*Metrics, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxEventNames <= 0 {
		o.MaxEventNames = 256
	}
	if o.HandlerBuckets == nil {
		o.HandlerBuckets = prometheus.DefBuckets
	}
	if o.AckBuckets == nil {
		o.AckBuckets = prometheus.DefBuckets
	}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "socketio", Name: name, Help: help}, labels)
	}
	m := &Metrics{
		maxEventNames: o.MaxEventNames,
		opened:        counter("connections_opened_total", "Engine.IO sessions opened, by the transport of their handshake and their Engine.IO revision.", "transport", "protocol"),
		closed:        counter("connections_closed_total", "Engine.IO sessions closed, by the transport they ended on, their Engine.IO revision and the reason their sockets were given.", "transport", "protocol", "reason"),
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "socketio", Name: "connections",
			Help: "Engine.IO sessions open, by current transport and Engine.IO revision."}, []string{"transport", "protocol"}),
		upgraded:   counter("connections_upgraded_total", "Sessions upgraded from polling to websocket, by Engine.IO revision.", "protocol"),
		overflows:  counter("send_queue_overflows_total", "Sessions closed because their send queue overflowed, by transport and Engine.IO revision.", "transport", "protocol"),
		packetsIn:  counter("packets_received_total", "Engine.IO packets received.", "transport"),
		packetsOut: counter("packets_sent_total", "Engine.IO packets handed to the transport.", "transport"),
		bytesIn:    counter("received_bytes_total", "Bytes received: websocket message payloads and polling request bodies.", "transport"),
		bytesOut:   counter("sent_bytes_total", "Bytes handed to the transport: websocket frames and polling response bodies.", "transport"),
		refusals:   counter("refusals_total", "Clients or packets the server turned down, by namespace (empty when none applies) and reason.", "namespace", "reason"),
		eventsIn:   counter("events_received_total", "Events received, by namespace and event (_unknown: no handler).", "namespace", "event"),
		eventsOut:  counter("events_sent_total", "Events queued for sockets of this server, one per socket reached.", "namespace", "event"),
		handler: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "socketio", Name: "handler_duration_seconds",
			Help: "How long event handlers ran.", Buckets: o.HandlerBuckets}, []string{"namespace", "event"}),
		panics: counter("handler_panics_total", "Event handlers that panicked (recovered).", "namespace", "event"),
		acks: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "socketio", Name: "ack_duration_seconds",
			Help: "Round trip of acks asked for by the server, from the event sent to its ack received.", Buckets: o.AckBuckets}, []string{"namespace", "event"}),
	}
	for _, c := range []prometheus.Collector{m.opened, m.closed, m.open, m.upgraded, m.overflows,
		m.packetsIn, m.packetsOut, m.bytesIn, m.bytesOut, m.refusals,
		m.eventsIn, m.eventsOut, m.handler, m.panics, m.acks} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	m.polling = m.transportCounters(engineio.Polling)
	m.websocket = m.transportCounters(engineio.WebSocket)
	for _, t := range []string{engineio.Polling, engineio.WebSocket} {
		for _, p := range []string{"3", "4"} {
			m.opened.WithLabelValues(t, p)
			m.open.WithLabelValues(t, p)
		}
	}
	m.events.Store(&map[string]*namespaceEvents{})
	return m, nil
}

func (m *Metrics) transportCounters(t string) transportCounters {
	return transportCounters{
		packetsIn:  m.packetsIn.WithLabelValues(t),
		packetsOut: m.packetsOut.WithLabelValues(t),
		bytesIn:    m.bytesIn.WithLabelValues(t),
		bytesOut:   m.bytesOut.WithLabelValues(t),
	}
}

func (m *Metrics) transport(t string) *transportCounters {
	if t == engineio.WebSocket {
		return &m.websocket
	}
	return &m.polling
}

func protocolLabel(p int) string {
	switch p {
	case 3:
		return "3"
	case 4:
		return "4"
	}
	return strconv.Itoa(p)
}

// SessionOpened implements engineio.Observer.
func (m *Metrics) SessionOpened(transport string, protocol int) {
	p := protocolLabel(protocol)
	m.opened.WithLabelValues(transport, p).Inc()
	m.open.WithLabelValues(transport, p).Inc()
}

// SessionUpgraded implements engineio.Observer.
func (m *Metrics) SessionUpgraded(protocol int) {
	p := protocolLabel(protocol)
	m.upgraded.WithLabelValues(p).Inc()
	m.open.WithLabelValues(engineio.Polling, p).Dec()
	m.open.WithLabelValues(engineio.WebSocket, p).Inc()
}

// SessionClosed implements engineio.Observer.
func (m *Metrics) SessionClosed(transport string, protocol int, reason string) {
	p := protocolLabel(protocol)
	m.closed.WithLabelValues(transport, p, reason).Inc()
	m.open.WithLabelValues(transport, p).Dec()
}

// PacketsReceived implements engineio.Observer.
func (m *Metrics) PacketsReceived(transport string, packets, bytes int) {
	c := m.transport(transport)
	c.packetsIn.Add(float64(packets))
	c.bytesIn.Add(float64(bytes))
}

// PacketsSent implements engineio.Observer.
func (m *Metrics) PacketsSent(transport string, packets, bytes int) {
	c := m.transport(transport)
	c.packetsOut.Add(float64(packets))
	c.bytesOut.Add(float64(bytes))
}

// SendQueueOverflowed implements engineio.Observer.
func (m *Metrics) SendQueueOverflowed(transport string, protocol int) {
	m.overflows.WithLabelValues(transport, protocolLabel(protocol)).Inc()
}

// EventReceived implements socketio.Observer.
func (m *Metrics) EventReceived(nsp, event string) {
	m.event(nsp, event).received.Inc()
}

// HandlerDone implements socketio.Observer.
func (m *Metrics) HandlerDone(nsp, event string, d time.Duration, panicked bool) {
	e := m.event(nsp, event)
	e.handler.Observe(d.Seconds())
	if panicked {
		e.panics.Inc()
	}
}

// EventSent implements socketio.Observer.
func (m *Metrics) EventSent(nsp, event string, sockets int) {
	m.event(nsp, event).sent.Add(float64(sockets))
}

// AckReceived implements socketio.Observer.
func (m *Metrics) AckReceived(nsp, event string, rtt time.Duration) {
	m.event(nsp, event).ack.Observe(rtt.Seconds())
}

// Refused implements socketio.Observer.
func (m *Metrics) Refused(nsp, reason string) {
	m.refusals.WithLabelValues(nsp, reason).Inc()
}

// event returns the metrics of an event, creating them the first time the
// name is seen in the namespace.
func (m *Metrics) event(nsp, name string) *eventMetrics {
	if ns := (*m.events.Load())[nsp]; ns != nil {
		if e := ns.byName[name]; e != nil {
			return e
		}
	}
	m.eventsMu.Lock()
	defer m.eventsMu.Unlock()
	all := *m.events.Load()
	ns := all[nsp]
	if ns != nil {
		if e := ns.byName[name]; e != nil {
			return e
		}
	}
	label := name
	if ns != nil && len(ns.byName) >= m.maxEventNames {
		if e := ns.byName[OtherEvent]; e != nil {
			return e
		}
		label = OtherEvent
	}
	e := &eventMetrics{
		received: m.eventsIn.WithLabelValues(nsp, label),
		sent:     m.eventsOut.WithLabelValues(nsp, label),
		panics:   m.panics.WithLabelValues(nsp, label),
		handler:  m.handler.WithLabelValues(nsp, label),
		ack:      m.acks.WithLabelValues(nsp, label),
	}
	// Copy the namespace's names and the map of namespaces, so that readers
	// never see a map being written.
	names := make(map[string]*eventMetrics, 1)
	if ns != nil {
		names = make(map[string]*eventMetrics, len(ns.byName)+1)
		for k, v := range ns.byName {
			names[k] = v
		}
	}
	names[label] = e
	next := make(map[string]*namespaceEvents, len(all)+1)
	for k, v := range all {
		next[k] = v
	}
	next[nsp] = &namespaceEvents{byName: names}
	m.events.Store(&next)
	return e
}
