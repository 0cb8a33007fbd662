package socketio

import (
	"time"

	"github.com/siogen/siogen/runtime/engineio"
	"github.com/siogen/siogen/runtime/socketio/codec"
)

// Observer is told what happens on a Server, for metrics: the engine's
// sessions and traffic (engineio.Observer), and the events received and
// sent by name, ack round trips, handler durations and panics, and what the
// server refused. Set it with Options.Observer; runtime/prommetrics
// implements it for Prometheus.
//
// Its methods are called on the goroutines that serve the sockets, some of
// them for every event and every write, so they must be fast, must not block
// and must be safe for concurrent use. They must not call back into the
// server.
//
// Event names are bounded by the application, never by what a client sends:
// an event received is reported under its name only when its socket has a
// handler for it (generated code registers one per event of the schema),
// and as UnknownEvent otherwise. Names of events sent are the ones the
// server emits, which for generated code are the schema's.
//
// SessionClosed's reason is the Socket.IO one that the disconnect handlers
// receive (ReasonEventRateExceeded, ReasonServerShutdown, ...), which
// refines the engine's.
type Observer interface {
	engineio.Observer

	// EventReceived is called when an incoming event is handed to its
	// handler, or dropped for want of one (event is then UnknownEvent), on
	// the socket's event goroutine. An event that an event middleware
	// refused is not: it is a refusal.
	EventReceived(nsp, event string)
	// HandlerDone is called when the handler of an event has returned or
	// panicked, with how long it ran. The panic is recovered and logged, as
	// without an Observer.
	HandlerDone(nsp, event string, d time.Duration, panicked bool)
	// EventSent is called when an event has been queued for sockets
	// connected to this server: once per Socket.Emit or EmitWithAck with 1,
	// and once per broadcast, with or without acks, with the number of
	// local sockets it reached (broadcasts from other nodes of a cluster
	// included).
	EventSent(nsp, event string, sockets int)
	// AckReceived is called when the ack of a Socket.EmitWithAck has
	// arrived, and for each local socket that answered a broadcast with
	// acks, with the time since the event was sent.
	AckReceived(nsp, event string, rtt time.Duration)
	// Refused is called when the server turned a client or a packet down,
	// with one of the Refused* reasons; nsp is "" when no namespace is
	// concerned.
	Refused(nsp, reason string)
}

// UnknownEvent is the name an Observer is given for an event received
// without a handler on its socket, so that the names a client makes up never
// reach metrics.
const UnknownEvent = "_unknown"

// Reasons given to Observer.Refused.
const (
	// RefusedMiddleware: a connection middleware (Namespace.Use) refused a
	// socket.
	RefusedMiddleware = "middleware"
	// RefusedEventMiddleware: an event middleware (Namespace.UseEvent)
	// refused an event.
	RefusedEventMiddleware = "event_middleware"
	// RefusedInvalidNamespace: a CONNECT for a namespace that does not exist.
	RefusedInvalidNamespace = "invalid_namespace"
	// RefusedTooManyNamespaces: a CONNECT past Options.MaxNamespaces; the
	// client is disconnected.
	RefusedTooManyNamespaces = "too_many_namespaces"
	// RefusedRateLimit: an event past Options.MaxEventRate; the client is
	// disconnected.
	RefusedRateLimit = "rate_limit"
	// RefusedPendingEvents: an event past Options.MaxPendingEvents; the
	// client is disconnected.
	RefusedPendingEvents = "pending_events"
	// RefusedBadPacket: a packet that does not parse, or that the
	// connection's state does not allow; the connection is closed.
	RefusedBadPacket = "bad_packet"
)

// engineObserver is the engine's part of an Observer. The session's close
// is left to engineHandler.OnClose, which knows the Socket.IO reason.
type engineObserver struct{ Observer }

func (engineObserver) SessionClosed(string, int, string) {}

// sessionClosed reports the end of ec's session with the reason its
// sockets were given, when the Observer observes the engine (not when
// Options.Engine.Observer is another one, which the engine tells itself).
func (s *Server) sessionClosed(ec *engineio.Conn, reason string) {
	if o, ok := s.opts.Engine.Observer.(engineObserver); ok {
		o.Observer.SessionClosed(ec.Transport(), ec.Protocol(), reason)
	}
}

// refused reports a refusal to the Observer, if any.
func (s *Server) refused(nsp, reason string) {
	if o := s.opts.Observer; o != nil {
		o.Refused(nsp, reason)
	}
}

// dispatch runs h, the socket's handler of the event e (nil: none), on the
// socket's event goroutine, and tells the Observer.
func (s *Socket) dispatch(h EventHandler, e *Event) {
	o := s.nsp.srv.opts.Observer
	if o == nil {
		if h != nil {
			h(e)
		}
		return
	}
	if h == nil {
		o.EventReceived(s.nsp.name, UnknownEvent)
		return
	}
	o.EventReceived(s.nsp.name, e.Name)
	start := time.Now()
	panicked := true
	defer func() { o.HandlerDone(s.nsp.name, e.Name, time.Since(start), panicked) }()
	h(e)
	panicked = false
}

// sent reports an event queued for sockets of the namespace.
func (n *Namespace) sent(event string, sockets int) {
	if o := n.srv.opts.Observer; o != nil && sockets > 0 {
		o.EventSent(n.name, event, sockets)
	}
}

// sentPacket is sent for a broadcast's packet, whose event name is read
// from it only when there is an Observer to tell.
func (n *Namespace) sentPacket(p *codec.Packet, sockets int) {
	if sockets == 0 {
		return
	}
	if o, name := n.observedEvent(p); o != nil {
		o.EventSent(n.name, name, sockets)
	}
}

// sentWithAck is sentPacket for a broadcast with acks sent at start, and
// returns what reports each of its acks (nil without an Observer).
func (n *Namespace) sentWithAck(p *codec.Packet, sockets int, start time.Time) func() {
	o, name := n.observedEvent(p)
	if o == nil {
		return nil
	}
	if sockets > 0 {
		o.EventSent(n.name, name, sockets)
	}
	return func() { o.AckReceived(n.name, name, time.Since(start)) }
}

// observedEvent returns the Observer and the event name of p, or nil when
// there is no Observer or p is no event.
func (n *Namespace) observedEvent(p *codec.Packet) (Observer, string) {
	o := n.srv.opts.Observer
	if o == nil || (p.Type != codec.Event && p.Type != codec.BinaryEvent) {
		return nil, ""
	}
	name, _, ok, err := codec.EventName(p.Data)
	if err != nil || !ok {
		return nil, ""
	}
	return o, name
}
