package socketio

import (
	"context"
	"fmt"
)

// socketContext is a socket's context, made on first use: most sockets
// never ask for one, and an idle socket should cost little.
type socketContext struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// Context returns the socket's context. It carries the values of the
// handshake request's context, the first HTTP request of the connection
// (for a websocket-only client, its upgrade request), so that what net/http
// middleware put there (an authenticated user, a trace) is readable from
// the namespace's middleware and the socket's handlers. It is cancelled
// when the socket disconnects, for whatever reason, a server Shutdown
// included, or when its middleware refuses it; context.Cause then wraps
// ErrDisconnected with the reason. Work a handler starts with it ends with
// the socket.
//
// Every call returns the same context; it has no deadline.
func (s *Socket) Context() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		// The engine keeps the request's context values, never cancelled.
		ctx, cancel := context.WithCancelCause(s.conn.ec.RequestContext())
		s.ctx = &socketContext{ctx: ctx, cancel: cancel}
		if s.ended != "" {
			cancel(disconnectCause(s.ended))
		}
	}
	return s.ctx.ctx
}

// endContext cancels the socket's context, if it was made, for reason; a
// context made later is cancelled at once. Only the first reason counts.
func (s *Socket) endContext(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended != "" {
		return
	}
	s.ended = reason
	if s.ctx != nil {
		s.ctx.cancel(disconnectCause(reason))
	}
}

func disconnectCause(reason string) error {
	return fmt.Errorf("%w: %s", ErrDisconnected, reason)
}

// reasonRefused ends the context of a socket that its namespace's
// middleware refused, or whose connection closed while it ran.
const reasonRefused = "refused"

// Data returns the value stored with SetData, or nil. Generated code keeps
// the per-socket state a schema declares (a namespace's Data field) here,
// typed: use the generated socket's Data method rather than this one in a
// namespace that declares it. A socket restored by connection state
// recovery keeps its data.
func (s *Socket) Data() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
}

// SetData stores v with the socket, for middleware to hand what it learned
// (the user, a session) to the socket's handlers.
func (s *Socket) SetData(v any) {
	s.mu.Lock()
	s.data = v
	s.mu.Unlock()
}

// DataOf returns the socket's data as a *T: the generated socket's Data
// method. The first call stores a new zero T, and every later call, from
// middleware, handlers or any goroutine, returns that same pointer. It
// panics when the socket holds data of another type, set with SetData.
func DataOf[T any](s *Socket) *T {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch d := s.data.(type) {
	case *T:
		return d
	case nil:
		v := new(T)
		s.data = v
		return v
	default:
		panic(fmt.Sprintf("socketio: the data of socket %s is a %T, not a %T", s.id, s.data, (*T)(nil)))
	}
}
