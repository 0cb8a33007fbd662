package socketio

import (
	"errors"
	"runtime/debug"
	"slices"

	"github.com/siogen/siogen/runtime/socketio/codec"
)

// EventMiddleware sees an incoming event before its handler. A non-nil
// error refuses the event: see Namespace.UseEvent.
type EventMiddleware func(e *Event) error

// UseEvent adds an event middleware to the namespace. For every event a
// socket of the namespace receives, after the socket's OnAny listeners
// and before the event's handler, the event middleware runs in the order
// added, on the socket's event goroutine (the handlers' own: one event at a
// time per socket). e.Name, e.Args and e.Socket() say what came and from
// whom; it runs for events without a handler too.
//
// The first middleware to return an error refuses the event: no later
// middleware and no handler runs, the error goes to the socket's OnError
// handler, and an ack the sender asked for is answered with {"error":
// message}, where message is the error's when it is a *ClientError and
// InternalErrorMessage otherwise. A panic in a middleware is recovered and
// logged, and refuses the event in the same way.
func (n *Namespace) UseEvent(fn EventMiddleware) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var mw []EventMiddleware
	if old := n.eventMiddleware.Load(); old != nil {
		mw = slices.Clone(*old)
	}
	mw = append(mw, fn)
	n.eventMiddleware.Store(&mw)
}

// OnAny adds a listener called with every event the socket receives,
// whether it has a handler or not, before any event middleware (so a
// listener sees refused events too), on the socket's event goroutine. It
// is socket.io's socket.onAny: for logging, tracing, debugging. args are
// still encoded; decode them with Decode, or read their JSON.
func (s *Socket) OnAny(fn func(event string, args *Args)) {
	s.mu.Lock()
	s.onAny = append(s.onAny, fn)
	s.mu.Unlock()
}

// OnAnyOutgoing adds a listener called with every event sent to the
// socket: by its Emit and EmitWithAck, and by broadcasts that reach it on
// this server (local, or received through the adapter from other
// servers). It is socket.io's socket.onAnyOutgoing. It runs on the
// goroutine that emits, before the event is queued, so it must be quick
// and safe for concurrent use. args are encoded, as the socket receives
// them.
//
// A broadcast is encoded once for all its targets; while no socket of the
// namespace has an outgoing listener, broadcasts do not look for one.
func (s *Socket) OnAnyOutgoing(fn func(event string, args *Args)) {
	s.mu.Lock()
	if len(s.onAnyOutgoing) == 0 && s.connected {
		s.nsp.outgoingListeners.Add(1)
	}
	s.onAnyOutgoing = append(s.onAnyOutgoing, fn)
	s.mu.Unlock()
}

// beforeHandler runs the OnAny listeners and the event middleware for e,
// on the socket's event goroutine, and reports whether e may go on to its
// handler.
func (s *Socket) beforeHandler(e *Event) bool {
	s.mu.Lock()
	listeners := s.onAny
	s.mu.Unlock()
	for _, fn := range listeners {
		s.guard("OnAny listener", func() { fn(e.Name, &e.Args) })
	}
	mw := s.nsp.eventMiddleware.Load()
	if mw == nil {
		return true
	}
	for _, fn := range *mw {
		if err := s.runEventMiddleware(fn, e); err != nil {
			s.nsp.srv.refused(s.nsp.name, RefusedEventMiddleware)
			e.Reject(err)
			return false
		}
	}
	return true
}

// errMiddlewarePanic refuses an event whose middleware panicked.
var errMiddlewarePanic = errors.New("socketio: panic in event middleware")

func (s *Socket) runEventMiddleware(fn EventMiddleware, e *Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.conn.peerLog.Error(s.nsp.srv.log, "socketio: panic in event middleware", "id", s.id, "nsp", s.nsp.name, "event", e.Name, "panic", r, "stack", string(debug.Stack()))
			err = errMiddlewarePanic
		}
	}()
	return fn(e)
}

// guard runs a listener, recovering and logging a panic so that the
// handler or the emit after it still happens.
func (s *Socket) guard(what string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			s.conn.peerLog.Error(s.nsp.srv.log, "socketio: panic in "+what, "id", s.id, "nsp", s.nsp.name, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	fn()
}

// notifyOutgoing hands the event packet p, about to be sent to the
// socket, to its OnAnyOutgoing listeners.
func (s *Socket) notifyOutgoing(p *codec.Packet) {
	s.mu.Lock()
	listeners := s.onAnyOutgoing
	s.mu.Unlock()
	if len(listeners) == 0 || (p.Type != codec.Event && p.Type != codec.BinaryEvent) {
		return
	}
	name, raw, ok, err := codec.EventName(p.Data)
	if err != nil || !ok {
		return
	}
	args := &Args{Raw: raw, Attachments: p.Attachments}
	for _, fn := range listeners {
		s.guard("OnAnyOutgoing listener", func() { fn(name, args) })
	}
}

// dropOutgoing takes a closing socket out of the count of sockets with an
// outgoing listener; s.mu is held.
func (s *Socket) dropOutgoing() {
	if len(s.onAnyOutgoing) > 0 {
		s.nsp.outgoingListeners.Add(-1)
	}
}

// refusal returns the error a connection middleware's err sends to the
// client: err itself when it is made for it (a *ClientError, an error
// with a Data method for the CONNECT_ERROR's data, an *AuthError),
// InternalErrorMessage otherwise, which is logged.
func (n *Namespace) refusal(s *Socket, err error) error {
	if _, ok := err.(interface{ Data() any }); ok {
		return err
	}
	msg, ok := forPeer(err)
	if !ok {
		logInternal(n.srv.log, "socketio: connection refused by middleware (the client was told "+InternalErrorMessage+")", err, "nsp", n.name, "id", s.id)
	}
	return &ClientError{Message: msg}
}
